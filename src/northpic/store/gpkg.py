"""The GeoPackage backend of the event store: one file, written in SQLite transactions.

Every write is one ``BEGIN IMMEDIATE`` transaction in WAL mode with
``synchronous = FULL``: a batch is stored wholly or not at all, even if the
writer is killed; concurrent writers queue on the lock (up to
:data:`~northpic.store.connection.BUSY_TIMEOUT_S`); readers see the last
committed state and are not blocked by writers. GDAL, pyogrio and QGIS read
the file as a GeoPackage with one feature table, ``events``, and one
attributes table, ``events_history`` (see :mod:`northpic.store.history`):
every write appends its history rows in the same transaction. A store is read
without write access (read-only media included), checked before a process
first writes to it, and created atomically: see :mod:`northpic.store.connection`.

The functions here take the store's resolved path; callers use the
backend-neutral interface in :mod:`northpic.store`.

Every event carries its marking (:data:`~northpic.schema.MARKING_COLUMNS`).
A store made by an earlier version has no marking columns: it opens as
before, the columns are added (``NULL`` for the events already there) by
the first write, and until then, or for those events, :func:`read_events`
returns the fields blank: such events are unmarked, releasable to no
audience, until they are added again with markings.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from northpic.errors import (
    DamagedStoreError,
    DataFileError,
    EventNotFoundError,
    StoreBusyError,
    StoreNotWritableError,
)
from northpic.store import WriteGuard, default_store_path, history
from northpic.store import gpkg_format as gpkg
from northpic.store.columns import (
    MARKED,
    STORED,
    batch_columns,
    events_frame,
    find_id,
    new_attributes,
)
from northpic.store.connection import (
    check_creatable,
    check_store,
    connect_read_write,
    create_store,
    is_event_store,
    not_a_store,
    open_for_reading,
    open_for_writing,
    recovery_hint,
    remember_sound,
    store_error,
    unwritable_reason,
)
from northpic.store.report import AddReport, EventHistory, HistoryEntry
from northpic.times import format_time

#: The feature table holding the events.
TABLE = "events"
_JSON_MIME = "application/json"
_DECLARED = {"boolean": "BOOLEAN", "integer": "INTEGER", "real": "REAL", "text": "TEXT",
             "datetime": "DATETIME", "json": "TEXT"}
_FIXED_SQL = f"""CREATE TABLE {TABLE} (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    geom GEOMETRY NOT NULL,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    layer TEXT NOT NULL,
    domain TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    confidence TEXT NOT NULL,
    precision_km REAL NOT NULL,
    time DATETIME NOT NULL,
    valid_to DATETIME,
    notes TEXT NOT NULL DEFAULT '',
    classification TEXT,
    releasability TEXT,
    originator TEXT,
    added_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL)"""
#: Columns of the fixed part of the table, in order (after fid and geom).
_STORED = STORED
_BOOKKEEPING = ("fid", "geom", "added_at", "updated_at")
#: The marking columns (NULL in events stored before markings, absent from such stores).
_MARKED = MARKED


def _initialise(conn: sqlite3.Connection) -> None:
    """Create the GeoPackage tables and the empty ``events`` table (in a transaction)."""
    gpkg.create_metadata(conn)
    conn.execute(_FIXED_SQL)
    conn.execute(f"CREATE INDEX {TABLE}_time ON {TABLE} (time)")
    gpkg.register_feature_table(conn, TABLE, "geom", "northpic event store")
    history.ensure_history(conn)


def _marking_columns(conn: sqlite3.Connection) -> set[str]:
    """Return the marking columns the events table has (none in stores of earlier versions)."""
    have = {row[1] for row in conn.execute(f"PRAGMA table_info({TABLE})")}
    return {c for c in _MARKED if c in have}


def _marking_select(present: set[str]) -> list[str]:
    """Select the marking columns, ``NULL`` for those the store lacks."""
    return [f'"{c}"' if c in present else f'NULL AS "{c}"' for c in _MARKED]


def _upgrade(conn: sqlite3.Connection) -> None:
    """Give a store of an earlier version the marking columns and the history (in a write)."""
    present = _marking_columns(conn)
    for column in _MARKED:
        if column not in present:
            conn.execute(f'ALTER TABLE {TABLE} ADD COLUMN "{column}" TEXT')
    history.ensure_history(conn)
    gpkg.ensure_schema_extension(conn)


def _is_event_store(conn: sqlite3.Connection) -> bool:
    return is_event_store(conn, TABLE, _STORED)


@contextmanager
def _write_transaction(path: Path, create: bool) -> Iterator[sqlite3.Connection]:
    """Open ``path`` and hold its write lock for one transaction.

    Commits when the block ends, rolls back if it raises. Creates the store
    (atomically, see :func:`~northpic.store.connection.create_store`) when
    ``create`` is true and it is missing. The store is checked before the
    process's first write to it; a damaged one is refused.
    """
    if not path.exists():
        if not create:
            raise DataFileError(str(path), "no event store here; add events first")
        # only the default store's folder is made; a --store in a missing folder is most
        # likely a typo, whose events would silently go to a new store nobody reads
        create_store(path, _initialise, make_folder=path == default_store_path())
    conn = open_for_writing(path)
    committed = False
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
            check_store(conn, path)
            if not _is_event_store(conn):
                if not create or conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise not_a_store(path)
                _initialise(conn)  # an empty file left by another program
            yield conn
            conn.execute("COMMIT")
            committed = True
        except BaseException as exc:
            if conn.in_transaction:  # SQLite may have rolled back already (e.g. disk full)
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise store_error(path, exc, writing=True) from None
            raise
    finally:
        conn.close()
        if committed:
            remember_sound(path)


def _stored_attributes(conn: sqlite3.Connection) -> dict[str, str]:
    """Extra attribute columns of the store and their kinds, in table order."""
    json_columns = {row[0] for row in conn.execute(
        "SELECT column_name FROM gpkg_data_columns WHERE table_name = ? AND mime_type = ?",
        (TABLE, _JSON_MIME))}
    kinds = {v: k for k, v in _DECLARED.items() if k != "json"}
    out = {}
    for row in conn.execute(f"PRAGMA table_info({TABLE})"):
        name, declared = row[1], (row[2] or "TEXT").upper()
        if name in _STORED or name in _BOOKKEEPING or name in _MARKED:
            continue
        out[name] = "json" if name in json_columns else kinds.get(declared, "text")
    return out


def _prepare_attributes(conn: sqlite3.Connection, frame: pd.DataFrame, label: str,
                        path: Path) -> dict[str, str]:
    """Check the batch's extra attributes against the store; add new columns."""
    stored = _stored_attributes(conn)
    added = new_attributes(frame, stored, (*_STORED, *_BOOKKEEPING, *_MARKED), label, str(path))
    for name, kind in added.items():
        conn.execute(f'ALTER TABLE {TABLE} ADD COLUMN "{name}" {_DECLARED[kind]}')
        if kind == "json":
            conn.execute(
                "INSERT INTO gpkg_data_columns (table_name, column_name, name, mime_type) "
                "VALUES (?, ?, ?, ?)", (TABLE, name, name, _JSON_MIME))
    return {**stored, **added}


