"""The NSIDC Sea Ice Index (G02135) daily concentration and extent GeoTIFFs."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from pyproj import CRS

from northpic.errors import DataFileError, UnsupportedFormatError
from northpic.io.seaice.decode import decode
from northpic.io.seaice.grid import NSIDC_NORTH_CRS
from northpic.io.seaice.standard import standard_form

_SII_NAME = re.compile(r"^N_(\d{8})_(concentration|extent)_v\d", re.IGNORECASE)


def _north_polar_stereographic(crs: CRS) -> bool:
    op = crs.coordinate_operation
    if op is None or "polar stereographic" not in op.method_name.lower():
        return False
    return any(
        p.name.lower().startswith("latitude") and isinstance(p.value, int | float) and p.value > 0
        for p in op.params
    )


#: The Sea Ice Index north grid: 304 x 448 cells of 25 km (NSIDC polar stereographic north).
SII_SHAPE, SII_CELL_M = (448, 304), 25_000.0
#: Values a Sea Ice Index GeoTIFF may hold: tenths of a percent and the flags x 10, or 0/1 extent.
_SII_FLAGS = {"concentration": (2510, 2520, 2530, 2540, 2550), "extent": (251, 252, 253, 254, 255)}
_SII_TOP = {"concentration": 1000, "extent": 1}
#: A real day is smooth: between side-by-side ocean cells the value changes on average by
#: well under this fraction of the full scale (uniform noise: a third, 0/1 noise: a half).
MAX_MEAN_STEP = 0.15
#: A real land mask is continents and islands: at least this share of the land cells
#: has land or coast both north or south and east or west of it (rows or dots have none).
MIN_LAND_INTERIOR = 0.5


def _structure_problems(values: np.ndarray, kind: str) -> list[str]:
    """Say why ``values`` has no sea-ice day's spatial structure (empty when it has)."""
    problems = []
    top = _SII_TOP[kind]
    flags = _SII_FLAGS[kind]
    ocean = (values >= 0) & (values <= top)
    steps = [np.abs(np.diff(values, axis=axis))[ocean[1:] & ocean[:-1] if axis == 0
                                                else ocean[:, 1:] & ocean[:, :-1]]
             for axis in (0, 1)]
    step = np.concatenate(steps)
    if len(step) and step.mean() / top > MAX_MEAN_STEP:
        problems.append(
            f"the {kind} is noise, not a field: side-by-side ocean cells differ by "
            f"{100 * step.mean() / top:.0f} % of the scale on average (a real day: under "
            f"{100 * MAX_MEAN_STEP:.0f} %)"
        )
    solid = np.isin(values, flags[2:4])  # coast or land
    land = values == flags[3]
    pad = np.pad(solid, 1)
    interior = land & (pad[:-2, 1:-1] | pad[2:, 1:-1]) & (pad[1:-1, :-2] | pad[1:-1, 2:])
    share = interior.sum() / max(int(land.sum()), 1)
    if land.any() and share < MIN_LAND_INTERIOR:
        problems.append(
            f"the land flag ({flags[3]}) is no land mask: only {100 * share:.0f} % of its "
            f"{int(land.sum())} cells have land or coast both north or south and east or "
            f"west of them (continents and islands: at least {100 * MIN_LAND_INTERIOR:.0f} %)"
        )
    return problems


def _check_sea_ice_index(path: Path, band: np.ndarray, kind: str, transform) -> None:
    """Refuse a GeoTIFF whose grid or values are not those of a Sea Ice Index product.

    The grid must be NSIDC's 25 km north grid; every value must be a
    concentration (0-1000 tenths of a percent, or 0/1 extent) or one of the
    product's flags, and the land flag must be there (every real day has land);
    the field must be smooth (:data:`MAX_MEAN_STEP`) and the land flag form
    continents and islands (:data:`MIN_LAND_INTERIOR`), which noise with a flag
    sprinkled in does not.
    """
    problems = []
    if band.shape != SII_SHAPE or not np.isclose(abs(transform.a), SII_CELL_M) or not np.isclose(
        abs(transform.e), SII_CELL_M
    ):
        problems.append(
            f"the grid is {band.shape[1]} x {band.shape[0]} cells of {abs(transform.a):g} m, "
            f"not the Sea Ice Index's {SII_SHAPE[1]} x {SII_SHAPE[0]} cells of 25 km"
        )
    flags = np.array(_SII_FLAGS[kind])
    values = band.astype(np.int64)
    bad = ~(((values >= 0) & (values <= _SII_TOP[kind])) | np.isin(values, flags))
    if bad.any():
        problems.append(
            f"{int(bad.sum())} of {band.size} cells hold values that are neither a {kind} "
            f"(0-{_SII_TOP[kind]}) nor a flag ({', '.join(map(str, flags))}), e.g. "
            f"{int(values[bad][0])}"
        )
    elif not (values == flags[3]).any():
        problems.append(f"no cell is land ({flags[3]}), as every Sea Ice Index day has")
    else:
        problems += _structure_problems(values, kind)
    if problems:
        raise UnsupportedFormatError(
            f"{path}: not a Sea Ice Index (G02135) {kind} GeoTIFF: " + "; ".join(problems)
        )


def read_g02135_geotiff(path: Path) -> xr.Dataset:
    """Read a Sea Ice Index daily concentration (0-1000, tenths of a percent) or extent GeoTIFF."""
    import rasterio

    match = _SII_NAME.match(path.name)
    try:
        with rasterio.open(path) as src:
            band = src.read(1)
            transform, crs = src.transform, src.crs
            width, height = src.width, src.height
    except rasterio.errors.RasterioIOError as exc:
        raise DataFileError(str(path), f"cannot read as GeoTIFF: {exc}") from exc
    polar = crs is not None and _north_polar_stereographic(CRS(crs.to_wkt()))
    if not polar or band.dtype.kind not in "ui":
        raise UnsupportedFormatError(
            f"{path}: not a Sea Ice Index GeoTIFF (needs integer values on a north polar "
            "stereographic grid, such as EPSG:3411 or EPSG:3413)"
        )
    kind = match.group(2).lower() if match else ("concentration" if band.max() > 255 else "extent")
    _check_sea_ice_index(path, band, kind, transform)
    x = transform.c + transform.a * (np.arange(width) + 0.5)
    y = transform.f + transform.e * (np.arange(height) + 0.5)
    raw = xr.DataArray(band[None], dims=("time", "y", "x"))
    if kind == "concentration":
        raw.attrs = {
            "scale_factor": 0.1,
            "units": "%",
            "flag_values": [2510, 2520, 2530, 2540, 2550],
        }
    else:  # extent: 0 open ocean, 1 ice, flags as the 25 km products
        raw.attrs = {"scale_factor": 1.0, "units": "1", "flag_values": [251, 252, 253, 254, 255]}
    sic, flag = decode(raw)
    time = (
        np.array([pd.Timestamp(match.group(1)).to_datetime64()], dtype="datetime64[ns]")
        if match
        else np.array([np.datetime64("NaT")], dtype="datetime64[ns]")
    )
    ds = standard_form(
        sic,
        flag,
        x=x,
        y=y,
        crs=NSIDC_NORTH_CRS,
        time=time,
        product="G02135",
        title=f"NSIDC Sea Ice Index daily {kind} GeoTIFF",
        path=str(path),
        citation="G02135",
    )
    ds.attrs["extent_only"] = int(kind == "extent")
    return ds
