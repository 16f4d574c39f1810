"""NATO Vector Graphics (NVG 2.0.2): export, import, round trips, hostile input, audiences.

Exports are validated with lxml against an XSD of the NVG 2.0 elements kept in tests/data/nvg
(written from the published element definitions: no official copy can be had through a
package registry) and read back with northpic's own reader.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pyproj import Geod

from builders.events import event, write_geojson
from builders.export import HOSTILE, control_text_layer, spec
from builders.nvg import (
    NS,
    billion_laughs,
    element,
    external_entity,
    foreign_overlay,
    nvg_schema,
    overlay,
)
from northpic.catalogue import read_catalogue
from northpic.cli import main
from northpic.crs import POLAR_CRS
from northpic.errors import BadInputError, DataFileError, SchemaError
from northpic.events import add_events
from northpic.export import export_layers
from northpic.export.text import REPLACEMENT
from northpic.geodesic import densify_geodesic
from northpic.io.nvg import read_nvg
from northpic.store import read_events

N = {"n": NS}
GEOD = Geod(ellps="WGS84")
ROOT = Path(__file__).resolve().parents[1]

#: A line from 170E to 170W, a polygon around the pole (closed through +-180, 90) and one across
#: the antimeridian, a point with an uncertainty and one without, and hostile text.
POLE = [(-180, 80), (-90, 80.5), (0, 81), (90, 80.5), (180, 80), (180, 90), (-180, 90), (-180, 80)]
GEOMETRIES = {
    "rt-dateline": {"type": "LineString", "coordinates": [[170, 70.5], [-170, 71.25]]},
    "rt-pole": {"type": "Polygon", "coordinates": [POLE]},
    "rt-box": {"type": "Polygon", "coordinates": [[[175, 65], [-175, 65], [-175, 66],
                                                   [175, 66], [175, 65]]]},
    "rt-point": {"type": "Point", "coordinates": [30.9, 70.2]},
    "rt-exact": {"type": "Point", "coordinates": [-20.125, 64.5]},
    "rt-hostile": {"type": "Point", "coordinates": [15.5, 78.25]},
}


def _records() -> list[dict[str, object]]:
    out = []
    for n, (key, geometry) in enumerate(GEOMETRIES.items(), start=1):
        record = event(n, id=key, geometry=geometry, releasability="NATO, EU",
                       originator="NOR JOC", domain="military", kind="sighting",
                       time=f"2026-01-{10 + n}T08:30:00.250+01:00",
                       precision_km=0 if key == "rt-exact" else 2.5 * n)
        if key == "rt-dateline":
            record["valid_to"] = "2026-02-01T00:00:00Z"
        if key == "rt-hostile":
            record["name"] = HOSTILE + ' ]]> </label><point x="0" y="0"/> &amp;'
            record["notes"] = '</textInfo><polygon points="0,0 1,1 1,0"/>\n&lol;'
        out.append(record)
    out[3].update(domain="economic", kind="diversion", mmsi=273000001)
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nvg")
    path = folder / "events.gpkg"
    assert main(["events", "add", str(write_geojson(folder / "ev.geojson", _records())),
                 "--store", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def picture(store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole picture with the store's events, as NVG."""
    out = tmp_path_factory.mktemp("picture") / "picture.nvg"
    assert main(["export", "--format", "nvg", "--out", str(out), "--events", str(store),
                 "--audience", "EU"]) == 0
    return out


def _events_nvg(store: Path, folder: Path) -> Path:
    out = folder / "events.nvg"
    assert main(["export", "--format", "nvg", "--out", str(out), "--events", str(store),
                 "--layers", "events_military,events_economic", "--audience", "EU"]) == 0
    return out


def _data(node: etree._Element) -> dict[str, str]:
    return {d.get("key"): d.text or "" for d in node.findall("n:extendedData/n:simpleData", N)}


def _record(root: etree._Element, record_id: str) -> etree._Element:
    found = [e for e in root.iter() if _data(e).get("id") == record_id]
    assert len(found) == 1, record_id
    return found[0]


# --- the export ------------------------------------------------------------------------------

def test_the_export_is_valid_nvg_2_0(picture: Path) -> None:
    schema = nvg_schema()
    document = etree.parse(str(picture))
    assert schema.validate(document), schema.error_log
    root = document.getroot()
    assert root.tag == f"{{{NS}}}nvg" and root.get("version") == "2.0.2"


