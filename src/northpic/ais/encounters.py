"""Encounters: two vessels side by side, slowly, away from ports.

Definition (Global Fishing Watch encounter events): two vessels within
``max_distance_m`` (500 m) of each other for at least ``min_hours``
(2 h), with a median speed under ``max_median_speed_kn`` (2 kn), at least
``min_port_km`` (10 km) from a port (GFW: from a coastal anchorage).

How: each vessel's slow reports are averaged into ``bin_minutes``
(10 min, as GFW interpolates tracks) time bins; one KD-tree over
(x, y, z, bin) finds every pair of vessels within 500 m in the same bin
without comparing all pairs; consecutive close bins of a pair (allowing
``max_missing_bins`` missing bins) form a run. "Away from ports" is at
least ``min_port_km`` from every port and terminal of the northpic
gazetteer (:mod:`northpic.ais.ports`) *and* from the Natural Earth
coastline, since every port lies on a shore.

The work is split in two so that it can be distributed: per-vessel
:func:`encounter_candidates` (runs where the data lives), then
:func:`pair_encounters` on the gathered, much smaller, candidates.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.ais.events import detector_source, event_frame
from northpic.ais.loitering import mean_position
from northpic.ais.ports import distance_to_port_km
from northpic.ais.shore import distance_to_shore_km
from northpic.ais.spherical import EARTH_RADIUS_KM, to_xyz_m

MAX_DISTANCE_M = 500.0
MIN_HOURS = 2.0
MAX_MEDIAN_SPEED_KN = 2.0
MIN_PORT_KM = 10.0
BIN_MINUTES = 10.0
CANDIDATE_SPEED_KN = 5.0
MAX_MISSING_BINS = 2
_BIN_SEPARATION_M = 4.0 * EARTH_RADIUS_KM * 1000.0  # farther than any two points on Earth

CANDIDATE_COLUMNS = ("mmsi", "bin", "x", "y", "z", "sog")


def encounter_candidates(
    reports: pd.DataFrame,
    *,
    bin_minutes: float = BIN_MINUTES,
    candidate_speed_kn: float = CANDIDATE_SPEED_KN,
) -> pd.DataFrame:
    """Average each vessel's slow reports per time bin.

    Parameters
    ----------
    reports : pandas.DataFrame
        Cleaned reports sorted by ``(mmsi, time)``.
    bin_minutes : float
        Width of a time bin.
    candidate_speed_kn : float
        Reports at this speed or faster cannot be part of an encounter
        whose median speed is under 2 kn for hours, and are skipped.

    Returns
    -------
    pandas.DataFrame
        ``mmsi``, ``bin`` (int64 bin number since 1970), ``x``, ``y``,
        ``z`` (metres, see :func:`northpic.ais.spherical.to_xyz_m`) and
        mean ``sog`` (knots) per vessel and bin.
    """
    sog = reports["sog"].to_numpy()
    rows = np.flatnonzero(~(sog >= candidate_speed_kn))  # NaN speeds stay candidates
    if len(rows) == 0:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in CANDIDATE_COLUMNS})
    mmsi = reports["mmsi"].to_numpy()[rows]
    bins = reports["time"].array.asi8[rows] // int(bin_minutes * 60e9)
    starts = np.ones(len(rows), dtype=bool)
    starts[1:] = (mmsi[1:] != mmsi[:-1]) | (bins[1:] != bins[:-1])
    at = np.flatnonzero(starts)
    counts = np.diff(np.append(at, len(rows)))
    xyz = to_xyz_m(reports["lon"].to_numpy()[rows], reports["lat"].to_numpy()[rows])
    means = np.add.reduceat(xyz, at, axis=0) / counts[:, None]
    speed = np.nan_to_num(sog[rows], nan=0.0)
    return pd.DataFrame({
        "mmsi": mmsi[at],
        "bin": bins[at],
        "x": means[:, 0],
        "y": means[:, 1],
        "z": means[:, 2],
        "sog": np.add.reduceat(speed, at) / counts,
    })


def pair_encounters(
    candidates: pd.DataFrame,
    *,
    max_distance_m: float = MAX_DISTANCE_M,
    min_hours: float = MIN_HOURS,
    max_median_speed_kn: float = MAX_MEDIAN_SPEED_KN,
    min_port_km: float = MIN_PORT_KM,
    bin_minutes: float = BIN_MINUTES,
    max_missing_bins: int = MAX_MISSING_BINS,
    source: str = "AIS reports",
) -> gpd.GeoDataFrame:
    """Find encounters among binned candidates (see :func:`encounter_candidates`).

    Parameters
    ----------
    candidates : pandas.DataFrame
        Candidates of all vessels (from one or many partitions).
    max_distance_m : float
        Vessels closer than this are together (GFW: 500 m).
    min_hours : float
        Shortest encounter (GFW: 2 h).
    max_median_speed_kn : float
        Median speed of both vessels during it (GFW: under 2 kn).
    min_port_km : float
        Distance from ports and shore (GFW: 10 km from an anchorage).
    bin_minutes : float
        The bin width used for the candidates.
    max_missing_bins : int
        Bins without a close report that do not break an encounter.
    source : str
        Citation.

    Returns
    -------
    geopandas.GeoDataFrame
        Event rows of kind ``encounter`` (``mmsi`` < ``other_mmsi``) at
        the mean position, with ``duration_h``, ``median_speed_kn``,
        ``min_distance_m``, ``mean_distance_m``, ``port_km``, ``shore_km``.
    """
    from scipy.spatial import cKDTree

    cand = candidates.sort_values(["mmsi", "bin"], kind="stable").reset_index(drop=True)
    if len(cand) < 2:
        return event_frame("encounter", mmsi=[], start=[], end=[], geometry=[],
                           confidence=[], evidence=[], label=[])
    bins = cand["bin"].to_numpy()
    points = np.column_stack((
        cand["x"].to_numpy(), cand["y"].to_numpy(), cand["z"].to_numpy(),
        (bins - bins.min()).astype(float) * _BIN_SEPARATION_M,
    ))
    pairs = cKDTree(points).query_pairs(r=max_distance_m, output_type="ndarray")
    mmsi = cand["mmsi"].to_numpy()
    if len(pairs):
        pairs = pairs[mmsi[pairs[:, 0]] != mmsi[pairs[:, 1]]]
    if len(pairs) == 0:
        return event_frame("encounter", mmsi=[], start=[], end=[], geometry=[],
                           confidence=[], evidence=[], label=[])
    swap = mmsi[pairs[:, 0]] > mmsi[pairs[:, 1]]
    pairs[swap] = pairs[swap][:, ::-1]
    a, b = pairs[:, 0], pairs[:, 1]
    close = pd.DataFrame({
        "a": mmsi[a], "b": mmsi[b], "bin": bins[a],
        "sog_a": cand["sog"].to_numpy()[a], "sog_b": cand["sog"].to_numpy()[b],
        "x": (points[a, 0] + points[b, 0]) / 2, "y": (points[a, 1] + points[b, 1]) / 2,
        "z": (points[a, 2] + points[b, 2]) / 2,
        "d": np.linalg.norm(points[a, :3] - points[b, :3], axis=1),
    }).sort_values(["a", "b", "bin"], kind="stable").reset_index(drop=True)
    new_run = np.ones(len(close), dtype=bool)
    new_run[1:] = (
        (close["a"].to_numpy()[1:] != close["a"].to_numpy()[:-1])
        | (close["b"].to_numpy()[1:] != close["b"].to_numpy()[:-1])
        | (np.diff(close["bin"].to_numpy()) > max_missing_bins + 1)
    )
    close["run"] = np.cumsum(new_run)
    runs = close.groupby("run", sort=True).agg(
        a=("a", "first"), b=("b", "first"), first_bin=("bin", "min"), last_bin=("bin", "max"),
        x=("x", "mean"), y=("y", "mean"), z=("z", "mean"), min_d=("d", "min"),
        mean_d=("d", "mean"), bins=("bin", "size"),
    )
    speeds = pd.concat([
        close[["run", "sog_a"]].rename(columns={"sog_a": "sog"}),
        close[["run", "sog_b"]].rename(columns={"sog_b": "sog"}),
    ])
    runs["median_sog"] = speeds.groupby("run")["sog"].median()
    width_h = bin_minutes / 60.0
    runs["hours"] = (runs["last_bin"] - runs["first_bin"] + 1) * width_h
    runs = runs[(runs["hours"] >= min_hours) & (runs["median_sog"] < max_median_speed_kn)]
    lon, lat = mean_position(runs["x"].to_numpy(), runs["y"].to_numpy(), runs["z"].to_numpy())
    port_km = distance_to_port_km(lon, lat)
    shore_km = distance_to_shore_km(lon, lat)
    away = (port_km >= min_port_km) & (shore_km >= min_port_km)
    runs, lon, lat = runs[away], lon[away], lat[away]
    port_km, shore_km = port_km[away], shore_km[away]
    bin_ns = int(bin_minutes * 60e9)
    start = pd.to_datetime(runs["first_bin"].to_numpy() * bin_ns, utc=True)
    end = pd.to_datetime((runs["last_bin"].to_numpy() + 1) * bin_ns, utc=True)
    coverage = runs["bins"].to_numpy() / (runs["last_bin"] - runs["first_bin"] + 1).to_numpy()
    return event_frame(
        "encounter",
        mmsi=runs["a"].to_numpy(),
        other_mmsi=runs["b"].to_numpy(),
        start=start,
        end=end,
        geometry=shapely.points(lon, lat),
        confidence=np.where(coverage >= 0.8, "high", "medium"),
        evidence=[
            f"within {m:.0f} m (mean {d:.0f} m) for {h:.1f} h at median {v:.1f} kn; "
            f"{p:.0f} km from the nearest listed port, {s:.0f} km from shore"
            for m, d, h, v, p, s in zip(runs["min_d"], runs["mean_d"], runs["hours"],
                                        runs["median_sog"], port_km, shore_km, strict=True)
        ],
        label=[f"{h:.1f} h" for h in runs["hours"]],
        measures={
            "duration_h": np.round(runs["hours"].to_numpy(), 2),
            "median_speed_kn": np.round(runs["median_sog"].to_numpy(), 2),
            "min_distance_m": np.round(runs["min_d"].to_numpy(), 1),
            "mean_distance_m": np.round(runs["mean_d"].to_numpy(), 1),
            "port_km": np.round(port_km, 1),
            "shore_km": np.round(shore_km, 1),
        },
        precision_km=0.5,
        source=source,
        notes=(
            f"Two vessels within {max_distance_m:g} m for at least {min_hours:g} h at a median "
            f"speed under {max_median_speed_kn:g} kn, at least {min_port_km:g} km from ports "
            "and shore (Global Fishing Watch encounter definition; positions averaged in "
            f"{bin_minutes:g}-minute bins)."
        ),
    )


def detect_encounters(
    reports: pd.DataFrame,
    *,
    max_distance_m: float = MAX_DISTANCE_M,
    min_hours: float = MIN_HOURS,
    max_median_speed_kn: float = MAX_MEDIAN_SPEED_KN,
    min_port_km: float = MIN_PORT_KM,
    bin_minutes: float = BIN_MINUTES,
    source: str | None = None,
) -> gpd.GeoDataFrame:
    """Find encounters between vessels (see the module docstring for the definition).

    Parameters are those of :func:`pair_encounters`; ``reports`` are
    cleaned reports sorted by ``(mmsi, time)``.

    Examples
    --------
    Two vessels adrift 110 m apart in the Barents Sea for three hours:

    >>> from northpic.ais.cleaning import clean_reports
    >>> times = pd.date_range("2026-01-31", periods=37, freq="5min", tz="UTC")
    >>> pair = pd.DataFrame({
    ...     "mmsi": np.repeat([273000001, 273000002], 37), "time": times.append(times),
    ...     "lat": np.repeat([74.0, 74.001], 37), "lon": np.tile(30 + np.arange(37) / 2000, 2),
    ...     "sog": 0.2,
    ... })
    >>> encounters = detect_encounters(clean_reports(pair).reports)
    >>> encounters[["mmsi", "other_mmsi"]].values.tolist()
    [[273000001, 273000002]]
    >>> bool(encounters["duration_h"].min() >= 3)
    True
    """
    return pair_encounters(
        encounter_candidates(reports, bin_minutes=bin_minutes),
        max_distance_m=max_distance_m, min_hours=min_hours,
        max_median_speed_kn=max_median_speed_kn, min_port_km=min_port_km,
        bin_minutes=bin_minutes,
        source=source or detector_source(reports.attrs.get("sources", [])),
    )
