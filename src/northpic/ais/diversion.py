"""Diversions: a vessel changes its declared destination and turns away from the old one.

There is no Global Fishing Watch definition; northpic's is this. A
*destination change* is two consecutive reports of one vessel with
different non-empty declared destinations. It is a *diversion* when:

* the old destination is a known port (:mod:`northpic.ais.ports`) at
  least ``min_distance_km`` (100 km) away at the time of the change, and
* over the ``window_hours`` (24 h) after the change the vessel stops
  closing on it: its remaining sea-route distance to the old destination
  (``searoute``, Eurostat SeaRoute network, Northern Sea Route allowed)
  falls by less than ``max_progress`` (25 %) of the distance it sailed,
  and it sailed at least ``min_sailed_km`` (20 km).

Confidence is high when the new destination is known too and the vessel
now closes on it (at least half of the distance sailed), medium otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.ais.declared import declared_changes
from northpic.ais.events import detector_source, event_frame
from northpic.ais.ports import normalise_destination, resolve_destination
from northpic.ais.spherical import haversine_km

MIN_DISTANCE_KM = 100.0
WINDOW_HOURS = 24.0
MAX_PROGRESS = 0.25
MIN_SAILED_KM = 20.0


@lru_cache(maxsize=4096)
def sea_distance_km(lon: float, lat: float, to_lon: float, to_lat: float) -> float:
    """Sea-route distance in km (searoute, Northern Sea Route and Northwest Passage allowed)."""
    import searoute

    route = searoute.searoute(
        [lon, lat], [to_lon, to_lat], units="km", append_orig_dest=True, restrictions=[]
    )
    return float(route["properties"]["length"])


@lru_cache(maxsize=65536)
def _port(text: str) -> tuple[str, float, float] | None:
    """Name, lon and lat of the port ``text`` declares, once per distinct text."""
    port = resolve_destination(text)
    return None if port is None else (str(port["name"]), float(port["lon"]), float(port["lat"]))


@dataclass(frozen=True)
class _Diversion:
    row: int
    stop: int
    before: str
    after: str
    old: str
    new: str | None
    sailed: float
    progress_old: float
    progress_new: float
    to_old: float

    def evidence(self) -> str:
        towards = (
            f"; now closing on {self.new} ({self.progress_new:.0%} of the distance sailed)"
            if self.new is not None and not np.isnan(self.progress_new) else ""
        )
        return (
            f"destination {self.before} ({self.old}) changed to {self.after}; in the next "
            f"{self.sailed:.0f} km sailed it closed on {self.old} by only "
            f"{self.progress_old:.0%} of that distance (sea route){towards}"
        )


def destination_changes(reports: pd.DataFrame) -> np.ndarray:
    """Rows where a vessel's declared destination differs from its previous non-empty one."""
    if "destination" not in reports:
        return np.empty(0, dtype=np.int64)
    return declared_changes(
        reports["destination"], reports["mmsi"].to_numpy(),
        lambda texts: texts.map(normalise_destination),
    )[1]


def _previous_destination(reports: pd.DataFrame, row: int) -> str:
    dest = reports["destination"]
    mmsi = reports["mmsi"].iat[row]
    key = normalise_destination(dest.iat[row])
    i = row - 1
    while i >= 0 and reports["mmsi"].iat[i] == mmsi:
        value = dest.iat[i]
        if isinstance(value, str) and normalise_destination(value) not in ("", key):
            return value
        i -= 1
    return ""


def detect_diversions(
    reports: pd.DataFrame,
    *,
    min_distance_km: float = MIN_DISTANCE_KM,
    window_hours: float = WINDOW_HOURS,
    max_progress: float = MAX_PROGRESS,
    min_sailed_km: float = MIN_SAILED_KM,
    source: str | None = None,
) -> gpd.GeoDataFrame:
    """Find diversions (see the module docstring for the definition).

    Parameters
    ----------
    reports : pandas.DataFrame
        Cleaned reports with a ``destination`` column.
    min_distance_km : float
        The old destination must be at least this far away at the change.
    window_hours : float
        How long after the change the track is followed.
    max_progress : float
        Largest share of the distance sailed that may still bring the
        vessel closer to its old destination.
    min_sailed_km : float
        The vessel must move at least this far in the window.
    source : str, optional
        Citation; default from ``reports.attrs["sources"]``.

    Returns
    -------
    geopandas.GeoDataFrame
        Event rows of kind ``diversion`` at the position of the change, with
        ``destination_before``, ``destination_after``, ``sailed_km``,
        ``progress_to_old``, ``progress_to_new`` (shares of the distance
        sailed), ``distance_to_old_km``.
    """
    rows = destination_changes(reports)
    times = reports["time"]
    t = times.array.asi8
    mmsi_all = reports["mmsi"].to_numpy()
    lon, lat = reports["lon"].to_numpy(), reports["lat"].to_numpy()
    found: list[_Diversion] = []
    for row in rows:
        before = _previous_destination(reports, row)
        after = str(reports["destination"].iat[row])
        old = _port(before)
        if old is None:
            continue
        if haversine_km(lon[row], lat[row], np.asarray(old[1]), np.asarray(old[2])) < \
                min_distance_km:
            continue
        stop = row
        limit = t[row] + int(window_hours * 3600e9)
        while stop + 1 < len(t) and mmsi_all[stop + 1] == mmsi_all[row] and t[stop + 1] <= limit:
            stop += 1
        sailed = float(np.nansum(reports["step_km"].to_numpy()[row + 1: stop + 1]))
        if sailed < min_sailed_km:
            continue
        to_old = sea_distance_km(lon[row], lat[row], old[1], old[2])
        progress_old = (to_old - sea_distance_km(lon[stop], lat[stop], old[1], old[2]))
        progress_old /= sailed
        if progress_old >= max_progress:
            continue
        new = _port(after)
        progress_new = float("nan")
        if new is not None:
            progress_new = (
                sea_distance_km(lon[row], lat[row], new[1], new[2])
                - sea_distance_km(lon[stop], lat[stop], new[1], new[2])
            ) / sailed
        found.append(_Diversion(
            row, stop, before, after, old[0], None if new is None else new[0],
            sailed, progress_old, progress_new, to_old,
        ))
    rows_found = np.array([f.row for f in found], dtype=np.int64)
    stops = np.array([f.stop for f in found], dtype=np.int64)

    return event_frame(
        "diversion",
        mmsi=mmsi_all[rows_found],
        start=times.iloc[rows_found],
        end=times.iloc[stops],
        geometry=shapely.points(lon[rows_found], lat[rows_found]),
        confidence=[
            "high" if f.new is not None and f.progress_new >= 0.5 else "medium" for f in found
        ],
        evidence=[f.evidence() for f in found],
        label=[f"{f.before} to {f.after}" for f in found],
        measures={
            "destination_before": [f.before for f in found],
            "destination_after": [f.after for f in found],
            "sailed_km": np.round([f.sailed for f in found], 1),
            "progress_to_old": np.round([f.progress_old for f in found], 3),
            "progress_to_new": np.round([f.progress_new for f in found], 3),
            "distance_to_old_km": np.round([f.to_old for f in found], 1),
        },
        precision_km=0.1,
        source=source or detector_source(reports.attrs.get("sources", [])),
        notes=(
            "Declared AIS destination changed mid-voyage and the vessel turned away from the "
            "sea route to the old destination (northpic definition; sea routes from the "
            "Eurostat SeaRoute network via searoute, Northern Sea Route allowed)."
        ),
    )