@pytest.mark.parametrize(("xpath", "attribute", "value"), [
    ("//n:point", "x", "200"),                 # a longitude off the globe
    ("//n:circle", "r", "-5"),                 # a negative radius
    ("//n:polyline", "points", "170;70 180;71"),  # not "x,y x,y"
    ("//n:timeSpan/n:begin", None, "2026-01-11T07:30:00"),  # a time without its zone
    ("/n:nvg", "version", "1.4.0"),
])
def test_the_schema_refuses_what_nvg_forbids(picture: Path, xpath: str, attribute: str | None,
                                             value: str) -> None:
    document = etree.parse(str(picture))
    node = document.xpath(xpath, namespaces=N)[0]
    if attribute is None:
        node.text = value
    else:
        node.set(attribute, value)
    assert not nvg_schema().validate(document)


def test_layers_are_groups_by_domain_then_layer(picture: Path) -> None:
    root = etree.parse(str(picture)).getroot()
    domains = root.findall("n:g", N)
    assert [g.get("label") for g in domains] == ["Military", "Economic", "Environmental",
                                                 "Social"]
    catalogue = {s.name: s for s in read_catalogue()}
    for domain in domains:
        for layer in domain.findall("n:g", N):
            name = _data(layer)["layer"]
            assert _data(layer)["domain"] == domain.get("label").lower()
            if name in catalogue:
                assert layer.get("label") == catalogue[name].title
    military = {_data(g)["layer"]: g for g in domains[0].findall("n:g", N)}
    assert set(military) == {"bases", "events_military"}
    records = [c for c in military["events_military"] if c.get("uri")]
    assert {_data(c)["id"] for c in records} == {"rt-dateline", "rt-pole", "rt-box",
                                                 "rt-exact", "rt-hostile"}


def test_military_and_shadow_fleet_records_carry_the_catalogue_symbol(picture: Path) -> None:
    raw = json.loads((ROOT / "layers" / "catalogue.json").read_text())
    codes = {layer["name"]: {k: v.get("sidc") for k, v in layer["style"].get("kinds", {}).items()}
             for layer in raw["layers"]}
    root = etree.parse(str(picture)).getroot()

    def symbol(record_id: str) -> str:
        node = _record(root, record_id)
        point = node if node.get("symbol") else node.find("n:point", N)
        return point.get("symbol")

    # Severomorsk is Russian (hostile under NATO), Pituffik a US base (friend), shadow-fleet
    # vessels name no state (suspect); the rest of the code is the catalogue's for the kind
    for record_id, layer, kind, identity in (
            ("base-severomorsk", "bases", "naval", "6"), ("base-pituffik", "bases", "space", "3"),
            ("shadow-valera-diversion", "shadow_fleet", "diversion", "5")):
        scheme, code = symbol(record_id).split(":")
        catalogue = codes[layer][kind]
        assert scheme == "app6d" and code[3] == identity
        assert code[:3] + code[4:] == catalogue[:3] + catalogue[4:]


def test_other_records_get_one_plain_generic_symbol(picture: Path) -> None:
    from northpic.symbology import sidc_problem

    root = etree.parse(str(picture)).getroot()
    generic = {_record(root, i).find("n:point", N).get("symbol")
               for i in ("port-murmansk", "rt-hostile")}
    assert len(generic) == 1
    scheme, code = generic.pop().split(":")
    assert scheme == "app6d" and sidc_problem(code) is None
    assert code[3] == "1" and code[10:16] == "000000"  # unknown identity, unspecified entity
    lines = root.xpath("//n:polyline | //n:polygon", namespaces=N)
    assert lines and all(line.get("symbol") is None for line in lines)


def test_time_provenance_and_marking_travel_in_each_record(picture: Path, store: Path) -> None:
    root = etree.parse(str(picture)).getroot()
    assert root.get("classification") == "UNCLASSIFIED // RELEASABLE TO NATO, EU"
    assert _data(root)["prepared_for"] == "EU"
    stored = read_events(store).set_index("id")
    node = _record(root, "rt-dateline")
    data = _data(node)
    for field in ("source", "confidence", "classification", "releasability", "originator"):
        assert data[field] == stored.loc["rt-dateline", field]
    assert float(data["precision_km"]) == stored.loc["rt-dateline", "precision_km"]
    begin = node.findtext("n:timeSpan/n:begin", namespaces=N)
    end = node.findtext("n:timeSpan/n:end", namespaces=N)
    assert begin == "2026-01-11T07:30:00.250Z" and end == "2026-02-01T00:00:00.000Z"


