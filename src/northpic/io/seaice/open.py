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
        reason = str(exc)
        if "did not find a match in any of xarray" in reason:  # no backend knows the bytes
            reason = "it is neither NetCDF-3 nor NetCDF-4/HDF5 (its first bytes are no signature)"
        raise DataFileError(str(path), f"cannot read as NetCDF: {reason}") from exc


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
        The standard form (:mod:`northpic.io.seaice.standard`).

    Raises
    ------
    DataFileError
        If the file is missing or unreadable.
    UnsupportedFormatError
        If it is no product northpic knows.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np, xarray as xr
    >>> def write_day(path, values):  # a tiny G02202 v5 layout: uint8, scale 0.01, flags
    ...     conc = xr.DataArray(np.array([values], "u1"), dims=("time", "y", "x"), attrs={
    ...         "scale_factor": 0.01, "flag_values": np.array([251, 252, 253, 254, 255], "u1"),
    ...         "flag_meanings": "pole_hole lakes coastal land_mask missing"})
    ...     xr.Dataset({"cdr_seaice_conc": conc}, coords={"x": [-12500.0, 12500.0],
    ...                "y": [12500.0, -12500.0]}).to_netcdf(path)
    ...     return path
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = write_day(f"{folder.name}/sic_psn25_20230915_F17_v05r00.nc", [[0, 50], [100, 254]])
    >>> ds = open_concentration(path)
    >>> ds.attrs["product"], ds.attrs["crs"], ds.sic.dims
    ('G02202 v05', 'EPSG:3413', ('time', 'y', 'x'))
    >>> ds.sic.values[0].tolist(), ds.flag.values[0].tolist()
    ([[0.0, 0.5], [1.0, nan]], [[0, 0], [0, 254]])
    >>> str(ds.time.values[0])[:10]  # from the file name
    '2023-09-15'
    >>> folder.cleanup()
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
