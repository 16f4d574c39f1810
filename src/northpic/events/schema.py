"""The event schema: what a reported event must carry, and its validation.

An event is a layer record (see :mod:`northpic.schema`) with a ``time``:

======================  =====================================================
field                   rule
======================  =====================================================
``id``                  optional; otherwise derived from the content
                        (see :func:`derive_event_id`)
``name``, ``kind``      required text
``time``                required ISO 8601 date-time **with a timezone**
                        (``Z`` or ``+02:00``); without one it is refused
                        unless ``assume_utc``. Kept in UTC, to the
                        millisecond. It is the record's ``valid_from``.
geometry                Point, LineString, Polygon, MultiLineString or
                        MultiPolygon in WGS 84 lon/lat; a Z (height)
                        coordinate is dropped (the picture is 2-D) and
                        the drop reported
``source``              required citation
``confidence``          ``high``, ``medium`` or ``low``
``precision_km``        location uncertainty, a number >= 0
``notes``               optional text
``classification``      a level of the markings table in effect; default its
                        lowest level (``UNCLASSIFIED``) or the batch's
``releasability``       required (in the record or as the batch default):
                        who may receive it, e.g. ``"NATO, EU"``,
                        ``"REL TO NATO"``, ``"NOR EYES ONLY"``, ``"PUBLIC"``;
                        kept canonical (``"NATO, EU"``)
``originator``          required (record or batch default): who contributed it
``valid_to``            optional end, same rules as ``time``, but a date
                        (or a month, a year) with ``assume_utc`` means
                        its last second
``domain``              ``military``, ``economic``, ``environmental`` or
                        ``social``; required unless the layer implies it,
                        and equal to the layer's domain when both are given
``layer``               optional: a catalogue layer (e.g. ``shadow_fleet``)
                        or ``events_<domain>``; default ``events_<domain>``
anything else           kept as an extra attribute (name: letters, digits,
                        ``_``; values: text, 64-bit integers, finite reals,
                        booleans, times, or JSON lists/objects nested at
                        most 32 deep)
======================  =====================================================

No text (the id and every field, extra attributes and the text inside JSON
values included) may hold a control character; only ``notes`` may hold tabs
and line breaks (see :func:`northpic.schema.text_problem`). Any other
Unicode is kept as given.

Markings are checked against the markings table in effect (see
:mod:`northpic.markings`): an unknown audience or level, a lowercase code
(``"nato"``), a marking holding markup (``"<b>NATO</b>"``) or an EYES ONLY
naming two nations is refused like any other fault.

Validation is all or nothing: :func:`validate_events` lists every problem of
a batch, each naming the record (its ``id``, or ``#N`` counting from 1) and
the reason, before anything is stored.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.catalogue import read_catalogue
from northpic.errors import MarkingsError, Problem, SchemaError
from northpic.markings import (
    MarkingTable,
    default_markings,
    marking_problems,
    normalise_markings,
)
from northpic.schema import (
    COMMON_COLUMNS,
    DOMAINS,
    EVENT_COLUMNS,
    MARKING_COLUMNS,
    MULTILINE_FIELDS,
    STORAGE_CRS,
    attribute_kind,
    find_problems,
    missing_value,
    normalise_layer_frame,
    typed_attribute,
    value_text_problem,
)
from northpic.times import format_time, is_blank, parse_time

#: Geometry types an event may have.
GEOMETRY_TYPES: tuple[str, ...] = (
    "Point", "LineString", "Polygon", "MultiLineString", "MultiPolygon",
)
#: Names the store uses itself; records may not use them as attributes.
RESERVED_NAMES: frozenset[str] = frozenset({"fid", "geom", "geometry", "added_at", "updated_at"})
#: Prefix of the layers that hold events without a catalogue layer.
EVENT_LAYER_PREFIX = "events_"
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
#: The integers the store holds (SQLite INTEGER, GeoPackage Integer64).
INT64_RANGE = (-(2**63), 2**63 - 1)
_KNOWN = frozenset(COMMON_COLUMNS) | frozenset(EVENT_COLUMNS) | frozenset(MARKING_COLUMNS)
#: How to give each marking field when a record has none.
_MARKING_HINT = {
    "releasability": "give the record a 'releasability' (e.g. \"NATO, EU\" or \"PUBLIC\") or "
                     "the batch one (--releasability)",
    "originator": "give the record an 'originator' (who contributed it) or the batch one "
                  "(--originator)",
    "classification": "give the record a 'classification' or the batch one (--classification)",
}


@dataclass
class RawEvent:
    """One event as parsed from its source, before validation.

    Attributes
    ----------
    properties : dict
        Field name to value, as read.
    geometry : shapely.Geometry or None
        The parsed geometry, or ``None`` when missing or unparseable.
    geometry_error : str or None
        Why the geometry could not be parsed, if it could not.
    """

    properties: dict[str, Any]
    geometry: Any = None
    geometry_error: str | None = None
    problems: list[str] = field(default_factory=list)


def _catalogue_domains() -> dict[str, str]:
    """Catalogue layer name to domain, from the validated catalogue.

    Raises
    ------
    CatalogueError
        If the catalogue is broken: events are not filed against a catalogue
        northpic cannot trust.
    """
    return {spec.name: spec.domain for spec in read_catalogue()}


def event_layer_name(domain: str) -> str:
    """Return the layer that holds events of ``domain`` without a layer of their own."""
    return f"{EVENT_LAYER_PREFIX}{domain}"


def event_layer_names() -> tuple[str, ...]:
    """Return the names of the non-catalogue event layers, one per domain."""
    return tuple(event_layer_name(d) for d in DOMAINS)


def _event_time(value: Any, assume_utc: bool, *, end_of_period: bool = False) -> pd.Timestamp:
    """Parse an event's time (see :func:`northpic.times.parse_time`), kept to the millisecond."""
    moment = parse_time(value, end_of_period=end_of_period, assume_utc=assume_utc)
    if moment is None:
        raise ValueError("is blank")
    return moment.floor("ms")


