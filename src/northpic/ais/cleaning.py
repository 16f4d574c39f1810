"""Clean AIS reports and count what was removed, per reason.

Reasons, checked in this order (a report is counted under the first that
applies):

``invalid_mmsi``
    Not a ship station identity: ships have 9-digit MMSIs whose first three
    digits (the maritime identification digits) are 201-775. Base stations,
    aids to navigation, SAR aircraft and placeholders (0, 123456789 with a
    bad MID...) are left out.
``missing_time``
    No usable time stamp.
``bad_position``
    Latitude or longitude missing, out of range, or AIS "not available"
    (91 / 181).
``on_land``
    At least 2 km inland on the global-land-mask 1 km raster
    (:func:`northpic.ais.landmask.is_on_land`).
``duplicate``
    The same vessel, time and position as the report before it.
``impossible_jump``
    A spike: the implied speed from the previous report and to the next one
    both exceed 50 knots over more than 1 km (``max_speed_kn``,
    ``min_jump_km``). Repeated until no spike is left. A lone jump that is
    not a spike (the track continues from the new place) is kept: the
    spoofing and identity detectors look at it.

Reports out of time order are not removed: the reports are sorted by
``(mmsi, time)`` and the number that arrived out of order is counted as
``out_of_order``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from northpic.ais.landmask import is_on_land
from northpic.ais.spherical import KM_PER_NM, haversine_km

#: Removal reasons, in the order they are checked.
REASONS = ("invalid_mmsi", "missing_time", "bad_position", "on_land", "duplicate",
           "impossible_jump")
MAX_SPEED_KN = 50.0
MIN_JUMP_KM = 1.0
_MAX_PASSES = 8


@dataclass
class CleanResult:
    """Clean, sorted reports plus what cleaning did.

    Attributes
    ----------
    reports : pandas.DataFrame
        The kept reports sorted by ``(mmsi, time)`` with a fresh index, plus
        ``dt_s`` (seconds since the vessel's previous report) and
        ``step_km`` (distance from it); both NaN at a vessel's first report.
    counts : dict
        Reports removed per reason of :data:`REASONS`, plus ``out_of_order``
        (reordered, not removed), ``input`` and ``kept``.
    rejected : pandas.DataFrame
        The removed reports, with a ``reason`` column.
    """

    reports: pd.DataFrame
    counts: dict[str, int]
    rejected: pd.DataFrame = field(repr=False)

    def summary(self) -> str:
        """One line: ``kept N of M reports; removed: reason n, ...``."""
        removed = ", ".join(f"{r} {self.counts[r]:,}" for r in REASONS if self.counts.get(r))
        text = f"kept {self.counts['kept']:,} of {self.counts['input']:,} reports"
        text += f"; removed: {removed}" if removed else "; nothing removed"
        if self.counts.get("out_of_order"):
            text += f"; reordered {self.counts['out_of_order']:,} out-of-order reports"
        return text


def valid_ship_mmsi(mmsi: np.ndarray) -> np.ndarray:
    """Say which MMSIs are ship station identities (9 digits, MID 201-775).

    Examples
    --------
    >>> import numpy as np
    >>> valid_ship_mmsi(np.array([257027430, 2570274, 992576001, 111257500])).tolist()
    [True, False, False, False]
    """
    mmsi = np.asarray(mmsi)
    return (mmsi >= 201_000_000) & (mmsi <= 775_999_999)


def time_ns(times: pd.Series) -> np.ndarray:
    """UTC times as int64 nanoseconds since 1970 (NaT as the smallest int64)."""
    return np.asarray(times.dt.as_unit("ns").array.asi8)


def with_report_dtypes(reports: pd.DataFrame) -> pd.DataFrame:
    """Give ``time`` the dtype ``datetime64[ns, UTC]`` and ``mmsi`` int64 (missing: -1).

    Frames from :func:`~northpic.ais.readers.read_ais` already have them;
    frames built by hand (pandas defaults to microseconds) get converted.
    """
    time_ok = str(reports["time"].dtype) == "datetime64[ns, UTC]"
    mmsi_ok = reports["mmsi"].dtype == np.int64
    if time_ok and mmsi_ok:
        return reports
    out = reports.copy()
    if not time_ok:
        times = pd.to_datetime(out["time"], utc=True, errors="coerce")
        out["time"] = times.astype("datetime64[ns, UTC]")
    if not mmsi_ok:
        out["mmsi"] = pd.to_numeric(out["mmsi"], errors="coerce").fillna(-1).astype(np.int64)
    out.attrs = dict(reports.attrs)
    return out


def sort_reports(frame: pd.DataFrame) -> np.ndarray:
    """Return the positions that sort ``frame`` by ``(mmsi, time)``, stable."""
    stamps = time_ns(frame["time"])
    return np.lexsort((stamps, frame["mmsi"].to_numpy()))


def vessel_steps(
    mmsi: np.ndarray, time_s: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Time (s) and distance (km) from each report to the vessel's previous one.

    The arrays must be sorted by ``(mmsi, time)``; a vessel's first report
    gets NaN.
    """
    n = len(mmsi)
    dt = np.full(n, np.nan)
    step = np.full(n, np.nan)
    if n > 1:
        same = mmsi[1:] == mmsi[:-1]
        dt[1:] = np.where(same, time_s[1:] - time_s[:-1], np.nan)
        step[1:] = np.where(same, haversine_km(lon[:-1], lat[:-1], lon[1:], lat[1:]), np.nan)
    return dt, step


def _jump_flags(
    dt: np.ndarray, step: np.ndarray, max_speed_kn: float, min_jump_km: float
) -> np.ndarray:
    """Flag the steps from the previous report that are physically impossible."""
    with np.errstate(divide="ignore", invalid="ignore"):
        speed_kn = step / KM_PER_NM / (np.maximum(dt, 1.0) / 3600.0)
    return (speed_kn > max_speed_kn) & (step > min_jump_km)


def clean_reports(
    reports: pd.DataFrame,
    *,
    max_speed_kn: float = MAX_SPEED_KN,
    min_jump_km: float = MIN_JUMP_KM,
    inland_km: float | None = 2.0,
) -> CleanResult:
    """Remove unusable reports, sort by ``(mmsi, time)``, and count per reason.

    Parameters
    ----------
    reports : pandas.DataFrame
        A reports frame (see :func:`northpic.ais.readers.read_ais`).
    max_speed_kn : float
        Implied speed above which a step is impossible (default 50 kn).
    min_jump_km : float
        Steps shorter than this are never jumps (GPS jitter between reports
        seconds apart).
    inland_km : float or None
        How far inland a report must be to count as on land; ``None`` skips
        the land check (the mask counts most lakes, such as Saimaa and
        Malaren, and some inner harbours as land: turn it off for inland
        waterways).

    Returns
    -------
    CleanResult

    Examples
    --------
    >>> from northpic.ais import read_ais, clean_reports      # doctest: +SKIP
    >>> cleaned = clean_reports(read_ais("aisdk.csv"))       # doctest: +SKIP
    >>> print(cleaned.summary())                             # doctest: +SKIP
    kept 9,812,345 of 10,000,000 reports; removed: invalid_mmsi 1,204, ...
    """
    reports = with_report_dtypes(reports)
    n_input = len(reports)
    reason = np.zeros(n_input, dtype=np.int8)  # 0 = kept, k = REASONS[k - 1]
    mmsi = reports["mmsi"].to_numpy()
    lat = reports["lat"].to_numpy(dtype=float)
    lon = reports["lon"].to_numpy(dtype=float)
    reason[~valid_ship_mmsi(mmsi)] = 1
    reason[(reason == 0) & reports["time"].isna().to_numpy()] = 2
    in_range = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    bad_position = ~(np.isfinite(lat) & np.isfinite(lon) & in_range)
    reason[(reason == 0) & bad_position] = 3
    if inland_km is not None:
        candidates = np.flatnonzero(reason == 0)
        land = is_on_land(lon[candidates], lat[candidates], inland_km=inland_km)
        reason[candidates[land]] = 4

    kept = np.flatnonzero(reason == 0)
    sub = reports.iloc[kept]
    order = sort_reports(sub)
    positions = kept[order]  # rows of ``reports`` in (mmsi, time) order
    s_mmsi = mmsi[positions]
    s_time = time_ns(reports["time"])[positions]
    s_lat, s_lon = lat[positions], lon[positions]
    same_vessel = np.zeros(len(positions), dtype=bool)
    same_vessel[1:] = s_mmsi[1:] == s_mmsi[:-1]
    out_of_order = int(np.count_nonzero(same_vessel[1:] & (positions[1:] < positions[:-1])))
    duplicate = np.zeros(len(positions), dtype=bool)
    duplicate[1:] = (
        same_vessel[1:] & (s_time[1:] == s_time[:-1])
        & (s_lat[1:] == s_lat[:-1]) & (s_lon[1:] == s_lon[:-1])
    )
    reason[positions[duplicate]] = 5
    positions = positions[~duplicate]

    time_s = time_ns(reports["time"]) / 1e9
    for _ in range(_MAX_PASSES):
        p_mmsi = mmsi[positions]
        dt, step = vessel_steps(p_mmsi, time_s[positions], lon[positions], lat[positions])
        jump = _jump_flags(dt, step, max_speed_kn, min_jump_km)
        jump_next = np.zeros_like(jump)
        jump_next[:-1] = jump[1:]
        first = np.ones(len(positions), dtype=bool)
        first[1:] = p_mmsi[1:] != p_mmsi[:-1]
        last = np.ones(len(positions), dtype=bool)
        last[:-1] = p_mmsi[:-1] != p_mmsi[1:]
        # a spike: jumps in and out; or a jump to the very last report of a track;
        # or a jump out of the very first report when the second agrees with the third
        jump_after_next = np.zeros_like(jump)
        jump_after_next[:-2] = jump[2:]
        spike = (jump & jump_next) | (jump & last) | (
            first & jump_next & ~jump_after_next & ~last
        )
        spike[1:] &= ~(spike[:-1] & jump_next[:-1])  # drop one of two neighbours at a time
        if not spike.any():
            break
        reason[positions[spike]] = 6
        positions = positions[~spike]
    else:
        dt, step = vessel_steps(mmsi[positions], time_s[positions], lon[positions], lat[positions])

    cleaned = reports.iloc[positions].reset_index(drop=True)
    cleaned["dt_s"] = dt
    cleaned["step_km"] = step
    counts = {"input": n_input}
    for k, name in enumerate(REASONS, start=1):
        counts[name] = int(np.count_nonzero(reason == k))
    counts["out_of_order"] = out_of_order
    counts["kept"] = len(cleaned)
    rejected_rows = np.flatnonzero(reason > 0)
    rejected = reports.iloc[rejected_rows].reset_index(drop=True)
    rejected["reason"] = pd.Categorical.from_codes(
        reason[rejected_rows] - 1, categories=list(REASONS)
    )
    cleaned.attrs = dict(reports.attrs)
    return CleanResult(cleaned, counts, rejected)
