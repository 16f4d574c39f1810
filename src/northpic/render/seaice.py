"""Draw an observed day of sea ice on the picture's map: a concentration image and the edge.

The concentration becomes a PNG (data URI, so the page stays offline) in the
map's own projected CRS (EPSG:3413 for the polar map, EPSG:3857 for Web
Mercator), placed by its corners in projected metres, with a colour scale in
a legend. The 15 % edge is drawn as a line on top. The page script is
``static/seaice.js``. The caller opens the file
(:func:`northpic.io.seaice.open_concentration`) and passes the Dataset.
"""

from __future__ import annotations

import base64
from importlib import resources
from typing import Any

import numpy as np
import shapely
import xarray as xr

from northpic.crs import POLAR_CRS, polar_to_lonlat
from northpic.io.seaice.standard import as_raster
from northpic.seaice.analysis import EXTENT_THRESHOLD
from northpic.seaice.edge import EDGE_COLOUR, ice_edge_lines, select_day

#: Colour ramp from 15 % (left) to 100 % (right).
RAMP = ("#e7f1fa", "#b9d6ee", "#7fb2dc", "#4a89c4", "#1f5fa3", "#0b3c78")
POLE_HOLE_RGBA = (150, 150, 150, 160)
MERCATOR_MAX_LAT = 85.0


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return red, green, blue


def colour_image(sic: np.ndarray, pole_hole: np.ndarray | None = None) -> np.ndarray:
    """Colour a concentration grid (fraction) as RGBA: transparent below 15 % and off the ocean."""
    stops = np.array([_rgb(c) for c in RAMP], dtype=float)
    pos = np.clip((np.nan_to_num(sic, nan=0.0) - EXTENT_THRESHOLD) / (1 - EXTENT_THRESHOLD), 0, 1)
    where = pos * (len(RAMP) - 1)
    lo = np.floor(where).astype(int).clip(0, len(RAMP) - 2)
    frac = (where - lo)[..., None]
    rgb = stops[lo] * (1 - frac) + stops[lo + 1] * frac
    alpha = np.where(np.nan_to_num(sic, nan=0.0) >= EXTENT_THRESHOLD, 235, 0)
    rgba = np.concatenate([rgb, alpha[..., None]], axis=-1).astype(np.uint8)
    if pole_hole is not None:
        rgba[pole_hole] = POLE_HOLE_RGBA
    return rgba


def _png(rgba: np.ndarray) -> bytes:
    from rasterio.io import MemoryFile

    height, width = rgba.shape[:2]
    with MemoryFile() as mem:
        with mem.open(driver="PNG", width=width, height=height, count=4, dtype="uint8") as dst:
            dst.write(np.moveaxis(rgba, -1, 0))
        return mem.read()


def concentration_png(day: xr.Dataset, projection: str = "polar") -> tuple[bytes, list[float]]:
    """Render one day as PNG bytes in the map's CRS, with its box (x0, y0, x1, y1) in metres."""
    from rasterio.enums import Resampling

    target = POLAR_CRS if projection == "polar" else "EPSG:3857"
    crs = day.attrs.get("crs", POLAR_CRS)
    # keep the pole hole through resampling
    field = as_raster(day["sic"].where(day["flag"] != 251, -1.0), crs)
    if projection != "polar":
        field = (
            field.where(field["y"] <= MERCATOR_MAX_LAT, drop=True) if crs == "EPSG:4326" else field
        )
    if crs != target:
        field = field.rio.reproject(target, resampling=Resampling.nearest, nodata=np.nan)
        if projection != "polar":
            field = field.rio.clip_box(-20037508.0, 0.0, 20037508.0, 19971868.0)
    values = np.asarray(field.values, dtype=float)
    rgba = colour_image(np.where(values < 0, np.nan, values), pole_hole=values < 0)
    x0, y0, x1, y1 = (float(v) for v in field.rio.bounds())
    return _png(rgba), [x0, y0, x1, y1]


def seaice_overlay_info(ds: xr.Dataset, projection: str = "polar") -> dict[str, Any]:
    """Everything the page needs to draw one day: image, box, edge GeoJSON, legend text."""
    from northpic.seaice.analysis import require_data

    day = select_day(ds)
    require_data(day, "a map overlay")  # an empty overlay would read as open water
    png, box = concentration_png(day, projection)
    lines = ice_edge_lines(day)
    edge = polar_to_lonlat(shapely.segmentize(lines, 25_000)) if not lines.is_empty else lines
    edge = shapely.set_precision(edge, 1e-4)
    stamp = day["time"].values if "time" in day.coords else None
    when = (
        str(np.datetime_as_string(stamp, unit="D"))
        if stamp is not None and not np.isnat(stamp)
        else "climatology"
    )
    return {
        "image": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "box": box,
        "opacity": 0.85,
        "edge": {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(edge)},
        "edge_color": EDGE_COLOUR,
        "ramp": list(RAMP),
        "ticks": ["15 %", "50 %", "100 %"],
        "title": f"Sea-ice concentration, {when} (observed)",
        "note": "Line: 15 % ice edge. Grey: pole hole (no satellite view, counted as ice).",
        "source": f"{day.attrs.get('product', '')}: {day.attrs.get('source', '')}",
    }


def add_seaice_overlay(fmap: Any, ds: xr.Dataset) -> Any:
    """Add one day of sea-ice concentration and its 15 % edge to a map.

    Parameters
    ----------
    fmap : folium.Map
        A map from :func:`northpic.render.map.render_map` (polar or Web Mercator).
    ds : xarray.Dataset
        Standard form with one day (e.g. from
        :func:`northpic.io.seaice.open_concentration`).

    Returns
    -------
    folium.Map
        The same map; the page needs no network.
    """
    from branca.element import Element

    from northpic.render.map import _Script
    from northpic.render.payload import js_json

    projection = "polar" if "3413" in str(getattr(fmap, "crs", "EPSG3413")) else "mercator"
    info = seaice_overlay_info(ds, projection)
    code = (resources.files("northpic.render") / "static" / "seaice.js").read_text(encoding="utf-8")
    fmap.get_root().header.add_child(Element(f"<script>{code}</script>"), name="northpic_seaice")
    fmap.add_child(_Script(f"northpic.addSeaice({{map}}, {js_json(info)});"))
    return fmap
