"""Detector output as northpic event rows (the ``shadow_fleet`` layer).

Every detector returns a :class:`geopandas.GeoDataFrame` built by
:func:`event_frame`: the common layer columns (``id``, ``name``, ``layer``,
``domain``, ``kind``, ``source``, ``confidence``, ``precision_km``,
``valid_from``, ``valid_to``), the event-store columns ``time`` and
``notes``, then ``mmsi``, ``other_mmsi``, ``start``, ``end``, the
measured values of that kind of event and ``evidence``. Ids are stable:
derived from kind, vessel(s) and start time, so running the detectors
again on the same data gives the same ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from northpic.ais.kinds import EVENT_KINDS as EVENT_KINDS  # re-exported: the detectors' list
from northpic.schema import STORAGE_CRS
from northpic.text import REFUSED

DETECTOR_VERSION = "1.0"
DEFINITIONS_CITATION = "Global Fishing Watch event definitions"
_TITLES = {
    "ais_gap": "AIS gap",
    "encounter": "Encounter",
    "loitering": "Loitering",
    "diversion": "Diversion",
    "spoofing": "Impossible position",
    "identity_change": "Identity change",
}


def inert_text(values: Sequence[Any] | np.ndarray) -> list[Any]:
    """Replace the characters no event field may hold by U+FFFD; other values pass.

    Those are :data:`northpic.text.REFUSED` (docs/events.md, "Text"). AIS
    names and destinations are 6-bit ASCII on air, so one of them comes from
    a decoder or a file; as U+FFFD it no longer makes the event store refuse
    the whole batch.

    Examples
    --------
    >>> inert_text(["EVIL\x1b[31mSHIP", 7])
    ['EVIL\ufffd[31mSHIP', 7]
    """
    return [REFUSED.sub("\ufffd", v) if isinstance(v, str) else v for v in values]


EVENT_COLUMNS = (
    "id", "name", "layer", "domain", "kind", "source", "confidence", "precision_km",
    "valid_from", "valid_to", "time", "notes", "mmsi", "other_mmsi", "start", "end",
)


def detector_source(sources: Sequence[str]) -> str:
    """Cite detected events: the inputs, the detector version and the definitions."""
    names = ", ".join(str(s).split("/")[-1] for s in sources) or "AIS reports"
    return f"{names}; northpic AIS detector v{DETECTOR_VERSION}, {DEFINITIONS_CITATION}"


def _event_id(kind: str, mmsi: Any, other: Any, start: pd.Timestamp) -> str:
    pair = f"-{int(other)}" if other is not None and not pd.isna(other) else ""
    return f"ais-{kind}-{int(mmsi)}{pair}-{start:%Y%m%dT%H%M}"


def empty_events() -> gpd.GeoDataFrame:
    """Return an event frame with no rows and every common column."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in EVENT_COLUMNS})
    for column in ("valid_from", "valid_to", "time", "start", "end"):
        frame[column] = pd.Series(dtype="datetime64[ns, UTC]")
    frame["precision_km"] = pd.Series(dtype=float)
    frame["evidence"] = pd.Series(dtype=object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=STORAGE_CRS), crs=STORAGE_CRS)


