"""Event layers can be exported alone: ``--layers events_military --events STORE`` (issue 12)."""

from __future__ import annotations

import pyogrio
import pytest

from builders.events import batch, write_geojson
from builders.markings import marked
from northpic.cli import main


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("events")
    records = marked(batch(6, seed=5, prefix="alone"))
    for i, record in enumerate(records):
        record["domain"] = "military" if i % 2 else "economic"
    path = folder / "events.gpkg"
    assert main(["events", "add", str(write_geojson(folder / "ev.geojson", records)),
                 "--store", str(path)]) == 0
    return path, records


def test_an_event_layer_alone_is_exported(store, tmp_path):
    path, records = store
    out = tmp_path / "mil.gpkg"
    assert main(["export", "--format", "gpkg", "--out", str(out), "--layers", "events_military",
                 "--events", str(path)]) == 0
    tables = {name for name, _ in pyogrio.list_layers(out)} - {"layer_styles"}
    assert tables == {"events_military"}
    ids = set(pyogrio.read_dataframe(out, layer="events_military")["id"])
    assert ids == {r["id"] for r in records if r["domain"] == "military"}


def test_event_layers_with_a_catalogue_layer(store, tmp_path):
    path, records = store
    out = tmp_path / "two.kml"
    assert main(["export", "--format", "kml", "--out", str(out), "--layers",
                 "bases,events_economic", "--events", str(path)]) == 0
    names = {name for name, _ in pyogrio.list_layers(out)}
    assert "Reported events (economic)" in names and "Reported events (military)" not in names


def test_an_event_layer_without_events_is_written_empty(store, tmp_path):
    path, _ = store
    out = tmp_path / "social.gpkg"
    assert main(["export", "--format", "gpkg", "--out", str(out), "--layers", "events_social",
                 "--events", str(path)]) == 0
    assert dict(pyogrio.list_layers(out)).keys() >= {"events_social"}
    assert len(pyogrio.read_dataframe(out, layer="events_social")) == 0


def test_an_event_layer_without_a_store_says_why(tmp_path, capsys):
    code = main(["export", "--format", "gpkg", "--out", str(tmp_path / "x.gpkg"),
                 "--layers", "events_military"])
    err = capsys.readouterr().err
    assert code == 2 and "holds reported events" in err and "--events STORE" in err
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_layer_lists_the_event_layers_too(tmp_path, capsys):
    code = main(["export", "--format", "gpkg", "--out", str(tmp_path / "x.gpkg"),
                 "--layers", "events_militar"])
    err = capsys.readouterr().err
    assert code == 2 and "unknown layer 'events_militar'" in err and "events_military" in err
