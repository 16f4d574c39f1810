"""Opening the event store: for reading anywhere, for writing only when it is sound.

* **Reading** never writes an event, and needs no write access. Where the
  file and its folder are writable a reader opens the store as writers do
  (so SQLite removes its ``-wal`` and ``-shm`` files when the last
  connection closes); where they are not, read-only (``mode=ro``). A WAL
  store also needs its ``-shm`` file; where the folder cannot take one (a
  read-only mount, an immutable folder) the store is opened as
  ``immutable=1``, which reads the file with no locks at all. That is safe
  for media nothing writes to, and the reason it is only the last resort: an
  immutable reader would not notice a concurrent writer. If a non-empty
  ``-wal`` file sits beside such a store (changes not yet checkpointed into
  it), reading is refused rather than silently missing them.
* **Writing** first checks the store with ``PRAGMA quick_check`` (once per
  store and process, and again if the file changed since this process last
  wrote it, within :data:`CHECK_LIMIT_S`) and refuses a damaged one
  with :class:`~northpic.errors.DamagedStoreError`, whose message says how to
  recover; nothing is ever written into a store that failed the check.
* **Creating** builds the whole empty store in a hidden file beside it and
  hard-links it into place, so no reader ever meets a half-created store.
* Every SQLite failure becomes a :class:`~northpic.errors.StoreError` naming
  the file and the real cause: no space left, read-only media, an immutable
  file, a busy lock, a damaged file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import sqlite3
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from northpic.errors import (
    DamagedStoreError,
    DataFileError,
    StoreBusyError,
    StoreError,
    StoreNotWritableError,
)

#: How long a writer waits for another writer's transaction, in seconds.
BUSY_TIMEOUT_S = 60.0
#: How long a reader waits for a lock, in seconds. Readers of a WAL store never
#: wait; only a store in rollback-journal mode (written by another tool) can
#: make them, and then at most this long before "store is busy; try again".
READ_TIMEOUT_S = 5.0
#: The longest the integrity check before a process's first write may take, in
#: seconds (``quick_check`` reads every page: 0.02 s for a 47 MB store, file cached, here).
CHECK_LIMIT_S = 60.0
#: Hidden files of a store being created older than this (a killed creator's) are removed.
STALE_CREATION_S = 3600.0
# (st_dev, st_ino) of stores that passed quick_check -> (size, mtime) when last seen sound
_CHECKED: dict[tuple[int, int], tuple[int, int]] = {}


def recovery_hint(path: Path) -> str:
    """Tell how to save the readable events of a damaged store."""
    return (f"copy its readable events into a new store with `northpic events export-good "
            f"{path} --out NEW.gpkg` (or first salvage with sqlite3's `.recover` or `.dump`, "
            "see docs/events.md), then use the new store")


def unwritable_reason(path: Path, folder: Path | None = None) -> str | None:
    """Say why ``path`` (or its folder, for the -wal/-shm files) cannot be written, if it cannot.

    ``folder`` is the folder to probe (default ``path``'s); nothing is left behind.
    """
    try:
        os.close(os.open(path, os.O_RDWR))
    except FileNotFoundError:
        pass
    except OSError as exc:
        hint = " (an immutable file? see `lsattr`)" if exc.errno == errno.EPERM else ""
        return f"the file cannot be opened for writing: {exc.strerror}{hint}"
    folder = path.parent if folder is None else folder
    probe = folder / f".{path.name}.probe-{secrets.token_hex(4)}"
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        probe.unlink()
    except OSError as exc:
        hint = " (an immutable folder? see `lsattr -d`)" if exc.errno == errno.EPERM else ""
        return (f"its folder {folder} cannot take the store's -wal and -shm files: "
                f"{exc.strerror}{hint}")
    return None


def _why_not_writable(path: Path) -> str:
    """Find out why ``path`` (or its folder, for the -wal/-shm files) cannot be written."""
    return unwritable_reason(path) or "SQLite could not write it"


def check_creatable(path: Path, make_folder: bool) -> None:
    """Refuse, changing nothing, a store that could not be created at ``path``.

    Its folder must exist (or, with ``make_folder``, the nearest folder that
    does must be one) and take new files.

    Raises
    ------
    StoreNotWritableError
        If the folder is missing (and not to be made), or cannot be written.
    """
    folder = path.parent
    if not make_folder and not folder.is_dir():
        raise StoreNotWritableError(str(path), f"cannot create the store: its folder "
                                               f"{folder} does not exist; create it first")
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise StoreNotWritableError(str(path), f"cannot create the store: {folder} is not a "
                                               "folder")
    problem = unwritable_reason(path, folder)
    if problem is not None:
        raise StoreNotWritableError(str(path), f"cannot create the store: {problem}")


def store_error(path: Path, exc: sqlite3.Error, writing: bool) -> StoreError:
    """Turn a SQLite error into a :class:`StoreError` that names the file and the cause."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    where = str(path)
    if name.startswith("SQLITE_CORRUPT"):
        return DamagedStoreError(where, f"the store is damaged ({exc}); nothing was written to "
                                        f"it. To recover, {recovery_hint(path)}")
    if name == "SQLITE_NOTADB":
        return StoreError(where, f"not an event store (GeoPackage): {exc}")
    if name.startswith("SQLITE_FULL") or "disk is full" in str(exc):
        return StoreNotWritableError(where, f"no space left on the device ({exc}); the store "
                                            "is unchanged: free some space and try again")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StoreBusyError(where, f"store is busy ({exc}); another process holds its lock: "
                                     "try again")
    if writing and name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM",
                                    "SQLITE_AUTH")):
        return StoreNotWritableError(where, f"cannot write to the store: "
                                            f"{_why_not_writable(path)} ({exc})")
    if name.startswith("SQLITE_IOERR"):
        return StoreError(where, f"input/output error on the store ({exc}); the disk or the "
                                 "network share may be failing")
    doing = "write to" if writing else "read"
    return StoreError(where, f"cannot {doing} the event store: {exc}")


