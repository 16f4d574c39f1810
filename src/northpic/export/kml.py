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

The styles, schemas and folders are an ElementTree; the placemarks, which
are nearly all of the document, are written as text a column at a time
(values formatted, cleaned and escaped in bulk, one ``join`` per record)
and streamed into the file in batches: the same bytes ElementTree writes
for the whole tree, in a fraction of the time (docs/export.md, "Speed").
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
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
from northpic.export.text import clean_xml_tree, coordinate_texts, html_texts, xml_texts
from northpic.export.text import sub_element as _sub
from northpic.markings import MarkingTable, ProductMarking
from northpic.schema import DOMAINS, precision_label

KML_NS = "http://www.opengis.net/kml/2.2"
DOMAIN_TITLES = {d: d.capitalize() for d in DOMAINS}
_PROVENANCE = ("source", "confidence", "precision_km", "nature", "valid_from", "valid_to", "id",
               "originator", "classification", "releasability")
_HIDDEN = {"name", "layer", "domain"}
#: The XML declaration ElementTree writes for UTF-8.
_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
#: Where placemarks sit: kml > Document > domain Folder > layer Folder > Placemark.
_PLACEMARK_DEPTH = 4
#: Placemarks written (and streamed to the file) per batch: bounds the text held at once.
_BATCH = 10_000
#: The tag of the empty element that holds a layer's place in the skeleton until its
#: placemarks replace it (text from data is escaped, so no data can spell it).
_MARKER = "northpic-placemarks"


def _coords(geom: BaseGeometry) -> str:
    coords = shapely.get_coordinates(geom)  # x, y: a Z is not written
    xs, ys = coordinate_texts(coords[:, 0].tolist()), coordinate_texts(coords[:, 1].tolist())
    return " ".join([f"{x},{y}" for x, y in zip(xs, ys, strict=True)])


def _element(tag: str, text: str, pad: str) -> str:
    """One leaf element as ElementTree writes it (``<tag />`` when the text is empty)."""
    return f"{pad}<{tag}>{text}</{tag}>" if text else f"{pad}<{tag} />"


def kml_geometry_text(geom: BaseGeometry, depth: int) -> str:
    """Return ``geom`` as KML geometry text (tessellated: it follows the ground).

    Parameters
    ----------
    geom : shapely geometry
        Not empty (a part of a collection may be).
    depth : int
        The element's depth in the document: each of its lines starts with a
        line feed and ``depth`` spaces, as ``ElementTree.indent`` writes them.

    Examples
    --------
    >>> import shapely
    >>> print(kml_geometry_text(shapely.Point(15.5, 78.25), 1))
    <BLANKLINE>
     <Point>
      <coordinates>15.5,78.25</coordinates>
     </Point>
    """
    pad = "\n" + " " * depth
    inner = pad + " "
    kind = geom.geom_type
    if kind == "Point":
        return f"{pad}<Point>{_element('coordinates', _coords(geom), inner)}{pad}</Point>"
    if kind in ("LineString", "LinearRing"):
        return (f"{pad}<LineString>{inner}<tessellate>1</tessellate>"
                f"{_element('coordinates', _coords(geom), inner)}{pad}</LineString>")
    if kind == "Polygon":
        ring_pad = inner + " "
        rings = [("outerBoundaryIs", geom.exterior)]
        rings += [("innerBoundaryIs", ring) for ring in geom.interiors]
        body = "".join(
            f"{inner}<{boundary}>{ring_pad}<LinearRing>"
            f"{_element('coordinates', _coords(ring), ring_pad + ' ')}"
            f"{ring_pad}</LinearRing>{inner}</{boundary}>" for boundary, ring in rings)
        return f"{pad}<Polygon>{inner}<tessellate>1</tessellate>{body}{pad}</Polygon>"
    # Multi* and collections
    body = "".join(kml_geometry_text(part, depth + 1) for part in shapely.get_parts(geom))
    return f"{pad}<MultiGeometry>{body}{pad}</MultiGeometry>" if body else f"{pad}<MultiGeometry />"


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


