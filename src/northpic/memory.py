"""NumPy arrays in Arrow's memory pool, so that memory one step frees the next one reuses.

Arrow's allocator keeps the memory it is given back and hands it out
again; NumPy's (the C library's) returns large blocks to the system and
asks for fresh pages the next time, which the kernel must zero and, in a
virtual machine, the host may first have to back (here about 1 s per GB,
more than sorting them). The AIS hot path reads the CSV into Arrow memory,
and builds the sorted columns in it while letting go of the unsorted ones,
so the peak memory stays near the size of one copy of the reports.

Arrays from this module are ordinary writable NumPy arrays whose ``base``
keeps the Arrow buffer alive.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa

from northpic.concurrency import WORKERS


class _ArrowMemory:
    """Lends an Arrow array's value buffer to NumPy (``__array_interface__``) and keeps it alive."""

    def __init__(self, array: pa.Array) -> None:
        dtype = np.dtype(array.type.to_pandas_dtype())
        self._buffer = array.buffers()[1]
        self.__array_interface__ = {
            "data": (self._buffer.address + array.offset * dtype.itemsize, False),
            "shape": (len(array),),
            "typestr": dtype.str,
            "version": 3,
        }


def lent_array(array: pa.Array) -> np.ndarray:
    """Return a writable NumPy view of a fixed-width Arrow array without nulls, uncopied.

    Only for an array whose buffer nothing else uses (one just built, such
    as the result of :meth:`pyarrow.ChunkedArray.combine_chunks`): NumPy
    writes go into it.
    """
    return np.asarray(_ArrowMemory(array))


def pool_empty(n: int, dtype: Any) -> np.ndarray:
    """Return an uninitialised writable array of ``n`` values in Arrow's memory pool.

    Examples
    --------
    >>> values = pool_empty(3, np.float64)
    >>> values[:] = 1.5
    >>> values.tolist()
    [1.5, 1.5, 1.5]
    """
    dtype = np.dtype(dtype)
    buffer = pa.allocate_buffer(max(n * dtype.itemsize, 1))
    return np.frombuffer(buffer, dtype=dtype, count=n)


def pool_take(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values[rows]`` for valid non-negative ``rows``, into Arrow's memory pool.

    Examples
    --------
    >>> pool_take(np.array([10, 20, 30]), np.array([2, 0])).tolist()
    [30, 10]
    """
    values = np.asarray(values)
    # mode="clip" writes straight into ``out`` (mode="raise" goes through a
    # temporary copy); it changes nothing for indices within range
    return np.take(values, rows, out=pool_empty(len(rows), values.dtype), mode="clip")


def pool_take_many(arrays: Sequence[np.ndarray], rows: np.ndarray) -> list[np.ndarray]:
    """:func:`pool_take` of each array, in threads (NumPy's take lets go of the GIL)."""
    if len(arrays) < 2:
        return [pool_take(values, rows) for values in arrays]
    with ThreadPoolExecutor(min(len(arrays), WORKERS)) as pool:
        return list(pool.map(lambda values: pool_take(values, rows), arrays))
