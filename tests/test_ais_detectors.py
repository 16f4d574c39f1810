"""AIS cleaning, trajectories and detectors on the seeded scenario; dask equals in-memory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from builders import ais as scn
from northpic.ais.cleaning import REASONS, clean_reports, with_report_dtypes
from northpic.ais.declared import declared_changes
from northpic.ais.diversion import detect_diversions
from northpic.ais.encounters import detect_encounters
from northpic.ais.gaps import detect_gaps
from northpic.ais.loitering import _run_sums, detect_loitering
from northpic.ais.pipeline import detect_events
from northpic.ais.trajectories import split_tracks, track_lines
from northpic.memory import pool_take, pool_take_many
from northpic.schema import validate_layer_frame


@pytest.fixture(scope="module")
def scenario() -> scn.Scenario:
    return scn.build_scenario(seed=5)


@pytest.fixture(scope="module")
def cleaned(scenario):
    reports = scenario.reports.copy()
    reports.attrs = {"sources": ["scenario.csv"]}
    return clean_reports(reports)


@pytest.fixture(scope="module")
def events(cleaned):
    return detect_events(cleaned)


def found(frame: pd.DataFrame, kind: str) -> set[tuple[int, int | None]]:
    rows = frame[frame["kind"] == kind]
    return {(int(m), None if pd.isna(o) else int(o))
            for m, o in zip(rows["mmsi"], rows["other_mmsi"], strict=True)}


@pytest.mark.parametrize("reason", [*REASONS, "out_of_order"])
def test_each_bad_record_class_is_cleaned_and_counted(scenario, cleaned, reason: str) -> None:
    assert cleaned.counts[reason] == scenario.bad[reason]


def test_cleaning_keeps_everything_else_sorted(scenario, cleaned) -> None:
    removed = sum(cleaned.counts[r] for r in REASONS)
    assert cleaned.counts["kept"] == len(scenario.reports) - removed == len(cleaned.reports)
    assert len(cleaned.rejected) == removed
    keys = cleaned.reports[["mmsi", "time"]]
    assert keys.equals(keys.sort_values(["mmsi", "time"], kind="stable"))
    spike = cleaned.rejected[cleaned.rejected["reason"] == "impossible_jump"]
    assert spike["mmsi"].tolist() == [scn.SPOOF_MMSI]
    assert "removed: invalid_mmsi 5" in cleaned.summary()


@pytest.mark.parametrize("kind", ["ais_gap", "encounter", "loitering", "diversion", "spoofing",
                                  "identity_change"])
def test_each_detector_finds_exactly_what_was_injected(scenario, events, kind: str) -> None:
    assert found(events, kind) == scenario.expected[kind]


def test_ordinary_traffic_raises_no_alarm(scenario, events) -> None:
    assert not set(events["mmsi"]) & set(scn.ORDINARY_MMSI)
    ordinary = scenario.reports[scenario.reports["mmsi"].isin(scn.ORDINARY_MMSI)].copy()
    assert len(detect_events(ordinary)) == 0


def test_events_are_valid_layer_records(events) -> None:
    valid = validate_layer_frame(events, "events")
    assert len(valid) == len(events) == events["id"].nunique()
    assert set(events["layer"]) == {"shadow_fleet"}
    assert events["source"].str.contains("Global Fishing Watch event definitions").all()
    assert events["evidence"].str.len().gt(20).all()


def test_gap_measures(events) -> None:
    gap = events[events["kind"] == "ais_gap"].iloc[0]
    assert gap["duration_h"] == pytest.approx(14.08, abs=0.01)
    assert gap["implied_speed_kn"] == pytest.approx(11.0, abs=0.2)  # sailed on at 11 kn
    assert gap["start_shore_nm"] >= 50 and gap["end_shore_nm"] >= 50
    assert gap.geometry.geom_type == "LineString" and gap["confidence"] == "high"
    assert gap["id"] == f"ais-ais_gap-{scn.GAP_MMSI}-20260110T0955"


def test_gap_thresholds_are_parameters(cleaned) -> None:
    assert len(detect_gaps(cleaned.reports, min_hours=14.5)) == 0
    assert len(detect_gaps(cleaned.reports, min_shore_nm=150)) == 0  # one end is 141 nm out
    assert len(detect_gaps(cleaned.reports)) == 1


def test_encounter_measures(events, cleaned) -> None:
    meet = events[events["kind"] == "encounter"].iloc[0]
    assert meet["duration_h"] == pytest.approx(4.0, abs=0.34)
    assert meet["median_speed_kn"] < 2
    assert meet["min_distance_m"] < 500 and meet["port_km"] >= 10
    assert abs(meet.geometry.x - 38.0) < 0.1 and abs(meet.geometry.y - 73.5) < 0.05
    assert len(detect_encounters(cleaned.reports, min_hours=4.5)) == 0
    assert len(detect_encounters(cleaned.reports, max_distance_m=100)) == 0  # they lay 168 m apart


def test_loitering_is_reported_apart_from_encounters(events, cleaned) -> None:
    alone = detect_loitering(cleaned.reports)
    # the detector alone also sees both encounter vessels lying still...
    assert set(alone["mmsi"]) == {scn.LOITER_MMSI, *scn.ENCOUNTER_MMSI}
    # ...which the pipeline reports as the encounter only
    row = events[events["kind"] == "loitering"].iloc[0]
    assert row["duration_h"] == pytest.approx(4.92, abs=0.1)
    assert row["avg_speed_kn"] == pytest.approx(0.8, abs=0.05)
    assert len(detect_loitering(cleaned.reports, min_shore_nm=500)) == 0


def test_diversion_names_destinations_before_and_after(events, cleaned) -> None:
    row = events[events["kind"] == "diversion"].iloc[0]
    assert (row["destination_before"], row["destination_after"]) == ("CN SHA", "NOHFT HAMMERFEST")
    assert row["progress_to_old"] < 0 < row["progress_to_new"]
    assert row["start"] == pd.Timestamp("2026-01-10T20:00Z") and row["confidence"] == "high"
    # a vessel that keeps heading east after the same change is no diversion
    reports = cleaned.reports.copy()
    east = reports["mmsi"] == scn.DIVERSION_MMSI
    late = east & (reports["time"] >= pd.Timestamp("2026-01-10T20:00Z"))
    first_late = reports.index[late][0]
    reports.loc[late, ["lon", "lat"]] = reports.loc[first_late, ["lon", "lat"]].to_numpy() + \
        np.column_stack((np.arange(late.sum()) * 0.05, np.zeros(late.sum())))
    assert len(detect_diversions(reports)) == 0


def test_identity_changes(events) -> None:
    rows = events[events["kind"] == "identity_change"].set_index("change")
    assert (rows.loc["name", "value_before"], rows.loc["name", "value_after"]) == (
        "OCEAN A", "OCEAN B")
    assert (rows.loc["mmsi", "flag_mid_before"], rows.loc["mmsi", "flag_mid_after"]) == (273, 620)
    assert rows.loc["mmsi", "imo"] == scn.REFLAG_IMO


def test_tracks_split_at_gaps_and_draw_as_lines(cleaned) -> None:
    tracks = split_tracks(cleaned.reports, gap_hours=6)
    assert tracks.loc[tracks["mmsi"] == scn.GAP_MMSI, "segment"].nunique() == 2
    lines = track_lines(cleaned.reports)
    assert (lines.geom_type == "LineString").all()
    assert len(lines) == tracks["segment"].nunique() - 0  # every segment has >= 2 reports
    assert lines["reports"].sum() == len(cleaned.reports)
    validate_layer_frame(lines, "tracks")
    thin = track_lines(cleaned.reports, max_vertices=1000)
    assert shapely.get_num_coordinates(thin.geometry.values).sum() <= 1000 + 2 * len(thin)


def test_dask_results_equal_in_memory(scenario, events) -> None:
    from dask.distributed import Client, LocalCluster

    from northpic.ais.distributed import detect_events_dask
    from northpic.io.ais.dask_frames import partition_by_mmsi

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        distributed, counts = detect_events_dask(
            partition_by_mmsi(scenario.reports, 4), sources=["scenario.csv"]
        )
    assert counts == {**scenario.bad, "on_land_flagged": 0,
                      **{k: counts[k] for k in ("input", "kept")}}
    pd.testing.assert_frame_equal(
        pd.DataFrame(distributed.drop(columns="geometry"))[
            [c for c in events.columns if c != "geometry"]],
        pd.DataFrame(events.drop(columns="geometry")),
        check_dtype=False,
    )
    assert distributed.geometry.to_wkt().tolist() == events.geometry.to_wkt().tolist()


@pytest.mark.slow
def test_packed_land_mask_equals_the_package() -> None:
    from global_land_mask import globe  # decompresses 930 MB: slow

    from northpic.ais.landmask import _on_raster_land  # the fast first pass alone

    rng = np.random.default_rng(3)
    lat = rng.uniform(-89, 89, 200_000)
    lon = rng.uniform(-180, 180, 200_000)
    assert (_on_raster_land(lon, lat, 0) == globe.is_land(lat, lon)).all()


def test_a_track_that_jumps_and_goes_on_is_reported_not_removed(cleaned) -> None:
    from northpic.ais.cleaning import clean_reports as clean
    from northpic.ais.spoofing import detect_spoofing

    reports = cleaned.reports[cleaned.reports["mmsi"] == scn.RENAME_MMSI].copy()
    later = reports["time"] >= pd.Timestamp("2026-01-11T06:00Z")
    reports.loc[later, "lat"] += 3.0  # 330 km north in five minutes, and on from there
    again = clean(reports.drop(columns=["dt_s", "step_km"]))
    assert again.counts["impossible_jump"] == 0 and again.counts["kept"] == len(reports)
    events = detect_spoofing(again.reports, again.rejected)
    assert len(events) == 1
    row = events.iloc[0]
    assert row["start"] == pd.Timestamp("2026-01-11T06:00Z")
    assert row["distance_km"] == pytest.approx(333.6, abs=1.0)
    assert "jumped and continued" in row["evidence"]
    assert split_tracks(again.reports)["segment"].nunique() == 2


def test_consuming_the_input_gives_the_same_result(scenario, cleaned) -> None:
    reports = with_report_dtypes(scenario.reports)  # as read_ais gives them: not copied again
    reports.attrs = {"sources": ["scenario.csv"]}
    consumed = clean_reports(reports, consume=True)
    assert reports.columns.empty  # the input's columns were taken out, one by one
    pd.testing.assert_frame_equal(consumed.reports, cleaned.reports)
    assert consumed.counts == cleaned.counts
    pd.testing.assert_frame_equal(consumed.rejected, cleaned.rejected)


def test_consume_keeps_only_the_rejected_reasons_asked_for(scenario, cleaned) -> None:
    reports = scenario.reports.copy()
    some = clean_reports(reports, consume=True, keep_rejected=["impossible_jump"])
    assert set(some.rejected["reason"]) == {"impossible_jump"}
    pd.testing.assert_frame_equal(some.removed("impossible_jump"),
                                  cleaned.removed("impossible_jump"))
    assert some.counts == cleaned.counts


@pytest.mark.parametrize("consume", [False, True])
def test_dropped_columns_still_count_for_repeats_but_leave_the_result(scenario, cleaned,
                                                                     consume) -> None:
    reports = scenario.reports.copy()
    assert "cog" in reports.columns
    lean = clean_reports(reports, consume=consume, drop=["cog"])
    assert "cog" not in lean.reports.columns
    assert lean.counts == cleaned.counts  # repeats were still told apart by their course
    pd.testing.assert_frame_equal(lean.reports, cleaned.reports.drop(columns=["cog"]))
    if not consume:
        assert "cog" in reports.columns  # the caller's frame is left as it was
    # a moored ship whose course swings: not repeats, though the course is dropped from the result
    moored = pd.DataFrame({
        "mmsi": 273000001, "lat": 69.0, "lon": 33.0, "sog": 0.0, "cog": [10.0, 200.0, 95.0],
        "time": pd.to_datetime(["2026-01-31 12:00", "2026-01-31 12:10", "2026-01-31 12:20"],
                               utc=True),
    })
    kept = clean_reports(moored, consume=consume, drop=["cog"], inland_km=None)
    assert kept.counts["repeated"] == 0 and len(kept.reports) == 3


def test_declared_changes_are_the_same_for_text_and_categories() -> None:
    values = ["ASTRA", None, " astra ", "", "ORION", "ORION", "VEGA", "VEGA", "LYRA"]
    mmsi = np.array([1, 1, 1, 1, 1, 2, 2, 3, 3])

    def upper(texts: pd.Series) -> pd.Series:
        return texts.str.strip().str.upper()

    text = declared_changes(pd.Series(values, dtype="str"), mmsi, upper)
    categories = declared_changes(pd.Series(values, dtype="category"), mmsi, upper)
    for a, b in zip(text, categories, strict=True):
        assert a.tolist() == b.tolist()
    before, after, old, new = text
    # row 2 is the same name; blanks (rows 1, 3) do not count; other vessels do not compare
    assert (before.tolist(), after.tolist()) == ([2, 5, 7], [4, 6, 8])
    assert (old.tolist(), new.tolist()) == (["ASTRA", "ORION", "VEGA"], ["ORION", "VEGA", "LYRA"])


def test_run_sums_equal_a_loop() -> None:
    rng = np.random.default_rng(3)
    values = rng.uniform(0, 5, 200)
    values[rng.integers(0, 200, 30)] = np.nan
    first = np.sort(rng.integers(0, 200, 40))
    last = first + rng.integers(-1, 20, 40)  # some empty
    last = np.minimum(last, 199)
    want = [np.nansum(values[a:b + 1]) if b >= a else 0.0 for a, b in zip(first, last, strict=True)]
    np.testing.assert_allclose(_run_sums(values, first, last), want)


def test_pool_arrays_behave_as_numpy() -> None:
    values = np.arange(10.0)
    rows = np.array([9, 0, 3, 3])
    np.testing.assert_array_equal(pool_take(values, rows), values[rows])
    taken = pool_take_many([values, values.astype(np.int64)], rows)
    assert [t.dtype for t in taken] == [np.float64, np.int64]
    assert taken[0].flags.writeable
