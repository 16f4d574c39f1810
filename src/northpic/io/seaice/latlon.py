"""Regular latitude/longitude concentration grids such as NSIDC G10010."""

from __future__ import annotations

import numpy as np
import xarray as xr

from northpic.io.seaice.decode import decode, time_of, with_time
from northpic.io.seaice.standard import standard_form

_LAT_NAMES = ("lat", "latitude")
_LON_NAMES = ("lon", "longitude")


def _latlon_var(raw: xr.Dataset) -> str | None:
    lat = next((n for n in _LAT_NAMES if n in raw.dims), None)
    lon = next((n for n in _LON_NAMES if n in raw.dims), None)
    if lat is None or lon is None:
        return None
    for name, var in raw.data_vars.items():
        if (
            lat in var.dims
            and lon in var.dims
            and (
                "conc" in str(name).lower()
                or "sea_ice_area_fraction" in str(var.attrs.get("standard_name", ""))
            )
        ):
            return str(name)
    return None


def _looks_like_percent(var: xr.DataArray) -> bool:
    """Say whether a unitless variable holds percent: values (not fills or flags) over 1.5."""
    attrs = var.attrs
    excluded = [
        float(v) for key in ("_FillValue", "missing_value", "flag_values")
        for v in np.atleast_1d(attrs.get(key, []))
    ]
    scale = float(np.atleast_1d(attrs.get("scale_factor", 1.0))[0])
    offset = float(np.atleast_1d(attrs.get("add_offset", 0.0))[0])
    values = var.where(~var.isin(excluded)) * scale + offset
    return bool(float(values.max(skipna=True)) > 1.5)


def detect(raw: xr.Dataset) -> bool:
    """Say whether a raw Dataset holds concentration on 1-D ``lat``/``lon``."""
    return _latlon_var(raw) is not None


def read_latlon(raw: xr.Dataset, path: str) -> xr.Dataset:
    """Read a raw lat/lon Dataset; longitudes are wrapped to -180..180 and sorted."""
    name = _latlon_var(raw)
    assert name is not None
    lat = next(n for n in _LAT_NAMES if n in raw.dims)
    lon = next(n for n in _LON_NAMES if n in raw.dims)
    var = with_time(raw[name], lat, lon)
    lons = np.asarray(raw[lon].values, dtype=float)
    wrapped = (lons + 180.0) % 360.0 - 180.0
    order = np.argsort(wrapped, kind="stable")
    var = var.isel({lon: order})
    percent = None
    if not {"units", "valid_max", "valid_range"} & set(var.attrs):
        percent = _looks_like_percent(var)
    sic, flag = decode(var, percent=percent)
    return standard_form(
        sic,
        flag,
        x=wrapped[order],
        y=np.asarray(raw[lat].values, dtype=float),
        crs="EPSG:4326",
        time=time_of(raw, path, var.sizes["time"]),
        product="G10010" if name == "seaice_conc" else "latlon",
        title=f"regular lat/lon sea-ice concentration ({name})",
        path=path,
        citation="G10010"
        if name == "seaice_conc"
        else str(raw.attrs.get("source", raw.attrs.get("title", path))),
    )
