"""Reading NATO Vector Graphics (NVG 2.0.x) overlays as event records.

An NVG document is XML from another system, so it is parsed with
:func:`northpic.io.xml.parse_untrusted_xml`: a document type declaration
(and with it every entity, "billion laughs" included) is refused, nothing
is fetched, and a file larger than the limit is refused before parsing.

:func:`read_nvg` returns one GeoJSON Feature per drawable element, for
:mod:`northpic.events.intake` to turn into events. Which elements become
what:

=====================  ======================================================
element                event geometry
=====================  ======================================================
``point``              Point (``x`` longitude, ``y`` latitude)
``polyline``           LineString (``points="x,y x,y ..."``)
``polygon``            Polygon (its ``exclude``/``linear-ring`` are holes)
``circle``             Point at (``cx``, ``cy``) whose ``precision_km`` is
                       the radius ``r`` (metres) / 1000: a circle is an
                       uncertainty area around a position
``composite``          of polylines: MultiLineString; of polygons:
                       MultiPolygon (in both, parts cut at 180 degrees
                       are joined back into the line or polygon that was
                       cut); of one point and one circle centred on it:
                       that point, its precision the circle's
``g``                  a group: its elements are read, it is none itself
=====================  ======================================================

Any other drawable (``text``, ``arc``, ``arrow``, ``corridor``, ``ellipse``,
``multipoint``...) is refused, naming it: nothing is dropped silently
(``texts=True`` reads ``text`` labels as points named by their content).

Fields come from the element: ``label`` is the ``name``, ``uri`` the ``id``
(a ``urn:northpic:record:`` uri gives back the northpic id), ``textInfo`` the
``notes``, ``timeSpan`` ``begin``/``end`` the ``time``/``valid_to`` (a
``valid_from`` field other than the time is kept as such), and each
``extendedData``/``simpleData`` (``key``, text value) a field of that name,
which wins over the attributes: that is where ``kind``, ``source``,
``confidence`` and the markings (``classification``, ``releasability``,
``originator``) travel. Values that read back unchanged as integers or reals
become numbers (like CSV); ``id``, ``name``, ``notes`` and the other text
fields stay text. A ``symbol`` attribute is kept as the ``symbol`` field,
unless the document says northpic wrote it (its symbols are derived from
the catalogue, so they are not read back).

Every problem of every element is collected and raised together as one
:class:`~northpic.errors.SchemaError`, each naming the element by its path
(``nvg/g[1]/point[2]``), its ``uri`` and ``label``, and the reason.

Examples
--------
>>> doc = (b'<nvg xmlns="https://tide.act.nato.int/schemas/2012/10/nvg" version="2.0.2">'
...        b'<circle uri="urn:x:1" label="Ship" cx="20" cy="70" r="5000"/></nvg>')
>>> [feature] = read_nvg(doc, "overlay.nvg")
>>> feature["geometry"], feature["properties"]["precision_km"]
({'type': 'Point', 'coordinates': (20.0, 70.0)}, 5.0)
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

import shapely
import shapely.geometry

from northpic.errors import DataFileError, Problem, SchemaError
from northpic.io.xml import DEFAULT_MAX_XML_BYTES, parse_untrusted_xml, read_xml_bytes
from northpic.text import terminal_text

if TYPE_CHECKING:
    from lxml import etree

#: The NVG 2.0 namespace.
NVG_NAMESPACE = "https://tide.act.nato.int/schemas/2012/10/nvg"
#: The NVG version northpic writes.
NVG_VERSION = "2.0.2"
#: Prefix of the ``uri`` of a record northpic wrote: ``urn:northpic:record:<layer>:<id>``.
RECORD_URI = "urn:northpic:record:"
#: Key of the document-level simpleData that names the program that wrote it.
GENERATOR_KEY = "generator"
#: How close (degrees) a vertex at +-180 must be to a great circle's crossing to be a cut.
CUT_TOLERANCE_DEG = 1e-6
#: Radius tolerance (metres) between a circle and a ``precision_km`` given beside it.
RADIUS_TOLERANCE_M = 1.0
#: Drawables of NVG 2.0 northpic does not turn into events (refused by name).
UNREAD_DRAWABLES = frozenset({"text", "arc", "arcband", "arrow", "corridor", "ellipse",
                              "multipoint", "orbit", "rect", "content-item", "a"})
#: Child elements that describe an element rather than draw something.
_DESCRIPTIVE = frozenset({"textInfo", "timeSpan", "timeStamp", "extendedData", "metadata",
                          "extension", "exclude", "schema", "content"})
#: Fields that stay text even when they look like numbers.
_TEXT_FIELDS = frozenset({"id", "name", "layer", "domain", "kind", "source", "confidence",
                          "time", "notes", "valid_from", "valid_to", "classification",
                          "releasability", "originator", "symbol"})
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", re.ASCII)


def record_uri(layer: str, record_id: str) -> str:
    """Return the ``uri`` northpic gives a record (its id percent-encoded).

    Examples
    --------
    >>> record_uri("events_military", "ev 1/<a>")
    'urn:northpic:record:events_military:ev%201%2F%3Ca%3E'
    """
    return f"{RECORD_URI}{quote(layer, safe='')}:{quote(record_id, safe='')}"


def id_from_uri(uri: str) -> str:
    """Return the id a ``uri`` stands for: a northpic record's own id, else the uri itself.

    Examples
    --------
    >>> id_from_uri("urn:northpic:record:events_military:ev%201"), id_from_uri("urn:x:7")
    ('ev 1', 'urn:x:7')
    """
    if uri.startswith(RECORD_URI) and uri.count(":") >= 4:
        return unquote(uri[len(RECORD_URI):].split(":", 1)[1])
    return uri


def local_name(element: etree._Element) -> str:
    """Return an element's tag without its namespace."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if local_name(child) == name]


