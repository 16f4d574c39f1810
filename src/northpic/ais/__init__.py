r"""Shadow-fleet analytics from AIS position reports.

The pipeline is one long :class:`pandas.DataFrame` of reports keyed by
``(mmsi, time)``, sorted once and processed with vectorised group
operations; no per-vessel Python objects. Two vessels adrift side by side
in the Barents Sea for three hours are an encounter:

>>> import tempfile
>>> from pathlib import Path
>>> from northpic.ais import read_ais, clean_reports, detect_events
>>> feed = Path(tempfile.mkdtemp()) / "feed.csv"
>>> rows = [f"{mmsi},2026-01-31T{k // 12:02d}:{k % 12 * 5:02d}:00Z,{lat},{30 + k / 2000},0.2"
...         for mmsi, lat in ((273000001, 74.0), (273000002, 74.001)) for k in range(37)]
>>> _ = feed.write_text("\n".join(["MMSI,Timestamp,Latitude,Longitude,SOG", *rows]))
>>> reports = read_ais([feed])                 # one long frame, file order
>>> cleaned = clean_reports(reports)           # sorted by (mmsi, time), counted
>>> events = detect_events(cleaned)            # every detector
>>> events[["kind", "mmsi", "other_mmsi"]].values.tolist()
[['encounter', 273000001, 273000002]]

Modules, one concern each: :mod:`~northpic.ais.cleaning`,
:mod:`~northpic.ais.trajectories`, the detectors :mod:`~northpic.ais.gaps`,
:mod:`~northpic.ais.encounters`, :mod:`~northpic.ais.loitering`,
:mod:`~northpic.ais.diversion`, :mod:`~northpic.ais.spoofing`,
:mod:`~northpic.ais.identity`, :mod:`~northpic.ais.events` (event rows),
:mod:`~northpic.ais.pipeline` (every detector on cleaned reports) and
:mod:`~northpic.ais.distributed` (dask). Files are read by
:mod:`northpic.io.ais` (:func:`read_ais` is re-exported here); the whole
``northpic ais detect`` chain is :func:`northpic.workflows.ais.detect_files`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: Public name -> module that defines it; imported on first use.
_EXPORTS = {
    "CleanResult": "northpic.ais.cleaning",
    "clean_reports": "northpic.ais.cleaning",
    "detect_events": "northpic.ais.pipeline",
    "read_ais": "northpic.io.ais",
    "split_tracks": "northpic.ais.trajectories",
    "track_lines": "northpic.ais.trajectories",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'northpic.ais' has no attribute {name!r}")
