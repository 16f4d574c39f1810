"""Read the sea-ice concentration products the field uses into one standard Dataset.

Each product family has one small reader; :data:`PRODUCTS` is the registry
(tried in order, each with a ``detect`` test on the file's variables and
attributes). :func:`open_concentration` is the only function here that takes
a path. Every reader returns the **standard form**:

``sic`` (time, y, x) float32
    Sea-ice area fraction 0-1; NaN where the cell holds no ocean value.
``flag`` (time, y, x) uint8
    0 for a valid ocean value, else the NSIDC code: 251 pole hole,
    252 unused/lake, 253 coast, 254 land, 255 missing.
``cell_area`` (y, x) coordinate
    True cell area in m2 (see :mod:`northpic.seaice.grid`).
``x``, ``y``
    Cell centres in metres of ``attrs["crs"]`` (EPSG:3413 for NSIDC), or
    longitude/latitude in degrees for regular lat/lon grids
    (``attrs["crs"] == "EPSG:4326"``, longitudes in -180..180).

and attributes ``product``, ``title``, ``source`` (the citation), ``path``
and ``crs``. Packing (``scale_factor``/``add_offset``), fill values, the
flag values in their raw and scaled forms, and percent versus fraction are
all resolved here.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from pyproj import CRS

from northpic.errors import DataFileError, UnsupportedFormatError
from northpic.seaice.grid import NSIDC_NORTH_CRS, geographic_cell_area, projected_cell_area

POLE_HOLE, UNUSED, COAST, LAND, MISSING = 251, 252, 253, 254, 255
FLAG_NAMES = {
    POLE_HOLE: "pole hole",
    UNUSED: "unused/lake",
    COAST: "coast",
    LAND: "land",
    MISSING: "missing",
}

CITATIONS = {
    "G02202": "Meier, W. N., F. Fetterer, A. K. Windnagel, J. S. Stewart. NOAA/NSIDC Climate Data "
    "Record of Passive Microwave Sea Ice Concentration (G02202). NSIDC. "
    "doi:10.7265/efmz-2t65",
    "NSIDC-0051": "DiGirolamo, N., C. L. Parkinson, D. J. Cavalieri, P. Gloersen, H. J. Zwally. "
    "Sea Ice Concentrations from Nimbus-7 SMMR and DMSP SSM/I-SSMIS Passive "
    "Microwave Data (NSIDC-0051), Version 2. NSIDC. doi:10.5067/MPYG15WAA4WX",
    "NSIDC-0081": "Meier, W. N., F. Fetterer, A. K. Windnagel, J. S. Stewart. Near-Real-Time "
    "DMSP SSMIS Daily Polar Gridded Sea Ice Concentrations (NSIDC-0081), Version 2. "
    "NSIDC. doi:10.5067/YTTHO2FJQ97K",
    "OSI SAF": "EUMETSAT Ocean and Sea Ice Satellite Application Facility, Global sea ice "
    "concentration (OSI-401 / OSI-430), www.osi-saf.org",
    "G10010": "Walsh, J. E., W. L. Chapman, F. Fetterer, J. S. Stewart. Gridded Monthly Sea Ice "
    "Extent and Concentration, 1850 Onward (G10010), Version 2. NSIDC. "
    "doi:10.7265/jj4s-tq79",
    "G02135": "Fetterer, F., K. Knowles, W. N. Meier, M. Savoie, A. K. Windnagel. Sea Ice Index, "
    "Version 3 (G02135). NSIDC. doi:10.7265/N5K072F8",
}


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


# ---------------------------------------------------------------------------------------------
# decoding helpers


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


def _decode_array(
    raw: np.ndarray,
    *,
    scale: float,
    offset: float,
    table: dict[float, int],
    fills: list[float],
    percent: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Decode raw values to (sic fraction float32, flag uint8); see :func:`_decode`."""
    if raw.dtype.kind in "ui" and raw.dtype.itemsize <= 2:
        # integer storage: decode every possible value once, then look up
        lo = int(np.iinfo(raw.dtype).min)
        domain = np.arange(lo, int(np.iinfo(raw.dtype).max) + 1, dtype=np.float64)
        sic_lut, flag_lut = _decode_array(
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
        code = np.full(values.shape, LAND, np.uint8)
        for step in sorted({scale, 0.01, 0.004, 1.0, 0.1}, reverse=True):
            for nsidc in FLAG_NAMES:
                code[np.abs(values - nsidc * step) < step * 0.25] = nsidc
        flag[over] = code
    with np.errstate(invalid="ignore"):
        # round off the float32 error of packed scales (15 * 0.01f = 0.1499999966...)
        fraction = np.clip(np.round(physical / top, 6), 0.0, 1.0)
    sic = np.where(flag == 0, fraction, np.nan).astype(np.float32)
    return sic, flag


def _decode(var: xr.DataArray, *, percent: bool | None = None) -> tuple[xr.DataArray, xr.DataArray]:
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
        lambda a: _decode_array(
            a, scale=scale, offset=offset, table=table, fills=fills, percent=bool(percent)
        ),
        var.variable,
        output_core_dims=[[], []],
        dask="parallelized",
        output_dtypes=[np.float32, np.uint8],
    )
    return xr.DataArray(sic), xr.DataArray(flag)


