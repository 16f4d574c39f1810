"""The standard form every sea-ice reader returns, its flag codes and its checks.

Every reader of :mod:`northpic.io.seaice` returns this form:

``sic`` (time, y, x) float32
    Sea-ice area fraction 0-1; NaN where the cell holds no ocean value.
``flag`` (time, y, x) uint8
    0 for a valid ocean value, else the NSIDC code: 251 pole hole,
    252 unused/lake, 253 coast, 254 land, 255 missing.
``cell_area`` (y, x) coordinate
    True cell area in m2 (see :mod:`northpic.io.seaice.grid`).
``x``, ``y``
    Cell centres in metres of ``attrs["crs"]`` (EPSG:3413 for NSIDC), or
    longitude/latitude in degrees for regular lat/lon grids
    (``attrs["crs"] == "EPSG:4326"``, longitudes in -180..180).

and attributes ``product``, ``title``, ``source`` (the citation), ``path``
and ``crs``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from northpic.errors import DataFileError
from northpic.io.seaice.grid import geographic_cell_area, projected_cell_area

POLE_HOLE, UNUSED, COAST, LAND, MISSING = 251, 252, 253, 254, 255
FLAG_NAMES = {
    POLE_HOLE: "pole hole",
    UNUSED: "unused/lake",
    COAST: "coast",
    LAND: "land",
    MISSING: "missing",
}

CITATIONS = {
    "G02202": "Meier, W. N., F. Fetterer, A. K. Windnagel, J. S. Stewart. NOAA/NSIDC Climate Data "
    "Record of Passive Microwave Sea Ice Concentration (G02202). NSIDC. "
    "doi:10.7265/efmz-2t65",
    "NSIDC-0051": "DiGirolamo, N., C. L. Parkinson, D. J. Cavalieri, P. Gloersen, H. J. Zwally. "
    "Sea Ice Concentrations from Nimbus-7 SMMR and DMSP SSM/I-SSMIS Passive "
    "Microwave Data (NSIDC-0051), Version 2. NSIDC. doi:10.5067/MPYG15WAA4WX",
    "NSIDC-0081": "Meier, W. N., F. Fetterer, A. K. Windnagel, J. S. Stewart. Near-Real-Time "
    "DMSP SSMIS Daily Polar Gridded Sea Ice Concentrations (NSIDC-0081), Version 2. "
    "NSIDC. doi:10.5067/YTTHO2FJQ97K",
    "OSI SAF": "EUMETSAT Ocean and Sea Ice Satellite Application Facility, Global sea ice "
    "concentration (OSI-401 / OSI-430), www.osi-saf.org",
    "G10010": "Walsh, J. E., W. L. Chapman, F. Fetterer, J. S. Stewart. Gridded Monthly Sea Ice "
    "Extent and Concentration, 1850 Onward (G10010), Version 2. NSIDC. "
    "doi:10.7265/jj4s-tq79",
    "G02135": "Fetterer, F., K. Knowles, W. N. Meier, M. Savoie, A. K. Windnagel. Sea Ice Index, "
    "Version 3 (G02135). NSIDC. doi:10.7265/N5K072F8",
}


def standard_form(
    sic: xr.DataArray,
    flag: xr.DataArray,
    *,
    x: np.ndarray,
    y: np.ndarray,
    crs: str,
    time: np.ndarray,
    product: str,
    title: str,
    path: str,
    citation: str,
) -> xr.Dataset:
    """Assemble the standard form from decoded ``sic`` and ``flag`` and the grid.

    Adds the true ``cell_area`` (:mod:`northpic.io.seaice.grid`), the CF
    attributes of each variable and the Dataset attributes ``product``,
    ``title``, ``source`` (the citation of ``citation`` in :data:`CITATIONS`,
    else ``citation`` itself), ``path`` and ``crs``.
    """
    if crs == "EPSG:4326":
        area = geographic_cell_area(y, x)
    else:
        area = projected_cell_area(x, y, crs)
    ds = xr.Dataset(
        {"sic": (("time", "y", "x"), sic.data), "flag": (("time", "y", "x"), flag.data)},
        coords={"time": time, "y": y, "x": x, "cell_area": (("y", "x"), area)},
        attrs={
            "product": product,
            "title": title,
            "source": CITATIONS.get(citation, citation),
            "path": path,
            "crs": crs,
        },
    )
    ds["sic"].attrs = {
        "long_name": "sea-ice concentration",
        "units": "1",
        "standard_name": "sea_ice_area_fraction",
    }
    ds["flag"].attrs = {
        "long_name": "surface flag",
        "flag_values": np.array(sorted(FLAG_NAMES), dtype=np.uint8),
        "flag_meanings": "pole_hole unused coast land missing",
        "comment": "0 where sic holds a valid ocean value",
    }
    ds["cell_area"].attrs = {"long_name": "true cell area", "units": "m2"}
    if crs == "EPSG:4326":
        ds["x"].attrs = {"standard_name": "longitude", "units": "degrees_east"}
        ds["y"].attrs = {"standard_name": "latitude", "units": "degrees_north"}
    else:
        ds["x"].attrs = {"standard_name": "projection_x_coordinate", "units": "m"}
        ds["y"].attrs = {"standard_name": "projection_y_coordinate", "units": "m"}
    return ds


#: The smallest grid that has an edge to trace: 2 x 2 cells.
def as_raster(field: xr.DataArray, crs: str) -> xr.DataArray:
    """Return one day's (y, x) field as a rioxarray raster in ``crs``, NaN as nodata.

    Only the ``x``/``y`` coordinates are kept (``cell_area``, ``time`` and
    others are dropped), so the field can be reprojected or written.
    """
    import rioxarray  # noqa: F401  (registers .rio)

    field = field.drop_vars([c for c in field.coords if c not in ("x", "y")])
    field = field.rio.write_crs(crs).rio.set_spatial_dims(x_dim="x", y_dim="y")
    return field.rio.write_nodata(np.nan, encoded=False)


MIN_GRID_CELLS = 2


def check_grid(ds: xr.Dataset, path: str) -> None:
    """Refuse a standard-form Dataset whose grid cannot be a concentration field.

    The ``x`` and ``y`` cell centres must be finite, strictly monotonic and at
    least :data:`MIN_GRID_CELLS` long, and ``sic`` must lie on them.

    Raises
    ------
    DataFileError
        Naming the file and what is wrong with its grid.
    """
    for axis in ("x", "y"):
        values = np.asarray(ds[axis].values, dtype=float)
        if values.ndim != 1 or values.size < MIN_GRID_CELLS:
            raise DataFileError(path, f"the grid has {values.size} cell(s) along {axis}; "
                                      f"at least {MIN_GRID_CELLS} are needed")
        if not np.isfinite(values).all():
            raise DataFileError(path, f"the {axis} coordinates are not all finite numbers")
        steps = np.diff(values)
        if not ((steps > 0).all() or (steps < 0).all()):
            raise DataFileError(path, f"the {axis} coordinates are not strictly increasing or "
                                      "decreasing")
    if ds["sic"].dims[-2:] != ("y", "x"):
        raise DataFileError(path, f"concentration lies on {ds['sic'].dims}, not (time, y, x)")
