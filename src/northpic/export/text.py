"""Text that every output format can carry: one cleaning step for XML, one check for NUL.

XML 1.0 allows tab, line feed, carriage return and the characters from
U+0020 up, except the surrogates and U+FFFE/U+FFFF. Any other character
(C0 controls such as ``\\x00``, ``\\x07``, ``\\x0b``, ``\\x0c``, a lone
surrogate) makes the whole document unreadable to every XML parser, GDAL
and Google Earth included. :func:`xml_text` replaces each with U+FFFD
(the visible replacement character), and :func:`clean_xml_tree` applies it
to every text, tail and attribute of an element tree just before it is
written: the KML and QML writers call it, and so must any future XML writer
(NVG, CoT).

GDAL's drivers (GeoPackage, Shapefile, CSV and GeoJSON through OGR) hold
strings as C strings, which end at the first NUL: ``a\\x00b`` would be
written as ``a``. :func:`refuse_nul` finds such cells so the export refuses
instead of cutting an id or a name silently. It refuses a lone surrogate
(such as a JSON ``\\ud800`` escape produces) too: no UTF-8
file can hold one, and every format but XML (where it is replaced) is UTF-8.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

import pandas as pd

from northpic.errors import Problem, SchemaError
from northpic.text import terminal_text

#: What replaces a character XML 1.0 cannot hold.
REPLACEMENT = "\ufffd"
#: Decimal places of coordinates in the XML formats (KML, NVG): about 1 cm.
COORD_DECIMALS = 7
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_ILLEGAL_BUT_NUL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: The character-data escapes of XML, as ElementTree writes them (``&`` first).
_XML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
#: The attribute-value escapes, as ElementTree writes them.
_ATTRIBUTE_ESCAPES = (*_XML_ESCAPES, ('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"),
                      ("\t", "&#09;"))
#: :func:`html.escape` (``quote=True``), character by character.
_HTML_ESCAPES = (*_XML_ESCAPES, ('"', "&quot;"), ("'", "&#x27;"))
_SURROGATE = re.compile("[\ud800-\udfff]")


def xml_text(text: str) -> str:
    """Return ``text`` with every character XML 1.0 forbids replaced by U+FFFD.

    Examples
    --------
    >>> xml_text("a\\x00b\\x07c\\td")
    'a\\ufffdb\\ufffdc\\td'
    """
    return _XML_ILLEGAL.sub(REPLACEMENT, text)


def _escape_all(texts: list[str], escapes: tuple[tuple[str, str], ...], clean: bool) -> list[str]:
    """Escape (and clean) many texts at once: one pass over all of them joined by NUL.

    NUL is the separator because no text left in an XML document can hold
    one; a text that holds one (to be replaced by U+FFFD) sends the batch
    down the one-by-one path.
    """
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:
        out = []
        for text in texts:
            text = xml_text(text) if clean else text
            for char, entity in escapes:
                text = text.replace(char, entity)
            out.append(text)
        return out
    if clean:
        joined = _XML_ILLEGAL_BUT_NUL.sub(REPLACEMENT, joined)
    for char, entity in escapes:
        if char in joined:
            joined = joined.replace(char, entity)
    return joined.split("\x00")


def xml_texts(texts: list[str], *, attribute: bool = False) -> list[str]:
    """Return many texts cleaned (:func:`xml_text`) and escaped as XML writes them, at once.

    What :func:`clean_xml_tree` and ElementTree's writer do to each text of a
    tree, in one pass over all of them: the writers that build their
    document as text (KML) call it on a whole column.

    Parameters
    ----------
    texts : list of str
        Character data (or, with ``attribute``, attribute values).
    attribute : bool
        Escape as an attribute value (also ``"``, tab, CR and LF).

    Examples
    --------
    >>> xml_texts(["a<b", "c & d\x07"])
    ['a&lt;b', 'c &amp; d\ufffd']
    >>> xml_texts(['say "hi"'], attribute=True)
    ['say &quot;hi&quot;']
    """
    return _escape_all(texts, _ATTRIBUTE_ESCAPES if attribute else _XML_ESCAPES, True)


def html_texts(texts: list[str]) -> list[str]:
    """Return :func:`html.escape` of each text (quotes included), in one pass over all of them.

    Examples
    --------
    >>> html_texts(["<b>", "Tom's & 'Jerry'"])
    ['&lt;b&gt;', 'Tom&#x27;s &amp; &#x27;Jerry&#x27;']
    """
    return _escape_all(texts, _HTML_ESCAPES, False)


def sub_element(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
    """Append a ``tag`` child with ``attrs`` (and ``text``, as ``str``) to ``parent``; return it."""
    node = ET.SubElement(parent, tag, attrs)
    if text is not None:
        node.text = str(text)
    return node


def coordinate_texts(values: Iterable[float]) -> list[str]:
    """Write many coordinates as :func:`coordinate_text` does (a list, for one ``join``).

    Examples
    --------
    >>> coordinate_texts([70.25, -179.99999999, 12.0])
    ['70.25', '-180', '12']
    """
    return [f"{value:.{COORD_DECIMALS}f}".rstrip("0").rstrip(".") for value in values]


def coordinate_text(value: float) -> str:
    """Write a coordinate with :data:`COORD_DECIMALS` decimals, trailing zeros dropped.

    Examples
    --------
    >>> coordinate_text(70.25), coordinate_text(-179.99999999), coordinate_text(12.0)
    ('70.25', '-180', '12')
    """
    return f"{value:.{COORD_DECIMALS}f}".rstrip("0").rstrip(".")


def clean_xml_tree(root: ET.Element) -> ET.Element:
    """Clean the text, tail and attributes of every element of ``root`` in place.

    Parameters
    ----------
    root : xml.etree.ElementTree.Element
        A tree about to be written.

    Returns
    -------
    xml.etree.ElementTree.Element
        ``root``, now serialisable as well-formed XML 1.0 whatever its data held.
    """
    for node in root.iter():
        if node.text:
            node.text = xml_text(node.text)
        if node.tail:
            node.tail = xml_text(node.tail)
        for key, value in list(node.attrib.items()):
            clean = xml_text(value)
            if clean != value:
                node.set(key, clean)
    return root


def nul_problems(
    layer: str, frame: pd.DataFrame, fmt: str, nul: bool = True
) -> list[Problem]:
    """Return one :class:`~northpic.errors.Problem` per text cell no UTF-8 C string can hold.

    A cell is refused when it holds a lone surrogate, or (with ``nul``) a NUL.

    Parameters
    ----------
    layer : str
        The layer (table) name, for the message.
    frame : pandas.DataFrame
        The records about to be written.
    fmt : str
        The format's title, for the message.
    nul : bool
        Refuse NUL characters too (formats written through GDAL).
    """
    problems = []
    ids = frame["id"] if "id" in frame.columns else None
    geometry = getattr(frame, "_geometry_column_name", None)
    for column in frame.columns:
        name = str(column)
        if (nul and "\x00" in name) or _SURROGATE.search(name):
            problems.append(Problem(
                f"layer {layer}", None,
                f"field name '{terminal_text(name)}' holds a NUL or a lone surrogate, which {fmt} "
                "cannot store; rename the field",
            ))
        series = frame[column]
        if column == geometry or not (
            series.dtype == object or pd.api.types.is_string_dtype(series)
        ):
            continue
        values = series.tolist()
        # screen the whole column at C speed; look cell by cell only where it hit
        joined = "".join(value for value in values if isinstance(value, str))
        if not ((nul and "\x00" in joined) or _SURROGATE.search(joined)):
            continue
        for position, value in enumerate(values):
            if not isinstance(value, str):
                continue
            record = terminal_text(ids.iloc[position]) if ids is not None else f"#{position + 1}"
            if nul and "\x00" in value:
                problems.append(Problem(
                    f"layer {layer}", record,
                    f"field {column!r} holds a NUL character (\\x00), which {fmt} cannot store "
                    "without cutting the text there; remove it from the source (or export as "
                    "kml or parquet)",
                ))
            surrogate = _SURROGATE.search(value)
            if surrogate:
                problems.append(Problem(
                    f"layer {layer}", record,
                    f"field {column!r} holds a lone surrogate "
                    f"(\\u{ord(surrogate.group(0)):04x}), which is no character and which "
                    f"{fmt} (UTF-8) cannot store; fix it at the source (or export as kml)",
                ))
    return problems


def refuse_nul(
    layers: Iterable[tuple[str, pd.DataFrame]], fmt: str, nul: bool = True
) -> None:
    """Raise :class:`~northpic.errors.SchemaError` naming every cell a format cannot hold.

    Raises
    ------
    SchemaError
        If any text cell holds a lone surrogate or (with ``nul``) ``\\x00``:
        layer, record and field are named.
    """
    problems = [p for name, frame in layers for p in nul_problems(name, frame, fmt, nul)]
    if problems:
        raise SchemaError(problems)
