"""Write an export all at once or not at all.

Every writer builds its output under a temporary name beside the target
(``.NAME.tmp-XXXX``, a file or a folder) and :func:`atomic_output` moves it
into place with :func:`os.replace` only when the writer has finished. A
failed export leaves the target as it was, and an existing target is only
replaced when ``overwrite`` is asked for.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from northpic.errors import OutputExistsError


def refuse_existing(path: Path, overwrite: bool) -> None:
    """Raise :class:`OutputExistsError` if ``path`` exists and ``overwrite`` is false."""
    if not overwrite and (path.exists() or path.is_symlink()):
        raise OutputExistsError(
            f"{path} already exists; pass --overwrite (overwrite=True) to replace it"
        )


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


@contextmanager
def atomic_output(path: str | Path, *, directory: bool, overwrite: bool) -> Iterator[Path]:
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

    Yields
    ------
    pathlib.Path
        Where to write, on the same file system as ``path``.

    Raises
    ------
    OutputExistsError
        If ``path`` exists (before or after writing) and ``overwrite`` is false.

    Examples
    --------
    >>> with atomic_output("out.csv", directory=False, overwrite=True) as tmp:  # doctest: +SKIP
    ...     tmp.write_text("a,b\\n")
    """
    target = Path(path)
    refuse_existing(target, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
    tmp = work if directory else work / target.name
    try:
        yield tmp
        if directory:  # mkdtemp makes it private (0700); outputs are shared like any file
            os.chmod(work, 0o777 & ~_umask())
        refuse_existing(target, overwrite)  # something else may have written it meanwhile
        if target.exists() and (target.is_dir() or tmp.is_dir()):
            # os.replace cannot put a folder over a file, a file over a folder, or a
            # folder over a non-empty one: move the old output aside, then drop it
            old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
            os.replace(target, old / target.name)
            os.replace(tmp, target)
            _remove(old)
        else:
            os.replace(tmp, target)
    finally:
        if work.exists():
            _remove(work)
