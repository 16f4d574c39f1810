r"""Read AIS position reports from CSV, Parquet/GeoParquet and raw NMEA into one frame.

Every reader returns the same *reports frame*: one row per position report
with the columns of :data:`REPORT_COLUMNS` (``mmsi``, ``time`` in UTC,
``lat``, ``lon``, ``sog``, ``cog``, ``heading`` and the voyage and identity
fields ``name``, ``destination``, ``callsign``, ``imo``, ``ship_type``;
missing ones are filled with nulls).

CSV layouts are recognised from their header: the Danish Maritime
Authority (``# Timestamp``, ``Type of mobile``...), NOAA MarineCadastre
(``BaseDateTime``, ``VesselName``...), Norwegian Coastal Administration
(Kystverket, ``date_time_utc``, semicolons), BarentsWatch (``msgtime``,
``speedOverGround``...), Fintraffic Digitraffic (``snapshot_utc``); any
other header whose names are common spellings (``latitude``, ``lat``,
``timestamp``...) works too, and ``columns=`` maps the rest. CSV is parsed
by :mod:`pyarrow.csv` on all cores. ``.gz``/``.bz2`` files are decompressed
on the fly and ``.zip`` archives are read member by member. NMEA
(``!AIVDM``/``!AIVDO``) is decoded with :mod:`pyais`; times come from tag
blocks (``\c:1577836800*..\``, read by :class:`pyais.messages.TagBlock`), a
Gatehouse ``$PGHP`` line before the sentence, a leading ISO 8601 time or a
trailing Unix time on each line. CSV times may be ISO 8601 (with or
without an offset), ``YYYY-MM-DD HH:MM:SS``, ``DD/MM/YYYY HH:MM:SS``,
``YYYYMMDD_HHMMSS``, Unix seconds or milliseconds, or any strftime pattern
given as ``time_format``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from northpic.ais.csv_parts import read_columns_in_parts
from northpic.ais.memory import lent_array
from northpic.ais.spherical import WORKERS
from northpic.errors import BadInputError, DataFileError, UnsupportedFormatError

#: The reports frame: canonical column -> value type.
REPORT_COLUMNS: dict[str, str] = {
    "mmsi": "int",
    "time": "time",
    "lat": "float",
    "lon": "float",
    "sog": "float",
    "cog": "float",
    "heading": "float",
    "name": "str",
    "destination": "str",
    "callsign": "str",
    "imo": "float",
    "ship_type": "str",
}
REQUIRED_COLUMNS = ("mmsi", "time", "lat", "lon")
#: Values from which a field means "not available" (heading 511, speed 102.3 kn).
NOT_AVAILABLE_FROM = {"heading": 360.0, "sog": 102.2}
FORMATS = ("auto", "csv", "parquet", "nmea")

#: Header spellings (lower case, letters and digits only) of each canonical column.
ALIASES: dict[str, tuple[str, ...]] = {
    "mmsi": ("mmsi", "userid", "sourcemmsi", "shipmmsi"),
    "time": (
        "timestamp", "basedatetime", "datetimeutc", "msgtime", "timestamputc", "datetime",
        "time", "timeutc", "snapshotutc", "t",
    ),
    "lat": ("latitude", "lat", "y"),
    "lon": ("longitude", "lon", "long", "lng", "x"),
    "sog": ("sog", "speedoverground", "speed"),
    "cog": ("cog", "courseoverground", "course"),
    "heading": ("heading", "trueheading"),
    "name": ("name", "vesselname", "shipname"),
    "destination": ("destination", "dest"),
    "callsign": ("callsign", "callsignal"),
    "imo": ("imo", "imonr", "imonumber"),
    "ship_type": ("shiptype", "vesseltype", "typeofship"),
}

#: Named layouts and the header fields that identify them.
LAYOUTS: dict[str, frozenset[str]] = {
    "dma": frozenset({"timestamp", "typeofmobile", "mmsi"}),
    "marinecadastre": frozenset({"basedatetime", "mmsi", "vesselname"}),
    "kystverket": frozenset({"datetimeutc", "mmsi"}),
    "barentswatch": frozenset({"msgtime", "speedoverground", "mmsi"}),
    "digitraffic": frozenset({"snapshotutc", "mmsi"}),
}

#: Layouts whose times are when a snapshot of last known reports was taken,
#: an upper bound of each report's own time.
SNAPSHOT_LAYOUTS = frozenset({"digitraffic"})

NULL_VALUES = ["", "None", "NULL", "null", "NA", "N/A", "nan", "NaN", "Unknown", "Undefined",
               "Unknown value"]
_PEEK_BYTES = 1 << 16
_DICTIONARY_STRINGS = pa.dictionary(pa.int32(), pa.string())
_ISO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")
_ISO_NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_DMA_TIME = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$")
_COMPACT_TIME = re.compile(r"^\d{8}_\d{6}$")
#: Share of a time column's values that must parse, or the file is refused.
MIN_TIME_SHARE = 0.5
_EPOCH = re.compile(r"^\d{9,13}(\.\d+)?$")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _key(name: str) -> str:
    return _NON_ALNUM.sub("", name.lower())


@dataclass(frozen=True)
class _Input:
    """One readable input: a file, or a member of a zip archive."""

    label: str
    suffixes: tuple[str, ...]
    open: Callable[[], Any]  # returns a pyarrow-readable binary stream
    path: Path | None = None  # the file itself, when it is neither archived nor compressed

    def peek(self) -> bytes:
        with self.open() as stream:
            return bytes(stream.read(_PEEK_BYTES))


def _inputs(path: Path) -> list[_Input]:
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
            _Input(f"{path}!{m}", tuple(s.lower() for s in Path(m).suffixes), opener(m))
            for m in members
        ]
    plain = not any(s in (".gz", ".bz2") for s in suffixes)
    return [_Input(str(path), suffixes, lambda: pa.input_stream(str(path), compression="detect"),
                   path if plain else None)]


def _detect_format(source: _Input) -> str:
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


def layout_of(header: Iterable[str]) -> str:
    """Name the AIS CSV layout a header belongs to (``"generic"`` if none).

    Examples
    --------
    >>> layout_of(["MMSI", "BaseDateTime", "LAT", "LON", "SOG", "VesselName"])
    'marinecadastre'
    """
    keys = {_key(h) for h in header}
    for name, signature in LAYOUTS.items():
        if signature <= keys:
            return name
    return "generic"


def map_columns(
    header: list[str], columns: Mapping[str, str] | None, label: str
) -> dict[str, str]:
    """Map canonical report columns to the header's column names.

    Parameters
    ----------
    header : list of str
        Column names as in the file.
    columns : mapping, optional
        Explicit ``canonical -> file column`` choices (``--columns``);
        they win over the automatic ones.
    label : str
        The file, for error messages.

    Returns
    -------
    dict
        ``canonical -> file column`` for every column found.

    Raises
    ------
    BadInputError
        For an unknown canonical name.
    DataFileError
        When a mapped column is not in the file, or a required one
        (mmsi, time, lat, lon) cannot be found.
    """
    found: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for h in header:
        by_key.setdefault(_key(h), h)
    for canonical, aliases in ALIASES.items():
        for alias in aliases:
            if alias in by_key:
                found[canonical] = by_key[alias]
                break
    for canonical, name in (columns or {}).items():
        if canonical not in REPORT_COLUMNS:
            raise BadInputError(
                f"unknown AIS column {canonical!r} in the column map; "
                f"valid names: {', '.join(REPORT_COLUMNS)}"
            )
        if name not in header:
            raise DataFileError(
                label, f"column {name!r} (mapped to {canonical}) is not in the header: "
                f"{', '.join(header)}"
            )
        found[canonical] = name
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        raise DataFileError(
            label,
            f"cannot find column(s) for {', '.join(missing)} in the header "
            f"({', '.join(header)}); map them with --columns, e.g. --columns "
            f"{missing[0]}=NAME",
        )
    return found


def parse_column_map(text: str | None) -> dict[str, str]:
    """Parse ``"mmsi=ShipId,time=Ts"`` into ``{"mmsi": "ShipId", "time": "Ts"}``.

    Raises
    ------
    BadInputError
        If an item is not ``canonical=column``.
    """
    if not text:
        return {}
    out: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        canonical, sep, name = item.partition("=")
        if not sep or not canonical.strip() or not name.strip():
            raise BadInputError(f"column map item {item!r} is not of the form canonical=column")
        out[canonical.strip()] = name.strip()
    return out


def _sniff_csv(head: bytes, label: str) -> tuple[list[str], str, list[list[str]]]:
    text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    if len(head) == _PEEK_BYTES and lines:
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
    if values and all(_ISO_OFFSET.match(v) for v in values):
        return pa.timestamp("ns", tz="UTC"), [pcsv.ISO8601], "iso"
    if values and all(_ISO_NAIVE.match(v) for v in values):
        return pa.timestamp("ns"), [pcsv.ISO8601], "iso"
    if values and all(_DMA_TIME.match(v) for v in values):
        return pa.timestamp("ns"), ["%d/%m/%Y %H:%M:%S"], "dma"
    if values and all(_COMPACT_TIME.match(v) for v in values):
        return pa.timestamp("ns"), ["%Y%m%d_%H%M%S"], "compact"
    if values and all(_EPOCH.match(v) for v in values):
        return pa.float64(), [], "epoch"
    return pa.string(), [], "mixed"


def _epoch_to_time(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    unit = "ms" if numbers.dropna().gt(1e11).any() else "s"
    return pd.to_datetime(numbers, unit=unit, utc=True, errors="coerce")


def _to_utc(values: pd.Series, plan: str = "mixed", time_format: str | None = None) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return values.dt.tz_localize("UTC").astype("datetime64[ns, UTC]")
    if plan == "epoch" or pd.api.types.is_numeric_dtype(values.dtype):
        return _epoch_to_time(values).astype("datetime64[ns, UTC]")
    text = values.astype("str").str.strip()
    # pandas reads "now", "today"... as the time of reading: never a report's time
    text = text.mask(text.str.lower().isin(["now", "today", "yesterday", "tomorrow"]))
    if time_format:
        return pd.to_datetime(text, utc=True, errors="coerce", format=time_format).astype(
            "datetime64[ns, UTC]"
        )
    compact = text.str.fullmatch(r"\d{8}_\d{6}").fillna(False).to_numpy(dtype=bool)
    epoch = text.str.fullmatch(r"\d{9,13}(\.\d+)?").fillna(False).to_numpy(dtype=bool)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if compact.any():  # dateutil does not read these
        parsed[compact] = pd.to_datetime(text[compact], utc=True, errors="coerce",
                                         format="%Y%m%d_%H%M%S")
    if epoch.any():
        parsed[epoch] = _epoch_to_time(text[epoch])
    rest = ~(compact | epoch)
    if rest.any():
        others = text[rest]
        dayfirst = bool(others.dropna().head(20).str.match(r"^\d{2}/\d{2}/\d{4}").any())
        parsed[rest] = pd.to_datetime(others, utc=True, errors="coerce", format="mixed",
                                      dayfirst=dayfirst)
    return parsed.astype("datetime64[ns, UTC]")


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


def _check_times(
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


def _finish(frame: pd.DataFrame, fields: tuple[str, ...] = tuple(REPORT_COLUMNS)) -> pd.DataFrame:
    """Give a renamed frame the report columns ``fields``, each with its canonical dtype."""
    out: dict[str, Any] = {}
    n = len(frame)
    for column in fields:
        kind = REPORT_COLUMNS[column]
        values = frame[column] if column in frame.columns else None
        if kind == "time":
            out[column] = _to_utc(values) if values is not None else pd.Series(
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


def _typed(table: pa.Table) -> bool:
    """Say whether ``table`` is a typed CSV read that :func:`_finish_table` converts.

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


