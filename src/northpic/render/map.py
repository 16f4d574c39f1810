"""Compose the picture on a folium map: one element per layer, then the controls.

:func:`new_map` makes an offline folium map in the polar (EPSG:3413) or Web
Mercator CRS with the basemap; :func:`add_layer` adds one picture layer;
:func:`add_controls` adds the domain-grouped layer control, legend and time
filter (call it last); :func:`add_marking` puts the product's marking in
banners at the top and bottom of the page; :func:`render_map` does all of
it for a picture.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypedDict

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from northpic.catalogue import LayerSpec
from northpic.errors import BadInputError
from northpic.io.land import NATURAL_EARTH_CITATION
from northpic.markings import MarkingTable, ProductMarking
from northpic.render.assets import head_html
from northpic.render.basemap import graticule_geojson, land_geojson
from northpic.render.citations import cited_frame
from northpic.render.measure import measure_config
from northpic.render.payload import js_json, layer_data, layer_info
from northpic.render.symbols import perspective_info, with_affiliations
from northpic.symbology import Perspective, read_perspective


class Projection(TypedDict):
    """How the map opens in one projection."""

    crs: str  # folium's CRS name
    label: str  # shown on the map
    location: list[float]  # [lat, lon] of the first view
    zoom: int  # zoom of the first view


PROJECTIONS: dict[str, Projection] = {
    "polar": {
        "crs": "EPSG3413",
        "label": "Polar stereographic north (EPSG:3413)",
        "location": [78.0, -30.0],
        "zoom": 2,
    },
    "mercator": {
        "crs": "EPSG3857",
        "label": "Web Mercator (EPSG:3857)",
        "location": [68.0, 10.0],
        "zoom": 3,
    },
}


class _Script(MacroElement):
    """Emit ``code`` into the map script; ``{map}`` is replaced by the map's JS name."""

    _template = Template(
        "{% macro script(this, kwargs) %}{{ this.code(this._parent.get_name()) }}{% endmacro %}"
    )

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "NorthpicScript"
        self._code = code

    def code(self, map_name: str) -> str:
        return self._code.replace("{map}", map_name)


def new_map(projection: str = "polar", tiles: bool = False, basemap: bool = True) -> folium.Map:
    """Create an empty, offline folium map for the picture.

    Parameters
    ----------
    projection : {"polar", "mercator"}
        Polar stereographic north (EPSG:3413, the default) or Web Mercator.
    tiles : bool
        Add online OpenStreetMap tiles (Web Mercator only; needs a network).
    basemap : bool
        Draw the offline land, graticule and Arctic Circle.

    Returns
    -------
    folium.Map
        With every script and stylesheet inlined: it makes no network request
        unless ``tiles`` is set.
    """
    if projection not in PROJECTIONS:
        raise BadInputError(
            f"unknown projection {projection!r}; use one of {', '.join(PROJECTIONS)}"
        )
    if tiles and projection != "mercator":
        raise BadInputError("online tiles exist only in Web Mercator: add --projection mercator")
    settings = PROJECTIONS[projection]
    fmap = folium.Map(
        location=settings["location"],
        zoom_start=settings["zoom"],
        crs=settings["crs"],
        tiles="OpenStreetMap" if tiles else None,
        control_scale=False,
        min_zoom=1,
        max_zoom=12,
        world_copy_jump=False,
    )
    fmap.default_js = []
    fmap.default_css = []
    map_page(fmap).header.add_child(Element(head_html()), name="northpic_assets")
    if basemap:
        fmap.add_child(
            _Script(
                f"northpic.addBasemap({{map}}, {js_json(land_geojson())}, "
                f"{js_json(graticule_geojson())});"
            )
        )
    # our label for add_controls to read back; folium.Map declares no such attribute
    fmap.northpic_projection = settings["label"]  # type: ignore[attr-defined]  # our own label
    return fmap


