r"""The PostGIS event store's throughput, against plain INSERTs into PostGIS by hand.

Run: ``python benchmarks/events_postgis.py``. Starts a throwaway local
PostgreSQL with PostGIS (``tests/builders/postgres.py``, ``fsync`` on), prints
a table and writes ``benchmarks/results/events_postgis.json``. The peer is
what one would write by hand without northpic (pyogrio's GDAL has no
PostgreSQL driver): one transaction of plain ``INSERT``\ s of the same
columns and WKB geometry through psycopg into a PostGIS table, and a
``SELECT`` of them back into a GeoDataFrame (no validation, no upsert, no
history, no lock across writers). The GeoPackage store's figures are in
``benchmarks/events.py``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from builders.events import batch, write_geojson  # noqa: E402
from builders.postgres import start_server  # noqa: E402
from northpic.events import read_event_source, read_events  # noqa: E402
from northpic.events.schema import validate_events  # noqa: E402
from northpic.store import count_events, write_events  # noqa: E402


def _best(func, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


_COLUMNS = ("id", "name", "layer", "domain", "kind", "source", "confidence", "precision_km",
            "time", "valid_to", "notes", "classification", "releasability", "originator")


def _peer_write(frame: gpd.GeoDataFrame, url: str) -> None:
    """Insert the batch by hand: one table, one transaction, no upsert or history."""
    wkb = shapely.to_wkb(np.asarray(list(frame.geometry), dtype=object))
    values = frame[list(_COLUMNS)].astype(object).where(frame[list(_COLUMNS)].notna(), None)
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS peer (geom geometry(Geometry, 4326), id text, "
                     "name text, layer text, domain text, kind text, source text, "
                     "confidence text, precision_km float8, time timestamptz, "
                     "valid_to timestamptz, notes text, classification text, "
                     "releasability text, originator text)")
        marks = ", ".join(["ST_GeomFromWKB(%s, 4326)", *["%s"] * len(_COLUMNS)])
        conn.cursor().executemany(f"INSERT INTO peer VALUES ({marks})",
                                  [(bytes(g), *row) for g, row in
                                   zip(wkb, values.itertuples(index=False), strict=True)])


def _peer_read(url: str) -> gpd.GeoDataFrame:
    """Read the peer's table back by hand into a GeoDataFrame."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(f"SELECT ST_AsBinary(geom), {', '.join(_COLUMNS)} FROM peer"
                            ).fetchall()
    frame = pd.DataFrame([r[1:] for r in rows], columns=list(_COLUMNS))
    return gpd.GeoDataFrame(frame, geometry=shapely.from_wkb([bytes(r[0]) for r in rows]),
                            crs=4326)


def main(n: int = 10_000) -> dict:
    server = start_server(durable=True)
    try:
        folder = server.folder
        source = write_geojson(folder / "batch.geojson", batch(n, seed=1))
        raw, label = read_event_source(source)
        frame = validate_events(raw, label)

        def ours_store() -> None:
            write_events(frame, server.new_database(), label)

        def peer_store() -> None:
            _peer_write(frame, server.new_database())

        store = server.new_database()
        write_events(frame, store, label)
        peer = server.new_database()
        _peer_write(frame, peer)
        rows = {
            "store one validated batch": (_best(ours_store), _best(peer_store)),
            "read all events": (_best(lambda: read_events(store)),
                                _best(lambda: _peer_read(peer))),
        }
        connect = _best(lambda: [count_events(store) for _ in range(20)]) / 20
    finally:
        server.stop()
    print(f"{n:,} point events, PostGIS; peer = plain INSERTs / SELECT by hand (psycopg)")
    print(f"{'step':<30} {'northpic s':>10} {'events/s':>10} {'peer s':>8} {'ratio':>6}")
    results: dict = {"events": n, "rows": [], "count_events_call_s": round(connect, 5)}
    for name, (ours, theirs) in rows.items():
        print(f"{name:<30} {ours:>10.3f} {n / ours:>10,.0f} {theirs:>8.3f} "
              f"{ours / theirs:>6.2f}")
        results["rows"].append({"step": name, "northpic_s": round(ours, 4),
                                "events_per_s": round(n / ours), "peer_s": round(theirs, 4),
                                "ratio_vs_peer": round(ours / theirs, 3)})
    print(f"one count_events call (a kept connection: check it, read the schema, count): "
          f"{connect:.4f} s")
    out = ROOT / "benchmarks" / "results" / "events_postgis.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
