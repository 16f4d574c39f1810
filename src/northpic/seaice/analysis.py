"""Extent, area, anomalies, time series and monthly means of sea-ice concentration.

All functions take the standard Dataset of :mod:`northpic.io.seaice.standard`
(``sic``, ``flag`` and the true ``cell_area``) and work lazily on dask.

NSIDC conventions (Sea Ice Index, G02135):

* **extent** is the total area of cells with at least 15 % concentration;
  the pole hole (no satellite view) counts as ice-covered;
* **area** sums concentration times cell area over the same cells, without
  the pole hole (its concentration is unknown), so area is a lower bound.

Values are in million km2 (``mkm2``).

**No data is not zero.** A cell the product marks missing (flag 255, a
fill value, NaN) holds no concentration: it is neither ice nor open water.
:func:`valid_fraction` is the share of a day's ocean cells (valid plus
missing; land, coast, lakes and the pole hole left out) that hold a value.
A file that marks no cell as land, coast or lake (some encode land as NaN,
like missing cells) has its land told apart by the Natural Earth 1:10m land
(:func:`northpic.io.land.read_land`): a NaN cell whose centre is on land is
land, any other is missing.
A day under :data:`MIN_VALID_FRACTION` (90 %) has no extent or area: they
are NaN ("no data") beside its ``valid_fraction``, and :func:`require_data`
refuses such a day for the ice edge.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import shapely
import xarray as xr

from northpic.errors import NoDataError
from northpic.io.seaice.standard import COAST, LAND, MISSING, POLE_HOLE, UNUSED

#: NSIDC's extent threshold (fraction).
EXTENT_THRESHOLD = 0.15
_MKM2 = 1e12  # m2 in a million km2
#: The least share of a day's ocean cells that must hold a value for an answer (documented).
MIN_VALID_FRACTION = 0.9


def valid_fraction(ds: xr.Dataset) -> xr.DataArray:
    """Share of the ocean cells holding a concentration, per time step (0-1; 0 when none).

    Ocean cells are those with a value (flag 0) or marked missing (flag 255);
    land, coast, lakes and the pole hole are not counted either way.
    """
    flag = ds["flag"]
    missing = flag == MISSING
    land = _unflagged_land(ds)
    if land is not None:
        missing = missing & ~land
    valid = (flag == 0).sum(dim=("y", "x"))
    ocean = valid + missing.sum(dim=("y", "x"))
    share = xr.where(ocean > 0, valid / ocean.where(ocean > 0), 0.0)
    return share.rename("valid_fraction")


def _unflagged_land(ds: xr.Dataset) -> xr.DataArray | None:
    """Cells on Natural Earth land, for a grid whose first day flags no land; else None."""
    flag = ds["flag"]
    first = flag.isel(time=0) if "time" in flag.dims else flag
    if bool(first.isin([LAND, COAST, UNUSED]).any()) or not bool((first == MISSING).any()):
        return None
    from northpic.crs import transformer

    x = np.asarray(ds["x"].values, dtype=float)
    y = np.asarray(ds["y"].values, dtype=float)
    xx, yy = np.meshgrid(x, y)
    crs = str(ds.attrs.get("crs", "EPSG:3413"))
    if crs != "EPSG:4326":
        xx, yy = transformer(crs, "EPSG:4326").transform(xx, yy)
    on_land = shapely.contains_xy(_land_union(), np.asarray(xx), np.asarray(yy))
    return xr.DataArray(np.asarray(on_land, bool), dims=("y", "x"))


@functools.lru_cache(maxsize=1)
def _land_union() -> shapely.Geometry:
    """Natural Earth land north of 40 N as one prepared geometry (simplified to about 2 km)."""
    from northpic.io.land import read_land

    land = shapely.union_all(shapely.simplify(read_land(40.0).geometry.values, 0.02))
    shapely.prepare(land)
    return land


def require_data(day: xr.Dataset, what: str = "the data") -> float:
    """Refuse a day whose :func:`valid_fraction` is under :data:`MIN_VALID_FRACTION`.

    Returns
    -------
    float
        The day's valid fraction.

    Raises
    ------
    NoDataError
        Naming the file (``attrs["path"]``), the day and the share.
    """
    share = float(np.asarray(valid_fraction(day).values).reshape(-1)[0])
    if share < MIN_VALID_FRACTION:
        stamp = np.asarray(day["time"].values).reshape(-1)[0] if "time" in day.coords else None
        when = "" if stamp is None or pd.isna(stamp) else (
            f" on {pd.Timestamp(stamp).date().isoformat()}")
        raise NoDataError(
            f"{day.attrs.get('path', 'sea-ice data')}: no data{when}: only {100 * share:.1f} % "
            f"of the ocean cells hold a concentration (at least {100 * MIN_VALID_FRACTION:g} % "
            f"are needed for {what}); the rest are missing, which is not open water"
        )
    return share


def ice_mask(ds: xr.Dataset, threshold: float = EXTENT_THRESHOLD) -> xr.DataArray:
    """Return True where a cell counts as ice for the extent (``sic >= threshold``).

    Pole-hole cells are never ice here; extent conventions for the hole are
    applied by the callers.
    """
    return ds["sic"] >= threshold


def sea_ice_extent(
    ds: xr.Dataset, threshold: float = EXTENT_THRESHOLD, pole_hole: bool = True
) -> xr.DataArray:
    """Sea-ice extent per time step, in million km2.

    Parameters
    ----------
    ds : xarray.Dataset
        Standard form (see :func:`northpic.io.seaice.open_concentration`).
    threshold : float
        Concentration fraction at or above which a cell counts (0.15).
    pole_hole : bool
        Count the pole hole as ice (NSIDC's convention; default True).

    Returns
    -------
    xarray.DataArray
        Dimension ``time``, units ``million km2``.
    """
    counted = ice_mask(ds, threshold)
    if pole_hole:
        counted = counted | (ds["flag"] == POLE_HOLE)
    out = (counted * ds["cell_area"]).sum(dim=("y", "x")) / _MKM2
    return out.rename("extent_mkm2").assign_attrs(units="million km2", threshold=threshold)


def sea_ice_area(ds: xr.Dataset, threshold: float = EXTENT_THRESHOLD) -> xr.DataArray:
    """Sea-ice area per time step (concentration x true cell area, cells >= ``threshold``).

    The pole hole is left out, as in the Sea Ice Index. For an extent-only
    product (``attrs["extent_only"]``) the area is unknown: NaN.
    """
    if ds.attrs.get("extent_only"):
        return xr.full_like(ds["time"], np.nan, dtype=float).rename("area_mkm2")
    conc = ds["sic"].where(ice_mask(ds, threshold), 0.0)
    out = (conc * ds["cell_area"]).sum(dim=("y", "x")) / _MKM2
    return out.rename("area_mkm2").assign_attrs(units="million km2", threshold=threshold)


def extent_and_area(ds: xr.Dataset, threshold: float = EXTENT_THRESHOLD) -> pd.DataFrame:
    """Extent and area for every time step, computed in one pass.

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` (ISO date or None), ``extent_mkm2``, ``area_mkm2``
        and ``valid_fraction``, one row per time step in time order; extent
        and area are NaN (no data) where ``valid_fraction`` is under
        :data:`MIN_VALID_FRACTION`.

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
    >>> table = extent_and_area(ds)
    >>> table[["date", "valid_fraction"]].values.tolist()
    [['2023-09-15', 1.0]]

    The extent is 16 cells of true area: 625 km2 of map each, over the squared
    scale of EPSG:3413 at the pole, (1 + sin 70 degrees) / 2 on the sphere; the
    area is 90 % of it:

    >>> cells = 16 * 625 / ((1 + np.sin(np.radians(70))) / 2) ** 2 / 1e6
    >>> round(float(table.extent_mkm2[0]), 4), round(float(cells), 4)
    (0.0106, 0.0106)
    >>> round(float(table.area_mkm2[0] / table.extent_mkm2[0]), 6)
    0.9
    """
    return stats_table(extent_area_dataset(ds, threshold).compute())


def extent_area_dataset(ds: xr.Dataset, threshold: float = EXTENT_THRESHOLD) -> xr.Dataset:
    """Return the lazy extent, area and valid fraction per time step (see :func:`stats_table`)."""
    return xr.Dataset({
        "extent_mkm2": sea_ice_extent(ds, threshold),
        "area_mkm2": sea_ice_area(ds, threshold),
        "valid_fraction": valid_fraction(ds),
    })


def stats_table(done: xr.Dataset) -> pd.DataFrame:
    """Turn a computed :func:`extent_area_dataset` into a table, no-data days as NaN."""
    times = pd.to_datetime(np.asarray(done["time"].values).reshape(-1))
    share = np.asarray(done["valid_fraction"].values, dtype=float).reshape(-1)
    enough = share >= MIN_VALID_FRACTION
    return pd.DataFrame(
        {
            "date": [None if pd.isna(t) else t.date().isoformat() for t in times],
            "extent_mkm2": np.where(enough, done["extent_mkm2"].values.astype(float), np.nan),
            "area_mkm2": np.where(enough, done["area_mkm2"].values.astype(float), np.nan),
            "valid_fraction": share.round(4),
        }
    )


def monthly_means(ds: xr.Dataset) -> xr.Dataset:
    """Monthly mean concentration (each cell over the days of each month with data).

    Returns
    -------
    xarray.Dataset
        Standard form with one time step per month (month start). A cell
        with a concentration on any day of the month gets flag 0 and the
        mean of those days; a cell with none keeps the smallest flag code of
        its days (e.g. pole hole rather than missing).
    """
    sic = ds["sic"].resample(time="MS").mean()
    flag = ds["flag"].where(ds["sic"].isnull(), 0).resample(time="MS").min().astype(np.uint8)
    out = xr.Dataset({"sic": sic, "flag": flag}, attrs=dict(ds.attrs))
    out["sic"] = out["sic"].where(out["flag"] == 0)
    return out.assign_coords(cell_area=ds["cell_area"])


def monthly_extent(ds: xr.Dataset, threshold: float = EXTENT_THRESHOLD) -> pd.DataFrame:
    """Mean of the daily extents and areas per month (NSIDC's monthly-average convention).

    Days with no data (see :data:`MIN_VALID_FRACTION`) are left out of the mean.
    """
    enough = valid_fraction(ds) >= MIN_VALID_FRACTION
    daily = xr.Dataset(
        {"extent_mkm2": sea_ice_extent(ds, threshold).where(enough),
         "area_mkm2": sea_ice_area(ds, threshold).where(enough)}
    )
    monthly = daily.resample(time="MS").mean().compute()
    return pd.DataFrame(
        {
            "month": [pd.Timestamp(t).strftime("%Y-%m") for t in monthly["time"].values],
            "extent_mkm2": monthly["extent_mkm2"].values,
            "area_mkm2": monthly["area_mkm2"].values,
        }
    )


def extent_anomaly(extents: pd.DataFrame, medians: pd.Series) -> pd.DataFrame:
    """Compare extents with the 1981-2010 median for their calendar month.

    Parameters
    ----------
    extents : pandas.DataFrame
        With ``date`` (ISO) and ``extent_mkm2``, as from :func:`extent_and_area`.
    medians : pandas.Series
        Median extent in million km2 indexed by month 1-12 (see
        :func:`northpic.seaice.climatology.median_extent_mkm2`).

    Returns
    -------
    pandas.DataFrame
        ``extents`` plus ``median_mkm2``, ``anomaly_mkm2`` and ``anomaly_pct``.
    """
    out = extents.copy()
    months = pd.to_datetime(out["date"]).dt.month
    out["median_mkm2"] = months.map(medians).astype(float)
    out["anomaly_mkm2"] = out["extent_mkm2"] - out["median_mkm2"]
    out["anomaly_pct"] = 100.0 * out["anomaly_mkm2"] / out["median_mkm2"]
    return out