def map_page(fmap: folium.Map) -> Figure:
    """Return the HTML page (a branca ``Figure``) that ``fmap`` renders into.

    folium puts every new map into a ``Figure``, whose ``header`` and ``title``
    the picture sets; branca types ``get_root()`` as a plain ``Element``.

    Raises
    ------
    TypeError
        If the map was moved out of its page (a bug, not bad input).
    """
    root = fmap.get_root()
    if not isinstance(root, Figure):
        raise TypeError(f"the map is not in an HTML page: its root is a {type(root).__name__}")
    return root


def add_layer(fmap: folium.Map, frame: gpd.GeoDataFrame, spec: LayerSpec,
              table: MarkingTable | None = None) -> folium.Map:
    """Add one picture layer (points on a canvas, lines and areas as GeoJSON).

    With the markings ``table``, each record's popup shows its marking. Sources
    read as citations (:func:`~northpic.render.citations.cited_frame`).
    """
    frame = cited_frame(frame)
    fmap.add_child(
        _Script(
            f"northpic.addLayer({{map}}, {js_json(layer_info(spec, frame))}, "
            f"{js_json(layer_data(frame, table))});"
        )
    )
    return fmap


#: Banner background of a level whose table gives no colour.
BANNER_COLOUR = "#3b3b3b"
#: Ids of the two banner elements (the page's marking, top and bottom).
BANNER_IDS = ("np-marking-top", "np-marking-bottom")


def banner_html(marking: ProductMarking) -> str:
    """Return the two banner elements of a page marked ``marking``, text escaped."""
    text = html.escape(marking.banner)
    colour = marking.level.colour or BANNER_COLOUR  # validated #rrggbb
    return "".join(
        f'<div id="{element}" class="np-marking {element}" style="background:{colour}" '
        f'data-releasability="{html.escape(marking.releasability)}">{text}</div>'
        for element in BANNER_IDS
    )


def add_marking(fmap: folium.Map, marking: ProductMarking) -> folium.Map:
    """Put the product's marking at the top and bottom of the page.

    The banners are plain elements of the page (``np-marking-top`` and
    ``np-marking-bottom``), fixed to the window's edges, so they show
    without the page script, in screenshots and on every printed page.

    Parameters
    ----------
    fmap : folium.Map
        A map of :func:`new_map`.
    marking : ProductMarking
        The marking of what the page holds
        (:func:`northpic.picture.mark_picture`).

    Returns
    -------
    folium.Map
        The same map.
    """
    map_page(fmap).html.add_child(Element(banner_html(marking)), name="northpic_marking")
    return fmap


