"""Trajectories: the reports frame split into segments, and track lines for the map.

A trajectory is not an object here: it is the run of rows of one vessel
in the reports frame sorted by ``(mmsi, time)``. :func:`split_tracks` gives
every row a ``segment`` number that changes where the vessel changes or
its reports pause for longer than ``gap_hours`` (or jump impossibly far);
:func:`track_lines` turns segments into LineStrings in one
:func:`shapely.linestrings` call.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.ais.cleaning import MAX_SPEED_KN, MIN_JUMP_KM, _jump_flags
from northpic.ais.events import inert_text
from northpic.schema import STORAGE_CRS


def segment_starts(
    reports: pd.DataFrame,
    gap_hours: float = 6.0,
    max_speed_kn: float = MAX_SPEED_KN,
) -> np.ndarray:
    """Say which rows start a new segment (new vessel, a pause, or an impossible jump).

    Parameters
    ----------
    reports : pandas.DataFrame
        Cleaned reports (sorted, with ``dt_s`` and ``step_km``; see
        :func:`northpic.ais.cleaning.clean_reports`).
    gap_hours : float
        A pause of at least this long starts a new segment.
    max_speed_kn : float
        A step faster than this starts a new segment.

    Returns
    -------
    numpy.ndarray of bool
    """
    dt = reports["dt_s"].to_numpy()
    step = reports["step_km"].to_numpy()
    jump = _jump_flags(dt, step, max_speed_kn, MIN_JUMP_KM)
    return np.isnan(dt) | (dt >= gap_hours * 3600.0) | jump


def split_tracks(reports: pd.DataFrame, gap_hours: float = 6.0) -> pd.DataFrame:
    """Give every report the number of its track segment.

    Parameters
    ----------
    reports : pandas.DataFrame
        Cleaned reports sorted by ``(mmsi, time)``.
    gap_hours : float
        Split where a vessel is silent for at least this long (default 6 h).

    Returns
    -------
    pandas.DataFrame
        ``reports`` with an int64 ``segment`` column, 0, 1, 2... in row order.

    Examples
    --------
    A vessel silent for 32 hours after its second report:

    >>> from northpic.ais.cleaning import clean_reports
    >>> times = pd.to_datetime(["2026-01-31 00:00", "2026-01-31 00:10", "2026-02-01 08:00"],
    ...                        utc=True)
    >>> cleaned = clean_reports(pd.DataFrame(
    ...     {"mmsi": 273000001, "time": times, "lat": [74.0, 74.01, 74.5], "lon": 30.0}))
    >>> split_tracks(cleaned.reports, gap_hours=6)["segment"].tolist()
    [0, 0, 1]
    """
    out = reports.copy()
    out["segment"] = np.cumsum(segment_starts(reports, gap_hours)) - 1
    return out


def track_lines(
    reports: pd.DataFrame,
    gap_hours: float = 6.0,
    source: str | None = None,
    max_vertices: int | None = None,
) -> gpd.GeoDataFrame:
    """One LineString per track segment, as a northpic layer frame.

    Parameters
    ----------
    reports : pandas.DataFrame
        Cleaned reports sorted by ``(mmsi, time)``.
    gap_hours : float
        Segments end where a vessel is silent this long.
    source : str, optional
        Citation of the input (file names); default from
        ``reports.attrs["sources"]``.
    max_vertices : int, optional
        Keep at most this many vertices in all (every k-th report, the ends
        of each segment always kept) so the map stays responsive.

    Returns
    -------
    geopandas.GeoDataFrame
        Common layer columns (kind ``"track"``, layer ``"shadow_fleet"``,
        domain ``"economic"``) plus ``mmsi``, ``vessel_name``, ``reports``,
        ``length_km``; segments with a single report, or a single position
        (a vessel at berth), are left out.
    """
    starts = segment_starts(reports, gap_hours)
    segment = np.cumsum(starts) - 1
    n = len(reports)
    keep = np.ones(n, dtype=bool)
    if max_vertices is not None and n > max_vertices:
        stride = int(np.ceil(n / max_vertices))
        ends = np.zeros(n, dtype=bool)
        ends[:-1] = starts[1:]
        ends[-1] = True
        keep = (np.arange(n) % stride == 0) | starts | ends
    sizes = np.bincount(segment, minlength=segment[-1] + 1 if n else 0)
    keep &= sizes[segment] >= 2
    rows = np.flatnonzero(keep)
    seg = segment[rows]
    lon = reports["lon"].to_numpy()[rows]
    lat = reports["lat"].to_numpy()[rows]
    step = np.nan_to_num(reports["step_km"].to_numpy(), nan=0.0)
    step[starts] = 0.0
    length = np.bincount(segment, weights=step, minlength=len(sizes))
    ids, first, dense = np.unique(seg, return_index=True, return_inverse=True)
    lines = shapely.linestrings(np.column_stack((lon, lat)), indices=dense)
    first_rows = rows[first]
    last_rows = np.append(rows[first[1:] - 1], rows[-1]) if len(rows) else rows
    times = reports["time"]
    mmsi = reports["mmsi"].to_numpy()[first_rows]
    names = (inert_text(reports["name"].to_numpy()[first_rows]) if "name" in reports
             else None)  # the store refuses control characters (see inert_text)
    cite = source or "; ".join(reports.attrs.get("sources", [])) or "AIS reports"
    frame = gpd.GeoDataFrame(
        {
            "id": [f"ais-track-{m}-{t:%Y%m%dT%H%M%S}" for m, t in
                   zip(mmsi, times.iloc[first_rows], strict=True)],
            "name": [f"AIS track: MMSI {m}" for m in mmsi],
            "layer": "shadow_fleet",
            "domain": "economic",
            "kind": "track",
            "source": inert_text([f"{cite} (AIS position reports)"])[0],
            "confidence": "high",
            "precision_km": 0.05,
            "valid_from": times.iloc[first_rows].reset_index(drop=True),
            "valid_to": times.iloc[last_rows].reset_index(drop=True),
            "mmsi": mmsi,
            "vessel_name": names,
            "reports": sizes[ids],
            "length_km": np.round(length[ids], 2),
        },
        geometry=lines,
        crs=STORAGE_CRS,
    )
    # a vessel that never moved in a segment has no line (a zero-length one is invalid)
    moved = shapely.length(lines) > 0 if len(rows) else np.zeros(0, dtype=bool)
    return frame[moved].reset_index(drop=True) if not moved.all() else frame


#: The kind of the last-position records of :func:`last_positions`.
POSITION_KIND = "ais_position"


def last_positions(reports: pd.DataFrame, source: str | None = None) -> gpd.GeoDataFrame:
    """Each vessel's last position report, as a northpic layer frame.

    Parameters
    ----------
    reports : pandas.DataFrame
        Cleaned reports sorted by ``(mmsi, time)``.
    source : str, optional
        Citation of the input; default from ``reports.attrs["sources"]``.

    Returns
    -------
    geopandas.GeoDataFrame
        One point per MMSI: common layer columns (kind ``"ais_position"``,
        layer ``"shadow_fleet"``, domain ``"economic"``, ``valid_from`` the
        report's time, no ``valid_to``; confidence and precision as for
        :func:`track_lines`) plus ``mmsi``, ``vessel_name`` and ``sog`` (knots)
        where the reports have them.
    """
    last = reports.drop_duplicates("mmsi", keep="last").reset_index(drop=True)
    mmsi = last["mmsi"].to_numpy()
    names = inert_text(last["name"].to_numpy()) if "name" in last else [None] * len(last)
    cite = source or "; ".join(reports.attrs.get("sources", [])) or "AIS reports"
    columns: dict[str, object] = {
        "id": [f"ais-position-{m}" for m in mmsi],
        "name": [f"{n} (MMSI {m})" if isinstance(n, str) and n.strip() else f"MMSI {m}"
                 for m, n in zip(mmsi, names, strict=True)],
        "layer": "shadow_fleet",
        "domain": "economic",
        "kind": POSITION_KIND,
        "source": inert_text([f"{cite} (AIS position reports)"])[0],
        "confidence": "high",
        "precision_km": 0.05,
        "valid_from": last["time"],
        "valid_to": pd.Series(pd.NaT, index=last.index, dtype=last["time"].dtype),
        "mmsi": mmsi,
        "vessel_name": names,
    }
    if "sog" in last:
        columns["sog"] = last["sog"].to_numpy()
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(last["lon"], last["lat"]),
                            crs=STORAGE_CRS)
