"""Every GeoJSON northpic writes is RFC 7946: right-hand rule, no ``crs``, lon/lat, GDAL reads it.

The winding is checked here with a signed area computed from the raw
coordinates of the file (the shoelace formula), not with the writer's own
helpers: positive for a counter-clockwise exterior, negative for a
clockwise hole.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from builders import ais as scn
from builders.events import event, feature
from builders.export import small_picture
from northpic.cli import main
from northpic.crs import polar_to_lonlat


def _signed_area(ring: list[list[float]]) -> float:
    total = 0.0
    for (x0, y0, *_), (x1, y1, *_) in zip(ring[:-1], ring[1:], strict=True):
        total += x0 * y1 - x1 * y0
    return total / 2.0


def _polygons(geometry: dict) -> list[list]:
    if geometry is None:
        return []
    kind = geometry["type"]
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    if kind == "GeometryCollection":
        return [p for g in geometry["geometries"] for p in _polygons(g)]
    return []


def check_rfc7946(doc: dict) -> int:
    """Assert the right-hand rule, lon/lat ranges and no crs; return the polygons seen."""
    assert "crs" not in doc
    seen = 0
    for feat in doc["features"]:
        for rings in _polygons(feat["geometry"]):
            seen += 1
            assert _signed_area(rings[0]) > 0, "exterior must be counter-clockwise"
            assert all(_signed_area(hole) < 0 for hole in rings[1:]), "holes must be clockwise"
            for ring in rings:
                assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y, *_ in ring)
    return seen


def check_file(path: Path) -> int:
    seen = check_rfc7946(json.loads(path.read_text(encoding="utf-8")))
    frame = pyogrio.read_dataframe(path)  # GDAL reads it back
    assert frame.crs.to_epsg() == 4326
    return seen


def _clockwise_with_hole() -> shapely.Polygon:
    shell = [(20, 70), (20, 72), (24, 72), (24, 70), (20, 70)]           # clockwise
    hole = [(21, 70.5), (23, 70.5), (23, 71.5), (21, 71.5), (21, 70.5)]  # counter-clockwise
    return shapely.Polygon(shell, [hole])


def _pole_cap_with_holes() -> shapely.Geometry:
    cap = shapely.Point(0, 0).buffer(2_000_000, quad_segs=32)
    holes = [shapely.Point(800_000, 300_000).buffer(200_000),
             shapely.Point(-600_000, -900_000).buffer(150_000)]
    polar = shapely.Polygon(cap.exterior, [h.exterior for h in holes])
    return polar_to_lonlat(shapely.segmentize(polar, 20_000))


def test_signed_area_check_can_fail():
    wrong = json.loads(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {},
         "geometry": shapely.geometry.mapping(_clockwise_with_hole())}]}))
    with pytest.raises(AssertionError, match="counter-clockwise"):
        check_rfc7946(wrong)


def test_exports_follow_the_right_hand_rule(tmp_path):
    from northpic.export import export_layers

    frames, specs = small_picture()
    out = export_layers(frames, specs, tmp_path / "geojson", "geojson")
    assert sum(check_file(p) for p in out.glob("*.geojson")) > 0


def test_seaice_edge_file_with_a_pole_enclosing_polygon_with_holes(tmp_path):
    from northpic.export.seaice import write_edge

    cap = _pole_cap_with_holes()
    frame = gpd.GeoDataFrame({"id": ["cap"], "valid_from": [None]}, geometry=[cap],
                             crs="EPSG:4326")
    path = write_edge(frame, tmp_path / "edge.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert check_file(path) >= 1
    back = shapely.geometry.shape(doc["features"][0]["geometry"])
    assert back.is_valid and back.area == pytest.approx(cap.area, rel=1e-6)
    assert back.covers(shapely.Point(0, 89.9)) and back.covers(shapely.Point(179.9, 89.9))
    assert sum(len(p.interiors) for p in shapely.get_parts(back)) == 2


def test_seaice_edge_command(tmp_path, capsys):
    from builders import seaice as b

    nc = b.write_g02202_v4(tmp_path / "seaice_conc_daily_nh_20230915_f17_v04r00.nc")
    out = tmp_path / "edge.geojson"
    assert main(["seaice", "edge", str(nc), "--out", str(out)]) == 0
    assert check_file(out) >= 1


def test_ais_detect_events_and_tracks(tmp_path, capsys):
    scenario = scn.build_scenario(seed=5)
    path = scn.write_dma_csv(scenario.reports, tmp_path / "aisdk-2026-01-10.csv")
    out, tracks = tmp_path / "events.geojson", tmp_path / "tracks.geojson"
    assert main(["ais", "detect", str(path), "--out", str(out), "--tracks", str(tracks)]) == 0
    for written in (out, tracks):
        check_file(written)
        assert len(pyogrio.read_dataframe(written)) > 0


def test_ais_writer_winds_polygons_and_cuts_lines_at_180(tmp_path):
    from northpic.export.ais_geojson import write_geojson

    bering = shapely.LineString([(170, 65), (-170, 66), (-165, 67)])
    frame = gpd.GeoDataFrame({"mmsi": [1, 2, 3]}, geometry=[
        _clockwise_with_hole(), _pole_cap_with_holes(), bering], crs="EPSG:4326")
    path = write_geojson(frame, tmp_path / "a.geojson")
    assert check_file(path) == 2
    line = json.loads(path.read_text(encoding="utf-8"))["features"][2]["geometry"]
    assert line["type"] == "MultiLineString"
    for part in line["coordinates"]:
        assert all(abs(b[0] - a[0]) <= 180 for a, b in zip(part[:-1], part[1:], strict=True))


def test_events_list_json(tmp_path, capsys):
    from northpic.events import add_events

    store = tmp_path / "s.gpkg"
    area = event(1, kind="exercise", geometry=shapely.geometry.mapping(_clockwise_with_hole()))
    add_events([feature(area), feature(event(2))], store)
    capsys.readouterr()
    assert main(["events", "list", "--store", str(store), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert check_rfc7946(doc) == 1
    listed = tmp_path / "listed.geojson"
    listed.write_text(json.dumps(doc), encoding="utf-8")
    assert len(pyogrio.read_dataframe(listed)) == 2
