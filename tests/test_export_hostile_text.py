"""No input can break an output: control characters, NUL and lone surrogates in exports."""

from __future__ import annotations

import subprocess

import pyogrio
import pytest
from lxml import etree

from builders.export import (
    CONTROL_TEXTS,
    control_text_layer,
    layer_sources,
    read_geoparquet_plainly,
    read_table,
    spec,
)
from northpic.cli import main
from northpic.errors import SchemaError
from northpic.export import export_layers
from northpic.export.styles import qml_style
from northpic.export.text import xml_text

SPECS = {"points": spec("points", "point")}


def _frames(nul: bool = True):
    return {"points": control_text_layer(nul)}


def test_kml_with_control_characters_opens_in_lxml_and_gdal(tmp_path):
    out = export_layers(_frames(), SPECS, tmp_path / "x.kml", "kml")
    etree.parse(str(out))  # raises on any XML 1.0-illegal character
    info = subprocess.run(["ogrinfo", "-ro", "-al", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert info.returncode == 0 and "ERROR" not in info.stderr, info.stderr
    frame = pyogrio.read_dataframe(out, layer="Test points")
    # replaced visibly (U+FFFD), never cut: every id keeps its length (LIBKML calls the
    # typed field "id" "id2", "id" being the placemark's XML id)
    ids = set(frame["id2"])
    for text in CONTROL_TEXTS:
        assert xml_text(text) in ids and len(xml_text(text)) == len(text)
    assert "a\ufffdb" in ids
    names = set(frame["Name"])
    assert "odd \ufffd\ufffd end" in names


def test_xml_text_keeps_what_xml_allows():
    keep = "tab\tlf\ncr\r Ørland ‏RTL‏ emoji \U0001f9ca e\u0301"
    assert xml_text(keep) == keep
    assert xml_text("\ud800 lone") == "\ufffd lone"


def test_qml_with_hostile_kind_names_parses(tmp_path):
    hostile = spec("points", "point", color="#b2182b", kinds={"bell\x07": {"symbol": "star"}})
    etree.fromstring(qml_style(hostile, "points").split("\n", 1)[1].encode())


@pytest.mark.parametrize(("fmt", "out"), [("gpkg", "x.gpkg"), ("geojson", "gj"), ("shp", "shp"),
                                          ("csv", "csv")])
def test_a_nul_in_any_text_cell_is_refused_for_gdal_formats(tmp_path, fmt, out):
    with pytest.raises(SchemaError, match=r"layer points: record a\\x00b: field 'id' holds a NUL"):
        export_layers(_frames(), SPECS, tmp_path / out, fmt)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("fmt", "out"), [("gpkg", "x.gpkg"), ("geojson", "gj"), ("shp", "shp"),
                                          ("csv", "csv")])
def test_other_control_characters_reach_gdal_formats_whole(tmp_path, fmt, out):
    path = export_layers(_frames(nul=False), SPECS, tmp_path / out, fmt)
    [source] = layer_sources(path, fmt).values()
    frame = read_table(source)
    wanted = {t for t in CONTROL_TEXTS if "\x00" not in t}
    assert wanted <= set(frame["id"])


def test_parquet_carries_a_nul_whole(tmp_path):
    path = export_layers(_frames(), SPECS, tmp_path / "pq", "parquet")
    frame = read_geoparquet_plainly(str(path / "points.parquet"))
    assert "a\x00b" in set(frame["id"]) and "name a\x00b" in set(frame["name"])


def test_cli_refuses_a_nul_with_exit_2_naming_layer_record_field(tmp_path, capsys, monkeypatch):
    import northpic.picture

    monkeypatch.setattr(northpic.picture, "load_picture", lambda **_: _frames())
    monkeypatch.setattr(northpic.picture, "spec_for", lambda name: SPECS[name])
    out = tmp_path / "x.gpkg"
    code = main(["export", "--format", "gpkg", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "layer points: record a\\x00b: field 'id' holds a NUL" in err
    assert "field 'name'" in err and "field 'source'" in err
    assert "\x00" not in err and "\x07" not in err  # the terminal gets escapes, not bytes
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert main(["export", "--format", "kml", "--out", str(tmp_path / "x.kml")]) == 0
    etree.parse(str(tmp_path / "x.kml"))


def test_an_old_store_holding_control_characters_cannot_break_an_export(tmp_path, capsys):
    """The issue's case end to end: a store (written before the intake refused it) with NUL."""
    import sqlite3

    from builders.events import batch, write_geojson
    from builders.markings import marked

    records = marked(batch(len(CONTROL_TEXTS), seed=11, prefix="ctl"))
    for record in records:
        record["domain"] = "military"
    store = tmp_path / "old.gpkg"
    assert main(["events", "add", str(write_geojson(tmp_path / "ev.geojson", records)),
                 "--store", str(store)]) == 0
    with sqlite3.connect(store) as conn:  # as an older northpic stored it
        for record, text in zip(records, CONTROL_TEXTS, strict=True):
            conn.execute("UPDATE events SET id = ?, name = ?, source = ? WHERE id = ?",
                         (text, f"name {text}", f"source {text}", record["id"]))
    capsys.readouterr()
    gpkg = tmp_path / "out.gpkg"
    code = main(["export", "--format", "gpkg", "--out", str(gpkg), "--layers", "events_military",
                 "--events", str(store)])
    err = capsys.readouterr().err
    assert code == 2 and "layer events_military: record a\\x00b: field 'id' holds a NUL" in err
    assert not gpkg.exists()
    kml = tmp_path / "out.kml"
    assert main(["export", "--format", "kml", "--out", str(kml), "--layers", "events_military",
                 "--events", str(store)]) == 0
    etree.parse(str(kml))
    info = subprocess.run(["ogrinfo", "-ro", "-al", str(kml)], capture_output=True, text=True,
                          timeout=120)
    assert info.returncode == 0 and "ERROR" not in info.stderr, info.stderr
    frame = pyogrio.read_dataframe(kml, layer="Reported events (military)")
    assert {xml_text(t) for t in CONTROL_TEXTS} == set(frame["id2"])


@pytest.mark.parametrize(("fmt", "out"), [("gpkg", "x.gpkg"), ("geojson", "gj"), ("shp", "shp"),
                                          ("csv", "csv"), ("parquet", "pq")])
def test_a_lone_surrogate_is_refused_where_utf8_cannot_hold_it(tmp_path, fmt, out):
    frame = control_text_layer(nul=False)
    frame["notes"] = frame["notes"].astype(object)
    frame.loc[1, "notes"] = "from a JSON \\ud800 escape: \ud800"
    with pytest.raises(SchemaError, match=r"field 'notes' holds a lone surrogate \(\\ud800\)"):
        export_layers({"points": frame}, SPECS, tmp_path / out, fmt)
    assert list(tmp_path.iterdir()) == []
    kml = export_layers({"points": frame}, SPECS, tmp_path / "x.kml", "kml")
    etree.parse(str(kml))


def test_a_field_name_with_a_nul_is_refused(tmp_path):
    frame = control_text_layer(nul=False).rename(columns={"notes": "no\x00tes"})
    with pytest.raises(SchemaError, match=r"layer points: field name 'no\\x00tes' holds a NUL"):
        export_layers({"points": frame}, SPECS, tmp_path / "x.gpkg", "gpkg")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("nul", [True, False])
def test_bulk_xml_escaping_matches_elementtree(nul):
    # the KML writer escapes whole columns at once; ElementTree (after the tree cleaning)
    # and html.escape are the reference for every text, NUL-holding batches included
    import html
    import xml.etree.ElementTree as ET

    from northpic.export.text import clean_xml_tree, html_texts, xml_texts

    texts = [t for t in CONTROL_TEXTS if nul or "\x00" not in t]
    texts += ['<a href="x">&amp;</a>', "tab\there\r\nline", "'quoted'", "", "\ud800 lone",
              "\ufffe\uffff", "Ørland–Søndre ✓"]
    root = ET.Element("r")
    for text in texts:
        ET.SubElement(root, "t", v=text).text = text
    clean_xml_tree(root)
    written = ET.tostring(root, encoding="unicode")
    expected = "".join(
        f'<t v="{a}">{t}</t>' if t else f'<t v="{a}" />'
        for a, t in zip(xml_texts(texts, attribute=True), xml_texts(texts), strict=True))
    assert written == f"<r>{expected}</r>"
    assert html_texts(texts) == [html.escape(t) for t in texts]
