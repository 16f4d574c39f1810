"""Event intake: every class of bad input is refused whole, naming record and reason."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from builders.events import WRITERS, batch, event, feature, write_csv, write_geojson, write_jsonl
from northpic.cli import main
from northpic.errors import DataFileError, SchemaError, UnsupportedFormatError
from northpic.events import add_events, read_events
from northpic.times import parse_time


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store that already holds 3 events, so 'unchanged' means something."""
    path = tmp_path / "events.gpkg"
    add_events(batch(3, prefix="seed"), path)
    return path


def _refused(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


BAD_RECORDS = [
    ("missing_name", {"name": None}, "record 'ev-test-2': missing value for 'name'"),
    ("missing_source", {"source": ""}, "record 'ev-test-2': missing value for 'source'"),
    ("missing_time", {"time": None}, "record 'ev-test-2': missing value for 'time'"),
    ("bad_time", {"time": "15/01/2026 08:30"}, "'15/01/2026 08:30' is not an ISO 8601"),
    ("no_timezone", {"time": "2026-01-15T08:30:00"}, "has no timezone.*--assume-utc"),
    ("valid_to_no_tz", {"valid_to": "2026-02-01"}, "valid_to '2026-02-01' has no timezone"),
    ("valid_to_before", {"valid_to": "2026-01-01T00:00Z"}, "valid_to .* is before valid_from"),
    ("lat_out_of_range", {"lat": 91.5}, "coordinate out of range: lon 22, lat 91.5"),
    ("lon_out_of_range", {"lon": 200}, "coordinate out of range: lon 200"),
    ("lat_not_number", {"lat": "north"},
     "lat 'north' is not a number|malformed geometry: coordinate \"north\" is not a number"),
    ("unknown_confidence", {"confidence": "certain"}, "unknown confidence 'certain'"),
    ("unknown_domain", {"domain": "naval"}, "unknown domain 'naval'"),
    ("missing_domain", {"domain": None}, "no layer or domain: give the record a 'layer'"),
    ("negative_precision", {"precision_km": -1}, "precision_km -1 must be a finite number >= 0"),
    ("text_precision", {"precision_km": "about 5"}, "precision_km 'about 5' is not a number"),
    ("unknown_layer", {"layer": "rumours"}, "unknown layer 'rumours'; valid layers: .*events_"),
    ("layer_domain_clash", {"layer": "events_military"}, "holds military events but the record's"),
    ("bad_attribute_name", {"ship name": "X"}, "attribute name 'ship name' must be letters"),
    ("reserved_attribute", {"added_at": "x"}, "attribute name 'added_at' is reserved"),
]


@pytest.mark.parametrize("fmt", ["geojson", "csv", "jsonl"])
@pytest.mark.parametrize(("case", "override", "message"), BAD_RECORDS,
                         ids=[c[0] for c in BAD_RECORDS])
def test_bad_record_refuses_whole_batch(
    fmt: str, case: str, override: dict, message: str, store: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    records = [event(1), event(2, **override), event(3)]
    if fmt == "csv" and case == "bad_attribute_name":
        blank = {"ship name": ""}
        records = [event(1, **blank), event(2, **override), event(3, **blank)]
    before = read_events(store)
    path = WRITERS[fmt](tmp_path / f"batch.{fmt}", records)
    err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
    assert str(path) in err
    assert re.search(message, err), err
    assert "missing geometry" not in err or case == "missing_geometry"
    after = read_events(store)
    assert list(after["id"]) == list(before["id"]) == ["seed-0", "seed-1", "seed-2"]


def test_every_problem_is_listed_with_its_record(tmp_path: Path) -> None:
    records = [event(1, lat=95), event(2, confidence="sure", time="yesterday"), event(3)]
    with pytest.raises(SchemaError, match="record 'ev-test-1'.*lat 95") as info:
        add_events(records, tmp_path / "s.gpkg")
    reasons = [(p.record, p.reason) for p in info.value.problems]
    expected = "unknown confidence 'sure'; expected one of high, medium, low"
    assert ("'ev-test-2'", expected) in reasons
    assert any(r == "'ev-test-2'" and "'yesterday' is not an ISO 8601" in t for r, t in reasons)
    assert not (tmp_path / "s.gpkg").exists()  # nothing stored, not even an empty store


def test_records_without_ids_are_named_by_position(tmp_path: Path) -> None:
    records = [event(1, id=None), event(2, id=None, lon=-190)]
    with pytest.raises(SchemaError, match=r"record #2: coordinate out of range: lon -190"):
        add_events(records, tmp_path / "s.gpkg")


def test_duplicate_id_within_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_geojson(tmp_path / "dup.geojson", [event(1), event(2, id="ev-test-1")])
    err = _refused(["events", "add", str(path), "--store", str(tmp_path / "s.gpkg")], capsys)
    assert "record 'ev-test-1': duplicate id (first used by record #1)" in err


def test_identical_records_without_ids_are_duplicates(tmp_path: Path) -> None:
    same = event(1, id=None)
    with pytest.raises(SchemaError, match=r"record #2: duplicate id \(first used by record #1\)"):
        add_events([same, dict(same)], tmp_path / "s.gpkg")


@pytest.mark.parametrize(("geometry", "message"), [
    ({"type": "Polygon", "coordinates": [[[0, 70], [10, 75], [10, 70], [0, 75], [0, 70]]]},
     "invalid geometry: Self-intersection"),
    ({"type": "Polygon", "coordinates": [[[0, 70], [10]]]}, "malformed geometry"),
    ({"type": "Blob", "coordinates": [0, 70]}, "malformed geometry"),
    ({"type": "MultiPoint", "coordinates": [[0, 70], [1, 71]]},
     "geometry type MultiPoint is not allowed"),
    ({"type": "Point", "coordinates": [0, "seventy"]}, "malformed geometry"),
    ({"type": "LineString", "coordinates": [[0, 70], [0, 91]]}, "coordinate out of range"),
    (None, "missing geometry"),
    # shapely read these as POINT (1 70), POINT (20 70) and POINT (20 70)
    ({"type": "Point", "coordinates": [True, 70]},
     "malformed geometry: coordinate true is not a number"),
    ({"type": "LineString", "coordinates": [[20, 70], ["21", 71]]},
     'malformed geometry: coordinate "21" is not a number'),
    ({"type": "Point", "coordinates": [[20, 70]]},
     "malformed geometry: position ..20, 70.. of a Point is not two or three numbers"),
    ({"type": "Polygon", "coordinates": [[10, 70], [14, 70], [14, 72], [10, 70]]},
     "malformed geometry: position 10 of a Polygon is not two or three numbers"),
])
def test_bad_geometry(tmp_path: Path, geometry: dict | None, message: str) -> None:
    record = feature(event(7))
    record["geometry"] = geometry
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "features": [feature(event(1)), record]}))
    with pytest.raises(SchemaError, match=f"{path}: record 'ev-test-7': {message}"):
        add_events(path, tmp_path / "s.gpkg")