def check_writable(path: Path) -> None:
    """Check, changing nothing, that a batch could be written to ``path`` now.

    A missing store must be creatable (see :func:`_write_transaction`); an
    existing one writable, an event store (or empty) and sound (the same
    ``quick_check`` as before a write, which the write then skips if the
    file is unchanged). See :func:`northpic.store.check_writable`.
    """
    if not path.exists():
        check_creatable(path, make_folder=path == default_store_path())
        return
    problem = unwritable_reason(path)
    if problem is not None:
        raise StoreNotWritableError(str(path), f"cannot write to the store: {problem}")
    if path.stat().st_size == 0:
        return  # an empty file: the first write makes it a store
    conn = connect_read_write(path)
    try:
        conn.execute("BEGIN")  # a read transaction: the check blocks no writer
        if not _is_event_store(conn) and (
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        ):
            raise not_a_store(path)
        check_store(conn, path)
    except sqlite3.Error as exc:
        raise store_error(path, exc, writing=True) from None
    finally:
        conn.close()


def _stored_versions(conn: sqlite3.Connection, ids: list[str],
                     attributes: dict[str, str]) -> dict[str, str]:
    """Read the stored versions of ``ids`` (those stored) as GeoJSON Feature text."""
    names = [*_STORED, *_MARKED, *attributes]
    selected = ", ".join(f'"{c}"' for c in ["geom", *names])
    out: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT {selected} FROM {TABLE} WHERE id IN ({marks})",
                            chunk).fetchall()
        geometries = history.geometries_json(gpkg.decode_geometries([row[0] for row in rows]))
        for row, geometry in zip(rows, geometries, strict=True):
            values = dict(zip(names, row[1:], strict=True))
            out[str(values["id"])] = history.version_feature(values, attributes, geometry)
    return out


