"""The column contract every northpic layer obeys, and its validation.

A layer is a plain :class:`geopandas.GeoDataFrame` in EPSG:4326 with the
:data:`COMMON_COLUMNS` below plus the layer's own attributes. Validation
happens once, at the io boundary: readers call :func:`validate_layer_frame`
and raise :class:`~northpic.errors.SchemaError` listing every problem with
its file, record and reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import shapely

from northpic.errors import Problem, SchemaError
from northpic.text import REFUSED, REFUSED_MULTILINE
from northpic.times import is_blank, parse_time

#: Columns every layer has, in this order, before its own attributes.
COMMON_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "layer",
    "domain",
    "kind",
    "source",
    "confidence",
    "precision_km",
    "valid_from",
    "valid_to",
)
#: Marking columns every record carries after the common ones (see :mod:`northpic.markings`):
#: its classification level, the audiences it is releasable to, and who contributed it.
MARKING_COLUMNS: tuple[str, ...] = ("classification", "releasability", "originator")
#: Columns an event has beyond the common ones, in order (see :mod:`northpic.events.schema`).
EVENT_COLUMNS: tuple[str, ...] = ("time", "notes")
#: Private columns holding how precisely each record gave its validity times
#: (:func:`northpic.times.time_precision`): read from the file's text, so that a
#: record dated ``1947`` shows as 1947 and not as 1947-01-01. Never exported.
TIME_PRECISION_COLUMNS: dict[str, str] = {"valid_from": "_valid_from_precision",
                                          "valid_to": "_valid_to_precision"}
#: Common columns a record may leave empty.
OPTIONAL_COLUMNS: frozenset[str] = frozenset({"valid_from", "valid_to"})
DOMAINS: tuple[str, ...] = ("military", "economic", "environmental", "social")
CONFIDENCES: tuple[str, ...] = ("high", "medium", "low")
#: The CRS every layer is stored and exchanged in.
STORAGE_CRS = "EPSG:4326"
#: Text fields that may hold line breaks and tabs; every other text is one line.
MULTILINE_FIELDS: frozenset[str] = frozenset({"notes", "description"})
_CONTROL_NAMES = {0: "NUL", 7: "BEL", 8: "backspace", 9: "tab", 10: "newline", 11: "VT",
                  12: "form feed", 13: "CR", 27: "ESC", 127: "DEL"}
#: How deeply a JSON attribute value may nest (lists and objects).
MAX_JSON_DEPTH = 32


#: How well a location is known, in words: each word with the largest uncertainty radius
#: (km) it covers, in order; the last covers every larger radius.
PRECISION_LEVELS: tuple[tuple[float, str], ...] = (
    (0.0, "surveyed"), (1.0, "precise"), (25.0, "approximate"), (math.inf, "indicative"),
)


def precision_label(precision_km: float) -> str:
    """Say in words how well a feature's location is known (:data:`PRECISION_LEVELS`).

    Parameters
    ----------
    precision_km : float
        Radius of location uncertainty in kilometres (0 = surveyed point).

    Returns
    -------
    str
        ``"surveyed"``, ``"precise"`` (up to 1 km), ``"approximate"`` (up to
        25 km) or ``"indicative"`` (more than 25 km).

    Examples
    --------
    >>> precision_label(0), precision_label(5), precision_label(300)
    ('surveyed', 'approximate', 'indicative')
    """
    return next((word for bound, word in PRECISION_LEVELS if precision_km <= bound),
                PRECISION_LEVELS[-1][1])  # NaN: no bound holds it


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    r"""Say why ``value`` cannot be kept as text, or return ``None`` when it can.

    Text may hold any Unicode (right-to-left scripts, emoji, combining marks)
    but no control character: no C0 control (NUL, ESC...), no DEL, no C1
    control, no lone surrogate, no U+FFFE/U+FFFF. A ``multiline`` field (see
    :data:`MULTILINE_FIELDS`) may also hold tab, newline and CRLF.

    Parameters
    ----------
    value : str
        The text.
    multiline : bool
        Allow tab, newline and CRLF line ends.

    Returns
    -------
    str or None
        E.g. ``"holds a control character (U+0000 NUL) at character 2"``.

    Examples
    --------
    >>> text_problem("Kirkenes \u2693 \u05e2\u05d1\u05e8\u05d9\u05ea") is None
    True
    >>> text_problem("a\x00b")
    'holds a control character (U+0000 NUL) at character 2'
    >>> text_problem("line\nline", multiline=True) is None
    True
    """
    match = (REFUSED_MULTILINE if multiline else REFUSED).search(value)
    if match is None:
        return None
    code = ord(match.group()[0])
    if 0xD800 <= code <= 0xDFFF:
        what = f"a lone surrogate (U+{code:04X}, not Unicode text)"
    elif code in (0xFFFE, 0xFFFF):
        what = f"a non-character (U+{code:04X})"
    else:
        name = _CONTROL_NAMES.get(code)
        what = f"a control character (U+{code:04X}{' ' + name if name else ''})"
    where = match.start() + 1
    allowed = "" if multiline else (" (only notes may hold tabs and line breaks)"
                                    if code in (9, 10, 13) else "")
    return f"holds {what} at character {where}{allowed}"


def value_text_problem(value: Any, *, multiline: bool = False) -> str | None:
    """Like :func:`text_problem`, for a value that may be a JSON list or object.

    Every string inside is checked, object keys included; a value nested
    deeper than :data:`MAX_JSON_DEPTH` levels is refused too. Other values
    (numbers, times, ``None``) have no problem.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, np.ndarray):  # list properties as GDAL reads them
            item = item.tolist()
        if isinstance(item, str):
            problem = text_problem(item, multiline=multiline)
            if problem:
                return problem if depth == 0 else f"has a text that {problem}"
        elif isinstance(item, list | tuple | dict):
            if depth >= MAX_JSON_DEPTH:
                return f"is nested more than {MAX_JSON_DEPTH} levels deep"
            if isinstance(item, dict):
                stack.extend((k, depth + 1) for k in item)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)
    return None


