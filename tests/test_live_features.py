"""The live feed converts only the records that changed, and gets what a full conversion gets."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from northpic.markings import default_markings
from northpic.render import live


def _events(names: list[str], lons: list[float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"ev-{i}" for i in range(len(names))], "name": names,
         "classification": "UNCLASSIFIED", "releasability": "NATO",
         "time": pd.Timestamp("2026-01-15T08:30Z")},
        geometry=[shapely.Point(lon, 70) for lon in lons], crs="EPSG:4326")


def test_an_update_reuses_unchanged_records_and_equals_a_full_conversion(monkeypatch) -> None:
    table = default_markings()
    before = _events(["a", "b", "c"], [10, 20, 30])
    features, digests = live.update_live_features(before, table)
    after = _events(["a", "B", "c", "d"], [10, 20, 31, 40])  # name, geometry, new record

    converted: list[list[str]] = []
    full = live.live_features

    def counting(frame, table):
        converted.append(list(frame["id"]))
        return full(frame, table)

    monkeypatch.setattr(live, "live_features", counting)
    updated, _ = live.update_live_features(after, table, features, digests)
    assert converted == [["ev-1", "ev-2", "ev-3"]]  # ev-0 is unchanged and reused
    assert updated == full(after, table)
    assert list(updated) == list(after["id"])


def test_versions_differ_exactly_when_the_content_does() -> None:
    one = live.row_digests(_events(["a", "b"], [10, 20]))
    same = live.row_digests(_events(["a", "b"], [10, 20]))
    moved = live.row_digests(_events(["a", "b"], [10, 20.000001]))
    assert live.snapshot_version(one, "X") == live.snapshot_version(same, "X")
    assert live.snapshot_version(one, "X") != live.snapshot_version(moved, "X")
    assert live.snapshot_version(one, "X") != live.snapshot_version(one, "Y")
