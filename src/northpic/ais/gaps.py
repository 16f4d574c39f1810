"""AIS gaps: a vessel silent for hours far from shore.

Definition (after Global Fishing Watch, "AIS off" events): consecutive
reports of one vessel at least ``min_hours`` (12 h) apart, the last report
before and the first after both at least ``min_shore_nm`` (50 nm) from
shore, where coverage is good and silence is a choice rather than a blind
spot near a coast. The implied speed across the gap (straight distance /
time) says whether the vessel drifted, sailed on, or could not have made
the distance at all.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.ais.events import detector_source, event_frame
from northpic.ais.shore import distance_to_shore_km
from northpic.ais.spherical import KM_PER_NM

MIN_HOURS = 12.0
MIN_SHORE_NM = 50.0
PLAUSIBLE_SPEED_KN = 25.0


def detect_gaps(
    reports: pd.DataFrame,
    *,
    min_hours: float = MIN_HOURS,
    min_shore_nm: float = MIN_SHORE_NM,
    source: str | None = None,
) -> gpd.GeoDataFrame:
    """Find AIS gaps.

    Parameters
    ----------
    reports : pandas.DataFrame
        Cleaned reports (:func:`northpic.ais.cleaning.clean_reports`).
    min_hours : float
        Shortest silence reported (GFW: 12 h).
    min_shore_nm : float
        Both ends of the gap at least this far from shore (GFW: 50 nm).
    source : str, optional
        Citation; default from ``reports.attrs["sources"]``.

    Returns
    -------
    geopandas.GeoDataFrame
        Event rows of kind ``ais_gap`` (a LineString from the last report
        before to the first after) with ``duration_h``, ``distance_km``,
        ``implied_speed_kn``, ``start_shore_nm``, ``end_shore_nm``.
        Confidence is high when the vessel reported at least hourly before
        going silent and the implied speed is plausible (<= 25 kn), low when
        it is not, medium otherwise.

    Examples
    --------
    >>> gaps = detect_gaps(cleaned.reports, min_hours=24)   # doctest: +SKIP
    """
    dt = reports["dt_s"].to_numpy()
    end = np.flatnonzero(dt >= min_hours * 3600.0)
    begin = end - 1
    lon = reports["lon"].to_numpy()
    lat = reports["lat"].to_numpy()
    shore = distance_to_shore_km(
        np.concatenate((lon[begin], lon[end])), np.concatenate((lat[begin], lat[end]))
    ) / KM_PER_NM
    start_nm, end_nm = shore[: len(end)], shore[len(end):]
    keep = (start_nm >= min_shore_nm) & (end_nm >= min_shore_nm)
    begin, end, start_nm, end_nm = begin[keep], end[keep], start_nm[keep], end_nm[keep]
    hours = dt[end] / 3600.0
    distance = reports["step_km"].to_numpy()[end]
    speed = distance / KM_PER_NM / hours
    cadence = dt[begin]
    regular = np.nan_to_num(cadence, nan=np.inf) <= 3600.0
    confidence = np.where(
        speed > PLAUSIBLE_SPEED_KN, "low", np.where(regular, "high", "medium")
    )
    coords = np.empty((2 * len(end), 2))
    coords[0::2, 0], coords[0::2, 1] = lon[begin], lat[begin]
    coords[1::2, 0], coords[1::2, 1] = lon[end], lat[end]
    lines = (
        shapely.linestrings(coords, indices=np.repeat(np.arange(len(end)), 2))
        if len(end) else []
    )
    evidence = [
        f"silent {h:.1f} h; last report {a:.0f} nm and next {b:.0f} nm from shore; "
        f"{d:.0f} km apart, implied {v:.1f} kn"
        for h, a, b, d, v in zip(hours, start_nm, end_nm, distance, speed, strict=True)
    ]
    times = reports["time"]
    return event_frame(
        "ais_gap",
        mmsi=reports["mmsi"].to_numpy()[end],
        start=times.iloc[begin],
        end=times.iloc[end],
        geometry=lines,
        confidence=confidence,
        evidence=evidence,
        label=[f"{h:.1f} h" for h in hours],
        measures={
            "duration_h": np.round(hours, 2),
            "distance_km": np.round(distance, 2),
            "implied_speed_kn": np.round(speed, 2),
            "start_shore_nm": np.round(start_nm, 1),
            "end_shore_nm": np.round(end_nm, 1),
        },
        precision_km=0.1,
        source=source or detector_source(reports.attrs.get("sources", [])),
        notes=(
            f"AIS silent for at least {min_hours:g} h with both ends at least "
            f"{min_shore_nm:g} nm from shore (Global Fishing Watch AIS-gap definition). "
            "The line joins the last report before and the first after the gap; "
            "the route between them is unknown."
        ),
    )
