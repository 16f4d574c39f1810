"""Sea-ice grids and the true area of their cells.

NSIDC's polar stereographic north grids (EPSG:3413 coordinates, true scale
at 70 N) are conformal, not equal-area: a 25 km cell covers 625 km2 of map
but between about 490 and 720 km2 of the Earth. The true area of a cell is
its map area divided by the projection's areal scale factor at the cell
centre (:func:`projected_cell_area`, from :meth:`pyproj.Proj.get_factors`).
Cells of regular latitude/longitude grids get the exact ellipsoidal area
between their parallels and meridians (:func:`geographic_cell_area`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import CRS, Proj

#: The CRS of every NSIDC polar stereographic north product (x/y in metres).
NSIDC_NORTH_CRS = "EPSG:3413"
_WGS84_A = 6378137.0
_WGS84_F = 1 / 298.257223563


@dataclass(frozen=True)
class PolarGrid:
    """An NSIDC polar stereographic north grid.

    Attributes
    ----------
    name : str
        ``"psn25"`` or ``"psn12.5"``.
    cell_m : float
        Cell size in metres.
    left, top : float
        Outer edges of the grid in metres (EPSG:3413).
    nx, ny : int
        Columns and rows.
    """

    name: str
    cell_m: float
    left: float
    top: float
    nx: int
    ny: int

    @property
    def x(self) -> np.ndarray:
        """Cell-centre x coordinates in metres, west to east."""
        return self.left + self.cell_m * (np.arange(self.nx) + 0.5)

    @property
    def y(self) -> np.ndarray:
        """Cell-centre y coordinates in metres, north to south (top row first)."""
        return self.top - self.cell_m * (np.arange(self.ny) + 0.5)


#: NSIDC polar stereographic north, 25 km (NSIDC-0051, NSIDC-0081, G02202, Sea Ice Index).
PSN25 = PolarGrid("psn25", 25_000.0, -3_850_000.0, 5_850_000.0, 304, 448)
#: NSIDC polar stereographic north, 12.5 km.
PSN12 = PolarGrid("psn12.5", 12_500.0, -3_850_000.0, 5_850_000.0, 608, 896)


def projected_cell_area(
    x: np.ndarray, y: np.ndarray, crs: str | CRS = NSIDC_NORTH_CRS
) -> np.ndarray:
    """Return the true (ellipsoidal) area of each cell of a regular projected grid.

    Parameters
    ----------
    x, y : numpy.ndarray
        1-D cell-centre coordinates in the CRS's units (metres), evenly spaced.
    crs : str or pyproj.CRS
        The grid's projected CRS.

    Returns
    -------
    numpy.ndarray
        ``(len(y), len(x))`` cell areas in square metres: map area divided by
        the areal scale factor at the cell centre.

    Examples
    --------
    >>> areas = projected_cell_area(PSN25.x, PSN25.y)
    >>> areas.shape, round(float(areas.min()) / 1e6), round(float(areas.max()) / 1e6)
    ((448, 304), 383, 664)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    key = (x.tobytes(), y.tobytes(), str(crs))
    return _projected_cell_area_cached(key).copy()


@lru_cache(maxsize=8)
def _projected_cell_area_cached(key: tuple[bytes, bytes, str]) -> np.ndarray:
    x = np.frombuffer(key[0], dtype=float)
    y = np.frombuffer(key[1], dtype=float)
    crs = key[2]
    dx = abs(float(np.diff(x).mean())) if x.size > 1 else 1.0
    dy = abs(float(np.diff(y).mean())) if y.size > 1 else 1.0
    proj = Proj(CRS(crs))
    xx, yy = np.meshgrid(x, y)
    lon, lat = proj(xx, yy, inverse=True)
    factors = proj.get_factors(lon, lat)
    return dx * dy / np.asarray(factors.areal_scale)


def zone_area(lat: np.ndarray | float) -> np.ndarray:
    """Area of the WGS84 ellipsoid between the equator and ``lat``, all longitudes, in m2.

    Negative south of the equator; ``zone_area(90)`` is half the Earth.
    """
    e2 = _WGS84_F * (2 - _WGS84_F)
    e = np.sqrt(e2)
    b = _WGS84_A * (1 - _WGS84_F)
    s = np.sin(np.radians(np.asarray(lat, dtype=float)))
    q = s / (1 - e2 * s * s) + np.log((1 + e * s) / (1 - e * s)) / (2 * e)
    return np.pi * b * b * q


def geographic_cell_area(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Return the exact ellipsoidal area of each cell of a regular lat/lon grid.

    Parameters
    ----------
    lat, lon : numpy.ndarray
        1-D cell-centre coordinates in degrees, evenly spaced.

    Returns
    -------
    numpy.ndarray
        ``(len(lat), len(lon))`` areas in square metres.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    dlat = abs(float(np.diff(lat).mean())) if lat.size > 1 else 1.0
    dlon = abs(float(np.diff(lon).mean())) if lon.size > 1 else 1.0
    north = np.clip(lat + dlat / 2, -90, 90)
    south = np.clip(lat - dlat / 2, -90, 90)
    band = zone_area(north) - zone_area(south)
    return np.repeat((band * dlon / 360.0)[:, None], lon.size, axis=1)
