"""Present stored events: a plain-text table, or GeoJSON that ``events add`` reads back."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from northpic.events.schema import format_event_time
from northpic.events.store import read_events
from northpic.schema import COMMON_COLUMNS
from northpic.text import terminal_text

_TABLE_COLUMNS = ("id", "time", "kind", "domain", "confidence", "name")
# The same minus C0 controls, which JSON escapes itself.
_JSON_UNSHOWABLE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _cell_width(text: str) -> int:
    """Columns a terminal gives ``text``: wide East Asian and emoji take two, marks none."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _json_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return value
    if value is None or pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return format_event_time(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def events_geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """Write events as an RFC 7946 FeatureCollection (times in UTC, ``Z``).

    Built by :func:`northpic.export.geojson.feature_collection`, the
    project's one GeoJSON writer. ``valid_from`` is left out (it is the
    ``time``); empty attributes are left out; everything else, extra
    attributes included, is kept, so ``northpic events add`` reads the
    result back unchanged.
    """
    from northpic.export.geojson import feature_collection

    def properties(row: dict[str, Any]) -> dict[str, Any]:
        props = {c: _json_value(v) for c, v in row.items() if c != "valid_from"}
        return {c: v for c, v in props.items() if v is not None or c in COMMON_COLUMNS}

    return feature_collection(frame, properties=properties, id_column="id")


def format_events_table(frame: gpd.GeoDataFrame) -> str:
    """Format events as an aligned plain-text table, one event a line."""
    if frame.empty:
        return "no events"
    cells = [[format_event_time(v) if c == "time" else str(v) for c, v in
              zip(_TABLE_COLUMNS, row, strict=True)]
             for row in frame[list(_TABLE_COLUMNS)].itertuples(index=False, name=None)]
    cells = [[terminal_text(cell) for cell in row] for row in cells]
    widths = [max(len(h), *(_cell_width(r[i]) for r in cells))
              for i, h in enumerate(_TABLE_COLUMNS)]

    def line(row: list[str] | tuple[str, ...]) -> str:
        return "  ".join(c + " " * (w - _cell_width(c))
                         for c, w in zip(row, widths, strict=True)).rstrip()

    return "\n".join([line(_TABLE_COLUMNS), *(line(r) for r in cells)])


def list_events(
    store: str | Path | None = None,
    *,
    since: str | date | datetime | pd.Timestamp | None = None,
    kind: str | None = None,
    as_json: bool = False,
) -> str:
    """Read the store and present its events as a table or as GeoJSON text.

    Examples
    --------
    >>> print(list_events("events.gpkg", kind="diversion"))  # doctest: +SKIP
    id                   time                      kind       domain    confidence  name
    ev-9616e2c08df4de94  2026-01-15T06:30:00.000Z  diversion  economic  medium      Tanker diverts
    """
    frame = read_events(store, since=since, kind=kind)
    if as_json:
        text = json.dumps(events_geojson(frame), ensure_ascii=False, indent=1)
        # Unicode stays readable; what a terminal would act on is escaped, still valid JSON
        return _JSON_UNSHOWABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return format_events_table(frame)
