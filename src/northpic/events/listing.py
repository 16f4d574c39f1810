"""Present events: a plain-text table, or GeoJSON that ``events add`` reads back."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from northpic.schema import COMMON_COLUMNS
from northpic.text import terminal_text
from northpic.times import format_time

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
        return format_time(value)
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
    cells = [[format_time(v) if c == "time" else str(v) for c, v in
              zip(_TABLE_COLUMNS, row, strict=True)]
             for row in frame[list(_TABLE_COLUMNS)].itertuples(index=False, name=None)]
    cells = [[terminal_text(cell) for cell in row] for row in cells]
    widths = [max(len(h), *(_cell_width(r[i]) for r in cells))
              for i, h in enumerate(_TABLE_COLUMNS)]

    def line(row: list[str] | tuple[str, ...]) -> str:
        return "  ".join(c + " " * (w - _cell_width(c))
                         for c, w in zip(row, widths, strict=True)).rstrip()

    return "\n".join([line(_TABLE_COLUMNS), *(line(r) for r in cells)])


def format_events(frame: gpd.GeoDataFrame, *, as_json: bool = False) -> str:
    r"""Present events as a plain-text table, or as GeoJSON text that ``events add`` reads.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Events as :func:`northpic.store.read_events` returns them.
    as_json : bool
        Write an RFC 7946 FeatureCollection (see :func:`events_geojson`)
        instead of the table. What a terminal would act on (C1 controls,
        bidirectional overrides) is escaped in either form.

    Returns
    -------
    str

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> t = pd.Timestamp("2026-01-15T06:30Z")
    >>> rows = pd.DataFrame({"id": ["ev-1"], "name": ["Tanker diverts\x1b[2J"],
    ...     "layer": "events_economic", "domain": "economic", "kind": "diversion",
    ...     "source": "s", "confidence": "medium", "precision_km": 5.0, "valid_from": t,
    ...     "valid_to": pd.NaT, "time": t, "notes": ""})
    >>> events = gpd.GeoDataFrame(rows, geometry=[shapely.Point(30.9, 70.2)], crs="EPSG:4326")
    >>> print(format_events(events))
    id    time                      kind       domain    confidence  name
    ev-1  2026-01-15T06:30:00.000Z  diversion  economic  medium      Tanker diverts\x1b[2J
    >>> import json
    >>> json.loads(format_events(events, as_json=True))["features"][0]["geometry"]
    {'type': 'Point', 'coordinates': [30.9, 70.2]}
    """
    if as_json:
        text = json.dumps(events_geojson(frame), ensure_ascii=False, indent=1)
        # Unicode stays readable; what a terminal would act on is escaped, still valid JSON
        return _JSON_UNSHOWABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return format_events_table(frame)
