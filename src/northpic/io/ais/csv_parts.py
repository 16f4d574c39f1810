"""Read a large plain CSV file part by part, straight into contiguous columns.

Read whole, a CSV file becomes a table of hundreds of chunks per column,
which must then be copied into one array per column: at the peak the
reports are in memory twice, and on a virtual machine every fresh page
costs time (about 1 s per GB here). Read in parts of a few hundred MB,
each part's table is copied into its place in the columns and let go of,
and the next part's table reuses its memory: the columns are the only
large allocation. Each part is still parsed on all cores by
:func:`pyarrow.csv.read_csv`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from northpic.concurrency import WORKERS
from northpic.memory import pool_empty

#: Bytes of CSV per part.
PART_BYTES = 256 << 20


class ByteRange(io.RawIOBase):
    """The bytes ``[start, stop)`` of a file, as a readable binary stream."""

    def __init__(self, path: Path, start: int, stop: int) -> None:
        super().__init__()
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by close()
        self._file.seek(start)
        self._left = stop - start

    def readable(self) -> bool:
        """Say that the stream can be read."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer`` up to the end of the range; return the bytes read."""
        if self._left <= 0:
            return 0
        n = self._file.readinto(memoryview(buffer).cast("B")[: self._left]) or 0
        self._left -= n
        return n

    def close(self) -> None:
        """Close the file."""
        self._file.close()
        super().close()


def part_ranges(path: Path, part_bytes: int) -> list[tuple[int, int]]:
    """Cut a file into byte ranges of about ``part_bytes`` that end at line ends."""
    size = path.stat().st_size
    cuts = [0]
    with open(path, "rb") as handle:
        while size - cuts[-1] > part_bytes:
            handle.seek(cuts[-1] + part_bytes)
            handle.readline()  # to the start of the next line
            if handle.tell() >= size:
                break
            cuts.append(handle.tell())
    cuts.append(size)
    return list(zip(cuts[:-1], cuts[1:], strict=True))


def read_columns_in_parts(
    path: Path,
    header: list[str],
    read_part: Callable[[Any, list[str] | None], pa.Table],
    fills: Mapping[str, Any],
    part_bytes: int | None = None,
) -> tuple[dict[str, np.ndarray | pa.ChunkedArray], int] | None:
    """Read a plain CSV file in parts into one array per column.

    Parameters
    ----------
    path : pathlib.Path
        An uncompressed CSV file with a header line of ``len(header)`` columns.
    header : list of str
        Its column names.
    read_part : callable
        ``read_part(stream, column_names)`` parses one part: the first
        with ``column_names=None`` (it starts with the header line), the
        others with ``header``.
    fills : mapping
        The value of a null in each int64, float64 or timestamp column.
    part_bytes : int, optional
        Bytes per part (default :data:`PART_BYTES`).

    Returns
    -------
    (dict, int) or None
        Column -> values and the number of rows: int64, float64 and
        timestamp columns as NumPy arrays (times as int64 nanoseconds),
        dictionary columns as chunked arrays. ``None`` for a file of fewer
        than two parts, which is better read whole.

    Raises
    ------
    pyarrow.ArrowInvalid
        When a part cannot be parsed (the caller reads the file whole,
        which words the error with the right row).
    """
    ranges = part_ranges(path, PART_BYTES if part_bytes is None else part_bytes)
    if len(ranges) < 2:
        return None
    capacity = path.stat().st_size // len(header) + 1  # a row has a byte per column at least
    arrays: dict[str, np.ndarray] = {}
    chunks: dict[str, list[pa.Array]] = {}
    types: dict[str, pa.DataType] = {}

    def place(columns: dict[str, pa.ChunkedArray], name: str, first: int) -> None:
        """Copy one column of a part into its array at row ``first`` (and let go of it)."""
        values = columns.pop(name)
        if pa.types.is_dictionary(values.type):
            types[name] = values.type
            chunks.setdefault(name, []).extend(values.chunks)
            return
        if pa.types.is_timestamp(values.type):
            values = values.cast(pa.int64())
        if values.null_count:
            values = values.fill_null(fills[name])
        if name not in arrays:
            arrays[name] = pool_empty(capacity, values.type.to_pandas_dtype())
        row = first
        for chunk in values.chunks:
            arrays[name][row:row + len(chunk)] = chunk.to_numpy()
            row += len(chunk)

    at = 0
    with ThreadPoolExecutor(WORKERS) as pool:
        for k, (start, stop) in enumerate(ranges):
            with pa.PythonFile(ByteRange(path, start, stop), mode="r") as stream:
                table = read_part(stream, None if k == 0 else header)
            columns = {name: table.column(name) for name in table.column_names}
            n = table.num_rows
            del table
            list(pool.map(lambda name, c=columns, a=at: place(c, name, a), list(columns)))
            at += n
    result: dict[str, np.ndarray | pa.ChunkedArray] = {
        name: values[:at] for name, values in arrays.items()
    }
    for name, parts in chunks.items():
        result[name] = pa.chunked_array(parts, type=types[name])
    return result, at
