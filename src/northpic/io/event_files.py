"""Event intake: parse GeoJSON, CSV and JSON Lines, validate, and store as one batch.

:func:`add_events` is the one entry point. Sources may be a file, ``"-"``
(standard input), raw text, a GeoDataFrame or a list of records:

* **GeoJSON**: a Feature or a FeatureCollection (``.geojson``, ``.json``);
* **CSV** with ``lat``/``lon`` columns (or ``latitude``/``longitude``, or a WKT
  ``geometry`` column) (``.csv``);
* **JSON Lines**: one GeoJSON Feature, or one flat record with ``lat``/``lon``
  or a ``geometry`` (GeoJSON object or WKT), per line (``.jsonl``, ``.ndjson``).

Input must be UTF-8 text: binary data (NUL bytes), other encodings and JSON
nested too deeply for Python are refused naming the file (see
:mod:`northpic.io.text`).

Text from standard input is recognised by its first character: ``{`` or
``[`` is JSON (several ``{...}`` lines are JSON Lines), anything else CSV.
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry

from northpic.errors import DataFileError, InputTypeError, UnsupportedFormatError
from northpic.events.schema import RawEvent, validate_events
from northpic.events.store import AddReport, write_events
from northpic.io.layer_files import LAT_NAMES, LON_NAMES
from northpic.io.text import decode_text, read_stream, read_text_file

JSON_SUFFIXES = (".geojson", ".json")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".geojsonl", ".geojsons")
CSV_SUFFIXES = (".csv",)
EventSource: TypeAlias = (str | Path | bytes | pd.DataFrame | Mapping[str, Any]
                          | Iterable[Mapping[str, Any]])


def _geometry_from_geojson(value: Any) -> tuple[Any, str | None]:
    if value is None:
        return None, "missing geometry"
    if not isinstance(value, Mapping):
        return None, f"geometry must be a GeoJSON object, not {type(value).__name__}"
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


def _load_json(text: str, path: str, where: str = "") -> Any:
    """``json.loads`` whose every failure is a :class:`DataFileError` naming the file."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(path, f"{where}not valid JSON: {exc}") from None
    except RecursionError:
        raise DataFileError(path, f"{where}JSON nested too deeply to read") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise DataFileError(path, f"{where}not readable JSON: {exc}") from None


def parse_json(text: str, path: str) -> list[RawEvent]:
    """Parse a GeoJSON Feature, a FeatureCollection or a JSON array of records."""
    return _json_document(_load_json(text, path), path)


def _json_document(doc: Any, path: str) -> list[RawEvent]:
    if isinstance(doc, list):
        return [_json_item(item) for item in doc]
    if isinstance(doc, Mapping) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise DataFileError(path, "FeatureCollection without a 'features' list")
        return [_json_item(item) for item in features]
    if isinstance(doc, Mapping) and doc.get("type") not in (None, "Feature"):
        raise DataFileError(
            path, f"expected a GeoJSON Feature or FeatureCollection, not {doc.get('type')!r}"
        )
    return [_json_item(doc)]


def parse_json_lines(text: str, path: str) -> list[RawEvent]:
    """Parse JSON Lines: one Feature or flat record per non-blank line."""
    events = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        events.append(_json_item(_load_json(line, path, f"line {number} is ")))
    return events


def _lossless_numbers(values: pd.Series) -> pd.Series:
    """Turn a text column into ints or floats when every value reads back unchanged."""
    present = values.dropna()
    if present.empty:
        return values
    try:
        ints = present.map(int)
        if (ints.map(str) == present).all():
            return values.map(lambda v: None if pd.isna(v) else int(v)).astype(object)
    except ValueError:
        pass
    try:
        floats = present.map(float)
        if floats.map(math.isfinite).all() and (floats.map(repr) == present).all():
            return values.map(lambda v: None if pd.isna(v) else float(v)).astype(object)
    except ValueError:
        pass
    return values


def parse_csv(text: str, path: str) -> list[RawEvent]:
    """Parse CSV with a header, lat/lon columns (or WKT ``geometry``), one event a row.

    Extra columns whose every value is an integer (or a float) written the
    canonical way become numbers; the rest stays text.
    """
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataFileError(path, f"cannot read CSV: {exc}") from None
    columns = {c.lower() for c in table.columns}
    has_latlon = any(n in columns for n in LAT_NAMES) and any(n in columns for n in LON_NAMES)
    if not has_latlon and not ({"geometry", "wkt"} & columns):
        raise DataFileError(path, "CSV needs lat and lon columns (or a WKT 'geometry' column)")
    table = table.astype(object).where(table.notna(), None)
    known = {"id", "name", "layer", "domain", "kind", "source", "confidence", "time", "notes",
             "valid_from", "valid_to", "geometry", "wkt", *LAT_NAMES, *LON_NAMES}
    for column in table.columns:
        if column.lower() not in known:
            table[column] = _lossless_numbers(table[column])
    return [_flat_record(row) for row in table.to_dict(orient="records")]


def parse_text(text: str, path: str) -> list[RawEvent]:
    """Parse text whose format is told by its first character (see module doc)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise DataFileError(path, "no input (empty)")
    if stripped[0] == "[":
        return parse_json(stripped, path)
    if stripped[0] == "{":
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data":
                return parse_json_lines(stripped, path)
        except (RecursionError, ValueError):
            pass
        else:
            return _json_document(doc, path)
        return parse_json(stripped, path)
    return parse_csv(stripped, path)


def _read_stdin() -> str:
    """Read standard input as UTF-8 text; binary junk is refused, not half-decoded."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return read_stream(buffer, "<stdin>")
    # a text stream (tests, embedding): undo a lenient decoding before checking it
    return decode_text(sys.stdin.read().encode("utf-8", "surrogateescape"), "<stdin>")


