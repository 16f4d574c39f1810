"""A season or decades of daily files as one lazy Dataset(time, y, x).

:func:`open_daily_files` reads the first file to learn the product and grid,
takes each file's date from its NSIDC-style name (``..._YYYYMMDD_...``) or,
failing that, from the file, and stacks one dask task per file. Nothing is
read until a result is computed, and a reduction such as the extent holds
only a few days in memory at a time: memory stays bounded however many
files there are (computing with progress: :mod:`northpic.seaice.many`).
:func:`open_concentration_files` opens one file eagerly or many lazily.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from northpic.errors import BadInputError, DataFileError
from northpic.io.seaice.decode import date_from_name
from northpic.io.seaice.open import open_concentration

Progress = Callable[[str], None]
_HDF5_LOCK = threading.Lock()  # the HDF5 library is not thread-safe: one file open at a time


def _read_day(path: str, shape: tuple[int, int], product: str) -> np.ndarray:
    with _HDF5_LOCK:
        ds = open_concentration(path).load()
    if ds.attrs["product"].split()[0] != product.split()[0] or ds["sic"].shape[1:] != shape:
        raise DataFileError(
            path,
            f"not the same product and grid as the first file ({product}, {shape[0]} x {shape[1]})",
        )
    sic = ds["sic"].values[0]
    flag = ds["flag"].values[0]
    return np.stack([sic, flag.astype(np.float32)])


def open_daily_files(paths: Sequence[str | Path], progress: Progress | None = None) -> xr.Dataset:
    """Open many daily files of one product and grid lazily, sorted by date.

    Parameters
    ----------
    paths : sequence of str or pathlib.Path
        Daily files (any product :func:`~northpic.io.seaice.open.open_concentration`
        reads), one date each.
    progress : callable, optional
        Called with short messages.

    Returns
    -------
    xarray.Dataset
        The standard form with dask-backed ``sic`` and ``flag`` (one chunk
        per file) and a sorted ``time`` coordinate.

    Raises
    ------
    BadInputError
        If no paths are given or two files have the same date.

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
    >>> paths = [write_day(f"{folder.name}/sic_psn25_202309{day}_F17_v05r00.nc", [[v, 0], [0, 0]])
    ...          for day, v in (("17", 90), ("15", 10), ("16", 50))]
    >>> ds = open_daily_files(paths)
    >>> [str(t)[:10] for t in ds.time.values], ds.sic.chunks[0]
    (['2023-09-15', '2023-09-16', '2023-09-17'], (1, 1, 1))
    >>> ds.sic.isel(y=0, x=0).values.astype(float).round(3).tolist()  # read only now
    [0.1, 0.5, 0.9]
    >>> folder.cleanup()
    """
    import dask
    import dask.array as da

    files = [str(p) for p in paths]
    if not files:
        raise BadInputError("no sea-ice files given")
    first = open_concentration(files[0])
    ny, nx = first["sic"].shape[1:]
    dates = [date_from_name(p) for p in files]
    if any(d is None for d in dates):
        if progress:
            progress(f"reading the dates of {len(files)} files")
        # lazily: only the time is read here, the values when the result is computed
        dates = [pd.Timestamp(open_concentration(p, chunks={})["time"].values[0]) for p in files]
    order = np.argsort(np.array(dates, dtype="datetime64[ns]"), kind="stable")
    files = [files[i] for i in order]
    times = np.array([dates[i] for i in order], dtype="datetime64[ns]")
    seen, duplicate = set(), None
    for path, t in zip(files, times, strict=True):
        if t in seen:
            duplicate = (path, t)
            break
        seen.add(t)
    if duplicate:
        raise BadInputError(
            f"{duplicate[0]}: a second file for {pd.Timestamp(duplicate[1]).date()}"
        )
    read = dask.delayed(_read_day, pure=True)
    product = first.attrs["product"]
    days = [
        da.from_delayed(read(p, (ny, nx), product), shape=(2, ny, nx), dtype=np.float32)
        for p in files
    ]
    both = da.stack(days, axis=1)  # (2, time, y, x)
    if progress:
        progress(f"opened {len(files)} files of {product} lazily ({ny} x {nx} cells each)")
    ds = xr.Dataset(
        {
            "sic": (("time", "y", "x"), both[0]),
            "flag": (("time", "y", "x"), both[1].astype(np.uint8)),
        },
        coords={"time": times, "y": first["y"], "x": first["x"], "cell_area": first["cell_area"]},
        attrs={**first.attrs, "path": f"{len(files)} files, first {files[0]}"},
    )
    for name in ("sic", "flag"):
        ds[name].attrs = dict(first[name].attrs)
    return ds


def open_concentration_files(
    paths: Sequence[str | Path], progress: Progress | None = None
) -> xr.Dataset:
    """Open one file eagerly, or several as one lazy Dataset (:func:`open_daily_files`).

    Parameters
    ----------
    paths : sequence of str or pathlib.Path
        One or more sea-ice concentration files.
    progress : callable, optional
        Called with short messages (many files only).

    Returns
    -------
    xarray.Dataset
        The standard form.
    """
    if len(paths) == 1:
        return open_concentration(paths[0])
    return open_daily_files(paths, progress=progress)
