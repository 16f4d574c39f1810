"""Readers of sea-ice concentration products: one module per product family, one registry.

Only the ``open_*`` and ``read_*`` functions here take paths; every reader
returns the standard form of :mod:`~northpic.io.seaice.standard`.

* :mod:`~northpic.io.seaice.open` - :func:`open_concentration`, any known product;
* :mod:`~northpic.io.seaice.registry` - the NetCDF product families, tried in order;
* :mod:`~northpic.io.seaice.g02202`, :mod:`~northpic.io.seaice.nsidc0051`,
  :mod:`~northpic.io.seaice.osisaf`, :mod:`~northpic.io.seaice.cf`,
  :mod:`~northpic.io.seaice.latlon` - one family each;
* :mod:`~northpic.io.seaice.geotiff` - Sea Ice Index (G02135) GeoTIFFs;
* :mod:`~northpic.io.seaice.shapes` - Sea Ice Index extent shapefiles;
* :mod:`~northpic.io.seaice.decode` - packing, fill values, flags, percent;
* :mod:`~northpic.io.seaice.standard` - the standard form, flag codes, grid checks;
* :mod:`~northpic.io.seaice.grid` - NSIDC grids and true cell areas;
* :mod:`~northpic.io.seaice.many` - many daily files as one lazy Dataset;
* :mod:`~northpic.io.seaice.median` - the shipped NSIDC 1981-2010 median edge table
  (the ``sea_ice`` layer);
* :mod:`~northpic.io.seaice.fetch` - download and cache NSIDC daily files.

The names below are loaded on first use, so importing this package is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from northpic.io.seaice.many import open_concentration_files, open_daily_files
    from northpic.io.seaice.open import open_concentration, open_raw
    from northpic.io.seaice.registry import PRODUCTS, Product, recognise_product
    from northpic.io.seaice.shapes import read_extent_shapes

_WHERE = {
    "open_concentration": "open",
    "open_raw": "open",
    "open_concentration_files": "many",
    "open_daily_files": "many",
    "PRODUCTS": "registry",
    "Product": "registry",
    "recognise_product": "registry",
    "read_extent_shapes": "shapes",
}

__all__ = [
    "PRODUCTS",
    "Product",
    "open_concentration",
    "open_concentration_files",
    "open_daily_files",
    "open_raw",
    "read_extent_shapes",
    "recognise_product",
]


def __getattr__(name: str) -> Any:
    """Load a public reader from its module on first use."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
