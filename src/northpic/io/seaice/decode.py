"""Decode raw (packed, flagged, percent or fraction) concentration variables.

Packing (``scale_factor``/``add_offset``), fill values, the flag values in
their raw and scaled forms, and percent versus fraction are all resolved
here, for every product family.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from northpic.io.seaice.standard import COAST, FLAG_NAMES, LAND, MISSING, POLE_HOLE, UNUSED

# YYYYMMDD, alone or followed by an HHMM time of day (OSI SAF: ..._202309151200.nc)
_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=\d{4}(?!\d)|(?!\d))"
)


def date_from_name(path: str | Path) -> pd.Timestamp | None:
    """Return the ``YYYYMMDD`` date in a file name (NSIDC and OSI SAF style), or None."""
    match = _DATE.search(Path(path).name)
    return pd.Timestamp("".join(match.groups())) if match else None


def _flag_meaning(word: str) -> int:
    word = word.lower()
    if "pole" in word:
        return POLE_HOLE
    if "coast" in word:
        return COAST
    if "land" in word:
        return LAND
    if "missing" in word or "fill" in word:
        return MISSING
    return UNUSED


def _flag_table(attrs: dict) -> dict[float, int]:
    """Raw flag value -> standard code, from ``flag_values``/``flag_meanings``."""
    values = np.atleast_1d(attrs.get("flag_values", [])).astype(float).tolist()
    meanings = str(attrs.get("flag_meanings", "")).split()
    table: dict[float, int] = {}
    for i, value in enumerate(values):
        if len(meanings) == len(values):
            table[value] = _flag_meaning(meanings[i])
        elif 251 <= value <= 255:
            table[value] = int(value)
        elif 2510 <= value <= 2550 and value % 10 == 0:
            table[value] = int(value // 10)
        else:
            table[value] = MISSING
    return table


def _is_percent(attrs: dict, scale: float, offset: float) -> bool:
    units = str(attrs.get("units", "")).strip().lower()
    if units in ("%", "percent", "percentage"):
        return True
    vmax = attrs.get("valid_max", np.atleast_1d(attrs.get("valid_range", [0, np.nan]))[-1])
    return bool(np.isfinite(float(vmax)) and float(vmax) * scale + offset > 1.5)


def decode_array(
    raw: np.ndarray,
    *,
    scale: float,
    offset: float,
    table: dict[float, int],
    fills: list[float],
    percent: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Decode raw values to (sic fraction float32, flag uint8); see :func:`decode`."""
    if raw.dtype.kind in "ui" and raw.dtype.itemsize <= 2:
        # integer storage: decode every possible value once, then look up
        lo = int(np.iinfo(raw.dtype).min)
        domain = np.arange(lo, int(np.iinfo(raw.dtype).max) + 1, dtype=np.float64)
        sic_lut, flag_lut = decode_array(
            domain, scale=scale, offset=offset, table=table, fills=fills, percent=percent
        )
        index = raw.astype(np.int64) - lo if lo else raw
        return sic_lut[index], flag_lut[index]
    raw = np.asarray(raw, dtype=np.float64)
    flag = np.zeros(raw.shape, np.uint8)
    for value, code in table.items():
        flag[raw == value] = code
    for value in fills:
        flag[(raw == value) & (flag == 0)] = MISSING
    flag[np.isnan(raw) & (flag == 0)] = MISSING
    physical = raw * scale + offset
    top = 100.0 if percent else 1.0
    # values over the top that are no declared flag: the scaled forms of the NSIDC flags
    # (2.51 ... 2.55 at a 0.01 scale, 1.004 ... 1.02 at 0.004, 251 ... 255 in percent)
    # or, failing that, land (e.g. G10010's 120 %)
    over = (flag == 0) & (physical > top * 1.0001)
    if over.any():
        values = physical[over]
        codes = np.full(values.shape, LAND, np.uint8)
        for step in sorted({scale, 0.01, 0.004, 1.0, 0.1}, reverse=True):
            for nsidc in FLAG_NAMES:
                codes[np.abs(values - nsidc * step) < step * 0.25] = nsidc
        flag[over] = codes
    with np.errstate(invalid="ignore"):
        # round off the float32 error of packed scales (15 * 0.01f = 0.1499999966...)
        fraction = np.clip(np.round(physical / top, 6), 0.0, 1.0)
    sic = np.where(flag == 0, fraction, np.nan).astype(np.float32)
    return sic, flag


def decode(var: xr.DataArray, *, percent: bool | None = None) -> tuple[xr.DataArray, xr.DataArray]:
    """Turn a raw (packed, flagged) concentration variable into (sic fraction, flag code).

    Uses ``scale_factor``/``add_offset``, ``_FillValue``/``missing_value``,
    ``flag_values``/``flag_meanings`` and ``units``/``valid_max`` of the raw
    variable. Lazy on dask-backed variables.
    """
    attrs = var.attrs
    scale = float(np.atleast_1d(attrs.get("scale_factor", 1.0))[0])
    offset = float(np.atleast_1d(attrs.get("add_offset", 0.0))[0])
    table = _flag_table(attrs)
    fills = [
        float(np.atleast_1d(attrs[k])[0]) for k in ("_FillValue", "missing_value") if k in attrs
    ]
    if percent is None:
        percent = _is_percent(attrs, scale, offset)
    sic, flag = xr.apply_ufunc(
        lambda a: decode_array(
            a, scale=scale, offset=offset, table=table, fills=fills, percent=bool(percent)
        ),
        var.variable,
        output_core_dims=[[], []],
        dask="parallelized",
        output_dtypes=[np.float32, np.uint8],
    )
    return xr.DataArray(sic), xr.DataArray(flag)


def time_of(raw: xr.Dataset, path: str, n: int) -> np.ndarray:
    """Return the ``n`` dates of a file: its time variable, its name's date, or its attributes.

    NaT where none tells.
    """
    for name in ("time", "tdim", "t"):
        if name in raw.variables and raw[name].size == n:
            decoded = xr.decode_cf(raw[[name]].reset_coords(), decode_times=True)[name].values
            if np.issubdtype(np.asarray(decoded).dtype, np.datetime64):
                return np.asarray(decoded).astype("datetime64[ns]").reshape(-1)
    named = date_from_name(path)
    if named is not None and n == 1:
        return np.array([named.to_datetime64()], dtype="datetime64[ns]")
    start = raw.attrs.get("time_coverage_start")
    if start and n == 1:
        stamp = pd.Timestamp(str(start))
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return np.array([stamp.floor("D").to_datetime64()], dtype="datetime64[ns]")
    return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")


def with_time(var: xr.DataArray, ydim: Hashable, xdim: Hashable) -> xr.DataArray:
    """Return ``var`` as (time, ydim, xdim): a missing time axis is added, another renamed."""
    others = [d for d in var.dims if d not in (ydim, xdim)]
    if len(others) > 1:
        raise ValueError(f"unexpected dimensions {var.dims}")
    if not others:
        var = var.expand_dims("time")
    else:
        var = var.rename({others[0]: "time"})
    return var.transpose("time", ydim, xdim)


def metres(coord: xr.DataArray) -> np.ndarray:
    """Return a projected coordinate in metres (files in km are converted)."""
    values = np.asarray(coord.values, dtype=float)
    return (
        values * 1000.0
        if str(coord.attrs.get("units", "m")).lower() in ("km", "kilometers", "kilometres")
        else values
    )

