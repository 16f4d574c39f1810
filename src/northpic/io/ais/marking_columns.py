"""Read the per-report marking columns of AIS inputs: ``releasability`` and ``classification``.

A CSV or Parquet feed may mark each report (a national feed mixing
reports of several caveats). :func:`read_marking_columns` reads only those
columns, apart from the reports (:func:`northpic.io.ais.read_ais`), so an
input without them costs one look at its header and nothing more. Values
are returned as read (dictionary-encoded text, blanks as nulls); checking
them against a markings table is :mod:`northpic.ais.provenance`'s work.
"""

from __future__ import annotations

import dataclasses
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyarrow as pa

from northpic.errors import DataFileError
from northpic.io.ais.csv import _sniff_csv
from northpic.io.ais.inputs import PEEK_BYTES, Input, detect_format, open_inputs
from northpic.io.ais.layouts import header_key

#: The marking columns a report may carry (header names compared as
#: :func:`~northpic.io.ais.layouts.header_key` spells them).
MARKING_FIELDS = ("classification", "releasability")
_STRINGS = pa.dictionary(pa.int32(), pa.string())


@dataclass(frozen=True)
class InputMarkings:
    """The marking columns of one input, in the order :func:`~northpic.io.ais.read_ais` reads.

    Attributes
    ----------
    label : str
        The input as ``read_ais`` names it (``day.csv``, ``week.zip!day.csv``).
    file : pathlib.Path
        The file given (the archive, for a member of a zip archive).
    columns : dict
        ``field -> values`` for each of :data:`MARKING_FIELDS` the input
        has: one value per report, in file order; blank cells are nulls.
    """

    label: str
    file: Path
    columns: dict[str, pa.ChunkedArray] = field(default_factory=dict)


def _head(item: Path, source: Input) -> bytes:
    """Return the first bytes of ``source``; a zip member is streamed, not decompressed whole."""
    prefix = f"{item}!"
    if source.path is None and source.label.startswith(prefix) and item.suffix.lower() == ".zip":
        with zipfile.ZipFile(item) as archive, archive.open(source.label[len(prefix):]) as member:
            return member.read(PEEK_BYTES)
    return source.peek()


def _csv_columns(source: Input, head: bytes) -> dict[str, pa.ChunkedArray]:
    import pyarrow.csv as pcsv

    header, delimiter, _ = _sniff_csv(head, source.label)
    wanted = {header_key(h): h for h in reversed(header)}  # the first of a spelling wins
    names = {f: wanted[f] for f in MARKING_FIELDS if f in wanted}
    if not names:
        return {}
    with source.open() as stream:
        table = pcsv.read_csv(
            stream, read_options=pcsv.ReadOptions(block_size=1 << 23),
            parse_options=pcsv.ParseOptions(delimiter=delimiter),
            convert_options=pcsv.ConvertOptions(
                include_columns=list(names.values()),
                column_types=dict.fromkeys(names.values(), _STRINGS),
                null_values=[""], strings_can_be_null=True,
            ),
        )
    return {f: table.column(name) for f, name in names.items()}


def _parquet_columns(source: Input) -> dict[str, pa.ChunkedArray]:
    import pyarrow.parquet as pq

    with source.open() as stream:
        handle = pq.ParquetFile(stream)
        wanted = {header_key(n): n for n in reversed(handle.schema_arrow.names)}
        names = {f: wanted[f] for f in MARKING_FIELDS if f in wanted}
        if not names:
            return {}
        table = handle.read(columns=list(names.values()))
    return {f: table.column(name).cast(pa.string()).dictionary_encode()
            for f, name in names.items()}


def read_marking_columns(
    paths: Iterable[str | Path], *, format: str = "auto"
) -> list[InputMarkings]:
    """Read the marking columns of every input of ``paths`` (none for NMEA).

    Parameters
    ----------
    paths : iterable of paths
        The files given to :func:`~northpic.io.ais.read_ais`, in the same order.
    format : {"auto", "csv", "parquet", "nmea"}
        As given to ``read_ais``.

    Returns
    -------
    list of InputMarkings
        One per input (zip members apart), in ``read_ais`` order.

    Raises
    ------
    DataFileError
        For an input that cannot be read (``read_ais`` has usually said so first).
    """
    found: list[InputMarkings] = []
    for item in (Path(p) for p in paths):
        for source in open_inputs(item):
            try:
                head = _head(item, source)
                sniffed = dataclasses.replace(source, open=partial(pa.BufferReader, head))
                kind = detect_format(sniffed) if format == "auto" else format
                columns = (_parquet_columns(source) if kind == "parquet"
                           else {} if kind == "nmea" else _csv_columns(source, head))
            except DataFileError:
                raise
            except (OSError, EOFError, zipfile.BadZipFile, pa.ArrowInvalid) as exc:
                raise DataFileError(source.label,
                                    f"marking columns cannot be read: {exc}") from None
            found.append(InputMarkings(source.label, item, columns))
    return found


__all__ = ["MARKING_FIELDS", "InputMarkings", "read_marking_columns"]
