"""The event store: round trips of every field, updates, removal, GIS readability.

Tests taking ``make_store`` run on both backends (GeoPackage and PostGIS): they behave the same.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyogrio
import pytest
import shapely

from builders.events import WRITERS, batch, event, feature
from northpic.cli import main
from northpic.errors import DataFileError, EventNotFoundError, SchemaError
from northpic.events import (
    add_events,
    default_store_path,
    event_layer_spec,
    events_layers,
    read_events,
    remove_event,
)

#: Makes a fresh store of the backend under test (see the ``make_store`` fixture).
MakeStore = Callable[[], Any]

FULL = event(
    1, id="full-1", name="Tanker ‘Eventin’ diverts — Øresund", kind="diversion",
    time="2026-01-15T08:30:00.250+02:00", valid_to="2026-01-20T23:59:59-05:00",
    domain="economic", layer="shadow_fleet", source="Coast guard report, 2026-01-15",
    confidence="low", precision_km=12.5, notes="line one\nline two, «quoted»",
    mmsi=273456789, other_mmsi=636012345, speed_kn=12.25, sanctioned=True,
    evidence={"gap_h": 7.5, "ports": ["RU PRI", "RU ULU"]}, destination_before="RU PRI",
    gap_start=pd.Timestamp("2026-01-14T22:00:00+01:00"),
)


def test_round_trip_of_every_field(make_store: MakeStore) -> None:
    store = make_store()
    polygon = {"type": "Polygon", "coordinates": [[[10, 70], [20, 70], [20, 75], [10, 70]]]}
    line = {"type": "LineString", "coordinates": [[170.5, 70.25], [-170.5, 71.75]]}
    report = add_events([
        feature(FULL),
        feature(event(2, geometry=polygon, domain="military", id="area-2")),
        feature(event(3, geometry=line, domain="social", id="line-3", time="2026-02-01T00:00Z")),
    ], store)
    assert (report.added, report.updated, report.ids) == (3, 0, ("full-1", "area-2", "line-3"))
    frame = read_events(store).set_index("id")
    row = frame.loc["full-1"]
    assert row["time"] == pd.Timestamp("2026-01-15T06:30:00.250Z")
    assert row["valid_from"] == row["time"]
    assert row["valid_to"] == pd.Timestamp("2026-01-21T04:59:59Z")
    for column in ("name", "kind", "domain", "layer", "source", "confidence", "notes",
                   "mmsi", "other_mmsi", "speed_kn", "evidence", "destination_before"):
        assert row[column] == FULL[column], column
    assert row["sanctioned"] is True or row["sanctioned"] == True  # noqa: E712 (pandas bool)
    assert row["gap_start"] == pd.Timestamp("2026-01-14T21:00:00Z")
    assert row["precision_km"] == 12.5
    assert row.geometry.equals(shapely.Point(FULL["lon"], FULL["lat"]))
    assert frame.loc["area-2"].geometry.equals(shapely.geometry.shape(polygon))
    assert frame.loc["line-3"].geometry.equals(shapely.geometry.shape(line))
    assert frame.loc["area-2", "layer"] == "events_military"
    assert pd.isna(frame.loc["area-2", "mmsi"]) and pd.isna(frame.loc["area-2", "valid_to"])
    assert str(frame["time"].dtype) .startswith("datetime64") and str(frame["time"].dt.tz) == "UTC"
    assert frame.crs.to_epsg() == 4326


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_format_gives_the_same_events(make_store: MakeStore, tmp_path: Path,
                                            fmt: str) -> None:
    records = batch(5, seed=3)
    records[0]["mmsi"] = 257123456
    path = WRITERS[fmt](tmp_path / f"in.{fmt}", records)
    store = make_store()
    add_events(path, store)
    frame = read_events(store).sort_values("id")
    assert list(frame["id"]) == sorted(r["id"] for r in records)
    assert frame["mmsi"].iloc[0] == 257123456 and pd.isna(frame["mmsi"].iloc[1])
    lons = sorted(r["lon"] for r in records)
    assert sorted(frame.geometry.x) == pytest.approx(lons, abs=1e-9)


def test_adding_an_id_again_updates_it(make_store: MakeStore) -> None:
    store = make_store()
    add_events([event(1, mmsi=1), event(2)], store)
    report = add_events([event(1, name="Renamed", confidence="high"), event(3)], store)
    assert (report.added, report.updated) == (1, 1)
    frame = read_events(store).set_index("id")
    assert list(frame.index) == ["ev-test-1", "ev-test-2", "ev-test-3"]
    assert frame.loc["ev-test-1", "name"] == "Renamed"
    assert frame.loc["ev-test-1", "confidence"] == "high"
    assert pd.isna(frame.loc["ev-test-1", "mmsi"])  # an update replaces the whole event


def test_derived_ids_are_stable_and_deduplicate(make_store: MakeStore) -> None:
    store = make_store()
    record = event(1, id=None)
    first = add_events([record], store)
    same_instant = dict(record, time="2026-01-15T06:30:00Z")  # the same moment, other offset
    second = add_events([same_instant], store)
    assert first.ids == second.ids and first.ids[0].startswith("ev-")
    assert (second.added, second.updated) == (0, 1)
    moved = add_events([dict(record, lat=record["lat"] + 0.5)], store)
    assert moved.ids != first.ids and len(read_events(store)) == 2


def test_attribute_type_clash_with_store_rolls_back(make_store: MakeStore) -> None:
    store = make_store()
    add_events([event(1, mmsi=257123456)], store)
    with pytest.raises(SchemaError, match="attribute 'mmsi' holds text values here but integer"):
        add_events([event(2, extra="new column"), event(3, mmsi="unknown")], store)
    frame = read_events(store)
    assert list(frame["id"]) == ["ev-test-1"] and "extra" not in frame.columns


def test_remove_and_unknown_id(make_store: MakeStore, capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store()
    add_events(batch(3), store)
    assert remove_event("b-1", store) is True
    assert list(read_events(store)["id"]) == ["b-0", "b-2"]
    with pytest.raises(EventNotFoundError, match="no event with id 'b-1'"):
        remove_event("b-1", store)
    assert main(["events", "remove", "nope", "--store", str(store)]) == 2
    assert "no event with id 'nope'" in capsys.readouterr().err
    assert main(["events", "remove", "b-2", "--store", str(store)]) == 0
    assert list(read_events(store)["id"]) == ["b-0"]


def test_list_filters_and_json_round_trip(make_store: MakeStore, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store()
    add_events([FULL, event(2, kind="deployment", domain="military",
                            time="2026-03-01T12:00:00+00:00")], store)
    assert main(["events", "list", "--store", str(store), "--since", "2026-02-01"]) == 0
    out = capsys.readouterr().out
    assert "ev-test-2" in out and "full-1" not in out
    assert main(["events", "list", "--store", str(store), "--since", "last week"]) == 2
    assert "since: 'last week' is not an ISO 8601" in capsys.readouterr().err
    assert main(["events", "list", "--store", str(store), "--kind", "diversion", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [f["id"] for f in doc["features"]] == ["full-1"]
    props = doc["features"][0]["properties"]
    assert props["time"] == "2026-01-15T06:30:00.250Z" and props["evidence"] == FULL["evidence"]
    copy = make_store()
    import io
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(doc)))
    assert main(["events", "add", "-", "--store", str(copy)]) == 0
    original = read_events(store, kind="diversion").drop(columns="geometry")
    again = read_events(copy).drop(columns="geometry")
    # JSON has no time type: a time-valued extra attribute comes back as its UTC text
    assert again["gap_start"].iloc[0] == "2026-01-14T21:00:00.000Z"
    pd.testing.assert_frame_equal(original[again.columns].drop(columns="gap_start"),
                                  again.drop(columns="gap_start"), check_dtype=False)


def test_store_is_a_real_geopackage(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    add_events([FULL, event(2, domain="military")], store)
    frame = pyogrio.read_dataframe(store, layer="events")
    assert sorted(frame["id"]) == ["ev-test-2", "full-1"]
    assert frame.crs.to_epsg() == 4326
    evidence = frame.set_index("id").loc["full-1", "evidence"]  # GDAL knows it is JSON
    assert (json.loads(evidence) if isinstance(evidence, str) else evidence) == FULL["evidence"]
    info = subprocess.run(["ogrinfo", "-so", str(store), "events"], capture_output=True,
                          text=True, check=True)
    assert "Feature Count: 2" in info.stdout and "time: DateTime" in info.stdout
    assert "mmsi: Integer64" in info.stdout and "evidence: String(JSON)" in info.stdout
    assert "Warning" not in info.stderr and "ERROR" not in info.stderr, info.stderr
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_refuses_files_that_are_not_stores(tmp_path: Path) -> None:
    other = tmp_path / "notes.gpkg"
    other.write_text("not sqlite at all")
    with pytest.raises(DataFileError, match="not an event store"):
        add_events([event(1)], other)
    assert other.read_text() == "not sqlite at all"
    foreign = tmp_path / "foreign.gpkg"
    pyogrio.write_dataframe(read_events_frame_for_test(), foreign, layer="roads")
    before = foreign.read_bytes()
    with pytest.raises(DataFileError, match="not a northpic event store"):
        add_events([event(1)], foreign)
    with pytest.raises(DataFileError, match="not a northpic event store"):
        read_events(foreign)
    assert foreign.read_bytes() == before  # not even switched to WAL mode
    with pytest.raises(DataFileError, match="no event store here"):
        read_events(tmp_path / "missing.gpkg")


def read_events_frame_for_test():  # a tiny foreign GeoPackage layer
    import geopandas as gpd

    return gpd.GeoDataFrame({"road": ["E6"]}, geometry=[shapely.Point(20, 70)], crs=4326)


def test_default_store_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NORTHPIC_EVENTS", str(tmp_path / "mine.gpkg"))
    assert default_store_path() == tmp_path / "mine.gpkg"
    add_events([event(1)])
    assert len(read_events()) == 1
    monkeypatch.delenv("NORTHPIC_EVENTS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "northpic" / "events.gpkg"


def test_events_layers_and_specs(make_store: MakeStore) -> None:
    store = make_store()
    add_events([FULL, event(2, domain="military", mmsi=None), event(3, domain="military")], store)
    layers = events_layers(read_events(store))
    assert sorted(layers) == ["events_military", "shadow_fleet"]
    military = layers["events_military"]
    assert list(military["id"]) == ["ev-test-2", "ev-test-3"]
    assert "mmsi" not in military.columns  # other layers' attributes stay with them
    assert layers["shadow_fleet"]["mmsi"].iloc[0] == FULL["mmsi"]
    spec = event_layer_spec("events_military")
    assert (spec.domain, spec.nature, spec.geometry, spec.style["symbol"]) == \
        ("military", "events", "any", "triangle")
    assert spec.title == "Reported events (military)"
    with pytest.raises(KeyError, match="unknown layer 'events_naval'"):
        event_layer_spec("events_naval")


def test_shadow_fleet_events_join_the_catalogue_layer(make_store: MakeStore) -> None:
    from northpic.picture import load_picture

    store = make_store()
    add_events([FULL], store)
    frames = load_picture(layers=["shadow_fleet"], events_store=store)
    joined = frames["shadow_fleet"]
    assert "full-1" in set(joined["id"])
    assert joined.set_index("id").loc["full-1", "mmsi"] == FULL["mmsi"]


def test_a_broken_catalogue_is_refused_not_read_raw(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # events take layer names and domains from the validated catalogue only: a catalogue
    # whose data file is missing stops the batch instead of being read a second, lax way
    import northpic.catalogue as catalogue
    from northpic.errors import CatalogueError

    folder = tmp_path / "layers"
    folder.mkdir()
    (folder / "catalogue.json").write_text(json.dumps({"layers": [{
        "name": "shadow_fleet", "title": "Shadow fleet", "domain": "economic",
        "file": "shadow_fleet.geojson", "geometry": "any", "nature": "reported",
        "style": {}, "description": "d"}]}), encoding="utf-8")
    monkeypatch.setattr(catalogue, "layers_dir", lambda: folder)
    catalogue.read_catalogue.cache_clear()
    store = tmp_path / "s.gpkg"
    try:
        with pytest.raises(CatalogueError, match=r"shadow_fleet\.geojson does not exist"):
            add_events([event(1, layer="shadow_fleet")], store)
    finally:
        catalogue.read_catalogue.cache_clear()
    assert not store.exists()


def test_a_store_in_a_missing_folder_is_refused_but_the_default_folder_is_made(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    # `--store /mnt/shre/ev.gpkg` (a typo) made the folders and a new store nobody reads
    reports = tmp_path / "r.geojson"
    reports.write_text(json.dumps({"type": "Feature", "geometry": {
        "type": "Point", "coordinates": [20, 70]}, "properties": {
        "id": "f1", "name": "n", "kind": "k", "domain": "military",
        "time": "2026-01-01T00:00:00Z", "source": "s", "confidence": "high",
        "precision_km": 1, "releasability": "PUBLIC", "originator": "o"}}))
    typo = tmp_path / "shre" / "ev.gpkg"
    assert main(["events", "add", str(reports), "--store", str(typo)]) == 2
    assert f"its folder {typo.parent} does not exist" in capsys.readouterr().err
    assert not typo.parent.exists()
    monkeypatch.delenv("NORTHPIC_EVENTS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert main(["events", "add", str(reports)]) == 0  # first use: ~/.local/share/northpic
    assert pyogrio.read_dataframe(tmp_path / "xdg" / "northpic" / "events.gpkg",
                                  layer="events")["id"].tolist() \
        == ["f1"]


def test_a_guard_sees_the_stored_markings_inside_the_write_and_may_refuse_it(
        make_store: MakeStore) -> None:
    from northpic.events import validate_events
    from northpic.events.intake import events_from_records
    from northpic.store import read_history, write_events
    from northpic.store import remove_event as remove

    store = make_store()
    add_events([feature(event(1, id="kept", releasability="NATO")),
                feature(event(2, id="open", releasability="NATO, EU"))], store,
               originator="NOR JOC")
    before = read_events(store).to_wkt().astype(str).to_json()
    seen: list[dict[str, str]] = []

    class Refused(Exception):
        pass

    def refuse(stored: Any) -> None:
        seen.append(dict(stored))
        raise Refused

    frame = validate_events(events_from_records([
        feature(event(3, id="kept", releasability="EU", originator="EU SATCEN")),
        feature(event(4, id="new", releasability="EU", originator="EU SATCEN"))]), "batch")
    with pytest.raises(Refused):
        write_events(frame, store, "batch", guard=refuse)
    with pytest.raises(Refused):
        remove("open", store, originator="EU SATCEN", guard=refuse)
    assert seen == [{"kept": "NATO"}, {"open": "NATO, EU"}]
    assert read_events(store).to_wkt().astype(str).to_json() == before
    assert [e.operation for e in read_history("kept", store).entries] == ["add"]
    assert [e.operation for e in read_history("open", store).entries] == ["add"]
    allowed: list[dict[str, str]] = []
    write_events(frame, store, "batch", guard=lambda stored: allowed.append(dict(stored)))
    assert allowed == [{"kept": "NATO"}]
    assert set(read_events(store)["id"]) == {"kept", "open", "new"}
