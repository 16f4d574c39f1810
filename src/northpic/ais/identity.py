"""Identity changes: a vessel's name or MMSI (and so flag) changes.

Two kinds of change are reported:

* **name**: one MMSI broadcasts a different, non-empty name than in its
  previous report that had one (names compared in upper case, spaces
  collapsed);
* **MMSI / flag**: one IMO number, which stays with a hull for life, is
  broadcast under a new MMSI. The first three digits of an MMSI are the
  maritime identification digits of the flag state, so a change of those
  is a change of flag (``flag_mid_before`` / ``flag_mid_after``).

Reflagging and renaming are legal, but frequent changes are a common
shadow-fleet pattern; confidence is high because the fields are the
vessel's own broadcasts.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.ais.declared import declared_changes
from northpic.ais.events import combine_events, detector_source, event_frame


def _normalise_names(names: pd.Series) -> pd.Series:
    return names.astype("str").str.upper().str.split().str.join(" ")


def _identity_events(
    rows: list[dict[str, object]], source: str
) -> gpd.GeoDataFrame:
    def text(r: dict[str, object]) -> str:
        if r["change"] == "name":
            return f"name changed from {r['before']!r} to {r['after']!r} under the same MMSI"
        mb, ma = r["mid_before"], r["mid_after"]
        flag = f"; flag digits {mb} to {ma}" if mb != ma else "; same flag digits"
        return f"the same IMO number moved from MMSI {r['before']} to MMSI {r['after']}{flag}"

    return event_frame(
        "identity_change",
        mmsi=[int(str(r["mmsi"])) for r in rows],
        other_mmsi=[r["other"] for r in rows],
        start=[r["start"] for r in rows],
        end=[r["end"] for r in rows],
        geometry=shapely.points([r["lon"] for r in rows], [r["lat"] for r in rows])
        if rows else [],
        confidence=["high"] * len(rows),
        evidence=[text(r) for r in rows],
        label=[f"{r['change']} {r['before']} to {r['after']}" for r in rows],
        measures={
            "change": [r["change"] for r in rows],
            "value_before": [str(r["before"]) for r in rows],
            "value_after": [str(r["after"]) for r in rows],
            "imo": np.asarray([r["imo"] for r in rows], dtype=float),
            "flag_mid_before": np.asarray([r["mid_before"] for r in rows], dtype=np.int64),
            "flag_mid_after": np.asarray([r["mid_after"] for r in rows], dtype=np.int64),
        },
        precision_km=0.1,
        source=source,
        notes="A vessel broadcast a new name under its MMSI, or its IMO number under a new MMSI.",
    )


def _mid(mmsi: int) -> int:
    return int(str(int(mmsi))[:3])


def detect_name_changes(reports: pd.DataFrame, *, source: str | None = None) -> gpd.GeoDataFrame:
    """Name changes under one MMSI (cleaned reports sorted by ``(mmsi, time)``)."""
    mmsi = reports["mmsi"].to_numpy()
    rows: list[dict[str, object]] = []
    if "name" not in reports:
        return _identity_events(rows, source or detector_source(reports.attrs.get("sources", [])))
    before_rows, after_rows, before, after = declared_changes(
        reports["name"], mmsi, _normalise_names
    )
    imo = reports["imo"].to_numpy() if "imo" in reports else np.full(len(mmsi), np.nan)
    for b, i, old, new in zip(before_rows, after_rows, before, after, strict=True):
        rows.append({
            "mmsi": mmsi[i], "other": None, "start": reports["time"].iat[b],
            "end": reports["time"].iat[i], "lon": reports["lon"].iat[i],
            "lat": reports["lat"].iat[i], "change": "name", "before": str(old),
            "after": str(new), "imo": imo[i], "mid_before": _mid(mmsi[i]),
            "mid_after": _mid(mmsi[i]),
        })
    return _identity_events(rows, source or detector_source(reports.attrs.get("sources", [])))


def identity_spans(reports: pd.DataFrame) -> pd.DataFrame:
    """First and last report of every (IMO, MMSI) pair: what :func:`mmsi_changes` needs.

    Per vessel, so it runs inside each partition of a distributed frame.
    """
    columns = ["imo", "mmsi", "first", "last", "first_lon", "first_lat"]
    if "imo" not in reports or not reports["imo"].notna().any():
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    frame = pd.DataFrame({
        "imo": reports["imo"].to_numpy(), "mmsi": reports["mmsi"].to_numpy(),
        "time": reports["time"].to_numpy(), "lon": reports["lon"].to_numpy(),
        "lat": reports["lat"].to_numpy(),
    }).dropna(subset=["imo"])
    frame = frame[frame["imo"] > 0]
    spans = frame.groupby(["imo", "mmsi"], sort=True).agg(
        first=("time", "min"), last=("time", "max"), first_lon=("lon", "first"),
        first_lat=("lat", "first"),
    ).reset_index()
    return spans[columns]


def mmsi_changes(spans: pd.DataFrame, *, source: str = "AIS reports") -> gpd.GeoDataFrame:
    """MMSI (and flag) changes of one IMO number, from :func:`identity_spans` of all vessels."""
    spans = spans.sort_values(["imo", "first", "mmsi"], kind="stable").reset_index(drop=True)
    rows: list[dict[str, object]] = []
    imo = spans["imo"].to_numpy()
    for k in np.flatnonzero(imo[1:] == imo[:-1]):
        prev, cur = spans.iloc[k], spans.iloc[k + 1]
        rows.append({
            "mmsi": int(cur["mmsi"]), "other": int(prev["mmsi"]), "start": prev["last"],
            "end": cur["first"], "lon": cur["first_lon"], "lat": cur["first_lat"],
            "change": "mmsi", "before": str(int(prev["mmsi"])), "after": str(int(cur["mmsi"])),
            "imo": float(cur["imo"]), "mid_before": _mid(prev["mmsi"]),
            "mid_after": _mid(cur["mmsi"]),
        })
    return _identity_events(rows, source)


def detect_identity_changes(
    reports: pd.DataFrame, *, source: str | None = None
) -> gpd.GeoDataFrame:
    """Find name changes per MMSI and MMSI (flag) changes per IMO number.

    Parameters
    ----------
    reports : pandas.DataFrame
        Cleaned reports sorted by ``(mmsi, time)``, with ``name`` and ``imo``.
    source : str, optional
        Citation.

    Returns
    -------
    geopandas.GeoDataFrame
        Event rows of kind ``identity_change`` at the first report under
        the new identity, with ``change`` (``name`` or ``mmsi``),
        ``value_before``, ``value_after``, ``imo``, ``flag_mid_before``,
        ``flag_mid_after``.
    """
    cite = source or detector_source(reports.attrs.get("sources", []))
    names = detect_name_changes(reports, source=cite)
    mmsis = mmsi_changes(identity_spans(reports), source=cite)
    return combine_events([names, mmsis])
