"""Seeded vessel track lines (the frame ``ais detect --tracks`` writes) for map tests and benchmarks.

:func:`synthetic_tracks` sails ``n_vessels`` vessels for ``positions`` reports
each with a slowly wandering course (a random walk of the heading, so that
Douglas-Peucker has turns to keep), one segment a vessel, vectorised.
:func:`track` makes one line through given positions. Both return marked
layer frames (PUBLIC unless told).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

T0 = pd.Timestamp("2026-01-01T00:00:00Z")


def _frame(lines: Sequence[object] | np.ndarray, mmsi: np.ndarray, t0: pd.Series,
           t1: pd.Series, reports: np.ndarray, releasability: str | Sequence[str],
           classification: str) -> gpd.GeoDataFrame:
    n = len(mmsi)
    rel = [releasability] * n if isinstance(releasability, str) else list(releasability)
    return gpd.GeoDataFrame(
        {
            "id": [f"ais-track-{m}-{t:%Y%m%dT%H%M%S}" for m, t in zip(mmsi, t0, strict=True)],
            "name": [f"AIS track: MMSI {m}" for m in mmsi],
            "layer": "shadow_fleet",
            "domain": "economic",
            "kind": "track",
            "source": "tests/builders/tracks.py (AIS position reports)",
            "confidence": "high",
            "precision_km": 0.05,
            "valid_from": pd.Series(t0).reset_index(drop=True),
            "valid_to": pd.Series(t1).reset_index(drop=True),
            "mmsi": mmsi,
            "vessel_name": [f"VESSEL {m}" for m in mmsi],
            "reports": reports,
            "classification": classification,
            "releasability": rel,
            "originator": "tests/builders/tracks.py",
        },
        geometry=list(lines), crs="EPSG:4326",
    )


def synthetic_tracks(n_vessels: int = 50, positions: int = 200, seed: int = 3, *,
                     interval_s: float = 60.0, lon_range: tuple[float, float] = (-180.0, 180.0),
                     lat_range: tuple[float, float] = (66.0, 82.0),
                     releasability: str = "PUBLIC", classification: str = "UNCLASSIFIED",
                     jitter_m: float = 5.0) -> gpd.GeoDataFrame:
    """``n_vessels`` tracks of ``positions`` reports each (``n_vessels * positions`` in all).

    Each report is off its course by a normal error of ``jitter_m`` metres (GPS noise).
    """
    rng = np.random.default_rng(seed)
    n = n_vessels * positions
    speed_kn = np.repeat(rng.uniform(8, 16, n_vessels), positions)
    turn = rng.normal(0.0, 1.5, n)  # degrees a report
    turn[::positions] = 0.0
    heading = np.repeat(rng.uniform(0, 360, n_vessels), positions) + np.cumsum(turn)
    vessel_start = np.repeat(np.arange(n_vessels) * positions, positions)
    heading -= np.cumsum(turn)[vessel_start]  # the walk restarts at each vessel
    heading = np.radians(heading)
    step_km = speed_kn * 1.852 * interval_s / 3600.0
    lat0 = np.repeat(rng.uniform(*lat_range, n_vessels), positions)
    lon0 = np.repeat(rng.uniform(*lon_range, n_vessels), positions)
    north = np.cumsum(step_km * np.cos(heading))
    east = np.cumsum(step_km * np.sin(heading))
    north -= north[vessel_start]
    east -= east[vessel_start]
    north += rng.normal(0.0, jitter_m / 1000.0, n)  # GPS noise on every report
    east += rng.normal(0.0, jitter_m / 1000.0, n)
    lat = np.clip(lat0 + north / 111.2, -89.0, 89.5)
    lon = ((lon0 + east / (111.2 * np.cos(np.radians(lat))) + 180.0) % 360.0) - 180.0
    # a line that wraps across 180 degrees is drawn as projected, so keep lon/lat as sailed
    lines = shapely.linestrings(np.column_stack((lon, lat)),
                                indices=np.repeat(np.arange(n_vessels), positions))
    mmsi = 201_000_000 + np.arange(n_vessels) * 7_919 + rng.integers(0, 7_919, n_vessels)
    starts = T0 + pd.to_timedelta(rng.uniform(0, 20 * 86400, n_vessels).round(), unit="s")
    ends = starts + pd.to_timedelta((positions - 1) * interval_s, unit="s")
    return _frame(lines, mmsi, pd.Series(starts), pd.Series(ends),
                  np.full(n_vessels, positions), releasability, classification)


def track(coords: Sequence[tuple[float, float]], mmsi: int, *, releasability: str = "PUBLIC",
          classification: str = "UNCLASSIFIED", start: pd.Timestamp = T0,
          hours: float = 6.0) -> gpd.GeoDataFrame:
    """One track line through ``coords`` (lon, lat) as a one-row tracks frame."""
    t0 = pd.Series([start])
    t1 = pd.Series([start + pd.Timedelta(hours=hours)])
    return _frame([shapely.LineString(coords)], np.array([mmsi]), t0, t1,
                  np.array([len(coords)]), releasability, classification)
