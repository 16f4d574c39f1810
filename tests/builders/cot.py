"""Builders of Cursor-on-Target input: single events, TAK streams and hostile documents."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

#: CoT's value for an unknown error.
UNKNOWN = "9999999.0"


def foreign_event(uid: str = "ANDROID-test-1", *, type_: str = "a-h-S", how: str = "m-g",
                  lat: float = 70.5, lon: float = 20.25, ce: str = "50.0",
                  start: str = "2026-01-15T08:30:00Z", stale: str = "2026-01-15T09:30:00Z",
                  callsign: str | None = "TANKER ONE", remarks: str | None = None,
                  links: list[tuple[float, float]] | None = None,
                  declaration: bool = True) -> bytes:
    """One CoT event as a TAK client might send it (no northpic detail)."""
    detail = ""
    if callsign is not None:
        detail += f"<contact callsign={quoteattr(callsign)}/>"
    if remarks is not None:
        detail += "<remarks>" + remarks.replace("&", "&amp;").replace("<", "&lt;") + "</remarks>"
    for vlat, vlon in links or []:
        detail += f'<link point="{vlat},{vlon}"/>'
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' if declaration else ""
    text = (f'{head}<event version="2.0" uid={quoteattr(uid)} type="{type_}" how="{how}" '
            f'time="{start}" start="{start}" stale="{stale}">'
            f'<point lat="{lat}" lon="{lon}" hae="{UNKNOWN}" ce="{ce}" le="{UNKNOWN}"/>'
            f"<detail>{detail}</detail></event>")
    return text.encode("utf-8")


def billion_laughs(levels: int = 10) -> bytes:
    """A CoT event whose callsign expands ``10**levels`` times through nested entities."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels))
    return (f'<?xml version="1.0"?><!DOCTYPE event [{entities}]>'
            f'<event version="2.0" uid="bomb" type="a-h-S" how="m-g" time="2026-01-15T08:30:00Z" '
            f'start="2026-01-15T08:30:00Z" stale="2026-01-15T09:30:00Z">'
            f'<point lat="70" lon="20" hae="0" ce="10" le="10"/>'
            f'<detail><contact callsign="&lol{levels - 1};"/></detail></event>').encode()
