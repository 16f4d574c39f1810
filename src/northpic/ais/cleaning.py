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
    At least 2 km inland from the sea and from any lake, on the GSHHG
    shoreline and the 1 km raster, and more than 5 km from a port
    (:func:`northpic.ais.landmask.is_on_land`), and not moving: a report
    whose reported speed is over 2 kn (:data:`MOVING_KN`) is never removed
    for land alone (rivers and canals away from a port are land on every
    shoreline); it is kept with ``on_land`` True instead, and counted as
    ``on_land_flagged``.
``duplicate``
    The same vessel, time and position as the report before it.
``repeated``
    The report before it again, unchanged (same position, speed and, when
    read, course) under a later time: a feed serving its last known report
    again (snapshot feeds such as Digitraffic do). The first copy is kept,
    with the number of later copies in ``repeats``.
``impossible_jump``
    A spike: the implied speed from the previous report and to the next one
    both exceed 50 knots over more than 1 km (``max_speed_kn``,
    ``min_jump_km``). Repeated until no spike is left. A lone jump that is
    not a spike (the track continues from the new place) is kept: the
    spoofing and identity detectors look at it.

When more than :data:`WARN_SHARE` (5 %) of the input is removed for one
reason, :attr:`CleanResult.warnings` says so (the command prints it).

Reports out of time order are not removed: the reports are sorted by
``(mmsi, time)`` and the number that arrived out of order is counted as
``out_of_order``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from northpic.ais.landmask import is_on_land
from northpic.ais.spherical import (
    KM_PER_NM,
    for_chunks,
    haversine_km,
    in_chunks,
    steps_km_into,
)
from northpic.concurrency import WORKERS
from northpic.memory import pool_empty, pool_take, pool_take_many

#: Removal reasons, in the order they are checked.
REASONS = ("invalid_mmsi", "missing_time", "bad_position", "on_land", "duplicate",
           "repeated", "impossible_jump")
#: Reported speed (knots) over which a report on land is flagged, never removed.
MOVING_KN = 2.0
#: Share of the input removed for one reason above which cleaning warns.
WARN_SHARE = 0.05
MAX_SPEED_KN = 50.0
MIN_JUMP_KM = 1.0
_MAX_PASSES = 8
_NAT = np.iinfo(np.int64).min  # NaT as int64 nanoseconds


class CleanResult:
    """Clean, sorted reports plus what cleaning did.

    Attributes
    ----------
    reports : pandas.DataFrame
        The kept reports sorted by ``(mmsi, time)`` with a fresh index, plus
        ``dt_s`` (seconds since the vessel's previous report) and
        ``step_km`` (distance from it); both NaN at a vessel's first report;
        ``on_land`` (a moving report the land test puts on land, kept) and
        ``repeats`` (later unchanged copies of the report, removed).
    counts : dict
        Reports removed per reason of :data:`REASONS`, plus ``out_of_order``
        (reordered, not removed), ``on_land_flagged`` (kept), ``input`` and
        ``kept``.
    warnings : list of str
        One line per reason that removed more than :data:`WARN_SHARE` of
        the input; of each file, named, when the input is several files
        (``attrs["source_rows"]`` from :func:`~northpic.io.ais.read_ais`).
    rejected : pandas.DataFrame
        The removed reports, with a ``reason`` column. Taken from the input
        reports the first time it is asked for (until then the result keeps
        a reference to the input); :meth:`removed` takes only some reasons.
    """

    def __init__(
        self,
        reports: pd.DataFrame,
        counts: dict[str, int],
        rejected: pd.DataFrame | Callable[[Sequence[str] | None], pd.DataFrame],
        warnings: list[str] | None = None,
    ) -> None:
        self.reports = reports
        self.counts = counts
        self.warnings = _warnings(counts) if warnings is None else warnings
        self._rejected = rejected  # the frame, or what builds it (for some reasons)

    def __repr__(self) -> str:
        return f"CleanResult(reports=<{len(self.reports):,} rows>, counts={self.counts!r})"

    @property
    def rejected(self) -> pd.DataFrame:
        """The removed reports, with a ``reason`` column."""
        if callable(self._rejected):
            self._rejected = self._rejected(None)
        return self._rejected

    def removed(self, *reasons: str) -> pd.DataFrame:
        """Return the removed reports of these reasons: ``rejected`` rows, with a fresh index."""
        if callable(self._rejected):
            return self._rejected(reasons)
        frame = self._rejected
        if "reason" not in frame:
            return frame.iloc[0:0]
        return frame[frame["reason"].isin(reasons)].reset_index(drop=True)

    def summary(self) -> str:
        """One line: ``kept N of M reports; removed: reason n, ...``."""
        removed = ", ".join(f"{r} {self.counts[r]:,}" for r in REASONS if self.counts.get(r))
        text = f"kept {self.counts['kept']:,} of {self.counts['input']:,} reports"
        text += f"; removed: {removed}" if removed else "; nothing removed"
        if self.counts.get("on_land_flagged"):
            text += (f"; flagged {self.counts['on_land_flagged']:,} moving reports on land "
                     "(kept)")
        if self.counts.get("out_of_order"):
            text += f"; reordered {self.counts['out_of_order']:,} out-of-order reports"
        return text


