"""Write the picture as one NATO Vector Graphics (NVG 2.0.2) overlay.

The document (namespace :data:`~northpic.io.nvg.NVG_NAMESPACE`, version
2.0.2) holds a ``g`` group per domain (Military, Economic, Environmental,
Social) and, inside it, a ``g`` per layer, as the KML export has folders.
Each record is one element whose ``uri`` is
``urn:northpic:record:<layer>:<id>`` (:func:`~northpic.io.nvg.record_uri`),
``label`` its name, ``textInfo`` its notes, ``timeSpan`` its
``valid_from``/``valid_to``, and whose ``extendedData`` holds every field
(provenance and the record's marking: ``classification``,
``releasability``, ``originator``) as ``simpleData``. The root carries the
product's banner in ``classification`` and the export's provenance and
marking in its own ``extendedData``.

Geometry (longitude/latitude, WGS 84, 7 decimals):

* a point is a ``point``; with a location precision above 0 it is a
  ``composite`` of the ``point`` and a ``circle`` of radius
  ``precision_km`` (in metres, as NVG gives radii): the uncertainty;
* a line is a ``polyline``, a polygon a ``polygon`` whose holes are
  ``exclude``/``linear-ring`` rings; multi-part geometry is a ``composite``;
* lines and polygons that cross 180 degrees are **split** there (the
  export's preparation, :func:`northpic.export.prepare.rfc7946_geometry`):
  NVG longitudes stay within -180..180, so a line from 170E to 170W is a
  composite of two polylines meeting at +-180, which the NVG reader joins
  back into one line; a polygon around the pole is closed through
  (+-180, 90);
* a layer drawn as names only (``symbol: text``, the sea names) is ``text``.

Symbols: a record of a kind the catalogue gives a symbol code
(``style.kinds[kind].sidc``: the military installations, the shadow-fleet
events) carries it as ``symbol="app6d:<SIDC>"``, its standard identity set
from the NATO perspective (:mod:`northpic.symbology`). Any other point
carries :data:`GENERIC_POINT_SIDC`, an unspecified installation of
unknown identity: a plain frame that claims nothing. Lines and polygons
without a code carry no symbol and are drawn with the layer's colours
(``style``).

Text is inert: the XML writer escapes markup, and characters XML 1.0
cannot hold (C0 controls, lone surrogates) are replaced by U+FFFD
(:func:`northpic.export.text.clean_xml_tree`).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from northpic.export.kml import DOMAIN_TITLES
from northpic.export.prepare import ExportLayer, caveat_for
from northpic.export.styles import DEFAULT_COLOR, DEFAULT_FILL_OPACITY, DEFAULT_WEIGHT, kind_styles
from northpic.export.text import clean_xml_tree
from northpic.export.text import coordinate_text as _num
from northpic.export.text import sub_element as _sub
from northpic.io.nvg import GENERATOR_KEY, NVG_NAMESPACE, NVG_VERSION, record_uri
from northpic.markings import ProductMarking
from northpic.schema import DOMAINS
from northpic.symbology import (
    DEFAULT_PERSPECTIVE,
    read_perspective,
    record_affiliations,
    with_affiliation,
)
from northpic.times import format_time, is_blank

#: Symbol scheme prefix of the 20-digit APP-6D / MIL-STD-2525D codes northpic uses.
SYMBOL_SCHEME = "app6d"
#: The symbol of a point whose kind has no code: land installation, unspecified
#: entity, standard identity unknown (northpic gives civilian records no affiliation).
GENERIC_POINT_SIDC = "10012000000000000000"
_NOT_DATA = {"name", "notes"}  # carried by label and textInfo


def nvg_points(coords: Any) -> str:
    """Format coordinates as NVG ``points``: ``"x,y x,y"`` (longitude, latitude).

    Examples
    --------
    >>> nvg_points([(170.0, 70.25), (-179.99999999, 71.0)])
    '170,70.25 -180,71'
    """
    return " ".join(f"{_num(x)},{_num(y)}" for x, y, *_ in np.asarray(coords)[:, :2].tolist())


def data_text(value: Any) -> str | None:
    """Return a field's value as simpleData text, lossless for numbers and times."""
    if is_blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return format_time(value)
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def _style_text(style: Mapping[str, Any], family: str) -> str:
    color = style.get("color", DEFAULT_COLOR)
    parts = [f"stroke:{color}", f"stroke-width:{style.get('weight', DEFAULT_WEIGHT)}"]
    if family == "polygons":
        fill = style.get("fill", color)
        parts += [f"fill:{fill}",
                  f"fill-opacity:{style.get('fill_opacity', DEFAULT_FILL_OPACITY)}"]
    if style.get("dash"):
        parts.append("stroke-dash:" + ",".join(str(style["dash"]).split()))
    return ";".join(parts)


