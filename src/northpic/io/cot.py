"""Reading Cursor-on-Target events: a ``.cot`` file, one XML document, or a TAK stream.

A TAK stream is a sequence of ``<event>`` elements, each perhaps with its
own ``<?xml ...?>`` declaration, not one document. :func:`parse_cot` takes
either: the declarations between events are dropped and the events parsed
together, inside a wrapper element, by :func:`northpic.io.xml.parse_untrusted_xml`
(no DOCTYPE, so no entity expansion; no network; a size limit of
:data:`MAX_COT_BYTES`). One broken event refuses the input, naming the line.

Each event becomes one flat record for :mod:`northpic.events.intake`:

* from an event northpic wrote (its ``<__northpic>`` detail, see
  :mod:`northpic.export.cot`): the record as it was: id, name, layer,
  domain, kind, source, confidence, precision, validity, marking, typed
  attributes and the whole geometry;
* from any other CoT event: ``id`` the uid, ``name`` the contact's callsign
  (else the uid), ``kind`` the CoT type, ``time`` its ``start`` (else its
  ``time``), ``valid_to`` its ``stale``, ``precision_km`` its ``ce`` in km,
  ``notes`` its remarks, ``source`` the CoT event and its ``how``, a
  ``cot_type`` and ``cot_how`` attribute, and ``domain`` ``military`` for an
  atom (``a-...``) type. CoT states no confidence: such a record gets
  ``low``, and says so in ``confidence_note``. A ``ce`` of ``9999999`` (CoT's
  "unknown") gives no precision, and northpic refuses an event without one,
  as it refuses any record of unknown precision. The marking comes from the
  batch (``--releasability``, ``--originator``) unless the event carries a
  northpic marking;
* the geometry is the point, or for a drawn shape (``u-d-...`` with
  ``<link point="lat,lon"/>`` vertices) the line, or the polygon when the
  vertices close.

Examples
--------
>>> records = parse_cot(b'<event version="2.0" uid="x1" type="a-h-S" how="m-g" '
...     b'time="2026-01-15T08:30:00Z" start="2026-01-15T08:30:00Z" '
...     b'stale="2026-01-15T09:30:00Z"><point lat="70.5" lon="20.25" hae="0" ce="50" '
...     b'le="9999999"/><detail><contact callsign="TANKER"/></detail></event>', "in.cot")
>>> r = records[0]
>>> r["id"], r["name"], r["kind"], r["precision_km"], r["geometry"].wkt
('x1', 'TANKER', 'a-h-S', 0.05, 'POINT (20.25 70.5)')
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely

from northpic.errors import DataFileError
from northpic.io.xml import parse_untrusted_xml, read_xml_bytes

if TYPE_CHECKING:
    from lxml import etree

#: The largest CoT input read (bytes): a file, standard input or bytes.
MAX_COT_BYTES = 64_000_000
#: The most events one input may hold.
MAX_COT_EVENTS = 1_000_000
#: File suffixes read as CoT (``.xml`` when its root is ``<event>``).
COT_SUFFIXES = (".cot", ".xml")
#: CoT's value for an unknown height or error.
UNKNOWN_ERROR = 9999999.0
#: Key of a flat record by which a reader says why its geometry could not be read
#: (:mod:`northpic.events.intake` turns it into the event's geometry problem).
GEOMETRY_ERROR_KEY = "_geometry_error"
_DECLARATION = re.compile(rb"<\?xml\b[^>]*\?>")
_WRAPPER = b"northpic-cot-stream"
_NORTHPIC = "__northpic"
_FIELD_TYPES = ("text", "integer", "real", "boolean", "time")


def looks_like_cot(data: bytes | str) -> bool:
    """Tell whether input starts like CoT: an ``<event`` (after any XML declaration).

    Examples
    --------
    >>> looks_like_cot(b'<?xml version="1.0"?>\\n<event uid="a"/>'), looks_like_cot("name,lat")
    (True, False)
    """
    head = data[:4096].encode("utf-8", "replace") if isinstance(data, str) else data[:4096]
    head = _DECLARATION.sub(b"", head.lstrip(b"\xef\xbb\xbf \t\r\n")).lstrip()
    return head.startswith(b"<event") and head[6:7] in (b" ", b">", b"/", b"\t", b"\r", b"\n")


def _events(data: bytes, label: str) -> list[etree._Element]:
    if len(data) > MAX_COT_BYTES:
        raise DataFileError(label, f"{len(data)} bytes is more than the {MAX_COT_BYTES} bytes "
                                   "a CoT input may hold")
    body = _DECLARATION.sub(b"", data.lstrip(b"\xef\xbb\xbf"))
    if not body.strip():
        raise DataFileError(label, "no CoT event (empty)")
    wrapped = b"<" + _WRAPPER + b">" + body + b"</" + _WRAPPER + b">"
    root = parse_untrusted_xml(wrapped, label, max_bytes=MAX_COT_BYTES + 64)
    if root.text and root.text.strip():
        raise DataFileError(label, "text outside any <event>: not a CoT event stream")
    events = []
    for number, node in enumerate(root, start=1):
        if node.tag != "event":
            raise DataFileError(label, f"element {number} is <{_tag(node)}>, not a CoT <event>")
        if node.tail and node.tail.strip():
            raise DataFileError(label, f"text after event {number}: not a CoT event stream")
        events.append(node)
        if len(events) > MAX_COT_EVENTS:
            raise DataFileError(label, f"more than {MAX_COT_EVENTS} events")
    if not events:
        raise DataFileError(label, "no CoT <event> in the input")
    return events


def _tag(node: etree._Element) -> str:
    tag = node.tag if isinstance(node.tag, str) else "?"
    return tag[:40]


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _typed(text: str, kind: str) -> Any:
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    if kind == "real":
        value = _number(text)
        return text if value is None else value
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    return text  # text and times: the schema reads times itself


def _point(event: etree._Element) -> tuple[Any, str | None]:
    point = event.find("point")
    if point is None:
        return None, "the event has no <point>"
    lat, lon = _number(point.get("lat")), _number(point.get("lon"))
    if lat is None or lon is None:
        return None, (f"point lat {point.get('lat')!r} / lon {point.get('lon')!r} are not "
                      "numbers")[:200]
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, f"point lat {lat} / lon {lon} are outside WGS 84's range"
    return shapely.Point(lon, lat), None


def _links(detail: etree._Element | None) -> tuple[Any, str | None]:
    if detail is None:
        return None, None
    vertices = []
    for link in detail.findall("link"):
        text = link.get("point")
        if text is None:
            continue
        parts = [_number(p) for p in text.split(",")]
        if len(parts) not in (2, 3) or parts[0] is None or parts[1] is None:
            return None, f"link point {text[:40]!r} is not lat,lon"
        vertices.append((parts[1], parts[0]))
    if len(vertices) < 2:
        return None, None
    if len(vertices) >= 4 and vertices[0] == vertices[-1]:
        return shapely.Polygon(vertices), None
    return shapely.LineString(vertices), None


def _geometry(event: etree._Element, own: etree._Element | None) -> tuple[Any, str | None]:
    wkt_node = own.find("geometry") if own is not None else None
    if wkt_node is not None and wkt_node.get("wkt"):
        try:
            return shapely.from_wkt(wkt_node.get("wkt")), None
        except shapely.errors.GEOSException as exc:
            return None, f"malformed northpic geometry: {exc}"
    if str(event.get("type", "")).startswith("u-d-"):
        shape, problem = _links(event.find("detail"))
        if shape is not None or problem is not None:
            return shape, problem
    return _point(event)


def _text(node: etree._Element | None) -> str | None:
    if node is None:
        return None
    text = "".join(node.itertext()).strip()
    return text or None


def _precision(event: etree._Element) -> float | None:
    point = event.find("point")
    ce = _number(point.get("ce")) if point is not None else None
    if ce is None or ce < 0 or ce >= UNKNOWN_ERROR:
        return None
    return ce / 1000.0


def _northpic_record(event: etree._Element, own: etree._Element) -> dict[str, Any]:
    record: dict[str, Any] = {"id": event.get("uid")}
    for key in ("name", "layer", "domain", "kind"):
        if own.get(key) is not None:
            record[key] = own.get(key)
    for child, keys in (("marking", ("classification", "releasability", "originator")),
                        ("provenance", ("source", "confidence", "precision_km")),
                        ("validity", ("valid_from", "valid_to"))):
        node = own.find(child)
        for key in keys:
            value = node.get(key) if node is not None else None
            if value is not None:
                record[key] = value
    if "precision_km" in record:
        number = _number(record["precision_km"])
        record["precision_km"] = record["precision_km"] if number is None else number
    for field in own.findall("field"):
        name = field.get("name")
        if name:
            kind = field.get("type", "text")
            record[name] = _typed(field.text or "", kind if kind in _FIELD_TYPES else "text")
    record.setdefault("time", record.get("valid_from") or event.get("start")
                      or event.get("time"))
    return record


def _foreign_record(event: etree._Element, label: str) -> dict[str, Any]:
    detail = event.find("detail")
    contact = detail.find("contact") if detail is not None else None
    uid = event.get("uid")
    kind = event.get("type")
    how = event.get("how")
    record: dict[str, Any] = {
        "id": uid,
        "name": (contact.get("callsign") if contact is not None else None) or uid,
        "kind": kind,
        "time": event.get("start") or event.get("time"),
        "valid_to": event.get("stale"),
        "source": f"Cursor-on-Target event from {label} (how {how or 'not given'})",
        "confidence": "low",
        "confidence_note": "CoT states no confidence: taken as low",
        "cot_type": kind,
        "cot_how": how,
    }
    precision = _precision(event)
    if precision is not None:
        record["precision_km"] = precision
    remarks = _text(detail.find("remarks")) if detail is not None else None
    if remarks:
        record["notes"] = remarks
    if isinstance(kind, str) and kind.startswith("a-"):
        record["domain"] = "military"
    return {k: v for k, v in record.items() if v is not None}


def parse_cot(data: bytes, label: str) -> list[dict[str, Any]]:
    """Parse CoT events (one document or a stream of them) into flat event records.

    Parameters
    ----------
    data : bytes
        The input: one ``<event>`` or several, concatenated.
    label : str
        Where it came from, for messages.

    Returns
    -------
    list of dict
        One record per event (see the module's rules), with a shapely
        ``geometry``, or a ``geometry`` of None and the reason in
        :data:`GEOMETRY_ERROR_KEY` for an event whose position cannot be read.

    Raises
    ------
    DataFileError
        If the input is too large, not well-formed, holds a DOCTYPE, or holds
        anything but ``<event>`` elements.
    """
    records = []
    for event in _events(data, label):
        detail = event.find("detail")
        own = detail.find(_NORTHPIC) if detail is not None else None
        record = _northpic_record(event, own) if own is not None else _foreign_record(event,
                                                                                       label)
        geometry, problem = _geometry(event, own)
        record["geometry"] = geometry
        if problem is not None:
            record[GEOMETRY_ERROR_KEY] = problem
        records.append(record)
    return records


def read_cot_file(path: str | Path) -> list[dict[str, Any]]:
    """Read a ``.cot`` file (or a ``.xml`` one whose root is ``<event>``) as event records.

    Raises
    ------
    DataFileError
        If the file cannot be read, is larger than :data:`MAX_COT_BYTES`, or
        is not CoT (see :func:`parse_cot`).
    """
    data = read_xml_bytes(path, max_bytes=MAX_COT_BYTES)
    if not looks_like_cot(data) and b"<!DOCTYPE" not in data[:65536]:  # that: refused below
        raise DataFileError(str(path), "not Cursor-on-Target: the document's root is not "
                                       "<event>")
    return parse_cot(data, str(path))


__all__ = ["COT_SUFFIXES", "GEOMETRY_ERROR_KEY", "MAX_COT_BYTES", "looks_like_cot", "parse_cot",
           "read_cot_file"]
