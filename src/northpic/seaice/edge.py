"""The ice edge: where concentration crosses 15 %, as valid polygons and lines.

Contours are traced with contourpy in the grid's own metric CRS (EPSG:3413
for NSIDC; lat/lon grids are projected there first), where the main ice
polygon is simple although it encloses the pole and crosses 180 degrees.
They are converted to EPSG:4326 at the end with
:func:`northpic.crs.polar_to_lonlat`. Land, coast and missing cells are
masked (the ice stops at the coast instead of spreading over land); the pole
hole counts as ice, as in NSIDC's extent.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr

from northpic.catalogue import LayerSpec
from northpic.crs import POLAR_CRS, polar_to_lonlat, transformer
from northpic.errors import BadInputError
from northpic.io.seaice.standard import POLE_HOLE
from northpic.schema import COMMON_COLUMNS
from northpic.seaice.analysis import EXTENT_THRESHOLD, require_data

LAYER = "sea_ice_observed"
#: Colour of an observed day's ice edge, in the map and in exports.
EDGE_COLOUR = "#08306b"


def observed_edge_spec(path: str | Path) -> LayerSpec:
    """Describe the observed ice edge of a concentration file as a picture layer.

    Parameters
    ----------
    path : str or pathlib.Path
        The concentration file the edge is traced from.

    Returns
    -------
    LayerSpec
        Layer :data:`LAYER`, environmental, ``observed``: ice areas outlined
        in the colour of the map's observed edge line.
    """
    return LayerSpec(
        name=LAYER, title="Sea ice observed (15 % concentration)", domain="environmental",
        file=Path(path), geometry="polygon", nature="observed",
        style={"color": EDGE_COLOUR, "fill": "#c6dbef", "weight": 2, "fill_opacity": 0.35},
        description=f"Areas of at least 15 % sea-ice concentration traced from {Path(path).name}.",
    )


def select_day(ds: xr.Dataset, date: str | None = None) -> xr.Dataset:
    """Return one time step of ``ds``: the given date, or the only one.

    Raises
    ------
    BadInputError
        If ``ds`` has several time steps and no date is given, or the date is absent.
    """
    if "time" not in ds.dims:
        return ds
    if date is None:
        if ds.sizes["time"] != 1:
            raise BadInputError(f"{ds.sizes['time']} dates in the data: choose one with a date")
        return ds.isel(time=0)
    try:
        return ds.sel(time=pd.Timestamp(date), method="nearest", tolerance=pd.Timedelta("12h"))
    except KeyError:
        raise BadInputError(f"no data for {date}") from None


def polar_field(day: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (x, y, z) for contouring in EPSG:3413: z is sic, pole hole 1, masked cells NaN.

    ``x``/``y`` are 1-D for NSIDC grids, 2-D for other grids (projected cell
    centres, with the first longitude column repeated at the end to close the
    seam of a global lat/lon grid).
    """
    z = np.asarray(day["sic"].values, dtype=float)
    z = np.where(np.asarray(day["flag"].values) == POLE_HOLE, 1.0, z)
    crs = day.attrs.get("crs", POLAR_CRS)
    x = np.asarray(day["x"].values, dtype=float)
    y = np.asarray(day["y"].values, dtype=float)
    if crs == POLAR_CRS:
        return x, y, z
    xx, yy = np.meshgrid(x, y)
    if crs == "EPSG:4326" and np.isclose((x[-1] - x[0]) + abs(x[1] - x[0]), 360.0):
        xx = np.concatenate([xx, xx[:, :1] + 360.0], axis=1)
        yy = np.concatenate([yy, yy[:, :1]], axis=1)
        z = np.concatenate([z, z[:, :1]], axis=1)
    px, py = transformer(str(crs), POLAR_CRS).transform(xx, yy)
    return np.asarray(px), np.asarray(py), z


def _geographic_pole_patch(
    day: xr.Dataset, z: np.ndarray, threshold: float
) -> shapely.Geometry | None:
    """Return the small cap a lat/lon grid leaves around the pole, if its top row is ice."""
    if day.attrs.get("crs") != "EPSG:4326":
        return None
    lat = np.asarray(day["y"].values, dtype=float)
    row = int(np.argmax(lat))
    if lat[row] < 89.0 or not np.nanmean(z[row] >= threshold) > 0.5:
        return None
    radius = (90.0 - lat[row] + 0.05) * 111_700.0
    return shapely.Point(0, 0).buffer(radius, 64)


def ice_polygons_polar(
    ds: xr.Dataset, threshold: float = 100 * EXTENT_THRESHOLD, date: str | None = None
) -> shapely.Geometry:
    """Return the area at or above ``threshold`` percent as one (Multi)Polygon in EPSG:3413."""
    import contourpy

    day = select_day(ds, date)
    x, y, z = polar_field(day)
    level = threshold / 100.0
    gen = contourpy.contour_generator(
        x, y, np.ma.masked_invalid(z), fill_type="OuterOffset", name="serial"
    )
    filled = gen.filled(level, np.inf)
    # fill_type OuterOffset returns (points, offsets): two lists of arrays, one item a polygon
    points = cast("list[np.ndarray]", filled[0])
    offsets = cast("list[np.ndarray]", filled[1])
    polygons = []
    for pts, offs in zip(points, offsets, strict=True):
        rings = [pts[offs[i] : offs[i + 1]] for i in range(len(offs) - 1)]
        rings = [r for r in rings if len(r) >= 4]
        if rings:
            polygons.append(shapely.Polygon(rings[0], rings[1:]))
    geom = shapely.make_valid(shapely.union_all(polygons)) if polygons else shapely.Polygon()
    patch = _geographic_pole_patch(day, z, level)
    if patch is not None:
        geom = shapely.union(geom, patch)
    return geom


