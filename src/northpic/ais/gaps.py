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
from northpic.io.ais.layouts import SNAPSHOT_LAYOUTS

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
        before to the first after, or a Point where both are in the same
        place) with ``duration_h``, ``distance_km``,
        ``implied_speed_kn``, ``start_shore_nm``, ``end_shore_nm``.
        Confidence is high when the vessel reported at least hourly before
        going silent and the implied speed is plausible (<= 25 kn), low when
        it is not, medium otherwise; one step lower (high to medium, medium
        to low) when the times only bound the real ones: a snapshot feed
        (:data:`~northpic.io.ais.layouts.SNAPSHOT_LAYOUTS`) or an end that
        was served again unchanged (``repeats``).

    Examples
    --------
    A vessel in the Barents Sea silent for 31 h 50 min, 0.49 degrees (54.5 km) further north:

    >>> import pandas as pd
    >>> from northpic.ais.cleaning import clean_reports
    >>> times = pd.to_datetime(["2026-01-31 00:00", "2026-01-31 00:10", "2026-02-01 08:00"],
    ...                        utc=True)
    >>> cleaned = clean_reports(pd.DataFrame(
    ...     {"mmsi": 273000001, "time": times, "lat": [74.0, 74.01, 74.5], "lon": 30.0}))
    >>> gaps = detect_gaps(cleaned.reports, min_hours=24)
    >>> gaps[["kind", "duration_h", "distance_km"]].round(1).values.tolist()
    [['ais_gap', 31.8, 54.5]]
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
    rank = np.where(speed > PLAUSIBLE_SPEED_KN, 0, np.where(regular, 2, 1))
    # times that only bound the real one: a snapshot feed's, or a report served again
    repeats = (reports["repeats"].to_numpy() if "repeats" in reports.columns
               else np.zeros(len(reports), dtype=np.int64))
    repeated = (repeats[begin] > 0) | (repeats[end] > 0)
    snapshot = bool(SNAPSHOT_LAYOUTS & set(reports.attrs.get("layouts", [])))
    uncertain = repeated | snapshot
    rank = np.where(uncertain, np.maximum(rank - 1, 0), rank)
    confidence = np.array(["low", "medium", "high"])[rank]
    same_place = (lon[begin] == lon[end]) & (lat[begin] == lat[end])
    geometry = [
        shapely.Point(x0, y0) if still else shapely.LineString([(x0, y0), (x1, y1)])
        for x0, y0, x1, y1, still in zip(
            lon[begin], lat[begin], lon[end], lat[end], same_place, strict=True
        )
    ]
    evidence = [
        f"silent {h:.1f} h; last report {a:.0f} nm and next {b:.0f} nm from shore; "
        f"{d:.0f} km apart, implied {v:.1f} kn"
        + ("; times are snapshot times (upper bounds)" if snapshot else "")
        + ("; an end is a report served again unchanged" if rep else "")
        for h, a, b, d, v, rep in zip(hours, start_nm, end_nm, distance, speed, repeated,
                                      strict=True)
    ]
    times = reports["time"]
    return event_frame(
        "ais_gap",
        mmsi=reports["mmsi"].to_numpy()[end],
        start=times.iloc[begin],
        end=times.iloc[end],
        geometry=geometry,
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
