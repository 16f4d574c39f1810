"""Read the NSIDC 1981-2010 median sea-ice edge table shipped in ``layers/``.

The table (from ``shared/facts``; see its README) lists each month's median
extent outline as vertices in longitude/latitude. Each outline encloses the
North Pole and covers land too, so the layer is built in EPSG:3413:

* the **extent** polygon (kind ``median_extent``) is the outline minus land
  (Natural Earth 1:10m, :func:`northpic.io.land.read_land`): ice-covered ocean;
* the **edge** (kind ``median_edge``) is the outline where it runs over the
  ocean: the real ice edge, without the coast, the 180 degree seam or the pole.

Both are converted with :func:`northpic.crs.polar_to_lonlat`. Building takes
a few seconds, so the result is cached on disk (``$XDG_CACHE_HOME/northpic``)
keyed by the table, the land data and this module's version.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.atomic import atomic_output
from northpic.crs import POLAR_CRS, STORAGE_CRS, lonlat_to_polar, polar_to_lonlat, transformer
from northpic.errors import DataFileError

CITATION = (
    "Fetterer, F., K. Knowles, W. N. Meier, M. Savoie, and A. K. Windnagel. 2017, updated daily. "
    "Sea Ice Index, Version 3 (G02135), 1981-2010 median extent. NSIDC. doi:10.7265/N5K072F8"
)
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: Bump when the derived geometry changes, to invalidate disk caches.
BUILD_VERSION = "3"
LAND_SIMPLIFY_M = 3_000.0
MIN_EDGE_M = 30_000.0
NOTES = (
    "Climatology: the typical extent for the month, not the ice on any given day. "
    "Outline simplified to about 10 km and clipped with Natural Earth 1:10m land."
)


def read_median_edge_polar(path: str | Path) -> gpd.GeoDataFrame:
    """Return the unclipped outline polygon of each month in EPSG:3413 (column ``month``)."""
    try:
        table = pd.read_csv(path)
    except (OSError, pd.errors.ParserError) as exc:
        raise DataFileError(str(path), f"cannot read: {exc}") from exc
    needed = {"month", "polygon", "ring", "ring_kind", "vertex", "lat", "lon"}
    if not needed <= set(table.columns):
        raise DataFileError(str(path), f"needs columns {', '.join(sorted(needed))}")
    fwd = transformer(STORAGE_CRS, POLAR_CRS)
    rows = []
    table = table.sort_values(["month", "polygon", "ring", "vertex"])
    for month, per_month in table.groupby("month"):
        polygons = []
        for _, per_polygon in per_month.groupby("polygon"):
            rings = []
            for _, ring in per_polygon.groupby("ring"):
                x, y = fwd.transform(ring["lon"].to_numpy(), ring["lat"].to_numpy())
                rings.append(np.column_stack([x, y]))
            polygons.append(shapely.Polygon(rings[0], rings[1:]))
        geom = shapely.make_valid(shapely.union_all(polygons))
        rows.append({"month": int(month), "geometry": geom})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=POLAR_CRS)


@lru_cache(maxsize=1)
def land_polar(south: float = 40.0) -> shapely.Geometry:
    """Natural Earth land north of ``south`` as one geometry in EPSG:3413 (simplified to 3 km)."""
    from northpic.io.land import read_land

    land = read_land(south)
    geoms = shapely.segmentize(land.geometry.values, 0.5)  # clip edges stay curved
    polar = shapely.simplify(np.array([lonlat_to_polar(g) for g in geoms]), LAND_SIMPLIFY_M)
    return shapely.union_all(shapely.make_valid(polar))


def clip_median_polar(outlines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Split each month's outline into ice-covered ocean and the ocean part of its edge.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``month``, ``kind`` (``median_extent`` or ``median_edge``)
        and geometry in EPSG:3413.
    """
    land = land_polar()
    shapely.prepare(land)
    rows = []
    for month, outline in zip(outlines["month"], outlines.geometry, strict=True):
        ocean = shapely.make_valid(shapely.difference(outline, land))
        ocean = shapely.union_all(
            [p for p in shapely.get_parts(ocean) if p.geom_type == "Polygon" and p.area > 25e6]
        )
        edge = shapely.difference(shapely.segmentize(outline.boundary, 5_000), land)
        pieces = [p for p in shapely.get_parts(shapely.line_merge(edge)) if p.length >= MIN_EDGE_M]
        rows.append({"month": int(month), "kind": "median_extent", "geometry": ocean})
        rows.append(
            {
                "month": int(month),
                "kind": "median_edge",
                "geometry": shapely.MultiLineString(pieces),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=POLAR_CRS)


def _cache_file(path: Path) -> Path:
    from northpic.io.land import natural_earth_path

    land_zip = Path(natural_earth_path().removeprefix("/vsizip/"))
    digest = hashlib.sha1(path.read_bytes())
    digest.update(f"{land_zip.stat().st_size}:{BUILD_VERSION}".encode())
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "northpic"
    return root / f"sea_ice_median_{digest.hexdigest()[:16]}.parquet"


def _only(geom: shapely.Geometry, kind: str) -> shapely.Geometry:
    """Keep the polygons of an extent, the lines of an edge (make_valid may add slivers)."""
    wanted = ("Polygon",) if kind == "median_extent" else ("LineString",)
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in wanted and not p.is_empty]
    if kind == "median_extent":
        return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]
    return shapely.MultiLineString(parts)


