"""Read the NSIDC 1981-2010 median sea-ice edge table shipped in ``layers/``.

The table (from ``shared/facts``; see its README) lists each month's outline
as vertices in longitude/latitude. Each outline encloses the North Pole, so
the polygons are built in EPSG:3413 and converted with
:func:`northpic.crs.polar_to_lonlat`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.crs import lonlat_to_polar, polar_to_lonlat, transformer, POLAR_CRS, STORAGE_CRS
from northpic.errors import DataFileError

CITATION = (
    "Fetterer, F., K. Knowles, W. N. Meier, M. Savoie, and A. K. Windnagel. 2017, updated daily. "
    "Sea Ice Index, Version 3 (G02135), 1981-2010 median extent. NSIDC. doi:10.7265/N5K072F8"
)
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def read_median_edge_polar(path: str | Path) -> gpd.GeoDataFrame:
    """Return one polygon per month in EPSG:3413 (column ``month``, 1-12)."""
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


def read_median_edge(path: str | Path) -> gpd.GeoDataFrame:
    """Return the monthly median-extent polygons as a layer frame in EPSG:4326.

    Each record is valid for its calendar month in every year (see
    ``month``); ``valid_from``/``valid_to`` stay open because the polygons
    are climatology, not observations of one date.
    """
    polar = read_median_edge_polar(path)
    records = []
    for month, geom in zip(polar["month"], polar.geometry, strict=True):
        records.append(
            {
                "id": f"sea_ice-median-{month:02d}",
                "name": f"Median sea-ice extent, {MONTH_NAMES[month - 1]} (1981-2010)",
                "kind": "median_extent",
                "source": CITATION,
                "confidence": "high",
                "precision_km": 10.0,
                "valid_from": None,
                "valid_to": None,
                "month": month,
                "period": "1981-2010 median",
                "notes": (
                    "Climatology: the typical extent for the month, not the ice on any given day. "
                    "Outline simplified to about 10 km; where it runs over land it is not an ice edge."
                ),
                "geometry": polar_to_lonlat(geom.segmentize(20_000)),
            }
        )
    return gpd.GeoDataFrame(records, geometry="geometry", crs=STORAGE_CRS)


__all__ = ["read_median_edge", "read_median_edge_polar", "lonlat_to_polar", "CITATION"]
