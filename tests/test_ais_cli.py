"""``northpic ais detect`` end to end: the scenario in the DMA layout, real samples, store, map."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from builders import ais as scn
from northpic.cli import main

SAMPLES = sorted(["barentswatch_format_sample.csv", "kystverket_format_sample_2022-09-01.csv",
                  "digitraffic_baltic_latest_positions_2025-12-11_12.csv",
                  "nmea_aivdm_sample_aegean.txt"])


@pytest.fixture(scope="module")
def dma_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[scn.Scenario, Path]:
    scenario = scn.build_scenario(seed=5)  # with bad records of every class mixed in
    folder = tmp_path_factory.mktemp("ais_cli")
    return scenario, scn.write_dma_csv(scenario.reports, folder / "aisdk-2026-01-10.csv.gz")


def test_detect_finds_each_injected_behaviour_and_nothing_else(dma_file, tmp_path, capsys):
    scenario, path = dma_file
    out, tracks = tmp_path / "events.geojson", tmp_path / "tracks.geojson"
    assert main(["ais", "detect", str(path), "--out", str(out), "--tracks", str(tracks)]) == 0
    captured = capsys.readouterr()
    assert "7 event(s): ais_gap 1, encounter 1, loitering 1, diversion 1" in captured.out
    assert "removed: invalid_mmsi 5, missing_time 4, bad_position 6, on_land 3, duplicate 7, " \
           "repeated 4, " \
           "impossible_jump 1; reordered 8" in captured.err
    assert "reports/s" in captured.err  # progress with rates
    events = pyogrio.read_dataframe(out)
    got: dict[str, set] = {}
    for row in events.itertuples():
        other = None if pd.isna(row.other_mmsi) else int(row.other_mmsi)
        got.setdefault(row.kind, set()).add((int(row.mmsi), other))
    assert got == scenario.expected
    assert not set(events["mmsi"]) & set(scn.ORDINARY_MMSI)
    assert events["source"].str.startswith("aisdk-2026-01-10.csv.gz; northpic AIS detector").all()
    lines = pyogrio.read_dataframe(tracks)
    assert set(lines["kind"]) == {"track"} and (lines.geom_type == "LineString").all()


@pytest.mark.parametrize("name", SAMPLES)
def test_every_shared_sample_runs_end_to_end(shared_data: Path, tmp_path: Path, name: str,
                                             capsys) -> None:
    from truths import csv_counts, pyais_position_reports

    out, tracks = tmp_path / "events.geojson", tmp_path / "tracks.geojson"
    code = main(["ais", "detect", str(shared_data / "ais" / name), "--out", str(out),
                 "--tracks", str(tracks)])
    if name.startswith("nmea"):  # the log carries no times: refused, not "0 events"
        err = capsys.readouterr().err
        reports = pyais_position_reports(shared_data / "ais" / name)  # every one lacks a time
        assert code == 2 and f"removed: missing_time {reports}" in err
        assert "no report has a time" in err
        assert not out.exists()
        return
    assert code == 0, capsys.readouterr().err
    assert out.exists() and tracks.exists()
    err = capsys.readouterr().err
    assert "cleaned in" in err
    if name.startswith("kystverket"):
        lines = pyogrio.read_dataframe(tracks)  # one of the 5 vessels reports more than once
        rows = csv_counts(shared_data / "ais" / name, "mmsi", delimiter=";")
        assert dict(zip(lines["mmsi"], lines["reports"], strict=True)) == {
            int(mmsi): n for mmsi, n in rows.items() if n > 1}


def test_add_puts_events_and_tracks_in_the_store_and_on_the_map(dma_file, tmp_path, open_map):
    from northpic.events import events_layers, read_events

    _, path = dma_file
    store = tmp_path / "events.gpkg"
    assert main(["ais", "detect", str(path), "--add", "--add-tracks", "--store", str(store)]) == 0
    layer = events_layers(read_events(store))["shadow_fleet"]
    assert (layer["kind"] == "track").sum() > 10
    assert (layer["kind"] != "track").sum() == 7
    # ids are stable: running again replaces, it does not duplicate
    assert main(["ais", "detect", str(path), "--add", "--store", str(store), "-q"]) == 0
    assert (events_layers(read_events(store))["shadow_fleet"]["kind"] != "track").sum() == 7
    html = tmp_path / "map.html"
    assert main(["build", "--out", str(html), "--layers", "bases", "--events", str(store),
                 "--at", "2026-01-12"]) == 0
    page = open_map(html)
    assert page.errors == []
    shown = page.page.evaluate(
        "(() => { const d = northpic.layers.shadow_fleet.data;"
        " return [d.points ? d.points.lon.length : 0,"
        " d.shapes ? d.shapes.features.map(f => f.properties.kind) : []]; })()")
    assert shown[0] >= 5 and shown[1] and "track" not in shown[1]  # event points; gap line
    # the track lines are drawn by the track layer (simplified per zoom), not as GeoJSON
    assert page.page.evaluate("northpic.tracks.info.lines") > 10


def test_output_rules(dma_file, tmp_path, capsys) -> None:
    _, path = dma_file
    out = tmp_path / "events.geojson"
    out.write_text("keep me")
    assert main(["ais", "detect", str(path), "--out", str(out)]) == 2
    assert "exists; pass --overwrite" in capsys.readouterr().err
    assert out.read_text() == "keep me"
    assert main(["ais", "detect", str(path), "--out", str(tmp_path / "events.shp")]) == 2
    assert "written as GeoJSON" in capsys.readouterr().err
    missing = tmp_path / "none.csv"
    assert main(["ais", "detect", str(missing), "--out", str(tmp_path / "n.geojson")]) == 2
    assert "none.csv: no such file" in capsys.readouterr().err
    assert main(["ais", "detect", str(path)]) == 2
    assert "nothing to do" in capsys.readouterr().err
    fresh = tmp_path / "fresh.geojson"
    assert main(["ais", "detect", str(path), "--out", str(fresh), "--kinds", "teleport"]) == 2
    assert "unknown event kind(s) teleport" in capsys.readouterr().err
    assert out.read_text() == "keep me" and not fresh.exists()


def test_a_missing_output_folder_is_refused_before_any_work_unless_mkdir(
        shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the refusal told users to pass --mkdir, which `ais detect` did not have
    out = tmp_path / "new" / "events.geojson"
    missing_input = tmp_path / "none.csv"
    assert main(["ais", "detect", str(missing_input), "--out", str(out)]) == 2
    assert f"folder {out.parent} does not exist" in capsys.readouterr().err  # before reading
    real = shared_data / "ais" / "digitraffic_baltic_latest_positions_2025-12-11_12.csv"
    tracks = tmp_path / "other" / "deeper" / "tracks.geojson"
    assert main(["ais", "detect", str(real), "--out", str(out), "--tracks", str(tracks),
                 "--mkdir", "-q", "--kinds", "identity_change"]) == 0
    assert len(pyogrio.read_dataframe(out)) >= 1 and len(pyogrio.read_dataframe(tracks)) > 100


def test_control_characters_in_vessel_text_never_stop_add(tmp_path: Path) -> None:
    # a name with ESC or NUL (a decoder's or a file's artefact: AIS text is 6-bit ASCII)
    # made the store refuse the whole batch, so `--add` stored nothing and exited 2
    rows = ["mmsi,time,lat,lon,sog,cog,name,destination,imo"]
    for k in range(60):
        name = "EVIL\x1b[31mSHIP\x00" if k < 30 else "GOOD SHIP"
        rows.append(f"257000001,2025-12-11T{k // 6:02d}:{k % 6 * 10:02d}:00Z,{56 + 0.01 * k:.2f},"
                    f"3.0,10.0,0.0,{name},ROTTERDAM\x07,1234567")
    feed = tmp_path / "ctl.csv"
    feed.write_text("\n".join(rows) + "\n")
    store, out = tmp_path / "s.gpkg", tmp_path / "ev.geojson"
    assert main(["ais", "detect", str(feed), "--add", "--add-tracks", "--store", str(store),
                 "--out", str(out), "-q", "--kinds", "identity_change"]) == 0
    stored = pyogrio.read_dataframe(store, layer="events").set_index("kind")
    assert sorted(stored.index) == ["identity_change", "track"]
    assert stored.loc["identity_change", "value_before"].startswith("EVIL\ufffd[31MSHIP")
    assert stored.loc["track", "vessel_name"].upper().startswith("EVIL\ufffd[31MSHIP")
    written = pyogrio.read_dataframe(out)
    assert not written["name"].str.contains("[\x00-\x1f]").any()


def test_a_moored_ship_whose_course_jitters_is_not_repeated(tmp_path: Path) -> None:
    # issue 11: "repeated" means the same position, speed and course; `ais detect` read no
    # course, so a moored ship at 0 kn lost every report after its first as "repeated"
    from northpic.workflows.ais import detect_files

    courses = [211.3, 198.0, 230.5, 187.2, 205.9, 222.4] * 4  # swinging at her mooring
    rows = ["mmsi,time,lat,lon,sog,cog"]
    for k, cog in enumerate(courses):
        rows.append(f"257027430,2025-12-11T{k // 6:02d}:{k % 6 * 10:02d}:00Z,68.0,4.0,0.0,{cog}")
    rows.append("257027430,2025-12-11T04:00:00Z,68.0,4.0,0.0,222.4")  # the last, served again
    feed = tmp_path / "moored.csv"
    feed.write_text("\n".join(rows) + "\n")
    run = detect_files([feed], kinds=["loitering"])
    # 25 reports: only the last is the one before it again (same course too)
    assert (run.counts["input"], run.counts["repeated"], run.counts["kept"]) == (25, 1, 24)


def test_a_store_that_would_refuse_is_refused_before_any_work(
        shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `--out a.geojson --add --store damaged.gpkg` wrote a.geojson, then exited 2 on the store
    import random

    from builders.events import batch
    from northpic.events import add_events

    real = shared_data / "ais" / "digitraffic_baltic_latest_positions_2025-12-11_12.csv"
    out, tracks = tmp_path / "a.geojson", tmp_path / "t.geojson"
    damaged = tmp_path / "damaged.gpkg"
    add_events(batch(2000, prefix="d", notes_bytes=200), damaged)
    with damaged.open("r+b") as handle:  # 4 KB of random bytes in the middle
        handle.seek(damaged.stat().st_size // 2 // 4096 * 4096 + 100)
        handle.write(random.Random(5).randbytes(4096))
    before = damaged.read_bytes()
    text = tmp_path / "notes.gpkg"
    text.write_text("not a store\n")
    for store, message in ((damaged, f"{damaged}: the store is damaged"),
                           (text, f"{text}: not an event store"),
                           (tmp_path / "typo" / "s.gpkg", "its folder")):
        for option in ("--add", "--add-tracks"):
            code = main(["ais", "detect", str(real), "--out", str(out), "--tracks", str(tracks),
                         option, "--store", str(store)])
            err = capsys.readouterr().err
            assert code == 2 and message in err, err
            assert "read " not in err and "Traceback" not in err  # before reading the input
            assert not out.exists() and not tracks.exists()
    assert damaged.read_bytes() == before and not (tmp_path / "typo").exists()
    # --tracks is checked before the work as --out is, and the two may not be one file
    tracks.write_text("keep me")
    assert main(["ais", "detect", str(real), "--out", str(out), "--tracks", str(tracks)]) == 2
    assert f"{tracks} exists; pass --overwrite" in capsys.readouterr().err
    assert main(["ais", "detect", str(real), "--out", str(tracks), "--tracks",
                 str(tmp_path / "." / "t.geojson"), "--overwrite"]) == 2
    assert "--out and --tracks name the same file" in capsys.readouterr().err
    assert tracks.read_text() == "keep me" and not out.exists()


def test_a_store_refusal_names_the_input_files(
        shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the refusal of the batch said "<GeoDataFrame>: attribute 'mmsi' ..."
    from northpic.events import add_events

    real = shared_data / "ais" / "digitraffic_baltic_latest_positions_2025-12-11_12.csv"
    store = tmp_path / "s.gpkg"
    add_events([{"name": "n", "kind": "k", "domain": "military", "time": "2026-01-01T00:00Z",
                 "source": "s", "confidence": "high", "precision_km": 1, "lat": 70, "lon": 20,
                 "mmsi": "not a number"}], store, releasability="PUBLIC", originator="test")
    assert main(["ais", "detect", str(real), "--add", "--store", str(store), "-q"]) == 2
    err = capsys.readouterr().err
    assert f"events detected from {real}: attribute 'mmsi' holds integer values" in err, err
    assert "<GeoDataFrame>" not in err


def test_lookups_loaded_while_reading_give_the_same_events(dma_file, tmp_path, monkeypatch):
    import northpic.workflows.ais as workflow

    scenario, _ = dma_file
    plain = scn.write_dma_csv(scenario.reports, tmp_path / "aisdk.csv")
    usual = workflow.detect_files([plain])
    from northpic.ais import ports, shore
    from northpic.io import landmask

    caches = [landmask.read_globe_mask, ports._port_tree, shore._shore_tree]
    for cache in caches:
        cache.cache_clear()
    monkeypatch.setattr(workflow, "_LARGE_INPUT", 0)  # as for a file of millions of reports
    early = workflow.detect_files([plain])
    assert all(cache.cache_info().misses == 1 for cache in caches)  # each loaded once
    pd.testing.assert_frame_equal(early.events, usual.events)
