"""The PostGIS backend of the event store: a PostgreSQL database shared by many machines.

A store named by a ``postgresql://`` URL (see :mod:`northpic.store.location`)
keeps the same two tables as a GeoPackage store, in the first schema of the
connection's ``search_path`` (normally ``public``), created by the first
write:

* ``events``: one row per event, the fixed columns (``time`` and
  ``valid_to`` as ``timestamptz``), the marking columns, one column per
  extra attribute (``boolean``, ``bigint``, ``double precision``, ``text``,
  ``timestamptz`` or ``json``) and the geometry as PostGIS
  ``geometry(Geometry, 4326)`` with a GiST index;
* ``events_history``: the append-only history (see
  :mod:`northpic.store.history`): triggers refuse every ``UPDATE``,
  ``DELETE`` and ``TRUNCATE`` of it, whoever runs them, short of the table's
  owner dropping the triggers.

Every write is one transaction that first takes a transaction-level
advisory lock (:data:`LOCK_KEY`): writers from any number of processes and
machines queue on it (up to :data:`BUSY_TIMEOUT_S`, then "store is busy"),
so no update is lost and an event's history sequence never repeats; a
writer that dies mid-batch leaves nothing behind (the server rolls its
transaction back). Readers read one consistent snapshot (``REPEATABLE
READ``, read-only) and never wait for writers.

Each call takes a connection for its one transaction; a process keeps up to
:data:`POOL_SIZE` idle connections per store for its next calls (a login
costs tens of milliseconds; a kept connection is checked with one round
trip, and replaced if the server dropped it). The password is used to
connect only; every message names the store without it.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from northpic.errors import (
    DamagedStoreError,
    DataFileError,
    EventNotFoundError,
    StoreBusyError,
    StoreError,
    StoreNotWritableError,
)
from northpic.store import WriteGuard, history
from northpic.store.columns import (
    MARKED,
    STORED,
    batch_columns,
    events_frame,
    find_id,
    new_attributes,
)
from northpic.store.history import HISTORY_TABLE
from northpic.store.location import DatabaseURL
from northpic.store.report import AddReport, EventHistory, HistoryEntry
from northpic.times import format_time

#: The table holding the events.
TABLE = "events"
#: The key of the advisory lock every write holds (``hashtext('northpic event store')``).
LOCK_KEY = 0x6E6F7274  # "nort"
#: How long a writer waits for another writer's transaction, in seconds.
BUSY_TIMEOUT_S = 60
#: How long connecting may take, in seconds (unless the URL sets ``connect_timeout``).
CONNECT_TIMEOUT_S = 10
#: How many idle connections a process keeps per store, for the next calls.
POOL_SIZE = 4
_BOOKKEEPING = ("fid", "geom", "added_at", "updated_at")
_TYPES = {"boolean": "boolean", "integer": "bigint", "real": "double precision",
          "text": "text", "datetime": "timestamptz", "json": "json"}
_KINDS = {"boolean": "boolean", "bigint": "integer", "double precision": "real", "text": "text",
          "timestamp with time zone": "datetime", "json": "json"}
_NOT_A_STORE = ("exists but is not a northpic event store (its 'events' and "
                "'events_history' tables are not northpic's); choose another --store")
_NO_STORE = "no event store here; add events first"

_EVENTS_SQL = f"""CREATE TABLE {TABLE} (
    fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    geom geometry(Geometry, 4326) NOT NULL,
    id text NOT NULL UNIQUE,
    name text NOT NULL,
    layer text NOT NULL,
    domain text NOT NULL,
    kind text NOT NULL,
    source text NOT NULL,
    confidence text NOT NULL,
    precision_km double precision NOT NULL,
    time timestamptz NOT NULL,
    valid_to timestamptz,
    notes text NOT NULL DEFAULT '',
    classification text,
    releasability text,
    originator text,
    added_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL)"""
_SCHEMA_SQL = (
    _EVENTS_SQL,
    f"CREATE INDEX {TABLE}_geom ON {TABLE} USING gist (geom)",
    f"CREATE INDEX {TABLE}_time ON {TABLE} (time)",
    f"""CREATE TABLE {HISTORY_TABLE} (
        fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id text NOT NULL,
        sequence integer NOT NULL CHECK (sequence >= 1),
        operation text NOT NULL CHECK (operation IN ('add', 'update', 'remove')),
        originator text,
        time timestamptz NOT NULL,
        previous json,
        new json,
        CHECK ((operation = 'remove') = (new IS NULL)),
        CHECK ((operation = 'update' OR operation = 'remove') = (previous IS NOT NULL)),
        UNIQUE (event_id, sequence))""",
    f"""CREATE FUNCTION {HISTORY_TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{history.APPEND_ONLY_MESSAGE}'
                USING ERRCODE = 'integrity_constraint_violation';
        END $$""",
    f"""CREATE TRIGGER {HISTORY_TABLE}_no_change BEFORE UPDATE OR DELETE ON {HISTORY_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION {HISTORY_TABLE}_append_only()""",
    f"""CREATE TRIGGER {HISTORY_TABLE}_no_truncate BEFORE TRUNCATE ON {HISTORY_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION {HISTORY_TABLE}_append_only()""",
    f"COMMENT ON TABLE {TABLE} IS 'northpic event store'",
    f"COMMENT ON TABLE {HISTORY_TABLE} IS 'history of the event store: every add, update and "
    "remove, append-only'",
)


# --- connecting, and errors that name the store without its password ----------------------------


def _message(where: DatabaseURL, exc: BaseException) -> str:
    """Return the server's or the client's message on one line, without the password."""
    text = "; ".join(" ".join(line.split()) for line in str(exc).splitlines() if line.strip())
    text = text.removeprefix("connection failed: ")  # psycopg's, before libpq's own words
    return where.scrub(text) or type(exc).__name__


def _store_error(where: DatabaseURL, exc: psycopg.Error, writing: bool) -> StoreError:
    """Turn a database error into a :class:`StoreError` that names the store and the cause."""
    state = exc.sqlstate or ""
    message = _message(where, exc)
    shown = str(where)
    if state in ("40001", "40P01", "55P03", "57014"):
        return StoreBusyError(shown, f"store is busy ({message}); another writer holds it: "
                                     "try again")
    if state in ("42501", "25006"):
        return StoreNotWritableError(shown, f"cannot write to the store: {message}")
    if state.startswith("53"):
        return StoreNotWritableError(shown, f"the database server is out of resources "
                                            f"({message}); the store is unchanged")
    if state.startswith("XX"):
        return DamagedStoreError(shown, f"the database reports damage ({message}); nothing "
                                        "was written: ask its administrator to check it")
    if isinstance(exc, psycopg.OperationalError) and not state.startswith("23"):
        return StoreError(shown, f"lost the connection to the database ({message}); nothing "
                                 "of the unfinished write was kept: try again")
    doing = "write to" if writing else "read"
    return StoreError(shown, f"cannot {doing} the event store: {message}")


def _connect(where: DatabaseURL) -> psycopg.Connection[Any]:
    """Open a connection to the store's database (not in autocommit: one transaction a call)."""
    try:
        params = conninfo_to_dict(where.url)
    except psycopg.Error as exc:
        # libpq quotes the part of the URL it stumbled on, which may be a piece of the password
        reason = re.sub(r'"[^"]*"', "…", _message(where, exc))
        raise StoreError(str(where), f"not a valid PostgreSQL URL ({reason}); see "
                                     "https://www.postgresql.org/docs/current/"
                                     "libpq-connect.html#LIBPQ-CONNSTRING-URIS") from None
    params.setdefault("connect_timeout", str(CONNECT_TIMEOUT_S))
    params.setdefault("application_name", "northpic")
    try:
        conn = psycopg.connect(make_conninfo("", **params))
    except psycopg.Error as exc:
        raise StoreError(str(where), f"cannot connect to the database: "
                                     f"{_message(where, exc)}") from None
    return conn


# idle connections kept for reuse, per process and URL (a forked child never takes its parent's)
_IDLE: dict[tuple[int, str], list[psycopg.Connection[Any]]] = {}
_IDLE_LOCK = threading.Lock()


def _open(where: DatabaseURL, writing: bool) -> psycopg.Connection[Any]:
    """Take an idle connection to the store that still answers, else open a new one.

    Opening costs a login (a SCRAM exchange: tens of milliseconds); a kept
    connection, one round trip to check it answers. One the server dropped
    (restarted, idle timeout) is closed and another tried.
    """
    while True:
        with _IDLE_LOCK:
            idle = _IDLE.get((os.getpid(), where.url))
            conn = idle.pop() if idle else None
        if conn is None:
            conn = _connect(where)
        else:
            try:
                conn.execute("SELECT 1")
                conn.rollback()
            except psycopg.Error:
                conn.close()
                continue
        conn.isolation_level = (None if writing
                                else psycopg.IsolationLevel.REPEATABLE_READ)
        conn.read_only = not writing
        return conn


def _release(where: DatabaseURL, conn: psycopg.Connection[Any]) -> None:
    """Keep a connection for the next call if it is sound and idle, else close it."""
    if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        with _IDLE_LOCK:
            idle = _IDLE.setdefault((os.getpid(), where.url), [])
            if len(idle) < POOL_SIZE:
                idle.append(conn)
                return
    conn.close()


@contextmanager
def _transaction(where: DatabaseURL, writing: bool) -> Iterator[psycopg.Cursor[Any]]:
    """Run one transaction: committed when the block ends, rolled back if it raises.

    A write holds the store's advisory lock for the whole transaction; a
    read is a read-only ``REPEATABLE READ`` snapshot. Every setting is
    ``SET LOCAL``, so a connection kept for reuse carries nothing over.
    """
    conn = _open(where, writing)
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SET LOCAL TIME ZONE 'UTC'")
            if writing:
                cur.execute(f"SET LOCAL lock_timeout = '{BUSY_TIMEOUT_S}s'")
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            yield cur
    except psycopg.Error as exc:
        raise _store_error(where, exc, writing) from None
    finally:
        _release(where, conn)


def _value(cur: psycopg.Cursor[Any], query: str, params: tuple[Any, ...] = ()) -> Any:
    """Run a query and return the first column of its one row."""
    row = cur.execute(query, params).fetchone()
    assert row is not None, query
    return row[0]


# --- the schema ---------------------------------------------------------------------------------


def _columns(cur: psycopg.Cursor[Any], table: str) -> dict[str, str] | None:
    """Return a table's columns and their types, in order (``None`` if there is no such table)."""
    oid = cur.execute("SELECT to_regclass(%s)::oid", (table,)).fetchone()
    if oid is None or oid[0] is None:
        return None
    rows = cur.execute("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                       "WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                       (oid[0],)).fetchall()
    return {str(name): str(kind) for name, kind in rows}


def _schema(cur: psycopg.Cursor[Any], where: DatabaseURL) -> dict[str, str] | None:
    """Return the store's extra attributes and their kinds; ``None`` if it has no tables yet.

    Raises
    ------
    StoreError
        If the database holds tables of these names that are not northpic's.
    """
    events = _columns(cur, TABLE)
    logged = _columns(cur, HISTORY_TABLE)
    if events is None and logged is None:
        return None
    if events is None or logged is None or not all(
            c in events for c in (*STORED, *MARKED, *_BOOKKEEPING)) or not str(
            events["geom"]).startswith("geometry"):
        raise StoreError(str(where), _NOT_A_STORE)
    reserved = {*STORED, *MARKED, *_BOOKKEEPING}
    return {name: _KINDS.get(kind, "text") for name, kind in events.items()
            if name not in reserved}


def _initialise(cur: psycopg.Cursor[Any], where: DatabaseURL) -> None:
    """Create the store's tables, indexes and triggers (inside the first write)."""
    if cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is None:
        try:
            with cur.connection.transaction():
                cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except psycopg.Error as exc:
            raise StoreNotWritableError(
                str(where), "the database lacks the PostGIS extension and this user cannot add "
                            f"it ({_message(where, exc)}): ask its administrator to run "
                            "CREATE EXTENSION postgis") from None
    for statement in _SCHEMA_SQL:
        cur.execute(statement)


# --- values between the database and the stored form (times as UTC text, JSON as text) ----------


#: A ``timestamptz`` as the stored form's UTC text, to the millisecond (as ``format_time``).
_UTC_TEXT = """to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""


def _selected(attributes: dict[str, str]) -> sql.Composed:
    """Select the geometry (as WKB) and the columns in the stored form (times and JSON as text)."""
    parts: list[sql.Composable] = [sql.SQL("ST_AsBinary(geom)")]
    for name, kind in [*((n, None) for n in (*STORED, *MARKED)), *attributes.items()]:
        column = sql.Identifier(name)
        if name in ("time", "valid_to") and kind is None or kind == "datetime":
            parts.append(sql.SQL(_UTC_TEXT).format(column))
        elif kind in ("json", "text"):
            parts.append(sql.SQL("{}::text").format(column))
        else:
            parts.append(column)
    return sql.SQL(", ").join(parts)


def _database_values(values: list[Any], kind: str) -> list[Any]:
    """Stored-form values of an extra attribute as the database column takes them."""
    if kind == "boolean":
        return [None if v is None else bool(v) for v in values]
    return values


def _stored_versions(cur: psycopg.Cursor[Any], ids: list[str],
                     attributes: dict[str, str]) -> dict[str, str]:
    """Read the stored versions of ``ids`` (those stored) as GeoJSON Feature text."""
    rows = cur.execute(sql.SQL("SELECT {} FROM {} WHERE id = ANY(%s)").format(
        _selected(attributes), sql.Identifier(TABLE)), (ids,)).fetchall()
    geometries = history.geometries_json(shapely.from_wkb(
        np.asarray([bytes(row[0]) for row in rows], dtype=object)))
    names = [*STORED, *MARKED, *attributes]
    out: dict[str, str] = {}
    for row, geometry in zip(rows, geometries, strict=True):
        values = dict(zip(names, row[1:], strict=True))
        out[str(values["id"])] = history.version_feature(values, attributes, geometry)
    return out


def _last_sequences(cur: psycopg.Cursor[Any], ids: list[str]) -> dict[str, int]:
    rows = cur.execute(f"SELECT event_id, max(sequence) FROM {HISTORY_TABLE} "
                       "WHERE event_id = ANY(%s) GROUP BY event_id", (ids,)).fetchall()
    return {str(event_id): int(sequence) for event_id, sequence in rows}


def _append_history(cur: psycopg.Cursor[Any],
                    rows: list[tuple[str, int, str, str | None, str, str | None, str | None]]
                    ) -> None:
    with cur.copy(f"COPY {HISTORY_TABLE} (event_id, sequence, operation, originator, time, "
                  "previous, new) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _upsert(cur: psycopg.Cursor[Any], frame: gpd.GeoDataFrame, columns: dict[str, list[Any]],
            attributes: dict[str, str], now: str) -> None:
    """Insert or replace the batch's events: copied into a staging table, then upserted.

    ``COPY`` takes the rows in one stream; an id twice in the batch is
    stored as its last row (``DISTINCT ON``), as the upsert of one row after
    the other would leave it.
    """
    names = ["geom", *columns, "added_at", "updated_at"]
    listed = sql.SQL(", ").join(sql.Identifier(n) for n in names)
    cur.execute(sql.SQL("CREATE TEMPORARY TABLE northpic_batch ON COMMIT DROP AS "
                        "SELECT 0 AS batch_row, {} FROM {} WITH NO DATA").format(
                            listed, sql.Identifier(TABLE)))
    geometries = shapely.set_srid(np.asarray(list(frame.geometry), dtype=object), 4326)
    ewkb = shapely.to_wkb(geometries, hex=True, include_srid=True)
    values = [_database_values(v, attributes[n]) if n in attributes else v
              for n, v in columns.items()]
    with cur.copy(sql.SQL("COPY northpic_batch (batch_row, {}) FROM STDIN").format(listed)
                  ) as copy:
        for number, (geometry, *row) in enumerate(zip(ewkb, *values, strict=True)):
            copy.write_row((number, geometry, *row, now, now))
    updates = sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(n))
                                 for n in names if n not in ("id", "added_at"))
    cur.execute(sql.SQL("INSERT INTO {} ({}) SELECT DISTINCT ON (id) {} FROM northpic_batch "
                        "ORDER BY id, batch_row DESC ON CONFLICT (id) DO UPDATE SET {}").format(
                            sql.Identifier(TABLE), listed, listed, updates))
    cur.execute("DROP TABLE northpic_batch")


# --- the backend functions ------------------------------------------------------------------------


def _prepare_attributes(cur: psycopg.Cursor[Any], frame: pd.DataFrame, label: str,
                        where: DatabaseURL) -> dict[str, str]:
    """Check the batch's extra attributes against the store; add new columns.

    Attribute names are at most 63 ASCII characters (see
    :mod:`northpic.events.schema`): PostgreSQL keeps them whole.
    """
    stored = _schema(cur, where) or {}
    added = new_attributes(frame, stored, (*STORED, *_BOOKKEEPING, *MARKED), label, str(where))
    for name, kind in added.items():
        cur.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
            sql.Identifier(TABLE), sql.Identifier(name), sql.SQL(_TYPES[kind])))
    return {**stored, **added}


def check_writable(where: DatabaseURL) -> None:
    """Check, changing nothing, that a batch could be written to the store now.

    The server must be reachable with the URL's credentials and writable
    (not a read-only standby); an existing store's tables must be
    northpic's and writable by this user; for a new store, this user must
    be able to create tables (and PostGIS, if the database lacks it). See
    :func:`northpic.store.check_writable`.
    """
    with _transaction(where, writing=False) as cur:
        if _value(cur, "SELECT pg_is_in_recovery()"):
            raise StoreNotWritableError(str(where), "cannot write to the store: the server is "
                                                    "a read-only standby")
        if not _value(cur, "SELECT has_database_privilege(current_database(), 'TEMPORARY')"):
            raise StoreNotWritableError(str(where), "cannot write to the store: this user may "
                                                    "not create temporary tables, which every "
                                                    "write stages its batch in")
        if _schema(cur, where) is not None:
            can = _value(cur, "SELECT has_table_privilege(%s, 'INSERT, UPDATE, DELETE') "
                              "AND has_table_privilege(%s, 'INSERT')", (TABLE, HISTORY_TABLE))
            if not can:
                raise StoreNotWritableError(str(where), "cannot write to the store: this user "
                                                        "may not change its tables")
            return
        row = cur.execute(
            "SELECT current_schema(), "
            "coalesce(has_schema_privilege(current_schema(), 'CREATE'), false), "
            "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
            "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')").fetchone()
        assert row is not None
        schema, can_create, superuser, postgis = row
        if schema is None or not can_create:
            raise StoreNotWritableError(str(where), "cannot create the store: this user may not "
                                                    f"create tables in schema {schema}")
        if not postgis and not superuser:
            raise StoreNotWritableError(str(where), "cannot create the store: the database "
                                                    "lacks the PostGIS extension: ask its "
                                                    "administrator to run CREATE EXTENSION postgis")


def _releasability(cur: psycopg.Cursor[Any], ids: list[str]) -> dict[str, str]:
    """Return the stored releasability of those of ``ids`` that are stored (blank if unmarked)."""
    rows = cur.execute(f"SELECT id, releasability FROM {TABLE} WHERE id = ANY(%s)",
                       (list(dict.fromkeys(ids)),)).fetchall()
    return {str(event_id): "" if mark is None else str(mark) for event_id, mark in rows}


def write_events(frame: gpd.GeoDataFrame, where: DatabaseURL, label: str,
                 guard: WriteGuard | None = None) -> AddReport:
    """Insert or replace a validated batch of events in one transaction (see :mod:`.store`).

    Each event written appends a history row (``add``, or ``update`` with
    the version it replaces) in the same transaction. ``guard`` runs first,
    under the advisory lock (see :func:`northpic.store.write_events`).
    """
    ids = [str(i) for i in frame["id"]]
    now = format_time(pd.Timestamp.now(tz="UTC"))
    with _transaction(where, writing=True) as cur:
        if _schema(cur, where) is None:
            _initialise(cur, where)
        if guard is not None:
            guard(_releasability(cur, ids))
        attributes = _prepare_attributes(cur, frame, label, where)
        previous = _stored_versions(cur, ids, attributes)
        existing = set(previous)
        columns = batch_columns(frame, attributes)
        names = list(columns)
        _upsert(cur, frame, columns, attributes, now)
        sequences = _last_sequences(cur, ids)
        entries: list[tuple[str, int, str, str | None, str, str | None, str | None]] = []
        for row, geometry in zip(zip(*columns.values(), strict=True),
                                 history.geometries_json(list(frame.geometry)), strict=True):
            values = dict(zip(names, row, strict=True))
            event_id = values["id"]
            new = history.version_feature(values, attributes, geometry)
            old = previous.get(event_id)
            sequences[event_id] = sequence = sequences.get(event_id, 0) + 1
            entries.append((event_id, sequence, "add" if old is None else "update",
                            values["originator"], now, old, new))
            previous[event_id] = new  # an id twice in one batch: the second replaces the first
        _append_history(cur, entries)
    updated = len(set(ids) & existing)
    return AddReport(added=len(set(ids)) - updated, updated=updated, store=where,
                     ids=tuple(ids))


def read_events(where: DatabaseURL, since: pd.Timestamp | None, kind: str | None
                ) -> gpd.GeoDataFrame:
    """Read the stored events, oldest first (see :func:`northpic.store.read_events`)."""
    with _transaction(where, writing=False) as cur:
        attributes = _schema(cur, where)
        if attributes is None:
            raise DataFileError(str(where), _NO_STORE)
        conditions, params = [], []
        if since is not None:
            conditions.append(sql.SQL("time >= %s::timestamptz"))
            params.append(format_time(since))
        if kind is not None:
            conditions.append(sql.SQL("kind = %s"))
            params.append(kind)
        clause = (sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions)) if conditions \
            else sql.SQL("")
        rows = cur.execute(sql.SQL('SELECT {} FROM {}{} ORDER BY time, id COLLATE "C"').format(
            _selected(attributes), sql.Identifier(TABLE), clause), params).fetchall()
    try:
        geometries = shapely.from_wkb(np.asarray([bytes(r[0]) for r in rows], dtype=object))
        return events_frame([r[1:] for r in rows], geometries,
                            list(attributes.items()))
    except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
        raise DamagedStoreError(str(where), f"the store holds values northpic cannot read "
                                            f"({exc})") from None


def remove_event(where: DatabaseURL, event_id: str, originator: str | None = None,
                 guard: WriteGuard | None = None) -> bool:
    """Remove one event, found by its id or its escaped id (see :mod:`northpic.store`).

    Its tombstone (the version removed, and who removed it) is appended to
    the history in the same transaction.
    """
    with _transaction(where, writing=True) as cur:
        attributes = _schema(cur, where)
        if attributes is None:
            raise DataFileError(str(where), _NO_STORE)
        stored = event_id
        if cur.execute(f"SELECT 1 FROM {TABLE} WHERE id = %s", (event_id,)).fetchone() is None:
            ids = [row[0] for row in cur.execute(f"SELECT id FROM {TABLE}").fetchall()]
            stored = find_id(event_id, ids) or ""
        previous = _stored_versions(cur, [stored], attributes) if stored else {}
        if stored not in previous:
            raise EventNotFoundError(f"{where}: no event with id {event_id!r}")
        if guard is not None:
            guard(_releasability(cur, [stored]))
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", (stored,))
        sequence = _last_sequences(cur, [stored]).get(stored, 0) + 1
        now = format_time(pd.Timestamp.now(tz="UTC"))
        _append_history(cur, [(stored, sequence, "remove", originator, now, previous[stored],
                               None)])
    return True


def _history_rows(cur: psycopg.Cursor[Any], event_id: str) -> list[tuple[Any, ...]]:
    return cur.execute(f"SELECT event_id, sequence, operation, originator, time, "
                       f"previous::text, new::text FROM {HISTORY_TABLE} WHERE event_id = %s "
                       "ORDER BY sequence", (event_id,)).fetchall()


def read_history(where: DatabaseURL, event_id: str) -> EventHistory:
    """Read one event's history, oldest first (see :func:`northpic.store.read_history`)."""
    with _transaction(where, writing=False) as cur:
        if _schema(cur, where) is None:
            raise DataFileError(str(where), _NO_STORE)
        stored_ids = [row[0] for row in cur.execute(
            f"SELECT id FROM {TABLE} WHERE id = %s", (event_id,))]
        rows = _history_rows(cur, event_id)
        if not rows and not stored_ids:
            ids = [row[0] for row in cur.execute(f"SELECT id FROM {TABLE}")]
            logged = [row[0] for row in cur.execute(
                f"SELECT DISTINCT event_id FROM {HISTORY_TABLE}")]
            found = find_id(event_id, [*ids, *logged])
            if found is not None:
                event_id = found
                stored_ids = [found] if found in ids else []
                rows = _history_rows(cur, found)
    if not rows and not stored_ids:
        raise EventNotFoundError(f"{where}: no event with id {event_id!r}, now or in the history")
    try:
        entries = tuple(
            HistoryEntry(str(eid), int(seq), str(op), originator,
                         pd.Timestamp(format_time(pd.Timestamp(when))),
                         None if old is None else json.loads(old),
                         None if new is None else json.loads(new))
            for eid, seq, op, originator, when, old, new in rows)
    except (ValueError, TypeError) as exc:
        raise DamagedStoreError(str(where), f"the store's history holds values northpic "
                                            f"cannot read ({exc})") from None
    return EventHistory(event_id, entries, stored=bool(stored_ids), store=where)


def count_events(where: DatabaseURL) -> int:
    """Return how many events the store holds (0 if it has no tables yet)."""
    with _transaction(where, writing=False) as cur:
        if _schema(cur, where) is None:
            return 0
        return int(_value(cur, f"SELECT count(*) FROM {TABLE}"))


def last_change(where: DatabaseURL) -> int:
    """Return the number of the store's latest write (0 if it has no tables or no write)."""
    with _transaction(where, writing=False) as cur:
        if _schema(cur, where) is None:
            return 0
        return int(_value(cur, f"SELECT coalesce(max(fid), 0) FROM {HISTORY_TABLE}"))


__all__ = ["check_writable", "count_events", "last_change", "read_events", "read_history",
           "remove_event", "write_events"]