_FILLS = {"time": np.iinfo(np.int64).min, "int": -1, "float": np.nan}


def _finish_columns(
    columns: dict[str, pa.ChunkedArray | np.ndarray], n: int, fields: tuple[str, ...]
) -> pd.DataFrame:
    """:func:`_finish` of typed columns, converted straight from Arrow.

    ``columns`` maps canonical names to Arrow columns (int64 MMSI, float64
    numbers, nanosecond times, dictionary strings), or to NumPy arrays of
    the numbers with the nulls filled (:data:`_FILLS`; times as int64). It
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
            numbers = _owned_numpy(values, _FILLS[kind])
        if kind == "time":
            return pd.Series(numbers, index=index, copy=False).astype("datetime64[ns, UTC]")
        if column in NOT_AVAILABLE_FROM:
            numbers[numbers >= NOT_AVAILABLE_FROM[column]] = np.nan
        return numbers

    with ThreadPoolExecutor(WORKERS) as pool:
        out = dict(zip(fields, pool.map(convert, fields), strict=True))
    return pd.DataFrame(out, index=index, copy=False)


def _finish_table(owner: list[pa.Table], fields: tuple[str, ...]) -> pd.DataFrame:
    """:func:`_finish_columns` of a :func:`_typed` table whose only reference ``owner`` holds.

    The table is taken out of the list, so that its columns can be freed
    one by one.
    """
    table = owner.pop()
    n = table.num_rows
    columns = {name: table.column(name) for name in table.column_names}
    del table
    return _finish_columns(columns, n, fields)


def _read_csv(
    source: _Input, columns: Mapping[str, str] | None, fields: tuple[str, ...],
    time_format: str | None = None,
) -> tuple[pd.DataFrame, str]:
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
        fills = {name: _FILLS[REPORT_COLUMNS[c]] for name, c in by_name.items()
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
            return _finish_columns(renamed, n, fields), layout_of(header)

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
    if plan not in ("epoch", "mixed") and _typed(table):
        owner = [table]
        del table  # _finish_table frees the columns one by one
        return _finish_table(owner, fields), layout_of(header)
    frame = table.to_pandas()
    del table
    if plan in ("epoch", "mixed"):
        raw = frame["time"]
        frame["time"] = _to_utc(raw, plan, time_format)
        _check_times(raw, frame["time"], source.label, mapping["time"], time_format)
    return _finish(frame, fields), layout_of(header)


def _read_parquet(
    source: _Input, columns: Mapping[str, str] | None, fields: tuple[str, ...]
) -> tuple[pd.DataFrame, str]:
    import pyarrow.parquet as pq
    import shapely

    try:
        with source.open() as stream:
            table = pq.read_table(stream)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataFileError(source.label, f"not a readable Parquet file ({exc})") from None
    names = table.column_names
    frame: pd.DataFrame
    if not any(_key(n) in ALIASES["lat"] for n in names) and "geometry" in names:
        points = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
        table = table.drop_columns(["geometry"])
        frame = table.to_pandas()
        frame["lon"], frame["lat"] = shapely.get_x(points), shapely.get_y(points)
        names = list(frame.columns)
    else:
        frame = table.to_pandas()
    mapping = map_columns(list(names), columns, source.label)
    frame = frame[list(mapping.values())].set_axis(list(mapping), axis=1)
    layout = "geoparquet" if b"geo" in (table.schema.metadata or {}) else "parquet"
    return _finish(frame, fields), layout


_TAG_BLOCK = re.compile(r"\\([^\\]*)\\")
_SENTENCE = re.compile(r"([!$]AIVD[MO],[^*]*\*[0-9A-Fa-f]{2})")
_LEADING_TIME = re.compile(
    r"^\s*(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"
)
_TRAILING_EPOCH = re.compile(r",\s*(\d{9,13}(?:\.\d+)?)\s*$")
#: Gatehouse ``$PGHP,1,year,month,day,hour,minute,second,millisecond,...``: the time
#: of the sentence on the next line.
_PGHP = re.compile(r"\$PGHP,1,(\d{4}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,3})")
_POSITION_TYPES = {1, 2, 3, 18, 19, 27}


def _epoch_seconds(text: str) -> float | None:
    """Unix seconds from ``text`` in seconds or milliseconds (``None`` if not a number)."""
    try:
        seconds = float(text)
    except ValueError:
        return None
    if not np.isfinite(seconds) or seconds < 0:
        return None
    return seconds / 1000.0 if seconds > 1e11 else seconds


def _tag_block_time(block: str) -> float | None:
    """Unix seconds of a tag block's ``c:`` field, parsed by :class:`pyais.messages.TagBlock`."""
    from pyais.messages import TagBlock

    try:
        tag = TagBlock(block.encode("ascii"))
        tag.init()
        stamp = tag.receiver_timestamp
    except (UnicodeEncodeError, ValueError):
        return None
    return _epoch_seconds(stamp.strip()) if stamp else None