def _time_range(frames: Mapping[str, gpd.GeoDataFrame], at: pd.Timestamp) -> dict[str, Any]:
    starts = [f["valid_from"].min() for f in frames.values() if f["valid_from"].notna().any()]
    ends = [f["valid_to"].max() for f in frames.values() if f["valid_to"].notna().any()]
    if not starts and not ends:
        return {"min": None, "max": None, "initial": None}
    first = min([*starts, *ends])
    last = max([at, *starts])
    day = pd.Timedelta(days=1)
    first = first.floor("D") - day
    last = max(last.ceil("D"), first + day)
    ms = lambda ts: float(ts.value // 1_000_000)  # noqa: E731
    return {"min": ms(first), "max": ms(last), "initial": ms(min(at, last))}


def add_controls(
    fmap: folium.Map,
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    title: str,
    at: pd.Timestamp,
    sources: str,
    marking: ProductMarking | None = None,
    perspective: Perspective | None = None,
) -> folium.Map:
    """Add the layer control (grouped by domain), legend, title and time filter.

    Also the north arrow, scale, cursor coordinates, search and measuring
    tool (:mod:`northpic.render.measure`).

    With a ``marking``, the legend says for whom the page is prepared; with a
    ``perspective``, from whose point of view symbols show friend and foe.
    """
    page = {
        "title": title,
        "date": at.strftime("%Y-%m-%d"),
        "projection": getattr(fmap, "northpic_projection", ""),
        "sources": sources,
        "time": _time_range(frames, at),
        "marking": marking.as_dict() if marking is not None else None,
        "perspective": perspective_info(perspective) if perspective is not None else None,
    }
    fmap.add_child(_Script(f"northpic.addControls({{map}}, {js_json(page)});"))
    fmap.add_child(_Script(f"northpic.addMeasure({{map}}, {js_json(measure_config())});"))
    return fmap


def sources_line(specs: list[LayerSpec], frames: Mapping[str, gpd.GeoDataFrame]) -> str:
    """Summarise where the picture's data comes from, for the legend."""
    parts = ["northpic layer catalogue (authored facts, cited per feature)"]
    if "sea_ice" in frames:
        parts.append("NSIDC Sea Ice Index v3 (G02135) median extent")
    parts.append(NATURAL_EARTH_CITATION)
    return "; ".join(parts)


def render_map(
    frames: Mapping[str, gpd.GeoDataFrame],
    specs: Mapping[str, LayerSpec],
    *,
    at: pd.Timestamp | None = None,
    projection: str = "polar",
    tiles: bool = False,
    title: str = "Northern situational picture",
    marking: ProductMarking | None = None,
    perspective: Perspective | str | None = None,
    tracks: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Render a picture (layer name to frame) on a new offline map, marked.

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        Layer frames, drawn in this order (later on top).
    specs : mapping of str to LayerSpec
        The catalogue entries of those layers (title, domain, style).
    at : pandas.Timestamp, optional
        The picture's date (default: now); the time filter starts there.
    projection : {"polar", "mercator"}
        See :func:`new_map`.
    tiles : bool
        See :func:`new_map`.
    title : str
        Title shown on the map and in the browser tab.
    marking : ProductMarking, optional
        The page's marking; default: computed from ``frames``
        (:func:`northpic.picture.mark_picture` with northpic's table), which
        must then carry marking fields.
    perspective : Perspective or str, optional
        Whose point of view gives the symbols' affiliation (friend, hostile...):
        ``"nato"`` (default), ``"eu"``, ``"none"``, a perspective file or one
        read with :func:`northpic.symbology.read_perspective`.
    tracks : geopandas.GeoDataFrame, optional
        Vessel track lines (EPSG:4326) drawn as the track and traffic density
        layers (:mod:`northpic.render.tracks`): only what the page's audience
        may see. They count in the default ``marking``.

    Returns
    -------
    folium.Map
        Save it with ``fmap.save(path)``.

    Raises
    ------
    MarkingsError, SchemaError, MarkingMixError
        Without a ``marking``: for records without a valid marking, or
        records no single audience may see together.
    PerspectiveError
        For an unknown perspective or a bad perspective file.
    AssetMissingError
        If milsymbol is not installed (run ``make`` or ``npm ci``).
    """
    if marking is None:
        from northpic.picture import mark_picture

        marking = mark_picture(frames if tracks is None else {**frames, "tracks": tracks})
    moment = at if at is not None else pd.Timestamp(datetime.now(UTC))
    view = read_perspective(perspective)
    frames = with_affiliations(frames, specs, view)
    fmap = new_map(projection, tiles=tiles)
    map_page(fmap).title = title
    add_marking(fmap, marking)
    for name, frame in frames.items():
        add_layer(fmap, frame, specs[name], marking.table)
    if tracks is not None and len(tracks):
        from northpic.render.tracks import add_tracks

        add_tracks(fmap, tracks, marking.table)
    timed = frames if tracks is None else {**frames, "tracks": tracks}  # the slider spans both
    add_controls(
        fmap, timed, title=title, at=moment, sources=sources_line(list(specs.values()), frames),
        marking=marking, perspective=view,
    )
    return fmap
