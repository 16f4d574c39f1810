"""The NSIDC 1981-2010 median sea-ice extent, for anomalies and the default picture.

The median extent of each month is measured from the shipped median outline
clipped with land (the ``sea_ice`` layer, read by
:mod:`northpic.io.seaice.median`): the ice-covered ocean north of the median
edge, pole included, measured geodesically. It is derived from the outline
(simplified to about 10 km), not NSIDC's tabulated medians, so it can differ
from those by a few per cent.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from northpic.geodesic import WGS84


def median_extent_mkm2(layer: gpd.GeoDataFrame) -> pd.Series:
    """Median extent (million km2) of each calendar month, indexed by month.

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        The ``sea_ice`` layer (``northpic.load_layer("sea_ice")``), or any
        frame in EPSG:4326 with ``kind`` and ``month``: its ``median_extent``
        polygons are measured on the WGS84 ellipsoid.

    Returns
    -------
    pandas.Series
        ``median_mkm2`` indexed by month (1-12 for the ``sea_ice`` layer).

    Examples
    --------
    A cap north of 80 N (its edge densified to 0.5 degree) has the area of
    the ellipsoid's zone between 80 and 90 N:

    >>> import numpy as np, shapely
    >>> from northpic.io.seaice.grid import zone_area
    >>> lon = np.arange(-180.0, 180.5, 0.5)
    >>> cap = shapely.Polygon(np.column_stack([lon, np.full(lon.size, 80.0)]).tolist()
    ...                       + [(180.0, 90.0), (-180.0, 90.0)])
    >>> layer = gpd.GeoDataFrame({"kind": ["median_extent"], "month": [9]}, geometry=[cap],
    ...                          crs="EPSG:4326")
    >>> medians = median_extent_mkm2(layer)
    >>> round(float(medians[9]), 3), round(float(zone_area(90) - zone_area(80)) / 1e12, 3)
    (3.909, 3.909)
    """
    extent = layer[layer["kind"] == "median_extent"]
    values = {
        int(m): abs(WGS84.geometry_area_perimeter(g)[0]) / 1e12
        for m, g in zip(extent["month"], extent.geometry, strict=True)
    }
    return pd.Series(values, name="median_mkm2", dtype=float).sort_index()
