"""Builders of small sea-ice files in each product's exact layout, with a known truth.

Every file lies on the real NSIDC polar stereographic north 25 km grid
(304 x 448 cells, x -3850..3750 km, y 5850..-5350 km). The concentration is
a known function of latitude (:func:`concentration_at`), so extent and area
can be computed independently (:func:`truth_extent_area`, from geodesic
polygon areas with pyproj.Geod).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import netCDF4
import numpy as np
from pyproj import Geod, Transformer

NX, NY, CELL = 304, 448, 25_000.0
X = -3_850_000.0 + CELL * (np.arange(NX) + 0.5)
Y = 5_850_000.0 - CELL * (np.arange(NY) + 0.5)
POLE_HOLE_LAT = 87.0
ISLAND = (80.0, 82.0, 0.0, 40.0)  # lat0, lat1, lon0, lon1 of a land block inside the ice
CONTINENT_LAT = 60.0  # land south of this latitude over half the longitudes
_GEOD = Geod(ellps="WGS84")


def grid_lonlat() -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (degrees) of the 25 km cell centres, shape (448, 304)."""
    inv = Transformer.from_crs("EPSG:3413", "EPSG:4326", always_xy=True)
    xx, yy = np.meshgrid(X, Y)
    return inv.transform(xx, yy)


def concentration_at(lat: np.ndarray, edge_lat: float = 65.0, full_lat: float = 75.0) -> np.ndarray:
    """Concentration fraction: 0 south of ``edge_lat``, rising linearly to 1 at ``full_lat``."""
    return np.clip((np.asarray(lat) - edge_lat) / (full_lat - edge_lat), 0.0, 1.0)