def _pghp_time(line: str) -> float | None:
    """Unix seconds of a ``$PGHP`` line, or ``None``."""
    match = _PGHP.search(line)
    if not match:
        return None
    year, month, day, hour, minute, second, milli = (int(g) for g in match.groups())
    try:
        stamp = pd.Timestamp(year=year, month=month, day=day, hour=hour, minute=minute,
                             second=second, tz="UTC")
    except ValueError:
        return None
    return stamp.timestamp() + milli / 1000.0


def _line_time(line: str, sentence_end: int) -> float | None:
    """Unix seconds from a tag block, a leading ISO time or a trailing epoch."""
    tag = _TAG_BLOCK.search(line)
    if tag:
        seconds = _tag_block_time(tag.group(1))
        if seconds is not None:
            return seconds
    lead = _LEADING_TIME.match(line)
    if lead:
        try:
            stamp = pd.Timestamp(lead.group(1))
        except ValueError:
            stamp = None
        if stamp is not None:
            stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
            return stamp.timestamp()
    trail = _TRAILING_EPOCH.search(line[sentence_end:])
    if trail:
        return _epoch_seconds(trail.group(1))
    return None


def _decode_nmea(lines: Iterable[str]) -> tuple[pd.DataFrame, dict[str, int]]:
    from pyais.messages import NMEAMessage

    rows: list[tuple[Any, ...]] = []
    static: dict[int, dict[str, Any]] = {}
    fragments: dict[tuple[str, str, str], list[Any]] = {}
    counts = {"sentences": 0, "undecodable": 0, "position_reports": 0, "static_reports": 0}
    pending: float | None = None  # a $PGHP time, for the next sentence
    for line in lines:
        match = _SENTENCE.search(line)
        if not match:
            if "$PGHP" in line:
                pending = _pghp_time(line)
            continue
        counts["sentences"] += 1
        stamp = _line_time(line, match.end())
        if stamp is None:
            stamp = pending
        pending = None
        try:
            message = NMEAMessage(match.group(1).encode("ascii"))
            if not message.is_valid:
                raise ValueError("bad checksum")
            if message.frag_cnt > 1:
                key = (str(message.seq_id), str(message.channel), str(message.frag_cnt))
                parts = fragments.setdefault(key, [])
                parts.append((message, stamp))
                if len(parts) < message.frag_cnt:
                    continue
                del fragments[key]
                stamp = parts[0][1]
                message = NMEAMessage.assemble_from_iterable([p[0] for p in parts])
            decoded = message.decode().asdict()
        except Exception:  # pyais raises many types for damaged sentences
            counts["undecodable"] += 1
            continue
        kind = decoded.get("msg_type")
        mmsi = int(decoded.get("mmsi") or -1)
        info = static.setdefault(mmsi, {})
        for field, target in (("shipname", "name"), ("destination", "destination"),
                              ("callsign", "callsign"), ("imo", "imo"), ("ship_type", "ship_type")):
            value = decoded.get(field)
            if value not in (None, "", 0):
                info[target] = int(value) if field == "ship_type" else value
        if kind in _POSITION_TYPES:
            counts["position_reports"] += 1
            rows.append((
                mmsi, stamp, decoded.get("lat"), decoded.get("lon"), decoded.get("speed"),
                decoded.get("course"), decoded.get("heading"), info.get("name"),
                info.get("destination"), info.get("callsign"), info.get("imo"),
                None if info.get("ship_type") is None else str(info.get("ship_type")),
            ))
        else:
            counts["static_reports"] += 1
    frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    frame["time"] = pd.to_datetime(pd.to_numeric(frame["time"]), unit="s", utc=True,
                                   errors="coerce")
    finished = _finish(frame)
    finished.loc[finished["cog"] >= 360, "cog"] = np.nan
    return finished, counts