def ice_edge(ds: xr.Dataset, threshold: float = 15, date: str | None = None) -> gpd.GeoDataFrame:
    """Return the ice (concentration >= ``threshold`` %) as valid polygons in EPSG:4326.

    Parameters
    ----------
    ds : xarray.Dataset
        Standard form (see :func:`northpic.io.seaice.open_concentration`).
    threshold : float
        Percent concentration of the edge (NSIDC's extent uses 15).
    date : str, optional
        The day to use when ``ds`` holds several.

    Raises
    ------
    NoDataError
        If under :data:`~northpic.seaice.analysis.MIN_VALID_FRACTION` of the
        day's ocean cells hold a value: missing cells are not open water, so
        no edge is drawn rather than a wrong one.

    Returns
    -------
    geopandas.GeoDataFrame
        A layer frame (common columns of :mod:`northpic.schema`) with one
        polygon per connected ice area, largest first, plus ``date``,
        ``threshold_pct``, ``product`` and ``area_km2`` (true area from an
        equal-area projection). The main polygon encloses the pole and is
        cut along 180 degrees.

    Examples
    --------
    A 100 km square of 90 % ice on the pole, on ten by ten 25 km cells:

    >>> import numpy as np, xarray as xr
    >>> from northpic.io.seaice.standard import standard_form
    >>> x = np.arange(-4.5, 5) * 25_000.0
    >>> block = (np.abs(x)[:, None] < 50_000) & (np.abs(x) < 50_000)
    >>> ds = standard_form(
    ...     xr.DataArray(np.where(block, 0.9, 0.0).astype("f4")[None]),
    ...     xr.DataArray(np.zeros((1, 10, 10), "u1")), x=x, y=x[::-1], crs="EPSG:3413",
    ...     time=np.array(["2023-09-15"], "datetime64[ns]"), product="demo", title="demo",
    ...     path="demo.nc", citation="demo")
    >>> edge = ice_edge(ds)
    >>> len(edge), bool(edge.is_valid.all()), edge.crs.to_epsg()
    (1, True, 4326)
    >>> bool(edge.geometry[0].covers(shapely.Point(0, 90))), edge.date[0]
    (True, '2023-09-15')
    """
    day = select_day(ds, date)
    require_data(day, "an ice edge")
    geom = ice_polygons_polar(day, threshold)
    parts = [p for p in shapely.get_parts(geom) if p.area > 0]
    laea = transformer(POLAR_CRS, "EPSG:6931")
    areas = [
        shapely.transform(
            shapely.segmentize(p, 25_000),
            lambda xy: np.column_stack(laea.transform(xy[:, 0], xy[:, 1])),
        ).area
        / 1e6
        for p in parts
    ]
    order = np.argsort(areas)[::-1]
    stamp = pd.Timestamp(day["time"].values) if "time" in day.coords else pd.NaT
    when = None if pd.isna(stamp) else stamp.floor("D")
    day_text = when.date().isoformat() if when is not None else "climatology"
    cell_km = _cell_km(day)
    rows = []
    for rank, i in enumerate(order):
        rows.append(
            {
                "id": f"{LAYER}-{day_text}-{rank + 1}",
                "name": f"Sea ice >= {threshold:g} %, {day_text}",
                "layer": LAYER,
                "domain": "environmental",
                "kind": "observed_extent",
                "source": f"{day.attrs.get('product', '')}: {day.attrs.get('source', '')}".strip(
                    ": "
                ),
                "confidence": "high" if when is not None else "medium",
                "precision_km": cell_km / 2,
                "valid_from": when,
                # the day's last second, as a valid_to date means (schema.parse_time)
                "valid_to": when + pd.Timedelta(days=1, seconds=-1) if when is not None else None,
                "date": day_text,
                "threshold_pct": float(threshold),
                "product": str(day.attrs.get("product", "")),
                "area_km2": round(float(areas[i]), 1),
                "geometry": polar_to_lonlat(parts[i]),
            }
        )
    columns = [*COMMON_COLUMNS, "date", "threshold_pct", "product", "area_km2", "geometry"]
    frame = gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs="EPSG:4326")
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def ice_edge_lines(
    ds: xr.Dataset, threshold: float = 15, date: str | None = None, min_km: float = 50.0
) -> shapely.Geometry:
    """Return the ``threshold`` % isoline (not the coast) as a MultiLineString in EPSG:3413.

    Pieces shorter than ``min_km`` (speckle) are dropped.
    """
    import contourpy

    day = select_day(ds, date)
    x, y, z = polar_field(day)
    gen = contourpy.contour_generator(
        x, y, np.ma.masked_invalid(z), line_type="Separate", name="serial"
    )
    lines = [shapely.LineString(pts) for pts in gen.lines(threshold / 100.0) if len(pts) >= 2]
    lines = [line for line in lines if line.length >= min_km * 1000.0]
    return shapely.MultiLineString(lines) if lines else shapely.MultiLineString()


def _cell_km(day: xr.Dataset) -> float:
    x = np.asarray(day["x"].values, dtype=float)
    step = abs(float(np.diff(x).mean())) if x.size > 1 else 25_000.0
    if day.attrs.get("crs") == "EPSG:4326":
        return step * 111.0 * 0.5  # degrees of longitude at about 60 N
    return step / 1000.0