def _time_of(raw: xr.Dataset, path: str, n: int) -> np.ndarray:
    for name in ("time", "tdim", "t"):
        if name in raw.variables and raw[name].size == n:
            decoded = xr.decode_cf(raw[[name]].reset_coords(), decode_times=True)[name].values
            if np.issubdtype(np.asarray(decoded).dtype, np.datetime64):
                return np.asarray(decoded).astype("datetime64[ns]").reshape(-1)
    match = re.search(r"(19|20)\d{6}", Path(path).name)
    if match and n == 1:
        return np.array([pd.Timestamp(match.group(0)).to_datetime64()], dtype="datetime64[ns]")
    start = raw.attrs.get("time_coverage_start")
    if start and n == 1:
        stamp = pd.Timestamp(str(start))
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return np.array([stamp.floor("D").to_datetime64()], dtype="datetime64[ns]")
    return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")


def _standard(
    sic: xr.DataArray,
    flag: xr.DataArray,
    *,
    x: np.ndarray,
    y: np.ndarray,
    crs: str,
    time: np.ndarray,
    product: str,
    title: str,
    path: str,
    citation: str,
) -> xr.Dataset:
    if crs == "EPSG:4326":
        area = geographic_cell_area(y, x)
    else:
        area = projected_cell_area(x, y, crs)
    ds = xr.Dataset(
        {"sic": (("time", "y", "x"), sic.data), "flag": (("time", "y", "x"), flag.data)},
        coords={"time": time, "y": y, "x": x, "cell_area": (("y", "x"), area)},
        attrs={
            "product": product,
            "title": title,
            "source": CITATIONS.get(citation, citation),
            "path": path,
            "crs": crs,
        },
    )
    ds["sic"].attrs = {
        "long_name": "sea-ice concentration",
        "units": "1",
        "standard_name": "sea_ice_area_fraction",
    }
    ds["flag"].attrs = {
        "long_name": "surface flag",
        "flag_values": np.array(sorted(FLAG_NAMES), dtype=np.uint8),
        "flag_meanings": "pole_hole unused coast land missing",
        "comment": "0 where sic holds a valid ocean value",
    }
    ds["cell_area"].attrs = {"long_name": "true cell area", "units": "m2"}
    if crs == "EPSG:4326":
        ds["x"].attrs = {"standard_name": "longitude", "units": "degrees_east"}
        ds["y"].attrs = {"standard_name": "latitude", "units": "degrees_north"}
    else:
        ds["x"].attrs = {"standard_name": "projection_x_coordinate", "units": "m"}
        ds["y"].attrs = {"standard_name": "projection_y_coordinate", "units": "m"}
    return ds