def derive_event_id(name: str, kind: str, time: pd.Timestamp, geometry: Any, source: str) -> str:
    """Derive a stable id from an event's content.

    The same name, kind, UTC instant, geometry (to 1e-7 degrees) and source
    always give the same id, so re-adding the same report updates it rather
    than duplicating it.

    Examples
    --------
    >>> import shapely, pandas as pd
    >>> derive_event_id("A", "b", pd.Timestamp("2026-01-01", tz="UTC"),
    ...                 shapely.Point(1, 2), "c")[:3]
    'ev-'
    """
    text = json.dumps(
        [str(name), str(kind), format_time(time),
         shapely.to_wkt(geometry, rounding_precision=7, trim=True), str(source)],
        ensure_ascii=False,
    )
    return "ev-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _plain_value(value: Any) -> Any:
    """Turn numpy/pandas scalars into plain Python values; blanks into None."""
    if isinstance(value, list | tuple | dict):
        return list(value) if isinstance(value, tuple) else value
    if isinstance(value, np.ndarray):
        return value.tolist()
    if is_blank(value):
        return None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    return value


def _number_id(rid: int | float, reasons: list[str]) -> str | None:
    """Write an id given as a number as text (``1234``, not ``1234.0``)."""
    if isinstance(rid, int):
        if rid.bit_length() > 256:
            reasons.append("id is an integer too long to be an id; give it as text")
            return None
        return str(rid)
    return str(int(rid)) if math.isfinite(rid) and rid.is_integer() else str(rid)


def _value_problem(value: Any, kind: str) -> str | None:
    """Why an extra attribute's value cannot be stored as a value of its kind, if it cannot."""
    if kind == "integer" and not INT64_RANGE[0] <= value <= INT64_RANGE[1]:
        digits = int(value.bit_length() * math.log10(2)) + 1
        shown = f"{value}" if digits < 40 else f"(an integer of about {digits} digits)"
        return (f"value {shown} is outside the 64-bit integer range the store holds "
                f"({INT64_RANGE[0]}..{INT64_RANGE[1]}); give it as text")
    if kind == "real" and not math.isfinite(value):
        return f"value {value!r} is not a finite number"
    return None


def _merge_kinds(old: str, new: str) -> str | None:
    if old == new:
        return old
    if {old, new} == {"integer", "real"}:
        return "real"
    return None


_SAID_AS_NO_LAYER = (missing_value("layer"), missing_value("domain"))