def valid_geometries(geometry: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Return event geometries the store accepts: a line of one place becomes its Point.

    A LineString whose vertices coincide (zero length) is invalid for GEOS and
    the event store; it becomes a Point there. Anything else invalid is
    repaired with :func:`shapely.make_valid`.
    """
    import shapely

    geoms = np.asarray(list(geometry), dtype=object)
    if not len(geoms):
        return geoms
    lines = shapely.get_type_id(geoms) == 1
    flat = lines & (shapely.length(geoms) == 0)
    if flat.any():
        geoms[flat] = shapely.get_point(geoms[flat], 0)
    broken = ~shapely.is_valid(geoms)
    if broken.any():
        geoms[broken] = shapely.make_valid(geoms[broken])
    return geoms


def event_frame(
    kind: str,
    *,
    mmsi: Sequence[int] | np.ndarray,
    start: pd.Series | Sequence[pd.Timestamp],
    end: pd.Series | Sequence[pd.Timestamp],
    geometry: Sequence[Any] | np.ndarray,
    confidence: Sequence[str] | np.ndarray,
    evidence: Sequence[str],
    label: Sequence[str],
    measures: Mapping[str, Sequence[Any] | np.ndarray] | None = None,
    other_mmsi: Sequence[Any] | np.ndarray | None = None,
    precision_km: float | Sequence[float] = 0.1,
    source: str = "AIS reports",
    notes: str = "",
) -> gpd.GeoDataFrame:
    """Build event rows of one kind.

    Parameters
    ----------
    kind : str
        One of :data:`EVENT_KINDS`.
    mmsi, start, end, geometry, confidence, evidence : sequences
        One value per event; times UTC. A zero-length line becomes a Point
        (:func:`valid_geometries`), so every event is valid for the store.
    label : sequence of str
        The measured part of each event's name (e.g. ``"14.2 h"``), shown as
        ``"AIS gap: MMSI 273000001, 14.2 h"``.
    measures : mapping, optional
        Measured values, one column each (``duration_h``, ``distance_km``...).
    other_mmsi : sequence, optional
        The other vessel of a pair (encounters).
    precision_km : float or sequence
        Location uncertainty of each event.
    source : str
        Citation (see :func:`detector_source`).
    notes : str
        What the definition is, for the reader of the map.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    n = len(mmsi)
    if n == 0:
        return empty_events()
    start = pd.to_datetime(pd.Series(list(start)), utc=True)
    end = pd.to_datetime(pd.Series(list(end)), utc=True)
    others = list(other_mmsi) if other_mmsi is not None else [None] * n
    title = _TITLES[kind]
    data: dict[str, Any] = {
        "id": [_event_id(kind, m, o, s) for m, o, s in zip(mmsi, others, start, strict=True)],
        "name": inert_text([f"{title}: MMSI {int(m)}" + (f" and {int(o)}" if o is not None
                                                          else "") + (f", {lab}" if lab else "")
                            for m, o, lab in zip(mmsi, others, label, strict=True)]),
        "layer": "shadow_fleet",
        "domain": "economic",
        "kind": kind,
        "source": inert_text([source])[0],
        "confidence": list(confidence),
        "precision_km": np.broadcast_to(np.asarray(precision_km, dtype=float), (n,)).copy(),
        "valid_from": start,
        "valid_to": end,
        "time": start,
        "notes": notes,
        "mmsi": np.asarray(mmsi, dtype=np.int64),
        "other_mmsi": pd.array([None if o is None else int(o) for o in others], dtype="Int64"),
        "start": start,
        "end": end,
    }
    for column, values in (measures or {}).items():
        array = np.asarray(values)
        data[column] = np.asarray(inert_text(array)) if array.dtype.kind in "OU" else array
    data["evidence"] = inert_text(list(evidence))
    return gpd.GeoDataFrame(data, geometry=list(valid_geometries(geometry)), crs=STORAGE_CRS)


def combine_events(frames: Sequence[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Concatenate event frames, sorted by start, kind and vessel, with unique ids."""
    parts = [f for f in frames if len(f)]
    if not parts:
        return empty_events()
    events = pd.concat(parts, ignore_index=True)
    events = events.sort_values(["start", "kind", "mmsi"], kind="stable").reset_index(drop=True)
    dup = events["id"].duplicated(keep=False)
    if dup.any():  # two events of one kind and vessel starting in the same minute
        events.loc[dup, "id"] = events.loc[dup, "id"] + "-" + (
            events[dup].groupby("id").cumcount() + 1
        ).astype(str)
    return gpd.GeoDataFrame(events, geometry="geometry", crs=STORAGE_CRS)
