"""CF NetCDF with ``sea_ice_area_fraction`` on a projected grid (e.g. northpic's own exports)."""

from __future__ import annotations

import numpy as np
import xarray as xr
from pyproj import CRS

from northpic.io.seaice.decode import decode, metres, time_of, with_time
from northpic.io.seaice.grid import NSIDC_NORTH_CRS
from northpic.io.seaice.standard import LAND, UNUSED, standard_form


def _cf_name(raw: xr.Dataset) -> str | None:
    for name, var in raw.data_vars.items():
        if (
            var.attrs.get("standard_name") == "sea_ice_area_fraction"
            and var.attrs.get("grid_mapping") in raw.variables
            and var.ndim >= 2
        ):
            return str(name)
    return None


def detect(raw: xr.Dataset) -> bool:
    """Say whether a raw Dataset holds a CF ``sea_ice_area_fraction`` with a grid mapping."""
    return _cf_name(raw) is not None


def read_projected_cf(
    raw: xr.Dataset, path: str, name: str, product: str, citation: str, title: str
) -> xr.Dataset:
    """Read concentration variable ``name`` of a CF file on a projected grid (its grid mapping).

    Shared by the OSI SAF and the CF readers: ``status_flag`` bits (OSI SAF:
    1 land, 2 lake) or ``surface_flag`` codes (northpic's own files) refine
    the flags.
    """
    var = raw[name]
    ydim, xdim = var.dims[-2], var.dims[-1]
    var = with_time(var, ydim, xdim)
    crs_obj = CRS.from_cf(dict(raw[var.attrs["grid_mapping"]].attrs))
    crs = same_as_nsidc(crs_obj)
    sic, flag = decode(var)
    for status_name, bits in (("status_flag", True), ("surface_flag", False)):
        if status_name not in raw.data_vars:
            continue
        status = with_time(raw[status_name], ydim, xdim)
        if bits:  # OSI SAF: bit 1 land, bit 2 lake
            status = status.astype(np.int64)
            flag = xr.where((status & 1) > 0, np.uint8(LAND), flag)
            flag = xr.where(((status & 2) > 0) & (flag == 0), np.uint8(UNUSED), flag)
        else:  # northpic's own CF files keep the NSIDC codes
            flag = xr.where(status > 0, status.astype(np.uint8), flag)
        sic = xr.where(flag == 0, sic, np.nan).astype(np.float32)
    return standard_form(
        sic,
        flag,
        x=metres(raw[xdim]),
        y=metres(raw[ydim]),
        crs=crs,
        time=time_of(raw, path, var.sizes["time"]),
        product=product,
        title=title,
        path=path,
        citation=citation,
    )


def same_as_nsidc(crs: CRS) -> str:
    """``"EPSG:3413"`` when ``crs`` gives the same coordinates (to 1 mm), else its EPSG or WKT."""
    from pyproj import Transformer

    probe_lon, probe_lat = np.array([-45.0, 0.0, 100.0, 170.0]), np.array([89.0, 70.0, 60.0, 45.0])
    ours = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(probe_lon, probe_lat)
    nsidc = Transformer.from_crs("EPSG:4326", NSIDC_NORTH_CRS, always_xy=True).transform(
        probe_lon, probe_lat
    )
    if np.allclose(ours, nsidc, atol=1e-3, rtol=0):
        return NSIDC_NORTH_CRS
    epsg = crs.to_epsg(min_confidence=90)
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


def read_cf(raw: xr.Dataset, path: str) -> xr.Dataset:
    """Read a CF ``sea_ice_area_fraction`` file (northpic's exports keep their product name)."""
    name = _cf_name(raw)
    assert name is not None
    source = str(raw.attrs.get("source", raw.attrs.get("title", path)))
    title = str(raw.attrs.get("title", "CF sea-ice concentration"))
    product = (
        title.removeprefix("Sea-ice concentration from ")
        if "northpic" in str(raw.attrs.get("history", ""))
        else "CF"
    )
    return read_projected_cf(raw, path, name, product, source, title)
