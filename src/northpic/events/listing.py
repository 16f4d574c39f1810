"""Present events as a plain-text table (``northpic events list``).

The ``--json`` form is written by :mod:`northpic.export.event_list`.
"""

from __future__ import annotations

import unicodedata

import geopandas as gpd

from northpic.text import terminal_text
from northpic.times import format_time

_TABLE_COLUMNS = ("id", "time", "kind", "domain", "confidence", "name")


def _cell_width(text: str) -> int:
    """Columns a terminal gives ``text``: wide East Asian and emoji take two, marks none."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_events_table(frame: gpd.GeoDataFrame) -> str:
    r"""Format events as an aligned plain-text table, one event a line.

    Nothing a terminal would act on is printed: control characters,
    bidirectional overrides and line separators are shown escaped (see
    :func:`northpic.text.terminal_text`); wide characters take two columns.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> t = pd.Timestamp("2026-01-15T06:30Z")
    >>> rows = pd.DataFrame({"id": ["ev-1"], "name": ["Tanker diverts\x1b[2J"],
    ...     "layer": "events_economic", "domain": "economic", "kind": "diversion",
    ...     "source": "s", "confidence": "medium", "precision_km": 5.0, "valid_from": t,
    ...     "valid_to": pd.NaT, "time": t, "notes": ""})
    >>> events = gpd.GeoDataFrame(rows, geometry=[shapely.Point(30.9, 70.2)], crs="EPSG:4326")
    >>> print(format_events_table(events))
    id    time                      kind       domain    confidence  name
    ev-1  2026-01-15T06:30:00.000Z  diversion  economic  medium      Tanker diverts\x1b[2J
    """
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
