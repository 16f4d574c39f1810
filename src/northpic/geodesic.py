"""Lines on the ellipsoid: geodesic densification and antimeridian cutting."""

from __future__ import annotations

import math

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

WGS84 = Geod(ellps="WGS84")


def _densify_coords(coords: np.ndarray, max_km: float) -> np.ndarray:
    out = [coords[:1]]
    for (lon1, lat1), (lon2, lat2) in zip(coords[:-1], coords[1:], strict=True):
        distance_m = WGS84.inv(lon1, lat1, lon2, lat2)[2]
        between = max(0, math.ceil(distance_m / (max_km * 1000.0)) - 1)
        if between:
            mid = np.asarray(WGS84.npts(lon1, lat1, lon2, lat2, between))
            out.append(mid)
        out.append(np.array([[lon2, lat2]]))
    return np.vstack(out)


def densify_geodesic(geom: BaseGeometry, max_km: float) -> BaseGeometry:
    """Add vertices along each segment's geodesic so none is longer than ``max_km``.

    Longitudes may jump across 180 degrees between two vertices: the geodesic
    takes the short way, so a segment from 179 E to 179 W is 2 degrees long.
    The result is cut at the antimeridian (RFC 7946).

    Parameters
    ----------
    geom : LineString or MultiLineString
        In longitude/latitude (EPSG:4326).
    max_km : float
        Longest segment allowed, in kilometres.

    Returns
    -------
    LineString or MultiLineString
        With longitudes in [-180, 180].

    Examples
    --------
    >>> import shapely
    >>> line = densify_geodesic(shapely.LineString([(170, 66), (-170, 66)]), 50)
    >>> line.geom_type, round(line.geoms[0].coords[-1][0])
    ('MultiLineString', 180)
    """
    if max_km <= 0:
        raise ValueError("max_km must be positive")
    parts = [
        shapely.LineString(_densify_coords(np.asarray(part.coords)[:, :2], max_km))
        for part in shapely.get_parts(geom)
    ]
    joined = parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)
    return cut_at_antimeridian(joined)


def cut_at_antimeridian(geom: BaseGeometry) -> BaseGeometry:
    """Split lines wherever consecutive vertices jump across 180 degrees.

    Uses the ``antimeridian`` package (which interpolates the crossing
    latitude); geometries that do not cross are returned unchanged.
    """
    import antimeridian

    lines = shapely.get_parts(geom)
    crosses = any(
        np.any(np.abs(np.diff(np.asarray(line.coords)[:, 0])) > 180) for line in lines
    )
    if not crosses:
        return geom
    fixed = antimeridian.fix_shape(geom)
    return shapely.geometry.shape(fixed) if isinstance(fixed, dict) else fixed
