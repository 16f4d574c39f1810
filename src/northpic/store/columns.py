"""The event store's columns, whatever the backend: what is stored, and the frame read back.

Both backends (:mod:`northpic.store.gpkg`, :mod:`northpic.store.postgis`)
store the same fixed columns (:data:`STORED`), the marking columns and one
column per extra attribute, and hand their rows to :func:`events_frame` in
one form: times as UTC text (:func:`~northpic.times.format_time`), JSON
attributes as their text, so that both read back the same frame, dtypes
included.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from northpic.errors import Problem, SchemaError
from northpic.schema import (
    COMMON_COLUMNS,
    EVENT_COLUMNS,
    MARKING_COLUMNS,
    STORAGE_CRS,
    attribute_kind,
    typed_attribute,
)
from northpic.text import terminal_text
from northpic.times import format_time

#: The fixed columns of every stored event, in order (before the marking columns).
STORED = ("id", "name", "layer", "domain", "kind", "source", "confidence", "precision_km",
          "time", "valid_to", "notes")
#: The marking columns (NULL in events stored before markings).
MARKED = MARKING_COLUMNS
#: The text columns of :data:`STORED` that a batch always fills.
TEXT_COLUMNS = ("name", "layer", "domain", "kind", "source", "confidence", "notes")


def batch_kind(series: pd.Series) -> str | None:
    """Return the kind of an extra attribute's values in a batch (``None`` if all are blank)."""
    for value in series:
        if value is None or value is pd.NA or value is pd.NaT or (
            isinstance(value, float) and np.isnan(value)
        ):
            continue
        kind = attribute_kind(value.item() if isinstance(value, np.generic) else value)
        if kind == "integer" and series.dtype.kind == "f":
            return "real"
        return kind
    return None


def extra_columns(frame: pd.DataFrame) -> list[str]:
    """Return the batch's extra attribute columns: neither common, event, marking nor geometry."""
    return [c for c in frame.columns if c not in COMMON_COLUMNS and c not in EVENT_COLUMNS
            and c not in MARKED and c != "geometry"]


def new_attributes(frame: pd.DataFrame, stored: dict[str, str], reserved: tuple[str, ...],
                   label: str, where: str) -> dict[str, str]:
    """Check a batch's extra attributes against the store's; return the new ones and their kinds.

    Parameters
    ----------
    frame : pandas.DataFrame
        The validated batch.
    stored : dict
        The store's extra attributes and their kinds.
    reserved : tuple of str
        The store's other column names (fixed, bookkeeping, marking).
    label, where : str
        The batch and the store, for messages.

    Raises
    ------
    SchemaError
        If an attribute's name differs only in case from a stored column's,
        or its values are of another kind than the store holds (integers
        may go where reals are).
    """
    lowered = {name.lower(): name for name in [*stored, *reserved]}
    problems = []
    new: dict[str, str] = {}
    for name in extra_columns(frame):
        kind = batch_kind(frame[name])
        existing = lowered.get(name.lower())
        if existing is not None and existing != name:
            problems.append(Problem(label, None, f"attribute {name!r} clashes with {existing!r} "
                                                 f"in the store {where}"))
        elif name in stored:
            have = stored[name]
            if kind is not None and kind != have and not (have == "real" and kind == "integer"):
                problems.append(Problem(label, None, f"attribute {name!r} holds {kind} values "
                                                     f"here but {have} values in the store "
                                                     f"{where}"))
        else:
            new[name] = kind or "text"
            lowered[name.lower()] = name
    if problems:
        raise SchemaError(problems)
    return new


def stored_values(series: pd.Series, kind: str) -> list[Any]:
    """Return an extra attribute's values as stored: times as UTC text, JSON as text."""
    def convert(value: Any) -> Any:
        if value is None or value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and np.isnan(value):
            return None
        if kind == "datetime":
            return format_time(pd.Timestamp(value))
        if kind == "json":
            return json.dumps(value, ensure_ascii=False)
        if kind == "boolean":
            return int(bool(value))
        if kind == "real":
            return float(value)
        return value

    return [convert(v) for v in series.astype(object)]


