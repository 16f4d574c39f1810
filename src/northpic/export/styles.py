"""Catalogue styles as QGIS QML and as KML colours and icons.

The HTML map draws each layer from ``spec.style``: ``color``, ``symbol``
(``square``, ``diamond``, ``triangle``, ``star``, ``circle``), ``radius``
and, for lines and areas, ``weight``, ``dash``, ``fill`` and
``fill_opacity``. The functions here translate the same dictionary so a
layer looks alike in the page, in QGIS and in Google Earth.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from northpic.catalogue import LayerSpec

#: Drawing defaults of the HTML map (render/static/northpic.js).
DEFAULT_COLOR = "#3388ff"
DEFAULT_RADIUS = 5
DEFAULT_WEIGHT = 2
DEFAULT_FILL_OPACITY = 0.15
POINT_OPACITY = 0.9
LINE_OPACITY = 0.9
#: Marker names QGIS's simple marker knows, for the map's symbols.
QGIS_MARKERS = {
    "square": "square",
    "diamond": "diamond",
    "triangle": "triangle",
    "star": "star",
    "circle": "circle",
}
#: Google Earth's built-in white icons (tinted by the style colour), per symbol.
KML_ICONS = {
    "square": "http://maps.google.com/mapfiles/kml/shapes/placemark_square.png",
    "diamond": "http://maps.google.com/mapfiles/kml/shapes/open-diamond.png",
    "triangle": "http://maps.google.com/mapfiles/kml/shapes/triangle.png",
    "star": "http://maps.google.com/mapfiles/kml/shapes/star.png",
    "circle": "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png",
}
#: QGIS's geometry type codes in a QML file.
_QGIS_GEOMETRY = {"points": "0", "lines": "1", "polygons": "2"}
QGIS_VERSION = "3.22.0"


def css_rgb(color: str) -> tuple[int, int, int]:
    """Parse a ``#rgb`` or ``#rrggbb`` colour.

    Examples
    --------
    >>> css_rgb("#b2182b"), css_rgb("#fff")
    ((178, 24, 43), (255, 255, 255))
    """
    text = color.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"colour {color!r} is not #rgb or #rrggbb")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _alpha(opacity: float) -> int:
    return max(0, min(255, round(opacity * 255)))


def qgis_color(color: str, opacity: float = 1.0) -> str:
    """Return a colour as QGIS writes it: ``"r,g,b,a"``.

    Examples
    --------
    >>> qgis_color("#b2182b", 0.9)
    '178,24,43,230'
    """
    r, g, b = css_rgb(color)
    return f"{r},{g},{b},{_alpha(opacity)}"


def kml_color(color: str, opacity: float = 1.0) -> str:
    """Return a colour as KML writes it: ``aabbggrr`` in hex.

    Examples
    --------
    >>> kml_color("#b2182b", 0.9)
    'e62b18b2'
    """
    r, g, b = css_rgb(color)
    return f"{_alpha(opacity):02x}{b:02x}{g:02x}{r:02x}"


def qgis_dash(dash: str) -> str:
    """Turn an SVG dash array (``"8 6"``) into QGIS's custom dash (``"8;6"``)."""
    return ";".join(part for part in dash.replace(",", " ").split())


def _options(parent: ET.Element, values: dict[str, Any]) -> None:
    box = ET.SubElement(parent, "Option", type="Map")
    for key, value in values.items():
        ET.SubElement(box, "Option", name=key, type="QString", value=str(value))


def _symbol_layer(style: dict[str, Any], family: str) -> tuple[str, str, dict[str, Any]]:
    """Return (symbol type, symbol-layer class, properties) for one family."""
    color = style.get("color", DEFAULT_COLOR)
    if family == "points":
        return "marker", "SimpleMarker", {
            "name": QGIS_MARKERS.get(style.get("symbol", "circle"), "circle"),
            "color": qgis_color(color, POINT_OPACITY),
            "outline_color": "255,255,255,255",
            "outline_style": "solid",
            "outline_width": "1",
            "outline_width_unit": "Pixel",
            "size": str(2 * style.get("radius", DEFAULT_RADIUS)),
            "size_unit": "Pixel",
            "joinstyle": "miter",
        }
    weight = style.get("weight", DEFAULT_WEIGHT)
    if family == "lines":
        dash = style.get("dash")
        return "line", "SimpleLine", {
            "line_color": qgis_color(color, LINE_OPACITY),
            "line_style": "solid",
            "line_width": str(weight),
            "line_width_unit": "Pixel",
            "use_custom_dash": "1" if dash else "0",
            "customdash": qgis_dash(dash) if dash else "5;2",
            "customdash_unit": "Pixel",
            "capstyle": "round",
            "joinstyle": "round",
        }
    fill_opacity = style.get("fill_opacity", DEFAULT_FILL_OPACITY)
    return "fill", "SimpleFill", {
        "color": qgis_color(style.get("fill", color), fill_opacity),
        "style": "solid" if fill_opacity > 0 else "no",
        "outline_color": qgis_color(color, LINE_OPACITY),
        "outline_style": "solid" if weight > 0 else "no",
        "outline_width": str(weight),
        "outline_width_unit": "Pixel",
        "joinstyle": "round",
    }


