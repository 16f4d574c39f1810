"""Parsing XML from outside safely: no DTD, no entities, no network, a size limit.

Overlays (NVG) and Cursor-on-Target events come from other systems and
other organisations: their text is untrusted. :func:`parse_untrusted_xml`
reads them with lxml configured so that nothing in a document can make the
parser do more than read it:

* a document type declaration (``<!DOCTYPE ...>``) is refused outright, so
  entity expansion ("billion laughs", quadratic blow-up) and external
  entities (XXE: local files, URLs) cannot happen; neither NVG nor CoT uses one;
* the parser never resolves entities, loads a DTD or touches the network;
* input larger than ``max_bytes`` is refused before it is parsed, and
  lxml's own limits on depth and text size stay on (``huge_tree=False``).

Every refusal is a :class:`~northpic.errors.DataFileError` naming the file
and the reason (the CLI exits 2).

Examples
--------
>>> root = parse_untrusted_xml(b"<event uid='a'><point lat='70' lon='20'/></event>", "cot")
>>> root.tag, root.get("uid")
('event', 'a')
>>> bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
...         b'<!ENTITY lol2 "&lol;&lol;">]><nvg>&lol2;</nvg>')
>>> parse_untrusted_xml(bomb, "bomb.nvg")
Traceback (most recent call last):
...
northpic.errors.DataFileError: bomb.nvg: holds a document type declaration (<!DOCTYPE>): \
refused, because its entities could expand without bound or read other files
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from northpic.errors import DataFileError

if TYPE_CHECKING:
    from lxml import etree

#: The largest XML document read by default (bytes).
DEFAULT_MAX_XML_BYTES = 200_000_000


def _parser() -> etree.XMLParser:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, load_dtd=False, dtd_validation=False,
                           no_network=True, huge_tree=False, remove_comments=True,
                           remove_pis=True)


def read_xml_bytes(source: str | Path, max_bytes: int = DEFAULT_MAX_XML_BYTES) -> bytes:
    """Read a file's bytes for :func:`parse_untrusted_xml`, refusing one over ``max_bytes``.

    Raises
    ------
    DataFileError
        If the file cannot be read or is too large.
    """
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DataFileError(str(path), f"{size} bytes is more than the {max_bytes} bytes "
                                           "an XML file may hold")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        if isinstance(exc, DataFileError):
            raise
        raise DataFileError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise DataFileError(str(path), f"more than the {max_bytes} bytes an XML file may hold")
    return data


def parse_untrusted_xml(data: bytes, label: str,
                        max_bytes: int = DEFAULT_MAX_XML_BYTES) -> etree._Element:
    """Parse one XML document from outside and return its root element.

    Parameters
    ----------
    data : bytes
        The document (its encoding declared or UTF-8).
    label : str
        Where it came from, for messages (a file name, ``<stdin>``...).
    max_bytes : int
        Refuse larger documents.

    Returns
    -------
    lxml.etree._Element
        The root element, with comments and processing instructions dropped.

    Raises
    ------
    DataFileError
        If it is too large, not well-formed XML, or holds a document type
        declaration.
    """
    from lxml import etree

    if len(data) > max_bytes:
        raise DataFileError(label, f"{len(data)} bytes is more than the {max_bytes} bytes an "
                                   "XML document may hold")
    if not data.strip():
        raise DataFileError(label, "is empty: no XML document")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise _doctype_refused(label) from None
        raise DataFileError(label, f"not well-formed XML: {exc}") from None
    except ValueError as exc:  # e.g. a str with an encoding declaration
        raise DataFileError(label, f"not readable XML: {exc}") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise _doctype_refused(label)
    return root


def _doctype_refused(label: str) -> DataFileError:
    return DataFileError(label, "holds a document type declaration (<!DOCTYPE>): refused, "
                                "because its entities could expand without bound or read "
                                "other files")


__all__ = ["DEFAULT_MAX_XML_BYTES", "parse_untrusted_xml", "read_xml_bytes"]