def _resolve_layer(props: dict[str, Any], default_layer: str | None, catalogue: dict[str, str],
                   problems: list[str]) -> None:
    """Fill ``layer`` and ``domain`` from each other and check they agree."""
    layer = props.get("layer")
    layer = None if is_blank(layer) else str(layer).strip()
    if layer is None and default_layer is not None:
        layer = default_layer
    domain = props.get("domain")
    domain = None if is_blank(domain) else str(domain).strip()
    if layer is not None:
        if layer in catalogue:
            if domain is not None and domain != catalogue[layer]:
                problems.append(f"layer {layer!r} holds {catalogue[layer]} records but the "
                                f"record's domain is {domain!r}")
            domain = domain or catalogue[layer]
        elif layer.startswith(EVENT_LAYER_PREFIX) and layer[len(EVENT_LAYER_PREFIX):] in DOMAINS:
            implied = layer[len(EVENT_LAYER_PREFIX):]
            if domain is not None and domain != implied:
                problems.append(
                    f"layer {layer!r} holds {implied} events but the record's domain is {domain!r}"
                )
            domain = domain or implied
        else:
            valid = ", ".join([*catalogue, *event_layer_names()])
            problems.append(f"unknown layer {layer!r}; valid layers: {valid}")
    elif domain in DOMAINS:
        layer = event_layer_name(domain)
    elif domain is None:
        problems.append(
            "no layer or domain: give the record a 'layer' (e.g. shadow_fleet, or --layer) or "
            f"a 'domain' ({', '.join(DOMAINS)})"
        )
    props["layer"] = layer
    props["domain"] = domain


def check_marking_defaults(
    table: MarkingTable,
    *,
    releasability: str | None = None,
    originator: str | None = None,
    classification: str | None = None,
) -> None:
    """Refuse a batch default marking the table does not hold, once, naming the option.

    Raises
    ------
    MarkingsError
        E.g. ``--releasability 'nato': unknown audience 'nato' (audience codes
        are upper case: 'NATO')``.

    Examples
    --------
    >>> check_marking_defaults(default_markings(), releasability="NATO, EU")
    >>> check_marking_defaults(default_markings(), classification="SECRETISH")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    northpic.errors.MarkingsError: --classification 'SECRETISH': unknown classification ...
    """
    given = {"classification": classification, "releasability": releasability,
             "originator": originator}
    present = {k: [v] for k, v in given.items() if v is not None}
    if not present:
        return
    problems = marking_problems(pd.DataFrame(present), "batch default", table)
    lines = [f"--{column} {given[column]!r}: {p.reason.split(': ', 1)[1]}"
             for p in problems for column in present if p.reason.startswith(f"{column}: ")]
    if lines:
        raise MarkingsError("\n".join(lines))


def _marking_reasons(
    records: list[dict[str, Any]],
    path: str,
    table: MarkingTable,
    defaults: dict[str, str | None],
    unmarked_ok: bool,
) -> tuple[dict[int, list[str]], set[int]]:
    """Fill batch defaults into each record's marking fields and check them against ``table``.

    Returns the reasons per record position, and the positions of records
    kept unmarked (only with ``unmarked_ok``: all three fields blank).
    """
    unmarked = {pos for pos, props in enumerate(records)
                if unmarked_ok and all(is_blank(props.get(c)) for c in MARKING_COLUMNS)}
    checked = [pos for pos in range(len(records)) if pos not in unmarked]
    for pos in checked:
        props = records[pos]
        for column in MARKING_COLUMNS:
            if is_blank(props.get(column)) and defaults[column] is not None:
                props[column] = defaults[column]
    frame = pd.DataFrame({c: pd.Series([records[pos].get(c) for pos in checked], dtype=object)
                          for c in MARKING_COLUMNS})
    reasons: dict[int, list[str]] = {}
    for problem in marking_problems(frame, path, table):
        pos = checked[int(str(problem.record)[1:]) - 1]  # no id column: records are "#N"
        column, why = problem.reason.split(": ", 1)
        value = records[pos].get(column)
        if isinstance(value, str) and value_text_problem(value):
            continue  # told already as "field ... holds a control character"
        if why == "missing":
            why = f"no {column}: {_MARKING_HINT[column]}"
        else:
            why = f"{column}: {why}"
        reasons.setdefault(pos, []).append(why)
    return reasons, unmarked


