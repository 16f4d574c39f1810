r"""AIS readers: CSV, Parquet/GeoParquet and raw NMEA files into one reports frame.

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

One module per source and job: :mod:`~northpic.io.ais.inputs` (files,
compression, zip members, format detection), :mod:`~northpic.io.ais.layouts`
(columns, header aliases, layouts), :mod:`~northpic.io.ais.csv` with its
part reader :mod:`~northpic.io.ais.csv_parts`, :mod:`~northpic.io.ais.parquet`,
:mod:`~northpic.io.ais.nmea`, and :mod:`~northpic.io.ais.frames` (parsed
columns to the reports frame).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa

from northpic.errors import BadInputError, DataFileError, UnsupportedFormatError
from northpic.io.ais.csv import check_time_format, read_csv_reports
from northpic.io.ais.inputs import detect_format, open_inputs
from northpic.io.ais.layouts import (
    REPORT_COLUMNS,
    REQUIRED_COLUMNS,
    SNAPSHOT_LAYOUTS,
    layout_of,
    map_columns,
)
from northpic.io.ais.nmea import read_nmea_reports
from northpic.io.ais.parquet import read_parquet_reports

__all__ = ["FORMATS", "REPORT_COLUMNS", "SNAPSHOT_LAYOUTS", "layout_of", "map_columns", "read_ais"]

#: Input formats :func:`read_ais` reads (``"auto"``: detected per input).
FORMATS = ("auto", "csv", "parquet", "nmea")


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
        reads the :data:`~northpic.workflows.ais.DETECTOR_FIELDS`).
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
    A feed whose header needs a column map:

    >>> import tempfile
    >>> feed = Path(tempfile.mkdtemp()) / "feed.csv"
    >>> _ = feed.write_text("ship;ts;Latitude;Longitude;SOG\\n"
    ...                     "265547250;2026-01-31T13:00:00+01:00;57.66;11.83;102.3\\n")
    >>> reports = read_ais(feed, columns={"time": "ts", "mmsi": "ship"})
    >>> reports[["mmsi", "time", "lat", "sog"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'mmsi': 265547250, 'time': Timestamp('2026-01-31 12:00:00+0000', tz='UTC'),
      'lat': 57.66, 'sog': nan}]
    >>> reports.attrs["layouts"]
    ['generic']
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
        for source in open_inputs(Path(item)):
            try:
                kind = detect_format(source) if format == "auto" else format
                if kind == "parquet":
                    frame, layout = read_parquet_reports(source, columns, chosen)
                elif kind == "nmea":
                    frame, counts = read_nmea_reports(source)
                    frame = frame[list(chosen)]
                    layout = "nmea"
                    for key, value in counts.items():
                        nmea_counts[key] = nmea_counts.get(key, 0) + value
                else:
                    frame, layout = read_csv_reports(source, columns, chosen, time_format)
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
