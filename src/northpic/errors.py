"""The one error tree of northpic.

Every error northpic raises on purpose is a :class:`NorthpicError`. Each
subclass also inherits the matching builtin, so callers who do not know
northpic can still catch ``KeyError`` or ``ValueError``. The CLI turns a
:class:`BadInputError` into exit status 2 with the file, record and reason.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record of one file.

    Parameters
    ----------
    path : str
        The file (or ``"<stdin>"``, or a layer name) the record came from.
    record : str or None
        The record's id, or ``"#N"`` (1-based position) when it has no id;
        ``None`` when the problem concerns the whole file.
    reason : str
        What is wrong, in words a user can act on.
    """

    path: str
    record: str | None
    reason: str

    def __str__(self) -> str:
        where = self.path if self.record is None else f"{self.path}: record {self.record}"
        return f"{where}: {self.reason}"


class NorthpicError(Exception):
    """Base class of every error northpic raises on purpose."""

    def __str__(self) -> str:  # KeyError would otherwise print its repr
        return str(self.args[0]) if self.args else self.__class__.__name__


class BadInputError(NorthpicError):
    """Input the user can fix: the CLI exits with status 2."""


class DataFileError(BadInputError, OSError):
    """A file that cannot be opened, read or parsed at all."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SchemaError(BadInputError, ValueError):
    """Records that break the layer schema; carries every :class:`Problem` found."""

    def __init__(self, problems: list[Problem], limit: int = 20) -> None:
        self.problems = list(problems)
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        super().__init__("\n".join(lines))


class LayerNotFoundError(BadInputError, KeyError):
    """A layer name that is not in the catalogue."""

    def __init__(self, name: str, valid: list[str]) -> None:
        super().__init__(f"unknown layer {name!r}; valid layers: {', '.join(valid)}")
        self.name = name
        self.valid = valid


class CatalogueError(NorthpicError, ValueError):
    """The layer catalogue itself is malformed (a packaging bug, not user input)."""


class OutputExistsError(BadInputError, FileExistsError):
    """An output path exists and overwriting was not asked for."""


class UnsupportedFormatError(BadInputError, ValueError):
    """A file or export format northpic does not know."""


class EventNotFoundError(BadInputError, KeyError):
    """An event id that is not in the event store."""


class FetchError(BadInputError, ConnectionError):
    """A download that could not be done: offline, refused, or nothing at that address."""


class OutputPathError(BadInputError, FileNotFoundError):
    """An output whose folder does not exist (and ``--mkdir`` was not given), or is no folder."""


class StorageError(BadInputError, OSError):
    """The machine refused a read or write: disk full, read-only, no permission, bad path.

    Raised at the I/O edges in place of the ``OSError`` (or GDAL error) the
    system gave, with the file and the cause named; the CLI exits with 2.
    """

    def __init__(self, path: str, cause: str) -> None:
        super().__init__(f"{path}: {cause}")
        self.path = path
        self.cause = cause


#: errno names of failures of the machine or of the path asked for, never of northpic.
ENVIRONMENT_ERRNOS: dict[str, str] = {
    "ENOSPC": "no space left on the device",
    "EDQUOT": "disk quota exceeded",
    "EROFS": "read-only file system",
    "EACCES": "permission denied",
    "EPERM": "operation not permitted",
    "ENAMETOOLONG": "file name too long",
    "ENOENT": "no such file or folder",
    "ENOTDIR": "a part of the path is not a folder",
    "EISDIR": "is a folder",
    "EIO": "input/output error (the device failed)",
    "EFBIG": "file too large for the file system",
    "EMFILE": "too many open files",
    "ENXIO": "no such device",
    "ELOOP": "too many levels of symbolic links",
    "ESTALE": "stale network file handle",
}


def environment_cause(exc: BaseException) -> str | None:
    """Return the cause, in words, when ``exc`` is a failure of the machine or the path.

    Parameters
    ----------
    exc : BaseException
        An ``OSError`` (by its errno), or a GDAL/pyogrio error whose message
        carries the system's wording (``No space left on device``...).

    Returns
    -------
    str or None
        ``"no space left on the device (errno 28)"`` and the like; None for
        anything else, which stays a bug.

    Examples
    --------
    >>> environment_cause(OSError(28, "No space left on device"))
    'no space left on the device (errno 28)'
    >>> environment_cause(ValueError("x")) is None
    True
    """
    import errno as errno_module
    import os

    if isinstance(exc, OSError) and isinstance(exc.errno, int):
        name = errno_module.errorcode.get(exc.errno, "")
        if name in ENVIRONMENT_ERRNOS:
            return f"{ENVIRONMENT_ERRNOS[name]} (errno {exc.errno})"
        return None
    text = str(exc).lower()
    for name, words in ENVIRONMENT_ERRNOS.items():
        code = getattr(errno_module, name, None)
        if code is None:
            continue
        system_words = os.strerror(code).lower()
        if system_words in text or words in text:
            return f"{words} (errno {code})"
    if "disk is full" in text or "disk full" in text:
        return f"{ENVIRONMENT_ERRNOS['ENOSPC']} (errno {errno_module.ENOSPC})"
    if "read-only" in text or "readonly" in text:
        return f"{ENVIRONMENT_ERRNOS['EROFS']} (errno {errno_module.EROFS})"
    return None


#: Top-level packages whose errors wrap the system's (a full disk reaches us through them).
IO_LIBRARIES = ("pyogrio", "rasterio", "fiona", "netCDF4", "osgeo", "pyarrow")


def is_io_error(exc: BaseException, also: tuple[str, ...] = ()) -> bool:
    """Say whether ``exc`` is an ``OSError`` or an error of one of :data:`IO_LIBRARIES`.

    Parameters
    ----------
    exc : BaseException
        The error raised.
    also : tuple of str
        More top-level packages to count as I/O libraries (``"sqlite3"``...).

    Examples
    --------
    >>> is_io_error(PermissionError(13, "Permission denied")), is_io_error(ValueError("x"))
    (True, False)
    """
    if isinstance(exc, OSError):
        return True
    package = (type(exc).__module__ or "").split(".")[0]
    return package in IO_LIBRARIES or package in also


class NoDataError(BadInputError, ValueError):
    """Data that holds too few valid values to answer: "no data", never reported as zero."""


class InputTypeError(BadInputError, TypeError):
    """A Python object given where events or a file were expected (``None``, a number...)."""


class StoreError(DataFileError):
    """The event store cannot be used as asked; the file and the cause are named."""


class DamagedStoreError(StoreError):
    """The event store failed its integrity check: nothing is written into it."""


class StoreNotWritableError(StoreError, PermissionError):
    """The event store cannot be written: read-only media, an immutable file, no space left."""


class StoreBusyError(StoreError):
    """The event store is locked by another writer, or is being created; try again."""


class MarkingsError(BadInputError, ValueError):
    """A markings table that cannot be used: unreadable, or an entry that breaks its rules."""


class PerspectiveError(BadInputError, ValueError):
    """A perspective that cannot be used: unknown name, unreadable file, or a bad entry."""


class AssetMissingError(BadInputError, FileNotFoundError):
    """A page library that the Makefile installs (``npm ci``) is not on this machine."""


class MarkingMixError(BadInputError, ValueError):
    """A product whose records no single audience may see, made without ``--audience``."""


class ServeConfigError(BadInputError, ValueError):
    """A ``serve`` configuration that cannot be used: unreadable TOML, or a bad entry."""