def validate_events(
    raw: Sequence[RawEvent],
    path: str,
    *,
    assume_utc: bool = False,
    layer: str | None = None,
    releasability: str | None = None,
    originator: str | None = None,
    classification: str | None = None,
    markings: MarkingTable | None = None,
    unmarked_ok: bool = False,
) -> gpd.GeoDataFrame:
    """Validate a batch of parsed events and return them as one layer frame.

    Parameters
    ----------
    raw : sequence of RawEvent
        Events as parsed by :mod:`northpic.events.intake`.
    path : str
        Where they came from (a file, ``"<stdin>"``...), for messages.
    assume_utc : bool
        Take times without a timezone as UTC instead of refusing them.
    layer : str, optional
        Layer for events that do not name one (e.g. ``"shadow_fleet"``).
    releasability, originator, classification : str, optional
        Batch defaults for records that leave the field blank. Every record
        needs a releasability and an originator (its own or the batch's);
        the classification defaults to the table's lowest level.
    markings : MarkingTable, optional
        The markings table; default :func:`~northpic.markings.default_markings`.
    unmarked_ok : bool
        Keep a record whose three marking fields are all blank unmarked
        instead of refusing it (for copying events of a store written by an
        earlier version; such events are releasable to no audience).

    Returns
    -------
    geopandas.GeoDataFrame
        The common columns, the marking columns (releasability canonical:
        ``"NATO, EU"``), ``time``, ``notes``, the extra attributes and the
        geometry, in EPSG:4326; ``valid_from`` equals ``time``.

    Raises
    ------
    SchemaError
        Listing every problem, each with its record and reason.
    MarkingsError
        If a batch default is not in the table (named once, as its option).
    """
    table = markings or default_markings()
    check_marking_defaults(table, releasability=releasability, originator=originator,
                           classification=classification)
    defaults = {"classification": classification or table.lowest.code,
                "releasability": releasability, "originator": originator}
    catalogue = _catalogue_domains()
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []
    kinds: dict[str, str] = {}
    bad_names: set[str] = set()
    derived: dict[str, int] = {}
    no_geometry: set[int] = set()  # records whose geometry problem is already told
    all_props = [{str(k): _plain_value(v) for k, v in event.properties.items()} for event in raw]
    marking_reasons, unmarked = _marking_reasons(all_props, path, table, defaults, unmarked_ok)

    for pos, event in enumerate(raw):
        props = all_props[pos]
        rid = props.get("id")
        reasons = list(event.problems)
        reasons.extend(marking_reasons.get(pos, ()))
        if isinstance(rid, int | float) and not isinstance(rid, bool):
            rid = props["id"] = _number_id(rid, reasons)
        label = repr(rid) if isinstance(rid, str) and rid.strip() else f"#{pos + 1}"
        for name, value in props.items():  # before any value is stripped or parsed
            text = value_text_problem(value, multiline=name in MULTILINE_FIELDS)
            if text:
                reasons.append(f"field {name!r} {text}")

        time = None
        if is_blank(props.get("time")):
            reasons.append("missing value for 'time'")
        else:
            try:
                time = _event_time(props["time"], assume_utc)
            except ValueError as exc:
                reasons.append(f"time {exc}")
        for column in ("valid_to", "valid_from"):
            if is_blank(props.get(column)):
                props[column] = None
                continue
            try:
                props[column] = _event_time(props[column], assume_utc,
                                            end_of_period=column == "valid_to")
            except ValueError as exc:
                reasons.append(f"{column} {exc}")
                props[column] = None
        if props["valid_from"] is not None and time is not None and props["valid_from"] != time:
            reasons.append("valid_from differs from time; an event is valid from its time")
        props["valid_from"] = time
        props["time"] = time

        geom = event.geometry
        if event.geometry_error:
            reasons.append(event.geometry_error)
            no_geometry.add(pos)
        elif geom is not None and geom.geom_type not in GEOMETRY_TYPES:
            reasons.append(
                f"geometry type {geom.geom_type} is not allowed; use one of "
                f"{', '.join(GEOMETRY_TYPES)}"
            )
            no_geometry.add(pos)
            geom = None
        elif geom is not None and geom.has_z:
            geom = shapely.force_2d(geom)  # the picture is 2-D; add_events reports the drop

        _resolve_layer(props, layer, catalogue, reasons)
        if is_blank(props.get("notes")):
            props["notes"] = ""
        elif not isinstance(props["notes"], str):
            props["notes"] = str(props["notes"])

        for name, value in props.items():
            if name in _KNOWN:
                continue
            if name in RESERVED_NAMES or not _ATTRIBUTE_NAME.match(name):
                if name not in bad_names:
                    bad_names.add(name)
                    why = ("is reserved by the event store" if name in RESERVED_NAMES else
                           "must be letters, digits and '_', not starting with a digit")
                    reasons.append(f"attribute name {name!r} {why}")
                continue
            try:
                kind = attribute_kind(value)
            except TypeError as exc:
                reasons.append(f"attribute {name!r}: {exc}")
                continue
            if kind is None:
                continue
            out_of_range = _value_problem(value, kind)
            if out_of_range:
                reasons.append(f"attribute {name!r} {out_of_range}")
                continue
            if kind == "datetime":
                try:
                    props[name] = _event_time(value, assume_utc)
                except ValueError as exc:
                    reasons.append(f"attribute {name!r}: {exc}")
                    continue
            known = kinds.get(name)
            merged = kind if known is None else _merge_kinds(known, kind)
            if merged is None:
                reasons.append(f"attribute {name!r} is {kind} here but {known} in earlier records")
            else:
                kinds[name] = merged

        if time is not None and geom is not None and not reasons and not any(
            is_blank(props.get(c)) for c in ("name", "kind", "source")
        ) and is_blank(rid):
            props["id"] = derive_event_id(props["name"], props["kind"], time, geom, props["source"])
            derived[repr(props["id"])] = pos
        elif is_blank(rid):
            props["id"] = None
        problems.extend(Problem(path, label, reason) for reason in reasons)
        props["geometry"] = geom
        records.append(props)

    skip = _KNOWN | RESERVED_NAMES | bad_names
    names = list(dict.fromkeys(k for r in records for k in r if k not in skip))
    lowered: dict[str, str] = {}
    for name in [*COMMON_COLUMNS, *MARKING_COLUMNS, *EVENT_COLUMNS, *names]:
        other = lowered.setdefault(name.lower(), name)
        if other != name:
            problems.append(Problem(path, None, f"attribute {name!r} clashes with {other!r} "
                                                "(names are case-insensitive in the store)"))
    frame = _records_frame(records, names)
    told = {repr(records[i]["id"]) if records[i]["id"] else f"#{i + 1}" for i in no_geometry}
    homeless = {repr(r["id"]) if r["id"] else f"#{i + 1}" for i, r in enumerate(records)
                if r["layer"] is None and r["domain"] is None}
    # id may be blank: it is derived once the record's other faults are fixed
    for problem in find_problems(frame, path, may_be_blank=("id",)):
        if problem.reason == "missing geometry" and problem.record in told:
            continue
        if problem.reason in _SAID_AS_NO_LAYER and problem.record in homeless:
            continue  # said once as "no layer or domain"
        if problem.record in derived:
            problem = Problem(path, f"#{derived[problem.record] + 1}", problem.reason)
        problems.append(problem)
    if problems:
        problems.sort(key=_problem_order)
        raise SchemaError(_unique(problems))
    return _normalise(frame, names, kinds, table, unmarked)