def _warnings(counts: dict[str, int], label: str = "") -> list[str]:
    """One line per reason that removed more than :data:`WARN_SHARE` of ``counts["input"]``."""
    n = counts.get("input", 0)
    prefix = f"{label}: " if label else ""
    return [
        f"{prefix}{r} removed {counts[r]:,} of {n:,} reports ({100 * counts[r] / n:.1f} %)"
        for r in REASONS if n and counts.get(r, 0) > WARN_SHARE * n
    ]


def _warnings_per_source(reason: np.ndarray, attrs: dict[str, Any]) -> list[str] | None:
    """:func:`_warnings` for each input file, from ``attrs["source_rows"]`` (else ``None``)."""
    rows, sources = attrs.get("source_rows"), attrs.get("sources")
    if not rows or not sources or len(rows) != len(sources) or len(rows) < 2 \
            or sum(rows) != len(reason):
        return None
    out: list[str] = []
    start = 0
    for label, n in zip(sources, rows, strict=True):
        removed = np.bincount(reason[start:start + n], minlength=len(REASONS) + 1)
        counts = {"input": n, **{r: int(removed[k]) for k, r in enumerate(REASONS, start=1)}}
        out += _warnings(counts, str(label))
        start += n
    return out


class _Removed:
    """Builds the removed reports (all, or of some reasons) from the input on demand."""

    def __init__(self, reports: pd.DataFrame, stamps: np.ndarray, reason: np.ndarray) -> None:
        self.reports, self.stamps, self.reason = reports, stamps, reason

    def __call__(self, reasons: Sequence[str] | None) -> pd.DataFrame:
        if reasons is None:
            rows = np.flatnonzero(self.reason > 0)
        else:
            codes = [REASONS.index(r) + 1 for r in reasons if r in REASONS]
            rows = np.flatnonzero(np.isin(self.reason, codes))
        frame = _take_rows(self.reports, rows, {"time": _utc_times(self.stamps[rows]).array})
        frame["reason"] = pd.Categorical.from_codes(
            self.reason[rows] - 1, categories=list(REASONS)
        )
        return frame


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
    """UTC times as int64 nanoseconds since 1970 (NaT as the smallest int64).

    A read-only view of the column's own data when it is in nanoseconds.
    """
    values = times.array
    if getattr(values, "unit", None) == "ns" and hasattr(values, "asi8"):
        stamps = values.asi8.view()
        stamps.flags.writeable = False
        return stamps
    return np.asarray(times.dt.as_unit("ns").array.asi8)