class _Columns:
    """The records of a frame a column at a time: values as ``to_dict`` gives them, and texts.

    :meth:`texts` is :func:`_text` of every value of a column, computed for
    the whole column where its type allows (the same text, far faster).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._values: dict[Any, list[Any]] = {}
        self._texts: dict[Any, list[str | None]] = {}

    def values(self, column: Any) -> list[Any]:
        """Return the values of a column as ``frame.to_dict("records")`` holds them."""
        if column not in self._values:
            if column not in self.frame.columns:
                self._values[column] = [None] * len(self.frame)
            else:
                self._values[column] = self._column_values(column)
        return self._values[column]

    def _column_values(self, column: Any) -> list[Any]:
        series = self.frame[column]
        if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biuf":
            return series.tolist()  # Python scalars, as to_dict gives them
        if isinstance(series.dtype, pd.StringDtype):
            values = series.tolist()
            odd = [n for n, v in enumerate(values) if type(v) is not str]  # missing values
            if odd:  # to_dict's own spelling of a missing value (None or NaN)
                rows = self.frame[[column]].iloc[odd].to_dict("records")
                for n, row in zip(odd, rows, strict=True):
                    values[n] = row[column]
            return values
        return [row[column] for row in self.frame[[column]].to_dict("records")]

    def texts(self, column: Any) -> list[str | None]:
        """Return :func:`_text` of each value of the column (None when absent)."""
        if column not in self._texts:
            self._texts[column] = self._column_texts(column)
        return self._texts[column]

    def _column_texts(self, column: Any) -> list[str | None]:
        if column not in self.frame.columns:
            return [None] * len(self.frame)
        series = self.frame[column]
        dtype = series.dtype
        if isinstance(dtype, np.dtype) and dtype.kind == "f":
            return [None if v != v else f"{v:g}" for v in series.tolist()]
        if isinstance(dtype, np.dtype) and dtype.kind in "biu":
            return [str(v) for v in series.tolist()]
        if isinstance(dtype, pd.DatetimeTZDtype):
            times = _time_texts(series)
            if times is not None:
                return times
        if isinstance(dtype, pd.StringDtype):  # text, or a missing value of either kind
            return [v if type(v) is str else None for v in series.tolist()]
        if column == getattr(self.frame, "_geometry_column_name", None):
            wkt = shapely.to_wkt(np.asarray(series, dtype=object), rounding_precision=-1)
            return wkt.tolist()  # str(geometry), None for None
        return [v if type(v) is str else _text(v) for v in self.values(column)]


#: The years whose timestamps :func:`_time_texts` writes itself (four digits).
_TIME_RANGE = (np.datetime64("1000-01-01T00:00:00", "s"), np.datetime64("9999-12-31T23:59:59", "s"))


def _time_texts(series: pd.Series) -> list[str | None] | None:
    """Return :func:`_kml_time` of a zone-aware column, or None if it must go value by value."""
    utc = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    missing = np.isnat(utc)
    seconds = utc.astype("datetime64[s]")
    whole = (seconds.astype(utc.dtype) == utc) & (seconds >= _TIME_RANGE[0]) & (
        seconds <= _TIME_RANGE[1])
    if not (whole | missing).all():  # fractions of seconds, years of other than four digits
        return None
    texts = np.datetime_as_string(seconds, unit="s").tolist()
    return [None if gone else f"{text}Z" for text, gone in zip(texts, missing.tolist(),
                                                                strict=True)]


def _descriptions(layer: ExportLayer, columns: _Columns,
                  table: MarkingTable | None) -> list[str]:
    """Return the description (HTML, values escaped) of every record of ``columns.frame``."""
    frame = columns.frame
    rows: list[list[str]] = []
    own = [c for c in frame.columns if c not in _PROVENANCE and c not in _HIDDEN and c != "kind"]
    for key in ["kind", *own, *_PROVENANCE]:
        if key not in frame.columns:
            continue
        texts = columns.texts(key)
        if key == "precision_km":
            texts = [None if text is None else
                     f"\u00b1{text} km ({precision_label(float(value))})"
                     for text, value in zip(texts, columns.values(key), strict=True)]
        start = f"<tr><th align='left'>{html.escape(key.replace('_', ' '))}</th><td>"
        escaped = html_texts([text or "" for text in texts])
        rows.append(["" if text is None else f"{start}{value}</td></tr>"
                     for text, value in zip(texts, escaped, strict=True)])
    title = f"<p><b>{html.escape(layer.spec.title)}</b></p>"
    caveat = caveat_for(layer.spec)
    if caveat:
        title += f"<p><i>{html.escape(caveat)}</i></p>"
    heads = [title] * len(frame)
    fields = ("classification", "releasability", "originator")
    if table is not None:
        marks: dict[tuple[str, ...], str] = {}
        marked = zip(*(columns.texts(c) for c in fields), strict=True)
        values = zip(*(columns.values(c) for c in fields), strict=True)
        for number, (shown, value) in enumerate(zip(marked, values, strict=True)):
            if all(shown):
                key = tuple(str(v) for v in value)
                if key not in marks:
                    marks[key] = record_marking_html(dict(zip(fields, key, strict=True)), table)
                heads[number] = marks[key] + title
    bodies = ["".join(parts) for parts in zip(*rows, strict=True)] if rows else [""] * len(frame)
    return [f"{head}<table>{body}</table>" for head, body in zip(heads, bodies, strict=True)]


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
    frame = pd.DataFrame({key: pd.Series([value], dtype=object if value is None else None)
                          for key, value in record.items()})
    return _descriptions(layer, _Columns(frame), table)[0]


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


def _placemark_texts(
    layer: ExportLayer, frame: pd.DataFrame, style_ids: dict[str, str], schema_id: str,
    table: MarkingTable | None = None,
) -> list[str]:
    """Return the ``<Placemark>`` of every record of ``frame`` (part of ``layer``) as text.

    The text is what ElementTree writes for the same elements after
    :func:`~northpic.export.text.clean_xml_tree` and ``ET.indent``: values
    are cleaned and escaped a column at a time, then joined once per record.
    """
    columns = _Columns(frame)
    pad = "\n" + " " * (_PLACEMARK_DEPTH + 1)
    inner = pad + " "
    parts: list[list[str]] = []
    names = xml_texts([text or "" for text in columns.texts("name")])
    parts.append([_element("name", name, pad) for name in names])
    parts.append([f"{pad}<description>{text}</description>"
                  for text in xml_texts(_descriptions(layer, columns, table))])
    spans = []
    ends = [(xml_texts([text or "" for text in columns.texts(c)]),
             frame[c].isna().tolist() if c in frame.columns else [True] * len(frame))
            for c in ("valid_from", "valid_to")]
    for (begin, no_begin), (end, no_end) in zip(*(zip(*e, strict=True) for e in ends),
                                                strict=True):
        if no_begin and no_end:
            spans.append("")
            continue
        span = "" if no_begin else _element("begin", begin, inner)
        span += "" if no_end else _element("end", end, inner)
        spans.append(f"{pad}<TimeSpan>{span}{pad}</TimeSpan>")
    parts.append(spans)
    urls = {kind: _element("styleUrl", f"#{xml_texts([ref])[0]}", pad)
            for kind, ref in style_ids.items()}
    parts.append([urls.get(str(kind), urls[""]) for kind in columns.values("kind")])
    data_pad = inner + " "
    fields = []
    for column in _fields(layer):
        name = xml_texts([column], attribute=True)[0]
        texts = columns.texts(column)
        escaped = xml_texts([text or "" for text in texts])
        start = f'{data_pad}<SimpleData name="{name}"'
        empty = f"{start} />"
        fields.append(["" if text is None else f"{start}>{value}</SimpleData>" if value else empty
                       for text, value in zip(texts, escaped, strict=True)])
    url = xml_texts([f"#{schema_id}"], attribute=True)[0]
    data = ["".join(cells) for cells in zip(*fields, strict=True)] if fields else [""] * len(frame)
    parts.append([
        f"{pad}<ExtendedData>{inner}<SchemaData schemaUrl=\"{url}\">{cells}{inner}</SchemaData>"
        f"{pad}</ExtendedData>" if cells else
        f"{pad}<ExtendedData>{inner}<SchemaData schemaUrl=\"{url}\" />{pad}</ExtendedData>"
        for cells in data])
    parts.append(_geometry_texts(frame.geometry.to_numpy(), _PLACEMARK_DEPTH + 1))
    close = "\n" + " " * _PLACEMARK_DEPTH + "</Placemark>"
    return ["<Placemark>" + "".join(mark) + close for mark in zip(*parts, strict=True)]


def _geometry_texts(geoms: np.ndarray, depth: int) -> list[str]:
    """Return :func:`kml_geometry_text` of each geometry ("" if none or empty); points at once."""
    texts = [""] * len(geoms)
    kinds = shapely.get_type_id(geoms)
    empty = shapely.is_empty(geoms) | (kinds < 0)
    points = np.flatnonzero((kinds == 0) & ~empty)
    if len(points):
        pad = "\n" + " " * depth
        xs = coordinate_texts(shapely.get_x(geoms[points]).tolist())
        ys = coordinate_texts(shapely.get_y(geoms[points]).tolist())
        for number, x, y in zip(points.tolist(), xs, ys, strict=True):
            texts[number] = f"{pad}<Point>{pad} <coordinates>{x},{y}</coordinates>{pad}</Point>"
    for number in np.flatnonzero((kinds != 0) & ~empty).tolist():
        texts[number] = kml_geometry_text(geoms[number], depth)
    return texts


def _skeleton(
    layers: list[ExportLayer], metadata: Mapping[str, str] | None,
    marking: ProductMarking | None,
) -> tuple[ET.Element, list[tuple[ExportLayer, dict[str, str], str]]]:
    """Build the document without placemarks: each layer folder ends with a marker element.

    Returns the root and, in document order, each layer with its style ids
    and schema id.
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
    styles = {layer.name: _add_layer_styles(document, layer) for layer in layers}
    schemas = {layer.name: _add_schema(document, layer) for layer in layers}
    order: list[tuple[ExportLayer, dict[str, str], str]] = []
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
            _sub(folder, f"{_MARKER}-{len(order)}")
            order.append((layer, styles[layer.name], schemas[layer.name]))
    return clean_xml_tree(root), order