def _frame_records(frame: pd.DataFrame) -> list[RawEvent]:
    """Turn a GeoDataFrame's rows (with geometries) or a DataFrame's (flat records) to events."""
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


def read_event_source(source: EventSource) -> tuple[list[RawEvent], str]:
    """Parse any event source into raw events and a label for messages.

    Parameters
    ----------
    source : str, pathlib.Path, bytes, DataFrame, dict or iterable of dict
        A file path; ``"-"`` for standard input; raw GeoJSON/CSV/JSON Lines
        text (a string containing a newline or starting with ``{`` or ``[``,
        or UTF-8 bytes); a GeoDataFrame (its geometries) or a DataFrame
        (``lat``/``lon`` or ``geometry`` columns), one event a row; one parsed
        GeoJSON object (Feature, FeatureCollection or flat record); or
        records (GeoJSON Features or flat dicts).

    Returns
    -------
    tuple of (list of RawEvent, str)
        The parsed events and where they came from.

    Raises
    ------
    InputTypeError
        For anything else (``None``, a number...).
    """
    if isinstance(source, pd.DataFrame):
        label = "<GeoDataFrame>" if isinstance(source, gpd.GeoDataFrame) else "<DataFrame>"
        return _frame_records(source), label
    if isinstance(source, bytes | bytearray):
        return parse_text(decode_text(bytes(source), "<bytes>"), "<bytes>"), "<bytes>"
    if isinstance(source, Mapping):
        return _json_document(dict(source), "<record>"), "<record>"
    if isinstance(source, str) and source == "-":
        return parse_text(_read_stdin(), "<stdin>"), "<stdin>"
    if isinstance(source, str) and ("\n" in source or source.lstrip()[:1] in ("{", "[")):
        return parse_text(source, "<text>"), "<text>"
    if isinstance(source, str | Path):
        path = Path(source)
        suffix = path.suffix.lower()
        label = str(path)
        if "\x00" in label:
            raise DataFileError(repr(label), "a file name cannot hold a NUL character")
        if suffix in JSON_SUFFIXES:
            return parse_text(read_text_file(path), label), label
        if suffix in JSONL_SUFFIXES:
            return parse_json_lines(read_text_file(path), label), label
        if suffix in CSV_SUFFIXES:
            return parse_csv(read_text_file(path), label), label
        raise UnsupportedFormatError(
            f"{path}: unsupported file type {suffix or '(none)'}; use one of "
            f"{', '.join(JSON_SUFFIXES + JSONL_SUFFIXES + CSV_SUFFIXES)} or '-' for stdin"
        )
    if source is None or isinstance(source, str) or not isinstance(source, Iterable):
        raise InputTypeError(
            f"cannot read events from {type(source).__name__} {source!r:.60}; give a file path, "
            "'-', GeoJSON/CSV/JSON Lines text, a (Geo)DataFrame, or a list of records")
    return [_json_item(item) for item in source], "<records>"


def add_events(
    source: EventSource,
    store: str | Path | None = None,
    *,
    assume_utc: bool = False,
    layer: str | None = None,
) -> AddReport:
    """Validate a batch of events and add it to the event store, all or nothing.

    Parameters
    ----------
    source : str, pathlib.Path, bytes, DataFrame, dict or iterable of dict
        GeoJSON (Feature or FeatureCollection), CSV with lat/lon or JSON Lines,
        as a file, ``"-"`` for standard input, raw text or UTF-8 bytes; a
        GeoDataFrame, or a DataFrame with lat/lon or WKT ``geometry``
        columns, one event a row; one parsed GeoJSON object; or a list of
        records (see :func:`read_event_source`).
    store : str or pathlib.Path, optional
        The GeoPackage event store; default :func:`default_store_path`.
        Created if missing.
    assume_utc : bool
        Take times without a timezone as UTC instead of refusing them.
    layer : str, optional
        Layer for records that do not name one: a catalogue layer such as
        ``"shadow_fleet"``, or ``"events_<domain>"``.

    Returns
    -------
    AddReport
        How many events were added and updated, their ids, the store, and
        the ids whose Z (height) coordinate was dropped (``flattened``).

    Raises
    ------
    SchemaError
        If any record is bad: every problem is listed; nothing is stored.
    DataFileError
        If the source cannot be read or parsed (binary, not UTF-8, nested
        too deeply), or the store is not an event store.
    StoreError
        If the store cannot take the batch: damaged
        (:class:`~northpic.errors.DamagedStoreError`), read-only or full
        (:class:`~northpic.errors.StoreNotWritableError`), or busy; the
        store is left as it was.
    InputTypeError
        If ``source`` is none of the above (``None``, a number...).

    Examples
    --------
    >>> from northpic.events import add_events
    >>> report = add_events([{
    ...     "name": "Tanker diverts north of Kirkenes", "kind": "diversion",
    ...     "time": "2026-01-15T08:30:00+01:00", "lat": 70.2, "lon": 30.9,
    ...     "domain": "economic", "source": "Coast guard report 2026-01-15",
    ...     "confidence": "medium", "precision_km": 5}], store="events.gpkg")  # doctest: +SKIP
    >>> report.added  # doctest: +SKIP
    1
    """
    from northpic.events.store import default_store_path

    raw, label = read_event_source(source)
    with_z = [i for i, event in enumerate(raw)
              if event.geometry is not None and getattr(event.geometry, "has_z", False)]
    frame = validate_events(raw, label, assume_utc=assume_utc, layer=layer)
    report = write_events(frame, Path(store) if store is not None else default_store_path(),
                          label)
    return replace(report, flattened=tuple(str(i) for i in frame["id"].iloc[with_z]))