def _uri(path: Path, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{urllib.parse.quote(str(path.absolute()))}?{query}"


def _empty_store(path: Path) -> StoreBusyError:
    return StoreBusyError(str(path), "store is empty: it is being created by another program, "
                                     "or its creation was interrupted; try again")


def open_for_reading(path: Path) -> sqlite3.Connection:
    """Open an existing store for reading (never for writing), on any media.

    Raises
    ------
    StoreError
        If the file cannot be read as a SQLite database; an empty file is
        :class:`StoreBusyError` ("being created; try again").
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataFileError(str(path), f"cannot read: {exc.strerror}") from None
    if size == 0:
        raise _empty_store(path)
    conn = None
    for params in ({"mode": "rw"}, {"mode": "ro"}, {"mode": "ro", "immutable": "1"}):
        if "immutable" in params:
            wal = path.with_name(path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise StoreError(str(path), "cannot read the store here: its folder cannot take "
                                            "the -shm file SQLite needs, and its -wal file holds "
                                            "changes not yet in the store; open it once where "
                                            "it is writable, or copy both files elsewhere")
        try:
            conn = sqlite3.connect(_uri(path, **params), uri=True, timeout=READ_TIMEOUT_S,
                                   isolation_level=None)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            # text another tool stored as invalid UTF-8 reads as U+FFFD, not as a failure
            conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
            return conn
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
                conn = None
            retry = (getattr(exc, "sqlite_errorname", "") or "").startswith(
                ("SQLITE_CANTOPEN", "SQLITE_READONLY"))
            if not retry or "immutable" in params:
                raise store_error(path, exc, writing=False) from None
    raise AssertionError("unreachable")  # pragma: no cover


def connect_read_write(path: Path) -> sqlite3.Connection:
    """Connect to ``path`` read-write, autocommit, waiting up to :data:`BUSY_TIMEOUT_S` on locks.

    ``sqlite3.connect``'s ``timeout`` sets SQLite's busy timeout; a refusal is a
    :class:`StoreError`.
    """
    try:
        return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise store_error(path, exc, writing=True) from None


def open_for_writing(path: Path) -> sqlite3.Connection:
    """Open an existing store read-write, in WAL mode with ``synchronous = FULL``.

    A database that is not empty and not an event store is refused before
    anything (not even its journal mode) is changed.
    """
    conn = connect_read_write(path)
    try:
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] and not (
            is_event_store(conn)
        ):
            raise not_a_store(path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    except BaseException as exc:
        conn.close()
        if isinstance(exc, sqlite3.Error):
            raise store_error(path, exc, writing=True) from None
        raise
    return conn


def is_event_store(conn: sqlite3.Connection, table: str = "events",
                   columns: tuple[str, ...] = ("id", "time")) -> bool:
    """Tell whether the database registers ``table`` as a feature table with ``columns``."""
    try:
        registered = conn.execute(
            "SELECT 1 FROM gpkg_contents WHERE table_name = ? AND data_type = 'features'",
            (table,),
        ).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return False
        raise
    have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    return bool(registered) and set(columns) <= have


def not_a_store(path: Path) -> StoreError:
    """Make the error for a database that is not a northpic event store."""
    return StoreError(str(path), "exists but is not a northpic event store "
                                 "(no 'events' feature table); choose another --store")


def check_store(conn: sqlite3.Connection, path: Path) -> None:
    """Run ``PRAGMA quick_check`` before a process first writes a store; refuse a damaged one.

    The check is run again when the file changed since this process last
    wrote it (see :func:`remember_sound`).

    Raises
    ------
    DamagedStoreError
        If the check finds damage (or SQLite finds it while checking).
    StoreBusyError
        If the check cannot finish within :data:`CHECK_LIMIT_S`.
    """
    try:
        stat = path.stat()
    except OSError as exc:
        raise DataFileError(str(path), f"cannot read: {exc.strerror}") from None
    key = (stat.st_dev, stat.st_ino)
    if _CHECKED.get(key) == (stat.st_size, stat.st_mtime_ns):
        return
    deadline = time.monotonic() + CHECK_LIMIT_S
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise StoreBusyError(str(path), f"the integrity check before writing did not "
                                            f"finish in {CHECK_LIMIT_S:g} s; nothing was "
                                            "written") from None
        raise
    finally:
        conn.set_progress_handler(None, 0)
    if rows != ["ok"]:
        raise DamagedStoreError(str(path), f"the store is damaged (quick_check: "
                                           f"{'; '.join(map(str, rows))}); nothing was written "
                                           f"to it. To recover, {recovery_hint(path)}")
    _CHECKED[key] = (stat.st_size, stat.st_mtime_ns)


def remember_sound(path: Path) -> None:
    """Note the store's state after this process wrote it, so the next write skips the check."""
    with contextlib.suppress(OSError):
        stat = path.stat()
        _CHECKED[(stat.st_dev, stat.st_ino)] = (stat.st_size, stat.st_mtime_ns)


def _remove_stale_creations(path: Path) -> None:
    for stale in path.parent.glob(f".{path.name}.creating-*"):
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > STALE_CREATION_S:
                stale.unlink()


def create_store(
    path: Path, initialise: Callable[[sqlite3.Connection], None], make_folder: bool = True
) -> None:
    """Create an empty store at ``path`` atomically (if no other process did first).

    The store is built and committed in a hidden file beside ``path``, then
    hard-linked into place: a reader sees no store or a whole one. Where the
    file system has no hard links it is renamed into place instead.

    Parameters
    ----------
    path : pathlib.Path
        Where the store goes.
    initialise : callable
        Creates the tables, inside one transaction on the new database.
    make_folder : bool
        Create the store's missing folder (else a missing folder is refused).
    """
    if not make_folder and not path.parent.is_dir():
        check_creatable(path, make_folder)  # refuses the missing folder
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreNotWritableError(str(path), f"cannot create the store's folder: "
                                               f"{exc.strerror}") from None
    _remove_stale_creations(path)
    temporary = path.with_name(f".{path.name}.creating-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        conn = sqlite3.connect(str(temporary), isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("BEGIN IMMEDIATE")
            initialise(conn)
            conn.execute("COMMIT")
        finally:
            conn.close()  # the last connection: the WAL is checkpointed into the file
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process created it first: that store is used
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            if not path.exists():
                os.replace(temporary, path)
    except sqlite3.Error as exc:
        raise store_error(path, exc, writing=True) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise StoreNotWritableError(str(path), f"no space left on the device to create the "
                                                   f"store ({exc.strerror})") from None
        raise StoreNotWritableError(str(path), f"cannot create the store: "
                                               f"{exc.strerror or exc}") from None
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + "-wal"),
                         temporary.with_name(temporary.name + "-shm")):
            with contextlib.suppress(OSError):
                leftover.unlink()