def with_report_dtypes(reports: pd.DataFrame) -> pd.DataFrame:
    """Give ``time`` the dtype ``datetime64[ns, UTC]`` and ``mmsi`` int64 (missing: -1).

    Frames from :func:`~northpic.io.ais.read_ais` already have them;
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


def _sorted_by_vessel_time(
    mmsi: np.ndarray, stamps: np.ndarray, usable: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort the rows (the ``usable`` ones) by ``(mmsi, stamps)``, stable, as :func:`numpy.lexsort`.

    Returns the rows in that order and their ``mmsi`` and ``stamps``. Feeds
    come in time order, so a stable sort by vessel alone (a radix sort of
    small vessel codes) usually is the answer; that is checked, and when some
    reports of a vessel are out of time order the rows are sorted again by
    one combined ``(vessel, time)`` key (nearly sorted already, so cheap), or
    by :func:`numpy.lexsort` when that key would not fit in 63 bits.
    """
    def lexsorted() -> np.ndarray:
        if usable is None:
            return np.lexsort((stamps, mmsi))
        rows = np.flatnonzero(usable)
        return rows[np.lexsort((stamps[rows], mmsi[rows]))]

    n = len(mmsi) if usable is None else int(np.count_nonzero(usable))
    if n < 2 or mmsi.dtype.kind not in "iu" or stamps.dtype != np.int64:
        order = lexsorted()
        return order, mmsi[order], stamps[order]
    encoded = pc.dictionary_encode(pa.array(mmsi))  # codes in order of appearance
    uniques = encoded.dictionary.to_numpy()
    # codes in the order of the MMSIs; the rows left out get the last one, after all others
    rank = np.empty(len(uniques) + 1, dtype=np.uint16 if len(uniques) < 1 << 16 else np.uint32)
    rank[np.argsort(uniques, kind="stable")] = np.arange(len(uniques))
    rank[-1] = len(uniques)
    indices = encoded.indices.to_numpy()
    del encoded
    if usable is not None:
        indices = np.where(usable, indices, -1)
    codes = rank[indices]
    del indices
    order = np.argsort(codes, kind="stable")[:n]  # a radix sort for 16-bit codes
    s_mmsi, s_stamps = pool_take_many((mmsi, stamps), order)
    if not ((s_stamps[1:] < s_stamps[:-1]) & (s_mmsi[1:] == s_mmsi[:-1])).any():
        return order, s_mmsi, s_stamps
    t_min, t_max = int(s_stamps.min()), int(s_stamps.max())
    time_bits = (t_max - t_min).bit_length()
    code_bits = max(len(uniques) - 1, 1).bit_length()
    if time_bits + code_bits > 63:
        order = lexsorted()
    else:
        key = codes[order].astype(np.int64)
        key <<= time_bits
        key |= s_stamps - np.int64(t_min)
        order = order[np.argsort(key, kind="stable")]
    s_mmsi, s_stamps = pool_take_many((mmsi, stamps), order)
    return order, s_mmsi, s_stamps


def sort_reports(frame: pd.DataFrame) -> np.ndarray:
    """Return the positions that sort ``frame`` by ``(mmsi, time)``, stable."""
    return _sorted_by_vessel_time(frame["mmsi"].to_numpy(), time_ns(frame["time"]))[0]


