"""NSIDC daily sea-ice concentration on the 25 km grid: NSIDC-0051 and NSIDC-0081 (``*_ICECON``)."""

from __future__ import annotations

import xarray as xr

from northpic.io.seaice.decode import decode, metres, time_of, with_time
from northpic.io.seaice.grid import NSIDC_NORTH_CRS
from northpic.io.seaice.standard import standard_form


def _icecon_name(raw: xr.Dataset) -> str | None:
    names = [str(n) for n in raw.data_vars if str(n).upper().endswith("_ICECON")]
    return sorted(names)[-1] if names else None


def detect(raw: xr.Dataset) -> bool:
    """Say whether a raw Dataset is an NSIDC-0051/0081 file (``*_ICECON`` on ``x``/``y``)."""
    return _icecon_name(raw) is not None and "x" in raw.dims


def read_nsidc_icecon(raw: xr.Dataset, path: str) -> xr.Dataset:
    """Read a raw NSIDC-0051 or NSIDC-0081 Dataset (the last ``*_ICECON`` variable)."""
    name = _icecon_name(raw)
    assert name is not None
    var = with_time(raw[name], "y", "x")
    sic, flag = decode(var)
    text = " ".join(str(raw.attrs.get(k, "")) for k in ("id", "title", "summary")).lower()
    product = "NSIDC-0081" if ("0081" in text or "near-real-time" in text) else "NSIDC-0051"
    return standard_form(
        sic,
        flag,
        x=metres(raw["x"]),
        y=metres(raw["y"]),
        crs=NSIDC_NORTH_CRS,
        time=time_of(raw, path, var.sizes["time"]),
        product=product,
        title=f"{product} {name} daily sea-ice concentration",
        path=path,
        citation=product,
    )
