"""Stored events as GeoJSON text, the ``--json`` form of ``northpic events list``.

Built by :func:`northpic.export.geojson.feature_collection`, the project's
one GeoJSON writer; ``northpic events add`` reads the result back unchanged.
Each feature carries its marking fields (``classification``,
``releasability``, ``originator``); the collection carries the listing's
marking as a top-level ``marking`` member (see
:meth:`northpic.markings.ProductMarking.as_dict`).
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from northpic.export.geojson import feature_collection
from northpic.schema import COMMON_COLUMNS, MARKING_COLUMNS
from northpic.text import terminal_json
from northpic.times import format_time


def _json_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return value
    if value is None or pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return format_time(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def events_geojson(frame: gpd.GeoDataFrame,
                   marking: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write events as an RFC 7946 FeatureCollection (times in UTC, ``Z``).

    ``valid_from`` is left out (it is the ``time``); empty attributes are
    left out; everything else, the marking fields and extra attributes
    included, is kept.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Events as :func:`northpic.store.read_events` returns them.
    marking : dict, optional
        The listing's marking (``ProductMarking.as_dict()``), written as the
        collection's ``marking`` member.

    Returns
    -------
    dict
        The FeatureCollection, ready for :func:`json.dumps`.
    """

    def properties(row: dict[str, Any]) -> dict[str, Any]:
        props = {c: _json_value(v) for c, v in row.items() if c != "valid_from"}
        return {c: v for c, v in props.items()
                if v is not None or c in COMMON_COLUMNS or c in MARKING_COLUMNS}

    collection = feature_collection(frame, properties=properties, id_column="id")
    if marking is not None:
        collection["marking"] = marking
    return collection


def events_geojson_text(frame: gpd.GeoDataFrame, marking: dict[str, Any] | None = None) -> str:
    r"""Write events as GeoJSON text a terminal shows safely.

    Unicode stays readable; what a terminal would act on (C1 controls, line
    separators, bidirectional overrides) is escaped, and the text is still
    valid JSON holding the exact values.

    Examples
    --------
    >>> import geopandas as gpd, json, pandas as pd, shapely
    >>> t = pd.Timestamp("2026-01-15T06:30Z")
    >>> rows = pd.DataFrame({"id": ["ev-1"], "name": ["Tanker \u202ediverts"],
    ...     "layer": "events_economic", "domain": "economic", "kind": "diversion",
    ...     "source": "s", "confidence": "medium", "precision_km": 5.0, "valid_from": t,
    ...     "valid_to": pd.NaT, "time": t, "notes": ""})
    >>> events = gpd.GeoDataFrame(rows, geometry=[shapely.Point(30.9, 70.2)], crs="EPSG:4326")
    >>> text = events_geojson_text(events)
    >>> "\u202e" in text, json.loads(text)["features"][0]["properties"]["name"]
    (False, 'Tanker \u202ediverts')
    """
    text = json.dumps(events_geojson(frame, marking), ensure_ascii=False, indent=1)
    return terminal_json(text)


__all__ = ["events_geojson", "events_geojson_text"]