def _with_time(var: xr.DataArray, ydim: str, xdim: str) -> xr.DataArray:
    others = [d for d in var.dims if d not in (ydim, xdim)]
    if len(others) > 1:
        raise ValueError(f"unexpected dimensions {var.dims}")
    if not others:
        var = var.expand_dims("time")
    else:
        var = var.rename({others[0]: "time"})
    return var.transpose("time", ydim, xdim)


def _metres(coord: xr.DataArray) -> np.ndarray:
    values = np.asarray(coord.values, dtype=float)
    return (
        values * 1000.0
        if str(coord.attrs.get("units", "m")).lower() in ("km", "kilometers", "kilometres")
        else values
    )


# ---------------------------------------------------------------------------------------------
# the readers, one per product family


def _read_g02202(raw: xr.Dataset, path: str) -> xr.Dataset:
    var = raw["cdr_seaice_conc"]
    ydim, xdim = var.dims[-2], var.dims[-1]
    # v4 keeps its coordinates in xgrid/ygrid (on dims x/y); v5 and v6 in x/y
    xname = "xgrid" if "xgrid" in raw.variables else xdim
    yname = "ygrid" if "ygrid" in raw.variables else ydim
    if xname not in raw.variables or yname not in raw.variables:
        raise ValueError(f"no projected coordinates: {xname!r}/{yname!r} are not in the file")
    var = _with_time(var, ydim, xdim)
    sic, flag = _decode(var)
    version = str(raw.attrs.get("product_version", "v04" if xname == "xgrid" else "v05"))
    return _standard(
        sic,
        flag,
        x=_metres(raw[xname]),
        y=_metres(raw[yname]),
        crs=NSIDC_NORTH_CRS,
        time=_time_of(raw, path, var.sizes["time"]),
        product=f"G02202 {version}",
        citation="G02202",
        title="NOAA/NSIDC Climate Data Record of sea-ice concentration",
        path=path,
    )


def _icecon_name(raw: xr.Dataset) -> str | None:
    names = [n for n in raw.data_vars if str(n).upper().endswith("_ICECON")]
    return str(sorted(names)[-1]) if names else None


def _read_nsidc_icecon(raw: xr.Dataset, path: str) -> xr.Dataset:
    name = _icecon_name(raw)
    assert name is not None
    var = _with_time(raw[name], "y", "x")
    sic, flag = _decode(var)
    text = " ".join(str(raw.attrs.get(k, "")) for k in ("id", "title", "summary")).lower()
    product = "NSIDC-0081" if ("0081" in text or "near-real-time" in text) else "NSIDC-0051"
    return _standard(
        sic,
        flag,
        x=_metres(raw["x"]),
        y=_metres(raw["y"]),
        crs=NSIDC_NORTH_CRS,
        time=_time_of(raw, path, var.sizes["time"]),
        product=product,
        title=f"{product} {name} daily sea-ice concentration",
        path=path,
        citation=product,
    )


def _cf_name(raw: xr.Dataset) -> str | None:
    for name, var in raw.data_vars.items():
        if (
            var.attrs.get("standard_name") == "sea_ice_area_fraction"
            and var.attrs.get("grid_mapping") in raw.variables
            and var.ndim >= 2
        ):
            return str(name)
    return None


def _read_projected_cf(
    raw: xr.Dataset, path: str, name: str, product: str, citation: str, title: str
) -> xr.Dataset:
    var = raw[name]
    ydim, xdim = var.dims[-2], var.dims[-1]
    var = _with_time(var, ydim, xdim)
    crs_obj = CRS.from_cf(dict(raw[var.attrs["grid_mapping"]].attrs))
    crs = _same_as_nsidc(crs_obj)
    sic, flag = _decode(var)
    for status_name, bits in (("status_flag", True), ("surface_flag", False)):
        if status_name not in raw.data_vars:
            continue
        status = _with_time(raw[status_name], ydim, xdim)
        if bits:  # OSI SAF: bit 1 land, bit 2 lake
            status = status.astype(np.int64)
            flag = xr.where((status & 1) > 0, np.uint8(LAND), flag)
            flag = xr.where(((status & 2) > 0) & (flag == 0), np.uint8(UNUSED), flag)
        else:  # northpic's own CF files keep the NSIDC codes
            flag = xr.where(status > 0, status.astype(np.uint8), flag)
        sic = xr.where(flag == 0, sic, np.nan).astype(np.float32)
    return _standard(
        sic,
        flag,
        x=_metres(raw[xdim]),
        y=_metres(raw[ydim]),
        crs=crs,
        time=_time_of(raw, path, var.sizes["time"]),
        product=product,
        title=title,
        path=path,
        citation=citation,
    )