def _read_nmea(source: _Input) -> tuple[pd.DataFrame, dict[str, int]]:
    with source.open() as stream:
        data = bytes(stream.read())
    text = io.StringIO(data.decode("ascii", errors="replace"))
    return _decode_nmea(text)


def read_ais(
    paths: str | Path | Iterable[str | Path],
    *,
    columns: Mapping[str, str] | None = None,
    format: str = "auto",
    fields: Iterable[str] | None = None,
    time_format: str | None = None,
) -> pd.DataFrame:
    """Read AIS position reports from one or more files into one reports frame.

    Parameters
    ----------
    paths : path or iterable of paths
        CSV (any known layout), Parquet/GeoParquet or NMEA files; ``.gz``
        and ``.bz2`` are decompressed, ``.zip`` archives read member by member.
    columns : mapping, optional
        ``canonical -> file column`` for CSV/Parquet headers the automatic
        mapping does not know (see :data:`ALIASES`).
    format : {"auto", "csv", "parquet", "nmea"}
        Force a format instead of detecting it from the name and content.
    fields : iterable of str, optional
        The report columns wanted (``mmsi``, ``time``, ``lat`` and ``lon``
        always come); default all of :data:`REPORT_COLUMNS`. A CSV file is
        read faster, in less memory, for fewer (``northpic ais detect``
        reads the :data:`~northpic.ais.pipeline.DETECTOR_FIELDS`).
    time_format : str, optional
        A :func:`~datetime.datetime.strptime` pattern for a CSV time column
        in none of the known encodings (ISO 8601 with or without offset,
        ``YYYY-MM-DD HH:MM:SS``, ``DD/MM/YYYY HH:MM:SS``,
        ``YYYYMMDD_HHMMSS``, Unix seconds or milliseconds).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`REPORT_COLUMNS` (those of ``fields``, in the
        same order), in file order (not sorted).
        Text columns read from CSV are categoricals (names and destinations
        repeat, and sorting ten million reports is then cheap).
        ``attrs["sources"]`` lists the inputs read, ``attrs["layouts"]``
        the layout of each, ``attrs["source_rows"]`` the number of rows of
        each (in order), and ``attrs["nmea"]`` NMEA decoding counts.

    Raises
    ------
    DataFileError
        A file that does not exist, cannot be parsed or decompressed
        (truncated or corrupt gzip, bz2 or zip), lacks a required column
        (the message says which and how to map it), or whose time column
        mostly does not parse (the message names the column, how many
        values parsed and one that did not).
    UnsupportedFormatError
        For an unknown ``format``.

    Examples
    --------
    >>> reports = read_ais("aisdk-2026-01-31.zip")        # doctest: +SKIP
    >>> reports = read_ais(["feed.csv"], columns={"time": "ts", "mmsi": "ship"})  # doctest: +SKIP
    """
    if format not in FORMATS:
        raise UnsupportedFormatError(
            f"unknown AIS format {format!r}; valid formats: {', '.join(FORMATS)}"
        )
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not items:
        raise BadInputError("no AIS files given")
    wanted = set(REPORT_COLUMNS) if fields is None else {*REQUIRED_COLUMNS, *fields}
    unknown = sorted(wanted - set(REPORT_COLUMNS))
    if unknown:
        raise BadInputError(
            f"unknown AIS field(s) {', '.join(unknown)}; valid fields: {', '.join(REPORT_COLUMNS)}"
        )
    chosen = tuple(c for c in REPORT_COLUMNS if c in wanted)
    check_time_format(time_format)
    frames: list[pd.DataFrame] = []
    sources: list[str] = []
    layouts: list[str] = []
    nmea_counts: dict[str, int] = {}
    for item in items:
        for source in _inputs(Path(item)):
            try:
                kind = _detect_format(source) if format == "auto" else format
                if kind == "parquet":
                    frame, layout = _read_parquet(source, columns, chosen)
                elif kind == "nmea":
                    frame, counts = _read_nmea(source)
                    frame = frame[list(chosen)]
                    layout = "nmea"
                    for key, value in counts.items():
                        nmea_counts[key] = nmea_counts.get(key, 0) + value
                else:
                    frame, layout = _read_csv(source, columns, chosen, time_format)
            except DataFileError:
                raise
            except (OSError, EOFError, zlib.error, zipfile.BadZipFile, pa.ArrowInvalid) as exc:
                # a truncated or corrupt compressed stream, a damaged zip member
                raise DataFileError(source.label, f"cannot be read: {exc}") from None
            frames.append(frame)
            sources.append(source.label)
            layouts.append(layout)
    reports = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    reports.attrs = {"sources": sources, "layouts": layouts, "nmea": nmea_counts,
                     "source_rows": [len(f) for f in frames]}
    return reports
