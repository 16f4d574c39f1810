"""Write the sea-ice edge and concentration to GIS files (all writes atomic).

* :func:`write_edge` - edge polygons as GeoJSON or GeoPackage;
* :func:`write_concentration_geotiff` - a cloud-optimised GeoTIFF in EPSG:3413
  (percent, float32, NaN where no ocean value);
* :func:`write_concentration_netcdf` - CF-1.8 NetCDF with the grid mapping,
  ``sea_ice_area_fraction``, the surface flags and the true cell areas.

Existing files are refused unless ``overwrite=True``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import xarray as xr
from pyproj import CRS

from northpic.atomic import atomic_output, refuse_existing
from northpic.errors import UnsupportedFormatError
from northpic.io.seaice.grid import PSN25
from northpic.io.seaice.standard import as_raster
from northpic.seaice.edge import select_day

EDGE_FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}
GEOTIFF_SUFFIXES = (".tif", ".tiff")
NETCDF_SUFFIXES = (".nc",)


def _suffix(path: Path, allowed: tuple[str, ...] | dict, what: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise UnsupportedFormatError(
            f"{path}: cannot write {what} as {suffix or '(no extension)'}; "
            f"use one of {', '.join(allowed)}"
        )
    return suffix


def check_edge_output(path: str | Path, overwrite: bool = False) -> Path:
    """Refuse an ice-edge output before any work; return it as a Path.

    Raises
    ------
    UnsupportedFormatError
        If the extension is not one of :data:`EDGE_FORMATS`.
    OutputExistsError
        If the file exists and ``overwrite`` is false.
    """
    path = Path(path)
    _suffix(path, EDGE_FORMATS, "the ice edge")
    refuse_existing(path, overwrite)
    return path


def write_edge(frame: gpd.GeoDataFrame, path: str | Path, overwrite: bool = False) -> Path:
    """Write ice-edge polygons (from :func:`northpic.seaice.edge.ice_edge`).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        In EPSG:4326.
    path : str or pathlib.Path
        ``.geojson``/``.json`` (RFC 7946, through
        :func:`northpic.export.geojson.write_geojson_file`) or ``.gpkg``
        (layer ``sea_ice_edge``).
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    driver = EDGE_FORMATS[_suffix(path, EDGE_FORMATS, "the ice edge")]
    out = frame.copy()
    for column in ("valid_from", "valid_to"):
        if column in out.columns:
            out[column] = [None if v is None or v != v else v.isoformat() for v in out[column]]
    with atomic_output(path, directory=False, overwrite=overwrite) as tmp:
        if driver == "GeoJSON":  # the one RFC 7946 writer
            from northpic.export.geojson import write_geojson_file

            write_geojson_file(out, tmp, layer="sea_ice_edge")
        else:
            out.to_file(tmp, driver=driver, engine="pyogrio", layer="sea_ice_edge")
    return path


def _percent_polar(ds: xr.Dataset) -> xr.DataArray:
    """One day's concentration in percent, on EPSG:3413 (reprojected to 25 km if needed)."""
    day = select_day(ds)
    crs = day.attrs.get("crs", "EPSG:3413")
    pct = as_raster((day["sic"] * 100.0).astype(np.float32), crs)
    if crs != "EPSG:3413":
        from rasterio.enums import Resampling

        pct = pct.rio.reproject(
            "EPSG:3413", resolution=PSN25.cell_m, resampling=Resampling.nearest, nodata=np.nan
        )
    pct.attrs = {"long_name": "sea-ice concentration", "units": "percent"}
    return pct


def write_concentration_geotiff(ds: xr.Dataset, path: str | Path, overwrite: bool = False) -> Path:
    """Write one day's concentration as a cloud-optimised GeoTIFF in EPSG:3413.

    Parameters
    ----------
    ds : xarray.Dataset
        Standard form with one time step.
    path : str or pathlib.Path
        ``.tif`` or ``.tiff``.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        A COG (internal tiles, overviews, DEFLATE) of float32 percent, NaN
        where the cell is land, coast, pole hole or missing.
    """
    path = Path(path)
    _suffix(path, GEOTIFF_SUFFIXES, "concentration")
    pct = _percent_polar(ds)
    with atomic_output(path, directory=False, overwrite=overwrite) as tmp:
        pct.rio.to_raster(
            tmp,
            driver="COG",
            compress="DEFLATE",
            predictor="YES",
            overview_resampling="average",
            blocksize=256,
            tags={
                "source": str(ds.attrs.get("source", "")),
                "product": str(ds.attrs.get("product", "")),
                "units": "percent",
            },
        )
    return path


