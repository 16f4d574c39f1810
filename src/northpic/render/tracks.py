"""Draw millions of AIS track positions on the picture's map: simplified per zoom, binary, canvas.

The track lines (one per vessel segment, EPSG:4326) are projected once to
the map's CRS (EPSG:3413 for the polar map, EPSG:3857 for Web Mercator), so
that nothing crosses an antimeridian or goes round the pole any more, then
simplified (Douglas-Peucker, :func:`shapely.simplify`) for each band of zoom
levels (:data:`ZOOM_BANDS`) with a tolerance of about one screen pixel at
the band's closest zoom. Each band's vertices are quantised (a quarter of the
tolerance, at least a metre), delta-encoded as zigzag varints and inlined in
the page as base64, with each line's vertex count; the page decodes them once
into typed arrays and draws the band of the current zoom on a canvas, line by
line, leaving out the lines outside the window (``static/tracks.js``).

Zoomed out (up to :data:`DENSITY_MAX_ZOOM`), a density layer takes over:
hexagonal bins in the map's projected metres, one grid a zoom level (a hex
about :data:`HEX_PIXELS` pixels across), counting every position of the
tracks, drawn with a colour scale and a legend.

Only what the frame holds reaches the page: the caller keeps it to the
page's audience first (:func:`northpic.markings.for_audience`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.crs import POLAR_CRS, STORAGE_CRS, transformer
from northpic.markings import MarkingTable
from northpic.schema import MARKING_COLUMNS

#: First zoom of each band of the track layer; the last band runs to :data:`MAX_ZOOM`.
ZOOM_BANDS = (4, 6, 8, 10)
MAX_ZOOM = 12
#: Up to this zoom the density layer is drawn instead of the lines.
DENSITY_MAX_ZOOM = 3
MIN_ZOOM = 1
#: Width of a density hex (corner to corner) in screen pixels at its zoom.
HEX_PIXELS = 14.0
#: Colour of the track lines and ramp of the density layer (few to many positions).
TRACK_COLOUR = "#b4380b"
DENSITY_RAMP = ("#fff3b0", "#fdc35e", "#f98c3a", "#e4502a", "#b0192b", "#6d0528")
#: Quantum of a band: this fraction of its tolerance (at least a metre).
QUANTUM_FRACTION = 0.25
#: Size of the square each CRS's zoom 0 tile spans, in projected metres.
_WORLD_M = {"polar": 18_000_000.0, "mercator": 2 * np.pi * 6_378_137.0}
_TARGET_CRS = {"polar": POLAR_CRS, "mercator": "EPSG:3857"}
_MERCATOR_MAX_LAT = 85.0


def metres_per_pixel(zoom: float, projection: str = "polar") -> float:
    """Projected metres one screen pixel spans at ``zoom`` (on the map's central scale).

    Examples
    --------
    >>> round(metres_per_pixel(4))
    4395
    """
    return _WORLD_M[projection] / (256.0 * 2.0**zoom)


def band_tolerances(projection: str = "polar") -> list[float]:
    """Douglas-Peucker tolerance (metres) of each band: one pixel at its closest zoom."""
    tops = [*[b - 1 for b in ZOOM_BANDS[1:]], MAX_ZOOM]
    return [metres_per_pixel(top, projection) for top in tops]


def zigzag_varints(values: np.ndarray) -> bytes:
    """Encode signed integers as zigzag LEB128 varints (7 bits a byte, low bits first).

    Examples
    --------
    >>> zigzag_varints(np.array([0, -1, 1, 64, -300])).hex()
    '0001028001d704'
    """
    v = np.asarray(values, dtype=np.int64)
    zz = ((v << 1) ^ (v >> 63)).astype(np.uint64)
    sizes = np.ones(len(zz), dtype=np.int64)
    for k in range(1, 10):
        sizes += zz >= np.uint64(1 << (7 * k))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    out = np.zeros(int(sizes.sum()), dtype=np.uint8)
    for k in range(int(sizes.max()) if len(sizes) else 0):
        on = sizes > k
        chunk = (zz[on] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (sizes[on] > k + 1).astype(np.uint64) << np.uint64(7)
        out[starts[on] + k] = (chunk | more).astype(np.uint8)
    return out.tobytes()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class ProjectedTracks:
    """Track lines in projected metres: one part a row, with the row of its record."""

    lines: np.ndarray  # shapely LineStrings in the map's CRS
    record: np.ndarray  # index into the frame of each line


def project_tracks(tracks: gpd.GeoDataFrame, projection: str = "polar") -> ProjectedTracks:
    """Split multi-part tracks into lines and project their vertices to the map's CRS once."""
    geoms = tracks.geometry.to_numpy()
    parts, record = shapely.get_parts(geoms, return_index=True)
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    lon, lat = coords[:, 0], coords[:, 1]
    if projection == "mercator":
        lat = np.clip(lat, -_MERCATOR_MAX_LAT, _MERCATOR_MAX_LAT)
    x, y = transformer(STORAGE_CRS, _TARGET_CRS[projection]).transform(lon, lat)
    good = np.isfinite(x) & np.isfinite(y)
    if not good.all():
        x, y, owner = x[good], y[good], owner[good]
    counts = np.bincount(owner, minlength=len(parts))
    keep = counts >= 2
    dense = np.cumsum(keep) - 1
    on = keep[owner]
    lines = shapely.linestrings(np.column_stack((x[on], y[on])), indices=dense[owner[on]])
    return ProjectedTracks(np.asarray(lines), np.asarray(record)[keep])


def _band(lines: np.ndarray, tolerance: float) -> dict[str, Any]:
    simple = shapely.simplify(lines, tolerance, preserve_topology=False) if tolerance else lines
    coords, owner = shapely.get_coordinates(simple, return_index=True)
    quantum = max(1.0, round(tolerance * QUANTUM_FRACTION))
    q = np.round(coords / quantum).astype(np.int64)
    deltas = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    counts = np.bincount(owner, minlength=len(lines))
    return {
        "tolerance_m": tolerance,
        "quantum_m": quantum,
        "vertices": len(coords),
        "counts": _b64(zigzag_varints(counts)),
        "xy": _b64(zigzag_varints(deltas.ravel())),
    }


def hex_bins(x: np.ndarray, y: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray,
                                                                 np.ndarray]:
    """Count points in pointy-top hexagons of circumradius ``size`` (axial coordinates q, r).

    A hex (q, r) is centred at ``x = size * sqrt(3) * (q + r / 2)``,
    ``y = size * 1.5 * r``.

    Examples
    --------
    >>> q, r, n = hex_bins(np.array([0.0, 1.0, 100.0]), np.array([0.0, 1.0, 0.0]), 10.0)
    >>> list(zip(q.tolist(), r.tolist(), n.tolist()))
    [(0, 0, 2), (6, 0, 1)]
    """
    fq = (np.sqrt(3) / 3 * x - y / 3) / size
    fr = (2 / 3 * y) / size
    fs = -fq - fr
    rq, rr, rs = np.round(fq), np.round(fr), np.round(fs)
    dq, dr, ds = np.abs(rq - fq), np.abs(rr - fr), np.abs(rs - fs)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    rq = np.where(fix_q, -rr - rs, rq)
    rr = np.where(fix_r, -rq - rs, rr)
    offset = np.int64(1 << 30)  # far more hexes a side than a map at any zoom has
    keys = (rq.astype(np.int64) + offset) * (2 * offset) + (rr.astype(np.int64) + offset)
    unique, counts = np.unique(keys, return_counts=True)
    q, r = np.divmod(unique, 2 * offset)
    return q - offset, r - offset, counts


def density_grids(lines: np.ndarray, projection: str = "polar") -> list[dict[str, Any]]:
    """One hex grid of position counts a zoom level up to :data:`DENSITY_MAX_ZOOM`."""
    coords = shapely.get_coordinates(lines)
    grids = []
    for zoom in range(MIN_ZOOM, DENSITY_MAX_ZOOM + 1):
        size = HEX_PIXELS / 2 * metres_per_pixel(zoom, projection)
        q, r, n = hex_bins(coords[:, 0], coords[:, 1], size)
        grids.append({"zoom": zoom, "size_m": size, "q": q.tolist(), "r": r.tolist(),
                      "n": n.tolist()})
    return grids


def _millis(series: pd.Series) -> list[float | None]:
    values = pd.to_datetime(series, utc=True)
    return [None if pd.isna(v) else float(v.value // 1_000_000) for v in values]


def _dictionary(values: list[Any]) -> dict[str, list[Any]]:
    levels: dict[Any, int] = {}
    codes = [levels.setdefault(v, len(levels)) for v in values]
    return {"levels": list(levels), "codes": codes}


def tracks_info(tracks: gpd.GeoDataFrame, table: MarkingTable | None = None,
                projection: str = "polar") -> dict[str, Any]:
    """Everything the page needs to draw ``tracks``: bands, density grids, attributes, legend.

    Parameters
    ----------
    tracks : geopandas.GeoDataFrame
        Track lines (LineStrings or MultiLineStrings) in EPSG:4326, already
        kept to the page's audience, with ``valid_from``/``valid_to`` and,
        where known, ``mmsi``, ``vessel_name`` and the marking fields.
    table : MarkingTable, optional
        With it, every line carries its marking as banners write it.
    projection : {"polar", "mercator"}
        The map's projection.

    Returns
    -------
    dict
        JSON-ready: ``bands`` (one per :data:`ZOOM_BANDS` entry), ``density``
        (one grid a zoom level), per-line ``t0``/``t1`` (ms), ``mmsi``,
        ``name`` and ``marking`` (dictionary-encoded), and the counts.
    """
    projected = project_tracks(tracks, projection)
    rows = tracks.iloc[projected.record]
    bands = [_band(projected.lines, tol) for tol in band_tolerances(projection)]
    for band, first in zip(bands, ZOOM_BANDS, strict=True):
        band["min_zoom"] = first
    mmsi = (rows["mmsi"].astype(object).where(rows["mmsi"].notna(), None).tolist()
            if "mmsi" in rows.columns else [None] * len(rows))
    names = (rows["vessel_name"].astype(object).where(rows["vessel_name"].notna(), None).tolist()
             if "vessel_name" in rows.columns else [None] * len(rows))
    markings: list[str | None] = [None] * len(rows)
    if table is not None and len(rows) and all(c in rows.columns for c in MARKING_COLUMNS):
        from northpic.render.payload import record_markings

        markings = list(record_markings(rows, table))
    positions = int(shapely.get_num_coordinates(projected.lines).sum())
    return {
        "name": "ais_tracks",
        "density_name": "ais_density",
        "projection": projection,
        "lines": len(projected.lines),
        "positions": positions,
        "bands": bands,
        "density": density_grids(projected.lines, projection),
        "density_max_zoom": DENSITY_MAX_ZOOM,
        "t0": _millis(rows["valid_from"]),
        "t1": _millis(rows["valid_to"]),
        "mmsi": [None if m is None else int(m) for m in mmsi],
        "vessel_name": _dictionary([None if n is None else str(n) for n in names]),
        "marking": _dictionary(markings),
        "color": TRACK_COLOUR,
        "ramp": list(DENSITY_RAMP),
        "title": "AIS tracks",
        "density_title": "AIS traffic density",
        "density_note": "Positions reported per hexagon (about "
                        f"{HEX_PIXELS:.0f} px across); zoom in past level "
                        f"{DENSITY_MAX_ZOOM} for the tracks.",
    }


def add_tracks(fmap: Any, tracks: gpd.GeoDataFrame, table: MarkingTable | None = None) -> Any:
    """Add the track layer and its density layer to a map, before its controls.

    Parameters
    ----------
    fmap : folium.Map
        A map of :func:`northpic.render.map.new_map` (polar or Web Mercator)
        whose controls are not added yet (:func:`~northpic.render.map.render_map`
        calls this before them).
    tracks : geopandas.GeoDataFrame
        See :func:`tracks_info`; only what the page's audience may see.
    table : MarkingTable, optional
        The markings table, for each line's marking.

    Returns
    -------
    folium.Map
        The same map; the page stays offline.
    """
    from branca.element import Element

    from northpic.render.assets import static_script
    from northpic.render.map import _Script, map_page
    from northpic.render.payload import js_json

    projection = "polar" if "3413" in str(getattr(fmap, "crs", "EPSG3413")) else "mercator"
    info = tracks_info(tracks, table, projection)
    map_page(fmap).header.add_child(Element(static_script("tracks.js")), name="northpic_tracks")
    fmap.add_child(_Script(f"northpic.addTracks({{map}}, {js_json(info)});"))
    return fmap


#: Track-kind records of event layers (``ais detect --add-tracks``) the track layer draws.
TRACK_KIND = "track"


def split_track_records(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Split a layer frame into (its records but track lines, its track lines).

    Track lines are the records of kind :data:`TRACK_KIND` with a line
    geometry (what ``northpic ais detect --add-tracks`` stores).
    """
    if "kind" not in frame.columns or not len(frame):
        return frame, frame.iloc[0:0]
    kinds = shapely.get_type_id(frame.geometry.to_numpy())
    lines = np.isin(kinds, [shapely.GeometryType.LINESTRING,
                            shapely.GeometryType.MULTILINESTRING])
    is_track = (frame["kind"].astype(str) == TRACK_KIND).to_numpy() & lines
    return frame[~is_track], frame[is_track]