def surface_codes(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """0 ocean, 251 pole hole, 253 coast, 254 land, on the grid."""
    code = np.zeros(lat.shape, np.uint8)
    lat0, lat1, lon0, lon1 = ISLAND
    code[(lat >= lat0) & (lat <= lat1) & (lon >= lon0) & (lon <= lon1)] = 254
    continent = (lat < CONTINENT_LAT) & (lon < 0)
    code[continent] = 254
    code[(lat >= CONTINENT_LAT) & (lat < CONTINENT_LAT + 0.3) & (lon < 0)] = 253
    code[lat > POLE_HOLE_LAT] = 251
    return code


def raw_percent(day_shift: float = 0.0, edge_lat: float = 65.0) -> tuple[np.ndarray, np.ndarray]:
    """(percent 0-100 as uint8, surface code) on the grid; the edge moves with ``day_shift``."""
    lon, lat = grid_lonlat()
    pct = np.floor(
        concentration_at(lat, edge_lat + day_shift, edge_lat + day_shift + 10) * 100 + 0.5
    )
    return pct.astype(np.uint8), surface_codes(lon, lat)


def _cap_area(lat: float) -> float:
    """Area north of a parallel, from a geodesic polygon of 3600 vertices along it."""
    lons = np.linspace(-180.0, 180.0, 3601)[:-1]
    area, _ = _GEOD.polygon_area_perimeter(lons, np.full(lons.size, lat))
    return abs(area)


def _box_area(lat0: float, lat1: float, lon0: float, lon1: float) -> float:
    lons = np.linspace(lon0, lon1, 401)
    ring_lon = np.concatenate([lons, lons[::-1]])
    ring_lat = np.concatenate([np.full(lons.size, lat0), np.full(lons.size, lat1)])
    area, _ = _GEOD.polygon_area_perimeter(ring_lon, ring_lat)
    return abs(area)


def truth_extent_area(edge_lat: float = 65.0, full_lat: float = 75.0) -> tuple[float, float]:
    """Independent extent and area (million km2) of the field :func:`raw_percent` writes.

    Extent counts cells at or above 15 % (after rounding to whole percent) and
    the pole hole (NSIDC convention); area sums concentration times area over
    the same cells without the pole hole. Land (the island) is not ocean.
    """
    # rounded percent >= 15  <=>  100 c >= 14.5
    lat15 = edge_lat + 0.145 * (full_lat - edge_lat)
    island = _box_area(*ISLAND)
    extent = _cap_area(lat15) - island
    edges = np.arange(lat15, POLE_HOLE_LAT + 1e-9, 0.02)
    if edges[-1] < POLE_HOLE_LAT:
        edges = np.append(edges, POLE_HOLE_LAT)
    caps = np.array([_cap_area(v) for v in edges])
    mids = (edges[:-1] + edges[1:]) / 2
    conc = np.floor(concentration_at(mids, edge_lat, full_lat) * 100 + 0.5) / 100
    area = float(np.sum(conc * (caps[:-1] - caps[1:]))) - island  # ice is 100 % at the island
    return extent / 1e12, area / 1e12


def _time_days(day: date, epoch: date) -> float:
    return float((day - epoch).days)


def _common_grid(ds: netCDF4.Dataset, xname: str, yname: str) -> None:
    xv = ds.createVariable(xname, "f8", ("x",))
    xv[:] = X
    xv.units = "meters"
    xv.standard_name = "projection_x_coordinate"
    yv = ds.createVariable(yname, "f8", ("y",))
    yv[:] = Y
    yv.units = "meters"
    yv.standard_name = "projection_y_coordinate"


def _nsidc_flags(pct: np.ndarray, code: np.ndarray) -> np.ndarray:
    out = pct.copy()
    out[code > 0] = code[code > 0]
    return out


def write_g02202_v4(path: Path, day: date = date(2023, 9, 15), shift: float = 0.0) -> Path:
    """A file in the G02202 v4 daily layout: ``cdr_seaice_conc(tdim, y, x)`` on ``xgrid``/``ygrid``.

    Packed uint8, scale_factor 0.01, _FillValue 255, flag_values 251-255.
    """
    pct, code = raw_percent(shift)
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.createDimension("tdim", 1)
        ds.createDimension("y", NY)
        ds.createDimension("x", NX)
        ds.title = (
            "NOAA/NSIDC Climate Data Record of Passive Microwave Sea Ice Concentration Version 4"
        )
        ds.product_version = "v04r00"
        ds.id = "https://doi.org/10.7265/efmz-2t65"
        t = ds.createVariable("time", "f8", ("tdim",))
        t.units = "days since 1601-01-01 00:00:00"
        t.calendar = "standard"
        t[:] = [_time_days(day, date(1601, 1, 1))]
        _common_grid(ds, "xgrid", "ygrid")
        proj = ds.createVariable("projection", "S1")
        proj.grid_mapping_name = "polar_stereographic"
        proj.straight_vertical_longitude_from_pole = -45.0
        proj.standard_parallel = 70.0
        var = ds.createVariable(
            "cdr_seaice_conc", "u1", ("tdim", "y", "x"), fill_value=255, zlib=True
        )
        var.set_auto_maskandscale(False)
        var.scale_factor = np.float32(0.01)  # as NSIDC and OSI SAF store it: 0.01f
        var.valid_range = np.array([0, 100], np.uint8)
        var.flag_values = np.array([251, 252, 253, 254, 255], np.uint8)
        var.flag_meanings = "pole_hole_mask unused coast land missing"
        var.units = "1"
        var.grid_mapping = "projection"
        var[0] = _nsidc_flags(pct, code)
        other = ds.createVariable("nsidc_nt_seaice_conc", "u1", ("tdim", "y", "x"), zlib=True)
        other.set_auto_maskandscale(False)
        other[0] = _nsidc_flags(pct, code)
    return path


def write_g02202_v5(path: Path, day: date = date(2023, 9, 15), version: str = "v05r00") -> Path:
    """A file in the G02202 v5/v6 layout: ``cdr_seaice_conc(time, y, x)`` on ``x``/``y``."""
    pct, code = raw_percent()
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.createDimension("time", 1)
        ds.createDimension("y", NY)
        ds.createDimension("x", NX)
        ds.product_version = version
        t = ds.createVariable("time", "f8", ("time",))
        t.units = "days since 1970-01-01"
        t[:] = [_time_days(day, date(1970, 1, 1))]
        _common_grid(ds, "x", "y")
        crs = ds.createVariable("crs", "i4")
        crs.grid_mapping_name = "polar_stereographic"
        var = ds.createVariable(
            "cdr_seaice_conc", "u1", ("time", "y", "x"), fill_value=255, zlib=True
        )
        var.set_auto_maskandscale(False)
        var.scale_factor = np.float32(0.01)  # as NSIDC and OSI SAF store it: 0.01f
        var.flag_values = np.array([251, 252, 253, 254], np.uint8)
        var.flag_meanings = "pole_hole_mask lake coast land"
        var.units = "1"
        var[0] = _nsidc_flags(pct, code)
    return path


def write_nsidc0051(
    path: Path, day: date = date(2023, 9, 15), near_real_time: bool = False
) -> Path:
    """NSIDC-0051 v2 (or 0081) NetCDF: ``F17_ICECON(time, y, x)`` uint8, scale 0.004 (0-250)."""
    pct, code = raw_percent()
    raw = np.floor(pct.astype(float) * 2.5 + 0.5).astype(np.uint8)  # 0-250
    raw[code > 0] = code[code > 0]
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.createDimension("time", 1)
        ds.createDimension("y", NY)
        ds.createDimension("x", NX)
        ds.id = "nsidc-0081" if near_real_time else "nsidc-0051"
        ds.title = (
            "Near-Real-Time DMSP SSMIS Daily Polar Gridded Sea Ice Concentrations"
            if near_real_time
            else "Sea Ice Concentrations from Nimbus-7 SMMR and DMSP SSM/I-SSMIS"
        )
        t = ds.createVariable("time", "f8", ("time",))
        t.units = "days since 1970-01-01"
        t[:] = [_time_days(day, date(1970, 1, 1))]
        _common_grid(ds, "x", "y")
        name = "F18_ICECON" if near_real_time else "F17_ICECON"
        var = ds.createVariable(name, "u1", ("time", "y", "x"), zlib=True)
        var.set_auto_maskandscale(False)
        var.scale_factor = np.float32(0.004)
        var.add_offset = 0.0
        var.valid_range = np.array([0, 250], np.uint8)
        var.flag_values = np.array([251, 252, 253, 254, 255], np.uint8)
        var.flag_meanings = "pole_hole unused coast land missing"
        var[0] = raw
    return path


def write_osisaf(path: Path, day: date = date(2023, 9, 15)) -> Path:
    """OSI SAF OSI-401 layout: ``ice_conc(time, yc, xc)`` int16 percent x 100, xc/yc in km."""
    pct, code = raw_percent()
    data = (pct.astype(np.int16) * 100).astype(np.int16)
    data[code > 0] = -32767
    data[code == 251] = 10000  # OSI SAF fills the pole hole
    status = np.zeros(pct.shape, np.int8)
    status[code == 254] = 1
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.createDimension("time", 1)
        ds.createDimension("yc", NY)
        ds.createDimension("xc", NX)
        ds.title = "Daily sea ice concentration analysis from OSI SAF (OSI-401-d)"
        t = ds.createVariable("time", "f8", ("time",))
        t.units = "seconds since 1978-01-01 00:00:00"
        t[:] = [_time_days(day, date(1978, 1, 1)) * 86400 + 43200]
        xc = ds.createVariable("xc", "f8", ("xc",))
        xc[:] = X / 1000.0
        xc.units = "km"
        yc = ds.createVariable("yc", "f8", ("yc",))
        yc[:] = Y / 1000.0
        yc.units = "km"
        gm = ds.createVariable("Polar_Stereographic_Grid", "i4")
        gm.grid_mapping_name = "polar_stereographic"
        gm.straight_vertical_longitude_from_pole = -45.0
        gm.latitude_of_projection_origin = 90.0
        gm.standard_parallel = 70.0
        gm.false_easting = 0.0
        gm.false_northing = 0.0
        gm.semi_major_axis = 6378137.0
        gm.inverse_flattening = 298.257223563
        var = ds.createVariable(
            "ice_conc", "i2", ("time", "yc", "xc"), fill_value=-32767, zlib=True
        )
        var.set_auto_maskandscale(False)
        var.scale_factor = np.float32(0.01)  # as NSIDC and OSI SAF store it: 0.01f
        var.units = "%"
        var.grid_mapping = "Polar_Stereographic_Grid"
        var[0] = data
        sf = ds.createVariable("status_flag", "i1", ("time", "yc", "xc"), zlib=True)
        sf[0] = status
    return path


def write_latlon(path: Path, lat_step: float = 0.25) -> Path:
    """A regular lat/lon grid (G10010 layout): ``seaice_conc(time, latitude, longitude)`` in %, land 120."""
    lat = np.arange(90 - lat_step / 2, 55, -lat_step)
    lon = np.arange(lat_step / 2, 360, lat_step)
    lon2, lat2 = np.meshgrid(lon, lat)
    pct = np.floor(concentration_at(lat2) * 100 + 0.5).astype(np.float32)
    pct[(lat2 >= ISLAND[0]) & (lat2 <= ISLAND[1]) & (lon2 <= ISLAND[3])] = 120.0
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.createDimension("time", 1)
        ds.createDimension("latitude", lat.size)
        ds.createDimension("longitude", lon.size)
        t = ds.createVariable("time", "f8", ("time",))
        t.units = "days since 1850-01-01"
        t[:] = [_time_days(date(2020, 9, 1), date(1850, 1, 1))]
        ds.createVariable("latitude", "f4", ("latitude",))[:] = lat
        ds.createVariable("longitude", "f4", ("longitude",))[:] = lon
        var = ds.createVariable("seaice_conc", "f4", ("time", "latitude", "longitude"), zlib=True)
        var.units = "%"
        var[0] = pct
    return path


def write_sii_geotiff(
    folder: Path, day: date = date(2023, 9, 15), kind: str = "concentration"
) -> Path:
    """A Sea Ice Index daily GeoTIFF: concentration in tenths of % (flags 2510-2550) or extent 0/1."""
    import rasterio
    from rasterio.transform import from_origin

    pct, code = raw_percent()
    if kind == "concentration":
        data = pct.astype(np.uint16) * 10
        data[code > 0] = code[code > 0].astype(np.uint16) * 10
    else:
        data = (pct >= 15).astype(np.uint8)
        data[code > 0] = code[code > 0]
    path = folder / f"N_{day:%Y%m%d}_{kind}_v3.0.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=NX,
        height=NY,
        count=1,
        dtype=data.dtype,
        crs="EPSG:3411",
        transform=from_origin(-3_850_000, 5_850_000, CELL, CELL),
    ) as dst:
        dst.write(data, 1)
    return path


