"""How much of each shipping route runs through ice on a given day.

The ice (concentration >= 15 %) is traced in EPSG:3413
(:func:`northpic.seaice.edge.ice_polygons_polar`); each route is projected
there, cut by the ice, and both the route and its ice-covered part are
measured geodesically on the WGS84 ellipsoid.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr
from pyproj import Geod

from northpic.crs import lonlat_to_polar, polar_to_lonlat
from northpic.geodesic import densify_geodesic
from northpic.seaice.edge import ice_polygons_polar, select_day

_GEOD = Geod(ellps="WGS84")


def _geodesic_km(geom: shapely.Geometry) -> float:
    if geom.is_empty:
        return 0.0
    return float(_GEOD.geometry_length(geom)) / 1000.0


def route_exposure(
    ds: xr.Dataset, routes: gpd.GeoDataFrame, threshold: float = 15, date: str | None = None
) -> gpd.GeoDataFrame:
    """Share of each route's length in ice at or above ``threshold`` percent.

    Parameters
    ----------
    ds : xarray.Dataset
        Standard form (see :func:`northpic.seaice.products.open_concentration`).
    routes : geopandas.GeoDataFrame
        Lines in EPSG:4326 with ``id`` and ``name`` (e.g. the
        ``shipping_routes`` layer).
    threshold : float
        Percent concentration that counts as ice.
    date : str, optional
        The day, when ``ds`` holds several.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per route: ``id``, ``name``, ``date``, ``length_km``,
        ``ice_km``, ``share_in_ice`` (0-1), and the ice-covered parts of the
        route as geometry (EPSG:4326). Coastal cells have no concentration,
        so a route hugging the coast counts as ice-free there.
    """
    day = select_day(ds, date)
    ice = ice_polygons_polar(day, threshold)
    shapely.prepare(ice)
    stamp = day["time"].values if "time" in day.coords else np.datetime64("NaT")
    when = None if np.isnat(stamp) else str(np.datetime_as_string(stamp, unit="D"))
    rows = []
    for rid, name, line in zip(routes["id"], routes["name"], routes.geometry, strict=True):
        line = densify_geodesic(line, 10.0)
        polar = lonlat_to_polar(line)
        inside = shapely.intersection(polar, ice) if not ice.is_empty else shapely.LineString()
        lines = [
            p for p in shapely.get_parts(inside) if p.geom_type == "LineString" and not p.is_empty
        ]
        covered = (
            polar_to_lonlat(shapely.MultiLineString(lines)) if lines else shapely.MultiLineString()
        )
        length, in_ice = _geodesic_km(line), _geodesic_km(covered)
        rows.append(
            {
                "id": rid,
                "name": name,
                "date": when,
                "length_km": round(length, 1),
                "ice_km": round(in_ice, 1),
                "share_in_ice": round(in_ice / length, 4) if length else np.nan,
                "geometry": covered,
            }
        )
    frame = gpd.GeoDataFrame(
        rows,
        columns=["id", "name", "date", "length_km", "ice_km", "share_in_ice", "geometry"],
        geometry="geometry",
        crs="EPSG:4326",
    )
    return frame.reset_index(drop=True)


def exposure_table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the exposure without geometry, most exposed route first."""
    return (
        pd.DataFrame(frame.drop(columns="geometry"))
        .sort_values("share_in_ice", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
