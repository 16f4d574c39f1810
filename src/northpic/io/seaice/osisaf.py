"""OSI SAF OSI-401 / OSI-430 sea-ice concentration (``ice_conc`` in percent, CF grid mapping)."""

from __future__ import annotations

import xarray as xr

from northpic.errors import DataFileError
from northpic.io.seaice.cf import read_projected_cf


def detect(raw: xr.Dataset) -> bool:
    """Say whether a raw Dataset is an OSI SAF file (``ice_conc``)."""
    return "ice_conc" in raw.data_vars


def read_osisaf(raw: xr.Dataset, path: str) -> xr.Dataset:
    """Read a raw OSI SAF Dataset (``ice_conc`` in percent when no unit is given)."""
    var = raw["ice_conc"]
    if var.attrs.get("grid_mapping") not in raw.variables:
        raise DataFileError(path, "OSI SAF ice_conc has no grid_mapping variable")
    attrs = dict(var.attrs)
    attrs.setdefault("units", "%")
    raw = raw.assign(ice_conc=var.assign_attrs(attrs))
    return read_projected_cf(
        raw,
        path,
        "ice_conc",
        "OSI SAF",
        "OSI SAF",
        str(raw.attrs.get("title", "OSI SAF sea-ice concentration")),
    )
