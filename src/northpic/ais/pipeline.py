"""Run every detector on cleaned reports: frames in, one events frame out.

:func:`detect_events` runs the detectors of :data:`~northpic.ais.events.EVENT_KINDS`
on cleaned reports, two at a time; reading files and writing events is
:func:`northpic.workflows.ais.detect_files`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import geopandas as gpd
import pandas as pd

from northpic.ais.cleaning import CleanResult, clean_reports
from northpic.ais.diversion import detect_diversions
from northpic.ais.encounters import detect_encounters
from northpic.ais.events import EVENT_KINDS, combine_events, detector_source
from northpic.ais.gaps import detect_gaps
from northpic.ais.identity import detect_identity_changes
from northpic.ais.kinds import check_kinds
from northpic.ais.loitering import detect_loitering
from northpic.ais.spoofing import SPOOFING_REASONS, detect_spoofing
from northpic.concurrency import WORKERS

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def drop_loitering_in_encounters(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Leave out loitering of a vessel while it is in an encounter (the encounter says more)."""
    loiter = events[events["kind"] == "loitering"]
    meet = events[events["kind"] == "encounter"]
    if loiter.empty or meet.empty:
        return events
    sides = pd.concat([
        meet[["mmsi", "start", "end"]],
        meet[["other_mmsi", "start", "end"]].rename(columns={"other_mmsi": "mmsi"}),
    ]).astype({"mmsi": "int64"})
    pairs = loiter.reset_index()[["index", "mmsi", "start", "end"]].merge(
        sides, on="mmsi", suffixes=("", "_e")
    )
    overlap = (pairs["start"] < pairs["end_e"]) & (pairs["start_e"] < pairs["end"])
    return events.drop(index=pairs.loc[overlap, "index"].unique())


def detect_events(
    reports: pd.DataFrame | CleanResult,
    *,
    kinds: Iterable[str] = EVENT_KINDS,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Progress = _quiet,
) -> gpd.GeoDataFrame:
    """Run the detectors on cleaned reports and return all events, sorted.

    Parameters
    ----------
    reports : pandas.DataFrame or CleanResult
        Cleaned reports (or the :class:`CleanResult`, whose removed spikes
        then become spoofing events too). Raw reports are cleaned first.
    kinds : iterable of str
        Event kinds to look for (default: all of :data:`EVENT_KINDS`).
    parameters : mapping, optional
        Keyword arguments per kind, e.g. ``{"ais_gap": {"min_hours": 24}}``.
    progress : callable, optional
        Called with a short message after each detector.

    Returns
    -------
    geopandas.GeoDataFrame
        Event rows (see :mod:`northpic.ais.events`). Loitering during an
        encounter of the same vessel is left out.
    """
    if isinstance(reports, CleanResult):
        cleaned = reports
    elif "dt_s" in reports.columns:
        cleaned = CleanResult(reports, {}, pd.DataFrame({"reason": pd.Series(dtype=str)}))
    else:
        cleaned = clean_reports(reports)
    frame = cleaned.reports
    params = {k: dict(v) for k, v in (parameters or {}).items()}
    wanted = list(kinds)
    check_kinds([*wanted, *params])
    source = detector_source(frame.attrs.get("sources", []))

    def spikes() -> pd.DataFrame | None:
        removed = cleaned.removed(*SPOOFING_REASONS)
        return removed if "mmsi" in removed else None

    detectors: dict[str, Callable[..., gpd.GeoDataFrame]] = {
        "ais_gap": lambda **kw: detect_gaps(frame, source=source, **kw),
        "encounter": lambda **kw: detect_encounters(frame, source=source, **kw),
        "loitering": lambda **kw: detect_loitering(frame, source=source, **kw),
        "diversion": lambda **kw: detect_diversions(frame, source=source, **kw),
        "spoofing": lambda **kw: detect_spoofing(frame, spikes(), source=source, **kw),
        "identity_change": lambda **kw: detect_identity_changes(frame, source=source, **kw),
    }
    def run(kind: str) -> tuple[gpd.GeoDataFrame, float]:
        started = time.perf_counter()
        events = detectors[kind](**params.get(kind, {}))
        return events, time.perf_counter() - started

    found = []
    chosen = [kind for kind in EVENT_KINDS if kind in wanted]
    # the detectors only read the reports, and spend most of their time in NumPy,
    # which lets go of the GIL: two at a time
    with ThreadPoolExecutor(WORKERS) as pool:
        for kind, (events, seconds) in zip(chosen, pool.map(run, chosen), strict=True):
            progress(f"{kind}: {len(events):,} event(s) in {seconds:.2f} s")
            found.append(events)
    return drop_loitering_in_encounters(combine_events(found)).reset_index(drop=True)