def kind_styles(style: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the full style of each kind that ``style["kinds"]`` draws apart.

    Examples
    --------
    >>> kind_styles({"color": "#b2182b", "kinds": {"air": {"symbol": "triangle"}}})
    {'air': {'color': '#b2182b', 'symbol': 'triangle'}}
    """
    base = {key: value for key, value in style.items() if key != "kinds"}
    return {kind: {**base, **own} for kind, own in (style.get("kinds") or {}).items()}


def _symbol(parent: ET.Element, tag: str, name: str, style: dict[str, Any], family: str) -> None:
    kind, cls, props = _symbol_layer(style, family)
    symbol = ET.SubElement(parent, tag, type=kind, name=name, alpha="1", clip_to_extent="1",
                           force_rhr="0")
    layer = ET.SubElement(symbol, "layer", {"class": cls, "enabled": "1", "pass": "0",
                                            "locked": "0"})
    _options(layer, props)


def qml_style(
    spec: LayerSpec,
    family: str,
    *,
    start_field: str | None = "valid_from",
    end_field: str | None = "valid_to",
) -> str:
    """Write a layer's style as a QGIS QML document.

    The style draws features as the HTML map does: one symbol, or one per kind
    (a categorized renderer on ``kind``) where the style has ``kinds``; it shows
    ``name`` in map tips, and switches on QGIS's temporal controller with the
    features' start and end fields (an empty field leaves that side open).

    Parameters
    ----------
    spec : LayerSpec
        The layer; its ``style`` dict is translated.
    family : {"points", "lines", "polygons"}
        The geometry of the table the style is for.
    start_field, end_field : str or None
        DateTime fields bounding each feature's validity; with neither the
        temporal controller is left off.

    Returns
    -------
    str
        The QML text (UTF-8 XML).

    Examples
    --------
    >>> from northpic.catalogue import get_layer_spec
    >>> qml = qml_style(get_layer_spec("bases"), "points", start_field="valid_from")
    >>> "SimpleMarker" in qml
    True
    >>> import xml.etree.ElementTree as ET
    >>> temporal = ET.fromstring(qml).find("temporal")
    >>> temporal.get("enabled"), temporal.get("startField")
    ('1', 'valid_from')
    """
    if family not in _QGIS_GEOMETRY:
        raise ValueError(f"no QGIS style for geometry family {family!r}")
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="AllStyleCategories")
    temporal = start_field is not None or end_field is not None
    if start_field and end_field:
        mode = "2"  # QgsVectorLayerTemporalProperties::ModeFeatureDateTimeStartAndEndFromFields
    else:
        mode = "1"  # ModeFeatureDateTimeInstantFromField
    node = ET.SubElement(
        root, "temporal", enabled="1" if temporal else "0", mode=mode,
        startField=start_field or end_field or "", endField=end_field or "",
        durationField="", durationUnit="min", fixedDuration="0", accumulate="0",
        limitMode="0", startExpression="", endExpression="",
    )
    fixed = ET.SubElement(node, "fixedRange")
    ET.SubElement(fixed, "start")
    ET.SubElement(fixed, "end")
    kinds = kind_styles(spec.style)
    renderer = ET.SubElement(
        root, "renderer-v2", type="categorizedSymbol" if kinds else "singleSymbol",
        symbollevels="0", enableorderby="0", forceraster="0",
    )
    if kinds:  # one category per kind the map draws apart, then everything else
        renderer.set("attr", "kind")
        categories = ET.SubElement(renderer, "categories")
        for number, name in enumerate([*kinds, ""]):
            ET.SubElement(categories, "category", render="true", symbol=str(number),
                          value=name, label=name.replace("_", " ") if name else "other")
    symbols = ET.SubElement(renderer, "symbols")
    for number, style in enumerate([*kinds.values(), spec.style]):  # the last: "other"
        _symbol(symbols, "symbol", str(number), style, family)
    if kinds:
        _symbol(ET.SubElement(renderer, "source-symbol"), "symbol", "0", spec.style, family)
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    ET.SubElement(root, "previewExpression").text = '"name"'
    ET.SubElement(root, "mapTip").text = "[% \"name\" %]"
    ET.SubElement(root, "layerGeometryType").text = _QGIS_GEOMETRY[family]
    from northpic.export.text import clean_xml_tree

    body = ET.tostring(clean_xml_tree(root), encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def kml_icon(style: dict[str, Any]) -> str:
    """Return the Google Earth icon for a style's point symbol."""
    return KML_ICONS.get(style.get("symbol", "circle"), KML_ICONS["circle"])
