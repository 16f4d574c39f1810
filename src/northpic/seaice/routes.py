"""How much of each shipping route runs through ice on a given day.

The ice (concentration >= 15 %) is traced in EPSG:3413
(:func:`northpic.seaice.edge.ice_polygons_polar`); each route is projected
there, cut by the ice, and both the route and its ice-covered part are
measured geodesically on the WGS84 ellipsoid.

Missing cells are not open water: each route's ``valid_fraction`` is the
share of its length over cells whose state is known (a concentration, or
land, coast or the pole hole); a route under
:data:`~northpic.seaice.analysis.MIN_VALID_FRACTION` has no ``ice_km`` and
``share_in_ice`` (NaN, "no data"). When no route has data the day is
refused (:class:`~northpic.errors.NoDataError`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr

from northpic.crs import POLAR_CRS, lonlat_to_polar, polar_to_lonlat, transformer
from northpic.errors import NoDataError
from northpic.geodesic import WGS84, densify_geodesic
from northpic.io.seaice.standard import MISSING
from northpic.seaice.analysis import MIN_VALID_FRACTION
from northpic.seaice.edge import ice_polygons_polar, select_day


def _geodesic_km(geom: shapely.Geometry) -> float:
    if geom.is_empty:
        return 0.0
    return float(WGS84.geometry_length(geom)) / 1000.0


def _nearest(coord: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of the cell centre nearest each value along a regular axis; -1 outside the grid."""
    step = float(np.median(np.abs(np.diff(coord)))) if coord.size > 1 else np.inf
    order = np.argsort(coord, kind="stable")
    ordered = coord[order]
    pos = np.clip(np.searchsorted(ordered, values), 1, max(ordered.size - 1, 1))
    left = ordered[np.clip(pos - 1, 0, ordered.size - 1)]
    right = ordered[np.clip(pos, 0, ordered.size - 1)]
    pick = np.where(np.abs(values - left) <= np.abs(values - right), pos - 1, pos)
    pick = np.clip(pick, 0, ordered.size - 1)
    index = order[pick]
    inside = np.isfinite(values) & (np.abs(coord[index] - values) <= 0.5 * step * 1.001)
    return np.where(inside, index, -1)


def known_km(day: xr.Dataset, line: shapely.Geometry) -> tuple[float, float]:
    """Return (length, length over cells whose state is known) of a lon/lat line, in km.

    A segment (of a densified line) is known when the cell under its middle
    holds a concentration or is land, coast, lake or pole hole; a missing
    cell, or no cell at all (beyond the grid), is unknown.
    """
    flag = np.asarray(day["flag"].values)
    x = np.asarray(day["x"].values, dtype=float)
    y = np.asarray(day["y"].values, dtype=float)
    crs = str(day.attrs.get("crs", POLAR_CRS))
    to_polar = transformer("EPSG:4326", POLAR_CRS)
    to_grid = transformer(POLAR_CRS, crs) if crs != POLAR_CRS else None
    total = known = 0.0
    for part in shapely.get_parts(line):
        coords = np.asarray(part.coords)[:, :2]
        if len(coords) < 2:
            continue
        _, _, metres = WGS84.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
        lengths = np.asarray(metres, dtype=float) / 1000.0
        px, py = to_polar.transform(coords[:, 0], coords[:, 1])
        mx, my = (px[:-1] + px[1:]) / 2, (py[:-1] + py[1:]) / 2
        if to_grid is not None:
            mx, my = to_grid.transform(mx, my)
            if crs == "EPSG:4326":
                mx = (np.asarray(mx) + 180.0) % 360.0 - 180.0
        col, row = _nearest(x, np.asarray(mx)), _nearest(y, np.asarray(my))
        inside = (col >= 0) & (row >= 0)
        codes = np.full(col.shape, MISSING, dtype=flag.dtype)
        codes[inside] = flag[row[inside], col[inside]]
        total += float(lengths.sum())
        known += float(lengths[codes != MISSING].sum())
    return total, known


def route_exposure(
    ds: xr.Dataset, routes: gpd.GeoDataFrame, threshold: float = 15, date: str | None = None
) -> gpd.GeoDataFrame:
    """Share of each route's length in ice at or above ``threshold`` percent.

    Parameters
    ----------
    ds : xarray.Dataset
        Standard form (see :func:`northpic.io.seaice.open_concentration`).
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
        ``ice_km``, ``share_in_ice`` (0-1), ``valid_fraction`` (share of the
        length over cells whose state is known), and the ice-covered parts of
        the route as geometry (EPSG:4326). Coastal cells have no
        concentration, so a route hugging the coast counts as ice-free there.
        A route with ``valid_fraction`` under
        :data:`~northpic.seaice.analysis.MIN_VALID_FRACTION` has NaN
        ``ice_km`` and ``share_in_ice``: no data, not open water.

    Raises
    ------
    NoDataError
        If no route has enough known cells to answer.
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
        measured, known = known_km(day, line)
        share_known = known / measured if measured else 0.0
        enough = share_known >= MIN_VALID_FRACTION
        rows.append(
            {
                "id": rid,
                "name": name,
                "date": when,
                "length_km": round(length, 1),
                "ice_km": round(in_ice, 1) if enough else np.nan,
                "share_in_ice": round(in_ice / length, 4) if length and enough else np.nan,
                "valid_fraction": round(share_known, 4),
                "geometry": covered if enough else shapely.MultiLineString(),
            }
        )
    if rows and not any(r["valid_fraction"] >= MIN_VALID_FRACTION for r in rows):
        raise NoDataError(
            f"{ds.attrs.get('path', 'sea-ice data')}: no data along any route: at most "
            f"{100 * max(r['valid_fraction'] for r in rows):.1f} % of a route's length lies over "
            f"cells with a known state (at least {100 * MIN_VALID_FRACTION:g} % are needed); "
            "missing cells are not open water"
        )
    frame = gpd.GeoDataFrame(
        rows,
        columns=["id", "name", "date", "length_km", "ice_km", "share_in_ice", "valid_fraction",
                 "geometry"],
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
