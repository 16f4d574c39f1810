"""Event intake: records and frames in, raw events out, ready for validation.

A record is a GeoJSON Feature (its ``properties`` and ``geometry``), or a
flat record with ``lat``/``lon`` (or ``latitude``/``longitude``) or a
``geometry`` (a GeoJSON object, WKT text or a shapely geometry). A
GeoDataFrame gives its geometries, a DataFrame flat records, one a row.
Reading files, standard input, text and bytes is :mod:`northpic.io.event_files`;
:func:`northpic.events.read_event_source` takes any of them.

Examples
--------
>>> raw = events_from_records([{"name": "A", "lat": 70.5, "lon": 20}, {"name": "B"}])
>>> raw[0].properties, raw[0].geometry.wkt
({'name': 'A'}, 'POINT (20 70.5)')
>>> raw[1].geometry_error
'missing geometry (need lat and lon, or a geometry)'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry

from northpic.errors import DataFileError
from northpic.events.schema import RawEvent
from northpic.io.cot import GEOMETRY_ERROR_KEY
from northpic.io.event_files import json_document_items
from northpic.io.layer_files import LAT_NAMES, LON_NAMES

#: Whatever :func:`read_event_source` (and so :func:`~northpic.events.add_events`) takes.
EventSource: TypeAlias = (str | Path | bytes | pd.DataFrame | Mapping[str, Any]
                          | Iterable[Mapping[str, Any]])


#: How deep the positions of each GeoJSON geometry type are nested in its coordinates.
_POSITION_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "Polygon": 2,
                   "MultiLineString": 2, "MultiPolygon": 3}


def _coordinates_problem(value: Mapping[str, Any]) -> str | None:
    """Say what is wrong with a GeoJSON geometry's coordinates (RFC 7946 3.1.1), if anything.

    shapely reads ``true`` as 1, ``"20"`` as 20 and a Point of ``[[20, 70]]``
    as (20, 70): a position must be two or three JSON numbers, nested as
    deep as the type says.
    """
    kind = value.get("type")
    depth = _POSITION_DEPTH.get(kind) if isinstance(kind, str) else None
    if depth is None or "coordinates" not in value:
        return None  # an unknown type or no coordinates: shapely and the schema say so
    level = [value["coordinates"]]
    for _ in range(depth):
        if not all(isinstance(item, list | tuple) for item in level):
            return f"{kind} coordinates are not nested as RFC 7946 says"
        level = [inner for item in level for inner in item]
    for position in level:
        if not isinstance(position, list | tuple) or not 2 <= len(position) <= 3:
            return f"position {json.dumps(position)[:40]} of a {kind} is not two or three numbers"
        for number in position:
            if isinstance(number, bool) or not isinstance(number, int | float):
                return f"coordinate {json.dumps(number)[:40]} is not a number"
    return None


def _geometry_from_geojson(value: Any) -> tuple[Any, str | None]:
    if value is None:
        return None, "missing geometry"
    if not isinstance(value, Mapping):
        return None, f"geometry must be a GeoJSON object, not {type(value).__name__}"
    problem = _coordinates_problem(value)
    if problem is not None:
        return None, f"malformed geometry: {problem}"
    try:
        return shapely.geometry.shape(value), None
    except Exception as exc:  # shapely raises several error classes on malformed GeoJSON
        return None, f"malformed geometry: {exc or type(exc).__name__}"


def _number(value: Any, name: str) -> tuple[float | None, str | None]:
    if isinstance(value, bool):
        return None, f"{name} {value!r} is not a number"
    try:
        return float(value), None
    except OverflowError:
        return None, f"{name} is a number too large for a coordinate"
    except (TypeError, ValueError):
        return None, f"{name} {value!r} is not a number"


def _flat_record(record: Mapping[str, Any]) -> RawEvent:
    """Parse a record with lat/lon fields or a ``geometry`` (GeoJSON, WKT or shapely)."""
    props = dict(record)
    problem = props.pop(GEOMETRY_ERROR_KEY, None)  # a reader could not read the position
    if problem is not None:
        props.pop("geometry", None)
        return RawEvent(props, None, str(problem))
    lowered = {k.lower(): k for k in props}
    lat_key = next((lowered[n] for n in LAT_NAMES if n in lowered), None)
    lon_key = next((lowered[n] for n in LON_NAMES if n in lowered), None)
    geom_key = lowered.get("geometry") or lowered.get("wkt")
    if geom_key is not None:
        value = props.pop(geom_key)
        if isinstance(value, shapely.Geometry):
            return RawEvent(props, value)
        if isinstance(value, str):
            try:
                return RawEvent(props, shapely.from_wkt(value))
            except shapely.errors.GEOSException as exc:
                return RawEvent(props, None, f"malformed WKT geometry: {exc}")
        return RawEvent(props, *_geometry_from_geojson(value))
    if lat_key is None or lon_key is None:
        return RawEvent(props, None, "missing geometry (need lat and lon, or a geometry)")
    lat_raw, lon_raw = props.pop(lat_key), props.pop(lon_key)
    if lat_raw in (None, "") or lon_raw in (None, ""):
        return RawEvent(props, None, "missing value for lat or lon")
    lat, lat_err = _number(lat_raw, "lat")
    lon, lon_err = _number(lon_raw, "lon")
    if lat_err or lon_err:
        return RawEvent(props, None, lat_err or lon_err)
    return RawEvent(props, shapely.Point(lon, lat))


def _json_item(item: Any) -> RawEvent:
    if not isinstance(item, Mapping):
        return RawEvent({}, None, f"record is not a JSON object but {type(item).__name__}")
    if item.get("type") == "Feature":
        props = item.get("properties") or {}
        if not isinstance(props, Mapping):
            return RawEvent({}, None, "properties must be a JSON object")
        props = dict(props)
        if "id" not in props and item.get("id") is not None:
            props["id"] = item["id"]
        return RawEvent(props, *_geometry_from_geojson(item.get("geometry")))
    if "type" in item and "coordinates" in item:
        return RawEvent({}, None, "a bare geometry is not an event; wrap it in a Feature")
    return _flat_record(item)


def events_from_frame(frame: pd.DataFrame) -> list[RawEvent]:
    """Turn a GeoDataFrame's rows (with geometries) or a DataFrame's (flat records) to events.

    A GeoDataFrame in another CRS is turned to EPSG:4326 first.

    Raises
    ------
    DataFileError
        If a DataFrame's column names repeat.
    """
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
            frame = frame.to_crs("EPSG:4326")
        geometry_name = frame.geometry.name
        props = frame.drop(columns=[geometry_name]).to_dict(orient="records")
        return [RawEvent(p, None if g is None or g.is_empty else g,
                         "missing geometry" if g is None or g.is_empty else None)
                for p, g in zip(props, frame.geometry, strict=True)]
    names = [str(c) for c in frame.columns]
    if len(set(names)) < len(names):
        raise DataFileError("<DataFrame>", "column names repeat")
    return [_flat_record(dict(zip(names, row, strict=True)))
            for row in frame.itertuples(index=False, name=None)]


def events_from_records(records: Iterable[Any]) -> list[RawEvent]:
    """Turn records (GeoJSON Features or flat records) into raw events, one each.

    What is not a record (a number, a bare geometry, a Feature whose
    ``properties`` is no object) becomes an event holding the reason, told
    by validation.
    """
    return [_json_item(item) for item in records]


def events_from_document(doc: Mapping[str, Any], label: str = "<record>") -> list[RawEvent]:
    """Turn one parsed GeoJSON object (Feature, FeatureCollection, flat record) into events.

    Raises
    ------
    DataFileError
        If ``doc`` is a FeatureCollection without features or another GeoJSON type.
    """
    return events_from_records(json_document_items(dict(doc), label))


__all__ = ["EventSource", "events_from_document", "events_from_frame", "events_from_records"]