def test_a_point_with_an_uncertainty_is_drawn_with_its_circle_in_metres(picture: Path) -> None:
    root = etree.parse(str(picture)).getroot()
    node = _record(root, "rt-point")
    circle = node.find("n:circle", N)
    point = node.find("n:point", N)
    assert node.tag == f"{{{NS}}}composite"
    assert float(circle.get("r")) == 4 * 2.5 * 1000
    assert (circle.get("cx"), circle.get("cy")) == (point.get("x"), point.get("y"))
    exact = _record(root, "rt-exact")  # precision 0: a plain point, no circle
    assert exact.tag == f"{{{NS}}}point"


def test_the_sea_names_are_text(picture: Path) -> None:
    root = etree.parse(str(picture)).getroot()
    texts = root.xpath("//n:text", namespaces=N)
    assert texts and all(t.findtext("n:content", namespaces=N) == t.get("label") for t in texts)


def test_the_whole_picture_reads_back(picture: Path, store: Path) -> None:
    """Every record of the EU picture comes back: id, geometry, validity and marking."""
    import geopandas as gpd

    from northpic.picture import load_picture

    frames = load_picture(events_store=store, audience=frozenset({"EU"}))
    features = {f["properties"]["id"]: f for f in read_nvg(picture, texts=True)}
    expected = {i for frame in frames.values() for i in frame["id"]}
    assert set(features) == expected
    for name, frame in frames.items():
        for record in frame.to_dict("records"):
            back = features[record["id"]]
            props = back["properties"]
            for field in ("classification", "releasability", "originator", "source"):
                assert props[field] == record[field], (name, record["id"], field)
            if not pd.isna(record["valid_from"]):
                start = props.get("valid_from", props["time"])  # an event's time is its start
                assert pd.Timestamp(start) == record["valid_from"], record["id"]
            geometry = shapely.geometry.shape(back["geometry"])
            assert geometry.is_valid, (name, record["id"])
            if shapely.equals_exact(shapely.normalize(geometry),
                                    shapely.normalize(record["geometry"]), 1e-7):
                continue  # the same to the 7 decimals written
            # else (lines joined back at 180 degrees) in metres, in the polar projection: the
            # cuts lie on the sphere's great circle, a few metres off the ellipsoid's geodesic
            polar = gpd.GeoSeries([record["geometry"], geometry], crs="EPSG:4326").to_crs(
                POLAR_CRS)
            assert shapely.hausdorff_distance(polar.iloc[0], polar.iloc[1]) < 5, record["id"]
            if "Polygon" in geometry.geom_type:
                assert polar.iloc[1].area == pytest.approx(polar.iloc[0].area, rel=1e-6)


# --- the antimeridian and the pole -----------------------------------------------------------

def test_a_line_from_170e_to_170w_is_split_at_180_and_joined_back(store: Path,
                                                                  tmp_path: Path) -> None:
    root = etree.parse(str(_events_nvg(store, tmp_path))).getroot()
    node = _record(root, "rt-dateline")
    parts = [[tuple(map(float, p.split(","))) for p in line.get("points").split()]
             for line in node.findall("n:polyline", N)]
    assert len(parts) == 2
    assert parts[0][0] == (170, 70.5) and parts[1][-1] == (-170, 71.25)
    assert parts[0][-1][0] == 180 and parts[1][0][0] == -180
    assert parts[0][-1][1] == parts[1][0][1]  # one crossing, both sides at the same latitude
    features = read_nvg(tmp_path / "events.nvg")
    back = next(f for f in features if f["properties"]["id"] == "rt-dateline")
    assert shapely.geometry.shape(back["geometry"]).equals_exact(
        shapely.LineString([(170, 70.5), (-170, 71.25)]), 0)


def test_a_polygon_across_180_is_split_and_joined_back(store: Path, tmp_path: Path) -> None:
    root = etree.parse(str(_events_nvg(store, tmp_path))).getroot()
    node = _record(root, "rt-box")
    halves = [[float(p.split(",")[0]) for p in polygon.get("points").split()]
              for polygon in node.findall("n:polygon", N)]
    assert len(halves) == 2 and min(halves[0]) >= 175 and max(halves[1]) <= -175
    back = next(f for f in read_nvg(tmp_path / "events.nvg")
                if f["properties"]["id"] == "rt-box")["geometry"]
    original = shapely.geometry.shape(GEOMETRIES["rt-box"])
    joined = shapely.geometry.shape(back)
    assert joined.geom_type == "Polygon"
    assert shapely.normalize(joined).equals_exact(shapely.normalize(original), 0)


