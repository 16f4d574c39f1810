"""Read AIS CSV files (any known layout) into a reports frame, with pyarrow on all cores.

The header is sniffed (delimiter, layout, column mapping,
:mod:`~northpic.io.ais.layouts`) and the time column's encoding named
from sample values (:func:`northpic.times.time_encoding`), so that pyarrow
parses times as it reads. A plain file of several parts is read part by
part into contiguous columns (:mod:`~northpic.io.ais.csv_parts`); other
inputs are read whole. Values that do not parse as typed are read again
as text, and the time column then goes through
:func:`northpic.times.parse_times`; a time column of which fewer than
:data:`MIN_TIME_SHARE` parse is refused.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from northpic.errors import BadInputError, DataFileError
from northpic.io.ais.csv_parts import read_columns_in_parts
from northpic.io.ais.frames import FILLS, finish_columns, finish_reports, finish_table, typed_table
from northpic.io.ais.inputs import PEEK_BYTES, Input
from northpic.io.ais.layouts import NULL_VALUES, REPORT_COLUMNS, layout_of, map_columns
from northpic.io.text import refuse_binary
from northpic.times import TIME_FORMATS, parse_times, time_encoding

#: Share of a time column's values that must parse, or the file is refused.
MIN_TIME_SHARE = 0.5
_DICTIONARY_STRINGS = pa.dictionary(pa.int32(), pa.string())


def _sniff_csv(head: bytes, label: str) -> tuple[list[str], str, list[list[str]]]:
    refuse_binary(head, label)  # a file of NULs is binary, not "empty"
    header_end = head.find(b"\n")
    header_bytes = head if header_end < 0 else head[:header_end]
    try:
        header_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not (header_end < 0 and len(head) == PEEK_BYTES and exc.start >= len(head) - 4):
            raise DataFileError(label, f"the header line is not UTF-8 text (byte "
                                       f"0x{header_bytes[exc.start]:02x} at offset {exc.start}); "
                                       "save the file as UTF-8") from None
    text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    if len(head) == PEEK_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut
    lines = [ln for ln in lines if ln.strip()]
    if not lines:
        raise DataFileError(label, "the file is empty")
    first = lines[0]
    delimiter = max((";", ",", "\t", "|"), key=first.count)
    if first.count(delimiter) == 0:
        raise DataFileError(label, "cannot find a column delimiter in the header line")
    rows = list(csv.reader(lines, delimiter=delimiter))
    return rows[0], delimiter, rows[1:50]




def _time_plan(
    samples: list[str], time_format: str | None = None
) -> tuple[pa.DataType, list[Any], str]:
    """Choose how pyarrow parses the time column from sample values (or ``time_format``)."""
    import pyarrow.csv as pcsv

    if time_format:
        zone = "%z" in time_format or "%Z" in time_format
        return pa.timestamp("ns", tz="UTC" if zone else None), [time_format], "custom"
    values = [s.strip() for s in samples if s and s.strip() and s.strip() not in NULL_VALUES]
    encoding = time_encoding(values)
    if encoding == "iso_offset":
        return pa.timestamp("ns", tz="UTC"), [pcsv.ISO8601], "iso"
    if encoding == "iso":
        return pa.timestamp("ns"), [pcsv.ISO8601], "iso"
    if encoding in TIME_FORMATS:  # "dma", "compact"
        return pa.timestamp("ns"), [TIME_FORMATS[encoding]], encoding
    if encoding == "epoch":
        return pa.float64(), [], "epoch"
    return pa.string(), [], "mixed"


def check_time_format(time_format: str | None) -> None:
    """Refuse a ``time_format`` that is not a strftime pattern pandas can use.

    Raises
    ------
    BadInputError
        Naming the pattern and what is wrong with it.
    """
    if time_format is None:
        return
    if not time_format.strip() or "%" not in time_format:
        raise BadInputError(
            f"--time-format {time_format!r} has no strftime directive such as %Y or %H"
        )
    try:
        pd.to_datetime(pd.Series(["x"]), format=time_format, errors="coerce")
    except ValueError as exc:
        raise BadInputError(f"--time-format {time_format!r} is not usable: {exc}") from None


def check_times(
    raw: pd.Series, parsed: pd.Series, label: str, column: str,
    time_format: str | None = None,
) -> None:
    """Refuse a time column of which fewer than :data:`MIN_TIME_SHARE` of the values parse.

    Raises
    ------
    DataFileError
        Naming the file, the column, how many values parsed and one that did not.
    """
    given = raw.notna().to_numpy().copy()
    if raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype):
        given &= raw.astype("str").str.strip().ne("").to_numpy()
    n = int(given.sum())
    ok = int((parsed.notna().to_numpy() & given).sum())
    if n == 0 or ok >= MIN_TIME_SHARE * n:
        return
    example = raw[given & parsed.isna().to_numpy()].iloc[0]
    advice = (
        f"with --time-format {time_format!r}" if time_format
        else "; name the format with --time-format (a strftime pattern such as "
             "'%Y%m%d_%H%M%S')"
    )
    raise DataFileError(
        label,
        f"time column {column!r}: only {ok:,} of {n:,} values parse as times "
        f"(e.g. {str(example)[:60]!r}){' ' if time_format else ''}{advice}",
    )


def read_csv_reports(
    source: Input, columns: Mapping[str, str] | None, fields: tuple[str, ...],
    time_format: str | None = None,
) -> tuple[pd.DataFrame, str]:
    """Read one CSV input into a reports frame of the columns ``fields``; return it and its layout.

    Raises
    ------
    DataFileError
        For an empty file, one without a delimiter, a missing required
        column, a CSV parse error or a time column that mostly does not parse.
    """
    import pyarrow.csv as pcsv

    header, delimiter, sample_rows = _sniff_csv(source.peek(), source.label)
    mapping = {
        c: name for c, name in map_columns(header, columns, source.label).items() if c in fields
    }
    time_index = header.index(mapping["time"])
    samples = [r[time_index] for r in sample_rows if len(r) > time_index]
    time_type, parsers, plan = _time_plan(samples, time_format)
    types: dict[str, pa.DataType] = {}
    for canonical, name in mapping.items():
        kind = REPORT_COLUMNS[canonical]
        types[name] = (
            time_type if kind == "time"
            else pa.int64() if kind == "int"
            else pa.float64() if kind == "float"
            else _DICTIONARY_STRINGS  # few distinct values: pandas categoricals, cheap to sort
        )
    parse_options = pcsv.ParseOptions(delimiter=delimiter)

    def parse(
        stream: Any, column_types: dict[str, pa.DataType], names: list[str] | None = None
    ) -> pa.Table:
        return pcsv.read_csv(
            stream, read_options=pcsv.ReadOptions(block_size=1 << 23, column_names=names),
            parse_options=parse_options,
            convert_options=pcsv.ConvertOptions(
                include_columns=list(mapping.values()), column_types=column_types,
                null_values=NULL_VALUES, strings_can_be_null=True, timestamp_parsers=parsers,
            ),
        )

    def read(column_types: dict[str, pa.DataType]) -> pa.Table:
        with source.open() as stream:
            return parse(stream, column_types)

    by_name = {name: canonical for canonical, name in mapping.items()}
    if source.path is not None and plan not in ("epoch", "mixed"):
        fills = {name: FILLS[REPORT_COLUMNS[c]] for name, c in by_name.items()
                 if REPORT_COLUMNS[c] != "str"}
        try:
            parts = read_columns_in_parts(
                source.path, header, lambda stream, names: parse(stream, types, names), fills
            )
        except pa.ArrowInvalid:
            parts = None  # read whole below, which words the error or reads the text
        if parts is not None:
            read_columns, n = parts
            renamed = {by_name[name]: read_columns.pop(name) for name in list(read_columns)}
            return finish_columns(renamed, n, fields), layout_of(header)

    try:
        table = read(types)
    except pa.ArrowInvalid as exc:
        if "CSV parse error" in str(exc):
            raise DataFileError(source.label, f"not a readable CSV file ({exc})") from None
        # Values that do not parse (text in a number column, odd dates): read as text
        # and let cleaning count what cannot be used, instead of losing the file.
        table = read(dict.fromkeys(mapping.values(), pa.string()))
        plan = "mixed"
    table = table.rename_columns([by_name[c] for c in table.column_names])
    if plan not in ("epoch", "mixed") and typed_table(table):
        owner = [table]
        del table  # _finish_table frees the columns one by one
        return finish_table(owner, fields), layout_of(header)
    frame = table.to_pandas()
    del table
    if plan in ("epoch", "mixed"):
        raw = frame["time"]
        frame["time"] = parse_times(raw, time_format)
        check_times(raw, frame["time"], source.label, mapping["time"], time_format)
    return finish_reports(frame, fields), layout_of(header)
