"""Coordinate reference systems, and pole-safe conversion out of the polar CRS.

northpic stores and exchanges geometry in EPSG:4326 and measures in the
NSIDC polar stereographic north projection, EPSG:3413. A polygon that
encloses the North Pole, or crosses 180 degrees, is simple in EPSG:3413 but
needs care in longitude/latitude: :func:`polar_to_lonlat` gives the valid
EPSG:4326 form (cut along the antimeridian, closed through the pole).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
import shapely.ops
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

STORAGE_CRS = "EPSG:4326"
POLAR_CRS = "EPSG:3413"
_SNAP_DEG = 1e-6
_FAR_M = 4.0e7  # longer than any distance in the projection


@lru_cache(maxsize=16)
def transformer(source: str, target: str) -> Transformer:
    """Return a cached, axis-order-safe (x/lon first) :class:`pyproj.Transformer`."""
    return Transformer.from_crs(CRS(source), CRS(target), always_xy=True)


def lonlat_to_polar(geom: BaseGeometry) -> BaseGeometry:
    """Project a lon/lat geometry to EPSG:3413 (vertex by vertex)."""
    fwd = transformer(STORAGE_CRS, POLAR_CRS)
    return shapely.transform(geom, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))


def _meridian_line() -> shapely.LineString:
    """Return the 0/180 degree meridian line through the pole, in EPSG:3413."""
    fwd = transformer(STORAGE_CRS, POLAR_CRS)
    x0, y0 = fwd.transform(0.0, 60.0)
    direction = np.array([x0, y0]) / np.hypot(x0, y0)
    return shapely.LineString([tuple(-direction * _FAR_M), (0.0, 0.0), tuple(direction * _FAR_M)])


def _ring_to_lonlat(coords: np.ndarray, east: bool) -> list[tuple[float, float]]:
    inv = transformer(POLAR_CRS, STORAGE_CRS)
    lon, lat = inv.transform(coords[:, 0], coords[:, 1])
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    at_pole = np.hypot(coords[:, 0], coords[:, 1]) < 1e-3
    seam = np.abs(np.abs(lon) - 180.0) < _SNAP_DEG
    lon[seam] = 180.0 if east else -180.0
    zero = np.abs(lon) < _SNAP_DEG
    lon[zero] = 0.0
    out: list[tuple[float, float]] = []
    n = len(coords) - 1  # closed ring: last == first
    for i in range(n):
        if at_pole[i]:
            prev_lon = lon[(i - 1) % n]
            next_lon = lon[(i + 1) % n]
            out.extend([(prev_lon, 90.0), (next_lon, 90.0)])
        else:
            out.append((float(lon[i]), float(lat[i])))
    out.append(out[0])
    return out


def _piece_to_lonlat(piece: shapely.Polygon) -> shapely.Polygon:
    inv = transformer(POLAR_CRS, STORAGE_CRS)
    rep = piece.representative_point()
    east = inv.transform(rep.x, rep.y)[0] >= 0
    shell = _ring_to_lonlat(np.asarray(piece.exterior.coords), east)
    holes = [_ring_to_lonlat(np.asarray(r.coords), east) for r in piece.interiors]
    return shapely.make_valid(shapely.Polygon(shell, holes))


def polar_to_lonlat(geom: BaseGeometry) -> BaseGeometry:
    """Convert an EPSG:3413 geometry to a valid EPSG:4326 geometry.

    Polygons that enclose the pole or cross 180 degrees are split along the
    0/180 meridian line in EPSG:3413, each half is converted with its seam
    snapped to +180 or -180, the pole becomes the edge along latitude 90, and
    the halves are merged again. Lines are cut at the antimeridian.

    Parameters
    ----------
    geom : shapely geometry
        Polygon, MultiPolygon, LineString or MultiLineString in EPSG:3413,
        densified enough that straight edges stay straight.

    Returns
    -------
    shapely geometry
        A valid geometry in longitude/latitude.

    Examples
    --------
    >>> import shapely
    >>> cap = shapely.Point(0, 0).buffer(1_000_000)   # 1000 km around the pole
    >>> lonlat = polar_to_lonlat(cap)
    >>> lonlat.is_valid, round(lonlat.bounds[3], 1), lonlat.bounds[0], lonlat.bounds[2]
    (True, 90.0, -180.0, 180.0)
    """
    if geom.is_empty:
        return geom
    if geom.geom_type in ("LineString", "MultiLineString"):
        from northpic.geodesic import cut_at_antimeridian

        inv = transformer(POLAR_CRS, STORAGE_CRS)
        lonlat = shapely.transform(
            geom, lambda xy: np.column_stack(inv.transform(xy[:, 0], xy[:, 1]))
        )
        return cut_at_antimeridian(lonlat)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        inv = transformer(POLAR_CRS, STORAGE_CRS)
        return shapely.transform(
            geom, lambda xy: np.column_stack(inv.transform(xy[:, 0], xy[:, 1]))
        )
    seam = _meridian_line()
    polygons = shapely.get_parts(geom)
    pieces: list[shapely.Polygon] = []
    for polygon in polygons:
        if polygon.intersects(seam):
            pieces.extend(shapely.get_parts(shapely.ops.split(polygon, seam)))
        else:
            pieces.append(polygon)
    converted = [_piece_to_lonlat(p) for p in pieces if p.area > 0]
    merged = shapely.union_all(converted)
    return shapely.make_valid(merged)
