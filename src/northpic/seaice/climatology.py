"""The NSIDC 1981-2010 median sea-ice extent, for anomalies and the default picture.

The median extent of each month is measured from the shipped median outline
clipped with land (the ``sea_ice`` layer, see
:mod:`northpic.io.seaice_median`): the ice-covered ocean north of the median
edge, pole included, measured geodesically. It is derived from the outline
(simplified to about 10 km), not NSIDC's tabulated medians, so it can differ
from those by a few per cent.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from pyproj import Geod


@lru_cache(maxsize=1)
def median_extent_mkm2() -> pd.Series:
    """Median extent (million km2) of each calendar month, indexed 1-12.

    Examples
    --------
    >>> medians = median_extent_mkm2()  # doctest: +SKIP
    >>> round(medians[9], 1), round(medians[3], 1)  # doctest: +SKIP
    (6.5, 15.8)
    """
    from northpic.picture import load_layer

    layer = load_layer("sea_ice")
    extent = layer[layer["kind"] == "median_extent"]
    geod = Geod(ellps="WGS84")
    values = {
        int(m): abs(geod.geometry_area_perimeter(g)[0]) / 1e12
        for m, g in zip(extent["month"], extent.geometry, strict=True)
    }
    return pd.Series(values, name="median_mkm2").sort_index()