def _problem_order(problem: Problem) -> tuple[int, str]:
    record = problem.record or ""
    return (int(record[1:]) if record.startswith("#") and record[1:].isdigit() else 0, record)


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))  # first of each, in order


def _records_frame(records: list[dict[str, Any]], extras: list[str]) -> gpd.GeoDataFrame:
    columns = [*COMMON_COLUMNS, *MARKING_COLUMNS, *EVENT_COLUMNS, *extras]
    data = {c: pd.Series([r.get(c) for r in records], dtype=object) for c in columns}
    geometry = gpd.GeoSeries([r["geometry"] for r in records], crs=STORAGE_CRS)
    return gpd.GeoDataFrame(data, geometry=geometry, crs=STORAGE_CRS)


def _normalise(
    frame: gpd.GeoDataFrame, extras: list[str], kinds: dict[str, str], table: MarkingTable,
    unmarked: set[int],
) -> gpd.GeoDataFrame:
    out = normalise_layer_frame(frame)
    out["time"] = out["valid_from"]
    out["notes"] = out["notes"].astype(str)
    marked = np.array([pos not in unmarked for pos in range(len(out))], dtype=bool)
    canonical = normalise_markings(out[marked], table)
    for column in MARKING_COLUMNS:
        values = np.full(len(out), "", dtype=object)  # unmarked: blank, releasable to nobody
        values[marked] = canonical[column].to_numpy(dtype=object)
        out[column] = values
    for name in extras:
        out[name] = typed_attribute(list(frame[name]), kinds.get(name, "text"))
    ordered = [*COMMON_COLUMNS, *MARKING_COLUMNS, *EVENT_COLUMNS, *extras, "geometry"]
    return gpd.GeoDataFrame(out[ordered], geometry="geometry", crs=STORAGE_CRS)
