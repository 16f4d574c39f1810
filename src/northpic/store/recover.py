"""Save what can be read from a damaged event store into a new one.

:func:`copy_readable_events` reads a store row by row, without trusting its
integrity: every row SQLite can still read and the caller's check (the
event schema, see :func:`northpic.events.export_good_events`) still passes
is copied into a new store; the rest is counted and named. SQLite's own
``.recover`` (``sqlite3 damaged.gpkg .recover | sqlite3 recovered.gpkg``)
can salvage rows from damaged pages that a query cannot reach, but checks
nothing: copy its result through this function once more.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd

from northpic.errors import DamagedStoreError, OutputExistsError
from northpic.store.connection import open_for_reading
from northpic.store.gpkg import (
    _DECLARED,
    _MARKED,
    _STORED,
    TABLE,
    _events_frame,
    _marking_select,
    write_events,
)

#: Checks recovered events: takes them as a frame and where they came from; returns
#: the events that pass and, for each one left out, its record and reason.
Revalidate: TypeAlias = Callable[[gpd.GeoDataFrame, str], tuple[gpd.GeoDataFrame, list[str]]]

#: After this many fids in a row that cannot be read past the last known one, stop looking.
_PROBE_GAP = 1000


@dataclass(frozen=True)
class RecoveryReport:
    """What :func:`copy_readable_events` saved.

    Attributes
    ----------
    copied : int
        Events written to the new store.
    unreadable : tuple of int
        Row numbers (``fid``) SQLite or northpic could not read.
    absent : int
        Row numbers up to the highest one with no row: events removed
        earlier, or rows lost with the damaged pages (SQLite cannot tell).
    invalid : tuple of str
        Records that read but no longer pass validation, with the reason.
    out : pathlib.Path
        The new store.
    """

    copied: int
    unreadable: tuple[int, ...]
    invalid: tuple[str, ...]
    out: Path
    absent: int = 0

    def __str__(self) -> str:
        lines = [f"copied {self.copied} event(s) into {self.out}"]
        if self.unreadable:
            shown = ", ".join(map(str, self.unreadable[:10]))
            more = " ..." if len(self.unreadable) > 10 else ""
            lines.append(f"left behind {len(self.unreadable)} unreadable row(s): fid {shown}{more}")
        if self.absent:
            lines.append(f"{self.absent} row number(s) below the highest hold no row: events "
                         "removed earlier, or rows lost with the damaged pages")
        lines += [f"left behind {problem}" for problem in self.invalid[:20]]
        if len(self.invalid) > 20:
            lines.append(f"... and {len(self.invalid) - 20} more invalid records")
        return "\n".join(lines)


def _layout(conn: sqlite3.Connection, path: Path) -> tuple[list[tuple[str, str]], set[str]]:
    """Read the extra attribute columns and their kinds, and which marking columns exist."""
    try:
        columns = [(row[1], (row[2] or "TEXT").upper())
                   for row in conn.execute(f"PRAGMA table_info({TABLE})")]
    except sqlite3.DatabaseError as exc:
        raise DamagedStoreError(str(path), f"cannot read even the layout of its events table "
                                           f"({exc}); try sqlite3's `.recover`") from None
    if not {"fid", "geom", *_STORED} <= {name for name, _ in columns}:
        raise DamagedStoreError(str(path), "its events table lacks northpic's columns; try "
                                           "sqlite3's `.recover`")
    try:
        json_columns = {row[0] for row in conn.execute(
            "SELECT column_name FROM gpkg_data_columns WHERE table_name = ? AND "
            "mime_type = 'application/json'", (TABLE,))}
    except sqlite3.DatabaseError:
        json_columns = set()  # JSON attributes then come back as their text
    kinds = {v: k for k, v in _DECLARED.items() if k != "json"}
    fixed = {"fid", "geom", "added_at", "updated_at", *_STORED, *_MARKED}
    attributes = [(name, "json" if name in json_columns else kinds.get(declared, "text"))
                  for name, declared in columns if name not in fixed]
    return attributes, {name for name, _ in columns if name in _MARKED}


def _last_fid(conn: sqlite3.Connection) -> int | None:
    for sql in (f"SELECT max(fid) FROM {TABLE}",
                "SELECT seq FROM sqlite_sequence WHERE name = 'events'"):
        try:
            row = conn.execute(sql).fetchone()
        except sqlite3.DatabaseError:
            continue
        if row and row[0] is not None:
            return int(row[0])
    return None


def _read_rows(conn: sqlite3.Connection, attributes: list[tuple[str, str]], marked: set[str]
               ) -> tuple[list[tuple[Any, ...]], list[int], int]:
    """Read every row that can be read, one fid at a time.

    Returns the rows, the fids whose reading failed, and how many fids up to
    the highest known one hold no row. Without a known highest fid, fids are
    tried until :data:`_PROBE_GAP` in a row give nothing.
    """
    selected = ", ".join([*(f'"{c}"' for c in ["geom", *_STORED]), *_marking_select(marked),
                          *(f'"{n}"' for n, _ in attributes)])
    query = f"SELECT {selected} FROM {TABLE} WHERE fid = ?"
    last = _last_fid(conn)
    rows: list[tuple[Any, ...]] = []
    unreadable: list[int] = []
    absent: list[int] = []
    fid, misses = 0, 0
    while (fid < last) if last is not None else (misses < _PROBE_GAP):
        fid += 1
        try:
            row = conn.execute(query, (fid,)).fetchone()
            if row is not None:
                _events_frame([row], attributes)  # northpic can decode it
        except (sqlite3.DatabaseError, ValueError, TypeError, UnicodeDecodeError):
            unreadable.append(fid)
            misses += 1
            continue
        if row is None:
            misses += 1
            absent.append(fid)
            continue
        misses = 0
        rows.append(row)
    end = last if last is not None else fid - misses  # not the probe past the end
    return rows, unreadable, sum(1 for f in absent if f <= end)


def copy_readable_events(store: Path, out: Path, revalidate: Revalidate) -> RecoveryReport:
    """Copy every readable event of a (damaged) store that passes ``revalidate`` into a new store.

    Parameters
    ----------
    store : pathlib.Path
        The store to read; opened read-only, never changed, not checked first.
    out : pathlib.Path
        The new store; must not exist yet.
    revalidate : callable
        Checks the events read (see :data:`Revalidate`).

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
    """
    if out.exists() or out.with_name(out.name + "-wal").exists():
        raise OutputExistsError(f"{out}: exists; choose a new file for the good events")
    if not store.is_file():
        raise DamagedStoreError(str(store), "no such file")
    conn = open_for_reading(store)
    try:
        attributes, marked = _layout(conn, store)
        rows, unreadable, absent = _read_rows(conn, attributes, marked)
    finally:
        conn.close()
    if not rows:
        raise DamagedStoreError(str(store), "no event could be read from it; try sqlite3's "
                                            "`.recover` or `.dump` (see docs/events.md)")
    valid, invalid = revalidate(_events_frame(rows, attributes), str(store))
    write_events(valid, out, str(store))
    return RecoveryReport(copied=len(valid), unreadable=tuple(unreadable),
                          invalid=tuple(invalid), out=out, absent=absent)


__all__ = ["RecoveryReport", "Revalidate", "copy_readable_events"]