def _is_nvg(element: etree._Element) -> bool:
    """Tell an element of the NVG namespace (or of none: hand-written files) from others."""
    tag = element.tag
    return isinstance(tag, str) and (not tag.startswith("{")
                                     or tag.startswith("{" + NVG_NAMESPACE + "}"))


def simple_data(element: etree._Element) -> dict[str, str]:
    """Return the ``extendedData`` key/value pairs of an element (sections included)."""
    out: dict[str, str] = {}
    for extended in _children(element, "extendedData"):
        for holder in [extended, *_children(extended, "section")]:
            for item in _children(holder, "simpleData"):
                key = item.get("key")
                if key:
                    out[key] = item.text or ""
    return out


class _Refused(ValueError):
    """One element's problem, raised inside the reader and collected."""


def _number(text: str | None, what: str) -> float:
    if text is None or not _NUMBER.fullmatch(text.strip()):
        raise _Refused(f"{what} {terminal_text(text or '')[:40]!r} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"{what} is not a finite number")
    return value


def _position(x: str | None, y: str | None, what: str = "") -> tuple[float, float]:
    lon, lat = _number(x, f"{what}x (longitude)"), _number(y, f"{what}y (latitude)")
    if not -180 <= lon <= 180:
        raise _Refused(f"longitude {lon:g} is outside -180..180")
    if not -90 <= lat <= 90:
        raise _Refused(f"latitude {lat:g} is outside -90..90")
    return lon, lat


def _points(element: etree._Element, least: int) -> list[tuple[float, float]]:
    text = element.get("points")
    if text is None:
        raise _Refused("has no points attribute")
    out = []
    for number, pair in enumerate(text.split(), start=1):
        parts = pair.split(",")
        if len(parts) != 2:
            raise _Refused(f"point {number} {terminal_text(pair)[:40]!r} is not 'x,y'")
        out.append(_position(parts[0], parts[1], f"point {number}: "))
    if len(out) < least:
        raise _Refused(f"has {len(out)} points; at least {least} are needed")
    return out


def _ring(element: etree._Element) -> list[tuple[float, float]]:
    ring = _points(element, 3)
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    if len(ring) < 4:
        raise _Refused("a ring needs three distinct points")
    return ring


def _polygon(element: etree._Element) -> shapely.Polygon:
    holes = [_ring(ring) for exclude in _children(element, "exclude")
             for ring in exclude if local_name(ring) == "linear-ring"]
    others = [local_name(ring) for exclude in _children(element, "exclude")
              for ring in exclude if local_name(ring) != "linear-ring"]
    if others:
        raise _Refused(f"excludes a {others[0]}; only linear-ring holes are read")
    return shapely.Polygon(_ring(element), holes)


def _radius_km(element: etree._Element) -> float:
    radius = _number(element.get("r"), "r (radius, metres)")
    if radius <= 0:
        raise _Refused(f"radius {radius:g} m must be more than 0")
    return radius / 1000


def _crossing_latitude(a: tuple[float, float], b: tuple[float, float]) -> float | None:
    """Latitude at which the great circle from ``a`` to ``b`` crosses 180 degrees, if it does.

    This is where the writer's preparation (the ``antimeridian`` package)
    cuts a line or a ring, so a vertex at +-180 of that latitude is a cut,
    not a vertex of the record.
    """
    (lon1, lat1), (lon2, lat2) = a, b
    if abs(lon2 - lon1) <= 180 or lon1 * lon2 >= 0:
        return None
    l1, l2 = math.radians(lon1 % 360), math.radians(lon2 % 360)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    meridian = math.pi
    denominator = math.sin(l1 - l2)
    if abs(denominator) < 1e-15:
        return None
    tangent = (math.tan(p1) * math.sin(meridian - l2)
               - math.tan(p2) * math.sin(meridian - l1)) / denominator
    return math.degrees(math.atan(tangent))


def _is_cut(before: tuple[float, float], vertex: tuple[float, float],
            after: tuple[float, float]) -> bool:
    """Whether ``vertex`` (at +-180) is where the writer cut the edge ``before``-``after``."""
    if abs(vertex[0]) != 180:
        return False
    latitude = _crossing_latitude(before, after)
    return latitude is not None and abs(latitude - vertex[1]) < CUT_TOLERANCE_DEG


def _join_at_antimeridian(lines: list[shapely.LineString]) -> shapely.Geometry:
    """Join consecutive parts that were cut at +-180 degrees back into one line.

    A part ending at (+-180, lat) followed by one starting at (-+180, lat),
    where ``lat`` is where the great circle between the vertices on either
    side crosses 180 degrees, is one line cut by the writer: both cut
    vertices are dropped, so the line is again the one that was cut.
    """
    joined: list[list[tuple[float, float]]] = []
    for line in lines:
        coords = [(float(x), float(y)) for x, y, *_ in line.coords]
        if joined and len(joined[-1]) > 1 and len(coords) > 1:
            last, first = joined[-1][-1], coords[0]
            if (first[0] == -last[0] and first[1] == last[1]
                    and _is_cut(joined[-1][-2], last, coords[1])):
                joined[-1] = joined[-1][:-1] + coords[1:]
                continue
        joined.append(coords)
    if len(joined) == 1:
        return shapely.LineString(joined[0])
    return shapely.MultiLineString(joined)


def _unshifted_ring(ring: Any) -> list[tuple[float, float]]:
    """Return a ring shifted to 0..360 back in -180..180, without the writer's cut vertices."""
    coords = [(float(x), float(y)) for x, y in ring.coords[:-1]]
    back = [(x - 360 if x > 180 else x, y) for x, y in coords]
    keep = []
    for i, (x, y) in enumerate(coords):
        before, after = coords[i - 1], coords[(i + 1) % len(coords)]
        if x == 180 and (before[0] - 180) * (after[0] - 180) < 0 and _is_cut(
                back[i - 1], (180.0, y), back[(i + 1) % len(back)]):
            continue
        keep.append(back[i])
    return [*keep, keep[0]]


def _join_polygons(polygons: list[shapely.Polygon]) -> shapely.Geometry:
    """Join polygons the writer split at 180 degrees back into the polygon that was split.

    Only parts that reach 180 degrees from one side take part: those west of it
    are shifted by 360 so that the halves touch, merged with those east of it,
    and put back, the cut vertices dropped. The other parts stay as they are;
    if nothing joins, or the joined polygon would not be valid, the parts are
    returned as they came (split at 180, which is the same area).
    """
    multi = shapely.MultiPolygon(polygons)
    east: list[shapely.Polygon] = []
    west: list[shapely.Polygon] = []
    rest: list[shapely.Polygon] = []
    for polygon in polygons:
        xs = shapely.get_coordinates(polygon)[:, 0]
        at_east, at_west = bool((xs == 180).any()), bool((xs == -180).any())
        if at_east and not at_west and xs.min() >= 0:
            east.append(polygon)
        elif at_west and not at_east and xs.max() <= 0:
            west.append(shapely.transform(polygon, lambda c: c + [[360, 0]]))
        else:
            rest.append(polygon)
    if not east or not west:
        return multi
    merged = list(shapely.get_parts(shapely.unary_union(east + west)))
    if len(merged) == len(east) + len(west) or not all(
            p.geom_type == "Polygon" for p in merged):
        return multi
    rebuilt = [shapely.Polygon(_unshifted_ring(p.exterior),
                               [_unshifted_ring(r) for r in p.interiors]) for p in merged]
    out = rebuilt + rest
    joined = out[0] if len(out) == 1 else shapely.MultiPolygon(out)
    return joined if joined.is_valid else multi


def _composite(element: etree._Element) -> tuple[shapely.Geometry, float | None]:
    parts = [child for child in element if _is_nvg(child) and local_name(child) not in _DESCRIPTIVE]
    names = [local_name(child) for child in parts]
    if not parts:
        raise _Refused("is a composite with nothing in it")
    if set(names) == {"polyline"}:
        return _join_at_antimeridian([shapely.LineString(_points(p, 2)) for p in parts]), None
    if set(names) == {"polygon"}:
        return _join_polygons([_polygon(p) for p in parts]), None
    if sorted(names) == ["circle", "point"]:
        point = parts[names.index("point")]
        circle = parts[names.index("circle")]
        centre = _position(point.get("x"), point.get("y"))
        if _position(circle.get("cx"), circle.get("cy")) != centre:
            raise _Refused("its circle is not centred on its point, so it is not the point's "
                           "uncertainty")
        return shapely.Point(centre), _radius_km(circle)
    raise _Refused(f"is a composite of {', '.join(sorted(set(names)))}; northpic reads "
                   "composites of polylines, of polygons, or of a point and its circle")


def _geometry(element: etree._Element, name: str) -> tuple[shapely.Geometry, float | None]:
    """Return an element's geometry and, for circles, the radius in km."""
    if name == "point":
        return shapely.Point(_position(element.get("x"), element.get("y"))), None
    if name == "polyline":
        return shapely.LineString(_points(element, 2)), None
    if name == "polygon":
        return _polygon(element), None
    if name == "circle":
        return shapely.Point(_position(element.get("cx"), element.get("cy"))), _radius_km(element)
    return _composite(element)


def _value(key: str, text: str) -> Any:
    """Turn a simpleData value into a number when it reads back unchanged (CSV's rule)."""
    if key in _TEXT_FIELDS or not _NUMBER.fullmatch(text):
        return text
    try:
        number = int(text)
        if str(number) == text:
            return number
    except ValueError:
        pass
    real = float(text)
    return real if math.isfinite(real) and repr(real) == text else text


def _properties(element: etree._Element, own_symbols: bool) -> dict[str, Any]:
    props: dict[str, Any] = {}
    if element.get("uri"):
        props["id"] = id_from_uri(str(element.get("uri")))
    if element.get("label") is not None:
        props["name"] = element.get("label")
    symbol = element.get("symbol")
    if symbol is None:
        for child in element:  # a composite's symbol is on its point
            if local_name(child) == "point" and child.get("symbol"):
                symbol = child.get("symbol")
    if symbol and not own_symbols:
        props["symbol"] = symbol
    for info in _children(element, "textInfo"):
        props["notes"] = info.text or ""
    for span in _children(element, "timeSpan"):
        for key, tag in (("time", "begin"), ("valid_to", "end")):
            for moment in _children(span, tag):
                if moment.text and moment.text.strip():
                    props[key] = moment.text.strip()
    for key, text in simple_data(element).items():
        props[key] = _value(key, text)
    if "valid_from" in props:  # a northpic record says valid_from; an event calls it time
        if "time" not in props or props["time"] == props["valid_from"]:
            props["time"] = props.pop("valid_from")
    props.pop("nature", None)  # added by every northpic export, not an event field
    return props


def _describe(path: str, element: etree._Element) -> str:
    bits = [path]
    for attribute in ("uri", "label"):
        value = element.get(attribute)
        if value:
            bits.append(f"{attribute} {terminal_text(value)[:80]!r}")
    return ", ".join(bits)


def _feature(element: etree._Element, name: str, own_symbols: bool) -> dict[str, Any]:
    geometry, radius_km = _geometry(element, name)
    props = _properties(element, own_symbols)
    if radius_km is not None:
        given = props.get("precision_km")
        if isinstance(given, int | float) and not isinstance(given, bool):
            if abs(float(given) - radius_km) * 1000 > RADIUS_TOLERANCE_M:
                raise _Refused(f"precision_km {given:g} contradicts its circle's radius "
                               f"{radius_km * 1000:g} m")
        else:
            props["precision_km"] = radius_km
    return {"type": "Feature", "properties": props,
            "geometry": shapely.geometry.mapping(geometry)}


def _text_feature(element: etree._Element, own_symbols: bool) -> dict[str, Any]:
    """Return a ``text`` element as a point Feature named by its content."""
    props = _properties(element, own_symbols)
    content = next((c.text for c in element if local_name(c) == "content"), None)
    if content is not None:
        props["name"] = content
    position = shapely.Point(_position(element.get("x"), element.get("y")))
    return {"type": "Feature", "properties": props,
            "geometry": shapely.geometry.mapping(position)}


def _walk(group: etree._Element, path: str, own_symbols: bool, texts: bool,
          features: list[dict[str, Any]], problems: list[str]) -> None:
    counts: dict[str, int] = {}
    for child in group:
        if not _is_nvg(child):
            continue  # another namespace: an extension northpic does not read
        name = local_name(child)
        counts[name] = counts.get(name, 0) + 1
        where = f"{path}/{name}[{counts[name]}]"
        if name in _DESCRIPTIVE:
            continue
        if name == "g":
            _walk(child, where, own_symbols, texts, features, problems)
            continue
        try:
            if name == "text" and texts:
                features.append(_text_feature(child, own_symbols))
                continue
            if name in UNREAD_DRAWABLES:
                raise _Refused(f"an NVG {name} is no event geometry northpic reads (point, "
                               "polyline, polygon, circle, composite); remove it or draw it "
                               "as one of those")
            if name not in ("point", "polyline", "polygon", "circle", "composite"):
                raise _Refused(f"<{terminal_text(name)[:40]}> is not an NVG 2.0 element")
            features.append(_feature(child, name, own_symbols))
        except _Refused as exc:
            problems.append(f"{_describe(where, child)}: {exc}")


def read_nvg(source: bytes | str | Path, label: str | None = None,
             max_bytes: int = DEFAULT_MAX_XML_BYTES, *, texts: bool = False,
             ) -> list[dict[str, Any]]:
    """Read an NVG document's drawable elements as GeoJSON Features.

    Parameters
    ----------
    source : bytes, str or pathlib.Path
        The document's bytes, or a file path.
    label : str, optional
        Where it came from, for messages; default the path or ``<bytes>``.
    max_bytes : int
        Refuse larger documents.
    texts : bool
        Read ``text`` elements as points named by their content (labels, such
        as the sea names of a northpic export); by default they are refused,
        because a label is no event.

    Returns
    -------
    list of dict
        One Feature per point, polyline, polygon, circle or composite (and
        text, with ``texts``), in document order (see the module's table).

    Raises
    ------
    DataFileError
        If the document cannot be read, is too large, is not well-formed, holds
        a document type declaration, or is not NVG.
    SchemaError
        If any element cannot be read: every one is named with its reason.
    """
    if isinstance(source, bytes):
        label = label or "<bytes>"
        data = source
    else:
        label = label or str(source)
        data = read_xml_bytes(source, max_bytes)
    root = parse_untrusted_xml(data, label, max_bytes)
    if local_name(root) != "nvg":
        raise DataFileError(label, f"is not an NVG document: its root element is "
                                   f"<{terminal_text(str(root.tag))[:80]}>, not <nvg>")
    if not _is_nvg(root):
        namespace = terminal_text(str(root.tag)[1:].split("}", 1)[0])[:80]
        raise DataFileError(label, f"is NVG of namespace {namespace}, not NVG 2.0 "
                                   f"({NVG_NAMESPACE}); save it as NVG 2.0")
    generator = simple_data(root).get(GENERATOR_KEY, "")
    own_symbols = generator.startswith("northpic")
    features: list[dict[str, Any]] = []
    problems: list[str] = []
    _walk(root, "nvg", own_symbols, texts, features, problems)
    if problems:
        raise SchemaError([Problem(label, None, p) for p in problems])
    if not features:
        raise DataFileError(label, "holds no point, polyline, polygon, circle or composite")
    return features


_NVG_START = re.compile(
    r"(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*"           # a declaration, comments
    r"(<!DOCTYPE\s+([\w.-]+:)?nvg[\s>\[]|<([\w.-]+:)?nvg[\s>/])", re.DOTALL)


def looks_like_nvg(text: str | bytes) -> bool:
    """Tell NVG from the other event formats: its first element (or DOCTYPE) is ``nvg``.

    Examples
    --------
    >>> looks_like_nvg('<?xml version="1.0"?>  <nvg version="2.0.2"/>')
    True
    >>> looks_like_nvg('<?xml version="1.0"?><event uid="x"/>'), looks_like_nvg("name,lat,lon")
    (False, False)
    """
    head = text[:65536]
    if isinstance(head, bytes):
        head = head.decode("utf-8", "replace")
    return bool(_NVG_START.match(head.lstrip("\ufeff \t\r\n")))


__all__ = ["NVG_NAMESPACE", "NVG_VERSION", "RECORD_URI", "id_from_uri", "looks_like_nvg",
           "read_nvg", "record_uri", "simple_data"]
