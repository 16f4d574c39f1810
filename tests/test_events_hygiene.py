"""Hostile text and values at the event intake: refused with exit 2, or kept exactly.

Each test reproduces a defect of issue 12 (control characters, oversized
integers, deep nesting, binary input, domain/layer clashes, 3-D points, the
Python API's source types) and checks the documented answer.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tracemalloc
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from builders.events import WRITERS, batch, event, feature, write_geojson
from northpic.cli import main
from northpic.errors import BadInputError, DataFileError, InputTypeError, SchemaError
from northpic.events import add_events, read_events
from northpic.events.listing import format_events_table


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store holding 3 events, and its bytes, so 'unchanged' can be checked."""
    path = tmp_path / "events.gpkg"
    add_events(batch(3, prefix="seed"), path)
    return path


def _refused(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and "unexpected error" not in err
    return err


CONTROL = ["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9b", "\r",
           "\n", "\t"]


@pytest.mark.parametrize("fmt", ["geojson", "jsonl"])
@pytest.mark.parametrize("field", ["id", "name", "source", "kind", "domain", "layer",
                                   "confidence", "ship"])
@pytest.mark.parametrize("char", CONTROL, ids=[f"U+{ord(c):04X}" for c in CONTROL])
def test_control_characters_are_refused_naming_file_record_and_field(
    fmt: str, field: str, char: str, store: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = store.read_bytes()
    bad = event(2, **{field: f"a{char}b" if field not in ("domain", "confidence") else
                      f"medium{char}"})
    path = WRITERS[fmt](tmp_path / f"in.{fmt}", [event(1), bad])
    err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
    assert f"{path}: record " in err
    assert f"field '{field}' holds a control character (U+{ord(char):04X}" in err, err
    assert char not in err.replace("\n", "") or char == "\n"  # the message shows it escaped
    assert store.read_bytes() == before


def test_a_raw_nul_in_a_csv_field_names_the_record(store: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = WRITERS["csv"](tmp_path / "in.csv", [event(1), event(2, name="Tanker\x00Eventin")])
    err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
    assert "record 'ev-test-2': field 'name' holds a control character (U+0000 NUL)" in err


def test_control_characters_inside_json_attributes_and_lone_surrogates(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"field 'evidence' has a text that holds a control "
                                          r"character \(U\+001B ESC\)"):
        add_events([event(1, evidence={"ports": ["RU \x1bULU"]})], tmp_path / "s.gpkg")
    text = json.dumps({"type": "FeatureCollection", "features": [feature(event(1))]})
    text = text.replace("Test event 1", "Test \\ud800 event")  # JSON can spell a lone surrogate
    with pytest.raises(SchemaError, match=r"field 'name' holds a lone surrogate \(U\+D800"):
        add_events(text, tmp_path / "s.gpkg")
    assert not (tmp_path / "s.gpkg").exists()


def test_notes_may_hold_tabs_and_line_breaks_but_no_other_control(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    notes = "line one\n\tindented\r\nline three"
    add_events([event(1, notes=notes)], store)
    assert read_events(store)["notes"].iloc[0] == notes
    with pytest.raises(SchemaError, match=r"field 'notes' holds a control character "
                                          r"\(U\+000D CR\) at character 5"):
        add_events([event(2, notes="over\rwrite")], store)
    with pytest.raises(SchemaError, match=r"field 'notes' holds a control character "
                                          r"\(U\+0000 NUL\)"):
        add_events([event(2, notes="a\x00b")], store)


UNICODE = {
    "name": "ناقلة نفط تغير مسارها قرب كيركينيس",  # Arabic, right to left
    "source": "דיווח משמר החופים",  # Hebrew
    "kind": "e\u0301ve\u0301nement",  # combining acute accents
    "notes": "🚢🛳️ 👩🏽‍✈️ flag 🇳🇴 and ZWJ sequences",
    "id": "ид-事件-🧊",
}


def test_unicode_round_trips_through_the_store_and_list_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    store = tmp_path / "s.gpkg"
    path = write_geojson(tmp_path / "u.geojson", [event(1, **UNICODE, label="ℵ₀ 𝔘")])
    assert main(["events", "add", str(path), "--store", str(store)]) == 0
    row = read_events(store).iloc[0]
    for field, value in UNICODE.items():
        assert row[field] == value, field  # not normalised, not escaped
    assert row["label"] == "ℵ₀ 𝔘"
    capsys.readouterr()
    assert main(["events", "list", "--store", str(store), "--json"]) == 0
    out = capsys.readouterr().out
    props = json.loads(out)["features"][0]["properties"]
    assert {k: props[k] for k in UNICODE} == UNICODE
    assert UNICODE["name"] in out  # readable, not \u-escaped
    copy = tmp_path / "copy.gpkg"
    monkeypatch.setattr("sys.stdin", io.StringIO(out))
    assert main(["events", "add", "-", "--store", str(copy)]) == 0
    assert read_events(copy).iloc[0]["name"] == UNICODE["name"]
    assert main(["events", "list", "--store", str(store)]) == 0
    assert UNICODE["id"] in capsys.readouterr().out


def test_list_escapes_controls_from_an_old_store(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "s.gpkg"
    add_events([event(1), event(2)], store)
    with sqlite3.connect(store) as conn:  # as an older northpic (or another tool) wrote it
        conn.execute("UPDATE events SET name = ?, id = ? WHERE id = 'ev-test-2'",
                     ("Tanker\x1b[2J\x1b]0;owned\x07 \u202eevil\x00\x9b31m", "old\x00id"))
    assert main(["events", "list", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert not any(ord(c) < 0x20 and c != "\n" or 0x7F <= ord(c) <= 0x9F or c == "\u202e"
                   for c in out), repr(out)
    assert "Tanker\\x1b[2J\\x1b]0;owned\\x07 \\u202eevil\\x00\\x9b31m" in out
    assert "old\\x00id" in out
    assert main(["events", "remove", "old\\x00id", "--store", str(store)]) == 0  # as shown
    assert list(read_events(store)["id"]) == ["ev-test-1"]
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE events SET name = ? WHERE id = 'ev-test-1'",
                     ("Tanker\x1b[2J\x1b]0;owned\x07 \u202eevil\x00\x9b31m",))
    assert main(["events", "list", "--store", str(store), "--json"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out
    names = [f["properties"]["name"] for f in json.loads(out)["features"]]
    assert "Tanker\x1b[2J\x1b]0;owned\x07 \u202eevil\x00\x9b31m" in names  # JSON keeps it exact


def test_the_table_aligns_wide_characters() -> None:
    frame = gpd.GeoDataFrame(
        {"id": ["a", "b"], "time": pd.to_datetime(["2026-01-01", "2026-01-02"], utc=True),
         "kind": ["事件事件", "x"], "domain": ["social"] * 2, "confidence": ["low"] * 2,
         "name": ["n", "m"]}, geometry=[shapely.Point(0, 70)] * 2, crs=4326)
    lines = format_events_table(frame).splitlines()
    assert lines[1].index("social") - lines[1].index("事") == lines[2].index("social") - \
        lines[2].index("x") - 4  # four wide characters take eight columns


@pytest.mark.parametrize("value", [10**30, -(2**63) - 1, 2**63])
def test_an_integer_over_int64_is_refused(tmp_path: Path, store: Path, value: int,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = store.read_bytes()
    path = write_geojson(tmp_path / "big.geojson", [event(1, mmsi=value)])
    err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
    assert "record 'ev-test-1': attribute 'mmsi' value" in err
    assert "outside the 64-bit integer range" in err
    assert store.read_bytes() == before
    add_events([event(1, mmsi=2**63 - 1), event(2, mmsi=-(2**63))], store)  # the edges fit
    assert list(read_events(store)["mmsi"].dropna()) == [2**63 - 1, -(2**63)]


def test_huge_numbers_elsewhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "s.gpkg"
    cases = [({"lat": 10**400}, "lat is a number too large"),
             ({"precision_km": 10**400}, "precision_km is a number too large"),
             ({"id": 10**400}, "id is an integer too long"),
             ({"speed": float("inf")}, "attribute 'speed' value inf is not a finite number")]
    for override, message in cases:
        with pytest.raises(SchemaError, match=message):
            add_events([event(1, **override)], store)
    path = tmp_path / "digits.geojson"
    path.write_text('{"type": "Feature", "properties": {"mmsi": ' + "9" * 5000 + "}}")
    err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
    assert f"{path}: not readable JSON" in err


@pytest.mark.parametrize("depth", [50, 2000, 200_000])
def test_deeply_nested_json_is_refused(tmp_path: Path, store: Path, depth: int,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    nested = "[" * depth + "]" * depth
    path = tmp_path / "deep.geojson"
    path.write_text('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [20, 70]},'
                    ' "properties": ' + json.dumps(event(1))[:-1] + ', "evidence": ' + nested
                    + "}}")
    before = store.read_bytes()
    err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
    assert ("JSON nested too deeply to read" in err or
            "field 'evidence' is nested more than 32 levels deep" in err), err
    assert str(path) in err and store.read_bytes() == before
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps(event(1)) + "\n" + "[" * depth + "]" * depth + "\n")
    err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
    assert ("line 2 is JSON nested too deeply" in err if depth > 900 else
            "record #2: record is not a JSON object but list" in err), err


def test_binary_junk_on_stdin_is_refused(store: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    import random

    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(20_000))
    before = store.read_bytes()

    class Stdin(io.TextIOWrapper):
        pass

    monkeypatch.setattr("sys.stdin", Stdin(io.BytesIO(junk), encoding="utf-8",
                                           errors="surrogateescape"))
    err = _refused(["events", "add", "-", "--store", str(store)], capsys)
    assert "<stdin>: not UTF-8 text: byte 0x" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(junk.decode("utf-8", "surrogateescape")))
    err = _refused(["events", "add", "-", "--store", str(store)], capsys)
    assert "<stdin>: not UTF-8 text" in err
    monkeypatch.setattr("sys.stdin", Stdin(io.BytesIO(bytes(5000)), encoding="utf-8"))
    err = _refused(["events", "add", "-", "--store", str(store)], capsys)
    assert "<stdin>: binary data, not text" in err
    assert store.read_bytes() == before


def test_utf16_file_is_named_as_such(tmp_path: Path, store: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("id,lat,lon\na,70,20\n".encode("utf-16"))
    err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
    assert f"{path}: binary data, not text" in err and "UTF-16" in err


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".jsonl"])
def test_two_gigabytes_of_nul_are_binary_and_not_read_whole(
    tmp_path: Path, store: Path, suffix: str, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / f"zeros{suffix}"
    with path.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: 2 GB of NUL bytes, no disk used
    tracemalloc.start()
    try:
        err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"{path}: binary data, not text: 65536 of its first 65536 bytes are NUL" in err
    assert "empty" not in err
    assert peak < 16 * 1024**2, peak  # read 64 KiB, not 2 GiB


def test_domain_must_match_a_catalogue_layer(tmp_path: Path, store: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    before = store.read_bytes()
    path = write_geojson(tmp_path / "b.geojson", [event(1, layer="bases", domain="social")])
    err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
    assert (f"{path}: record 'ev-test-1': layer 'bases' holds military records but the "
            "record's domain is 'social'") in err
    assert store.read_bytes() == before
    add_events([event(1, layer="bases", domain="military"), event(2, layer="bases",
                                                                   domain=None)], store)
    assert set(read_events(store).set_index("id").loc[["ev-test-1", "ev-test-2"], "domain"]) \
        == {"military"}


def test_a_3d_coordinate_is_dropped_and_said(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "s.gpkg"
    line = {"type": "LineString", "coordinates": [[20, 70, 5.0], [21, 71, 7.5]]}
    point = {"type": "Point", "coordinates": [20, 70, 120.0]}
    path = write_geojson(tmp_path / "z.geojson", [event(1, geometry=point),
                                                   event(2, geometry=line), event(3)])
    assert main(["events", "add", str(path), "--store", str(store)]) == 0
    err = capsys.readouterr().err
    assert ("note: dropped the Z (height) coordinate of 2 event(s), kept in 2-D: "
            "'ev-test-1', 'ev-test-2'") in err
    frame = read_events(store).set_index("id")
    assert not frame.geometry.has_z.any()
    assert frame.loc["ev-test-1"].geometry.equals(shapely.Point(20, 70))
    with sqlite3.connect(store) as conn:  # the GeoPackage says 2-D too: GDAL reads Point
        blob = conn.execute("SELECT geom FROM events WHERE id = 'ev-test-1'").fetchone()[0]
    assert shapely.from_wkb(blob[8:]).wkt == "POINT (20 70)"
    report = add_events([event(4, geometry=point)], store)
    assert report.flattened == ("ev-test-4",)
    assert add_events([event(5)], store).flattened == ()


def test_the_api_takes_a_dataframe_as_rows(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    records = batch(3)
    records[0]["mmsi"] = 257123456
    import northpic

    report = northpic.add_events(pd.DataFrame(records), store)
    assert report.ids == tuple(r["id"] for r in records)
    frame = read_events(store).set_index("id")
    assert frame.loc["b-0", "mmsi"] == 257123456
    assert frame.loc["b-2"].geometry.equals(shapely.Point(records[2]["lon"], records[2]["lat"]))
    wkt = pd.DataFrame([{**{k: v for k, v in event(9).items() if k not in ("lat", "lon")},
                         "geometry": "POINT (30 75)"}])
    add_events(wkt, store)
    assert read_events(store).set_index("id").loc["ev-test-9"].geometry.equals(
        shapely.Point(30, 75))
    geo = gpd.GeoDataFrame(pd.DataFrame(batch(2, prefix="g")).drop(columns=["lat", "lon"]),
                           geometry=[shapely.Point(10, 80), shapely.Point(11, 81)], crs=4326)
    assert add_events(geo, store).added == 2
    single = feature(event(20))
    assert add_events(single, store).ids == ("ev-test-20",)  # one GeoJSON object


@pytest.mark.parametrize("source", [None, 42, 3.5, object(), True])
def test_the_api_refuses_other_types(tmp_path: Path, source: object) -> None:
    with pytest.raises(InputTypeError, match="cannot read events from"):
        add_events(source, tmp_path / "s.gpkg")  # type: ignore[arg-type]
    with pytest.raises(BadInputError):
        add_events(source, tmp_path / "s.gpkg")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_events(source, tmp_path / "s.gpkg")  # type: ignore[arg-type]
    import northpic

    with pytest.raises(InputTypeError):
        northpic.add_events(source, tmp_path / "s.gpkg")
    assert not (tmp_path / "s.gpkg").exists()


def test_the_api_refuses_a_string_that_is_no_path_or_data(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="unsupported file type"):
        add_events("just some words", tmp_path / "s.gpkg")
    with pytest.raises(DataFileError, match="no such file"):
        add_events("missing.csv", tmp_path / "s.gpkg")
    with pytest.raises(DataFileError, match="<bytes>: not UTF-8 text"):
        add_events(b"id,lat\n\xff\xfejunk", tmp_path / "s.gpkg")


def test_nul_in_a_file_or_store_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="a file name cannot hold a NUL"):
        add_events(str(tmp_path / "a\x00b.csv"), tmp_path / "s.gpkg")
    with pytest.raises(DataFileError, match="a store's file name cannot hold a NUL"):
        add_events([event(1)], str(tmp_path / "s\x00.gpkg"))
    with pytest.raises(DataFileError, match="a store's file name cannot hold a NUL"):
        read_events(str(tmp_path / "s\x00.gpkg"))


def test_invalid_utf8_from_another_tool_is_shown_replaced(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "s.gpkg"
    add_events([event(1)], store)
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE events SET name = CAST(X'54616E6B6572FF1B' AS TEXT)")
    assert main(["events", "list", "--store", str(store)]) == 0
    assert "Tanker\ufffd\\x1b" in capsys.readouterr().out
    assert main(["events", "list", "--store", str(store), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["features"][0]["properties"]["name"] == \
        "Tanker\ufffd\x1b"
