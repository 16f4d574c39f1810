"""Markings of AIS input, and the markings that detected events and tracks inherit from it.

A feed is marked by ``--releasability``/``--classification``/``--originator`` or by a
``releasability``/``classification`` column per report. Every event and track must be
marked at least as restrictively as the reports that made it; reports of one vessel that no
single audience may see together are refused; and an input without marking columns must
give exactly the events it gave before, marked PUBLIC.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from builders import ais as scn
from northpic.cli import main

LOWEST = "UNCLASSIFIED"  # the first level of northpic's own table


@pytest.fixture(scope="module")
def scenario() -> scn.Scenario:
    return scn.build_scenario(seed=5)  # with bad records of every class mixed in


@pytest.fixture(scope="module")
def plain(scenario: scn.Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scn.write_dma_csv(scenario.reports, tmp_path_factory.mktemp("plain") / "feed.csv")


def marks(reports: pd.DataFrame, default: str = "", **by_mmsi: str) -> list[str]:
    """A releasability value per report: ``by_mmsi`` ("m273200001": "NATO"), else ``default``."""
    values = pd.Series(default, index=reports.index, dtype=object)
    for key, value in by_mmsi.items():
        values[reports["mmsi"] == int(key.lstrip("m"))] = value
    return values.tolist()


def detect(paths: list[Path], out: Path, *options: str) -> tuple[int, dict[str, Any] | None]:
    code = main(["ais", "detect", *map(str, paths), "--out", str(out), "-q", *options])
    return code, (json.loads(out.read_text()) if out.exists() else None)


def props(collection: dict[str, Any]) -> list[dict[str, Any]]:
    return [f["properties"] for f in collection["features"]]


def by_vessel(collection: dict[str, Any]) -> dict[tuple[str, int, int | None], str]:
    """(kind, mmsi, other_mmsi) -> releasability of each feature."""
    return {(p["kind"], p["mmsi"], p.get("other_mmsi")): p["releasability"]
            for p in props(collection)}


@pytest.mark.parametrize("how", ["column", "option"])
def test_a_nato_only_feed_gives_nato_events_and_tracks(scenario, plain, tmp_path, how) -> None:
    if how == "column":
        feed = scn.write_dma_csv(scenario.reports, tmp_path / "nato.csv",
                                 extra={"releasability": ["NATO"] * len(scenario.reports)})
        options: list[str] = []
    else:
        feed, options = plain, ["--releasability", "NATO"]
    out, tracks = tmp_path / "events.geojson", tmp_path / "tracks.geojson"
    code, events = detect([feed], out, "--tracks", str(tracks), *options)
    assert code == 0 and events is not None
    assert len(events["features"]) == 7
    assert {p["releasability"] for p in props(events)} == {"NATO"}
    assert {p["classification"] for p in props(events)} == {LOWEST}
    assert {p["originator"] for p in props(events)} == {f"AIS feed {feed.name}"}
    assert events["marking"]["banner"] == "UNCLASSIFIED // RELEASABLE TO NATO"
    assert events["marking"]["releasability"] == "NATO"
    lines = json.loads(tracks.read_text())
    assert lines["features"] and {p["releasability"] for p in props(lines)} == {"NATO"}
    assert lines["marking"]["banner"] == "UNCLASSIFIED // RELEASABLE TO NATO"


def test_a_vessel_mixing_public_and_nato_reports_gives_nato_events(scenario, tmp_path) -> None:
    reports = scenario.reports
    after_gap = (reports["mmsi"] == scn.GAP_MMSI) & (reports["time"] > scn.T0
                                                     + pd.Timedelta(hours=24))
    values = pd.Series("PUBLIC", index=reports.index, dtype=object).where(~after_gap, "NATO")
    feed = scn.write_dma_csv(reports, tmp_path / "mixed.csv", extra={"releasability": values})
    out, tracks = tmp_path / "events.geojson", tmp_path / "tracks.geojson"
    code, events = detect([feed], out, "--tracks", str(tracks))
    assert code == 0 and events is not None
    marked = by_vessel(events)
    assert marked.pop(("ais_gap", scn.GAP_MMSI, None)) == "NATO"
    assert set(marked.values()) == {"PUBLIC"}  # the other vessels' reports are all PUBLIC
    assert events["marking"]["releasability"] == "NATO"  # PUBLIC and NATO: NATO may see all
    lines = props(json.loads(tracks.read_text()))
    last = max((p for p in lines if p["mmsi"] == scn.GAP_MMSI), key=lambda p: p["valid_from"])
    assert last["releasability"] == "NATO"
    assert {p["releasability"] for p in lines if p["mmsi"] != scn.GAP_MMSI} == {"PUBLIC"}


@pytest.mark.parametrize("side", [0, 1])  # the event's mmsi, or its other_mmsi
def test_an_encounter_with_a_nor_eyes_only_vessel_is_nor_eyes_only(scenario, tmp_path,
                                                                    side) -> None:
    nor, public = scn.ENCOUNTER_MMSI[side], scn.ENCOUNTER_MMSI[1 - side]
    values = marks(scenario.reports, **{f"m{nor}": "NOR EYES ONLY"})  # blank cells: PUBLIC
    feed = scn.write_dma_csv(scenario.reports, tmp_path / "nor.csv",
                             extra={"releasability": values})
    code, events = detect([feed], tmp_path / "all.geojson")
    assert code == 0 and events is not None
    marked = by_vessel(events)
    assert marked.pop(("encounter", min(nor, public), max(nor, public))) == "NOR"
    assert set(marked.values()) == {"PUBLIC"}
    assert events["marking"]["banner"] == "UNCLASSIFIED // NOR EYES ONLY"
    # for the EU, the file holds no byte of the encounter
    eu, eu_tracks = tmp_path / "eu.geojson", tmp_path / "eu_tracks.geojson"
    code, for_eu = detect([feed], eu, "--audience", "EU", "--tracks", str(eu_tracks))
    assert code == 0 and for_eu is not None
    text = eu.read_text()
    assert str(nor) not in text and "encounter" not in text
    tracks = eu_tracks.read_text()
    assert str(nor) not in tracks and str(public) in tracks  # its track is NOR too
    assert len(for_eu["features"]) == len(events["features"]) - 1
    assert for_eu["marking"]["prepared_for"] == "EU"
    assert for_eu["marking"]["banner"] == "UNCLASSIFIED // PUBLIC RELEASE"


def test_one_vessel_whose_reports_share_no_audience_is_refused(scenario, tmp_path,
                                                                capsys) -> None:
    reports = scenario.reports
    halves = [reports.iloc[0::2], reports.iloc[1::2]]
    nor = scn.write_dma_csv(halves[0], tmp_path / "nor.csv", extra={
        "releasability": marks(halves[0], **{f"m{scn.GAP_MMSI}": "NOR EYES ONLY"})})
    eu = scn.write_dma_csv(halves[1], tmp_path / "eu.csv", extra={
        "releasability": marks(halves[1], **{f"m{scn.GAP_MMSI}": "EU"})})
    out, store = tmp_path / "events.geojson", tmp_path / "events.gpkg"
    code, written = detect([nor, eu], out, "--add", "--store", str(store))
    err = capsys.readouterr().err
    assert code == 2 and written is None and not store.exists()
    assert "Traceback" not in err
    assert f"MMSI {scn.GAP_MMSI}" in err and "no audience in common" in err
    assert "NOR EYES ONLY in " in err and str(nor) in err
    assert "RELEASABLE TO EU in " in err and str(eu) in err
    assert "separately" in err


def test_an_encounter_of_vessels_that_share_no_audience_is_refused(scenario, tmp_path,
                                                                    capsys) -> None:
    a, b = scn.ENCOUNTER_MMSI
    values = marks(scenario.reports, **{f"m{a}": "NOR EYES ONLY", f"m{b}": "EU"})
    feed = scn.write_dma_csv(scenario.reports, tmp_path / "pair.csv",
                             extra={"releasability": values})
    code, written = detect([feed], tmp_path / "events.geojson")
    err = capsys.readouterr().err
    assert code == 2 and written is None
    assert f"MMSI {a} and MMSI {b}: the reports that make their events" in err
    assert f"NOR EYES ONLY in {feed} (MMSI {a})" in err
    assert f"RELEASABLE TO EU in {feed} (MMSI {b})" in err


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("releasability", "nato", "audience codes are upper case: 'NATO'"),
    ("releasability", "<b>NATO</b>", "unknown audience '<b>NATO</b>'"),
    ("releasability", "WARSAW PACT", "unknown audience 'WARSAW PACT'"),
    ("releasability", "NATO,", "empty audience between commas"),
    ("releasability", "NATO, EU EYES ONLY", "EYES ONLY names exactly one nation"),
    ("releasability", "NATO\x1b[2J", "control character"),
    ("classification", "secret", "levels are upper case: 'SECRET'"),
    ("classification", "COSMIC", "unknown classification 'COSMIC'"),
])
def test_hostile_marking_values_are_refused_naming_file_record_and_reason(
        scenario, tmp_path, capsys, column, value, reason) -> None:
    n = len(scenario.reports)
    values = [""] * n
    values[41] = value  # the 42nd report
    feed = scn.write_dma_csv(scenario.reports, tmp_path / "hostile.csv", extra={column: values})
    code, written = detect([feed], tmp_path / "events.geojson")
    err = capsys.readouterr().err
    assert code == 2 and written is None
    assert f"{feed}: record #42: {column}: " in err and reason in err
    assert "Traceback" not in err and "\x1b" not in err


@pytest.mark.parametrize(("option", "value", "reason"), [
    ("--releasability", "nato", "upper case: 'NATO'"),
    ("--releasability", "NATO, <script>", "unknown audience '<script>'"),
    ("--classification", "TOP SECRET", "unknown classification 'TOP SECRET'"),
    ("--originator", "NOR\x00JOC", "control character"),
])
def test_hostile_marking_options_are_refused(plain, tmp_path, capsys, option, value,
                                             reason) -> None:
    code, written = detect([plain], tmp_path / "events.geojson", option, value)
    err = capsys.readouterr().err
    assert code == 2 and written is None
    assert option.lstrip("-") in err and reason in err and "Traceback" not in err


def test_a_file_without_marking_columns_gives_the_events_it_gave_before(plain, tmp_path):
    from northpic.ais.cleaning import clean_reports
    from northpic.ais.pipeline import detect_events
    from northpic.export.ais_geojson import write_geojson
    from northpic.io.ais import read_ais
    from northpic.workflows.ais import DETECTOR_FIELDS, detect_files

    # the read-clean-detect chain as it was, without markings, written by the same writer
    before = detect_events(clean_reports(read_ais(plain, fields=DETECTOR_FIELDS)))
    old = json.loads(write_geojson(before, tmp_path / "before.geojson").read_text())
    run = detect_files([plain], tmp_path / "after.geojson")
    new = json.loads((tmp_path / "after.geojson").read_text())
    assert len(new["features"]) == len(old["features"]) == 7
    for was, now in zip(old["features"], new["features"], strict=True):
        got = dict(now["properties"])
        assert {k: got.pop(k) for k in ("classification", "releasability", "originator")} == {
            "classification": LOWEST, "releasability": "PUBLIC",
            "originator": "AIS feed feed.csv"}
        assert got == was["properties"] and now["geometry"] == was["geometry"]
    assert "marking" not in old and new["marking"]["banner"] == "UNCLASSIFIED // PUBLIC RELEASE"
    pd.testing.assert_frame_equal(
        run.events.drop(columns=["classification", "releasability", "originator"]), before)


def test_a_marking_column_does_not_change_what_is_detected(scenario, plain, tmp_path) -> None:
    values = marks(scenario.reports, "PUBLIC", **{f"m{scn.LOITER_MMSI}": "FVEY",
                                                 f"m{scn.ENCOUNTER_MMSI[1]}": "FVEY, NATO"})
    feed = scn.write_dma_csv(scenario.reports, tmp_path / "feed.csv",
                             extra={"releasability": values, "classification": ["RESTRICTED"]
                                    * len(values)})
    _, unmarked = detect([plain], tmp_path / "plain.geojson")
    code, marked = detect([feed], tmp_path / "marked.geojson")
    assert code == 0 and marked is not None and unmarked is not None
    strip = ("classification", "releasability")
    assert [{k: v for k, v in p.items() if k not in strip} for p in props(marked)] == [
        {k: v for k, v in p.items() if k not in strip} for p in props(unmarked)]
    got = by_vessel(marked)
    assert got.pop(("loitering", scn.LOITER_MMSI, None)) == "FVEY"
    assert got.pop(("encounter", *sorted(scn.ENCOUNTER_MMSI))) == "NATO, FVEY"  # canonical
    assert set(got.values()) == {"PUBLIC"}
    assert {p["classification"] for p in props(marked)} == {"RESTRICTED"}


def test_a_spike_removed_by_cleaning_still_marks_the_spoofing_event(scenario, tmp_path) -> None:
    reports = scenario.reports
    spoof = reports[reports["mmsi"] == scn.SPOOF_MMSI]
    spike = spoof["lat"].idxmax()  # the report moved 300 km north of the track
    values = pd.Series("", index=reports.index, dtype=object)
    values[spike] = "NATO"
    feed = scn.write_dma_csv(reports, tmp_path / "spike.csv", extra={"releasability": values})
    code, events = detect([feed], tmp_path / "events.geojson")
    assert code == 0 and events is not None
    assert by_vessel(events)[("spoofing", scn.SPOOF_MMSI, None)] == "NATO"


def test_events_of_several_feeds_name_every_originator(scenario, tmp_path) -> None:
    reports = scenario.reports
    a = scn.write_dma_csv(reports.iloc[0::2], tmp_path / "a.csv")
    b = scn.write_dma_csv(reports.iloc[1::2], tmp_path / "b.csv")
    code, events = detect([a, b], tmp_path / "events.geojson")
    assert code == 0 and events is not None and events["features"]
    assert {p["originator"] for p in props(events)} == {"AIS feed a.csv; AIS feed b.csv"}
    code, events = detect([a, b], tmp_path / "joc.geojson", "--originator", "NOR JOC")
    assert code == 0 and events is not None
    assert {p["originator"] for p in props(events)} == {"NOR JOC"}


def test_stored_events_and_tracks_carry_their_markings(plain, tmp_path) -> None:
    from northpic.events import read_events

    store = tmp_path / "events.gpkg"
    assert main(["ais", "detect", str(plain), "--add", "--add-tracks", "--store", str(store),
                 "-q", "--releasability", "REL TO NATO, EU", "--originator", "NOR JOC",
                 "--classification", "RESTRICTED"]) == 0
    stored = read_events(store)
    assert (stored["kind"] == "track").sum() > 10 and (stored["kind"] != "track").sum() == 7
    assert set(stored["releasability"]) == {"NATO, EU"}  # written the canonical way
    assert set(stored["originator"]) == {"NOR JOC"}
    assert set(stored["classification"]) == {"RESTRICTED"}


def test_parquet_and_zipped_inputs_are_marked_by_their_column(scenario, tmp_path) -> None:
    reports = scenario.reports
    values = marks(reports, **{f"m{scn.GAP_MMSI}": "NATO"})
    parquet = tmp_path / "feed.parquet"
    reports.assign(releasability=values).to_parquet(parquet)
    csv = scn.write_dma_csv(reports, tmp_path / "day.csv", extra={"releasability": values})
    archive = tmp_path / "week.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(csv, "day.csv")
    for feed in (parquet, archive):
        code, events = detect([feed], tmp_path / f"{feed.stem}.geojson")
        assert code == 0 and events is not None
        got = by_vessel(events)
        assert got.pop(("ais_gap", scn.GAP_MMSI, None)) == "NATO"
        assert set(got.values()) == {"PUBLIC"}
        assert {p["originator"] for p in props(events)} == {f"AIS feed {feed.name}"}


def test_real_feed_marked_per_report_end_to_end(shared_data: Path, tmp_path: Path) -> None:
    real = shared_data / "ais" / "digitraffic_baltic_latest_positions_2025-12-11_12.csv"
    code, plain = detect([real], tmp_path / "plain.geojson", "--kinds", "identity_change")
    assert code == 0 and plain is not None and plain["features"]
    first = props(plain)[0]
    vessels = {first["mmsi"], first.get("other_mmsi")} - {None}
    # the same real reports, the vessels of the first event marked RESTRICTED, NOR EYES ONLY
    raw = pd.read_csv(real, dtype=str, keep_default_na=False)
    column = next(c for c in raw.columns if c.lower() == "mmsi")
    mine = raw[column].astype(int).isin(vessels)
    raw["releasability"] = ["NOR EYES ONLY" if m else "" for m in mine]
    raw["classification"] = ["RESTRICTED" if m else "" for m in mine]
    marked_file = tmp_path / real.name
    raw.to_csv(marked_file, index=False)
    code, marked = detect([marked_file], tmp_path / "marked.geojson", "--kinds",
                          "identity_change", "--audience", "NOR")
    assert code == 0 and marked is not None
    assert [p["id"] for p in props(marked)] == [p["id"] for p in props(plain)]
    for p in props(marked):
        involved = {p["mmsi"], p.get("other_mmsi")} & vessels
        assert (p["releasability"], p["classification"]) == (
            ("NOR", "RESTRICTED") if involved else ("PUBLIC", LOWEST))
    assert marked["marking"]["banner"] == "RESTRICTED // NOR EYES ONLY"


def test_a_file_no_single_audience_may_see_is_refused_but_the_store_takes_each_event(
        scenario, tmp_path, capsys) -> None:
    from northpic.events import read_events

    values = marks(scenario.reports, **{f"m{scn.GAP_MMSI}": "NOR EYES ONLY",
                                        f"m{scn.LOITER_MMSI}": "EU"})
    feed = scn.write_dma_csv(scenario.reports, tmp_path / "two.csv",
                             extra={"releasability": values})
    out = tmp_path / "events.geojson"
    code, written = detect([feed], out)
    err = capsys.readouterr().err
    assert code == 2 and written is None
    assert f"{out}: the events have no audience in common" in err and "--audience" in err
    store = tmp_path / "events.gpkg"
    assert main(["ais", "detect", str(feed), "--add", "--store", str(store), "-q"]) == 0
    stored = read_events(store).set_index("mmsi")["releasability"]
    assert stored[scn.GAP_MMSI] == "NOR" and stored[scn.LOITER_MMSI] == "EU"
    code, for_eu = detect([feed], tmp_path / "eu.geojson", "--audience", "EU")
    assert code == 0 and for_eu is not None
    assert {p["releasability"] for p in props(for_eu)} == {"EU", "PUBLIC"}
    assert str(scn.GAP_MMSI) not in (tmp_path / "eu.geojson").read_text()
