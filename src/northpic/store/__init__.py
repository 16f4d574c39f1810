"""The event store behind one interface: open, read, write, remove, count, history.

Events are kept in a GeoPackage file (:mod:`northpic.store.gpkg`, the
embedded default; its connections and guarantees in
:mod:`northpic.store.connection`, salvage of a damaged file in
:mod:`northpic.store.recover`), or in a PostgreSQL database with PostGIS
named by a ``postgresql://`` URL (:mod:`northpic.store.postgis`, for many
machines writing at once; see :mod:`northpic.store.location`). The
functions below resolve where the store is and hand over to its backend:
both behave the same, and read back the same frames.

Every write (add, update, remove) appends a row to the store's append-only
history, in the same transaction: who (the originator), when, and the
version before and after (see :mod:`northpic.store.history`,
:func:`read_history`).

The store lives at ``--store``, else ``$NORTHPIC_EVENTS`` if set, else at
``$XDG_DATA_HOME/northpic/events.gpkg`` (``~/.local/share/northpic/events.gpkg``).
Either may be a file or a ``postgresql://`` (``postgres://``) URL; the URL's
password is used to connect only, never shown.

Examples
--------
>>> import tempfile, pathlib, shapely, pandas as pd, geopandas as gpd
>>> from northpic.store import count_events, read_events, read_history, remove_event
>>> from northpic.store import write_events
>>> store = pathlib.Path(tempfile.mkdtemp()) / "watch.gpkg"
>>> t = pd.Timestamp("2026-01-15T06:30Z")
>>> rows = pd.DataFrame({"id": ["ev-1"], "name": ["Drill"], "layer": ["events_military"],
...     "domain": ["military"], "kind": ["exercise"], "source": ["press"],
...     "confidence": ["high"], "precision_km": [10.0], "valid_from": [t], "valid_to": [pd.NaT],
...     "time": [t], "notes": [""], "classification": ["UNCLASSIFIED"],
...     "releasability": ["NATO, EU"], "originator": ["NOR JOC"]})
>>> batch = gpd.GeoDataFrame(rows, geometry=[shapely.Point(30, 70)], crs="EPSG:4326")
>>> print(write_events(batch, store, "drill.csv"))  # doctest: +ELLIPSIS
added 1, updated 0 event(s) in .../watch.gpkg
>>> list(read_events(store, since="2026-01")["id"]), count_events(store)
(['ev-1'], 1)
>>> remove_event("ev-1", store, originator="NOR JOC"), count_events(store)
(True, 0)
>>> [(e.operation, e.originator, e.new is None) for e in read_history("ev-1", store).entries]
[('add', 'NOR JOC', False), ('remove', 'NOR JOC', True)]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import pandas as pd

from northpic.errors import BadInputError, DataFileError
from northpic.store.location import DatabaseURL, is_database_url
from northpic.store.report import AddReport, EventHistory, HistoryEntry, StoreTarget
from northpic.times import parse_time

#: A store: a file path, a ``postgresql://`` URL (a string or a :class:`DatabaseURL`), or
#: ``None`` for ``$NORTHPIC_EVENTS`` or :func:`default_store_path`.
StoreLocation = str | Path | DatabaseURL | None
#: A check run inside a write's transaction, holding the store's write lock, before anything
#: changes: it is given the releasability of each id of the write that is stored now
#: (``{id: releasability}``), and raises to refuse the write (nothing is then written).
WriteGuard = Callable[[Mapping[str, str]], None]


def default_store_path() -> Path:
    """Return the default event store file.

    ``$NORTHPIC_EVENTS`` if set; otherwise ``events.gpkg`` in
    ``$XDG_DATA_HOME/northpic`` (default ``~/.local/share/northpic``). (A
    ``postgresql://`` URL in ``$NORTHPIC_EVENTS`` is taken as such by the
    store functions given no store; this function is about files.)

    Examples
    --------
    >>> default_store_path().name.endswith(".gpkg") or "NORTHPIC_EVENTS" in os.environ
    True
    """
    explicit = os.environ.get("NORTHPIC_EVENTS")
    if explicit:
        return Path(explicit).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home).expanduser() / "northpic" / "events.gpkg"


def store_target(store: StoreLocation = None) -> StoreTarget:
    """Return where the store functions would find ``store``: its path, or its database URL.

    ``None`` is ``$NORTHPIC_EVENTS`` (a file or a URL), else :func:`default_store_path`.

    Examples
    --------
    >>> str(store_target("postgresql://ops:pw@db.example/events"))
    'postgresql://ops@db.example/events'
    >>> store_target("watch.gpkg").name
    'watch.gpkg'
    """
    return _resolve(store)


def _resolve(store: StoreLocation) -> StoreTarget:
    """Find the store: a database URL (a string, never a path) or a file path."""
    if store is None and is_database_url(os.environ.get("NORTHPIC_EVENTS")):
        store = os.environ["NORTHPIC_EVENTS"]
    if isinstance(store, DatabaseURL):
        return store
    if isinstance(store, str) and is_database_url(store):
        where = DatabaseURL.parse(store)
        if "\x00" in store:
            raise DataFileError(str(where), "a store's URL cannot hold a NUL character")
        return where
    path = Path(store).expanduser() if store is not None else default_store_path()
    if "\x00" in str(path):
        raise DataFileError(repr(str(path)), "a store's file name cannot hold a NUL character")
    return path


def _backend(where: StoreTarget) -> ModuleType:
    """Choose the module that keeps the store: PostGIS for a database URL, else GeoPackage."""
    if isinstance(where, DatabaseURL):
        from northpic.store import postgis

        return postgis
    from northpic.store import gpkg

    return gpkg


def write_events(frame: gpd.GeoDataFrame, store: StoreLocation, label: str = "<events>",
                 *, guard: WriteGuard | None = None) -> AddReport:
    """Insert or replace a validated batch of events, all in one transaction.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Events as returned by :func:`northpic.events.schema.validate_events`.
    store : str or pathlib.Path, optional
        The event store: a file, or a ``postgresql://`` URL; created if
        missing (a database's tables); default ``$NORTHPIC_EVENTS``, else
        :func:`default_store_path`.
    label : str
        Where the batch came from, for messages.
    guard : callable, optional
        Run inside the transaction, once the write holds the store's lock
        and before anything changes, with ``{id: releasability}`` of the
        batch's ids that are stored now (see :data:`WriteGuard`); whatever it
        raises refuses the write, which then changes nothing. Writers in
        other processes and on other machines queue on the same lock, so
        what the guard sees is what the write replaces.

    Returns
    -------
    AddReport
        Events added and updated, their ids and the store.

    Raises
    ------
    StoreError
        If the store cannot take the batch (damaged, read-only, full, busy, not
        an event store); it is left as it was.
    SchemaError
        If an extra attribute's values clash with the type the store holds.
    """
    path = _resolve(store)
    return _backend(path).write_events(frame, path, label, guard)


def check_writable(store: StoreLocation = None) -> StoreTarget:
    """Check, before any work and changing nothing, that events could be written to the store.

    What :func:`write_events` would refuse for the store itself is refused
    here: a missing store whose folder does not exist (only the default
    store's folder is created) or cannot be written, a read-only or
    immutable store, a file that is not an event store, and a damaged one
    (``PRAGMA quick_check``; the write that follows skips the check while
    the file is unchanged); for a database, one that cannot be reached,
    a read-only server, tables that are not northpic's or that the user may
    not write, and a new store the user may not create. A command that reads
    and analyses input before it stores the result calls this first, so a
    refusal costs no work.

    Parameters
    ----------
    store : str or pathlib.Path, optional
        The event store: a file, or a ``postgresql://`` URL; default
        ``$NORTHPIC_EVENTS``, else :func:`default_store_path`.

    Returns
    -------
    pathlib.Path or DatabaseURL
        The store's path, or its URL.

    Raises
    ------
    StoreError
        :class:`~northpic.errors.DamagedStoreError`,
        :class:`~northpic.errors.StoreNotWritableError` or "not an event
        store", naming the file and the cause.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_writable(folder / "new.gpkg").name
    'new.gpkg'
    >>> check_writable(folder / "typo" / "new.gpkg")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    northpic.errors.StoreNotWritableError: .../new.gpkg: cannot create the store: its folder ...
    """
    path = _resolve(store)
    _backend(path).check_writable(path)
    return path


def read_events(
    store: StoreLocation = None,
    *,
    since: str | date | datetime | pd.Timestamp | None = None,
    kind: str | None = None,
) -> gpd.GeoDataFrame:
    """Read the stored events as one layer frame, oldest first.

    Parameters
    ----------
    store : str or pathlib.Path, optional
        The event store: a file, or a ``postgresql://`` URL; default
        ``$NORTHPIC_EVENTS``, else :func:`default_store_path`.
    since : str or date, optional
        Keep events at or after this moment (ISO 8601; a date is midnight
        UTC, a month or a year its first day; see :func:`northpic.times.parse_time`).
    kind : str, optional
        Keep events of this kind only.

    Returns
    -------
    geopandas.GeoDataFrame
        The common layer columns (``valid_from`` = ``time``), the marking
        columns (``classification``, ``releasability``, ``originator``),
        ``time`` (UTC), ``notes``, every extra attribute, and the geometry,
        in EPSG:4326. An event stored by a version of northpic before
        markings has its marking fields blank (``""``): it is unmarked,
        releasable to no audience, until added again with markings.

    Raises
    ------
    DataFileError
        If there is no store at ``store`` or the file is not an event store.
    BadInputError
        If ``since`` is not an ISO 8601 date or date-time.
    """
    moment = None
    if since is not None:
        moment = parse_time(since, option="since")
        if moment is None:
            raise BadInputError("since needs an ISO 8601 date or date-time")
    path = _resolve(store)
    return _backend(path).read_events(path, moment, kind)


def remove_event(event_id: str, store: StoreLocation = None, *,
                 originator: str | None = None, guard: WriteGuard | None = None) -> bool:
    """Remove one event from the store, keeping its tombstone in the history.

    Parameters
    ----------
    event_id : str
        The event's id (see ``northpic events list``). An id holding control
        characters (possible only in a store written by an older version or
        another tool) may be given as ``events list`` shows it, escaped
        (``a\\x00b``).
    store : str or pathlib.Path, optional
        The event store: a file, or a ``postgresql://`` URL; default
        ``$NORTHPIC_EVENTS``, else :func:`default_store_path`.
    originator : str, optional
        Who removes it, for the history (left blank if not given).
    guard : callable, optional
        As for :func:`write_events`: given ``{id: releasability}`` of the
        event found, inside the transaction; what it raises refuses the removal.

    Returns
    -------
    bool
        True (an unknown id raises instead).

    Raises
    ------
    EventNotFoundError
        If no event has this id; nothing is changed.
    BadInputError
        If ``originator`` holds a control character.
    """
    if originator is not None:
        from northpic.schema import text_problem

        problem = text_problem(originator)
        if problem or not originator.strip():
            raise BadInputError(f"originator {originator!r} {problem or 'is blank'}")
    path = _resolve(store)
    return _backend(path).remove_event(path, event_id, originator, guard)


def read_history(event_id: str, store: StoreLocation = None) -> EventHistory:
    """Read the history of one event: every write, oldest first.

    Parameters
    ----------
    event_id : str
        The event's id, now stored or removed (or escaped, as for
        :func:`remove_event`).
    store : str or pathlib.Path, optional
        The event store: a file, or a ``postgresql://`` URL; default
        ``$NORTHPIC_EVENTS``, else :func:`default_store_path`.

    Returns
    -------
    EventHistory
        Its entries (operation, originator, UTC time, previous and new
        version as GeoJSON Features); none for an event stored before the
        store kept history and not written since.

    Raises
    ------
    EventNotFoundError
        If the id is neither stored nor in the history.
    DataFileError
        If there is no store at ``store`` or the file is not an event store.
    """
    path = _resolve(store)
    return _backend(path).read_history(path, event_id)


def count_events(store: StoreLocation = None) -> int:
    """Return how many events the store holds (0 if there is no store yet).

    Raises
    ------
    StoreError
        If the file is not an event store, or cannot be read.
    """
    path = _resolve(store)
    return _backend(path).count_events(path)


def last_change(store: StoreLocation = None) -> int:
    """Return a number that grows with every write to the store (0 before the first).

    A reader that keeps the number it last saw learns, by asking again, whether
    anything was added, updated or removed since, without reading the events:
    the live map and the service's caches use it.

    Raises
    ------
    StoreError
        If the file is not an event store, or cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> last_change(pathlib.Path(tempfile.mkdtemp()) / "none-yet.gpkg")
    0
    """
    path = _resolve(store)
    return int(_backend(path).last_change(path))


__all__ = ["AddReport", "DatabaseURL", "EventHistory", "HistoryEntry", "StoreLocation",
           "StoreTarget", "WriteGuard", "check_writable", "count_events", "default_store_path",
           "last_change", "read_events", "read_history", "remove_event", "store_target",
           "write_events"]
