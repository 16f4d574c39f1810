"""The NSIDC Sea Ice Index (G02135) extent polygon and median-extent polyline shapefiles."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from northpic.errors import DataFileError
from northpic.io.seaice.standard import CITATIONS


def read_extent_shapes(path: str | Path):  # -> geopandas.GeoDataFrame
    """Read a Sea Ice Index extent polygon or median-extent polyline shapefile.

    Parameters
    ----------
    path : str or pathlib.Path
        e.g. ``extent_N_202309_polygon_v3.0.shp`` or
        ``median_extent_N_09_1981-2010_polyline_v3.0.shp`` (any OGR format).

    Returns
    -------
    geopandas.GeoDataFrame
        One feature per input feature, in EPSG:4326, pole-enclosing polygons
        and lines crossing 180 degrees made valid (see
        :func:`northpic.crs.polar_to_lonlat`), with ``kind`` (``extent`` or
        ``median_edge``), ``source`` and, when the file name tells,
        ``month`` or ``date``.
    """
    import geopandas as gpd
    import pyogrio
    import shapely

    from northpic.crs import POLAR_CRS, polar_to_lonlat

    path = Path(path)
    if not path.is_file():
        raise DataFileError(str(path), "no such file")
    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises several GDAL error classes
        raise DataFileError(str(path), f"cannot read: {exc}") from exc
    if frame.crs is None:
        raise DataFileError(str(path), "no CRS (.prj) next to the shapefile")
    polar = frame.to_crs(POLAR_CRS)
    geoms = [polar_to_lonlat(shapely.segmentize(g, 20_000)) for g in polar.geometry]
    median = "median" in path.name.lower()
    out = gpd.GeoDataFrame(
        {"kind": "median_edge" if median else "extent", "source": CITATIONS["G02135"]},
        geometry=geoms,
        crs="EPSG:4326",
        index=frame.index,
    )
    month = re.search(r"_N_(\d{2})_1981-2010", path.name)
    monthly = re.search(r"_N_(\d{6})_", path.name)
    if median and month:
        out["month"] = int(month.group(1))
    elif monthly:
        out["date"] = pd.Timestamp(monthly.group(1) + "01").date().isoformat()
    return out
