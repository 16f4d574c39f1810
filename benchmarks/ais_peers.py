"""AIS frame work side by side: northpic, polars (lazy) and DuckDB on the same files, in one run.

Run: ``python benchmarks/ais_peers.py [--sizes 1000000,10000000] [--repeat 3]``.
Prints a table and writes ``benchmarks/results/ais_peers.json``.

The work, the same for the three tools: read the reports (MMSI, time,
latitude, longitude) from a DMA CSV, or from Parquet; drop invalid MMSIs
(not 201000000-775999999), missing times, bad positions (latitude or
longitude missing or beyond +-90 / +-180, which takes AIS's 91 / 181) and
exact duplicates (same vessel, time and position); sort by (mmsi, time)
into a frame of the tool's own kind (a pandas frame, a polars DataFrame, a
DuckDB table); and find the 12 h gaps whose both ends are at least 50 nm
from shore. northpic does it with its own functions
(``read_ais(path, fields=())``, ``clean_reports(..., inland_km=None)``,
``detect_gaps``; its cleaning also looks for repeated reports and spikes,
which these inputs do not have). The peers find the candidate gaps (12 h
or more between a vessel's consecutive clean reports) in their own
language, and the same shore-distance function
(:func:`northpic.ais.shore.distance_to_shore_km`) then tests the
candidates' ends, inside the timed work; every tool loads the shoreline
before its clock starts. So the comparison is of the frame work.

Inputs (``tests/builders/ais.py`` :func:`realistic_traffic`): a day of
6,900 vessels in the open Norwegian, Greenland and Barents Seas (none on
land), report intervals varying twentyfold between vessels, 5 % of the
vessels silent 12-20 h, 3 % exact duplicate reports, 0.5 % invalid MMSIs,
0.2 % positions 91/181; written in the full 26-column DMA layout, once in
time order (as DMA files are) and once in a random order (a merged feed),
and as Parquet (the four columns and the rest, one row group per million
reports). Each tool runs in a fresh process (imports outside the clock),
``--repeat`` times, interleaved; the gap sets of the three are checked to
be identical (vessel, start and end times), and the ratios are the
medians' against northpic.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ais import write_dma  # noqa: E402

from builders.ais import realistic_traffic  # noqa: E402
from northpic.ais.shore import distance_to_shore_km, load_shoreline  # noqa: E402
from northpic.ais.spherical import KM_PER_NM  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "ais_peers.json"
TOOLS = ("northpic", "polars", "duckdb")
GAP_S = 12 * 3600
SHORE_NM = 50.0
DMA_TIME = "%d/%m/%Y %H:%M:%S"


def far_from_shore(lon0: np.ndarray, lat0: np.ndarray, lon1: np.ndarray,
                   lat1: np.ndarray) -> np.ndarray:
    """Both ends at least 50 nm from shore (the shore test of ``detect_gaps``)."""
    nm = distance_to_shore_km(np.concatenate((lon0, lon1)), np.concatenate((lat0, lat1)))
    nm = nm / KM_PER_NM
    return (nm[: len(lon0)] >= SHORE_NM) & (nm[len(lon0):] >= SHORE_NM)


def run_northpic(path: Path, kind: str) -> tuple[int, np.ndarray]:
    """Read, clean (no land test), sort and find gaps with northpic."""
    from northpic.ais.cleaning import clean_reports
    from northpic.ais.gaps import detect_gaps
    from northpic.io.ais import read_ais

    reports = read_ais(path, fields=())
    cleaned = clean_reports(reports, inland_km=None, consume=True)
    gaps = detect_gaps(cleaned.reports)
    rows = np.column_stack([
        gaps["mmsi"].to_numpy(np.int64),
        gaps["start"].array.as_unit("s").asi8, gaps["end"].array.as_unit("s").asi8,
    ]) if len(gaps) else np.empty((0, 3), dtype=np.int64)
    return len(cleaned.reports), rows


def run_polars(path: Path, kind: str) -> tuple[int, np.ndarray]:
    """The same work in polars, lazy up to the sorted clean frame."""
    import polars as pl

    if kind == "csv":
        raw = pl.scan_csv(path, infer_schema=False, schema_overrides={
            "MMSI": pl.Int64, "Latitude": pl.Float64, "Longitude": pl.Float64})
        frame = raw.select(
            mmsi=pl.col("MMSI"),
            time=pl.col("# Timestamp").str.strptime(pl.Datetime("us"), DMA_TIME, strict=False),
            lat=pl.col("Latitude"), lon=pl.col("Longitude"))
    else:
        frame = pl.scan_parquet(path).select(
            "mmsi", pl.col("time").dt.replace_time_zone(None).dt.cast_time_unit("us"),
            "lat", "lon")
    clean = (
        frame.filter(pl.col("mmsi").is_between(201_000_000, 775_999_999),
                     pl.col("time").is_not_null(),
                     pl.col("lat").abs() <= 90, pl.col("lon").abs() <= 180)
        .unique(keep="first")
        .sort(["mmsi", "time"])
        .collect()
    )
    gaps = (
        clean.lazy()
        .with_columns(prev_time=pl.col("time").shift(), prev_lat=pl.col("lat").shift(),
                      prev_lon=pl.col("lon").shift(),
                      same=pl.col("mmsi") == pl.col("mmsi").shift())
        .filter(pl.col("same") & ((pl.col("time") - pl.col("prev_time")).dt.total_seconds()
                                  >= GAP_S))
        .collect()
    )
    keep = far_from_shore(gaps["prev_lon"].to_numpy(), gaps["prev_lat"].to_numpy(),
                          gaps["lon"].to_numpy(), gaps["lat"].to_numpy())
    rows = np.column_stack([
        gaps["mmsi"].to_numpy(), gaps["prev_time"].dt.epoch("s").to_numpy(),
        gaps["time"].dt.epoch("s").to_numpy()])[keep]
    return clean.height, rows


def run_duckdb(path: Path, kind: str) -> tuple[int, np.ndarray]:
    """The same work in DuckDB SQL: a sorted clean table, then ``lag()`` over it."""
    import duckdb

    con = duckdb.connect()
    if kind == "csv":
        source = (
            "SELECT TRY_CAST(\"MMSI\" AS BIGINT) AS mmsi, "
            f"try_strptime(\"# Timestamp\", '{DMA_TIME}') AS time, "
            "TRY_CAST(\"Latitude\" AS DOUBLE) AS lat, TRY_CAST(\"Longitude\" AS DOUBLE) AS lon "
            f"FROM read_csv('{path}', header = true, all_varchar = true)"
        )
    else:
        source = (f"SELECT mmsi, timezone('UTC', time) AS time, lat, lon "
                  f"FROM read_parquet('{path}')")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"CREATE TABLE clean AS SELECT DISTINCT mmsi, time, lat, lon FROM ({source}) "
        "WHERE mmsi BETWEEN 201000000 AND 775999999 AND time IS NOT NULL "
        "AND abs(lat) <= 90 AND abs(lon) <= 180 ORDER BY mmsi, time"
    )
    kept = con.execute("SELECT count(*) FROM clean").fetchone()[0]  # type: ignore[index]
    gaps = con.execute(
        "SELECT mmsi, epoch(prev_time)::BIGINT AS t0, epoch(time)::BIGINT AS t1, "
        "prev_lon, prev_lat, lon, lat FROM (SELECT *, "
        "lag(time) OVER w AS prev_time, lag(lat) OVER w AS prev_lat, "
        "lag(lon) OVER w AS prev_lon FROM clean WINDOW w AS (PARTITION BY mmsi ORDER BY time)) "
        f"WHERE time - prev_time >= INTERVAL {GAP_S} SECOND"
    ).fetchnumpy()
    keep = far_from_shore(gaps["prev_lon"], gaps["prev_lat"], gaps["lon"], gaps["lat"])
    rows = np.column_stack([gaps["mmsi"], gaps["t0"], gaps["t1"]])[keep]
    return int(kept), rows


RUNNERS = {"northpic": run_northpic, "polars": run_polars, "duckdb": run_duckdb}


def stages(path: Path) -> dict[str, dict[str, float]]:
    """Seconds of each stage of each tool on one DMA CSV, in this process (``--stages FILE``).

    Read (the four columns, typed), then clean (validity filters and exact
    duplicates), sort by (mmsi, time), and the gaps (candidates and the
    shore test). northpic's cleaning sorts as it cleans, so its ``clean``
    includes the sort.
    """
    import duckdb
    import polars as pl

    from northpic.ais.cleaning import clean_reports
    from northpic.ais.gaps import detect_gaps
    from northpic.io.ais import read_ais

    load_shoreline()
    out: dict[str, dict[str, float]] = {}
    clock = time.perf_counter
    t = clock()
    reports = read_ais(path, fields=())
    t_read = clock()
    cleaned = clean_reports(reports, inland_km=None, consume=True)
    t_clean = clock()
    detect_gaps(cleaned.reports)
    out["northpic"] = {"read": t_read - t, "clean+sort": t_clean - t_read,
                       "gaps": clock() - t_clean}
    del reports, cleaned
    t = clock()
    raw = pl.read_csv(path, infer_schema=False, columns=["MMSI", "# Timestamp", "Latitude",
                                                         "Longitude"],
                      schema_overrides={"MMSI": pl.Int64, "Latitude": pl.Float64,
                                        "Longitude": pl.Float64})
    frame = raw.select(mmsi="MMSI", time=pl.col("# Timestamp").str.strptime(
        pl.Datetime("us"), DMA_TIME, strict=False), lat="Latitude", lon="Longitude")
    t_read = clock()
    clean = frame.filter(pl.col("mmsi").is_between(201_000_000, 775_999_999),
                         pl.col("time").is_not_null(), pl.col("lat").abs() <= 90,
                         pl.col("lon").abs() <= 180).unique(keep="first")
    t_clean = clock()
    clean = clean.sort(["mmsi", "time"])
    t_sort = clock()
    gaps = clean.filter((pl.col("mmsi") == pl.col("mmsi").shift())
                        & ((pl.col("time") - pl.col("time").shift()).dt.total_seconds() >= GAP_S))
    far_from_shore(gaps["lon"].to_numpy(), gaps["lat"].to_numpy(), gaps["lon"].to_numpy(),
                   gaps["lat"].to_numpy())
    out["polars"] = {"read": t_read - t, "clean": t_clean - t_read, "sort": t_sort - t_clean,
                     "gaps": clock() - t_sort}
    del raw, frame, clean
    con = duckdb.connect()
    t = clock()
    con.execute(
        "CREATE TABLE raw AS SELECT TRY_CAST(\"MMSI\" AS BIGINT) AS mmsi, "
        f"try_strptime(\"# Timestamp\", '{DMA_TIME}') AS time, "
        "TRY_CAST(\"Latitude\" AS DOUBLE) AS lat, TRY_CAST(\"Longitude\" AS DOUBLE) AS lon "
        f"FROM read_csv('{path}', header = true, all_varchar = true)")
    t_read = clock()
    con.execute("CREATE TABLE clean AS SELECT DISTINCT * FROM raw WHERE mmsi BETWEEN 201000000 "
                "AND 775999999 AND time IS NOT NULL AND abs(lat) <= 90 AND abs(lon) <= 180")
    t_clean = clock()
    con.execute("CREATE TABLE sorted AS SELECT * FROM clean ORDER BY mmsi, time")
    t_sort = clock()
    con.execute("SELECT * FROM (SELECT *, lag(time) OVER w AS p FROM sorted WINDOW w AS "
                f"(PARTITION BY mmsi ORDER BY time)) WHERE time - p >= INTERVAL {GAP_S} SECOND"
                ).fetchnumpy()
    out["duckdb"] = {"read": t_read - t, "clean": t_clean - t_read, "sort": t_sort - t_clean,
                     "gaps": clock() - t_sort}
    return {tool: {k: round(v, 3) for k, v in s.items()} for tool, s in out.items()}


def child(tool: str, path: Path, kind: str, out: Path) -> None:
    """One tool on one file, in this process: write seconds, counts and the gap set to ``out``."""
    import duckdb  # noqa: F401  (imports outside the clock)
    import polars  # noqa: F401

    import northpic.ais.cleaning  # noqa: F401
    import northpic.ais.gaps  # noqa: F401
    import northpic.io.ais  # noqa: F401

    load_shoreline()  # outside the clock, for every tool
    distance_to_shore_km(np.array([0.0]), np.array([72.0]))
    start = time.perf_counter()
    kept, rows = RUNNERS[tool](path, kind)
    seconds = time.perf_counter() - start
    gaps = sorted(map(tuple, np.asarray(rows, dtype=np.int64).tolist()))
    # this process's own peak (ru_maxrss would carry the parent's over the exec)
    status = Path("/proc/self/status").read_text()
    rss = int(next(ln for ln in status.splitlines() if ln.startswith("VmHWM:")).split()[1]) * 1024
    out.write_text(json.dumps({"seconds": seconds, "kept": kept, "gaps": gaps, "rss": rss}))


def spawn(tool: str, path: Path, kind: str, folder: Path) -> dict[str, Any]:
    """Run :func:`child` in a fresh process and return what it wrote."""
    out = folder / f"{tool}.json"
    subprocess.run([sys.executable, __file__, "--child", tool, str(path), kind, str(out)],
                   check=True)
    return json.loads(out.read_text())


def write_parquet(frame: Any, path: Path) -> int:
    """The reports as Parquet: canonical columns, one row group per million reports."""
    table = pa.Table.from_pandas(frame.astype({"name": str}), preserve_index=False)
    table = table.set_column(table.schema.get_field_index("time"), "time",
                             table.column("time").cast(pa.timestamp("us", tz="UTC")))
    pq.write_table(table, path, row_group_size=1_000_000)
    return path.stat().st_size


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool on each file")
    parser.add_argument("--orders", default="time,random")
    parser.add_argument("--inputs", default="csv,parquet")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="northpic-ais-peers-"))
    versions = {name: __import__("importlib.metadata").metadata.version(name)
                for name in ("polars", "duckdb", "pyarrow")}
    rows: list[dict[str, Any]] = []
    for n in [int(s) for s in args.sizes.split(",") if s]:
        for order in args.orders.split(","):
            frame = realistic_traffic(n, ordered=order == "time")
            files = {"csv": folder / f"aisdk_{n}_{order}.csv",
                     "parquet": folder / f"ais_{n}_{order}.parquet"}
            sizes = {"csv": write_dma(frame, files["csv"]),
                     "parquet": write_parquet(frame, files["parquet"])}
            reports, vessels = len(frame), int(frame["mmsi"].nunique())
            del frame
            for kind, path in files.items():
                if kind not in args.inputs.split(","):
                    path.unlink()
                    continue
                runs: dict[str, list[dict[str, Any]]] = {t: [] for t in TOOLS}
                for _ in range(args.repeat):
                    for tool in TOOLS:
                        runs[tool].append(spawn(tool, path, kind, folder))
                gap_sets = {t: runs[t][0]["gaps"] for t in TOOLS}
                kept = {t: runs[t][0]["kept"] for t in TOOLS}
                agree = all(gap_sets[t] == gap_sets["northpic"] for t in TOOLS)
                median = {t: statistics.median(r["seconds"] for r in runs[t]) for t in TOOLS}
                row = {
                    "reports": reports, "vessels": vessels, "order": order, "input": kind,
                    "bytes": sizes[kind], "runs": args.repeat,
                    "seconds_median": {t: round(s, 3) for t, s in median.items()},
                    "seconds_best": {t: round(min(r["seconds"] for r in runs[t]), 3)
                                     for t in TOOLS},
                    "peak_rss_bytes": {t: max(r["rss"] for r in runs[t]) for t in TOOLS},
                    "kept": kept, "gaps": len(gap_sets["northpic"]),
                    "gap_sets_identical": agree,
                    "peer_over_northpic": {t: round(median[t] / median["northpic"], 2)
                                           for t in ("polars", "duckdb")},
                }
                rows.append(row)
                print(json.dumps(row), flush=True)
                if not agree:
                    for t in TOOLS:
                        print(t, len(gap_sets[t]), kept[t], file=sys.stderr)
                path.unlink()
    result = {"machine": f"{os.cpu_count()} cores", "versions": versions, "runs": rows}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print()
    print(f"{'reports':>11} {'order':>6} {'input':>8} {'northpic s':>10} {'polars s':>9} "
          f"{'DuckDB s':>9} {'polars/np':>9} {'DuckDB/np':>9} {'gaps':>5} same")
    for r in rows:
        s = r["seconds_median"]
        print(f"{r['reports']:>11,} {r['order']:>6} {r['input']:>8} {s['northpic']:>10.2f} "
              f"{s['polars']:>9.2f} {s['duckdb']:>9.2f} "
              f"{r['peer_over_northpic']['polars']:>9.2f} "
              f"{r['peer_over_northpic']['duckdb']:>9.2f} {r['gaps']:>5} "
              f"{'yes' if r['gap_sets_identical'] else 'NO'}")
    if not all(r["gap_sets_identical"] for r in rows):
        raise SystemExit("the tools disagree on the gaps")
    return result


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), sys.argv[4], Path(sys.argv[5]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--stages":
        print(json.dumps(stages(Path(sys.argv[2]))))
    else:
        main()
