"""Impossible positions: reports a vessel could not have made (possible spoofing).

A report is impossible when reaching it from the vessel's previous report
needs more than ``max_speed_kn`` (50 kn) over more than 1 km. Cleaning
removes isolated spikes (:mod:`northpic.ais.cleaning`, reason
``impossible_jump``); a track that jumps and continues from the new place
is kept and split. Both are reported here: GPS spoofing and jamming, a
shared or forged MMSI, or a receiver fault. This is an indicator, not a
finding: confidence is medium.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.ais.cleaning import MAX_SPEED_KN, MIN_JUMP_KM, _jump_flags
from northpic.ais.events import detector_source, event_frame
from northpic.ais.spherical import KM_PER_NM, haversine_km

RUN_GAP_HOURS = 1.0
#: The removal reasons (of cleaning) whose reports this detector looks at.
SPOOFING_REASONS = ("impossible_jump",)


def _spikes(reports: pd.DataFrame, rejected: pd.DataFrame) -> pd.DataFrame:
    """Pair each removed spike with the nearest kept report of its vessel."""
    spikes = rejected[rejected["reason"].isin(SPOOFING_REASONS)]
    if spikes.empty or reports.empty:
        return pd.DataFrame()
    left = spikes[["mmsi", "time", "lon", "lat"]].sort_values("time", kind="stable")
    right = reports[["mmsi", "time", "lon", "lat"]].rename(
        columns={"lon": "ref_lon", "lat": "ref_lat", "time": "ref_time"}
    ).sort_values("ref_time", kind="stable")
    merged = pd.merge_asof(
        left, right, left_on="time", right_on="ref_time", by="mmsi", direction="nearest"
    )
    return merged.dropna(subset=["ref_lon"]).sort_values(["mmsi", "time"]).reset_index(drop=True)


def detect_spoofing(
    reports: pd.DataFrame,
    rejected: pd.DataFrame | None = None,
    *,
    max_speed_kn: float = MAX_SPEED_KN,
    source: str | None = None,
) -> gpd.GeoDataFrame:
    """Find impossible positions.

    Parameters
    ----------
    reports : pandas.DataFrame
        Cleaned reports (with ``dt_s`` and ``step_km``).
    rejected : pandas.DataFrame, optional
        :attr:`CleanResult.rejected`; its ``impossible_jump`` rows become
        events too (runs of spikes less than an hour apart are one event).
    max_speed_kn : float
        The speed no vessel exceeds.
    source : str, optional
        Citation.

    Returns
    -------
    geopandas.GeoDataFrame
        Event rows of kind ``spoofing`` at the impossible position, with
        ``distance_km`` (from the true track), ``implied_speed_kn`` and
        ``reports`` (impossible reports in the event).
    """
    dt = reports["dt_s"].to_numpy()
    step = reports["step_km"].to_numpy()
    jump_rows = np.flatnonzero(_jump_flags(dt, step, max_speed_kn, MIN_JUMP_KM))
    times = reports["time"]
    parts = {
        "mmsi": list(reports["mmsi"].to_numpy()[jump_rows]),
        "start": list(times.iloc[jump_rows]),
        "end": list(times.iloc[jump_rows]),
        "lon": list(reports["lon"].to_numpy()[jump_rows]),
        "lat": list(reports["lat"].to_numpy()[jump_rows]),
        "distance": list(step[jump_rows]),
        "speed": list(step[jump_rows] / KM_PER_NM / (np.maximum(dt[jump_rows], 1.0) / 3600.0)),
        "count": [1] * len(jump_rows),
        "how": ["the track jumped and continued from there"] * len(jump_rows),
    }
    spikes = _spikes(reports, rejected) if rejected is not None else pd.DataFrame()
    if not spikes.empty:
        distance = haversine_km(spikes["ref_lon"], spikes["ref_lat"], spikes["lon"], spikes["lat"])
        t = spikes["time"].array.asi8
        gap = np.abs(t - spikes["ref_time"].array.asi8) / 3.6e12
        speed = distance / KM_PER_NM / np.maximum(gap, 1 / 3600)
        m = spikes["mmsi"].to_numpy()
        new = np.ones(len(spikes), dtype=bool)
        new[1:] = (m[1:] != m[:-1]) | (np.diff(t) > RUN_GAP_HOURS * 3.6e12)
        run = np.cumsum(new) - 1
        for r in range(run[-1] + 1):
            sel = np.flatnonzero(run == r)
            worst = sel[np.argmax(distance[sel])]
            parts["mmsi"].append(m[sel[0]])
            parts["start"].append(spikes["time"].iat[sel[0]])
            parts["end"].append(spikes["time"].iat[sel[-1]])
            parts["lon"].append(spikes["lon"].iat[worst])
            parts["lat"].append(spikes["lat"].iat[worst])
            parts["distance"].append(distance[worst])
            parts["speed"].append(speed[worst])
            parts["count"].append(len(sel))
            parts["how"].append("removed by cleaning; the track went on from where it was")
    return event_frame(
        "spoofing",
        mmsi=parts["mmsi"],
        start=parts["start"],
        end=parts["end"],
        geometry=shapely.points(parts["lon"], parts["lat"]) if parts["lon"] else [],
        confidence=["medium"] * len(parts["mmsi"]),
        evidence=[
            f"{n} report(s) {d:.0f} km from the track, implied {v:.0f} kn; {how}"
            for n, d, v, how in zip(parts["count"], parts["distance"], parts["speed"],
                                    parts["how"], strict=True)
        ],
        label=[f"{d:.0f} km jump" for d in parts["distance"]],
        measures={
            "distance_km": np.round(np.asarray(parts["distance"], dtype=float), 1),
            "implied_speed_kn": np.round(np.asarray(parts["speed"], dtype=float), 0),
            "reports": np.asarray(parts["count"], dtype=np.int64),
        },
        precision_km=1.0,
        source=source or detector_source(reports.attrs.get("sources", [])),
        notes=(
            f"Positions that need more than {max_speed_kn:g} kn from the vessel's track: "
            "an indicator of GPS spoofing, a shared MMSI or a faulty transponder."
        ),
    )
