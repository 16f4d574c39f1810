"""Distance from shore, from the Natural Earth 1:10m coastline.

The shoreline is every vertex of the Natural Earth 1:10m admin-0 country
outlines (:func:`northpic.io.shore.read_shore_vertices`, a registry package; about
550,000 vertices, typically 1-3 km apart). A KD-tree over those vertices on
the sphere answers "how far is the nearest shore" for millions of positions
in a fraction of a second. Land borders between countries are part of the
outlines; at sea the nearest vertex is always a coastal one, so they do not
bias distances offshore.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from northpic.ais.spherical import chord_to_arc_km, to_xyz_m
from northpic.concurrency import WORKERS
from northpic.io.shore import read_shore_vertices

SHORE_CITATION = "Natural Earth 1:10m admin-0 country outlines (public domain)"


@lru_cache(maxsize=1)
def _shore_tree() -> Any:
    from scipy.spatial import cKDTree

    coords = read_shore_vertices()
    return cKDTree(to_xyz_m(coords[:, 0], coords[:, 1]))


def load_shoreline() -> None:
    """Build the shoreline index now (otherwise it is built on the first distance asked for).

    :func:`~northpic.workflows.ais.detect_files` calls it in a thread while
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
    chord, _ = _shore_tree().query(to_xyz_m(lon, lat), k=1, workers=WORKERS)
    return chord_to_arc_km(chord)
