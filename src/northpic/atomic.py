"""Write an output all at once or not at all, only where asked.

Every writer builds its output under a temporary name beside the target,
``.NAME.northpic-tmp-PID-XXXX`` (a folder; a file output is written inside
it), and :func:`atomic_output` moves it into place with :func:`os.replace`
only when the writer has finished. A failed write leaves the target as it
was and removes its temporary folder; an existing target is only replaced
when ``overwrite`` is asked for.

Outputs go only where asked: a missing parent folder is refused
(:class:`~northpic.errors.OutputPathError`) unless ``mkdir`` is given. A
run that was killed (``kill -9``, power loss) cannot remove its temporary
folder; the next write into the same folder removes those of its own whose
process is gone and that are older than the run (:func:`remove_stale_temporaries`).
A failure of the machine (disk full, read-only, permission, a name too
long) becomes a :class:`~northpic.errors.StorageError` naming the output.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from northpic.errors import (
    OutputExistsError,
    OutputPathError,
    StorageError,
    environment_cause,
    is_io_error,
)

#: Infix of every temporary name northpic's writers make (with the PID after it).
TEMP_MARK = ".northpic-tmp-"
_OLD_MARK = ".northpic-old-"
_STALE = re.compile(r"^\..*(?:\.northpic-tmp-|\.northpic-old-)(\d+)-[^/]+$")


def refuse_existing(path: Path, overwrite: bool) -> None:
    """Raise :class:`OutputExistsError` if ``path`` exists and ``overwrite`` is false."""
    if not overwrite and (path.exists() or path.is_symlink()):
        raise OutputExistsError(
            f"{path} already exists; pass --overwrite (overwrite=True) to replace it"
        )


def ensure_parent(path: str | Path, mkdir: bool = False) -> Path:
    """Check that the folder an output goes into exists; create it only when asked.

    Parameters
    ----------
    path : str or pathlib.Path
        The output file or folder.
    mkdir : bool
        Create the missing parent folders (``--mkdir``).

    Returns
    -------
    pathlib.Path
        The parent folder.

    Raises
    ------
    OutputPathError
        If the parent does not exist and ``mkdir`` is false, or is not a folder.
    StorageError
        If the parent cannot be created (read-only, permission...) or the
        name is too long.
    """
    target = Path(path)
    parent = target.parent
    try:
        if len(os.fsencode(target.name)) > 255:
            raise StorageError(str(target), "file name too long (over 255 bytes)")
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise OutputPathError(f"{target}: {parent} is not a folder")
            return parent
        if not mkdir:
            raise OutputPathError(
                f"{target}: folder {parent} does not exist; create it, or pass --mkdir "
                "(mkdir=True) to have it created"
            )
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if isinstance(exc, StorageError | OutputPathError):
            raise
        cause = environment_cause(exc)
        if cause is None:
            raise
        raise StorageError(str(target), cause) from exc
    return parent


def _umask() -> int:
    """Return the process umask, read without setting it where the system tells it (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(mask)
    return mask


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _short(name: str) -> str:
    """Return the start of a file name, at most 100 bytes, so temporary names stay legal."""
    return os.fsencode(name)[:100].decode("utf-8", errors="ignore") or "output"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except OSError:
        return True
    return True


def remove_stale_temporaries(folder: str | Path, before: float | None = None) -> list[Path]:
    """Remove northpic's own temporary outputs left in ``folder`` by killed runs.

    Only entries named like :func:`atomic_output` names them
    (``.NAME.northpic-tmp-PID-XXXX``) are touched, and only when process
    ``PID`` is gone and the entry was last changed before ``before``.

    Parameters
    ----------
    folder : str or pathlib.Path
        The folder an output is being written into.
    before : float, optional
        A POSIX time; default now.

    Returns
    -------
    list of pathlib.Path
        The entries removed.
    """
    limit = time.time() if before is None else before
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _STALE.match(entry.name)
        if not match or _alive(int(match.group(1))):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_mtime >= limit:
                continue
        except OSError:
            continue
        path = Path(entry.path)
        _remove(path)
        removed.append(path)
    return removed


#: Free space under which a failed write is put down to a full disk (GDAL often hides ENOSPC).
NEARLY_FULL_BYTES = 1 << 20


def _device_state(folder: Path) -> str | None:
    """Say why a write into ``folder`` failed when the system hid it: full or read-only."""
    try:
        stats = os.statvfs(folder)
    except (OSError, AttributeError):
        return None
    if stats.f_flag & getattr(os, "ST_RDONLY", 1):
        return "read-only file system (errno 30)"
    if stats.f_bavail * stats.f_frsize < NEARLY_FULL_BYTES:
        free = stats.f_bavail * stats.f_frsize
        return f"no space left on the device (errno 28; {free} bytes free)"
    return None


def _storage_error(target: Path, exc: BaseException) -> StorageError | None:
    if isinstance(exc, StorageError):
        return exc
    if not is_io_error(exc, also=("sqlite3",)):
        return None
    cause = environment_cause(exc) or _device_state(target.parent)
    return None if cause is None else StorageError(str(target), cause)


@contextmanager
def atomic_output(
    path: str | Path, *, directory: bool, overwrite: bool, mkdir: bool = False
) -> Iterator[Path]:
    """Yield a temporary path to write; move it to ``path`` when the block succeeds.

    Parameters
    ----------
    path : str or pathlib.Path
        The final file or folder.
    directory : bool
        Whether the output is a folder (the temporary folder is created) or a
        file (the temporary path does not exist yet).
    overwrite : bool
        Replace an existing ``path``; otherwise it is an error.
    mkdir : bool
        Create a missing parent folder; otherwise it is an error.

    Yields
    ------
    pathlib.Path
        Where to write, on the same file system as ``path``.

    Raises
    ------
    OutputExistsError
        If ``path`` exists (before or after writing) and ``overwrite`` is false.
    OutputPathError
        If the parent folder is missing and ``mkdir`` is false.
    StorageError
        If the machine refuses the write (disk full, read-only, permission
        denied, name too long...): nothing is left behind.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = tempfile.TemporaryDirectory()
    >>> out = Path(folder.name) / "out.csv"
    >>> with atomic_output(out, directory=False, overwrite=False) as tmp:
    ...     size = tmp.write_text("a,b\\n")
    ...     out.exists()  # not yet: the output appears whole when the block ends
    False
    >>> out.read_text(), sorted(p.name for p in out.parent.iterdir())
    ('a,b\\n', ['out.csv'])
    >>> folder.cleanup()
    """
    started = time.time()
    target = Path(path)
    refuse_existing(target, overwrite)
    ensure_parent(target, mkdir)
    remove_stale_temporaries(target.parent, before=started)
    prefix = f".{_short(target.name)}{TEMP_MARK}{os.getpid()}-"
    try:
        work = Path(tempfile.mkdtemp(dir=target.parent, prefix=prefix))
    except OSError as exc:
        error = _storage_error(target, exc)
        if error is None:
            raise
        raise error from exc
    tmp = work if directory else work / target.name
    try:
        try:
            yield tmp
            if directory:  # mkdtemp makes it private (0700); outputs are shared like any file
                os.chmod(work, 0o777 & ~_umask())
            refuse_existing(target, overwrite)  # something else may have written it meanwhile
            if target.exists() and (target.is_dir() or tmp.is_dir()):
                # os.replace cannot put a folder over a file, a file over a folder, or a
                # folder over a non-empty one: move the old output aside, then drop it
                old = Path(tempfile.mkdtemp(
                    dir=target.parent, prefix=f".{_short(target.name)}{_OLD_MARK}{os.getpid()}-"))
                os.replace(target, old / target.name)
                os.replace(tmp, target)
                _remove(old)
            else:
                os.replace(tmp, target)
        except Exception as exc:
            error = _storage_error(target, exc)
            if error is None or error is exc:
                raise
            raise error from exc
    finally:
        if work.exists():
            _remove(work)
