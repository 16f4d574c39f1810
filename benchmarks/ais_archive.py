"""AIS archive scale: 100M reports partitioned by MMSI through dask.distributed, bounded memory.

Run: ``python benchmarks/ais_archive.py [--reports 100000000] [--batch 10000000]
[--buckets 128] [--memory-limit 2GB] [--out DIR] [--keep]``. Prints a
summary and writes ``benchmarks/results/ais_archive.json``.

1. **Build** (bounded memory: one batch at a time): ``--reports / --batch``
   days of traffic (``tests/builders/ais.py`` :func:`realistic_traffic`:
   6,900 vessels at sea per day, a new fleet each day, with duplicates,
   invalid MMSIs and bad positions), each day written with
   :func:`northpic.export.ais_archive.write_ais_archive` into ``--buckets``
   buckets by MMSI, one file per bucket and day. The dataset goes to
   ``--out`` (default: a temporary folder, removed at the end unless
   ``--keep``); it is never part of the repository.
2. **In memory** on a 10M subset (the first day's fleet, read from the
   archive with a pyarrow ``filters`` on its MMSIs):
   ``read_ais_dask(...).compute()`` and
   :func:`northpic.ais.pipeline.detect_events`, in this process.
3. **dask** on a ``LocalCluster`` of 2 worker processes of one thread and
   ``--memory-limit`` each: the same subset (the events must equal the
   in-memory ones), then the whole archive. Each worker's resident memory
   is sampled every 0.2 s (psutil, through ``client.run``) and the peak is
   reported; a worker that the nanny restarted (over its limit) is
   reported too, by its process id.

Reports per second per core: both paths are counted on the machine's 2
cores (the in-memory path runs two detectors at a time and parses on both
cores; the cluster has two single-threaded workers).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from builders.ais import realistic_traffic  # noqa: E402
from northpic.ais.distributed import detect_events_dask  # noqa: E402
from northpic.ais.pipeline import detect_events  # noqa: E402
from northpic.export.ais_archive import write_ais_archive  # noqa: E402
from northpic.io.ais.dask_frames import read_ais_dask  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "ais_archive.json"
CORES = 2


def build(out: Path, reports: int, batch: int, buckets: int) -> tuple[list[int], float]:
    """Write the archive day by day; return the first day's MMSIs and the seconds taken."""
    start = time.perf_counter()
    first: list[int] = []
    for day in range(reports // batch):
        frame = realistic_traffic(batch, seed=100 + day, ordered=None, day=day)
        if day == 0:
            first = sorted(int(m) for m in frame["mmsi"].unique())
        frame["name"] = frame["name"].astype(str)
        write_ais_archive(frame, out, buckets=buckets, name=f"day-{day:03d}")
        print(f"  day {day}: {len(frame):,} reports written", flush=True)
        del frame
    return first, time.perf_counter() - start


def comparable(events: pd.DataFrame) -> pd.DataFrame:
    """Events without ``source``, geometry as WKT, columns and rows in one order."""
    out = pd.DataFrame(events.drop(columns=["geometry", "source"]))
    out["wkt"] = events.geometry.to_wkt().to_numpy()
    out = out[sorted(out.columns)]
    return out.sort_values(["kind", "mmsi", "start", "wkt"]).reset_index(drop=True)


class MemorySampler:
    """Sample each worker's RSS every ``interval`` seconds in a thread; keep the peaks."""

    def __init__(self, client: Any, interval: float = 0.2) -> None:
        self.client, self.interval = client, interval
        self.peak: dict[str, int] = {}
        self.pids: dict[str, set[int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        def rss() -> tuple[int, int]:
            import psutil

            process = psutil.Process()
            return process.pid, process.memory_info().rss

        while not self._stop.is_set():
            try:
                for worker, (pid, value) in self.client.run(rss).items():
                    self.peak[worker] = max(self.peak.get(worker, 0), value)
                    self.pids.setdefault(worker, set()).add(pid)
            except Exception:  # noqa: BLE001 - a worker restarting; sample again
                pass
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000_000)
    parser.add_argument("--batch", type=int, default=10_000_000, help="reports per day written")
    parser.add_argument("--buckets", type=int, default=128)
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--out", type=Path, default=None, help="the archive folder")
    parser.add_argument("--keep", action="store_true", help="keep the archive afterwards")
    args = parser.parse_args()
    from dask.distributed import Client, LocalCluster

    out = args.out or Path(tempfile.mkdtemp(prefix="northpic-ais-archive-")) / "archive"
    print(f"writing {args.reports:,} reports to {out}", flush=True)
    first, build_s = build(out, args.reports, args.batch, args.buckets)
    archive_bytes = sum(p.stat().st_size for p in out.rglob("*.parquet"))
    subset = [("mmsi", "in", first)]

    started = time.perf_counter()
    reports = read_ais_dask(out, filters=subset).compute(scheduler="threads")
    read_s = time.perf_counter() - started
    n_subset = len(reports)
    memory_events = detect_events(reports)
    memory_s = time.perf_counter() - started
    del reports
    print(f"in memory: {n_subset:,} reports, {len(memory_events)} events in {memory_s:.1f} s "
          f"(read {read_s:.1f} s)", flush=True)

    with LocalCluster(n_workers=2, threads_per_worker=1, memory_limit=args.memory_limit,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        started = time.perf_counter()
        sub_events, sub_counts = detect_events_dask(read_ais_dask(out, filters=subset))
        sub_s = time.perf_counter() - started
        identical = comparable(sub_events).equals(comparable(memory_events))
        print(f"dask subset: {sub_counts['input']:,} reports in {sub_s:.1f} s; "
              f"events identical to in memory: {identical}", flush=True)
        client.restart()
        with MemorySampler(client) as sampler:
            started = time.perf_counter()
            events, counts = detect_events_dask(read_ais_dask(out))
            full_s = time.perf_counter() - started
        peaks = sorted(sampler.peak.values())
        restarted = sum(len(p) > 1 for p in sampler.pids.values())
    print(f"dask all: {counts['input']:,} reports, {len(events):,} events in {full_s:.1f} s; "
          f"peak RSS per worker {[round(p / 1e9, 2) for p in peaks]} GB", flush=True)

    memory_rate = n_subset / memory_s / CORES
    dask_rate = counts["input"] / full_s / CORES
    detect_rate = n_subset / (memory_s - read_s) / CORES
    result = {
        "machine": f"{os.cpu_count()} cores",
        "reports": counts["input"], "days": args.reports // args.batch,
        "buckets": args.buckets, "archive_bytes": archive_bytes,
        "build_s": round(build_s, 1),
        "subset_reports": n_subset,
        "in_memory_s": round(memory_s, 2), "in_memory_read_s": round(read_s, 2),
        "dask_subset_s": round(sub_s, 2),
        "subset_events": len(memory_events),
        "subset_events_identical": bool(identical),
        "dask_s": round(full_s, 2), "events": len(events),
        "events_by_kind": {str(k): int(v) for k, v in events["kind"].value_counts().items()},
        "counts": counts,
        "memory_limit": args.memory_limit,
        "peak_rss_per_worker_bytes": peaks,
        "workers_restarted": restarted,
        "in_memory_reports_per_s_per_core": round(memory_rate),
        "dask_reports_per_s_per_core": round(dask_rate),
        "dask_subset_reports_per_s_per_core": round(n_subset / sub_s / CORES),
        "dask_over_in_memory_per_core": round(dask_rate / memory_rate, 2),
        # the in-memory read goes through the whole archive with a filter: the detectors alone
        "in_memory_detect_reports_per_s_per_core": round(detect_rate),
        "dask_over_in_memory_detect_per_core": round(dask_rate / detect_rate, 2),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    if not args.keep and args.out is None:
        shutil.rmtree(out.parent)
    if not identical:
        raise SystemExit("dask and in-memory events differ on the subset")
    if restarted:
        raise SystemExit("a worker was restarted: memory was not bounded")
    return result


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