def _steps(
    same: np.ndarray, time: np.ndarray, lon: np.ndarray, lat: np.ndarray,
    ns: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`vessel_steps`, given ``same`` (row ``k + 1`` is row ``k``'s vessel).

    ``time`` is in seconds, or in int64 nanoseconds if ``ns`` (divided by 1e9
    slice by slice, the same numbers as dividing all first).
    """
    n = len(time)
    dt = pool_empty(n, np.float64)
    step = pool_empty(n, np.float64)
    dt[:1] = np.nan
    step[:1] = np.nan

    def work(part: slice) -> None:  # pairs (k, k + 1) for k in part
        rows = slice(part.start, part.stop + 1)
        seconds = time[rows] / 1e9 if ns else time[rows]
        into = slice(part.start + 1, part.stop + 1)
        np.subtract(seconds[1:], seconds[:-1], out=dt[into])
        steps_km_into(step[into], lon[rows], lat[rows])
        other = ~same[part]
        dt[into][other] = np.nan
        step[into][other] = np.nan

    if n > 1:
        for_chunks(work, n - 1)
    return dt, step


def vessel_steps(
    mmsi: np.ndarray, time_s: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Time (s) and distance (km) from each report to the vessel's previous one.

    The arrays must be sorted by ``(mmsi, time)``; a vessel's first report
    gets NaN.
    """
    mmsi = np.asarray(mmsi)
    return _steps(mmsi[1:] == mmsi[:-1], np.asarray(time_s),
                  np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


def _utc_times(stamps: np.ndarray) -> pd.Series:
    """Return int64 nanoseconds (NaT: the smallest int64) as ``datetime64[ns, UTC]``, uncopied."""
    return pd.Series(stamps, copy=False).astype("datetime64[ns, UTC]")


def _take_array(values: Any, rows: np.ndarray) -> Any:
    """``values.take(rows)`` of a pandas array, into Arrow's memory pool where it can."""
    if isinstance(values, pd.Categorical):
        return pd.Categorical.from_codes(
            pool_take(values.codes, rows), dtype=values.dtype, validate=False
        )
    if isinstance(values.dtype, np.dtype):
        return pool_take(values.to_numpy(), rows)
    return values.take(rows)


def _reason_counts(reason: np.ndarray) -> np.ndarray:
    """``np.bincount(reason, minlength=len(REASONS) + 1)``, slice by slice.

    Counting a whole int8 array at once first copies it as int64 (eight
    times its size, in fresh pages); slices keep that copy small.
    """
    parts = for_chunks(lambda part: np.bincount(reason[part], minlength=len(REASONS) + 1),
                       len(reason))
    return np.sum(parts, axis=0)


def _take_rows(
    frame: pd.DataFrame, rows: np.ndarray, known: dict[str, Any] | None = None,
    extra: dict[str, np.ndarray] | None = None, consume: bool = False,
    extra_taken: Sequence[str] = (),
) -> pd.DataFrame:
    """``frame.iloc[rows].reset_index(drop=True)``, one column at a time, in threads.

    ``known`` holds columns already taken (arrays of the column's dtype).
    ``extra`` columns are then set as by ``out[name] = values`` (replacing a
    column of that name, else added at the end), without copies; those named
    in ``extra_taken`` are arrays of the rows of ``frame``, taken at ``rows``
    too (in the threads). With ``consume``, each column is taken out of
    ``frame`` (left without columns) and let go of once taken, so that its
    memory can be reused.
    """
    known = known or {}
    extra = extra or {}
    if not frame.columns.is_unique:
        out = frame.iloc[rows].reset_index(drop=True)
        for name, values in extra.items():
            out[name] = pool_take(values, rows) if name in extra_taken else values
        return out
    index = pd.RangeIndex(len(rows))
    labels = frame.columns
    attrs = dict(frame.attrs)
    taken_out = {name: frame.pop(name) for name in list(labels)} if consume else {}

    def take(name: Any) -> pd.Series:
        if name in extra:
            taken_out.pop(name, None)
            added = pool_take(extra[name], rows) if name in extra_taken else extra[name]
            return pd.Series(added, index=index, name=name, copy=False)
        series = taken_out.pop(name) if consume else frame[name]
        values: Any = known.get(name)
        if values is None or values.dtype != series.dtype:
            values = _take_array(series.array, rows)
        return pd.Series(values, index=index, dtype=series.dtype, name=name, copy=False)

    added = [name for name in extra if name not in labels]
    names = [*labels, *added]
    with ThreadPoolExecutor(WORKERS) as pool:  # numpy's take lets go of the GIL
        columns = dict(zip(names, pool.map(take, names), strict=True))
    out = pd.DataFrame(columns, index=index, copy=False)
    for name in added:  # as ``out[name] = values`` would
        labels = labels.insert(len(labels), name)
    out.columns = labels
    out.attrs = attrs
    return out


def _jump_flags(
    dt: np.ndarray, step: np.ndarray, max_speed_kn: float, min_jump_km: float
) -> np.ndarray:
    """Flag the steps from the previous report that are physically impossible."""
    jump = step > min_jump_km
    rows = np.flatnonzero(jump)  # the speed matters only for these
    with np.errstate(divide="ignore", invalid="ignore"):
        speed_kn = step[rows] / KM_PER_NM / (np.maximum(dt[rows], 1.0) / 3600.0)
    jump[rows] = speed_kn > max_speed_kn
    return jump


def clean_reports(
    reports: pd.DataFrame,
    *,
    max_speed_kn: float = MAX_SPEED_KN,
    min_jump_km: float = MIN_JUMP_KM,
    inland_km: float | None = 2.0,
    consume: bool = False,
    keep_rejected: Sequence[str] | None = None,
    drop: Sequence[str] = (),
) -> CleanResult:
    """Remove unusable reports, sort by ``(mmsi, time)``, and count per reason.

    Parameters
    ----------
    reports : pandas.DataFrame
        A reports frame (see :func:`northpic.io.ais.read_ais`).
    max_speed_kn : float
        Implied speed above which a step is impossible (default 50 kn).
    min_jump_km : float
        Steps shorter than this are never jumps (GPS jitter between reports
        seconds apart).
    inland_km : float or None
        How far inland (from the sea, lakes and ports) a report must be to
        count as on land; ``None`` skips the land check. Rivers and canals
        away from a port are land, so only reports at or under
        :data:`MOVING_KN` (or without a speed) are removed; moving ones are
        kept with ``on_land`` True.
    consume : bool
        Take the columns out of ``reports`` one by one while building the
        cleaned frame, so that the input and the result are never both
        whole in memory (0.4 GB less at the peak for ten million reports).
        ``reports`` is left without columns (unless its ``time`` or
        ``mmsi`` had to be converted first, see :func:`with_report_dtypes`,
        which copies it), and the removed reports are taken at once
        instead of when first asked for.
    keep_rejected : sequence of str, optional
        With ``consume``, the reasons (of :data:`REASONS`) whose removed
        reports are kept for :attr:`CleanResult.rejected` (default: all).
        Naming fewer saves memory when many reports are removed.
    drop : sequence of str
        Columns that cleaning reads (``cog``, for ``repeated``) but that the
        cleaned frame leaves out, because nothing after needs them: less to
        sort and to hold (``ais detect`` drops the course).

    Returns
    -------
    CleanResult

    Examples
    --------
    A vessel's report sent twice, and an MMSI of three digits:

    >>> reports = pd.DataFrame({
    ...     "mmsi": [273000001, 273000001, 273000001, 123],
    ...     "time": pd.to_datetime(["2026-01-31 12:00", "2026-01-31 12:10",
    ...                             "2026-01-31 12:10", "2026-01-31 12:00"], utc=True),
    ...     "lat": [74.0, 74.01, 74.01, 74.0], "lon": 30.0,
    ... })
    >>> print(clean_reports(reports).summary())
    kept 2 of 4 reports; removed: invalid_mmsi 1, duplicate 1
    """
    reports = with_report_dtypes(reports)
    n_input = len(reports)
    mmsi = reports["mmsi"].to_numpy()
    stamps = time_ns(reports["time"])
    lat = reports["lat"].to_numpy(dtype=float)
    lon = reports["lon"].to_numpy(dtype=float)

    def first_reason(part: slice) -> np.ndarray:
        """0 for a usable report, else the first of reasons 1-3 (see REASONS)."""
        bad_position = ~(np.abs(lat[part]) <= 90)  # True for NaN and infinities too
        bad_position |= ~(np.abs(lon[part]) <= 180)
        code = bad_position.view(np.int8) * np.int8(3)
        code[stamps[part] == _NAT] = 2
        code[~valid_ship_mmsi(mmsi[part])] = 1
        return code

    reason = in_chunks(first_reason, n_input)  # 0 = kept, k = REASONS[k - 1]
    usable = reason == 0
    sog = (reports["sog"].to_numpy(dtype=float) if "sog" in reports.columns
           else np.full(n_input, np.nan))
    flagged = np.zeros(n_input, dtype=bool)
    if inland_km is not None:
        land = is_on_land(lon, lat, inland_km=inland_km, where=None if usable.all() else usable)
        moving = land & (sog > MOVING_KN)
        flagged[moving] = True
        land &= ~moving
        reason[land] = 4
        usable &= ~land
        del land, moving

    # rows of ``reports`` in (mmsi, time) order, and their MMSIs and times
    positions, s_mmsi, s_time = _sorted_by_vessel_time(
        mmsi, stamps, None if usable.all() else usable
    )
    del usable
    s_lat, s_lon = pool_take_many((lat, lon), positions)
    same = s_mmsi[1:] == s_mmsi[:-1]  # row k + 1 is row k's vessel
    out_of_order = int(np.count_nonzero(same & (positions[1:] < positions[:-1])))
    twins = np.flatnonzero(s_time[1:] == s_time[:-1])  # duplicates need the same time
    twins = twins[same[twins] & (s_lat[twins + 1] == s_lat[twins])
                  & (s_lon[twins + 1] == s_lon[twins])]
    if len(twins):
        duplicate = np.zeros(len(positions), dtype=bool)
        duplicate[twins + 1] = True
        reason[positions[duplicate]] = 5
        keep = ~duplicate
        positions, s_mmsi, s_time = positions[keep], s_mmsi[keep], s_time[keep]
        s_lat, s_lon = s_lat[keep], s_lon[keep]
        same = s_mmsi[1:] == s_mmsi[:-1]
        del duplicate, keep
    del twins

    # repeated: the vessel's report before, unchanged, under a later time (the
    # position first, on the sorted columns; speed and course only where it is the same)
    pairs = np.flatnonzero(same & (s_lat[1:] == s_lat[:-1]))
    pairs = pairs[s_lon[pairs + 1] == s_lon[pairs]]
    compared = [sog]
    if "cog" in reports.columns:
        compared.append(reports["cog"].to_numpy(dtype=float))
    for values in compared:
        a, b = values[positions[pairs]], values[positions[pairs + 1]]
        pairs = pairs[(a == b) | (np.isnan(a) & np.isnan(b))]
    repeats = np.zeros(len(positions), dtype=np.int32)
    if len(pairs):
        repeat = np.zeros(len(positions), dtype=bool)
        repeat[pairs + 1] = True
        reason[positions[repeat]] = 6
        keep = ~repeat
        group = np.cumsum(keep) - 1
        repeats = np.bincount(group, weights=repeat, minlength=int(keep.sum())).astype(np.int32)
        positions, s_mmsi, s_time = positions[keep], s_mmsi[keep], s_time[keep]
        s_lat, s_lon = s_lat[keep], s_lon[keep]
        same = s_mmsi[1:] == s_mmsi[:-1]
        del repeat, keep, group
    del pairs, compared

    dt, step = _steps(same, s_time, s_lon, s_lat, ns=True)
    for _ in range(_MAX_PASSES):
        jump = _jump_flags(dt, step, max_speed_kn, min_jump_km)
        if not jump.any():
            break
        jump_next = np.zeros_like(jump)
        jump_next[:-1] = jump[1:]
        first = np.ones(len(positions), dtype=bool)
        first[1:] = ~same
        last = np.ones(len(positions), dtype=bool)
        last[:-1] = ~same
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
        reason[positions[spike]] = 7
        repeats = repeats[~spike]
        positions, s_mmsi, s_time, s_lat, s_lon, dt, step, same = _drop_rows(
            spike, positions, s_mmsi, s_time, s_lat, s_lon, dt, step
        )

    known = {"mmsi": s_mmsi, "lat": s_lat, "lon": s_lon, "time": _utc_times(s_time).array}
    del s_mmsi, s_lat, s_lon, s_time
    rejected: pd.DataFrame | _Removed = _Removed(reports, stamps, reason)
    if consume:
        rejected = rejected(keep_rejected)
        del mmsi, lat, lon, stamps  # views of the columns that are let go of
    if drop:
        unwanted = [name for name in drop if name in reports.columns]
        if consume:
            for name in unwanted:
                del reports[name]
        else:
            reports = reports.drop(columns=unwanted)
    cleaned = _take_rows(reports, positions, known,
                         {"dt_s": dt, "step_km": step, "on_land": flagged, "repeats": repeats},
                         consume=consume, extra_taken=("on_land",))
    del known, flagged
    on_land = cleaned["on_land"].to_numpy()
    counts = {"input": n_input}
    removed = _reason_counts(reason)
    for k, name in enumerate(REASONS, start=1):
        counts[name] = int(removed[k])
    counts["out_of_order"] = out_of_order
    counts["on_land_flagged"] = int(np.count_nonzero(on_land))
    counts["kept"] = len(cleaned)
    cleaned.attrs = dict(reports.attrs)
    return CleanResult(cleaned, counts, rejected, _warnings_per_source(reason, reports.attrs))


def _drop_rows(
    drop: np.ndarray, positions: np.ndarray, mmsi: np.ndarray, stamps: np.ndarray,
    lat: np.ndarray, lon: np.ndarray, dt: np.ndarray, step: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Leave out the rows ``drop`` of the sorted arrays and bring the steps up to date.

    Only the rows right after a dropped one get a new previous report, so only
    their ``dt`` and ``step`` are computed again (the same numbers a full
    :func:`vessel_steps` gives).
    """
    keep = ~drop
    after_drop = np.zeros(len(drop), dtype=bool)
    after_drop[1:] = drop[:-1]
    changed = np.flatnonzero(after_drop[keep])
    positions, mmsi, stamps = positions[keep], mmsi[keep], stamps[keep]
    lat, lon, dt, step = lat[keep], lon[keep], dt[keep], step[keep]
    same = mmsi[1:] == mmsi[:-1]
    if len(changed) and changed[0] == 0:  # the very first row lost its previous report
        dt[0] = step[0] = np.nan
        changed = changed[1:]
    if len(changed):
        prev = changed - 1
        ok = same[prev]
        new_dt = stamps[changed] / 1e9 - stamps[prev] / 1e9
        new_step = haversine_km(lon[prev], lat[prev], lon[changed], lat[changed])
        dt[changed] = np.where(ok, new_dt, np.nan)
        step[changed] = np.where(ok, new_step, np.nan)
    return positions, mmsi, stamps, lat, lon, dt, step, same
