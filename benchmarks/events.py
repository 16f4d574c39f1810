"""Event store throughput: northpic's transactional store against plain pyogrio appends.

Run: ``python benchmarks/events.py``. Prints a table and writes
``benchmarks/results/events.json``. The peer is what one would write without
northpic: ``pyogrio.write_dataframe(..., append=True)`` into a GeoPackage
(no validation, no upsert, no all-or-nothing guarantee across processes).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import pyogrio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from builders.events import batch, write_geojson  # noqa: E402
from northpic.events import add_events, read_event_source, read_events  # noqa: E402
from northpic.events.schema import validate_events  # noqa: E402
from northpic.store import write_events  # noqa: E402


def _best(func, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main(n: int = 10_000) -> dict:
    folder = Path(tempfile.mkdtemp())
    source = write_geojson(folder / "batch.geojson", batch(n, seed=1))
    raw, label = read_event_source(source)
    frame = validate_events(raw, label)
    counter = iter(range(10**6))

    def ours_store() -> None:
        write_events(frame, folder / f"ours{next(counter)}.gpkg")

    def peer_store() -> None:
        pyogrio.write_dataframe(frame, folder / f"peer{next(counter)}.gpkg", layer="events",
                                append=True)

    store = folder / "read.gpkg"
    add_events(source, store)
    pyogrio.write_dataframe(frame, folder / "peer_read.gpkg", layer="events")
    rows = {
        "add_events end to end (parse, validate, store)": (
            _best(lambda: add_events(source, folder / f"e2e{next(counter)}.gpkg"), 2), None),
        "store one validated batch": (_best(ours_store), _best(peer_store)),
        "read all events": (_best(lambda: read_events(store)),
                            _best(lambda: pyogrio.read_dataframe(folder / "peer_read.gpkg"))),
    }
    print(f"{n:,} point events; peer = pyogrio.write_dataframe(append=True) / read_dataframe")
    print(f"{'step':<48} {'northpic s':>10} {'events/s':>10} {'peer s':>8} {'ratio':>6}")
    results = {"events": n, "rows": []}
    for name, (ours, peer) in rows.items():
        ratio = f"{ours / peer:.2f}" if peer else "-"
        peer_text = f"{peer:.3f}" if peer else "-"
        print(f"{name:<48} {ours:>10.3f} {n / ours:>10,.0f} {peer_text:>8} {ratio:>6}")
        results["rows"].append({"step": name, "northpic_s": round(ours, 4),
                                "events_per_s": round(n / ours),
                                "peer_s": None if peer is None else round(peer, 4),
                                "ratio_vs_peer": None if peer is None else round(ours / peer, 3)})
    out = ROOT / "benchmarks" / "results" / "events.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
