"""Open one sea-ice concentration file of any known product in the standard form."""

from __future__ import annotations

import warnings
from pathlib import Path

import xarray as xr

from northpic.errors import DataFileError, UnsupportedFormatError
from northpic.io.seaice.geotiff import read_g02135_geotiff
from northpic.io.seaice.registry import NETCDF_SUFFIXES, RASTER_SUFFIXES, recognise_product
from northpic.io.seaice.standard import check_grid


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
        return read_g02135_geotiff(path)
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