@pytest.mark.parametrize(("name", "text", "message"), [
    ("truncated.geojson", '{"type": "FeatureCollection", "features": [', "not valid JSON"),
    ("wrong.geojson", '{"type": "Topology", "objects": {}}', "expected a GeoJSON Feature"),
    ("nofeatures.geojson", '{"type": "FeatureCollection"}', "without a 'features' list"),
    ("bad.jsonl", json.dumps(event(1)) + "\n{not json\n", "line 2 is not valid JSON"),
    ("nolatlon.csv", "id,name,time\na,b,2026-01-01T00:00Z\n", "CSV needs lat and lon"),
    ("ragged.csv", 'id,lat,lon\n"a,70,20\n', "cannot read CSV"),
    ("empty.json", "   \n", "no input"),
])
def test_malformed_files(tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str],
                         name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
    assert f"{path}: " in err and message in err, err
    assert len(read_events(store)) == 3


_CSV_HEADER = "id,name,kind,domain,time,source,confidence,precision_km,lat,lon\n"


def test_a_csv_value_past_the_header_is_refused_not_shifted(
        tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # every row one value longer than the header: pandas took the first value as an
    # index and shifted each column by one (or, with a leading value, silently dropped it)
    path = tmp_path / "shifted.csv"
    path.write_text("lat,lon,id,name,kind,domain,time,source,confidence,precision_km\n"
                    "X,70,20,c1,n,k,military,2026-01-01T00:00:00Z,s,high,1\n")
    err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
    assert f"{path}: line 2: 11 values but the header names 10 columns (the extra value '1'" in err
    assert len(read_events(store)) == 3


def test_a_csv_with_trailing_commas_keeps_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"  # spreadsheets often end every row with the delimiter
    path.write_text(_CSV_HEADER + "c1,first,k,military,2026-01-01T00:00:00Z,s,high,1,70,20,\n"
                    "c2,second,k,military,2026-01-02T00:00:00Z,s,high,1,71,21,\n")
    store = tmp_path / "s.gpkg"
    add_events(path, store, releasability="PUBLIC", originator="a spreadsheet")
    got = read_events(store).sort_values("id")
    assert got["name"].tolist() == ["first", "second"]
    assert [(p.x, p.y) for p in got.geometry] == [(20.0, 70.0), (21.0, 71.0)]


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="nope.geojson: no such file"):
        add_events(tmp_path / "nope.geojson", tmp_path / "s.gpkg")
    (tmp_path / "events.kml").write_text("<kml/>")
    with pytest.raises(UnsupportedFormatError, match=r"unsupported file type \.kml"):
        add_events(tmp_path / "events.kml", tmp_path / "s.gpkg")