def _releasability(conn: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    """Return the stored releasability of those of ``ids`` that are stored (blank if unmarked)."""
    out: dict[str, str] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for event_id, releasability in conn.execute(
                f"SELECT id, releasability FROM {TABLE} WHERE id IN ({marks})", chunk):
            out[str(event_id)] = "" if releasability is None else str(releasability)
    return out


def write_events(frame: gpd.GeoDataFrame, path: Path, label: str,
                 guard: WriteGuard | None = None) -> AddReport:
    """Insert or replace a validated batch of events in one transaction (see :mod:`.store`).

    Each event written appends a history row (``add``, or ``update`` with
    the version it replaces) in the same transaction. ``guard`` runs first,
    under the write lock (see :func:`northpic.store.write_events`).
    """
    ids = [str(i) for i in frame["id"]]
    now = format_time(pd.Timestamp.now(tz="UTC"))
    with _write_transaction(path, create=True) as conn:
        _upgrade(conn)
        if guard is not None:
            guard(_releasability(conn, ids))
        attributes = _prepare_attributes(conn, frame, label, path)
        previous = _stored_versions(conn, ids, attributes)
        existing = set(previous)
        columns: dict[str, list[Any]] = {
            "geom": gpkg.encode_geometries(list(frame.geometry)),
            **batch_columns(frame, attributes),
        }
        names = list(columns)
        quoted = ", ".join(f'"{n}"' for n in [*names, "added_at", "updated_at"])
        marks = ", ".join("?" * (len(names) + 2))
        updates = ", ".join(f'"{n}" = excluded."{n}"' for n in [*names, "updated_at"] if n != "id")
        rows = [(*row, now, now) for row in zip(*columns.values(), strict=True)]
        conn.executemany(
            f"INSERT INTO {TABLE} ({quoted}) VALUES ({marks}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates}", rows)
        sequences = history.last_sequences(conn, ids)
        entries = []
        version_names = [n for n in names if n != "geom"]
        for row, geometry in zip(rows, history.geometries_json(list(frame.geometry)),
                                 strict=True):
            values = dict(zip(version_names, row[1:len(names)], strict=True))
            event_id = values["id"]
            new = history.version_feature(values, attributes, geometry)
            old = previous.get(event_id)
            sequences[event_id] = sequence = sequences.get(event_id, 0) + 1
            entries.append((event_id, sequence, "add" if old is None else "update",
                            values["originator"], now, old, new))
            previous[event_id] = new  # an id twice in one batch: the second replaces the first
        history.append_history(conn, entries)
        if len(frame):
            bounds = conn.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents "
                                  "WHERE table_name = ?", (TABLE,)).fetchone()
            box = list(frame.total_bounds)
            if bounds[0] is not None:
                box = [min(box[0], bounds[0]), min(box[1], bounds[1]),
                       max(box[2], bounds[2]), max(box[3], bounds[3])]
            gpkg.set_extent(conn, TABLE, box)
        gpkg.touch_contents(conn, TABLE)
        gpkg.touch_contents(conn, history.HISTORY_TABLE)
    updated = len(set(ids) & existing)
    return AddReport(added=len(set(ids)) - updated, updated=updated, store=path, ids=tuple(ids))


def read_events(path: Path, since: pd.Timestamp | None, kind: str | None) -> gpd.GeoDataFrame:
    """Read the stored events, oldest first (see :func:`northpic.store.read_events`)."""
    if not path.is_file():
        raise DataFileError(str(path), "no event store here; add events first")
    conn = open_for_reading(path)
    try:
        conn.execute("BEGIN")  # one snapshot for the schema and the rows
        if not _is_event_store(conn):
            if not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise StoreBusyError(str(path), "store is empty: it is being created by another "
                                                "program, or its creation was interrupted; "
                                                "try again")
            raise not_a_store(path)
        attributes = _stored_attributes(conn)
        marked = _marking_columns(conn)
        where, params = [], []
        if since is not None:
            where.append("time >= ?")
            params.append(format_time(since))
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        selected = ", ".join([*(f'"{c}"' for c in ["geom", *_STORED]), *_marking_select(marked),
                              *(f'"{c}"' for c in attributes)])
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = conn.execute(
            f"SELECT {selected} FROM {TABLE}{clause} ORDER BY time, id", params).fetchall()
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        raise store_error(path, exc, writing=False) from None
    finally:
        conn.close()
    try:
        return _events_frame(rows, list(attributes.items()))
    except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
        raise DamagedStoreError(str(path), f"the store holds values northpic cannot read "
                                           f"({exc}); to recover, {recovery_hint(path)}") from None


