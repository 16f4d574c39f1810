"""Reading event input: GeoJSON, CSV with lat/lon, JSON Lines, standard input, bytes.

:func:`read_event_file` turns a source into plain records, the way the file
holds them: GeoJSON Features (or flat JSON objects) for JSON and JSON Lines,
one dict a row for CSV. :mod:`northpic.events.intake` turns records into
events and validates them. Sources:

* **GeoJSON**: a Feature or a FeatureCollection (``.geojson``, ``.json``);
* **CSV** with ``lat``/``lon`` columns (or ``latitude``/``longitude``, or a WKT
  ``geometry`` column) (``.csv``);
* **JSON Lines**: one GeoJSON Feature, or one flat record with ``lat``/``lon``
  or a ``geometry`` (GeoJSON object or WKT), per line (``.jsonl``, ``.ndjson``);
* **NVG** 2.0 overlays: points, polylines, polygons and circles (``.nvg``; see
  :mod:`northpic.io.nvg`).
* **Cursor-on-Target**: one ``<event>`` or a TAK stream of them (``.cot``, or
  ``.xml`` whose root is ``<event>``; see :mod:`northpic.io.cot`).

Input must be UTF-8 text: binary data (NUL bytes), other encodings and JSON
nested too deeply for Python are refused naming the file (see
:mod:`northpic.io.text`).

Text from standard input (``"-"``), raw text and bytes are recognised by
their first character: ``{`` or ``[`` is JSON (several ``{...}`` lines are
JSON Lines), an XML document whose first element is ``<nvg>`` NVG, any other
``<`` CoT XML, anything else CSV.

Examples
--------
>>> records, label = read_event_file(b"name,lat,lon\\nA,70.5,20\\n")
>>> records, label
([{'name': 'A', 'lat': '70.5', 'lon': '20'}], '<bytes>')
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from northpic.errors import DataFileError, UnsupportedFormatError
from northpic.io.cot import COT_SUFFIXES
from northpic.io.layer_files import LAT_NAMES, LON_NAMES
from northpic.io.nvg import looks_like_nvg, read_nvg
from northpic.io.text import decode_text, read_stream, read_text_file

JSON_SUFFIXES = (".geojson", ".json")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".geojsonl", ".geojsons")
CSV_SUFFIXES = (".csv",)
NVG_SUFFIXES = (".nvg",)
#: Columns of an event CSV that stay text (the rest become numbers when lossless).
_TEXT_COLUMNS = frozenset({"id", "name", "layer", "domain", "kind", "source", "confidence",
                           "time", "notes", "valid_from", "valid_to", "geometry", "wkt",
                           *LAT_NAMES, *LON_NAMES})


def _load_json(text: str, path: str, where: str = "") -> Any:
    """``json.loads`` whose every failure is a :class:`DataFileError` naming the file."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(path, f"{where}not valid JSON: {exc}") from None
    except RecursionError:
        raise DataFileError(path, f"{where}JSON nested too deeply to read") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise DataFileError(path, f"{where}not readable JSON: {exc}") from None


def json_document_items(doc: Any, path: str) -> list[Any]:
    """Return the records of one parsed JSON document.

    A JSON array gives its items, a FeatureCollection its features, anything
    else (a Feature, a flat record) itself.

    Raises
    ------
    DataFileError
        If ``doc`` is a FeatureCollection without a ``features`` list, or a
        GeoJSON object of another type (a bare geometry...).
    """
    if isinstance(doc, list):
        return list(doc)
    if isinstance(doc, Mapping) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise DataFileError(path, "FeatureCollection without a 'features' list")
        return list(features)
    if isinstance(doc, Mapping) and doc.get("type") not in (None, "Feature"):
        raise DataFileError(
            path, f"expected a GeoJSON Feature or FeatureCollection, not {doc.get('type')!r}"
        )
    return [doc]


def parse_json(text: str, path: str) -> list[Any]:
    """Parse a GeoJSON Feature, a FeatureCollection or a JSON array of records."""
    return json_document_items(_load_json(text, path), path)


