"""Write the picture as Cursor-on-Target events: one ``.cot`` file per feature.

Each feature becomes one CoT 2.0 ``<event>`` (what TAK clients such as
ATAK, WinTAK and iTAK import):

* ``uid`` is the record's ``id``; ``type`` comes from its symbol code and
  the affiliation the perspective gives it (:mod:`northpic.export.cot_types`):
  ``a-h-S`` for a hostile surface vessel, ``b-m-p-s-m`` (a spot-map marker)
  for a point without a symbol code, ``u-d-f`` (a drawn shape) for a line or
  a polygon;
* ``how`` is ``h-e`` (entered by people: northpic's records are authored or
  reported), ``m-g`` for the AIS position reports of :func:`write_position_reports`;
* ``time`` is when the export was made; ``start`` the record's
  ``valid_from`` (else the export time); ``stale`` its ``valid_to``, or
  :data:`OPEN_ENDED_STALE` after the start for a record still valid (CoT
  needs a stale time; the record's own validity stays in the detail, so
  importing it back gives an open end again);
* ``access`` holds the record's marking banner (``UNCLASSIFIED // RELEASABLE
  TO NATO, EU``): CoT has no standard marking element, so the marking also
  goes into the detail, field by field;
* ``<point>`` has the latitude and longitude (7 decimals, about 1 cm), ``ce``
  the record's ``precision_km`` in metres (CoT's unknown, ``9999999``, when it
  has none), ``hae`` and ``le`` unknown (the picture is 2-D). A shape's point
  is a representative point inside it;
* ``<detail>`` holds ``<contact callsign>`` (the name TAK shows),
  ``<remarks>`` (marking, name, notes, source, confidence, precision and
  originator as plain text), for shapes one ``<link point="lat,lon"/>`` per
  vertex of the largest part with TAK's stroke and fill colours, and
  ``<__northpic>`` (:data:`NORTHPIC_DETAIL`): everything northpic needs to
  read the event back unchanged: layer, domain, kind, nature, symbol code;
  ``<marking classification releasability originator banner>``,
  ``<provenance source confidence precision_km>``, ``<validity valid_from
  valid_to>``, for shapes ``<geometry wkt>`` (every part and hole, since a
  TAK drawing has one ring), and a typed ``<field name type>`` per other
  attribute. TAK clients keep detail elements they do not know.

Text from data is inert: the XML writer escapes markup, and characters XML
1.0 cannot hold are replaced by U+FFFD (:func:`northpic.export.text.clean_xml_tree`).
"""

from __future__ import annotations

import hashlib
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from northpic.catalogue import LayerSpec
from northpic.export.cot_types import cot_type
from northpic.export.prepare import ExportLayer, prepare_layer
from northpic.export.text import clean_xml_tree
from northpic.markings import MarkingTable, ProductMarking
from northpic.schema import COMMON_COLUMNS, MARKING_COLUMNS
from northpic.symbology import (
    Perspective,
    has_symbol_codes,
    read_perspective,
    record_affiliations,
)

#: The CoT version written.
COT_VERSION = "2.0"
#: CoT's value for an unknown height, circular or linear error.
UNKNOWN = 9999999.0
#: How long after its start a record without ``valid_to`` is marked stale.
OPEN_ENDED_STALE = timedelta(days=30)
#: The detail element holding what northpic needs to read an event back.
NORTHPIC_DETAIL = "__northpic"
#: Version of the :data:`NORTHPIC_DETAIL` layout.
DETAIL_VERSION = "1"
#: ``how`` of northpic's records (entered by people) and of AIS positions (machine, GPS).
HOW_ENTERED = "h-e"
HOW_AIS = "m-g"
#: Decimal places of latitudes and longitudes (about 1 cm).
COORD_DECIMALS = 7
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_SKIP = {*COMMON_COLUMNS, *MARKING_COLUMNS, "nature"}


def cot_time(value: pd.Timestamp | datetime) -> str:
    """Format a time as CoT wants it: UTC, milliseconds, ``Z``.

    Examples
    --------
    >>> cot_time(pd.Timestamp("2026-01-15T08:30:00+01:00"))
    '2026-01-15T07:30:00.000Z'
    """
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _num(value: float) -> str:
    return f"{value:.{COORD_DECIMALS}f}".rstrip("0").rstrip(".")


