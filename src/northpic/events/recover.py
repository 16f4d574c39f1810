"""Save what can be read from a damaged event store into a new one.

The store reads what SQLite can still read (see :mod:`northpic.store.recover`);
this module keeps the events that still pass the event schema. SQLite's own
``.recover`` (``sqlite3 damaged.gpkg .recover | sqlite3 recovered.gpkg``)
can salvage rows from damaged pages that a query cannot reach, but checks
nothing: copy its result through :func:`export_good_events` once more.

Markings are checked like any other field, against the markings table the
store was written with (``markings``). An event stored before markings
(all three marking fields blank) is copied unmarked, as it was: it stays
releasable to no audience until it is added again with markings.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from northpic.errors import SchemaError
from northpic.events.schema import RawEvent, validate_events
from northpic.markings import MarkingTable
from northpic.store.recover import RecoveryReport, copy_readable_events
from northpic.times import is_blank


def keep_valid_events(frame: gpd.GeoDataFrame, label: str, markings: MarkingTable | None = None
                      ) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Validate events read back from a store again; keep those that pass.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Events as a store returns them (``valid_from`` equal to ``time``).
    label : str
        Where they came from, for messages.
    markings : MarkingTable, optional
        The table their markings must be in; default northpic's own.

    Returns
    -------
    tuple of (geopandas.GeoDataFrame, list of str)
        The valid events (as :func:`~northpic.events.schema.validate_events`
        returns them) and every problem of the records left out.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> t = pd.Timestamp("2026-01-15T06:30Z")
    >>> rows = pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"], "layer": "events_social",
    ...     "domain": "social", "kind": "k", "source": "s", "confidence": ["low", "sure"],
    ...     "precision_km": 1.0, "valid_from": t, "valid_to": pd.NaT, "time": t, "notes": "",
    ...     "classification": "UNCLASSIFIED", "releasability": "NATO", "originator": "NOR JOC"})
    >>> frame = gpd.GeoDataFrame(rows, geometry=[shapely.Point(20, 70)] * 2, crs="EPSG:4326")
    >>> valid, left_out = keep_valid_events(frame, "old.gpkg")
    >>> list(valid["id"]), left_out
    (['a'], ["old.gpkg: record 'b': unknown confidence 'sure'; expected one of high, medium, low"])
    """
    frame = frame.drop(columns="valid_from")
    records = [
        {k: v for k, v in rec.items() if not is_blank(v)}
        for rec in frame.drop(columns="geometry").to_dict(orient="records")
    ]
    raw = [RawEvent(r, g) for r, g in zip(records, frame.geometry, strict=True)]
    try:
        return validate_events(raw, label, markings=markings, unmarked_ok=True), []
    except SchemaError as exc:
        bad = {p.record for p in exc.problems}
        invalid = [str(p) for p in exc.problems]
    keep = [i for i, r in enumerate(records)
            if repr(r.get("id")) not in bad and f"#{i + 1}" not in bad]
    return validate_events([raw[i] for i in keep], label, markings=markings,
                           unmarked_ok=True), invalid


def export_good_events(store: str | Path, out: str | Path, *,
                       markings: MarkingTable | str | Path | None = None) -> RecoveryReport:
    """Copy every readable, valid event of a (damaged) store into a new store.

    Parameters
    ----------
    store : str or pathlib.Path
        The store to read; opened read-only, never changed, not checked first.
    out : str or pathlib.Path
        The new store; must not exist yet.
    markings : MarkingTable, str or pathlib.Path, optional
        The markings table the store's events were marked with (a table or
        a JSON file); default northpic's own.

    Returns
    -------
    RecoveryReport
        How many events were copied, and which rows were left behind and why.

    Raises
    ------
    OutputExistsError
        If ``out`` exists.
    DamagedStoreError
        If not even the table's layout can be read, or no event can.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from northpic.events import add_events
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = add_events([{"name": "Tanker diverts", "kind": "diversion",
    ...     "time": "2026-01-15T08:30Z", "lat": 70.2, "lon": 30.9, "domain": "economic",
    ...     "source": "Coast guard", "confidence": "medium", "precision_km": 5}],
    ...     store=folder / "watch.gpkg", releasability="PUBLIC", originator="NOR JOC")
    >>> report = export_good_events(folder / "watch.gpkg", folder / "watch-good.gpkg")
    >>> report.copied, report.unreadable, report.invalid
    (1, (), ())
    """
    from northpic.markings import markings_table

    table = markings_table(markings)
    return copy_readable_events(Path(store).expanduser(), Path(out).expanduser(),
                                lambda frame, label: keep_valid_events(frame, label, table))


__all__ = ["RecoveryReport", "export_good_events", "keep_valid_events"]