def _same_as_nsidc(crs: CRS) -> str:
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


def _read_osisaf(raw: xr.Dataset, path: str) -> xr.Dataset:
    var = raw["ice_conc"]
    if var.attrs.get("grid_mapping") not in raw.variables:
        raise DataFileError(path, "OSI SAF ice_conc has no grid_mapping variable")
    attrs = dict(var.attrs)
    attrs.setdefault("units", "%")
    raw = raw.assign(ice_conc=var.assign_attrs(attrs))
    return _read_projected_cf(
        raw,
        path,
        "ice_conc",
        "OSI SAF",
        "OSI SAF",
        str(raw.attrs.get("title", "OSI SAF sea-ice concentration")),
    )


def _read_cf(raw: xr.Dataset, path: str) -> xr.Dataset:
    name = _cf_name(raw)
    assert name is not None
    source = str(raw.attrs.get("source", raw.attrs.get("title", path)))
    title = str(raw.attrs.get("title", "CF sea-ice concentration"))
    product = (
        title.removeprefix("Sea-ice concentration from ")
        if "northpic" in str(raw.attrs.get("history", ""))
        else "CF"
    )
    return _read_projected_cf(raw, path, name, product, source, title)


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


def _read_latlon(raw: xr.Dataset, path: str) -> xr.Dataset:
    name = _latlon_var(raw)
    assert name is not None
    lat = next(n for n in _LAT_NAMES if n in raw.dims)
    lon = next(n for n in _LON_NAMES if n in raw.dims)
    var = _with_time(raw[name], lat, lon)
    lons = np.asarray(raw[lon].values, dtype=float)
    wrapped = (lons + 180.0) % 360.0 - 180.0
    order = np.argsort(wrapped, kind="stable")
    var = var.isel({lon: order})
    percent = None
    if not {"units", "valid_max", "valid_range"} & set(var.attrs):
        percent = _looks_like_percent(var)
    sic, flag = _decode(var, percent=percent)
    return _standard(
        sic,
        flag,
        x=wrapped[order],
        y=np.asarray(raw[lat].values, dtype=float),
        crs="EPSG:4326",
        time=_time_of(raw, path, var.sizes["time"]),
        product="G10010" if name == "seaice_conc" else "latlon",
        title=f"regular lat/lon sea-ice concentration ({name})",
        path=path,
        citation="G10010"
        if name == "seaice_conc"
        else str(raw.attrs.get("source", raw.attrs.get("title", path))),
    )


