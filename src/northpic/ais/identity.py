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

from northpic.ais.events import detector_source, event_frame


def _normalise_names(names: pd.Series) -> pd.Series:
    return names.astype("str").str.upper().str.split().str.join(" ")


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
    times = reports["time"]
    mmsi = reports["mmsi"].to_numpy()
    lon, lat = reports["lon"].to_numpy(), reports["lat"].to_numpy()
    rows: list[int] = []
    before_rows: list[int] = []
    change: list[str] = []
    before: list[str] = []
    after: list[str] = []
    other: list[object] = []

    named = np.flatnonzero(reports["name"].notna().to_numpy())
    if len(named) > 1:
        names = _normalise_names(reports["name"].iloc[named]).to_numpy()
        differ = (mmsi[named][1:] == mmsi[named][:-1]) & (names[1:] != names[:-1])
        differ &= (names[1:] != "") & (names[:-1] != "")
        for k in np.flatnonzero(differ):
            rows.append(int(named[k + 1]))
            before_rows.append(int(named[k]))
            change.append("name")
            before.append(str(names[k]))
            after.append(str(names[k + 1]))
            other.append(None)

    if "imo" in reports and reports["imo"].notna().any():
        t = times.array.asi8
        with_imo = pd.DataFrame({
            "imo": reports["imo"].to_numpy(), "mmsi": mmsi, "t": t, "row": np.arange(len(mmsi)),
        }).dropna(subset=["imo"])
        with_imo = with_imo[with_imo["imo"] > 0]
        spans = with_imo.groupby(["imo", "mmsi"], sort=False).agg(
            first=("t", "min"), last=("t", "max"), first_row=("row", "min"),
            last_row=("row", "max"),
        ).reset_index().sort_values(["imo", "first"], kind="stable")
        same = spans["imo"].to_numpy()[1:] == spans["imo"].to_numpy()[:-1]
        for k in np.flatnonzero(same):
            prev, cur = spans.iloc[k], spans.iloc[k + 1]
            rows.append(int(cur["first_row"]))
            before_rows.append(int(prev["last_row"]))
            change.append("mmsi")
            before.append(str(int(prev["mmsi"])))
            after.append(str(int(cur["mmsi"])))
            other.append(int(prev["mmsi"]))

    r = np.asarray(rows, dtype=np.int64)
    b = np.asarray(before_rows, dtype=np.int64)
    mid_before = [int(str(int(mmsi[i]))[:3]) for i in b]
    mid_after = [int(str(int(mmsi[i]))[:3]) for i in r]
    imo = reports["imo"].to_numpy()[r] if "imo" in reports else np.full(len(r), np.nan)

    def text(c: str, x: str, y: str, mb: int, ma: int) -> str:
        if c == "name":
            return f"name changed from {x!r} to {y!r} under the same MMSI"
        flag = f"; flag digits {mb} to {ma}" if mb != ma else "; same flag digits"
        return f"the same IMO number moved from MMSI {x} to MMSI {y}{flag}"

    return event_frame(
        "identity_change",
        mmsi=mmsi[r],
        other_mmsi=other,
        start=times.iloc[b] if len(b) else [],
        end=times.iloc[r] if len(r) else [],
        geometry=shapely.points(lon[r], lat[r]) if len(r) else [],
        confidence=["high"] * len(r),
        evidence=[text(*v) for v in zip(change, before, after, mid_before, mid_after, strict=True)],
        label=[f"{c} {x} to {y}" for c, x, y in zip(change, before, after, strict=True)],
        measures={
            "change": change,
            "value_before": before,
            "value_after": after,
            "imo": imo,
            "flag_mid_before": np.asarray(mid_before, dtype=np.int64),
            "flag_mid_after": np.asarray(mid_after, dtype=np.int64),
        },
        precision_km=0.1,
        source=source or detector_source(reports.attrs.get("sources", [])),
        notes="A vessel broadcast a new name under its MMSI, or its IMO number under a new MMSI.",
    )