def _text_problems(frame: pd.DataFrame) -> dict[int, list[str]]:
    """Record position to the text problems of its fields (see :func:`text_problem`)."""
    found: dict[int, list[str]] = {}
    for column in frame.columns:
        if column == "geometry" or frame[column].dtype.kind in "biufcmM":
            continue  # numbers, truth values and times hold no text
        multiline = column in MULTILINE_FIELDS
        for pos, value in enumerate(frame[column].tolist()):
            if isinstance(value, str | list | dict | tuple | np.ndarray):
                problem = value_text_problem(value, multiline=multiline)
                if problem:
                    found.setdefault(pos, []).append(f"field {column!r} {problem}")
    return found


def record_label(frame: pd.DataFrame, position: int) -> str:
    """Name a record for an error message: its id, or ``#N`` (1-based)."""
    if "id" in frame.columns:
        value = frame["id"].iloc[position]
        if isinstance(value, str) and value.strip():
            return repr(value)
    return f"#{position + 1}"


def _check_geometry(geom: Any) -> str | None:
    if geom is None or (isinstance(geom, float) and math.isnan(geom)):
        return "missing geometry"
    if geom.is_empty:
        return "empty geometry"
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        return "geometry has non-finite coordinates"
    lon, lat = coords[:, 0], coords[:, 1]
    bad_lon = np.abs(lon) > 180
    bad_lat = np.abs(lat) > 90
    if bad_lon.any() or bad_lat.any():
        i = int(np.argmax(bad_lon | bad_lat))
        return (
            f"coordinate out of range: lon {lon[i]:g}, lat {lat[i]:g} "
            "(lon must be within -180..180, lat within -90..90)"
        )
    if not geom.is_valid:
        return f"invalid geometry: {shapely.is_valid_reason(geom)}"
    return None


def missing_value(column: str) -> str:
    """Return the reason :func:`find_problems` gives for a blank required value."""
    return f"missing value for {column!r}"


