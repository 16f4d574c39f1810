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

Examples
--------
>>> from dask.distributed import Client, LocalCluster          # doctest: +SKIP
>>> client = Client(LocalCluster(n_workers=2))                  # doctest: +SKIP
>>> reports = read_ais_dask(sorted(Path("aisdk").glob("*.zip")))  # doctest: +SKIP
>>> events, counts = detect_events_dask(reports)                # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from northpic.ais.cleaning import clean_reports
from northpic.ais.encounters import CANDIDATE_COLUMNS, encounter_candidates, pair_encounters
from northpic.ais.events import EVENT_KINDS, combine_events, detector_source
from northpic.ais.identity import detect_name_changes, identity_spans, mmsi_changes
from northpic.ais.pipeline import detect_events, drop_loitering_in_encounters

_PER_VESSEL = tuple(k for k in EVENT_KINDS if k not in ("encounter", "identity_change"))


def partition_by_mmsi(reports: Any, npartitions: int | None = None) -> Any:
    """Shuffle a dask (or pandas) reports frame so each vessel sits in one partition.

    Parameters
    ----------
    reports : dask.dataframe.DataFrame or pandas.DataFrame
        Reports (see :func:`northpic.ais.readers.read_ais`).
    npartitions : int, optional
        Number of output partitions (default: as many as the input).

    Returns
    -------
    dask.dataframe.DataFrame
    """
    import dask.dataframe as dd

    if isinstance(reports, pd.DataFrame):
        reports = dd.from_pandas(reports, npartitions=npartitions or 1, sort=False)
    return reports.shuffle(on="mmsi", npartitions=npartitions or reports.npartitions)


def _read_plain(path: str | Path, columns: Mapping[str, str] | None, format: str) -> pd.DataFrame:
    """Read one file with plain text columns (categories differ from file to file)."""
    from northpic.ais.readers import read_ais

    frame = read_ais([path], columns=columns, format=format)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype("str")
    return frame


def read_ais_dask(
    paths: Sequence[str | Path],
    *,
    columns: Mapping[str, str] | None = None,
    format: str = "auto",
    npartitions: int | None = None,
) -> Any:
    """Read AIS files lazily, one task per file, and partition the reports by MMSI.

    Parameters
    ----------
    paths : sequence of paths
        AIS files (e.g. a year of daily DMA archives).
    columns, format
        As for :func:`northpic.ais.readers.read_ais`.
    npartitions : int, optional
        Output partitions (default: one per file).

    Returns
    -------
    dask.dataframe.DataFrame
        Partitioned by MMSI; ``attrs["sources"]`` names the files.
    """
    import dask
    import dask.dataframe as dd

    from northpic.ais.readers import REPORT_COLUMNS

    parts = [dask.delayed(_read_plain)(p, columns, format) for p in paths]
    empty = pd.DataFrame({
        "mmsi": pd.Series(dtype="int64"), "time": pd.Series(dtype="datetime64[ns, UTC]"),
        **{c: pd.Series(dtype="float64") for c, k in REPORT_COLUMNS.items()
           if k == "float"},
        **{c: pd.Series(dtype="str") for c, k in REPORT_COLUMNS.items() if k == "str"},
    })[list(REPORT_COLUMNS)]
    frame = dd.from_delayed(parts, meta=empty, verify_meta=False)
    frame = partition_by_mmsi(frame, npartitions or len(paths))
    frame.attrs["sources"] = [str(p) for p in paths]
    return frame


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
    names = list(sources if sources is not None else getattr(reports, "attrs", {}).get(
        "sources", []))
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