def _build_layer(path: Path) -> gpd.GeoDataFrame:
    clipped = clip_median_polar(read_median_edge_polar(path))
    records = []
    for month, kind, geom in zip(clipped["month"], clipped["kind"], clipped.geometry, strict=True):
        title = MONTH_NAMES[month - 1]
        what = "ice edge" if kind == "median_edge" else "sea-ice extent"
        records.append(
            {
                "id": f"sea_ice-median-{month:02d}-{kind.removeprefix('median_')}",
                "name": f"Median {what}, {title} (1981-2010)",
                "kind": kind,
                "source": CITATION,
                "confidence": "high",
                "precision_km": 10.0,
                "valid_from": None,
                "valid_to": None,
                "month": int(month),
                "period": "1981-2010 median",
                "notes": NOTES,
                "geometry": _only(polar_to_lonlat(shapely.segmentize(geom, 20_000)), kind),
            }
        )
    return gpd.GeoDataFrame(records, geometry="geometry", crs=STORAGE_CRS)


def read_median_edge(path: str | Path) -> gpd.GeoDataFrame:
    """Return the monthly median extent polygons and edge lines as a layer frame (EPSG:4326).

    Each month has two records: kind ``median_extent`` (ice-covered ocean)
    and kind ``median_edge`` (the ice edge over the ocean). Records hold for
    their calendar month of every year (``month``); ``valid_from`` and
    ``valid_to`` stay open because this is climatology, not an observation.

    Parameters
    ----------
    path : str or pathlib.Path
        The table (``layers/sea_ice_median_edge_1981-2010.csv``).

    Returns
    -------
    geopandas.GeoDataFrame
        24 records, built once and then read from the disk cache.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(str(path), "no such file")
    cache = _cache_file(path)
    if cache.is_file():
        try:
            frame = gpd.read_parquet(cache)
            frame["valid_from"] = None
            frame["valid_to"] = None
            return frame
        except Exception:  # a damaged cache is rebuilt
            cache.unlink(missing_ok=True)
    frame = _build_layer(path)
    with contextlib.suppress(OSError):  # a read-only home (StorageError too): no cache, still right
        cache.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(cache, directory=False, overwrite=True) as tmp:
            frame.drop(columns=["valid_from", "valid_to"]).to_parquet(tmp)
    return frame


__all__ = ["CITATION", "clip_median_polar", "read_median_edge", "read_median_edge_polar"]