def find_problems(
    frame: pd.DataFrame, path: str, *, may_be_blank: Iterable[str] = ()
) -> list[Problem]:
    """List every way ``frame`` breaks the layer schema.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Records as read from ``path``; times may still be strings.
    path : str
        Where the records came from, for the messages.
    may_be_blank : iterable of str
        Required fields whose value a record may leave blank (events derive
        their ``id`` once a record is valid).

    Returns
    -------
    list of Problem
        Empty when the frame is valid.
    """
    problems: list[Problem] = []
    required = [c for c in COMMON_COLUMNS if c not in OPTIONAL_COLUMNS]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        problems.append(Problem(path, None, f"missing field(s): {', '.join(missing)}"))
    if "geometry" not in frame.columns:
        problems.append(Problem(path, None, "no geometry (need lat/lon columns or geometries)"))
    for column in frame.columns:
        problem = text_problem(str(column))
        if problem:
            problems.append(Problem(path, None, f"field name {str(column)!r} {problem}"))
    if missing or "geometry" not in frame.columns:
        return problems

    texts = _text_problems(frame)
    blank_ok = set(may_be_blank)
    seen: dict[str, int] = {}
    for pos in range(len(frame)):
        row = frame.iloc[pos]
        label = record_label(frame, pos)

        def add(reason: str) -> None:
            problems.append(Problem(path, label, reason))  # noqa: B023

        for text in texts.get(pos, ()):
            add(text)
        for column in required:
            if column not in blank_ok and is_blank(row[column]):
                add(missing_value(column))
        rid = row["id"]
        if isinstance(rid, str) and rid.strip():
            if rid in seen:
                add(f"duplicate id (first used by record #{seen[rid] + 1})")
            else:
                seen[rid] = pos
        if not is_blank(row["domain"]) and row["domain"] not in DOMAINS:
            add(f"unknown domain {row['domain']!r}; expected one of {', '.join(DOMAINS)}")
        if not is_blank(row["confidence"]) and row["confidence"] not in CONFIDENCES:
            add(
                f"unknown confidence {row['confidence']!r}; "
                f"expected one of {', '.join(CONFIDENCES)}"
            )
        if not is_blank(row["precision_km"]):
            try:
                if isinstance(row["precision_km"], bool | np.bool_):
                    raise TypeError("a truth value is no distance")
                precision = float(row["precision_km"])
            except OverflowError:
                add("precision_km is a number too large for a distance")
            except (TypeError, ValueError):
                value = row["precision_km"]
                value = value.item() if isinstance(value, np.generic) else value
                add(f"precision_km {value!r} is not a number")
            else:
                if not math.isfinite(precision) or precision < 0:
                    add(f"precision_km {precision:g} must be a finite number >= 0")
        times: dict[str, pd.Timestamp | None] = {}
        for column in ("valid_from", "valid_to"):
            if column in frame.columns:
                try:
                    times[column] = parse_time(
                        row[column], end_of_period=column == "valid_to"
                    )
                except ValueError as exc:
                    add(f"{column}: {exc}")
        start, end = times.get("valid_from"), times.get("valid_to")
        if start is not None and end is not None and end < start:
            add(f"valid_to {end.isoformat()} is before valid_from {start.isoformat()}")
        reason = _check_geometry(row["geometry"])
        if reason:
            add(reason)
    return problems


def normalise_layer_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a valid frame its canonical dtypes and column order.

    ``precision_km`` becomes float, ``valid_from``/``valid_to`` become
    UTC ``datetime64`` columns (``NaT`` when open), and the common columns
    come first.
    """
    out = frame.copy()
    out["precision_km"] = out["precision_km"].astype(float)
    for column in ("valid_from", "valid_to"):
        values = out[column] if column in out.columns else [None] * len(out)
        parsed = [parse_time(v, end_of_period=column == "valid_to") for v in values]
        out[column] = pd.to_datetime(pd.Series(parsed, index=out.index, dtype=object), utc=True)
    for column in ("id", "name", "layer", "domain", "kind", "source", "confidence"):
        out[column] = out[column].astype(str)
    marks = [c for c in MARKING_COLUMNS if c in out.columns]
    own = [c for c in out.columns
           if c not in COMMON_COLUMNS and c not in MARKING_COLUMNS and c != "geometry"]
    return out[[*COMMON_COLUMNS, *marks, *own, "geometry"]]


def validate_layer_frame(frame: pd.DataFrame, path: str) -> pd.DataFrame:
    """Validate ``frame`` and return it normalised.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Records in EPSG:4326.
    path : str
        Where they came from, for error messages.

    Returns
    -------
    geopandas.GeoDataFrame
        The normalised frame (see :func:`normalise_layer_frame`).

    Raises
    ------
    SchemaError
        Listing every problem (file, record and reason).
    """
    problems = find_problems(frame, path)
    if problems:
        raise SchemaError(problems)
    return normalise_layer_frame(frame)


def attribute_kind(value: Any) -> str | None:
    """Classify an extra attribute value: boolean, integer, real, text, datetime or json."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "real"
    if isinstance(value, str):
        return "text"
    if isinstance(value, pd.Timestamp | datetime):
        return "datetime"
    if isinstance(value, list | dict):
        return "json"
    raise TypeError(f"unsupported value type {type(value).__name__}")


def typed_attribute(values: list[Any], kind: str) -> pd.Series | pd.api.extensions.ExtensionArray:
    """Give an extra attribute's values the pandas dtype of their kind.

    Integers and booleans with gaps use pandas' nullable dtypes; times are
    UTC ``datetime64``; JSON values and text stay Python objects.
    """
    if kind == "integer":
        return pd.array(values, dtype="Int64")
    if kind == "boolean":
        return pd.array([None if v is None else bool(v) for v in values], dtype="boolean")
    if kind == "real":
        return pd.array([np.nan if v is None else float(v) for v in values], dtype="float64")
    if kind == "datetime":
        return pd.array(pd.to_datetime(pd.Series(values, dtype=object), utc=True))
    return pd.array(values, dtype=object)