def _present(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return False
    if isinstance(value, float | np.floating):
        return not math.isnan(float(value))
    return not (isinstance(value, str) and not value)


def _text(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return cot_time(value)
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return str(value)


def _field_type(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "boolean"
    if isinstance(value, int | np.integer):
        return "integer"
    if isinstance(value, float | np.floating):
        return "real"
    if isinstance(value, pd.Timestamp):
        return "time"
    return "text"


def _argb(colour: Any, alpha: int = 255) -> str | None:
    """Return a ``#rrggbb`` colour as TAK stores it: a signed 32-bit ARGB integer."""
    if not (isinstance(colour, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", colour)):
        return None
    value = (alpha << 24) | int(colour[1:], 16)
    return str(value - (1 << 32) if value >= 1 << 31 else value)


def _largest_part(geom: BaseGeometry) -> BaseGeometry:
    parts = list(shapely.get_parts(geom))
    if len(parts) <= 1:
        return parts[0] if parts else geom
    measure = shapely.area if geom.geom_type == "MultiPolygon" else shapely.length
    return max(parts, key=lambda p: float(measure(p)))


def _vertices(geom: BaseGeometry) -> list[tuple[float, float]]:
    part = _largest_part(geom)
    if part.geom_type == "Polygon":
        return [(x, y) for x, y, *_ in part.exterior.coords]
    return [(x, y) for x, y, *_ in part.coords]


def _anchor(geom: BaseGeometry) -> tuple[float, float]:
    if geom.geom_type == "Point":
        return float(geom.x), float(geom.y)
    if geom.geom_type in ("LineString", "MultiLineString"):
        point = shapely.line_interpolate_point(_largest_part(geom), 0.5, normalized=True)
    else:
        point = shapely.point_on_surface(geom)
    return float(point.x), float(point.y)


def _remarks(record: Mapping[str, Any], layer: ExportLayer, banner: str | None) -> str:
    lines = [banner] if banner else []
    lines.append(f"{layer.spec.title}: {record.get('name')} ({record.get('kind')})")
    if _present(record.get("notes")):
        lines.append(str(record["notes"]))
    precision = record.get("precision_km")
    where = (f"location \u00b1{_text(precision)} km" if _present(precision)
             else "location precision unknown")
    lines.append(f"source: {record.get('source')}; confidence: {record.get('confidence')}; {where}")
    if _present(record.get("originator")):
        lines.append(f"originator: {record['originator']}")
    return "\n".join(lines)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, attrs)
    if text is not None:
        node.text = text
    return node


@dataclass(frozen=True)
class CotEvent:
    """One CoT event ready to write: its uid, its file name and its XML bytes."""

    uid: str
    file_name: str
    data: bytes


def record_event(
    record: Mapping[str, Any], layer: ExportLayer, *, made: datetime,
    affiliation: str | None = None, table: MarkingTable | None = None, how: str = HOW_ENTERED,
    sidc: str | None = None, stale_after: timedelta | None = None,
) -> ET.Element:
    """Build the CoT ``<event>`` of one prepared record (see the module's rules).

    Parameters
    ----------
    record : mapping
        Column name to value, as :func:`~northpic.export.prepare.prepare_layer` made it.
    layer : ExportLayer
        Its layer (title, style with the kinds' symbol codes).
    made : datetime
        When the export is made: the event's ``time``.
    affiliation : str, optional
        The record's affiliation under the perspective.
    table : MarkingTable, optional
        The markings table, for the record's banner.
    how : str
        The CoT ``how``.
    sidc : str, optional
        The symbol code, instead of the one the layer's style gives the kind.
    stale_after : timedelta, optional
        How long after its start a record without ``valid_to`` goes stale;
        default :data:`OPEN_ENDED_STALE` after the later of its start and ``made``.

    Returns
    -------
    xml.etree.ElementTree.Element
        The ``<event>``, cleaned for XML 1.0.
    """
    geom = record.get(layer.frame.geometry.name)
    shape = geom is not None and geom.geom_type not in ("Point", "MultiPoint")
    kinds = layer.spec.style.get("kinds") or {}
    kind_style = kinds.get(str(record.get("kind"))) if isinstance(kinds, dict) else None
    if sidc is None and isinstance(kind_style, dict):
        sidc = kind_style.get("sidc")
    start = record.get("valid_from")
    start = pd.Timestamp(start) if _present(start) else pd.Timestamp(made)
    end = record.get("valid_to")
    if _present(end):
        stale = pd.Timestamp(end)
    elif stale_after is not None:
        stale = start + stale_after
    else:
        stale = max(start, pd.Timestamp(made)) + OPEN_ENDED_STALE
    marked = all(_present(record.get(c)) for c in MARKING_COLUMNS)
    banner = (table.banner(str(record["classification"]), str(record["releasability"]))
              if marked and table is not None else None)
    attrs = {"version": COT_VERSION, "uid": str(record["id"]),
             "type": cot_type(sidc, affiliation, shape=shape), "how": how,
             "time": cot_time(made), "start": cot_time(start), "stale": cot_time(stale)}
    if banner:
        attrs["access"] = banner
    event = ET.Element("event", attrs)
    if geom is not None and geom.geom_type == "MultiPoint":
        geom = shapely.point_on_surface(geom) if len(geom.geoms) != 1 else geom.geoms[0]
    lon, lat = _anchor(geom) if geom is not None and not geom.is_empty else (0.0, 0.0)
    precision = record.get("precision_km")
    ce = float(precision) * 1000 if precision is not None and _present(precision) else UNKNOWN
    _sub(event, "point", lat=_num(lat), lon=_num(lon), hae=repr(UNKNOWN), ce=repr(ce),
         le=repr(UNKNOWN))
    detail = _sub(event, "detail")
    _sub(detail, "contact", callsign=str(record.get("name") or record["id"]))
    _sub(detail, "remarks", _remarks(record, layer, banner))
    colour = (kind_style or {}).get("color") or layer.spec.style.get("color")
    if shape and geom is not None:
        for x, y in _vertices(geom):
            _sub(detail, "link", point=f"{_num(y)},{_num(x)}")
        stroke = _argb(colour)
        if stroke:
            _sub(detail, "strokeColor", value=stroke)
        _sub(detail, "strokeWeight", value=str(float(layer.spec.style.get("weight", 2))))
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            fill = _argb(layer.spec.style.get("fill", colour), 80)
            if fill:
                _sub(detail, "fillColor", value=fill)
    elif _argb(colour):
        _sub(detail, "color", argb=str(_argb(colour)))
    mine = {"version": DETAIL_VERSION, "name": str(record.get("name")),
            "layer": str(record.get("layer") or layer.spec.name),
            "domain": str(record.get("domain") or layer.spec.domain),
            "kind": str(record.get("kind")), "nature": str(record.get("nature") or "")}
    if sidc:
        mine["sidc"] = str(sidc)
    if affiliation:
        mine["affiliation"] = affiliation
    own = _sub(detail, NORTHPIC_DETAIL, **mine)
    if marked:
        marking = {c: str(record[c]) for c in MARKING_COLUMNS}
        if banner:
            marking["banner"] = banner
        _sub(own, "marking", **marking)
    provenance = {c: _text(record[c]) for c in ("source", "confidence", "precision_km")
                  if _present(record.get(c))}
    _sub(own, "provenance", **provenance)
    validity = {c: cot_time(record[c]) for c in ("valid_from", "valid_to")
                if _present(record.get(c))}
    _sub(own, "validity", **validity)
    if shape and geom is not None:
        _sub(own, "geometry", wkt=shapely.to_wkt(geom, rounding_precision=COORD_DECIMALS,
                                                 trim=True))
    for column, value in record.items():
        if column in _SKIP or column == layer.frame.geometry.name or not _present(value):
            continue
        _sub(own, "field", _text(value), name=str(column), type=_field_type(value))
    return clean_xml_tree(event)


def event_bytes(event: ET.Element) -> bytes:
    """Serialise one ``<event>`` as a UTF-8 XML document."""
    return ET.tostring(event, encoding="UTF-8", xml_declaration=True)


def cot_file_name(uid: str, taken: set[str]) -> str:
    """Return a safe, unique file name for the event ``uid`` (``taken`` is updated).

    A uid of letters, digits, ``.``, ``_`` and ``-`` (at most 100) names its
    file; any other is replaced by a digest, so that no id can choose a path.

    Examples
    --------
    >>> taken = set()
    >>> cot_file_name("base-pituffik", taken), cot_file_name("BASE-pituffik", taken)
    ('base-pituffik.cot', 'BASE-pituffik-2.cot')
    >>> cot_file_name("../../etc/passwd", taken)[:6]
    'event-'
    """
    stem = uid if _SAFE_NAME.fullmatch(uid) else (
        "event-" + hashlib.sha256(uid.encode("utf-8", "surrogatepass")).hexdigest()[:20])
    name, number = stem, 1
    while f"{name}.cot".casefold() in taken:
        number += 1
        name = f"{stem}-{number}"
    taken.add(f"{name}.cot".casefold())
    return f"{name}.cot"


def _made(metadata: Mapping[str, str] | None) -> datetime:
    text = (metadata or {}).get("exported_at")
    if text:
        try:
            return pd.Timestamp(text).to_pydatetime()
        except ValueError:
            pass
    return datetime.now(UTC).replace(microsecond=0)


def cot_events(
    layers: list[ExportLayer], *, metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None, perspective: Perspective | str | None = None,
) -> Iterator[CotEvent]:
    """Yield the CoT event of every record of ``layers``, layer by layer.

    Parameters
    ----------
    layers : list of ExportLayer
        Prepared layers (already kept to the product's audience).
    metadata : mapping, optional
        Export-wide items; ``exported_at`` is every event's ``time``.
    marking : ProductMarking, optional
        The product's marking (its table gives each record's banner).
    perspective : Perspective or str, optional
        Whose affiliations the types take; default the ``perspective`` item of
        ``metadata`` (``northpic export --perspective``), else northpic's
        (``nato``), as the map's.
    """
    view = read_perspective(perspective if perspective is not None
                            else (metadata or {}).get("perspective"))
    made = _made(metadata)
    table = marking.table if marking is not None else None
    taken: set[str] = set()
    for layer in layers:
        frame = layer.frame
        affiliations: list[str | None] = (
            list(record_affiliations(frame, layer.spec.name, view))
            if has_symbol_codes(layer.spec.style) else [None] * len(frame))
        for record, affiliation in zip(frame.to_dict("records"), affiliations, strict=True):
            event = record_event(record, layer, made=made, affiliation=affiliation, table=table)
            uid = event.get("uid") or ""
            yield CotEvent(uid, cot_file_name(uid, taken), event_bytes(event))


def write_cot(
    layers: list[ExportLayer], path: Path, *, metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
) -> list[str]:
    """Write one ``.cot`` file per record into the folder ``path``.

    Returns
    -------
    list of str
        The file names written, in order.
    """
    path.mkdir(parents=True, exist_ok=True)
    names = []
    for event in cot_events(layers, metadata=metadata, marking=marking):
        (path / event.file_name).write_bytes(event.data)
        names.append(event.file_name)
    return names


#: The symbol code of an AIS position: a sea-surface track of unknown affiliation
#: (northpic does not judge a vessel by its AIS), which makes it ``a-u-S``.
AIS_POSITION_SIDC = "10013000000000000000"
#: How long after its report an AIS position goes stale.
AIS_POSITION_STALE = timedelta(hours=1)


def _positions_spec() -> LayerSpec:
    """Return the shadow-fleet layer's entry, titled and described for last positions."""
    from dataclasses import replace

    from northpic.picture import spec_for

    return replace(spec_for("shadow_fleet"), title="AIS last position per vessel",
                   nature="observed",
                   description="Each vessel's last position report in the AIS input, after "
                               "cleaning, as a Cursor-on-Target position report.")


def position_events(positions: gpd.GeoDataFrame, *, made: datetime | None = None,
                    table: MarkingTable | None = None) -> Iterator[CotEvent]:
    """Yield one CoT position report per vessel of ``positions``.

    Parameters
    ----------
    positions : geopandas.GeoDataFrame
        :func:`northpic.ais.trajectories.last_positions`, marked.
    made : datetime, optional
        Each event's ``time``; default now.
    table : MarkingTable, optional
        The markings table, for each record's banner.

    Yields
    ------
    CotEvent
        Type ``a-u-S``, how ``m-g``, uid the record's (``ais-position-MMSI``:
        a later export updates the same track in a TAK client), ``start`` the
        report's time, ``stale`` :data:`AIS_POSITION_STALE` after it.
    """
    spec = _positions_spec()
    layer = ExportLayer("ais_positions", spec, prepare_layer(positions, spec))
    when = made or datetime.now(UTC).replace(microsecond=0)
    taken: set[str] = set()
    for record in layer.frame.to_dict("records"):
        event = record_event(record, layer, made=when, affiliation="unknown", table=table,
                             how=HOW_AIS, sidc=AIS_POSITION_SIDC, stale_after=AIS_POSITION_STALE)
        uid = event.get("uid") or ""
        yield CotEvent(uid, cot_file_name(uid, taken), event_bytes(event))


def write_position_reports(
    positions: gpd.GeoDataFrame, path: str | Path, *, marking: ProductMarking,
    overwrite: bool = False, mkdir: bool = False,
) -> Path:
    """Write one ``.cot`` position report per vessel into the folder ``path``, atomically.

    The folder also gets the README.txt of every export, with the marking.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``overwrite`` is false.
    OutputPathError
        If its parent folder is missing and ``mkdir`` is false.
    """
    from northpic.atomic import atomic_output
    from northpic.export.api import export_metadata
    from northpic.export.readme import write_readme

    items = export_metadata()
    items.update(marking.as_dict())
    made = _made(items)
    out = Path(path)
    with atomic_output(out, directory=True, overwrite=overwrite, mkdir=mkdir) as tmp:
        for event in position_events(positions, made=made, table=marking.table):
            (tmp / event.file_name).write_bytes(event.data)
        write_readme(tmp, [ExportLayer("ais_positions", _positions_spec(), positions)], items,
                     marking=marking)
    return out


__all__ = ["AIS_POSITION_SIDC", "AIS_POSITION_STALE", "COT_VERSION", "CotEvent", "NORTHPIC_DETAIL",
           "OPEN_ENDED_STALE", "cot_events", "cot_file_name", "cot_time", "event_bytes",
           "position_events", "record_event", "write_cot", "write_position_reports"]
