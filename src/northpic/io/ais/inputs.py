"""Open AIS inputs: plain files, ``.gz``/``.bz2`` streams and the members of ``.zip`` archives.

:func:`open_inputs` turns a path into the inputs it holds, each with a
label for messages and a way to open it as a binary stream;
:func:`detect_format` says whether an input is CSV, Parquet or NMEA.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from northpic.errors import DataFileError

#: Bytes read from the start of an input to sniff its format and header.
PEEK_BYTES = 1 << 16


@dataclass(frozen=True)
class Input:
    """One readable input: a file, or a member of a zip archive."""

    label: str
    suffixes: tuple[str, ...]
    open: Callable[[], Any]  # returns a pyarrow-readable binary stream
    path: Path | None = None  # the file itself, when it is neither archived nor compressed

    def peek(self) -> bytes:
        """Return the first :data:`PEEK_BYTES` bytes (decompressed)."""
        with self.open() as stream:
            return bytes(stream.read(PEEK_BYTES))


def open_inputs(path: Path) -> list[Input]:
    """Return the inputs of ``path``: the file itself, or each member of a zip archive.

    Raises
    ------
    DataFileError
        If ``path`` is missing, not a file, not a readable zip archive or an empty one.
    """
    if not path.exists():
        raise DataFileError(str(path), "no such file")
    if not path.is_file():
        raise DataFileError(str(path), "not a file")
    suffixes = tuple(s.lower() for s in path.suffixes)
    if suffixes and suffixes[-1] == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise DataFileError(str(path), f"not a readable zip archive ({exc})") from None
        members = [m for m in archive.namelist() if not m.endswith("/")]
        if not members:
            raise DataFileError(str(path), "the zip archive is empty")

        def opener(member: str) -> Callable[[], Any]:
            return lambda: pa.BufferReader(archive.read(member))

        return [
            Input(f"{path}!{m}", tuple(s.lower() for s in Path(m).suffixes), opener(m))
            for m in members
        ]
    plain = not any(s in (".gz", ".bz2") for s in suffixes)
    return [Input(str(path), suffixes, lambda: pa.input_stream(str(path), compression="detect"),
                   path if plain else None)]


def detect_format(source: Input) -> str:
    """Say whether ``source`` is ``"csv"``, ``"parquet"`` or ``"nmea"`` (by name, else content)."""
    plain = [s for s in source.suffixes if s not in (".gz", ".bz2", ".zip")]
    last = plain[-1] if plain else ""
    if last in (".parquet", ".geoparquet", ".pq"):
        return "parquet"
    if last in (".nmea", ".aivdm", ".ais"):
        return "nmea"
    head = source.peek()
    if head.startswith(b"PAR1"):
        return "parquet"
    first = next((ln for ln in head.splitlines() if ln.strip()), b"")
    if re.search(rb"[!$]AIVD[MO],", first):
        return "nmea"
    return "csv"
