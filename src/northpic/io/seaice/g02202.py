"""NOAA/NSIDC Climate Data Record of sea-ice concentration (G02202 v4, v5, v6)."""

from __future__ import annotations

import xarray as xr

from northpic.io.seaice.decode import decode, metres, time_of, with_time
from northpic.io.seaice.grid import NSIDC_NORTH_CRS
from northpic.io.seaice.standard import standard_form


def detect(raw: xr.Dataset) -> bool:
    """Say whether a raw Dataset is a G02202 file (``cdr_seaice_conc``)."""
    return "cdr_seaice_conc" in raw.data_vars


def read_g02202(raw: xr.Dataset, path: str) -> xr.Dataset:
    """Read a raw G02202 Dataset (v4 on ``xgrid``/``ygrid``, v5 and v6 on ``x``/``y``)."""
    var = raw["cdr_seaice_conc"]
    ydim, xdim = var.dims[-2], var.dims[-1]
    # v4 keeps its coordinates in xgrid/ygrid (on dims x/y); v5 and v6 in x/y
    xname = "xgrid" if "xgrid" in raw.variables else xdim
    yname = "ygrid" if "ygrid" in raw.variables else ydim
    if xname not in raw.variables or yname not in raw.variables:
        raise ValueError(f"no projected coordinates: {xname!r}/{yname!r} are not in the file")
    var = with_time(var, ydim, xdim)
    sic, flag = decode(var)
    version = str(raw.attrs.get("product_version", "v04" if xname == "xgrid" else "v05"))
    return standard_form(
        sic,
        flag,
        x=metres(raw[xname]),
        y=metres(raw[yname]),
        crs=NSIDC_NORTH_CRS,
        time=time_of(raw, path, var.sizes["time"]),
        product=f"G02202 {version}",
        citation="G02202",
        title="NOAA/NSIDC Climate Data Record of sea-ice concentration",
        path=path,
    )
