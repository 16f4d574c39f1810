"""AIS archives on dask: the documented entry points, run as docs/ais.md shows them, on files.

A 2-worker LocalCluster reads daily DMA zip files (shuffled by MMSI) and an
archive partitioned by MMSI (one partition per bucket); both give the
events of the in-memory run. The gap vessel's silence spans the two days,
so its reports straddle a file boundary (and, in the archive, two files of
one bucket): the gap is found only if the vessel comes together in one
partition.
"""

from __future__ import annotations

import ast
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from builders import ais as scn
from northpic.ais.pipeline import detect_events
from northpic.errors import BadInputError
from northpic.io.ais import read_ais

DOCS = Path(__file__).resolve().parents[1] / "docs" / "ais.md"
CUT = scn.T0 + pd.Timedelta(hours=17)  # inside the gap vessel's 10-24 h silence


def dask_section_code() -> str:
    """The first Python block of the docs' dask section, verbatim."""
    text = DOCS.read_text()
    section = text[text.index("## Beyond one machine: dask"):text.index("## Speed")]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def write_days(folder: Path) -> list[Path]:
    """The seeded scenario as two daily DMA zip files, split in the gap vessel's silence."""
    reports = scn.build_scenario(seed=5).reports
    first = reports["time"].isna() | (reports["time"] < CUT)
    folder.mkdir()
    days = []
    for name, part in (("aisdk-2025-01-10", reports[first]), ("aisdk-2025-01-11",
                                                               reports[~first])):
        csv = scn.write_dma_csv(part, folder / f"{name}.csv")
        with zipfile.ZipFile(folder / f"{name}.zip", "w", zipfile.ZIP_DEFLATED) as z:
            z.write(csv, csv.name)
        csv.unlink()
        days.append(folder / f"{name}.zip")
    gap_times = reports.loc[reports["mmsi"] == scn.GAP_MMSI, "time"]
    assert (gap_times < CUT).any() and (gap_times >= CUT).any()  # it straddles the files
    return days


def comparable(events: pd.DataFrame) -> pd.DataFrame:
    """Events without their ``source`` (the inputs' names differ) and geometry as WKT."""
    out = pd.DataFrame(events.drop(columns=["geometry", "source"]))
    out["wkt"] = events.geometry.to_wkt().to_numpy()
    out = out[sorted(out.columns)]
    return out.sort_values(["kind", "mmsi", "start"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def documented_run(tmp_path_factory):
    """Run the docs' block statement by statement in a folder with ``aisdk/*.zip``."""
    folder = tmp_path_factory.mktemp("archive")
    days = write_days(folder / "aisdk")
    namespace: dict = {}
    results = []
    import os
    here = os.getcwd()
    os.chdir(folder)
    try:
        for statement in ast.parse(dask_section_code()).body:
            exec(compile(ast.Module([statement], []), str(DOCS), "exec"), namespace)
            if isinstance(statement, ast.Assign) and "events" in ast.unparse(statement.targets):
                results.append((namespace["reports"], namespace["events"], namespace["counts"]))
    finally:
        os.chdir(here)
        client = namespace.get("client")
        if client is not None:
            cluster = client.cluster
            client.close()
            cluster.close()
    in_memory = detect_events(read_ais(days))
    return folder, results, in_memory


def test_the_documented_runs_equal_in_memory(documented_run) -> None:
    folder, results, in_memory = documented_run
    assert len(results) == 2  # the daily files, then the archive
    assert set(in_memory["kind"]) == set(scn.build_scenario(seed=5).expected)
    assert scn.GAP_MMSI in set(in_memory.loc[in_memory["kind"] == "ais_gap", "mmsi"])
    for _reports, events, counts in results:
        pd.testing.assert_frame_equal(comparable(events), comparable(in_memory),
                                      check_dtype=False)
        assert counts["input"] == sum(scn.build_scenario(seed=5).reports.shape[:1])


def test_the_archive_holds_whole_vessels_one_bucket_a_partition(documented_run) -> None:
    folder, results, _ = documented_run
    buckets = sorted(p.name for p in (folder / "archive").iterdir())
    assert buckets and all(b.startswith("mmsi_bucket=") for b in buckets)
    gap_bucket = folder / "archive" / f"mmsi_bucket={scn.GAP_MMSI % 16}"
    assert sorted(p.name for p in gap_bucket.iterdir()) == [
        "aisdk-2025-01-10.parquet", "aisdk-2025-01-11.parquet"]
    reports = results[1][0]
    assert reports.npartitions == len(buckets)
    per_part = reports.map_partitions(lambda p: pd.Series([sorted(set(p["mmsi"]))])).compute()
    seen = [m for part in per_part for m in part]
    assert len(seen) == len(set(seen))  # no vessel in two partitions
    assert all({m % 16 for m in part} <= {m % 16 for m in part[:1]} for part in per_part)


def test_an_archive_reads_with_filters_and_fields(documented_run) -> None:
    from northpic.io.ais.dask_frames import read_ais_dask

    folder, _, _ = documented_run
    reports = read_ais_dask(folder / "archive", fields=["sog"],
                            filters=[("mmsi", "==", scn.GAP_MMSI)]).compute(scheduler="sync")
    assert list(reports.columns) == ["mmsi", "time", "lat", "lon", "sog"]
    assert set(reports["mmsi"]) == {scn.GAP_MMSI}
    expected = read_ais(sorted((folder / "aisdk").glob("*.zip")))
    assert len(reports) == int((expected["mmsi"] == scn.GAP_MMSI).sum())


def test_a_folder_that_is_not_an_archive_is_refused(tmp_path) -> None:
    from northpic.io.ais.dask_frames import read_ais_dask

    (tmp_path / "day.parquet").write_bytes(b"")
    with pytest.raises(BadInputError, match="not an AIS archive"):
        read_ais_dask(tmp_path)


def test_a_batch_is_not_written_twice_nor_into_no_buckets(tmp_path) -> None:
    from northpic.errors import OutputExistsError
    from northpic.export.ais_archive import write_ais_archive

    reports = scn.build_scenario(seed=5, bad_records=False).reports
    written = write_ais_archive(reports, tmp_path / "a", buckets=3, name="day")
    assert {p.parent.name for p in written} == {f"mmsi_bucket={k}" for k in
                                                 set(reports["mmsi"] % 3)}
    with pytest.raises(OutputExistsError):
        write_ais_archive(reports, tmp_path / "a", buckets=3, name="day")
    assert write_ais_archive(reports, tmp_path / "a", buckets=3, name="day", overwrite=True)
    with pytest.raises(BadInputError, match="at least 1"):
        write_ais_archive(reports, tmp_path / "b", buckets=0)


def test_an_archive_reads_through_an_fsspec_url(documented_run) -> None:
    import fsspec

    from northpic.io.ais.dask_frames import read_ais_dask

    folder, results, _ = documented_run
    memory = fsspec.filesystem("memory")
    memory.put(str(folder / "archive"), "/ais-archive", recursive=True)
    try:
        reports = read_ais_dask("memory://ais-archive", fields=["sog"])
        assert reports.npartitions == results[1][0].npartitions
        local = read_ais_dask(folder / "archive", fields=["sog"]).compute(scheduler="sync")
        remote = reports.compute(scheduler="sync")
        pd.testing.assert_frame_equal(remote.reset_index(drop=True),
                                      local.reset_index(drop=True))
        assert len(remote) == results[1][2]["input"]
    finally:
        memory.rm("/ais-archive", recursive=True)