def parse_json_lines(text: str, path: str) -> list[Any]:
    """Parse JSON Lines: one Feature or flat record per non-blank line."""
    return [_load_json(line, path, f"line {number} is ")
            for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _lossless_numbers(values: pd.Series) -> pd.Series:
    """Turn a text column into ints or floats when every value reads back unchanged."""
    present = values.dropna()
    if present.empty:
        return values
    try:
        ints = present.map(int)
        if (ints.map(str) == present).all():
            return values.map(lambda v: None if pd.isna(v) else int(v)).astype(object)
    except ValueError:
        pass
    try:
        floats = present.map(float)
        if floats.map(math.isfinite).all() and (floats.map(repr) == present).all():
            return values.map(lambda v: None if pd.isna(v) else float(v)).astype(object)
    except ValueError:
        pass
    return values


def _refuse_values_past_the_header(text: str, path: str) -> None:
    """Refuse a row holding a value beyond the header's last column.

    pandas would silently take a row's first value as an index (when every
    row has one value more than the header), shifting every column by one,
    or drop the extra value; empty trailing fields (``a,b,``) are harmless.
    """
    reader = csv.reader(io.StringIO(text))
    try:
        width = len(next(reader))
        for row in reader:
            extra = row[width:]
            if any(value.strip() for value in extra):
                shown = next(value for value in extra if value.strip())
                raise DataFileError(path, f"line {reader.line_num}: {len(row)} values but the "
                                          f"header names {width} columns (the extra value "
                                          f"{shown[:40]!r} has no column); fix the header or "
                                          "the row")
    except (StopIteration, csv.Error):
        return  # no header, or quoting pandas reports below


def parse_csv(text: str, path: str) -> list[dict[str, Any]]:
    """Parse CSV with a header, lat/lon columns (or WKT ``geometry``), one record a row.

    Empty cells are ``None``. Extra columns whose every value is an integer
    (or a float) written the canonical way become numbers; the rest stays text.
    A value beyond the header's columns is refused, naming its line.
    """
    _refuse_values_past_the_header(text, path)
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
                            index_col=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataFileError(path, f"cannot read CSV: {exc}") from None
    columns = {c.lower() for c in table.columns}
    has_latlon = any(n in columns for n in LAT_NAMES) and any(n in columns for n in LON_NAMES)
    if not has_latlon and not ({"geometry", "wkt"} & columns):
        raise DataFileError(path, "CSV needs lat and lon columns (or a WKT 'geometry' column)")
    table = table.astype(object).where(table.notna(), None)
    for column in table.columns:
        if column.lower() not in _TEXT_COLUMNS:
            table[column] = _lossless_numbers(table[column])
    return table.to_dict(orient="records")


def parse_text(text: str, path: str) -> list[Any]:
    """Parse text whose format is told by its first character (see the module doc)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise DataFileError(path, "no input (empty)")
    if looks_like_nvg(stripped):
        return read_nvg(stripped.encode("utf-8"), path)
    if stripped[0] == "<":  # XML: Cursor-on-Target events
        from northpic.io.cot import parse_cot

        return parse_cot(stripped.encode("utf-8"), path)
    if stripped[0] == "[":
        return parse_json(stripped, path)
    if stripped[0] == "{":
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data":
                return parse_json_lines(stripped, path)
        except (RecursionError, ValueError):
            pass
        else:
            return json_document_items(doc, path)
        return parse_json(stripped, path)
    return parse_csv(stripped, path)


def _read_stdin() -> str:
    """Read standard input as UTF-8 text; binary junk is refused, not half-decoded."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return read_stream(buffer, "<stdin>")
    # a text stream (tests, embedding): undo a lenient decoding before checking it
    return decode_text(sys.stdin.read().encode("utf-8", "surrogateescape"), "<stdin>")


def is_event_text(source: str) -> bool:
    """Tell raw event text (a newline in it, or starting with ``{``, ``[`` or ``<``) from a path."""
    return "\n" in source or source.lstrip()[:1] in ("{", "[", "<")


def read_event_file(source: str | Path | bytes | bytearray) -> tuple[list[Any], str]:
    """Read the records of an event file, standard input, raw text or bytes.

    Parameters
    ----------
    source : str, pathlib.Path, bytes or bytearray
        A file path (``.geojson``, ``.json``, ``.jsonl``, ``.ndjson``,
        ``.csv``, ``.nvg``); ``"-"`` for standard input; raw GeoJSON/CSV/JSON Lines
        text (see :func:`is_event_text`); or UTF-8 bytes.

    Returns
    -------
    tuple of (list, str)
        The records as the file holds them (GeoJSON Features, flat JSON
        objects, or CSV rows as dicts of text) and a label for messages: the
        path, ``"<stdin>"``, ``"<text>"`` or ``"<bytes>"``.

    Raises
    ------
    DataFileError
        If the source cannot be read or parsed: missing, binary, not UTF-8,
        nested too deeply, not JSON/CSV, a name with a NUL character.
    UnsupportedFormatError
        If a file's suffix is none of the above.
    """
    if isinstance(source, bytes | bytearray):
        return parse_text(decode_text(bytes(source), "<bytes>"), "<bytes>"), "<bytes>"
    if isinstance(source, str) and source == "-":
        return parse_text(_read_stdin(), "<stdin>"), "<stdin>"
    if isinstance(source, str) and is_event_text(source):
        return parse_text(source, "<text>"), "<text>"
    path = Path(source)
    suffix = path.suffix.lower()
    label = str(path)
    if "\x00" in label:
        raise DataFileError(repr(label), "a file name cannot hold a NUL character")
    if suffix in JSON_SUFFIXES:
        return parse_text(read_text_file(path), label), label
    if suffix in JSONL_SUFFIXES:
        return parse_json_lines(read_text_file(path), label), label
    if suffix in CSV_SUFFIXES:
        return parse_csv(read_text_file(path), label), label
    if suffix in NVG_SUFFIXES:
        return read_nvg(path, label), label
    if suffix in COT_SUFFIXES:
        from northpic.io.cot import read_cot_file

        return read_cot_file(path), label
    raise UnsupportedFormatError(
        f"{path}: unsupported file type {suffix or '(none)'}; use one of "
        f"{', '.join(JSON_SUFFIXES + JSONL_SUFFIXES + CSV_SUFFIXES + NVG_SUFFIXES)}, "
        f"{', '.join(COT_SUFFIXES)} or '-' "
        "for stdin"
    )


#: The media types an event body may be sent as (HTTP intake), and the format each means.
EVENT_MEDIA_TYPES = {
    "application/geo+json": "json",
    "application/json": "json",
    "text/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/geo+json-seq": "jsonl",
}


def read_event_body(data: bytes, media_type: str, label: str) -> list[Any]:
    """Read the records of an event body whose format its media type names.

    Unlike :func:`read_event_file` on bytes, the format is not guessed from
    the first character: a ``text/csv`` body is read as CSV whatever it
    starts with.

    Parameters
    ----------
    data : bytes
        The body, UTF-8.
    media_type : str
        A key of :data:`EVENT_MEDIA_TYPES` (lower case, without parameters).
    label : str
        Where the body came from, for messages.

    Returns
    -------
    list
        The records, as :func:`read_event_file` returns them.

    Raises
    ------
    UnsupportedFormatError
        For a media type that is not an event format.
    DataFileError
        If the body is binary, not UTF-8, empty or cannot be parsed.

    Examples
    --------
    >>> read_event_body(b"name,lat,lon\\nA,70.5,20\\n", "text/csv", "<body>")
    [{'name': 'A', 'lat': '70.5', 'lon': '20'}]
    >>> read_event_body(b"{}", "text/plain", "<body>")
    Traceback (most recent call last):
    ...
    northpic.errors.UnsupportedFormatError: <body>: media type 'text/plain' is not an event \
format; send one of application/geo+json, application/json, text/csv, application/x-ndjson, \
application/jsonl, application/geo+json-seq
    """
    kind = EVENT_MEDIA_TYPES.get(media_type)
    if kind is None:
        raise UnsupportedFormatError(
            f"{label}: media type {media_type[:60]!r} is not an event format; send one of "
            f"{', '.join(EVENT_MEDIA_TYPES)}")
    text = decode_text(bytes(data), label).lstrip("\ufeff")
    if not text.strip():
        raise DataFileError(label, "no input (empty)")
    if kind == "csv":
        return parse_csv(text, label)
    if kind == "jsonl":
        return parse_json_lines(text, label)
    return parse_json(text, label)


__all__ = ["CSV_SUFFIXES", "EVENT_MEDIA_TYPES", "JSONL_SUFFIXES", "JSON_SUFFIXES",
           "NVG_SUFFIXES", "is_event_text", "json_document_items", "read_event_body",
           "read_event_file"]
