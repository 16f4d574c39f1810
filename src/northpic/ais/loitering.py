"""Loitering: one vessel moving slowly, far from shore, for hours.

Definition (Global Fishing Watch loitering events): a vessel whose
average speed stays under ``max_speed_kn`` (2 kn) for at least
``min_hours`` (1 h; GFW publishes events from 1 h and filters carrier
loitering at 2 h and more), at least ``min_shore_nm`` (20 nm) from shore.
A run of reports with speed over ground under the limit is a candidate;
its average speed is the distance sailed over the time taken. Reports more
than ``max_gap_hours`` apart break a run.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.ais.events import detector_source, event_frame
from northpic.ais.shore import distance_to_shore_km
from northpic.ais.spherical import KM_PER_NM, to_xyz_m

MAX_SPEED_KN = 2.0
MIN_HOURS = 1.0
MIN_SHORE_NM = 20.0
MAX_GAP_HOURS = 2.0


def mean_position(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of the mean of unit-sphere Cartesian coordinates (safe at 180 degrees)."""
    lon = np.degrees(np.arctan2(y, x))
    lat = np.degrees(np.arctan2(z, np.hypot(x, y)))
    return lon, lat


def run_means(
    reports: pd.DataFrame, first: np.ndarray, last: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean lon/lat (on the sphere) of the rows ``first[k]..last[k]`` of each run."""
    if len(first) == 0:
        return np.empty(0), np.empty(0)
    rows, count, starts = _run_rows(first, last)
    xyz = to_xyz_m(reports["lon"].to_numpy()[rows], reports["lat"].to_numpy()[rows])
    sums = np.add.reduceat(xyz, starts, axis=0) / count[:, None]
    return mean_position(sums[:, 0], sums[:, 1], sums[:, 2])


def _run_rows(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """List the rows ``first[k]..last[k]`` of every run, one run after another.

    Returns those rows, the number of rows of each run (0 when ``last[k] <
    first[k]``) and where each run starts among them.
    """
    count = np.maximum(last - first + 1, 0)
    starts = np.cumsum(count) - count
    rows = np.arange(count.sum()) + np.repeat(first - starts, count)
    return rows, count, starts


def slow_runs(
    reports: pd.DataFrame, max_speed_kn: float, max_gap_hours: float
) -> tuple[np.ndarray, np.ndarray]:
    """First and last row of every run of consecutive slow reports of one vessel."""
    sog = reports["sog"].to_numpy()
    dt = reports["dt_s"].to_numpy()
    slow = sog < max_speed_kn
    unknown = np.flatnonzero(np.isnan(sog))  # no speed reported: the implied one
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = reports["step_km"].to_numpy()[unknown] / KM_PER_NM / (dt[unknown] / 3600.0)
    slow[unknown] = implied < max_speed_kn
    rows = np.flatnonzero(slow)
    if len(rows) == 0:
        return rows, rows
    breaks = np.isnan(dt[rows]) | (dt[rows] > max_gap_hours * 3600.0)
    starts = np.ones(len(rows), dtype=bool)
    starts[1:] = (np.diff(rows) != 1) | breaks[1:]
    first = rows[starts]
    last_pos = np.append(np.flatnonzero(starts)[1:] - 1, len(rows) - 1)
    return first, rows[last_pos]


def _run_sums(values: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Sum of ``values[first[k]:last[k] + 1]`` for each k (NaN counted as 0; empty runs 0)."""
    rows, count, starts = _run_rows(first, last)
    if len(rows) == 0:
        return np.zeros(len(first))
    taken = np.nan_to_num(values[rows], nan=0.0)
    sums = np.add.reduceat(taken, np.minimum(starts, len(taken) - 1))
    return np.where(count > 0, sums, 0.0)


def detect_loitering(
    reports: pd.DataFrame,
    *,
    max_speed_kn: float = MAX_SPEED_KN,
    min_hours: float = MIN_HOURS,
    min_shore_nm: float = MIN_SHORE_NM,
    max_gap_hours: float = MAX_GAP_HOURS,
    source: str | None = None,
) -> gpd.GeoDataFrame:
    """Find loitering.

    Parameters
    ----------
    reports : pandas.DataFrame
        Cleaned reports.
    max_speed_kn : float
        Average speed limit (GFW: 2 kn).
    min_hours : float
        Shortest loitering reported (GFW: 1 h).
    min_shore_nm : float
        Mean position at least this far from shore (GFW: 20 nm).
    max_gap_hours : float
        Reports further apart than this break a run.
    source : str, optional
        Citation; default from ``reports.attrs["sources"]``.

    Returns
    -------
    geopandas.GeoDataFrame
        Event rows of kind ``loitering`` at the mean position, with
        ``duration_h``, ``avg_speed_kn``, ``distance_km``, ``shore_nm``,
        ``reports``.
    """
    first, last = slow_runs(reports, max_speed_kn, max_gap_hours)
    t = reports["time"].array.asi8
    hours = (t[last] / 1e9 - t[first] / 1e9) / 3600.0
    keep = hours >= min_hours
    first, last, hours = first[keep], last[keep], hours[keep]
    distance = _run_sums(reports["step_km"].to_numpy(), first + 1, last)  # steps inside the run
    avg = distance / KM_PER_NM / np.maximum(hours, 1e-9)
    keep = avg < max_speed_kn
    first, last, hours = first[keep], last[keep], hours[keep]
    distance, avg = distance[keep], avg[keep]
    count = last - first + 1
    lon, lat = run_means(reports, first, last)
    shore = distance_to_shore_km(lon, lat) / KM_PER_NM
    keep = shore >= min_shore_nm
    sel = np.flatnonzero(keep)
    times = reports["time"]
    return event_frame(
        "loitering",
        mmsi=reports["mmsi"].to_numpy()[first[sel]],
        start=times.iloc[first[sel]],
        end=times.iloc[last[sel]],
        geometry=shapely.points(lon[sel], lat[sel]),
        confidence=np.where(hours[sel] >= 2 * min_hours, "high", "medium"),
        evidence=[
            f"{n} reports over {h:.1f} h averaging {v:.2f} kn, {s:.0f} nm from shore"
            for n, h, v, s in zip(count[sel], hours[sel], avg[sel], shore[sel], strict=True)
        ],
        label=[f"{h:.1f} h" for h in hours[sel]],
        measures={
            "duration_h": np.round(hours[sel], 2),
            "avg_speed_kn": np.round(avg[sel], 2),
            "distance_km": np.round(distance[sel], 2),
            "shore_nm": np.round(shore[sel], 1),
            "reports": count[sel],
        },
        precision_km=0.5,
        source=source or detector_source(reports.attrs.get("sources", [])),
        notes=(
            f"Average speed under {max_speed_kn:g} kn for at least {min_hours:g} h, at least "
            f"{min_shore_nm:g} nm from shore (Global Fishing Watch loitering definition); "
            "the point is the mean position."
        ),
    )
