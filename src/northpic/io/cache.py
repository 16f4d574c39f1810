"""northpic's cache of arrays derived from package data: where it is, and atomic writes into it.

The folder is ``$NORTHPIC_CACHE_DIR`` or ``~/.cache/northpic``. Every file
is derived from installed packages (land masks, shorelines, ports), named
by their versions, written through a temporary file and renamed into
place, so that a reader never sees half a file; they can be deleted at any
time and are rebuilt.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def cache_dir() -> Path:
    """Return northpic's cache folder (``$NORTHPIC_CACHE_DIR`` or ``~/.cache/northpic``).

    Examples
    --------
    >>> import os
    >>> os.environ["NORTHPIC_CACHE_DIR"] = "/tmp/northpic-cache"
    >>> str(cache_dir())
    '/tmp/northpic-cache'
    >>> del os.environ["NORTHPIC_CACHE_DIR"]
    """
    env = os.environ.get("NORTHPIC_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "northpic"


def cached_array(name: str, build: Callable[[], np.ndarray]) -> np.ndarray:
    """Return the cached ``.npy`` array ``name``, built by ``build()`` and saved if missing.

    Parameters
    ----------
    name : str
        File name in :func:`cache_dir`, carrying the versions it derives from.
    build : callable
        Computes the array when the file is not there.

    Returns
    -------
    numpy.ndarray
    """
    target = cache_dir() / name
    if target.exists():
        return np.load(target)
    array = build()

    def write(path: Path) -> None:
        with open(path, "wb") as handle:
            np.save(handle, array)

    cached_file(name, write)
    return array


def cached_file(name: str, write: Callable[[Path], None]) -> Path:
    """Return the path of the cached file ``name``, written by ``write(path)`` first if missing.

    ``write`` is given a temporary path in the cache folder (for arrays too
    large for memory, e.g. a memory-mapped ``.npy`` it fills part by part);
    the file is then renamed into place, or removed if ``write`` fails.

    Parameters
    ----------
    name : str
        File name in :func:`cache_dir`, carrying the versions it derives from.
    write : callable
        ``write(path)`` writes the whole file at ``path``.

    Returns
    -------
    pathlib.Path
    """
    target = cache_dir() / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        os.close(fd)
        try:
            write(Path(tmp))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return target


def cached_memmap(
    name: str, shape: tuple[int, ...], dtype: Any, fill: Callable[[np.ndarray], None]
) -> np.ndarray:
    """Return the cached array ``name`` memory-mapped read-only, filled by ``fill`` if missing.

    For arrays too large to build in memory: ``fill`` is given a writable
    memory-mapped array of ``shape`` and ``dtype`` (in a temporary file, see
    :func:`cached_file`) and writes every value of it, part by part.

    Parameters
    ----------
    name : str
        File name in :func:`cache_dir`, carrying the versions it derives from.
    shape : tuple of int
        Of the array.
    dtype : numpy dtype
        Of the array.
    fill : callable
        ``fill(array)`` writes the values.

    Returns
    -------
    numpy.ndarray
        Memory-mapped read-only (``mmap_mode="r"``).

    Examples
    --------
    >>> import os, tempfile
    >>> os.environ["NORTHPIC_CACHE_DIR"] = tempfile.mkdtemp()
    >>> def fill(array):
    ...     array[:] = 7
    >>> cached_memmap("sevens_v1.npy", (2, 3), np.uint8, fill).sum()
    np.uint64(42)
    >>> del os.environ["NORTHPIC_CACHE_DIR"]
    """

    def write(path: Path) -> None:
        array = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape)
        fill(array)
        array.flush()
        del array

    return np.load(cached_file(name, write), mmap_mode="r")