def _events_frame(rows: list[tuple[Any, ...]], attributes: list[tuple[str, str]]
                  ) -> gpd.GeoDataFrame:
    """Build the events frame from rows of the GeoPackage blob and the stored columns."""
    return events_frame([row[1:] for row in rows],
                        gpkg.decode_geometries([row[0] for row in rows]), attributes)


def remove_event(path: Path, event_id: str, originator: str | None = None,
                 guard: WriteGuard | None = None) -> bool:
    """Remove one event, found by its id or its escaped id (see :mod:`northpic.store`).

    Its tombstone (the version removed, and who removed it) is appended to
    the history in the same transaction.
    """
    with _write_transaction(path, create=False) as conn:
        _upgrade(conn)
        stored = event_id
        if not conn.execute(f"SELECT 1 FROM {TABLE} WHERE id = ?", (event_id,)).fetchone():
            ids = [row[0] for row in conn.execute(f"SELECT id FROM {TABLE}").fetchall()]
            stored = find_id(event_id, ids) or ""
        attributes = _stored_attributes(conn)
        previous = _stored_versions(conn, [stored], attributes) if stored else {}
        if stored not in previous:
            raise EventNotFoundError(f"{path}: no event with id {event_id!r}")
        if guard is not None:
            guard(_releasability(conn, [stored]))
        conn.execute(f"DELETE FROM {TABLE} WHERE id = ?", (stored,))
        sequence = history.last_sequences(conn, [stored]).get(stored, 0) + 1
        now = format_time(pd.Timestamp.now(tz="UTC"))
        history.append_history(conn, [(stored, sequence, "remove", originator, now,
                                       previous[stored], None)])
        gpkg.touch_contents(conn, TABLE)
        gpkg.touch_contents(conn, history.HISTORY_TABLE)
    return True


def read_history(path: Path, event_id: str) -> EventHistory:
    """Read one event's history, oldest first (see :func:`northpic.store.read_history`)."""
    if not path.is_file():
        raise DataFileError(str(path), "no event store here; add events first")
    conn = open_for_reading(path)
    try:
        conn.execute("BEGIN")  # one snapshot for the event and its history
        if not _is_event_store(conn):
            raise not_a_store(path)
        stored_ids = [row[0] for row in conn.execute(
            f"SELECT id FROM {TABLE} WHERE id = ?", (event_id,))]
        rows = history.history_rows(conn, event_id)
        if not rows and not stored_ids:
            ids = [row[0] for row in conn.execute(f"SELECT id FROM {TABLE}")]
            found = find_id(event_id, [*ids, *history.history_ids(conn)])
            if found is not None:
                event_id = found
                stored_ids = [found] if found in ids else []
                rows = history.history_rows(conn, found)
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        raise store_error(path, exc, writing=False) from None
    finally:
        conn.close()
    if not rows and not stored_ids:
        raise EventNotFoundError(f"{path}: no event with id {event_id!r}, now or in the history")
    try:
        entries = tuple(
            HistoryEntry(str(eid), int(seq), str(op), originator,
                         pd.Timestamp(when).tz_convert("UTC"),
                         None if old is None else json.loads(old),
                         None if new is None else json.loads(new))
            for eid, seq, op, originator, when, old, new in rows)
    except (ValueError, TypeError) as exc:
        raise DamagedStoreError(str(path), f"the store's history holds values northpic cannot "
                                           f"read ({exc})") from None
    return EventHistory(event_id, entries, stored=bool(stored_ids), store=path)


def _ask(path: Path, question: Callable[[sqlite3.Connection], int]) -> int:
    """Answer one number about the store (0 if there is no store yet)."""
    if not path.is_file():
        return 0
    conn = open_for_reading(path)
    try:
        if not _is_event_store(conn):
            raise not_a_store(path)
        return int(question(conn))
    except sqlite3.Error as exc:
        raise store_error(path, exc, writing=False) from None
    finally:
        conn.close()


def count_events(path: Path) -> int:
    """Return how many events the store holds (0 if there is no store yet)."""
    return _ask(path, lambda conn: conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])


def last_change(path: Path) -> int:
    """Return the number of the store's latest write (0 if there is no store or no write)."""
    return _ask(path, history.last_change)


__all__ = ["check_writable", "count_events", "last_change", "read_events", "read_history",
           "remove_event", "write_events"]
