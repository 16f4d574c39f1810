"""The event store's history: one append-only row for every write of an event.

Every add, update (the same id added again) and remove of an event appends
one row to the attributes table :data:`HISTORY_TABLE`, in the same
transaction as the write itself, so the history and the events never
disagree:

==================  =========================================================
column              holds
==================  =========================================================
``event_id``        the event's id
``sequence``        1, 2, 3... per event, in the order of its writes
``operation``       ``add``, ``update`` or ``remove``
``originator``      who wrote it: the new version's originator, or for a
                    remove whoever removed it (``NULL`` if not said)
``time``            when, UTC (``2026-01-15T08:30:00.000Z``)
``previous``        the version replaced or removed, as a GeoJSON Feature
                    (``NULL`` when there was none: the first add)
``new``             the version written, as a GeoJSON Feature (``NULL`` for
                    a remove: the row is the event's tombstone)
==================  =========================================================

The table is append-only: SQLite triggers refuse every ``UPDATE`` and
``DELETE`` of its rows, whoever runs them (northpic, ``sqlite3``, GDAL). It
is registered in ``gpkg_contents`` as a GeoPackage attributes table (no
geometry), so GDAL and QGIS list it beside ``events`` and read it as is.
The triggers guard the history against edits and mistakes; whoever may
replace the file itself can still replace the history with it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import shapely

#: The attributes table holding the history.
HISTORY_TABLE = "events_history"
#: The operations a history row records.
OPERATIONS: tuple[str, ...] = ("add", "update", "remove")
#: What the append-only triggers answer a change of the history.
APPEND_ONLY_MESSAGE = f"{HISTORY_TABLE} is append-only: its rows cannot be changed or deleted"
_GEOJSON_MIME = "application/geo+json"

_HISTORY_SQL = (
    f"""CREATE TABLE {HISTORY_TABLE} (
        fid INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL,
        sequence INTEGER NOT NULL CHECK (sequence >= 1),
        operation TEXT NOT NULL CHECK (operation IN ('add', 'update', 'remove')),
        originator TEXT,
        time DATETIME NOT NULL,
        previous TEXT,
        new TEXT,
        CHECK ((operation = 'remove') = (new IS NULL)),
        CHECK ((operation = 'update' OR operation = 'remove') = (previous IS NOT NULL)),
        UNIQUE (event_id, sequence))""",
    f"""CREATE TRIGGER {HISTORY_TABLE}_no_update BEFORE UPDATE ON {HISTORY_TABLE}
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
    f"""CREATE TRIGGER {HISTORY_TABLE}_no_delete BEFORE DELETE ON {HISTORY_TABLE}
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
)


def has_history(conn: sqlite3.Connection) -> bool:
    """Tell whether the store has its history table (stores of earlier versions do not)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (HISTORY_TABLE,)).fetchone() is not None


def ensure_history(conn: sqlite3.Connection) -> None:
    """Create and register the history table and its triggers if missing (inside a write)."""
    if has_history(conn):
        return
    for sql in _HISTORY_SQL:
        conn.execute(sql)
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES (?, 'attributes', ?, ?)",
        (HISTORY_TABLE, HISTORY_TABLE, "history of the event store: every add, update and "
                                       "remove, append-only"),
    )
    conn.executemany(
        "INSERT INTO gpkg_data_columns (table_name, column_name, name, title, mime_type) "
        "VALUES (?, ?, ?, ?, ?)",
        [(HISTORY_TABLE, "previous", "previous", "version replaced or removed", _GEOJSON_MIME),
         (HISTORY_TABLE, "new", "new", "version written", _GEOJSON_MIME)],
    )


def version_feature(values: Mapping[str, Any], kinds: Mapping[str, str],
                    geometry: str) -> str:
    """Write one stored version of an event as a GeoJSON Feature (JSON text).

    Parameters
    ----------
    values : mapping
        Column name to the value as the store holds it (times as text,
        JSON attributes as their text, booleans as 0/1).
    kinds : mapping
        Extra attribute name to its kind (see :func:`northpic.schema.attribute_kind`).
    geometry : str
        The event's geometry as GeoJSON text (see :func:`geometries_json`).

    Returns
    -------
    str
        The Feature; the fixed and marking fields always, extra attributes
        when set.
    """
    props: dict[str, Any] = {}
    for name, value in values.items():
        kind = kinds.get(name)
        if kind is not None and value is None:
            continue
        if kind == "json":
            value = json.loads(value)
        elif kind == "boolean":
            value = bool(value)
        props[name] = value
    text = json.dumps(props, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    event_id = json.dumps(props.get("id"), ensure_ascii=False)
    return f'{{"type":"Feature","id":{event_id},"properties":{text},"geometry":{geometry}}}'


def geometries_json(geometries: Sequence[shapely.Geometry] | np.ndarray) -> list[str]:
    """Write geometries as GeoJSON text, exactly (every coordinate round-trips)."""
    return list(shapely.to_geojson(np.asarray(geometries, dtype=object)))


def last_sequences(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, int]:
    """Return each id's highest history sequence (ids without history are left out)."""
    out: dict[str, int] = {}
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ",".join("?" * len(chunk))
        out.update(conn.execute(
            f"SELECT event_id, max(sequence) FROM {HISTORY_TABLE} "
            f"WHERE event_id IN ({marks}) GROUP BY event_id", chunk).fetchall())
    return out


def append_history(conn: sqlite3.Connection,
                   rows: Iterable[tuple[str, int, str, str | None, str, str | None, str | None]]
                   ) -> None:
    """Append history rows: (event_id, sequence, operation, originator, time, previous, new)."""
    conn.executemany(
        f"INSERT INTO {HISTORY_TABLE} (event_id, sequence, operation, originator, time, "
        "previous, new) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def history_rows(conn: sqlite3.Connection, event_id: str) -> list[tuple[Any, ...]]:
    """Read an event's history rows, oldest first (none in a store without history)."""
    if not has_history(conn):
        return []
    return conn.execute(
        f"SELECT event_id, sequence, operation, originator, time, previous, new "
        f"FROM {HISTORY_TABLE} WHERE event_id = ? ORDER BY sequence", (event_id,)).fetchall()


def last_change(conn: sqlite3.Connection) -> int:
    """Return the number of the store's latest write (its last history row; 0 for none)."""
    if not has_history(conn):
        return 0
    return int(conn.execute(f"SELECT coalesce(max(fid), 0) FROM {HISTORY_TABLE}").fetchone()[0])


def history_ids(conn: sqlite3.Connection) -> list[str]:
    """Every event id the history names (for finding an id given escaped)."""
    if not has_history(conn):
        return []
    return [row[0] for row in conn.execute(f"SELECT DISTINCT event_id FROM {HISTORY_TABLE}")]


__all__ = ["APPEND_ONLY_MESSAGE", "HISTORY_TABLE", "OPERATIONS", "append_history",
           "ensure_history", "geometries_json", "has_history", "history_ids", "history_rows",
           "last_sequences", "version_feature"]