def test_assume_utc_accepts_naive_times(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "naive.csv", [event(1, time="2026-01-15T08:30:00")])
    store = tmp_path / "s.gpkg"
    assert main(["events", "add", str(path), "--store", str(store), "--assume-utc"]) == 0
    assert str(read_events(store)["time"].iloc[0]) == "2026-01-15 08:30:00+00:00"


def test_stdin_is_read_and_sniffed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "s.gpkg"
    text = "".join(json.dumps(feature(r)) + "\n" for r in batch(4))
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(["events", "add", "-", "--store", str(store)]) == 0
    assert "added 4, updated 0" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("{broken"))
    err = _refused(["events", "add", "-", "--store", str(store)], capsys)
    assert "<stdin>: not valid JSON" in err
    assert len(read_events(store)) == 4


def test_event_time_rules(tmp_path: Path) -> None:
    # the one time parser, as events use it: a timezone is required
    assert parse_time("2026-01-15T08:30:00.123456+02:00", assume_utc=False).isoformat() == \
        "2026-01-15T06:30:00.123456+00:00"
    with pytest.raises(ValueError, match="has no timezone"):
        parse_time("2026-01-15", assume_utc=False)
    with pytest.raises(ValueError, match="has no timezone"):
        parse_time("2026", assume_utc=False)
    with pytest.raises(ValueError, match="give it as text"):
        parse_time(1768465800, assume_utc=False)
    # an event keeps its time to the millisecond
    store = tmp_path / "ms.gpkg"
    add_events([event(1, time="2026-01-15T08:30:00.123456+02:00")], store)
    assert read_events(store)["time"].iloc[0].isoformat() == "2026-01-15T06:30:00.123000+00:00"


def test_valid_to_a_date_means_all_of_it_with_assume_utc(tmp_path: Path) -> None:
    store = tmp_path / "to.gpkg"
    add_events([event(1, valid_to="2026-02-01"), event(2, valid_to="2026-02")], store,
               assume_utc=True)
    ends = read_events(store).set_index("id")["valid_to"]
    assert ends["ev-test-1"].isoformat() == "2026-02-01T23:59:59+00:00"
    assert ends["ev-test-2"].isoformat() == "2026-02-28T23:59:59+00:00"


def test_write_jsonl_records_with_wkt_geometry(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "wkt.jsonl", [
        {k: v for k, v in event(1, geometry="LINESTRING (170 70, -170 71)").items()
         if k not in ("lat", "lon")}])
    add_events(path, tmp_path / "s.gpkg")
    assert read_events(tmp_path / "s.gpkg").geometry.iloc[0].wkt == "LINESTRING (170 70, -170 71)"