def _shape(parent: ET.Element, geom: BaseGeometry, style: Mapping[str, Any],
           symbol: str | None, uri: str) -> list[ET.Element]:
    """Append the NVG elements of one single-part geometry; return them."""
    kind = geom.geom_type
    if kind == "Point":
        attrs = {"uri": uri, "x": _num(geom.x), "y": _num(geom.y)}
        if symbol:
            attrs["symbol"] = symbol
        return [_sub(parent, "point", **attrs)]
    if kind in ("LineString", "LinearRing"):
        return [_sub(parent, "polyline", uri=uri, points=nvg_points(geom.coords),
                     style=_style_text(style, "lines"), **({"symbol": symbol} if symbol else {}))]
    if kind == "Polygon":
        node = _sub(parent, "polygon", uri=uri, points=nvg_points(geom.exterior.coords[:-1]),
                    style=_style_text(style, "polygons"), **({"symbol": symbol} if symbol else {}))
        if geom.interiors:
            exclude = _sub(node, "exclude")
            for ring in geom.interiors:
                _sub(exclude, "linear-ring", points=nvg_points(ring.coords[:-1]))
        return [node]
    raise ValueError(f"not a single-part geometry: {kind}")


def _describe(node: ET.Element, record: Mapping[str, Any], fields: list[str],
              after: int = 0) -> None:
    """Put textInfo, timeSpan and extendedData after ``after`` children of an element."""
    head = []
    notes = data_text(record.get("notes"))
    if notes:
        head.append(ET.Element("textInfo"))
        head[-1].text = notes
    start, end = record.get("valid_from"), record.get("valid_to")
    if not is_blank(start) or not is_blank(end):
        span = ET.Element("timeSpan")
        if not is_blank(start):
            _sub(span, "begin", data_text(start))
        if not is_blank(end):
            _sub(span, "end", data_text(end))
        head.append(span)
    data = ET.Element("extendedData")
    for column in fields:
        text = data_text(record.get(column))
        if text is not None:
            _sub(data, "simpleData", text, key=column)
    head.append(data)
    for position, element in enumerate(head):
        node.insert(after + position, element)


def _record(parent: ET.Element, layer: ExportLayer, record: Mapping[str, Any],
            fields: list[str], symbol: str | None, style: Mapping[str, Any],
            as_text: bool) -> None:
    geom = record[layer.frame.geometry.name]
    if geom is None or geom.is_empty:
        return
    uri = record_uri(layer.name, str(record.get("id", "")))
    label = data_text(record.get("name")) or ""
    precision = record.get("precision_km")
    radius_m = float(precision) * 1000 if precision is not None and not is_blank(precision) else 0.0
    if as_text and geom.geom_type == "Point":
        node = _sub(parent, "text", uri=uri, label=label, x=_num(geom.x), y=_num(geom.y))
        _sub(node, "content", label)  # a text's content comes first
        _describe(node, record, fields, after=1)
        return
    parts = list(shapely.get_parts(geom))
    ring = geom.geom_type == "Point" and radius_m > 0 and math.isfinite(radius_m)
    if len(parts) == 1 and not ring:
        (node,) = _shape(parent, parts[0], style, symbol, uri)
        node.set("label", label)
        _describe(node, record, fields)
        return
    node = _sub(parent, "composite", uri=uri, label=label)
    _describe(node, record, fields)
    if ring:
        _shape(node, geom, style, symbol, f"{uri}/position")
        _sub(node, "circle", uri=f"{uri}/uncertainty", cx=_num(geom.x), cy=_num(geom.y),
             r=repr(radius_m),
             style=f"stroke:{style.get('color', DEFAULT_COLOR)};fill:none;stroke-dash:4,4")
        return
    for number, part in enumerate(parts, start=1):
        _shape(node, part, style, symbol if part.geom_type == "Point" else None,
               f"{uri}/part{number}")


