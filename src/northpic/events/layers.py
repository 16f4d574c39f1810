"""Stored events as picture layers: grouped by layer, with their map style."""

from __future__ import annotations

import geopandas as gpd

from northpic.catalogue import LayerSpec
from northpic.errors import LayerNotFoundError
from northpic.events.schema import EVENT_LAYER_PREFIX, event_layer_names
from northpic.schema import DOMAINS, MARKING_COLUMNS
from northpic.store import default_store_path

#: Colours of the event layers, one per domain (triangles on the map).
EVENT_COLOURS = {
    "military": "#c51b7d",
    "economic": "#d95f02",
    "environmental": "#1b9e77",
    "social": "#7570b3",
}


def events_layers(frame: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Group events by their ``layer``.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Events as :func:`northpic.store.read_events` returns them.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Layer name (a catalogue layer such as ``shadow_fleet``, or
        ``events_<domain>``) to a valid layer frame, oldest event first; an
        attribute no event of the layer has is left out (the marking
        columns are always kept).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> events = gpd.GeoDataFrame({"id": ["a", "b", "c"],
    ...     "layer": ["shadow_fleet", "events_military", "shadow_fleet"],
    ...     "mmsi": [273000001, None, 273000002], "valid_to": None},
    ...     geometry=[shapely.Point(30, 70)] * 3, crs="EPSG:4326")
    >>> layers = events_layers(events)
    >>> sorted(layers), list(layers["shadow_fleet"]["id"]), list(layers["events_military"])
    (['events_military', 'shadow_fleet'], ['a', 'c'], ['id', 'layer', 'valid_to', 'geometry'])
    """
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, group in frame.groupby("layer", sort=True):
        own = group.dropna(axis=1, how="all")
        keep = [c for c in group.columns
                if c in own.columns or c == "valid_to" or c in MARKING_COLUMNS]
        layers[str(name)] = gpd.GeoDataFrame(group[keep].reset_index(drop=True),
                                             geometry="geometry", crs=frame.crs)
    return layers


def event_layer_spec(name: str) -> LayerSpec:
    """Describe a non-catalogue event layer (``events_<domain>``) for maps and exports.

    Parameters
    ----------
    name : str
        ``events_military``, ``events_economic``, ``events_environmental`` or
        ``events_social``.

    Returns
    -------
    LayerSpec
        Nature ``events``, any geometry, triangles in the domain's colour.

    Raises
    ------
    LayerNotFoundError
        For any other name.
    """
    domain = name[len(EVENT_LAYER_PREFIX):] if name.startswith(EVENT_LAYER_PREFIX) else ""
    if domain not in DOMAINS:
        raise LayerNotFoundError(name, list(event_layer_names()))
    colour = EVENT_COLOURS[domain]
    return LayerSpec(
        name=name,
        title=f"Reported events ({domain})",
        domain=domain,
        file=default_store_path(),
        geometry="any",
        nature="events",
        style={"color": colour, "symbol": "triangle", "radius": 7, "weight": 3,
               "fill": colour, "fill_opacity": 0.2},
        description=(f"{domain.capitalize()} events added to the event store by watch officers "
                     "and detectors; each cites its source, confidence and location precision."),
    )
