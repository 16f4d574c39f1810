"""List events for an audience, and present them as a plain-text table (``northpic events list``).

A listing is a product like any other: :func:`list_events` keeps only what
the audience may receive and computes the marking of what it holds; the
text form shows that banner first and last. The ``--json`` form is written
by :mod:`northpic.export.event_list`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from northpic.errors import BadInputError
from northpic.markings import (
    MarkingTable,
    ProductMarking,
    for_audience,
    parse_audience,
    product_marking,
)
from northpic.schema import MARKING_COLUMNS
from northpic.text import terminal_text
from northpic.times import format_time, is_blank

_TABLE_COLUMNS = ("id", "time", "kind", "domain", "confidence", "releasability", "name")
#: The banner of a listing of unmarked events (``events list --unmarked``).
UNMARKED_BANNER = ("UNMARKED // RELEASABLE TO NO AUDIENCE UNTIL ADDED AGAIN WITH MARKINGS")


@dataclass(frozen=True)
class EventListing:
    """Events listed for an audience, and the marking they need.

    Attributes
    ----------
    events : geopandas.GeoDataFrame
        The events, oldest first.
    marking : ProductMarking or None
        Their marking; ``None`` for a listing of unmarked events.
    """

    events: gpd.GeoDataFrame
    marking: ProductMarking | None

    @property
    def banner(self) -> str:
        """The banner the listing shows first and last."""
        return UNMARKED_BANNER if self.marking is None else self.marking.banner

    def marking_dict(self) -> dict[str, str | None]:
        """Return the marking as metadata (``ProductMarking.as_dict()``; blank if unmarked)."""
        if self.marking is None:
            return {"banner": UNMARKED_BANNER, "classification": None, "releasability": None,
                    "prepared_for": None}
        return dict(self.marking.as_dict())


def unmarked_mask(frame: pd.DataFrame) -> pd.Series:
    """Mark the events without a marking (stored before northpic kept markings)."""
    blank = pd.Series(False, index=frame.index)
    for column in MARKING_COLUMNS:
        if column not in frame.columns:
            return pd.Series(True, index=frame.index)
        blank |= frame[column].map(is_blank)
    return blank


def list_events(
    store: str | Path | None = None,
    *,
    since: str | date | datetime | pd.Timestamp | None = None,
    kind: str | None = None,
    audience: str | frozenset[str] | None = None,
    markings: MarkingTable | str | Path | None = None,
    unmarked: bool = False,
) -> EventListing:
    """Read the stored events an audience may receive, with the listing's marking.

    Parameters
    ----------
    store : str or pathlib.Path, optional
        The event store; default :func:`northpic.store.default_store_path`.
    since, kind : optional
        As for :func:`northpic.store.read_events`.
    audience : str or frozenset of str, optional
        Keep only events releasable to it (``"EU"``, ``"NATO,EU"``). Default:
        every event, if one audience may see them all.
    markings : MarkingTable, str or pathlib.Path, optional
        The markings table (or its file); default northpic's own.
    unmarked : bool
        List only the events stored before markings (to add them again
        with markings); they are releasable to no audience.

    Returns
    -------
    EventListing

    Raises
    ------
    MarkingMixError
        Without ``audience``, when no single audience may see every event,
        or an event is unmarked.
    MarkingsError
        For an audience or a markings file the table does not allow.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from northpic.events import add_events
    >>> store = pathlib.Path(tempfile.mkdtemp()) / "events.gpkg"
    >>> record = {"kind": "k", "time": "2026-01-15T08:30Z", "lat": 70.2, "lon": 30.9,
    ...     "domain": "economic", "source": "s", "confidence": "low", "precision_km": 5}
    >>> _ = add_events([dict(record, name="A", releasability="NATO, EU"),
    ...                 dict(record, name="B", releasability="NOR EYES ONLY")],
    ...                store, originator="NOR JOC")
    >>> listing = list_events(store, audience="EU")
    >>> list(listing.events["name"]), listing.banner, listing.marking.prepared_for
    (['A'], 'UNCLASSIFIED // RELEASABLE TO NATO, EU', 'EU')
    """
    from northpic.markings import markings_table
    from northpic.store import read_events

    table = markings_table(markings)
    codes = parse_audience(audience, table) if isinstance(audience, str) else audience
    frame = read_events(store, since=since, kind=kind)
    if unmarked:
        if codes is not None:
            raise BadInputError("unmarked events are releasable to no audience: list them "
                                "without --audience")
        return EventListing(frame[unmarked_mask(frame)], None)
    frame = for_audience(frame, codes, table)
    return EventListing(frame, product_marking([frame], table, codes))


def _cell_width(text: str) -> int:
    """Columns a terminal gives ``text``: wide East Asian and emoji take two, marks none."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_events_table(frame: gpd.GeoDataFrame, banner: str | None = None) -> str:
    r"""Format events as an aligned plain-text table, one event a line.

    With a ``banner`` (the listing's marking, see :class:`EventListing`), it
    is the first and the last line. Nothing a terminal would act on is printed: control characters,
    bidirectional overrides and line separators are shown escaped (see
    :func:`northpic.text.terminal_text`); wide characters take two columns.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> t = pd.Timestamp("2026-01-15T06:30Z")
    >>> rows = pd.DataFrame({"id": ["ev-1"], "name": ["Tanker\x1b[2J"],
    ...     "layer": "events_economic", "domain": "economic", "kind": "diversion",
    ...     "source": "s", "confidence": "medium", "precision_km": 5.0, "valid_from": t,
    ...     "valid_to": pd.NaT, "time": t, "notes": "", "releasability": "PUBLIC"})
    >>> events = gpd.GeoDataFrame(rows, geometry=[shapely.Point(30.9, 70.2)], crs="EPSG:4326")
    >>> print(format_events_table(events, banner="UNCLASSIFIED // PUBLIC RELEASE"))
    UNCLASSIFIED // PUBLIC RELEASE
    id    time                      kind       domain    confidence  releasability  name
    ev-1  2026-01-15T06:30:00.000Z  diversion  economic  medium      PUBLIC         Tanker\x1b[2J
    UNCLASSIFIED // PUBLIC RELEASE
    """
    body = _table(frame)
    return body if banner is None else "\n".join([banner, body, banner])


def _table(frame: gpd.GeoDataFrame) -> str:
    if frame.empty:
        return "no events"
    marks = (frame["releasability"] if "releasability" in frame.columns
             else pd.Series("", index=frame.index))
    frame = frame.assign(releasability=marks.map(lambda v: "(unmarked)" if is_blank(v) else v))
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


__all__ = ["UNMARKED_BANNER", "EventListing", "format_events_table", "list_events",
           "unmarked_mask"]
