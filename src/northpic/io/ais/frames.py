"""Parsed AIS columns to the reports frame: canonical dtypes, nulls, "not available" values.

:func:`finish_reports` converts any renamed frame (Parquet, NMEA, CSV read
as text); :func:`finish_columns` and :func:`finish_table` convert typed
Arrow columns from the CSV reader straight to NumPy, reusing Arrow's
memory, in threads.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from northpic.concurrency import WORKERS
from northpic.io.ais.layouts import NOT_AVAILABLE_FROM, REPORT_COLUMNS
from northpic.memory import lent_array
from northpic.times import parse_times


def finish_reports(
    frame: pd.DataFrame, fields: tuple[str, ...] = tuple(REPORT_COLUMNS)
) -> pd.DataFrame:
    """Give a renamed frame the report columns ``fields``, each with its canonical dtype."""
    out: dict[str, Any] = {}
    n = len(frame)
    for column in fields:
        kind = REPORT_COLUMNS[column]
        values = frame[column] if column in frame.columns else None
        if kind == "time":
            out[column] = parse_times(values) if values is not None else pd.Series(
                pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]"
            )
        elif kind == "str" and values is not None and isinstance(values.dtype, pd.CategoricalDtype):
            out[column] = values
        elif kind == "str":
            out[column] = (
                values.astype("str").str.strip().replace("", None).astype("str")
                if values is not None and not pd.api.types.is_string_dtype(values.dtype)
                else values if values is not None
                else pd.Series([None] * n, index=frame.index, dtype="str")
            )
        elif kind == "int":
            numbers = pd.to_numeric(values, errors="coerce") if values is not None else None
            out[column] = numbers.fillna(-1).astype(np.int64) if numbers is not None else -1
        else:
            if values is not None and column == "imo" and pd.api.types.is_string_dtype(values):
                values = values.str.replace(r"^\s*IMO\s*", "", regex=True)  # MarineCadastre
            out[column] = (
                pd.to_numeric(values, errors="coerce").astype(float)
                if values is not None else np.nan
            )
    result = pd.DataFrame(out, index=pd.RangeIndex(n))
    for column, limit in NOT_AVAILABLE_FROM.items():
        if column in result:
            result.loc[result[column] >= limit, column] = np.nan
    return result


def _owned_numpy(values: pa.ChunkedArray, fill: Any = None) -> np.ndarray:
    """Return an int64/float64 column (nulls as ``fill``) as a writable NumPy array.

    The chunks are joined (or the nulls filled) into a new Arrow buffer that
    nothing else refers to, and NumPy is lent that buffer instead of copying
    it into memory of its own: the CSV reader's memory is reused and the
    frame costs no fresh pages. A lone chunk without nulls is copied.
    """
    fresh = values.num_chunks > 1 or values.null_count > 0
    if values.null_count:
        values = values.fill_null(fill)
    array = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if not fresh or len(array) == 0 or array.buffers()[1] is None:
        return array.to_numpy(zero_copy_only=False).copy()
    return lent_array(array)


def typed_table(table: pa.Table) -> bool:
    """Say whether ``table`` is a typed CSV read that :func:`finish_table` converts.

    That is: canonical column names, once each, with int64 MMSI, float64
    numbers, nanosecond times and dictionary strings.
    """
    expected = {"int": pa.types.is_int64, "float": pa.types.is_float64,
                "str": pa.types.is_dictionary,
                "time": lambda t: pa.types.is_timestamp(t) and t.unit == "ns"}
    names = table.column_names
    return len(set(names)) == len(names) and all(
        c in REPORT_COLUMNS and expected[REPORT_COLUMNS[c]](table.schema.field(c).type)
        for c in names
    )


#: The value of a null in a typed column: times (as int64 nanoseconds), MMSI, numbers.
FILLS = {"time": np.iinfo(np.int64).min, "int": -1, "float": np.nan}


def finish_columns(
    columns: dict[str, pa.ChunkedArray | np.ndarray], n: int, fields: tuple[str, ...]
) -> pd.DataFrame:
    """:func:`finish_reports` of typed columns, converted straight from Arrow.

    ``columns`` maps canonical names to Arrow columns (int64 MMSI, float64
    numbers, nanosecond times, dictionary strings), or to NumPy arrays of
    the numbers with the nulls filled (:data:`FILLS`; times as int64). It
    is emptied: each column is let go of once converted, so its memory is
    reused for the next and the peak memory stays near the size of the
    table. Columns are converted in threads (joining chunks lets go of the GIL).
    """
    index = pd.RangeIndex(n)

    def convert(column: str) -> Any:
        kind = REPORT_COLUMNS[column]
        values = columns.pop(column, None)
        if values is None:
            return (
                pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]") if kind == "time"
                else pd.Series([None] * n, index=index, dtype="str") if kind == "str"
                else -1 if kind == "int"
                else np.nan
            )
        if kind == "str":
            return pa.table({column: values}).to_pandas()[column]
        if isinstance(values, np.ndarray):
            numbers = values
        else:
            if kind == "time":
                values = values.cast(pa.int64())
            numbers = _owned_numpy(values, FILLS[kind])
        if kind == "time":
            return pd.Series(numbers, index=index, copy=False).astype("datetime64[ns, UTC]")
        if column in NOT_AVAILABLE_FROM:
            numbers[numbers >= NOT_AVAILABLE_FROM[column]] = np.nan
        return numbers

    with ThreadPoolExecutor(WORKERS) as pool:
        out = dict(zip(fields, pool.map(convert, fields), strict=True))
    return pd.DataFrame(out, index=index, copy=False)


def finish_table(owner: list[pa.Table], fields: tuple[str, ...]) -> pd.DataFrame:
    """:func:`finish_columns` of a :func:`typed_table` table whose only reference ``owner`` holds.

    The table is taken out of the list, so that its columns can be freed
    one by one.
    """
    table = owner.pop()
    n = table.num_rows
    columns = {name: table.column(name) for name in table.column_names}
    del table
    return finish_columns(columns, n, fields)
