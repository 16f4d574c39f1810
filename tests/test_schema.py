"""Each class of bad input gets its documented error, naming file, record and reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from builders.layers import feature, write_geojson
from northpic.errors import SchemaError
from northpic.io.layer_files import read_layer_file
from northpic.schema import precision_label, validate_layer_frame
from northpic.times import parse_time
from northpic.validate import validate_files

BOWTIE = {"type": "Polygon", "coordinates": [[[0, 70], [10, 75], [10, 70], [0, 75], [0, 70]]]}


def test_valid_file_has_no_problems(tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "ok.geojson", [feature("a"), feature("b", lon=-170, lat=65)])
    assert validate_files([path]) == []


@pytest.mark.parametrize(
    ("features", "record", "reason"),
    [
        ([feature("far", lon=250, lat=95)], "'far'", r"coordinate out of range: lon 250, lat 95"),
        ([feature("north", lon=10, lat=91)], "'north'", r"coordinate out of range"),
        ([feature("bow", geometry=BOWTIE)], "'bow'", r"invalid geometry: Self-intersection"),
        ([feature("void", geometry={"type": "Polygon", "coordinates": []})], "'void'",
         r"(empty|missing) geometry"),
        ([feature("twin"), feature("twin", lon=20)], "'twin'", r"duplicate id \(first used by record #1\)"),
        ([feature("d", domain="cosmic")], "'d'", r"unknown domain 'cosmic'"),
        ([feature("c", confidence="certain")], "'c'", r"unknown confidence 'certain'"),
        ([feature("p", precision_km=-3)], "'p'", r"precision_km -3 must be a finite number >= 0"),
        ([feature("s", source="")], "'s'", r"missing value for 'source'"),
        ([feature("t", valid_from="yesterday")], "'t'", r"valid_from: 'yesterday' is not an ISO 8601"),
        ([feature("r", valid_from="2024-05-01", valid_to="2024-01-01")], "'r'", r"valid_to .* is before"),
        ([feature(None)], "#1", r"missing value for 'id'"),
        ([feature("b", precision_km=True)], "'b'", r"precision_km True is not a number"),
    ],
)
def test_bad_record_is_named_with_reason(
    tmp_path: Path, features: list, record: str, reason: str
) -> None:
    path = write_geojson(tmp_path / "bad.geojson", features)
    problems = validate_files([path])
    assert problems, "the bad record went unnoticed"
    assert any(p.path == str(path) and p.record == record and re.search(reason, p.reason)
               for p in problems), problems


def test_a_csv_coordinate_that_is_text_is_named(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("id,name,layer,domain,kind,source,confidence,precision_km,lat,lon\n"
                    "ok,A,bases,military,naval,s,high,1,70.5,20\n"
                    "bad,B,bases,military,naval,s,high,1,north,20\n")
    [problem] = validate_files([path])
    assert (problem.path, problem.record) == (str(path), "'bad'")
    assert problem.reason == "lat 'north' is not a number"


def test_missing_field_names_the_field(tmp_path: Path) -> None:
    record = feature("m")
    del record["properties"]["confidence"]
    path = write_geojson(tmp_path / "nofield.geojson", [record])
    [problem] = validate_files([path])
    assert problem.record is None and "missing field(s): confidence" in problem.reason


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("broken.geojson", "{ not json", r"cannot read"),
        ("empty.csv", "", r"cannot read CSV"),
        ("nolatlon.csv", "id,name\n1,x\n", r"needs lat and lon columns"),
        ("notes.txt", "hello", r"unsupported file type \.txt"),
    ],
)
def test_unreadable_file_is_named(tmp_path: Path, name: str, content: str, reason: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    [problem] = validate_files([path])
    assert problem.path.endswith(name) and problem.record is None
    assert __import__("re").search(reason, problem.reason)


def test_missing_file(tmp_path: Path) -> None:
    [problem] = validate_files([tmp_path / "gone.geojson"])
    assert problem.reason == "no such file"


def test_csv_with_lat_lon_and_text_precision(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(
        "id,name,layer,domain,kind,source,confidence,precision_km,lat,lon\n"
        "a,Alpha,test,social,town,stats,high,2,69.65,18.96\n"
        "b,Bravo,test,social,town,stats,high,far,69.0,18.0\n"
    )
    problems = validate_files([path])
    assert [(p.record, p.reason) for p in problems] == [("'b'", "precision_km 'far' is not a number")]


def test_geopackage_tables_are_each_checked(tmp_path: Path) -> None:
    import geopandas as gpd

    good = read_layer_file(write_geojson(tmp_path / "g.geojson", [feature("g")]))
    bad = read_layer_file(write_geojson(tmp_path / "b.geojson", [feature("b", confidence="sure")]))
    path = tmp_path / "two.gpkg"
    gpd.GeoDataFrame(good).to_file(path, layer="good")
    gpd.GeoDataFrame(bad).to_file(path, layer="bad")
    problems = validate_files([path])
    assert [(p.path, p.record) for p in problems] == [(f"{path} (table bad)", "'b'")]


def test_validate_raises_schema_error_listing_every_problem(tmp_path: Path) -> None:
    frame = read_layer_file(write_geojson(
        tmp_path / "x.geojson", [feature("a", confidence="x"), feature("b", lat=100)]))
    with pytest.raises(SchemaError, match=r"record 'a': unknown confidence(.|\n)*record 'b': coordinate"):
        validate_layer_frame(frame, "x.geojson")


def test_normalised_times_are_utc() -> None:
    assert parse_time("2026-01-15T12:00:00+02:00").isoformat() == "2026-01-15T10:00:00+00:00"
    assert parse_time("2026-01-15").isoformat() == "2026-01-15T00:00:00+00:00"
    assert parse_time("") is None
    assert parse_time("1951").isoformat() == "1951-01-01T00:00:00+00:00"
    assert parse_time("1951-06").isoformat() == "1951-06-01T00:00:00+00:00"


@pytest.mark.parametrize(("text", "end"), [
    ("1987", "1987-12-31T23:59:59+00:00"),
    ("2024-02", "2024-02-29T23:59:59+00:00"),
    ("2026-01-31", "2026-01-31T23:59:59+00:00"),
    ("2026-01-31T06:00:00Z", "2026-01-31T06:00:00+00:00"),  # a moment stays that moment
])
def test_a_valid_to_year_month_or_date_lasts_to_its_end(text: str, end: str) -> None:
    assert parse_time(text, end_of_period=True).isoformat() == end
    with pytest.raises(ValueError, match="not an ISO 8601"):
        parse_time("1987/12", end_of_period=True)


def test_one_parser_for_options_dates_and_blanks() -> None:
    from datetime import date

    import numpy as np
    import pandas as pd

    from northpic.errors import BadInputError
    from northpic.times import is_blank

    with pytest.raises(BadInputError, match=r"^--at: 'next week' is not an ISO 8601"):
        parse_time("next week", option="--at")
    assert parse_time(date(2026, 2, 1), end_of_period=True).isoformat() == \
        "2026-02-01T23:59:59+00:00"
    with pytest.raises(ValueError, match="give it as text"):
        parse_time(1951)
    for blank in (None, "", "  ", float("nan"), pd.NaT, pd.NA, np.datetime64("NaT")):
        assert is_blank(blank) and parse_time(blank) is None
    assert not any(is_blank(v) for v in (0, False, "x", [], {}))


def test_precision_labels() -> None:
    assert [precision_label(k) for k in (0, 0.5, 10, 300)] == [
        "surveyed", "precise", "approximate", "indicative"]


def test_feature_builder_round_trips(tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "r.geojson", [feature("r", notes="<b>x</b>")])
    frame = validate_layer_frame(read_layer_file(path), str(path))
    assert frame["notes"].tolist() == ["<b>x</b>"]
    assert str(frame["valid_from"].dtype) == "datetime64[ms, UTC]" or "UTC" in str(frame["valid_from"].dtype)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\t", "\n", "\ud800"])
@pytest.mark.parametrize("field", ["id", "name", "source", "kind", "operator"])
def test_control_characters_in_a_user_layer_are_named(tmp_path: Path, char: str,
                                                      field: str) -> None:
    record = feature("c", **{field: f"x{char}y"}) if field != "id" else feature(f"c{char}")
    path = tmp_path / "c.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature("ok"), record]}))
    problems = validate_files([path])
    code = f"U+{ord(char):04X}"
    assert any(p.path == str(path) and p.record is not None and
               re.search(rf"field '{field}' holds .*\({re.escape(code)}", p.reason)
               for p in problems), problems


def test_notes_of_a_layer_may_span_lines_and_unicode_is_kept(tmp_path: Path) -> None:
    text = "Північний флот — 北方艦隊 — أسطول الشمال 🚢 e\u0301"
    path = write_geojson(tmp_path / "u.geojson",
                         [feature("u", name=text, notes="one\n\ttwo\r\nthree")])
    assert validate_files([path]) == []
    frame = validate_layer_frame(read_layer_file(path), str(path))
    assert frame["name"].iloc[0] == text and frame["notes"].iloc[0] == "one\n\ttwo\r\nthree"
    bad = write_geojson(tmp_path / "b.geojson", [feature("b", notes="over\rwrite")])
    [problem] = validate_files([bad])
    assert problem.reason == "field 'notes' holds a control character (U+000D CR) at character 5"


def test_control_characters_in_a_csv_layer_and_its_header(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("id,name,layer,domain,kind,source,confidence,precision_km,lat,lon,op\x1bx\n"
                    "a,Al\x00pha,test,social,town,stats,high,2,69.65,18.96,\n", encoding="utf-8")
    reasons = {(p.record, p.reason) for p in validate_files([path])}
    assert ("'a'", "field 'name' holds a control character (U+0000 NUL) at character 3") in reasons
    assert (None, "field name 'op\\x1bx' holds a control character (U+001B ESC) at character 3") \
        in reasons


def test_json_property_values_are_checked_inside(tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "j.geojson", [feature("j", tags=["ok", "b\x07d"])])
    problems = validate_files([path])
    assert any("has a text that holds a control character (U+0007 BEL)" in p.reason or
               "field 'tags' holds a control character (U+0007 BEL)" in p.reason
               for p in problems), problems


@pytest.mark.parametrize("suffix", [".csv", ".geojson"])
def test_binary_layer_files_are_named_as_binary(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"zeros{suffix}"
    with path.open("wb") as handle:
        handle.truncate(1024**3)  # sparse: 1 GB of NUL, refused after 64 KiB
    [problem] = validate_files([path])
    assert problem.path == str(path) and problem.record is None
    assert problem.reason.startswith("binary data, not text: 65536 of its first 65536 bytes")


def test_the_shipped_layer_files_pass_the_text_rules() -> None:
    from northpic.catalogue import read_catalogue

    assert validate_files([spec.file for spec in read_catalogue()]) == []
