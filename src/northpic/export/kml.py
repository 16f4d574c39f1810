"""Write the picture as one KML document for Google Earth.

A folder per domain (Military, Economic, Environmental, Social) holds a
folder per layer; each layer has a shared style (icon tinted in the map's
colour, line width, fill) whose label shows on hover only. Each placemark
has a ``TimeSpan`` from ``valid_from``/``valid_to`` (Google Earth's time
slider), a description listing its attributes and provenance, and typed
``ExtendedData`` that GDAL, QGIS and ArcGIS read back as fields.

The document's name and description carry the export's marking (banner
first and last), and every placemark's description opens with the record's
own marking and originator.

Descriptions are HTML in Google Earth: every value is HTML-escaped before
it goes in, and the XML writer escapes the result again, so text from data
never becomes markup. Characters XML 1.0 cannot hold (C0 controls, lone
surrogates) are replaced by U+FFFD (:mod:`northpic.export.text`), so one
record can never make the document unreadable.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from northpic.export.prepare import ExportLayer, caveat_for
from northpic.export.styles import (
    DEFAULT_COLOR,
    DEFAULT_FILL_OPACITY,
    DEFAULT_WEIGHT,
    LINE_OPACITY,
    POINT_OPACITY,
    kind_styles,
    kml_color,
    kml_icon,
)
from northpic.export.text import clean_xml_tree, coordinate_text
from northpic.export.text import sub_element as _sub
from northpic.markings import MarkingTable, ProductMarking
from northpic.schema import DOMAINS, precision_label

KML_NS = "http://www.opengis.net/kml/2.2"
DOMAIN_TITLES = {d: d.capitalize() for d in DOMAINS}
_PROVENANCE = ("source", "confidence", "precision_km", "nature", "valid_from", "valid_to", "id",
               "originator", "classification", "releasability")
_HIDDEN = {"name", "layer", "domain"}


def _coords(coords: np.ndarray) -> str:
    return " ".join(f"{coordinate_text(x)},{coordinate_text(y)}" for x, y in coords[:, :2])


def kml_geometry(parent: ET.Element, geom: BaseGeometry) -> None:
    """Append ``geom`` to ``parent`` as a KML geometry (tessellated: it follows the ground)."""
    kind = geom.geom_type
    if kind == "Point":
        _sub(_sub(parent, "Point"), "coordinates", _coords(np.asarray(geom.coords)))
    elif kind in ("LineString", "LinearRing"):
        node = _sub(parent, "LineString")
        _sub(node, "tessellate", 1)
        _sub(node, "coordinates", _coords(np.asarray(geom.coords)))
    elif kind == "Polygon":
        node = _sub(parent, "Polygon")
        _sub(node, "tessellate", 1)
        outer = _sub(_sub(node, "outerBoundaryIs"), "LinearRing")
        _sub(outer, "coordinates", _coords(np.asarray(geom.exterior.coords)))
        for ring in geom.interiors:
            inner = _sub(_sub(node, "innerBoundaryIs"), "LinearRing")
            _sub(inner, "coordinates", _coords(np.asarray(ring.coords)))
    else:  # Multi* and collections
        node = _sub(parent, "MultiGeometry")
        for part in shapely.get_parts(geom):
            kml_geometry(node, part)


def _kml_time(value: pd.Timestamp) -> str:
    return value.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return _kml_time(value)
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return str(value)


def _schema_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "double"
    return "string"


def record_marking_html(record: Mapping[str, Any], table: MarkingTable) -> str:
    """Return a record's marking as a paragraph: its banner, then who contributed it."""
    banner = table.banner(str(record["classification"]), str(record["releasability"]))
    return (f"<p><b>{html.escape(banner)}</b><br/>originator: "
            f"{html.escape(str(record['originator']))}</p>")


def describe_record(layer: ExportLayer, record: Mapping[str, Any],
                    table: MarkingTable | None = None) -> str:
    """Return a placemark's description: an HTML table of escaped values, provenance last.

    Parameters
    ----------
    layer : ExportLayer
        The layer the record belongs to.
    record : mapping
        Column name to value.
    table : MarkingTable, optional
        The markings table: with it (and a marked record) the description
        opens with the record's marking (:func:`record_marking_html`).

    Returns
    -------
    str
        HTML in which every data value is escaped with :func:`html.escape`.
    """
    rows = []
    caveat = caveat_for(layer.spec)
    own = [c for c in record if c not in _PROVENANCE and c not in _HIDDEN and c != "kind"]
    for key in ["kind", *own, *_PROVENANCE]:
        text = _text(record.get(key))
        if text is None:
            continue
        if key == "precision_km":
            text = f"\u00b1{text} km ({precision_label(float(record[key]))})"
        label = html.escape(key.replace("_", " "))
        rows.append(f"<tr><th align='left'>{label}</th><td>{html.escape(text)}</td></tr>")
    marked = table is not None and all(_text(record.get(c)) for c in
                                       ("classification", "releasability", "originator"))
    head = record_marking_html(record, table) if marked and table is not None else ""
    head += f"<p><b>{html.escape(layer.spec.title)}</b></p>"
    if caveat:
        head += f"<p><i>{html.escape(caveat)}</i></p>"
    return head + "<table>" + "".join(rows) + "</table>"


