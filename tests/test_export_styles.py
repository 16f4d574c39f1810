"""GeoPackage styles and metadata (read by GDAL, and by QGIS itself), and the KML document."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pyogrio
import pytest

from builders.export import HOSTILE, small_picture
from northpic.export import export_layers
from northpic.export.styles import KML_ICONS, kml_color, qgis_color, qml_style

REPO = Path(__file__).resolve().parents[1]
QGIS_SCRIPT = REPO / "tests" / "qgis" / "load_gpkg.py"
SYSTEM_PYTHON = "/usr/bin/python3"
KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture(scope="module")
def picture():
    return small_picture()


@pytest.fixture(scope="module")
def gpkg(picture, tmp_path_factory) -> Path:
    frames, specs = picture
    return export_layers(frames, specs, tmp_path_factory.mktemp("gpkg") / "p.gpkg", "gpkg")


@pytest.fixture(scope="module")
def kml(picture, tmp_path_factory) -> Path:
    frames, specs = picture
    return export_layers(frames, specs, tmp_path_factory.mktemp("kml") / "p.kml", "kml")


def test_every_gpkg_table_has_a_default_qml_style(gpkg):
    tables = [name for name, _ in pyogrio.list_layers(gpkg) if name != "layer_styles"]
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    assert sorted(styles["f_table_name"]) == sorted(tables)
    assert styles["useAsDefault"].all()
    assert set(styles["f_geometry_column"]) == {"geom"}
    for qml in styles["styleQML"]:
        root = ET.fromstring(qml.split("\n", 1)[1])
        assert root.tag == "qgis"
        assert root.find("renderer-v2").get("type") == "singleSymbol"
        temporal = root.find("temporal")
        assert temporal.get("startField") == "valid_from"
        assert temporal.get("endField") == "valid_to"


def test_gpkg_styles_match_the_map_colours(gpkg, picture):
    _, specs = picture
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles").set_index("f_table_name")
    points = ET.fromstring(styles.loc["points", "styleQML"].split("\n", 1)[1])
    options = {o.get("name"): o.get("value") for o in points.iter("Option") if o.get("name")}
    assert options["color"] == qgis_color(specs["points"].style["color"], 0.9)
    assert options["name"] == "square"
    assert options["size"] == "12"
    lines = ET.fromstring(styles.loc["routes", "styleQML"].split("\n", 1)[1])
    options = {o.get("name"): o.get("value") for o in lines.iter("Option") if o.get("name")}
    assert options["customdash"] == "8;6" and options["use_custom_dash"] == "1"


def test_gpkg_times_are_datetime_fields_and_provenance_is_in_metadata(gpkg):
    info = pyogrio.read_info(gpkg, layer="ice")
    types = dict(zip(info["fields"], info["ogr_types"], strict=True))
    assert types["valid_from"] == types["valid_to"] == "OFTDateTime"
    assert info["layer_metadata"]["nature"] == "climatology"
    assert "Climatology" in info["layer_metadata"]["caveat"]
    assert "Test source" in info["layer_metadata"]["sources"]
    assert info["dataset_metadata"]["generator"].startswith("northpic")
    with sqlite3.connect(gpkg) as db:
        scopes = db.execute(
            "SELECT r.reference_scope, r.table_name, m.metadata FROM gpkg_metadata_reference r "
            "JOIN gpkg_metadata m ON m.id = r.md_file_id"
        ).fetchall()
        description = db.execute(
            "SELECT description FROM gpkg_contents WHERE table_name = 'routes'"
        ).fetchone()[0]
    assert ("table", "ice") in {(s, t) for s, t, _ in scopes}
    assert any(s == "geopackage" and "northpic" in m for s, _, m in scopes)
    assert "Schematic" in description


def test_gpkg_splits_mixed_geometry_into_one_table_per_kind(gpkg):
    layers = dict(pyogrio.list_layers(gpkg))
    assert layers["mixed_points"] == "Point" and layers["mixed_lines"] == "LineString"
    assert "mixed" not in layers


@pytest.mark.skipif(
    shutil.which("qgis") is None or not Path(SYSTEM_PYTHON).exists(),
    reason="QGIS (Debian qgis + python3-qgis) is not installed",
)
def test_qgis_opens_the_gpkg_styled_and_time_aware(gpkg, picture):
    frames, specs = picture
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(gpkg.parent)}
    env.pop("PYTHONPATH", None)
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], env=env,
                           capture_output=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip("python3-qgis is not importable")
    result = subprocess.run([SYSTEM_PYTHON, str(QGIS_SCRIPT), str(gpkg)], env=env,
                            capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(seen) == ["ice", "mixed_lines", "mixed_points", "points", "routes"]
    for name, layer in seen.items():
        assert layer["valid"] and layer["crs"] == "EPSG:4326", name
        assert layer["style_loaded"], (name, layer["style_message"])
        assert layer["renderer"] == "singleSymbol"
        assert layer["temporal_active"] and layer["temporal_mode"] == 2
        assert (layer["start_field"], layer["end_field"]) == ("valid_from", "valid_to")
        assert layer["fields"]["valid_from"] == "DateTime"
    assert seen["points"]["features"] == len(frames["points"])
    assert seen["points"]["marker"] == "square"
    assert seen["points"]["color"] == specs["points"].style["color"]
    assert seen["routes"]["symbol_layer"] == "SimpleLine"
    assert seen["routes"]["customdash"] == "8;6"
    assert seen["ice"]["symbol_layer"] == "SimpleFill"
    assert seen["mixed_points"]["marker"] == "triangle"


@pytest.fixture(scope="module")
def bases_exports(tmp_path_factory):
    import northpic
    from northpic.picture import spec_for

    frames, specs = {"bases": northpic.load_layer("bases")}, {"bases": spec_for("bases")}
    folder = tmp_path_factory.mktemp("bases")
    return frames["bases"], specs["bases"], {
        fmt: export_layers(frames, specs, folder / f"b.{fmt}", fmt) for fmt in ("gpkg", "kml")}


def test_kinds_the_map_draws_apart_are_categories_in_qgis_and_styles_in_kml(bases_exports):
    from northpic.export.styles import kind_styles

    frame, spec, out = bases_exports
    kinds = kind_styles(spec.style)
    qml = pyogrio.read_dataframe(out["gpkg"], layer="layer_styles")["styleQML"].iloc[0]
    renderer = ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "kind"
    values = [c.get("value") for c in renderer.iter("category")]
    assert values == [*kinds, ""]  # every kind, then everything else
    markers = [o.get("value") for o in renderer.find("symbols").iter("Option")
               if o.get("name") == "name"]
    assert markers == [k["symbol"] for k in kinds.values()] + [spec.style["symbol"]]
    # KML: each placemark points at its kind's style, whose icon is that kind's symbol
    root = ET.parse(out["kml"]).getroot()
    icons = {s.get("id"): s.findtext(f"{KML}IconStyle/{KML}Icon/{KML}href")
             for s in root.iter(f"{KML}Style")}
    maps = {m.get("id"): m.find(f"{KML}Pair/{KML}styleUrl").text[1:]
            for m in root.iter(f"{KML}StyleMap")}
    marks = list(root.iter(f"{KML}Placemark"))
    assert len(marks) == len(frame)
    for mark, kind in zip(marks, frame["kind"], strict=True):
        icon = icons[maps[mark.findtext(f"{KML}styleUrl")[1:]]]
        assert icon == KML_ICONS[kinds[kind]["symbol"]], (kind, icon)


@pytest.mark.skipif(
    shutil.which("qgis") is None or not Path(SYSTEM_PYTHON).exists(),
    reason="QGIS (Debian qgis + python3-qgis) is not installed",
)
def test_qgis_draws_each_kind_as_the_map_does(bases_exports):
    _, spec, out = bases_exports
    from northpic.export.styles import kind_styles

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(out["gpkg"].parent)}
    env.pop("PYTHONPATH", None)
    result = subprocess.run([SYSTEM_PYTHON, str(QGIS_SCRIPT), str(out["gpkg"])], env=env,
                            capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(result.stdout.strip().splitlines()[-1])["bases"]
    assert seen["renderer"] == "categorizedSymbol" and seen["category_field"] == "kind"
    want = [[k, s["color"], s["symbol"]] for k, s in kind_styles(spec.style).items()]
    assert seen["categories"][:-1] == want
    assert seen["categories"][-1][0] in ("", None)


def test_qml_refuses_an_unknown_geometry_family(picture):
    _, specs = picture
    with pytest.raises(ValueError, match="no QGIS style for geometry family 'rasters'"):
        qml_style(specs["points"], "rasters")


def test_kml_has_a_folder_per_domain_and_layer_with_styles(kml, picture):
    frames, specs = picture
    root = ET.parse(kml).getroot()
    document = root.find(f"{KML}Document")
    domains = {f.findtext(f"{KML}name"): f for f in document.findall(f"{KML}Folder")}
    assert sorted(domains) == ["Economic", "Environmental", "Military", "Social"]
    layer_folder = domains["Military"].find(f"{KML}Folder")
    assert layer_folder.findtext(f"{KML}name") == specs["points"].title
    assert len(layer_folder.findall(f"{KML}Placemark")) == len(frames["points"])
    styles = {s.get("id"): s for s in document.findall(f"{KML}Style")}
    normal = styles["style-points-normal"]
    assert normal.findtext(f"{KML}IconStyle/{KML}color") == kml_color("#b2182b", 0.9)
    assert normal.findtext(f"{KML}IconStyle/{KML}Icon/{KML}href").endswith(
        "placemark_square.png"
    )
    ice = styles["style-ice-normal"]
    assert ice.findtext(f"{KML}PolyStyle/{KML}color") == kml_color("#d1e5f0", 0.35)
    marks = root.iter(f"{KML}Placemark")
    assert all(m.findtext(f"{KML}styleUrl").startswith("#style-") for m in marks)


def test_kml_escapes_hostile_text_and_carries_provenance_and_time(kml):
    text = kml.read_text(encoding="utf-8")
    assert "<script>" not in text and "<b>bold" not in text
    root = ET.parse(kml).getroot()
    marks = {m.findtext(f"{KML}name"): m for m in root.iter(f"{KML}Placemark")}
    hostile = marks[HOSTILE]  # the name survives as text
    description = hostile.findtext(f"{KML}description")
    assert "&lt;script&gt;" not in description  # the name is the title, not in the table
    assert "source" in description and "confidence" in description and "±" in description
    route = next(m for name, m in marks.items() if name.startswith("routes"))
    assert "Schematic" in route.findtext(f"{KML}description")
    spans = [m.find(f"{KML}TimeSpan") for m in marks.values()]
    assert any(s is not None and s.findtext(f"{KML}begin") for s in spans)
    assert any(s is not None and s.findtext(f"{KML}end") for s in spans)


def test_kml_description_escapes_values(picture):
    from northpic.export.kml import describe_record
    from northpic.export.prepare import ExportLayer

    frames, specs = picture
    layer = ExportLayer("points", specs["points"], frames["points"])
    html = describe_record(layer, {"kind": HOSTILE, "source": "a & b", "precision_km": 2.0})
    assert "<script>" not in html and "&lt;script&gt;" in html and "a &amp; b" in html