def marking_values(frame: pd.DataFrame, column: str) -> list[str | None]:
    """Return a marking column's values, blank ones as ``None``."""
    if column not in frame.columns:
        return [None] * len(frame)
    return [v if isinstance(v, str) and v.strip() else None for v in frame[column]]


def batch_columns(frame: gpd.GeoDataFrame, attributes: dict[str, str]) -> dict[str, list[Any]]:
    """Return the batch's values per stored column (no geometry), in stored form."""
    columns: dict[str, list[Any]] = {
        "id": [str(i) for i in frame["id"]],
        **{c: [str(v) for v in frame[c]] for c in TEXT_COLUMNS},
        "precision_km": [float(v) for v in frame["precision_km"]],
        "time": [format_time(t) for t in frame["time"]],
        "valid_to": [None if pd.isna(t) else format_time(t) for t in frame["valid_to"]],
        **{c: marking_values(frame, c) for c in MARKED},
    }
    for name, kind in attributes.items():
        columns[name] = (stored_values(frame[name], kind) if name in frame.columns
                         else [None] * len(frame))
    return {n: columns[n] for n in [*STORED, *MARKED, *attributes]}


def find_id(event_id: str, candidates: list[str]) -> str | None:
    """Return the stored id ``event_id`` names: itself, or an id it shows escaped."""
    if "\\" not in event_id:
        return None
    return next((stored for stored in candidates if terminal_text(stored) == event_id), None)


def events_frame(rows: list[tuple[Any, ...]], geometries: Any,
                 attributes: list[tuple[str, str]]) -> gpd.GeoDataFrame:
    """Build the events frame from stored rows.

    Parameters
    ----------
    rows : list of tuple
        One tuple per event: :data:`STORED`, :data:`MARKED`, then the extra
        attributes, in that order; times as UTC text, JSON as text.
    geometries : array of shapely geometries
        The events' geometries, in the order of ``rows``.
    attributes : list of (str, str)
        The extra attributes and their kinds, in the order of the rows.
    """
    names = [*STORED, *MARKED, *(n for n, _ in attributes)]
    values = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    columns = dict(zip(names, values, strict=True))
    time = pd.to_datetime(pd.Series(columns["time"], dtype=object), utc=True, format="ISO8601")
    data: dict[str, Any] = {c: pd.Series(columns[c], dtype=object).astype(str)
                            for c in ("id", "name", "layer", "domain", "kind", "source",
                                      "confidence")}
    data["precision_km"] = pd.Series(columns["precision_km"], dtype="float64")
    data["valid_from"] = time
    data["valid_to"] = pd.to_datetime(pd.Series(columns["valid_to"], dtype=object), utc=True,
                                      format="ISO8601")
    data["time"] = time
    data["notes"] = pd.Series(columns["notes"], dtype=object).astype(str)
    for name in MARKED:  # NULL (an event stored before markings): blank, i.e. unmarked
        data[name] = pd.Series(["" if v is None else str(v) for v in columns[name]], dtype=object)
    for name, kind in attributes:
        raw = list(columns[name])
        if kind == "json":
            raw = [None if v is None else json.loads(v) for v in raw]
        data[name] = pd.Series(typed_attribute(raw, kind))
    frame = pd.DataFrame(data)
    ordered = [*COMMON_COLUMNS, *MARKED, *EVENT_COLUMNS, *(n for n, _ in attributes)]
    return gpd.GeoDataFrame(frame[ordered], geometry=gpd.GeoSeries(geometries, crs=STORAGE_CRS),
                            crs=STORAGE_CRS)


__all__ = ["MARKED", "STORED", "TEXT_COLUMNS", "batch_columns", "batch_kind", "events_frame",
           "extra_columns", "find_id", "marking_values", "new_attributes", "stored_values"]