def _symbols(layer: ExportLayer) -> list[str | None]:
    """Each record's symbol: the catalogue's code with its affiliation, or the generic one."""
    frame = layer.frame
    kinds = layer.spec.style.get("kinds") or {}
    codes = [kinds.get(str(k), {}).get("sidc") if isinstance(kinds.get(str(k)), dict) else None
             for k in (frame["kind"] if "kind" in frame.columns else [None] * len(frame))]
    affiliations = (record_affiliations(frame, layer.spec.name,
                                        read_perspective(DEFAULT_PERSPECTIVE))
                    if any(codes) else [None] * len(frame))
    points = frame.geom_type.isin(["Point", "MultiPoint"]).tolist()
    out: list[str | None] = []
    for code, affiliation, point in zip(codes, affiliations, points, strict=True):
        if code and affiliation:
            out.append(f"{SYMBOL_SCHEME}:{with_affiliation(code, affiliation)}")
        elif point:
            out.append(f"{SYMBOL_SCHEME}:{GENERIC_POINT_SIDC}")
        else:
            out.append(None)
    return out


def _add_layer(parent: ET.Element, layer: ExportLayer) -> None:
    group = _sub(parent, "g", uri=f"urn:northpic:layer:{layer.name}", label=layer.spec.title)
    text = " ".join(filter(None, [layer.spec.description, caveat_for(layer.spec)]))
    if text:
        _sub(group, "textInfo", text)
    data = _sub(group, "extendedData")
    for key, value in (("layer", layer.name), ("domain", layer.spec.domain),
                       ("nature", layer.spec.nature)):
        _sub(data, "simpleData", value, key=key)
    frame = layer.frame
    geometry = frame.geometry.name
    fields = [c for c in frame.columns if c != geometry and c not in _NOT_DATA]
    styles = kind_styles(layer.spec.style)
    as_text = layer.spec.style.get("symbol") == "text"
    symbols = _symbols(layer)
    for record, symbol in zip(frame.to_dict("records"), symbols, strict=True):
        style = styles.get(str(record.get("kind")), layer.spec.style)
        _record(group, layer, record, fields, symbol, style, as_text)


def nvg_document(
    layers: list[ExportLayer], metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
) -> ET.Element:
    """Build the NVG element tree of an export.

    Parameters
    ----------
    layers : list of ExportLayer
        Prepared layers (:func:`northpic.export.prepare.prepare_layer`).
    metadata : mapping, optional
        Export-wide items (title, generator, times, marking) for the root's
        ``extendedData``.
    marking : ProductMarking, optional
        The product's marking: its banner is the root's ``classification``.

    Returns
    -------
    xml.etree.ElementTree.Element
        The ``<nvg>`` root, cleaned of characters XML 1.0 cannot hold.
    """
    items = dict(metadata or {})
    root = ET.Element("nvg", {"xmlns": NVG_NAMESPACE, "version": NVG_VERSION})
    if marking is not None:
        root.set("classification", marking.banner)
    data = _sub(root, "extendedData")
    items.setdefault(GENERATOR_KEY, "northpic")
    items["symbol_perspective"] = DEFAULT_PERSPECTIVE
    for key, value in items.items():
        _sub(data, "simpleData", value, key=key)
    for domain in DOMAINS:
        members = [layer for layer in layers if layer.spec.domain == domain]
        if not members:
            continue
        group = _sub(root, "g", uri=f"urn:northpic:domain:{domain}", label=DOMAIN_TITLES[domain])
        for layer in members:
            _add_layer(group, layer)
    return clean_xml_tree(root)


def write_nvg(
    layers: list[ExportLayer], path: Path, *, metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
) -> list[str]:
    """Write the layers as one NVG 2.0.2 document at ``path``.

    Returns
    -------
    list of str
        The layer groups written (layer names), in document order.
    """
    root = nvg_document(layers, metadata, marking)
    ET.indent(root, space=" ")
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
    return [layer.name for d in DOMAINS for layer in layers if layer.spec.domain == d]