def concentration_cf(ds: xr.Dataset) -> xr.Dataset:
    """Return ``ds`` as a CF-1.8 Dataset (grid mapping, standard names, cell measures)."""
    out = xr.Dataset(
        attrs={
            "Conventions": "CF-1.8",
            "title": f"Sea-ice concentration from {ds.attrs.get('product', 'unknown product')}",
            "source": str(ds.attrs.get("source", "")),
            "references": str(ds.attrs.get("source", "")),
            "history": f"written by northpic from {Path(str(ds.attrs.get('path', ''))).name}",
        }
    )
    crs = str(ds.attrs.get("crs", "EPSG:3413"))
    out["sic"] = (
        ds["sic"]
        .astype(np.float32)
        .assign_attrs(
            standard_name="sea_ice_area_fraction",
            long_name="sea-ice concentration",
            units="1",
            cell_measures="area: cell_area",
            valid_min=np.float32(0),
            valid_max=np.float32(1),
        )
    )
    out["surface_flag"] = ds["flag"].assign_attrs(
        long_name="surface flag",
        flag_values=np.array([0, 251, 252, 253, 254, 255], np.uint8),
        flag_meanings="valid pole_hole unused coast land missing",
    )
    out = out.assign_coords(
        cell_area=ds["cell_area"].assign_attrs(
            standard_name="cell_area", units="m2", long_name="true cell area"
        )
    )
    if crs == "EPSG:4326":
        out = out.rename({"x": "lon", "y": "lat"})
        out["lon"].attrs = {"standard_name": "longitude", "units": "degrees_east", "axis": "X"}
        out["lat"].attrs = {"standard_name": "latitude", "units": "degrees_north", "axis": "Y"}
    else:
        out["crs"] = xr.DataArray(np.int32(0), attrs=CRS(crs).to_cf())
        for name in ("sic", "surface_flag"):
            out[name].attrs["grid_mapping"] = "crs"
        out["x"].attrs = {"standard_name": "projection_x_coordinate", "units": "m", "axis": "X"}
        out["y"].attrs = {"standard_name": "projection_y_coordinate", "units": "m", "axis": "Y"}
        from northpic.crs import transformer

        xx, yy = np.meshgrid(out["x"].values, out["y"].values)
        lon, lat = transformer(crs, "EPSG:4326").transform(xx, yy)
        out = out.assign_coords(
            lat=(
                ("y", "x"),
                np.asarray(lat, np.float32),
                {"standard_name": "latitude", "units": "degrees_north"},
            ),
            lon=(
                ("y", "x"),
                np.asarray(lon, np.float32),
                {"standard_name": "longitude", "units": "degrees_east"},
            ),
        )
        out["sic"].attrs["coordinates"] = "lat lon"
    out["time"].attrs = {"standard_name": "time", "axis": "T"}
    return out


def write_concentration_netcdf(ds: xr.Dataset, path: str | Path, overwrite: bool = False) -> Path:
    """Write concentration as CF-1.8 NetCDF (compressed; see :func:`concentration_cf`).

    Parameters
    ----------
    ds : xarray.Dataset
        Standard form, one or more time steps.
    path : str or pathlib.Path
        ``.nc``.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    _suffix(path, NETCDF_SUFFIXES, "concentration")
    out = concentration_cf(ds)
    encoding: dict[str, dict[str, Any]] = {
        "sic": {"zlib": True, "complevel": 4, "_FillValue": np.float32(np.nan)},
        "surface_flag": {"zlib": True, "complevel": 4, "_FillValue": None},
        "time": {"units": "days since 1970-01-01", "calendar": "standard", "dtype": "float64"},
    }
    with atomic_output(path, directory=False, overwrite=overwrite) as tmp:
        out.to_netcdf(tmp, engine="netcdf4", encoding=encoding)
    return path


def write_concentration(ds: xr.Dataset, path: str | Path, overwrite: bool = False) -> Path:
    """Write concentration as GeoTIFF (``.tif``) or CF NetCDF (``.nc``) by extension."""
    path = Path(path)
    suffix = _suffix(path, GEOTIFF_SUFFIXES + NETCDF_SUFFIXES, "concentration")
    if suffix in GEOTIFF_SUFFIXES:
        return write_concentration_geotiff(ds, path, overwrite)
    return write_concentration_netcdf(ds, path, overwrite)