def write_g02202_series(folder: Path, days: int, start: date = date(2023, 1, 1)) -> list[Path]:
    """``days`` daily G02202 v4 files named like NSIDC's, the edge moving a little each day."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(days):
        day = start + timedelta(days=i)
        shift = 3.0 * np.sin(2 * np.pi * i / 365.0)
        paths.append(
            write_g02202_v4(folder / f"seaice_conc_daily_nh_{day:%Y%m%d}_f17_v04r00.nc", day, shift)
        )
    return paths


def write_g02202_without_data(path: Path, how: str = "missing", day: date = date(2024, 1, 15)) -> Path:
    """A G02202 v4-layout file with no (or too little) data: the "no data is not zero" cases.

    ``how``:

    * ``"missing"`` - every cell 255, the product's own missing flag;
    * ``"nan"`` - the variable stored as float32 and every cell NaN (no flag);
    * ``"partial"`` - the usual field and surface, but every ocean cell
      between 68 and 82 N and 60 and 170 E (the Northern Sea Route's water,
      about 5 % of the grid's ocean) marked missing (255).
    """
    pct, code = raw_percent()
    values = _nsidc_flags(pct, code)
    if how == "missing":
        values = np.full(values.shape, 255, np.uint8)
    elif how == "partial":
        lon, lat = grid_lonlat()
        box = (lat >= 68) & (lat <= 82) & (lon >= 60) & (lon <= 170) & (code == 0)
        values = values.copy()
        values[box] = 255
    elif how != "nan":
        raise ValueError(how)
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.createDimension("tdim", 1)
        ds.createDimension("y", NY)
        ds.createDimension("x", NX)
        ds.product_version = "v04r00"
        t = ds.createVariable("time", "f8", ("tdim",))
        t.units = "days since 1601-01-01 00:00:00"
        t[:] = [_time_days(day, date(1601, 1, 1))]
        _common_grid(ds, "xgrid", "ygrid")
        if how == "nan":
            var = ds.createVariable("cdr_seaice_conc", "f4", ("tdim", "y", "x"), zlib=True)
            var.set_auto_maskandscale(False)
            var.units = "1"
            var[0] = np.full((NY, NX), np.nan, np.float32)
        else:
            var = ds.createVariable(
                "cdr_seaice_conc", "u1", ("tdim", "y", "x"), fill_value=255, zlib=True
            )
            var.set_auto_maskandscale(False)
            var.scale_factor = np.float32(0.01)
            var.valid_range = np.array([0, 100], np.uint8)
            var.flag_values = np.array([251, 252, 253, 254, 255], np.uint8)
            var.flag_meanings = "pole_hole_mask unused coast land missing"
            var.units = "1"
            var[0] = values
    return path


def write_random_geotiff(path: Path, seed: int = 0, crs: str = "EPSG:3413") -> Path:
    """Uniform random uint16 on the NSIDC 25 km grid: a GeoTIFF that is no Sea Ice Index day."""
    import rasterio
    from rasterio.transform import from_origin

    data = np.random.default_rng(seed).integers(0, 65536, (NY, NX), dtype=np.uint16)
    with rasterio.open(
        path, "w", driver="GTiff", width=NX, height=NY, count=1, dtype="uint16", crs=crs,
        transform=from_origin(-3_850_000, 5_850_000, CELL, CELL),
    ) as dst:
        dst.write(data, 1)
    return path
