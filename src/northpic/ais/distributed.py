"""The same detectors on a dask DataFrame partitioned by MMSI, for archives larger than memory.

Every detector but encounters and MMSI changes looks at one vessel at a
time, so it runs inside each partition, where the data lives, once every
vessel's reports sit in a single partition (:func:`partition_by_mmsi`).
Encounters pair vessels across partitions: each partition sends only its
slow, time-binned candidates
(:func:`northpic.ais.encounters.encounter_candidates`, a small fraction of
the reports) and the pairing runs once on all of them; likewise each
partition sends one row per (IMO, MMSI) for :func:`~northpic.ais.identity.mmsi_changes`. The
result equals :func:`northpic.ais.pipeline.detect_events` on the whole
data in memory.

The reports come partitioned from
:func:`northpic.io.ais.dask_frames.read_ais_dask` (files) or
:func:`~northpic.io.ais.dask_frames.partition_by_mmsi` (a frame).

Examples
--------
Two vessels of one partition, adrift side by side for three hours (an
encounter, far from shore), give the events :func:`~northpic.ais.pipeline.detect_events`
gives in memory:

>>> import numpy as np
>>> from northpic.io.ais.dask_frames import partition_by_mmsi
>>> times = pd.date_range("2026-01-31", periods=37, freq="5min", tz="UTC")
>>> pair = pd.DataFrame({
...     "mmsi": np.repeat([273000001, 273000002], 37), "time": times.append(times),
...     "lat": np.repeat([74.0, 74.001], 37), "lon": np.tile(30 + np.arange(37) / 2000, 2),
...     "sog": 0.2,
... })
>>> events, counts = detect_events_dask(partition_by_mmsi(pair), kinds=["encounter"])
>>> events["kind"].tolist(), counts["kept"]
(['encounter'], 74)
>>> events.drop(columns="source").equals(
...     detect_events(pair, kinds=["encounter"]).drop(columns="source"))
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from northpic.ais.cleaning import clean_reports
from northpic.ais.encounters import CANDIDATE_COLUMNS, encounter_candidates, pair_encounters
from northpic.ais.events import EVENT_KINDS, combine_events, detector_source
from northpic.ais.identity import detect_name_changes, identity_spans, mmsi_changes
from northpic.ais.pipeline import detect_events, drop_loitering_in_encounters
from northpic.io.ais.dask_frames import frame_sources

_PER_VESSEL = tuple(k for k in EVENT_KINDS if k not in ("encounter", "identity_change"))


def _per_partition(
    part: pd.DataFrame, kinds: Sequence[str], parameters: Mapping[str, Mapping[str, Any]],
    sources: Sequence[str], bin_minutes: float,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame, dict[str, int]]:
    part = part.reset_index(drop=True)
    part.attrs = {"sources": list(sources)}
    cleaned = clean_reports(part)
    local = [k for k in kinds if k in _PER_VESSEL]
    events = detect_events(cleaned, kinds=local, parameters={
        k: v for k, v in parameters.items() if k in local
    }) if local else combine_events([])
    candidates = (
        encounter_candidates(cleaned.reports, bin_minutes=bin_minutes)
        if "encounter" in kinds else pd.DataFrame()
    )
    spans = pd.DataFrame()
    if "identity_change" in kinds:
        events = combine_events([events, detect_name_changes(cleaned.reports)])
        spans = identity_spans(cleaned.reports)
    return events, candidates, spans, cleaned.counts


def detect_events_dask(
    reports: Any,
    *,
    kinds: Iterable[str] = EVENT_KINDS,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    sources: Sequence[str] | None = None,
) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Clean and detect on a dask reports frame partitioned by MMSI.

    Runs on the active ``dask.distributed`` client if there is one (else
    dask's default scheduler).

    Parameters
    ----------
    reports : dask.dataframe.DataFrame
        Raw reports with each vessel in one partition (:func:`partition_by_mmsi`).
    kinds : iterable of str
        Event kinds to detect.
    parameters : mapping, optional
        Keyword arguments per kind, as for :func:`~northpic.ais.pipeline.detect_events`.
    sources : sequence of str, optional
        Input names for the events' ``source`` (default ``reports.attrs["sources"]``).

    Returns
    -------
    tuple of (geopandas.GeoDataFrame, dict)
        The events, identical to the in-memory result, and the cleaning
        counts summed over partitions.
    """
    import dask

    wanted = list(kinds)
    params = {k: dict(v) for k, v in (parameters or {}).items()}
    names = list(sources) if sources is not None else frame_sources(reports)
    encounter_params = params.get("encounter", {})
    bin_minutes = float(encounter_params.get("bin_minutes", 10.0))
    tasks = [
        dask.delayed(_per_partition)(part, wanted, params, names, bin_minutes)
        for part in reports.to_delayed()
    ]
    results = dask.compute(*tasks)
    counts: dict[str, int] = {}
    for _, _, _, part_counts in results:
        for key, value in part_counts.items():
            counts[key] = counts.get(key, 0) + value
    frames = [events for events, _, _, _ in results]
    if "encounter" in wanted:
        parts = [c for _, c, _, _ in results if len(c)]
        candidates = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            {c: pd.Series(dtype=float) for c in CANDIDATE_COLUMNS})
        frames.append(pair_encounters(candidates, source=detector_source(names),
                                      **encounter_params))
    if "identity_change" in wanted:
        spans = [s for _, _, s, _ in results if len(s)]
        if spans:
            frames.append(mmsi_changes(pd.concat(spans, ignore_index=True),
                                       source=detector_source(names)))
    events = drop_loitering_in_encounters(combine_events(frames)).reset_index(drop=True)
    return events, counts