PRODUCTS: tuple[Product, ...] = (
    Product(
        "G02202",
        "NOAA/NSIDC CDR of sea-ice concentration (v4 on xgrid/ygrid, v5/v6 on x/y)",
        lambda raw: "cdr_seaice_conc" in raw.data_vars,
        _read_g02202,
    ),
    Product(
        "NSIDC-0051/0081",
        "NSIDC daily sea-ice concentration (*_ICECON)",
        lambda raw: _icecon_name(raw) is not None and "x" in raw.dims,
        _read_nsidc_icecon,
    ),
    Product(
        "OSI SAF",
        "OSI SAF OSI-401/430 sea-ice concentration (ice_conc)",
        lambda raw: "ice_conc" in raw.data_vars,
        _read_osisaf,
    ),
    Product(
        "CF",
        "CF NetCDF with sea_ice_area_fraction on a projected grid (e.g. northpic's own)",
        lambda raw: _cf_name(raw) is not None,
        _read_cf,
    ),
    Product(
        "latlon",
        "regular lat/lon concentration grids such as NSIDC G10010",
        lambda raw: _latlon_var(raw) is not None,
        _read_latlon,
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


def open_raw(path: str | Path, chunks: dict | None = None) -> xr.Dataset:
    """Open a NetCDF file without decoding its packed values (lazily with ``chunks``)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return xr.open_dataset(
                path, mask_and_scale=False, decode_times=False, chunks=chunks, decode_coords=False
            )
    except (OSError, ValueError, RuntimeError) as exc:
        raise DataFileError(str(path), f"cannot read as NetCDF: {exc}") from exc


def open_concentration(path: str | Path, chunks: dict | None = None) -> xr.Dataset:
    """Open a sea-ice concentration file of any known product in the standard form.

    Parameters
    ----------
    path : str or pathlib.Path
        A NetCDF file (G02202 v4/v5/v6, NSIDC-0051, NSIDC-0081, OSI SAF
        OSI-401/430, a regular lat/lon grid such as G10010) or a Sea Ice
        Index (G02135) concentration or extent GeoTIFF.
    chunks : dict, optional
        Dask chunks (e.g. ``{}``) to read lazily.

    Returns
    -------
    xarray.Dataset
        The standard form described in the module docstring.

    Raises
    ------
    DataFileError
        If the file is missing or unreadable.
    UnsupportedFormatError
        If it is no product northpic knows.

    Examples
    --------
    >>> ds = open_concentration("seaice_conc_daily_nh_20230915_f17_v04r00.nc")  # doctest: +SKIP
    >>> ds.attrs["product"], ds.sic.dims  # doctest: +SKIP
    ('G02202 v04r00', ('time', 'y', 'x'))
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(str(path), "no such file")
    suffix = path.suffix.lower()
    if suffix in RASTER_SUFFIXES:
        return _read_g02135_geotiff(path)
    if suffix not in NETCDF_SUFFIXES:
        raise UnsupportedFormatError(
            f"{path}: unsupported sea-ice file type {suffix or '(none)'}; use NetCDF "
            f"({', '.join(NETCDF_SUFFIXES)}) or a Sea Ice Index GeoTIFF "
            f"({', '.join(RASTER_SUFFIXES)})"
        )
    raw = open_raw(path, chunks=chunks)
    try:
        product = recognise_product(raw)
    except UnsupportedFormatError as exc:
        raise UnsupportedFormatError(f"{path}: {exc}") from None
    try:
        ds = product.read(raw, str(path))
    except (KeyError, ValueError, IndexError) as exc:
        raise DataFileError(str(path), f"malformed {product.name} file: {exc}") from exc
    check_grid(ds, str(path))
    return ds


#: The smallest grid that has an edge to trace: 2 x 2 cells.
MIN_GRID_CELLS = 2


def check_grid(ds: xr.Dataset, path: str) -> None:
    """Refuse a standard-form Dataset whose grid cannot be a concentration field.

    The ``x`` and ``y`` cell centres must be finite, strictly monotonic and at
    least :data:`MIN_GRID_CELLS` long, and ``sic`` must lie on them.

    Raises
    ------
    DataFileError
        Naming the file and what is wrong with its grid.
    """
    for axis in ("x", "y"):
        values = np.asarray(ds[axis].values, dtype=float)
        if values.ndim != 1 or values.size < MIN_GRID_CELLS:
            raise DataFileError(path, f"the grid has {values.size} cell(s) along {axis}; "
                                      f"at least {MIN_GRID_CELLS} are needed")
        if not np.isfinite(values).all():
            raise DataFileError(path, f"the {axis} coordinates are not all finite numbers")
        steps = np.diff(values)
        if not ((steps > 0).all() or (steps < 0).all()):
            raise DataFileError(path, f"the {axis} coordinates are not strictly increasing or "
                                      "decreasing")
    if ds["sic"].dims[-2:] != ("y", "x"):
        raise DataFileError(path, f"concentration lies on {ds['sic'].dims}, not (time, y, x)")


# ---------------------------------------------------------------------------------------------
# NSIDC Sea Ice Index (G02135)

_SII_NAME = re.compile(r"^N_(\d{8})_(concentration|extent)_v\d", re.IGNORECASE)


def _north_polar_stereographic(crs: CRS) -> bool:
    op = crs.coordinate_operation
    if op is None or "polar stereographic" not in op.method_name.lower():
        return False
    return any(p.name.lower().startswith("latitude") and p.value > 0 for p in op.params)


#: The Sea Ice Index north grid: 304 x 448 cells of 25 km (NSIDC polar stereographic north).
SII_SHAPE, SII_CELL_M = (448, 304), 25_000.0
#: Values a Sea Ice Index GeoTIFF may hold: tenths of a percent and the flags x 10, or 0/1 extent.
_SII_FLAGS = {"concentration": (2510, 2520, 2530, 2540, 2550), "extent": (251, 252, 253, 254, 255)}
_SII_TOP = {"concentration": 1000, "extent": 1}


def _check_sea_ice_index(path: Path, band: np.ndarray, kind: str, transform) -> None:
    """Refuse a GeoTIFF whose grid or values are not those of a Sea Ice Index product.

    The grid must be NSIDC's 25 km north grid; every value must be a
    concentration (0-1000 tenths of a percent, or 0/1 extent) or one of the
    product's flags, and the land flag must be there (every real day has land).
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
    if problems:
        raise UnsupportedFormatError(
            f"{path}: not a Sea Ice Index (G02135) {kind} GeoTIFF: " + "; ".join(problems)
        )


def _read_g02135_geotiff(path: Path) -> xr.Dataset:
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
    sic, flag = _decode(raw)
    time = (
        np.array([pd.Timestamp(match.group(1)).to_datetime64()], dtype="datetime64[ns]")
        if match
        else np.array([np.datetime64("NaT")], dtype="datetime64[ns]")
    )
    ds = _standard(
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


def read_extent_shapes(path: str | Path):  # -> geopandas.GeoDataFrame
    """Read a Sea Ice Index extent polygon or median-extent polyline shapefile.

    Parameters
    ----------
    path : str or pathlib.Path
        e.g. ``extent_N_202309_polygon_v3.0.shp`` or
        ``median_extent_N_09_1981-2010_polyline_v3.0.shp`` (any OGR format).

    Returns
    -------
    geopandas.GeoDataFrame
        One feature per input feature, in EPSG:4326, pole-enclosing polygons
        and lines crossing 180 degrees made valid (see
        :func:`northpic.crs.polar_to_lonlat`), with ``kind`` (``extent`` or
        ``median_edge``), ``source`` and, when the file name tells,
        ``month`` or ``date``.
    """
    import geopandas as gpd
    import pyogrio
    import shapely

    from northpic.crs import POLAR_CRS, polar_to_lonlat

    path = Path(path)
    if not path.is_file():
        raise DataFileError(str(path), "no such file")
    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises several GDAL error classes
        raise DataFileError(str(path), f"cannot read: {exc}") from exc
    if frame.crs is None:
        raise DataFileError(str(path), "no CRS (.prj) next to the shapefile")
    polar = frame.to_crs(POLAR_CRS)
    geoms = [polar_to_lonlat(shapely.segmentize(g, 20_000)) for g in polar.geometry]
    median = "median" in path.name.lower()
    out = gpd.GeoDataFrame(
        {"kind": "median_edge" if median else "extent", "source": CITATIONS["G02135"]},
        geometry=geoms,
        crs="EPSG:4326",
        index=frame.index,
    )
    month = re.search(r"_N_(\d{2})_1981-2010", path.name)
    monthly = re.search(r"_N_(\d{6})_", path.name)
    if median and month:
        out["month"] = int(month.group(1))
    elif monthly:
        out["date"] = pd.Timestamp(monthly.group(1) + "01").date().isoformat()
    return out


def open_many_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Check that every path exists and return them as :class:`pathlib.Path` objects."""
    out = [Path(p) for p in paths]
    for path in out:
        if not path.is_file():
            raise DataFileError(str(path), "no such file")
    return out
