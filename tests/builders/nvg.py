"""Builders of NVG 2.0 overlays as another system would send them, hostile ones included."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

from lxml import etree

NS = "https://tide.act.nato.int/schemas/2012/10/nvg"
#: Our own XSD of the NVG 2.0 elements (see its opening comment).
XSD = Path(__file__).resolve().parents[1] / "data" / "nvg" / "nvg-2.0-elements.xsd"
#: The extendedData an overlay element needs to become a valid event.
EVENT_DATA = {"kind": "sighting", "source": "NVG test overlay", "confidence": "medium",
              "domain": "military", "releasability": "NATO, EU", "originator": "NOR JOC"}


def nvg_schema() -> etree.XMLSchema:
    """The NVG 2.0 schema, ready for ``validate``."""
    return etree.XMLSchema(etree.parse(str(XSD)))


def simple_data(data: dict[str, object]) -> str:
    """An ``extendedData`` element holding ``data`` as simpleData (values escaped)."""
    items = "".join(f"<simpleData key={quoteattr(k)}>{_text(v)}</simpleData>"
                    for k, v in data.items())
    return f"<extendedData>{items}</extendedData>"


def _text(value: object) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def element(tag: str, uri: str, label: str, *, data: dict[str, object] | None = None,
            begin: str | None = "2026-01-15T08:30:00Z", end: str | None = None,
            inner: str = "", **attrs: object) -> str:
    """One drawable element with a time span and the event fields in its extendedData."""
    attributes = "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in attrs.items())
    span = ""
    if begin or end:
        span = ("<timeSpan>" + (f"<begin>{begin}</begin>" if begin else "")
                + (f"<end>{end}</end>" if end else "") + "</timeSpan>")
    fields = simple_data({**EVENT_DATA, **(data or {})})
    return (f"<{tag} uri={quoteattr(uri)} label={quoteattr(label)}{attributes}>"
            f"{span}{fields}{inner}</{tag}>")


def overlay(*elements: str, version: str = "2.0.2") -> bytes:
    """An NVG document holding ``elements`` in one group."""
    body = "".join(elements)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<nvg xmlns="{NS}" version="{version}">'
            f'<g uri="urn:test:group" label="Test overlay">{body}</g></nvg>').encode()


def foreign_overlay() -> bytes:
    """A point, a polyline, a polygon with a hole and a circle, as a C2 system might send."""
    return overlay(
        element("point", "urn:test:1", "Frigate", x="20.5", y="70.25",
                symbol="app6b:SHSPCLFF---*****", data={"precision_km": 2}),
        element("polyline", "urn:test:2", "Patrol line", points="10,70 15,71 20,71.5",
                data={"precision_km": 0.5}),
        element("polygon", "urn:test:3", "Exercise area", points="0,60 10,60 10,65 0,65",
                data={"precision_km": 1},
                inner='<exclude><linear-ring points="4,62 6,62 6,63 4,63"/></exclude>'),
        element("circle", "urn:test:4", "Submarine datum", cx="5", cy="72", r="12500"),
    )


def billion_laughs(levels: int = 10) -> bytes:
    """An NVG document whose entities expand to 10**levels copies of 'lol'."""
    entities = [b'<!ENTITY lol0 "lol">'] + [
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, levels)]
    return (b'<?xml version="1.0"?><!DOCTYPE nvg [' + b"".join(entities) + b"]>"
            b'<nvg xmlns="' + NS.encode() + b'" version="2.0.2"><point x="1" y="2" label="&lol'
            + str(levels - 1).encode() + b';"/></nvg>')


def external_entity() -> bytes:
    """An NVG document that tries to read a local file through an external entity (XXE)."""
    return (b'<?xml version="1.0"?><!DOCTYPE nvg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<nvg xmlns="' + NS.encode() + b'" version="2.0.2"><point x="1" y="2" '
            b'label="&xxe;"/></nvg>')