def test_a_polygon_around_the_pole_stays_around_the_pole(store: Path, tmp_path: Path) -> None:
    features = read_nvg(_events_nvg(store, tmp_path))
    back = shapely.geometry.shape(
        next(f for f in features if f["properties"]["id"] == "rt-pole")["geometry"])
    import geopandas as gpd

    polar = gpd.GeoSeries([back, shapely.Polygon(POLE)], crs="EPSG:4326").to_crs(POLAR_CRS)
    assert polar.iloc[0].buffer(0).contains(shapely.Point(0, 0).buffer(1000))  # the pole inside
    assert polar.iloc[0].area == pytest.approx(polar.iloc[1].area, rel=1e-9)


# --- round trips -----------------------------------------------------------------------------

def _max_gap_m(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """The largest geodesic distance from a vertex of either geometry to the other's outline.

    Each vertex is the centre of an azimuthal equidistant projection (distances from the
    centre are geodesic); the other outline is densified along geodesics every 100 m first.
    """
    def outline(g: shapely.Geometry) -> shapely.Geometry:
        return densify_geodesic(g.boundary if "Polygon" in g.geom_type else g, 0.1)

    def one_way(src: shapely.Geometry, dst: shapely.Geometry) -> float:
        dense, worst = outline(dst), 0.0
        for x, y in shapely.get_coordinates(src).tolist():
            local = pyproj.Transformer.from_crs(
                "EPSG:4326", f"+proj=aeqd +lat_0={y} +lon_0={x} +ellps=WGS84", always_xy=True)
            projected = shapely.transform(
                dense, lambda c, t=local: np.column_stack(t.transform(c[:, 0], c[:, 1])))
            worst = max(worst, projected.distance(shapely.Point(0, 0)))
        return worst

    if a.geom_type == "Point" or b.geom_type == "Point":
        (x1, y1), (x2, y2) = shapely.get_coordinates(a)[0], shapely.get_coordinates(b)[0]
        return float(GEOD.inv(x1, y1, x2, y2)[2])
    return max(one_way(a, b), one_way(b, a))


def test_events_round_trip_through_nvg(store: Path, tmp_path: Path) -> None:
    nvg = _events_nvg(store, tmp_path)
    again = tmp_path / "again.gpkg"
    assert main(["events", "add", str(nvg), "--store", str(again)]) == 0
    before = read_events(store).set_index("id")
    after = read_events(again).set_index("id")
    ours = [i for i in before.index if i.startswith("rt-")]
    assert set(ours) <= set(after.index)
    for record_id in ours:
        old, new = before.loc[record_id], after.loc[record_id]
        assert _max_gap_m(old.geometry, new.geometry) <= 1.0, record_id
        for field in ("name", "kind", "layer", "domain", "source", "confidence", "notes",
                      "classification", "releasability", "originator"):
            assert old[field] == new[field], (record_id, field)
        for field in ("time", "valid_from"):
            assert old[field] == new[field], (record_id, field)
        assert (old["valid_to"] == new["valid_to"]) or (str(old["valid_to"]) == "NaT"
                                                        and str(new["valid_to"]) == "NaT")
        assert abs(old["precision_km"] - new["precision_km"]) * 1000 <= 1.0
    assert after.loc["rt-point", "mmsi"] == 273000001
    assert after.loc["rt-hostile", "name"] == before.loc["rt-hostile", "name"]


def test_a_foreign_overlay_becomes_events(tmp_path: Path) -> None:
    path = tmp_path / "overlay.nvg"
    path.write_bytes(foreign_overlay())
    report = add_events(path, tmp_path / "s.gpkg")
    assert report.added == 4
    stored = read_events(tmp_path / "s.gpkg").set_index("id")
    assert stored.loc["urn:test:1", "symbol"] == "app6b:SHSPCLFF---*****"
    assert stored.loc["urn:test:1", "precision_km"] == 2
    circle = stored.loc["urn:test:4"]
    assert circle.geometry.equals(shapely.Point(5, 72)) and circle["precision_km"] == 12.5
    area = stored.loc["urn:test:3"].geometry
    assert len(area.interiors) == 1 and not area.contains(shapely.Point(5, 62.5))
    assert stored.loc["urn:test:2"].geometry.geom_type == "LineString"
    assert set(stored["releasability"]) == {"NATO, EU"} and set(stored["originator"]) == {
        "NOR JOC"}


def test_an_overlay_on_stdin_and_as_bytes_is_sniffed(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "northpic", "events", "add", "-", "--store",
                           str(tmp_path / "stdin.gpkg")], input=foreign_overlay(),
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(read_events(tmp_path / "stdin.gpkg")) == 4
    assert add_events(foreign_overlay(), tmp_path / "bytes.gpkg").added == 4


# --- hostile input ---------------------------------------------------------------------------

def test_markup_in_text_stays_text(store: Path, tmp_path: Path) -> None:
    root = etree.parse(str(_events_nvg(store, tmp_path))).getroot()
    node = _record(root, "rt-hostile")
    assert node.get("label").startswith(HOSTILE)
    assert node.findtext("n:textInfo", namespaces=N).startswith("</textInfo><polygon")
    assert not root.xpath("//n:point[@x='0' and @y='0'] | //n:polygon[@points='0,0 1,1 1,0']",
                          namespaces=N)
    assert not root.xpath("//*[local-name()='script' or local-name()='b']")


def test_control_characters_are_replaced_so_the_document_stays_xml(tmp_path: Path) -> None:
    frame = control_text_layer()
    out = export_layers({"points": frame}, {"points": spec("points", "point")},
                        tmp_path / "x.nvg", "nvg")
    root = etree.parse(str(out)).getroot()  # raises on a character XML 1.0 cannot hold
    assert nvg_schema().validate(root.getroottree()), nvg_schema().error_log
    ids = {d.text for d in root.xpath("//n:simpleData[@key='id']", namespaces=N)}
    assert "a\ufffdb" in ids and "bell" + REPLACEMENT in ids
    assert len(ids) == len(frame)


@pytest.mark.parametrize("document", [billion_laughs(), external_entity()],
                         ids=["billion-laughs", "external-entity"])
def test_entities_are_refused_with_exit_2(tmp_path: Path, document: bytes) -> None:
    bomb = tmp_path / "bomb.nvg"
    bomb.write_bytes(document)
    store = tmp_path / "s.gpkg"
    done = subprocess.run([sys.executable, "-m", "northpic", "events", "add", str(bomb),
                           "--store", str(store)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "document type declaration" in done.stderr and "bomb.nvg" in done.stderr
    assert "Traceback" not in done.stderr and "root:" not in done.stderr
    assert not store.exists()
    piped = subprocess.run([sys.executable, "-m", "northpic", "events", "add", "-", "--store",
                            str(store)], input=document, capture_output=True, timeout=300)
    assert piped.returncode == 2 and b"<stdin>: holds a document type declaration" in piped.stderr
    assert not store.exists()


def test_every_bad_element_is_named_and_nothing_is_stored(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    add_events([event(1, id="keep")], store)
    path = tmp_path / "overlay.nvg"
    path.write_bytes(overlay(
        element("point", "urn:ok:1", "Fine", x="20", y="70"),
        element("polyline", "urn:bad:1", "One point", points="10,70"),
        element("point", "urn:bad:2", "Too far north", x="20", y="95"),
        '<text uri="urn:bad:3" label="Note" x="1" y="2"><content>hello</content></text>',
        element("circle", "urn:bad:4", "No size", cx="5", cy="72", r="-5"),
        element("polygon", "urn:bad:5", "Junk", points="1,2 3,x 4,5"),
        element("circle", "urn:bad:6", "Two sizes", cx="5", cy="72", r="5000",
                data={"precision_km": 9}),
        element("composite", "urn:bad:7", "Off centre",
                inner='<point x="5" y="72"/><circle cx="6" cy="72" r="100"/>'),
        element("point", "urn:bad:8", "Other digits", x="\u0662\u0660", y="70"),
    ))
    with pytest.raises(SchemaError) as caught:
        add_events(path, store)
    message = str(caught.value)
    for where, reason in (("nvg/g[1]/polyline[1], uri 'urn:bad:1'", "has 1 points"),
                          ("nvg/g[1]/point[2], uri 'urn:bad:2'", "latitude 95"),
                          ("nvg/g[1]/text[1], uri 'urn:bad:3'", "no event geometry"),
                          ("nvg/g[1]/circle[1], uri 'urn:bad:4'", "more than 0"),
                          ("nvg/g[1]/polygon[1], uri 'urn:bad:5'", "not a number"),
                          ("nvg/g[1]/circle[2], uri 'urn:bad:6'", "contradicts its circle"),
                          ("nvg/g[1]/composite[1], uri 'urn:bad:7'", "not centred"),
                          ("nvg/g[1]/point[3], uri 'urn:bad:8'", "is not a number")):
        line = next((x for x in message.splitlines() if where in x), None)
        assert line is not None and reason in line, (where, message)
    assert "urn:ok:1" not in message
    assert list(read_events(store)["id"]) == ["keep"]
    assert main(["events", "add", str(path), "--store", str(store)]) == 2


def test_an_event_field_fault_names_the_element_uri(tmp_path: Path) -> None:
    path = tmp_path / "overlay.nvg"
    path.write_bytes(overlay(element("point", "urn:bad:time", "No zone", x="1", y="2",
                                     begin="2026-01-15T08:30:00", data={"precision_km": 1})))
    with pytest.raises(SchemaError, match=r"record 'urn:bad:time': time .* has no timezone"):
        add_events(path, tmp_path / "s.gpkg")


def test_an_oversized_overlay_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "big.nvg"
    path.write_bytes(overlay(*[element("point", f"urn:p:{i}", "P", x="1", y="2")
                               for i in range(50)]))
    with pytest.raises(DataFileError, match=r"big\.nvg: \d+ bytes is more than the 1000 bytes"):
        read_nvg(path, max_bytes=1000)


def test_a_document_that_is_not_nvg_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.nvg"
    path.write_bytes(b'<?xml version="1.0"?><kml><Placemark/></kml>')
    assert main(["events", "add", str(path), "--store", str(tmp_path / "s.gpkg")]) == 2
    with pytest.raises(DataFileError, match="is not an NVG document"):
        read_nvg(path)
    old = tmp_path / "old.nvg"
    old.write_bytes(b'<nvg xmlns="http://tide.act.nato.int/schemas/2009/10/nvg" version="1.5.0">'
                    b'<point x="1" y="2"/></nvg>')
    with pytest.raises(DataFileError, match="is NVG of namespace .*2009/10/nvg, not NVG 2.0"):
        read_nvg(old)


# --- audiences and the command line ----------------------------------------------------------

def test_an_export_for_eu_holds_only_what_eu_may_see(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    records = [event(1, id="for-eu", name="Alpha EU", releasability="EU", domain="military"),
               event(2, id="for-nato", name="Bravo NATO only", releasability="NATO",
                     domain="military", notes="nato-secret-notes"),
               event(3, id="for-nor", name="Charlie NOR", releasability="NOR EYES ONLY",
                     domain="military")]
    add_events(records, store)
    out = tmp_path / "eu.nvg"
    assert main(["export", "--format", "nvg", "--out", str(out), "--events", str(store),
                 "--layers", "events_military", "--audience", "EU"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Alpha EU" in text and "for-eu" in text
    for secret in ("for-nato", "Bravo", "nato-secret-notes", "for-nor", "Charlie"):
        assert secret not in text


def test_the_command_line_refuses_a_wrong_extension(tmp_path: Path) -> None:
    assert main(["export", "--format", "nvg", "--out", str(tmp_path / "x.kml")]) == 2
    assert not (tmp_path / "x.kml").exists()


# --- anything else ---------------------------------------------------------------------------

_VALUE = st.one_of(st.text(max_size=12), st.floats(allow_nan=True).map(repr),
                   st.sampled_from(["1e999", "-0", "+5", ".5", "5.", "1,2", "nan", "1 2",
                                    "0x10", "١٢", "", " 7 "]))


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(x=_VALUE, y=_VALUE, r=_VALUE, points=st.lists(st.tuples(_VALUE, _VALUE), max_size=4),
       label=st.text(max_size=20), extra=_VALUE)
def test_odd_values_are_read_or_refused_never_a_crash(tmp_path: Path, x, y, r, points, label,
                                                      extra) -> None:
    """Any text in an overlay's numbers, names and data: read, or refused as bad input."""
    line = " ".join(f"{a},{b}" for a, b in points)
    document = overlay(
        element("point", "urn:f:1", label, x=x, y=y, data={"precision_km": extra}),
        element("circle", "urn:f:2", label, cx=x, cy=y, r=r),
        element("polyline", "urn:f:3", label, points=line, data={"precision_km": 1,
                                                                 "odd": extra}),
        element("polygon", "urn:f:4", label, points=line, data={"precision_km": 1}))
    try:
        add_events(document, tmp_path / "fuzz.gpkg")
    except BadInputError:
        pass