def kml_chunks(
    layers: list[ExportLayer], metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
) -> Iterator[str]:
    """Yield the KML document of an export as consecutive pieces of text.

    Parameters
    ----------
    layers : list of ExportLayer
        Prepared layers, in the order wanted within each domain.
    metadata : mapping, optional
        Export-wide items; ``title`` names the document, the rest describe it.
    marking : ProductMarking, optional
        The export's marking: in the document's name and, first and last,
        in its description; each placemark shows its record's own.

    Yields
    ------
    str
        The XML declaration, then the document (``"".join`` of them all is
        the whole of it, indented by one space a level); placemarks come
        :data:`_BATCH` records at a time.
    """
    root, order = _skeleton(layers, metadata, marking)
    table = marking.table if marking is not None else None
    ET.indent(root, space=" ")
    rest = ET.tostring(root, encoding="unicode")
    yield _DECLARATION
    gap = "\n" + " " * _PLACEMARK_DEPTH
    for number, (layer, style_ids, schema_id) in enumerate(order):
        head, rest = rest.split(f"{gap}<{_MARKER}-{number} />", 1)
        yield head
        for start in range(0, len(layer.frame), _BATCH):
            batch = layer.frame.iloc[start:start + _BATCH]
            yield gap + gap.join(_placemark_texts(layer, batch, style_ids, schema_id, table))
    yield rest


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
    with open(path, "wb") as out:
        for chunk in kml_chunks(layers, metadata, marking):
            out.write(chunk.encode("utf-8", "xmlcharrefreplace"))
    return [layer.name for d in DOMAINS for layer in layers if layer.spec.domain == d]
