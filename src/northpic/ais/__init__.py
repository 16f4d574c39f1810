"""Shadow-fleet analytics from AIS position reports.

The pipeline is one long :class:`pandas.DataFrame` of reports keyed by
``(mmsi, time)``, sorted once and processed with vectorised group
operations; no per-vessel Python objects::

    >>> from northpic.ais import read_ais, clean_reports, detect_events
    >>> reports = read_ais(["aisdk-2026-01-31.csv.gz"])          # doctest: +SKIP
    >>> cleaned = clean_reports(reports)                          # doctest: +SKIP
    >>> events = detect_events(cleaned.reports, cleaned=cleaned)  # doctest: +SKIP

Modules, one concern each: :mod:`~northpic.ais.readers` (layouts, NMEA,
Parquet), :mod:`~northpic.ais.cleaning`, :mod:`~northpic.ais.trajectories`,
the detectors :mod:`~northpic.ais.gaps`, :mod:`~northpic.ais.encounters`,
:mod:`~northpic.ais.loitering`, :mod:`~northpic.ais.diversion`,
:mod:`~northpic.ais.spoofing`, :mod:`~northpic.ais.identity`,
:mod:`~northpic.ais.events` (event rows), :mod:`~northpic.ais.pipeline`
(files to events) and :mod:`~northpic.ais.distributed` (dask).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: Public name -> module that defines it; imported on first use.
_EXPORTS = {
    "CleanResult": "northpic.ais.cleaning",
    "clean_reports": "northpic.ais.cleaning",
    "detect_events": "northpic.ais.pipeline",
    "detect_files": "northpic.ais.pipeline",
    "read_ais": "northpic.ais.readers",
    "split_tracks": "northpic.ais.trajectories",
    "track_lines": "northpic.ais.trajectories",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'northpic.ais' has no attribute {name!r}")
