"""Is a position on land? The global-land-mask 1 km raster, bit-packed.

The ``global-land-mask`` package (GLOBE 1 km, from the registry) keeps its
mask as a 21,600 x 43,200 boolean array, about 930 MB in memory, and
decompresses it on import (5 s here). northpic streams the packaged file
once into a bit-packed copy (117 MB) in the user cache and memory-maps it,
so a lookup costs only the pages it touches.

The cache folder is ``$NORTHPIC_CACHE_DIR`` or ``~/.cache/northpic``; the
file can be deleted at any time and is rebuilt from the package.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
import zipfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np

from northpic.ais.spherical import EARTH_RADIUS_KM, in_chunks

LANDMASK_CITATION = "global-land-mask (GLOBE 1 km land mask, NOAA NGDC)"
_ROWS_PER_CHUNK = 512


def cache_dir() -> Path:
    """Return northpic's cache folder (``$NORTHPIC_CACHE_DIR`` or ``~/.cache/northpic``)."""
    env = os.environ.get("NORTHPIC_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "northpic"


def _package_npz() -> Path:
    # find the file without importing the package, whose import decompresses the mask
    spec = importlib.util.find_spec("global_land_mask")
    if spec is None or spec.origin is None:
        raise RuntimeError("the global-land-mask package is not installed")
    return Path(spec.origin).parent / "globe_combined_mask_compressed.npz"


def _build_packed(npz: Path, target: Path) -> None:
    """Stream the package's mask into a bit-packed land array (True = land)."""
    with zipfile.ZipFile(npz) as archive, archive.open("mask.npy") as raw:
        version = np.lib.format.read_magic(raw)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, fortran, dtype = read_header(raw)
        if fortran or dtype != np.bool_ or len(shape) != 2:
            raise RuntimeError(f"unexpected global-land-mask layout {shape} {dtype}")
        rows, cols = shape
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        os.close(fd)
        try:
            packed = np.lib.format.open_memmap(
                tmp, mode="w+", dtype=np.uint8, shape=(rows, (cols + 7) // 8)
            )
            for start in range(0, rows, _ROWS_PER_CHUNK):
                n = min(_ROWS_PER_CHUNK, rows - start)
                block = np.frombuffer(raw.read(n * cols), dtype=np.bool_).reshape(n, cols)
                packed[start:start + n] = np.packbits(~block, axis=1)  # package: True = ocean
            packed.flush()
            del packed
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@lru_cache(maxsize=1)
def _mask() -> tuple[np.ndarray, float, float, float, float]:
    npz = _package_npz()
    version = metadata.version("global-land-mask")
    target = cache_dir() / f"global_land_mask_{version}_packed.npy"
    if not target.exists():
        _build_packed(npz, target)
    packed = np.load(target, mmap_mode="r")
    with np.load(npz) as grid:
        lat, lon = grid["lat"], grid["lon"]
    return packed, float(lat[0]), float(lat[1] - lat[0]), float(lon[0]), float(lon[1] - lon[0])


def load_land_mask() -> None:
    """Open the land mask now (building its bit-packed cache if needed), not at the first lookup."""
    _mask()


def _rows(lat: np.ndarray) -> np.ndarray:
    """Return the raster row of each latitude (clipped to the raster), as int64."""
    packed, lat0, dlat, _, _ = _mask()
    x = np.subtract(lat, lat0)
    x /= dlat
    i = x.astype(np.int64)
    return np.clip(i, 0, packed.shape[0] - 1, out=i)


def _cols(lon: np.ndarray) -> np.ndarray:
    """Return the raster column of each longitude (clipped to the raster), as int64."""
    packed, _, _, lon0, dlon = _mask()
    x = np.subtract(lon, lon0)
    x /= dlon
    j = x.astype(np.int64)
    return np.clip(j, 0, packed.shape[1] * 8 - 1, out=j)


def _bits(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Return the mask bit (True = land) of raster cells ``(i, j)``."""
    packed = _mask()[0]
    flat = np.multiply(i, packed.shape[1])
    flat += j >> 3
    byte = packed.reshape(-1).take(flat)
    shift = np.bitwise_and(j, 7)
    np.subtract(7, shift, out=shift)
    byte >>= shift.astype(np.uint8)
    byte &= 1
    return byte.view(bool)


def _lookup(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return _bits(_rows(lat), _cols(lon))


def is_on_land(
    lon: np.ndarray, lat: np.ndarray, inland_km: float = 2.0, *, where: np.ndarray | None = None
) -> np.ndarray:
    """Say which positions lie on land, at least ``inland_km`` from the sea.

    A position counts as on land when the 1 km raster cell under it and the
    four cells ``inland_km`` north, south, east and west of it are all land,
    so ships at berth or in a narrow fjord (where the raster is stair-stepped)
    are not taken for positions on land.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Positions in degrees (finite, in range).
    inland_km : float
        How far inland a position must be; 0 checks the cell alone.
    where : numpy.ndarray of bool, optional
        Check only these positions (the others, which need not be finite,
        are False in the result).

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> import numpy as np
    >>> is_on_land(np.array([25.0, 0.0]), np.array([62.0, 72.0])).tolist()  # Finland, Norwegian Sea
    [True, False]
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.ndim != 1 or lon.shape != lat.shape:
        lon, lat = np.broadcast_arrays(lon, lat)
        flat = None if where is None else np.broadcast_to(where, lon.shape).ravel()
        return is_on_land(lon.ravel(), lat.ravel(), inland_km, where=flat).reshape(lon.shape)[()]
    _mask()  # load once, before any threads
    if where is None:
        return in_chunks(lambda part: _on_land(lon[part], lat[part], inland_km), len(lon))
    where = np.asarray(where, dtype=bool)

    def some(part: slice) -> np.ndarray:
        land = np.zeros(part.stop - part.start, dtype=bool)
        rows = np.flatnonzero(where[part])
        land[rows] = _on_land(lon[part][rows], lat[part][rows], inland_km)
        return land

    return in_chunks(some, len(lon))


def _on_land(lon: np.ndarray, lat: np.ndarray, inland_km: float) -> np.ndarray:
    land = _lookup(lon, lat)
    if inland_km <= 0 or not land.any():
        return land
    idx = np.flatnonzero(land)
    lo, la = lon[idx], lat[idx]
    dlat = np.degrees(inland_km / EARTH_RADIUS_KM)
    dlon = dlat / np.maximum(np.cos(np.radians(la)), 0.01)
    # The four neighbours north, south, east and west; a position stays on land only
    # while every neighbour checked so far is land, so each check looks only at those.
    # North and south share the (wrapped) column, east and west the (clipped) row.
    cols_ns = _cols(((lo + 180.0) % 360.0) - 180.0)
    rows_ew = _rows(np.clip(la, -90.0, 90.0))
    checks = (
        lambda s: (_rows(np.clip(la[s] + dlat, -90.0, 90.0)), cols_ns[s]),
        lambda s: (_rows(np.clip(la[s] - dlat, -90.0, 90.0)), cols_ns[s]),
        lambda s: (rows_ew[s], _cols(((lo[s] + dlon[s] + 180.0) % 360.0) - 180.0)),
        lambda s: (rows_ew[s], _cols(((lo[s] - dlon[s] + 180.0) % 360.0) - 180.0)),
    )
    still = np.arange(len(idx))
    for cells in checks:
        still = still[_bits(*cells(still))]
        if not len(still):
            break
    land[idx] = False
    land[idx[still]] = True
    return land
