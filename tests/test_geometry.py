"""Geometry that crosses the antimeridian or encloses the pole must be right."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from northpic.crs import POLAR_CRS, lonlat_to_polar, polar_to_lonlat, transformer
from northpic.geodesic import cut_at_antimeridian, densify_geodesic

GEOD = Geod(ellps="WGS84")


def test_densified_line_across_antimeridian_is_cut_not_wrapped() -> None:
    line = densify_geodesic(shapely.LineString([(170, 66), (-170, 66)]), 50)
    assert line.geom_type == "MultiLineString"
    for part in line.geoms:
        lons = np.asarray(part.coords)[:, 0]
        assert np.all(np.abs(np.diff(lons)) < 5)
    east, west = line.geoms
    assert east.coords[-1][0] == 180 and west.coords[0][0] == -180
    assert east.coords[-1][1] == pytest.approx(west.coords[0][1])
    # short geodesic: about 880 km, not the 16,000 km way round
    length = sum(GEOD.geometry_length(p) for p in line.geoms)
    assert 800e3 < length < 1000e3


def test_densified_vertices_lie_on_the_geodesic() -> None:
    line = densify_geodesic(shapely.LineString([(20, 70), (100, 80)]), 25)
    coords = np.asarray(line.coords)
    steps = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])[2]
    assert steps.max() <= 25_000 + 1
    total = GEOD.inv(20, 70, 100, 80)[2]
    assert steps.sum() == pytest.approx(total, rel=1e-9)


def test_cut_leaves_ordinary_lines_alone() -> None:
    line = shapely.LineString([(10, 60), (20, 70)])
    assert cut_at_antimeridian(line) is line


def test_pole_cap_converts_to_valid_polygon_reaching_the_pole() -> None:
    cap = shapely.Point(0, 0).buffer(1_500_000, quad_segs=64)
    lonlat = polar_to_lonlat(cap)
    assert lonlat.is_valid and lonlat.geom_type == "Polygon"
    assert lonlat.bounds[0] == -180 and lonlat.bounds[2] == 180 and lonlat.bounds[3] == 90
    assert shapely.contains_xy(lonlat, 0, 89.9) and shapely.contains_xy(lonlat, 179.9, 88)
    # round trip: the same area once back in EPSG:3413
    back = lonlat_to_polar(shapely.segmentize(lonlat, 0.5))
    assert back.area == pytest.approx(cap.area, rel=2e-3)


def test_pole_polygon_with_hole_across_the_seam() -> None:
    fwd = transformer("EPSG:4326", POLAR_CRS)
    hx, hy = fwd.transform(180.0, 80.0)
    shape = shapely.Point(0, 0).buffer(2_000_000).difference(shapely.Point(hx, hy).buffer(150_000))
    lonlat = polar_to_lonlat(shape)
    assert lonlat.is_valid
    assert not shapely.contains_xy(lonlat, 180.0, 80.0)
    assert not shapely.contains_xy(lonlat, -179.99, 80.0)
    assert shapely.contains_xy(lonlat, 179.0, 85.0)


def test_polygon_crossing_antimeridian_away_from_pole() -> None:
    fwd = transformer("EPSG:4326", POLAR_CRS)
    x, y = fwd.transform(180.0, 70.0)
    blob = shapely.Point(x, y).buffer(200_000)
    lonlat = polar_to_lonlat(blob)
    assert lonlat.is_valid and lonlat.geom_type == "MultiPolygon"
    assert shapely.contains_xy(lonlat, 179.5, 70.0) and shapely.contains_xy(lonlat, -179.5, 70.0)
    assert lonlat.bounds[3] < 73