def _add_style(document: ET.Element, base: str, style: dict[str, Any]) -> str:
    """Add a normal/highlight style pair for one style dict; return the StyleMap id."""
    color = style.get("color", DEFAULT_COLOR)
    for state, label_scale in (("normal", 0.0), ("highlight", 1.0)):
        node = _sub(document, "Style", id=f"{base}-{state}")
        icon = _sub(node, "IconStyle")
        _sub(icon, "color", kml_color(color, POINT_OPACITY))
        grow = 1.2 if state == "highlight" else 1.0
        _sub(icon, "scale", round(style.get("radius", 5) / 5 * grow, 2))
        _sub(_sub(icon, "Icon"), "href", kml_icon(style))
        _sub(_sub(node, "LabelStyle"), "scale", label_scale)
        line = _sub(node, "LineStyle")
        _sub(line, "color", kml_color(color, LINE_OPACITY))
        _sub(line, "width", style.get("weight", DEFAULT_WEIGHT))
        poly = _sub(node, "PolyStyle")
        _sub(poly, "color", kml_color(style.get("fill", color),
                                      style.get("fill_opacity", DEFAULT_FILL_OPACITY)))
    pair = _sub(document, "StyleMap", id=base)
    for state in ("normal", "highlight"):
        item = _sub(pair, "Pair")
        _sub(item, "key", state)
        _sub(item, "styleUrl", f"#{base}-{state}")
    return base


def _add_layer_styles(document: ET.Element, layer: ExportLayer) -> dict[str, str]:
    """Add the layer's style and one per kind it draws apart: kind -> StyleMap id ('' = other)."""
    base = f"style-{layer.name}"
    ids = {"": _add_style(document, base, layer.spec.style)}
    for number, (kind, style) in enumerate(kind_styles(layer.spec.style).items()):
        ids[kind] = _add_style(document, f"{base}-kind{number}", style)
    return ids


def _fields(layer: ExportLayer) -> list[str]:
    geometry = layer.frame.geometry.name
    return [c for c in layer.frame.columns if c not in (geometry, "name")]


def _add_schema(document: ET.Element, layer: ExportLayer) -> str:
    schema_id = f"schema-{layer.name}"
    schema = _sub(document, "Schema", name=layer.name, id=schema_id)
    for column in _fields(layer):
        _sub(schema, "SimpleField", name=column, type=_schema_type(layer.frame[column]))
    return schema_id


def _add_placemarks(
    folder: ET.Element, layer: ExportLayer, style_ids: dict[str, str], schema_id: str,
    table: MarkingTable | None = None,
) -> None:
    frame = layer.frame
    fields = _fields(layer)
    geometry = frame.geometry.name
    for record in frame.to_dict("records"):
        mark = _sub(folder, "Placemark")
        _sub(mark, "name", _text(record.get("name")) or "")
        _sub(mark, "description", describe_record(layer, record, table))
        start, end = record.get("valid_from"), record.get("valid_to")
        if not pd.isna(start) or not pd.isna(end):
            span = _sub(mark, "TimeSpan")
            if not pd.isna(start):
                _sub(span, "begin", _kml_time(start))
            if not pd.isna(end):
                _sub(span, "end", _kml_time(end))
        _sub(mark, "styleUrl", f"#{style_ids.get(str(record.get('kind')), style_ids[''])}")
        data = _sub(_sub(mark, "ExtendedData"), "SchemaData", schemaUrl=f"#{schema_id}")
        for column in fields:
            text = _text(record[column])
            if text is not None:
                _sub(data, "SimpleData", text, name=column)
        if record[geometry] is not None and not record[geometry].is_empty:
            kml_geometry(mark, record[geometry])


def kml_document(
    layers: list[ExportLayer], metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
) -> ET.Element:
    """Build the KML element tree of an export.

    Parameters
    ----------
    layers : list of ExportLayer
        Prepared layers, in the order wanted within each domain.
    metadata : mapping, optional
        Export-wide items; ``title`` names the document, the rest describe it.
    marking : ProductMarking, optional
        The export's marking: in the document's name and, first and last,
        in its description; each placemark shows its record's own.

    Returns
    -------
    xml.etree.ElementTree.Element
        The ``<kml>`` root.
    """
    metadata = dict(metadata or {})
    root = ET.Element("kml", xmlns=KML_NS)
    document = _sub(root, "Document")
    title = metadata.get("title", "Northern situational picture")
    _sub(document, "name", f"{title} ({marking.banner})" if marking is not None else title)
    _sub(document, "open", 1)
    about = "".join(
        f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in metadata.items() if k != "title"
    )
    banner = f"<p><b>{html.escape(marking.banner)}</b></p>" if marking is not None else ""
    _sub(document, "description", f"{banner}<table>{about}</table>{banner}")
    table = marking.table if marking is not None else None
    styles = {layer.name: _add_layer_styles(document, layer) for layer in layers}
    schemas = {layer.name: _add_schema(document, layer) for layer in layers}
    for domain in DOMAINS:
        members = [layer for layer in layers if layer.spec.domain == domain]
        if not members:
            continue
        domain_folder = _sub(document, "Folder", id=f"domain-{domain}")
        _sub(domain_folder, "name", DOMAIN_TITLES[domain])
        _sub(domain_folder, "open", 1)
        for layer in members:
            folder = _sub(domain_folder, "Folder", id=f"layer-{layer.name}")
            _sub(folder, "name", layer.spec.title)
            text = " ".join(filter(None, [layer.spec.description, caveat_for(layer.spec)]))
            _sub(folder, "description", html.escape(text))
            _add_placemarks(folder, layer, styles[layer.name], schemas[layer.name], table)
    return clean_xml_tree(root)


def write_kml(
    layers: list[ExportLayer], path: Path, *, metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
) -> list[str]:
    """Write the layers as one KML document at ``path``.

    Returns
    -------
    list of str
        The layer folders written (layer names), in document order.
    """
    root = kml_document(layers, metadata, marking)
    ET.indent(root, space=" ")
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
    return [layer.name for d in DOMAINS for layer in layers if layer.spec.domain == d]
