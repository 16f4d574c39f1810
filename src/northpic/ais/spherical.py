"""Distances on the mean Earth sphere, vectorised over millions of reports.

Step lengths between consecutive AIS reports use the haversine formula on
a sphere of the IUGG mean radius: within 0.5 % of the WGS84 geodesic, and
ten times faster than :meth:`pyproj.Geod.inv` on millions of pairs, which
is what the hot path needs. Neighbour searches use unit-sphere Cartesian
coordinates scaled to metres, where a chord of 500 m is an arc of 500 m.
"""

from __future__ import annotations

import numpy as np

#: IUGG mean Earth radius in kilometres.
EARTH_RADIUS_KM = 6371.0088
KM_PER_NM = 1.852
KNOTS_PER_KM_H = 1 / KM_PER_NM


def haversine_km(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km between two arrays of lon/lat points.

    Examples
    --------
    >>> round(float(haversine_km(0.0, 0.0, 0.0, 1.0)), 2)
    111.19
    """
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2)
    )
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def to_xyz_m(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Cartesian coordinates in metres on the mean sphere, shape ``(n, 3)``."""
    lon = np.radians(np.asarray(lon, dtype=float))
    lat = np.radians(np.asarray(lat, dtype=float))
    r = EARTH_RADIUS_KM * 1000.0
    cos_lat = np.cos(lat)
    return np.column_stack((r * cos_lat * np.cos(lon), r * cos_lat * np.sin(lon), r * np.sin(lat)))


def chord_to_arc_km(chord_m: np.ndarray) -> np.ndarray:
    """Convert chord lengths in metres (see :func:`to_xyz_m`) to arc lengths in km."""
    r = EARTH_RADIUS_KM * 1000.0
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord_m) / (2 * r), 0.0, 1.0))


def initial_bearing_deg(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Return the initial great-circle bearing from point 1 to 2 (degrees from north)."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2)
    )
    y = np.sin(lon2 - lon1) * np.cos(lat2)
    x = np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(lon2 - lon1)
    return np.degrees(np.arctan2(y, x)) % 360.0
