"""Offline basemap: land from Natural Earth, a graticule and the Arctic Circle.

Land comes from :func:`northpic.io.land.read_land`, clipped north of
:data:`SOUTH_LIMIT`, simplified and cached in memory. Nothing is fetched
from the network.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import shapely

from northpic.io.land import read_land

SOUTH_LIMIT = 38.0  # Washington (38.9 N), seat of an Arctic Council member, stays on land
SIMPLIFY_DEG = 0.02
ARCTIC_CIRCLE_LAT = 66.5634  # mean value for the 2020s


@lru_cache(maxsize=2)
def land_geojson(south: float = SOUTH_LIMIT) -> dict[str, Any]:
    """Return the countries north of ``south`` as a GeoJSON FeatureCollection.

    Parameters
    ----------
    south : float
        Southern limit in degrees north.

    Returns
    -------
    dict
        Features with ``name`` and ``iso_a3`` properties, simplified to about
        2 km and rounded to 3 decimals (about 100 m).
    """
    land = read_land(south)
    geoms = shapely.simplify(land.geometry.values, SIMPLIFY_DEG, preserve_topology=True)
    geoms = shapely.segmentize(geoms, 1.0)  # clip edges stay curved in the polar map
    geoms = shapely.set_precision(geoms, 0.001)
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "iso_a3": code},
            "geometry": shapely.geometry.mapping(geom),
        }
        for name, code, geom in zip(land["name"], land["iso_a3"], geoms, strict=True)
        if geom is not None and not geom.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


def _parallel(lat: float) -> list[list[float]]:
    lons = np.linspace(-180.0, 180.0, 361)
    return [[float(lon), lat] for lon in lons]


def graticule_geojson(
    parallels: tuple[float, ...] = (60.0, 70.0, 80.0), meridian_step: int = 30
) -> dict[str, Any]:
    """Return graticule lines and the Arctic Circle as a GeoJSON FeatureCollection.

    Parameters
    ----------
    parallels : tuple of float
        Latitudes of the circles to draw.
    meridian_step : int
        Degrees between meridians.

    Returns
    -------
    dict
        LineString features with ``kind`` (``parallel``, ``meridian`` or
        ``arctic_circle``), ``label`` and ``label_at`` properties.
    """
    features: list[dict[str, Any]] = []
    for lat in parallels:
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "kind": "parallel",
                    "label": f"{lat:g}\u00b0N",
                    "label_at": [-45.0, lat],
                },
                "geometry": {"type": "LineString", "coordinates": _parallel(lat)},
            }
        )
    features.append(
        {
            "type": "Feature",
            "properties": {
                "kind": "arctic_circle",
                "label": "Arctic Circle",
                "label_at": [-30.0, ARCTIC_CIRCLE_LAT],
            },
            "geometry": {"type": "LineString", "coordinates": _parallel(ARCTIC_CIRCLE_LAT)},
        }
    )
    for lon in range(-180, 180, meridian_step):
        lats = np.linspace(SOUTH_LIMIT, 90.0, 51)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "kind": "meridian",
                    "label": f"{abs(lon)}\u00b0{'E' if lon > 0 else 'W' if lon < 0 else ''}",
                    "label_at": [float(lon), 57.5],
                },
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[float(lon), float(lat)] for lat in lats],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
