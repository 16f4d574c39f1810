"""Extent, area, anomalies, time series and monthly means of sea-ice concentration.

All functions take the standard Dataset of :mod:`northpic.seaice.products`
(``sic``, ``flag`` and the true ``cell_area``) and work lazily on dask.

NSIDC conventions (Sea Ice Index, G02135):

* **extent** is the total area of cells with at least 15 % concentration;
  the pole hole (no satellite view) counts as ice-covered;
* **area** sums concentration times cell area over the same cells, without
  the pole hole (its concentration is unknown), so area is a lower bound.

Values are in million km2 (``mkm2``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from northpic.seaice.products import POLE_HOLE

#: NSIDC's extent threshold (fraction).
EXTENT_THRESHOLD = 0.15
_MKM2 = 1e12  # m2 in a million km2


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
        Standard form (see :func:`northpic.seaice.products.open_concentration`).
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
        Columns ``date`` (ISO date or None), ``extent_mkm2``, ``area_mkm2``,
        one row per time step in time order.

    Examples
    --------
    >>> from northpic.seaice.products import open_concentration
    >>> ds = open_concentration("seaice_conc_daily_nh_20230915_f17_v04r00.nc")  # doctest: +SKIP
    >>> extent_and_area(ds)  # doctest: +SKIP
             date  extent_mkm2  area_mkm2
    0  2023-09-15        4.23       3.19
    """
    both = xr.Dataset(
        {"extent_mkm2": sea_ice_extent(ds, threshold), "area_mkm2": sea_ice_area(ds, threshold)}
    )
    both = both.compute()
    times = pd.to_datetime(both["time"].values)
    return pd.DataFrame(
        {
            "date": [None if pd.isna(t) else t.date().isoformat() for t in times],
            "extent_mkm2": both["extent_mkm2"].values.astype(float),
            "area_mkm2": both["area_mkm2"].values.astype(float),
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
    """Mean of the daily extents and areas per month (NSIDC's monthly-average convention)."""
    daily = xr.Dataset(
        {"extent_mkm2": sea_ice_extent(ds, threshold), "area_mkm2": sea_ice_area(ds, threshold)}
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
