"""The product registry: each family with its ``detect`` test and its reader, tried in order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import xarray as xr

from northpic.errors import UnsupportedFormatError
from northpic.io.seaice import cf, g02202, latlon, nsidc0051, osisaf


@dataclass(frozen=True)
class Product:
    """One product family: how to recognise its files and read them.

    Attributes
    ----------
    name : str
        Short name, e.g. ``"G02202"``.
    title : str
        What the product is, for messages and metadata.
    detect : callable
        ``detect(raw)`` is true when a raw (undecoded) Dataset is this product.
    read : callable
        ``read(raw, path)`` returns the standard form.
    """

    name: str
    title: str
    detect: Callable[[xr.Dataset], bool]
    read: Callable[[xr.Dataset, str], xr.Dataset]


#: The NetCDF product families, tried in this order (the first whose ``detect`` is true reads).
PRODUCTS: tuple[Product, ...] = (
    Product(
        "G02202",
        "NOAA/NSIDC CDR of sea-ice concentration (v4 on xgrid/ygrid, v5/v6 on x/y)",
        g02202.detect,
        g02202.read_g02202,
    ),
    Product(
        "NSIDC-0051/0081",
        "NSIDC daily sea-ice concentration (*_ICECON)",
        nsidc0051.detect,
        nsidc0051.read_nsidc_icecon,
    ),
    Product(
        "OSI SAF",
        "OSI SAF OSI-401/430 sea-ice concentration (ice_conc)",
        osisaf.detect,
        osisaf.read_osisaf,
    ),
    Product(
        "CF",
        "CF NetCDF with sea_ice_area_fraction on a projected grid (e.g. northpic's own)",
        cf.detect,
        cf.read_cf,
    ),
    Product(
        "latlon",
        "regular lat/lon concentration grids such as NSIDC G10010",
        latlon.detect,
        latlon.read_latlon,
    ),
)
NETCDF_SUFFIXES = (".nc", ".nc4", ".netcdf", ".h5")
RASTER_SUFFIXES = (".tif", ".tiff")


def _known() -> str:
    names = [f"{p.name} ({p.title})" for p in PRODUCTS] + ["G02135 (Sea Ice Index GeoTIFF)"]
    return "; ".join(names)


def recognise_product(raw: xr.Dataset) -> Product:
    """Return the :class:`Product` a raw Dataset belongs to.

    Raises
    ------
    UnsupportedFormatError
        If no product recognises it; the message lists the known products.
    """
    for product in PRODUCTS:
        if product.detect(raw):
            return product
    raise UnsupportedFormatError(
        f"not a sea-ice concentration product northpic knows (variables: "
        f"{', '.join(map(str, raw.data_vars)) or 'none'}); known: {_known()}"
    )
