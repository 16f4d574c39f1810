"""AIS at scale: northpic against MovingPandas, and CSV-to-events throughput and memory.

Run: ``python benchmarks/ais.py [--sizes 1000000,10000000] [--mp-sizes 1000000]
[--repeat 5]``. Prints a table and writes ``benchmarks/results/ais.json``.

Synthetic traffic (``tests/builders/ais.py``: 2,000 vessels north of 66 N,
one report a minute, 7 h silences every 500 reports, stops at 0.3 kn) is
written in the Danish Maritime Authority CSV layout (26 columns, about 190
bytes a row).

Two measurements:

1. **Comparable work** on the same in-memory reports: trajectories per
   vessel, split at 6 h gaps, and stop detection. MovingPandas:
   ``TrajectoryCollection`` + ``ObservationGapSplitter(gap=6 h)`` +
   ``TrajectoryStopDetector(max_diameter=3.7 km, min_duration=1 h)``
   (3.7 km = 2 kn for an hour). northpic: sort by (mmsi, time), steps,
   ``split_tracks(6 h)``, ``track_lines`` and the slow-run stop finder of
   the loitering detector (under 2 kn for at least 1 h). MovingPandas is
   timed once (it takes minutes), northpic three times (the median).
2. **CSV to events**: ``northpic ais detect FILE --out EVENTS`` in a fresh
   process (read, clean with the land mask, all six detectors, GeoJSON
   written), ``--repeat`` times: the wall time of the whole command
   (Python start and imports, about 0.45 s, and writing the GeoJSON
   included), the time the command itself reports from the start of
   reading the CSV to the events found, and the peak resident memory
   (``ru_maxrss`` of the child) against the CSV's size. Medians and bests
   of the runs are reported: this virtual machine's speed varies by 20 %
   from run to run (its fresh memory pages cost about 1 s per GB, more
   when the host is busy). The baseline RSS of a process that only imports
   the pipeline is reported too.

``--baseline-src DIR`` runs another checkout's ``src/`` (for example the
commit before a change, from ``git worktree add /tmp/before REV``) on the
same CSV, its runs interleaved with this tree's, so that a before/after
comparison shares the machine's moment: its CSV-to-events median and best
are reported beside this tree's, with the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from builders.ais import DMA_HEADER, synthetic_traffic  # noqa: E402
from northpic.ais.cleaning import sort_reports, vessel_steps, with_report_dtypes  # noqa: E402
from northpic.ais.loitering import slow_runs  # noqa: E402
from northpic.ais.trajectories import split_tracks, track_lines  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "ais.json"
CHUNK = 1_000_000


def write_dma(frame: pd.DataFrame, path: Path) -> int:
    """Write ``frame`` in the full DMA layout with pyarrow, in chunks; return the file size."""
    schema = pa.schema([(c, pa.string()) for c in DMA_HEADER])
    options = pcsv.WriteOptions(quoting_style="none")
    with pcsv.CSVWriter(path, schema, write_options=options) as writer:
        for start in range(0, len(frame), CHUNK):
            part = frame.iloc[start:start + CHUNK]
            n = len(part)

            def const(value: str, n: int = n) -> pa.Array:
                return pa.array([value]).take(pa.array(np.zeros(n, dtype=np.int32)))

            def num(values: pd.Series, digits: int) -> pa.Array:
                return pc.cast(pa.array(values.round(digits).to_numpy()), pa.string())

            times = pa.array(part["time"].dt.tz_convert(None).to_numpy()).cast(pa.timestamp("s"))
            columns = {
                "# Timestamp": pc.strftime(times, format="%d/%m/%Y %H:%M:%S"),
                "Type of mobile": const("Class A"),
                "MMSI": pc.cast(pa.array(part["mmsi"].to_numpy()), pa.string()),
                "Latitude": num(part["lat"], 6), "Longitude": num(part["lon"], 6),
                "Navigational status": const("Under way using engine"), "ROT": const("0.0"),
                "SOG": num(part["sog"], 1), "COG": num(part["cog"], 1),
                "Heading": num(part["heading"], 0), "IMO": const("Unknown"),
                "Callsign": const("CALL"), "Name": pa.array(part["name"].to_numpy(), pa.string()),
                "Ship type": const("Tanker"), "Cargo type": const(""), "Width": const("32"),
                "Length": const("180"), "Type of position fixing device": const("GPS"),
                "Draught": const("9.5"), "Destination": const("MURMANSK"), "ETA": const(""),
                "Data source type": const("AIS"), "A": const("150"), "B": const("30"),
                "C": const("16"), "D": const("16"),
            }
            writer.write_table(pa.table([columns[c] for c in DMA_HEADER], names=DMA_HEADER))
    return path.stat().st_size


def northpic_comparable(frame: pd.DataFrame) -> tuple[float, dict[str, int]]:
    """Trajectories, 6 h gap split and stops, as northpic does them."""
    frame = with_report_dtypes(frame)  # nanosecond UTC times, as read_ais gives
    start = time.perf_counter()
    order = sort_reports(frame)
    reports = frame.iloc[order].reset_index(drop=True)
    t = reports["time"].array.asi8 / 1e9
    dt, step = vessel_steps(reports["mmsi"].to_numpy(), t, reports["lon"].to_numpy(),
                            reports["lat"].to_numpy())
    reports["dt_s"], reports["step_km"] = dt, step
    tracks = split_tracks(reports, gap_hours=6)
    lines = track_lines(tracks)
    first, last = slow_runs(tracks, 2.0, 2.0)
    stops = int(np.count_nonzero((t[last] - t[first]) >= 3600))
    seconds = time.perf_counter() - start
    return seconds, {"segments": len(lines), "stops": stops}


def movingpandas_comparable(frame: pd.DataFrame) -> tuple[float, dict[str, int]]:
    """The same work with MovingPandas."""
    import geopandas as gpd
    import movingpandas as mpd

    start = time.perf_counter()
    gdf = gpd.GeoDataFrame(
        frame[["mmsi", "time", "sog"]].assign(time=frame["time"].dt.tz_convert(None)),
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326",
    )
    collection = mpd.TrajectoryCollection(gdf, "mmsi", t="time")
    split = mpd.ObservationGapSplitter(collection).split(gap=timedelta(hours=6))
    stops = mpd.TrajectoryStopDetector(split).get_stop_segments(
        min_duration=timedelta(hours=1), max_diameter=3704
    )
    seconds = time.perf_counter() - start
    return seconds, {"segments": len(split.trajectories), "stops": len(stops)}


def run_cli(csv: Path, out: Path, src: str | None = None) -> tuple[float, int, str]:
    """``northpic ais detect`` in a child process: wall seconds, peak RSS bytes, stderr.

    ``src`` is another checkout's source folder to run instead of this one.
    """
    cmd = [sys.executable, "-m", "northpic", "ais", "detect", str(csv), "--out", str(out),
           "--overwrite"]
    env = None if src is None else dict(os.environ, PYTHONPATH=src)
    return _child(cmd, env)


def _child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "dt = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
        "print(dt, rss, p.returncode); sys.stderr.write(p.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True,
                          env=env)
    seconds, rss, returncode = done.stdout.split()
    if int(returncode) != 0:
        raise RuntimeError(done.stderr)
    return float(seconds), int(rss), done.stderr


def baseline_rss() -> int:
    """Peak RSS of a process that imports the pipeline and loads the land mask and coastline."""
    return _child([sys.executable, "-c", (
        "import numpy as np; from northpic.workflows.ais import detect_files;"
        "from northpic.ais.landmask import is_on_land; from northpic.ais.shore import "
        "distance_to_shore_km; is_on_land(np.array([1.0]), np.array([70.0]));"
        "distance_to_shore_km(np.array([1.0]), np.array([70.0]))")])[1]


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--mp-sizes", default="1000000",
                        help="sizes to run MovingPandas on (it takes minutes per million)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the command per size")
    parser.add_argument("--baseline-src", default=None,
                        help="another checkout's src/ to run on the same CSV, interleaved")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    mp_sizes = {int(s) for s in args.mp_sizes.split(",") if s}
    folder = Path(tempfile.mkdtemp(prefix="northpic-ais-bench-"))
    base = baseline_rss()
    rows = []
    for n in sizes:
        frame = synthetic_traffic(n, n_vessels=2000, seed=1)
        csv = folder / f"aisdk_{n}.csv"
        size = write_dma(frame, csv)
        ours = [northpic_comparable(frame) for _ in range(3)]  # the median of three
        ours_s, ours_counts = sorted(ours, key=lambda r: r[0])[1]
        row: dict = {
            "reports": n, "csv_bytes": size, "northpic_comparable_s": round(ours_s, 3),
            "northpic_comparable": ours_counts,
        }
        if n in mp_sizes:
            mp_s, mp_counts = movingpandas_comparable(frame)
            row.update(movingpandas_comparable_s=round(mp_s, 2), movingpandas=mp_counts,
                       speedup_vs_movingpandas=round(mp_s / ours_s, 1))
        del frame
        runs, baseline = [], []
        for _ in range(args.repeat):
            if args.baseline_src:
                baseline.append(run_cli(csv, folder / f"baseline_{n}.geojson", args.baseline_src))
            runs.append(run_cli(csv, folder / f"events_{n}.geojson"))
        walls = [seconds for seconds, _, _ in runs]
        logged = [_logged_seconds(err) for _, _, err in runs]
        rss = max(r for _, r, _ in runs)
        median_run = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
        row.update(
            runs=len(runs),
            command_s_median=round(statistics.median(walls), 2),
            command_s_best=round(min(walls), 2),
            command_reports_per_s_median=round(n / statistics.median(walls)),
            command_reports_per_s_best=round(n / min(walls)),
            csv_to_events_s_median=round(statistics.median(logged), 2),
            csv_to_events_s_best=round(min(logged), 2),
            csv_to_events_reports_per_s_median=round(n / statistics.median(logged)),
            csv_to_events_reports_per_s_best=round(n / min(logged)),
            peak_rss_bytes=rss,
            peak_rss_over_input=round(rss / size, 2),
            peak_rss_above_baseline_over_input=round((rss - base) / size, 2),
            stages_of_median_run=[line for line in median_run[2].splitlines() if " in " in line],
        )
        if baseline:
            before = [_logged_seconds(err) for _, _, err in baseline]
            row["baseline"] = {
                "src": args.baseline_src,
                "csv_to_events_s_median": round(statistics.median(before), 2),
                "csv_to_events_s_best": round(min(before), 2),
                "stages_of_median_run": [
                    line for line in sorted(baseline, key=lambda r: r[0])[len(baseline) // 2][2]
                    .splitlines() if " in " in line],
                "this_over_baseline_median": round(
                    statistics.median(logged) / statistics.median(before), 3),
            }
        rows.append(row)
        csv.unlink()
        print(json.dumps(row, indent=1), flush=True)
    result = {
        "machine": f"{os.cpu_count()} cores",
        "baseline_rss_bytes": base,
        "peer": "MovingPandas "
                + __import__("importlib.metadata").metadata.version("movingpandas"),
        "runs": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print()
    print(f"{'reports':>11} {'CSV MB':>7} {'ours s':>7} {'MP s':>7} {'x MP':>5} "
          f"{'CSV->events/s med (best)':>25} {'command/s med (best)':>23} {'RSS/CSV':>8}")
    for r in rows:
        print(f"{r['reports']:>11,} {r['csv_bytes'] / 1e6:>7.0f} "
              f"{r['northpic_comparable_s']:>7.2f} "
              f"{r.get('movingpandas_comparable_s', float('nan')):>7.1f} "
              f"{r.get('speedup_vs_movingpandas', float('nan')):>5.0f} "
              f"{r['csv_to_events_reports_per_s_median']:>14,} "
              f"({r['csv_to_events_reports_per_s_best']:>9,}) "
              f"{r['command_reports_per_s_median']:>12,} ({r['command_reports_per_s_best']:>9,}) "
              f"{r['peak_rss_over_input']:>8.2f}")
        if "baseline" in r:
            b = r["baseline"]
            print(f"{'':>11} baseline {b['src']}: CSV->events median "
                  f"{b['csv_to_events_s_median']} s (best {b['csv_to_events_s_best']} s); "
                  "this tree / baseline "
                  f"{b['this_over_baseline_median']}")
    return result


def _logged_seconds(err: str) -> float:
    """The seconds ``ais detect`` reports from the start of reading to the events found."""
    found = re.search(r"event\(s\) from [\d,]+ reports in ([\d.]+) s", err)
    if found is None:
        raise RuntimeError(f"no timing in the command's output:\n{err}")
    return float(found.group(1))


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
