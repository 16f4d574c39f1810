"""Benchmark: northpic's exports against plain geopandas/pyogrio writes of the same frame.

The peer is what a user would write by hand: ``GeoDataFrame.to_file`` (pyogrio)
for GeoPackage, GeoJSON, Shapefile and KML, ``to_parquet`` for GeoParquet and
``to_csv`` with WKT for CSV. The ratio is northpic's time over the peer's: the
cost of styles, metadata, RFC 7946 geometry, field mapping and atomic writes.

Run: ``python benchmarks/export.py [N] [--formats kml,gpkg] [--repeat R]`` (default
50,000 points, every format, one run). With ``--repeat`` each format's two writers
run R times, interleaved (ours, peer, ours, peer...), and the medians are reported,
of wall-clock time and of this process's CPU time: the machine may be shared, so a
single run can mislead, and CPU time suffers less from other jobs than wall time does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from builders.export import spec  # noqa: E402
from northpic.export import export_layers  # noqa: E402
from northpic.schema import validate_layer_frame  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "export.json"


def make_points(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01", tz="UTC")
    frame = gpd.GeoDataFrame({
        "id": [f"p{i}" for i in range(n)], "name": [f"Point {i}" for i in range(n)],
        "layer": "points", "domain": "economic", "kind": "ais_event",
        "source": "benchmark", "confidence": rng.choice(["high", "medium", "low"], n),
        "precision_km": rng.uniform(0, 10, n),
        "valid_from": start + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h"),
        "valid_to": pd.NaT, "speed_over_ground": rng.uniform(0, 20, n),
        # every product is marked: public benchmark records, said explicitly
        "classification": "UNCLASSIFIED", "releasability": "PUBLIC", "originator": "benchmark",
    }, geometry=shapely.points(rng.uniform(-180, 180, n), rng.uniform(60, 85, n)),
        crs="EPSG:4326")
    frame["valid_to"] = pd.to_datetime(frame["valid_to"], utc=True)
    return validate_layer_frame(frame, "benchmark") if n <= 2000 else frame


def peer_write(frame: gpd.GeoDataFrame, fmt: str, folder: Path) -> None:
    if fmt == "gpkg":
        frame.to_file(folder / "peer.gpkg", driver="GPKG", engine="pyogrio")
    elif fmt == "geojson":
        frame.to_file(folder / "peer.geojson", driver="GeoJSON", engine="pyogrio")
    elif fmt == "shp":
        frame.rename(columns={"precision_km": "prec_km", "speed_over_ground": "sog"}).to_file(
            folder / "peer.shp", engine="pyogrio")
    elif fmt == "kml":
        frame.to_file(folder / "peer.kml", driver="KML", engine="pyogrio")
    elif fmt == "parquet":
        frame.to_parquet(folder / "peer.parquet")
    elif fmt == "csv":
        pd.DataFrame(frame.drop(columns="geometry")).assign(
            WKT=shapely.to_wkt(frame.geometry.to_numpy())).to_csv(folder / "peer.csv")


def timed(fn) -> tuple[float, float]:
    """Run ``fn``; return its wall-clock and CPU (this process) seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


FORMATS = ("gpkg", "kml", "geojson", "parquet", "shp", "csv")
OUTS = {"gpkg": "p.gpkg", "kml": "p.kml", "geojson": "gj", "parquet": "pq", "shp": "shp",
        "csv": "csv"}


def main(n: int = 50_000, formats: tuple[str, ...] = FORMATS, repeat: int = 1) -> list[dict]:
    frame = make_points(n)
    layer_spec = spec("points", "point", symbol="circle")
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for fmt in formats:
            ours, peer = [], []
            for _ in range(repeat):
                ours.append(timed(lambda: export_layers(  # noqa: B023
                    {"points": frame}, {"points": layer_spec},
                    Path(work) / fmt / OUTS[fmt], fmt, overwrite=True, mkdir=True)))  # noqa: B023
                peer.append(timed(lambda: peer_write(frame, fmt, Path(work))))  # noqa: B023
            mine, theirs = (statistics.median(t[0] for t in ours),
                            statistics.median(t[0] for t in peer))
            mine_cpu, theirs_cpu = (statistics.median(t[1] for t in ours),
                                    statistics.median(t[1] for t in peer))
            rows.append({"format": fmt, "features": n, "runs": repeat,
                         "northpic_s": round(mine, 3), "peer_s": round(theirs, 3),
                         "ratio": round(mine / theirs, 2),
                         "northpic_cpu_s": round(mine_cpu, 3), "peer_cpu_s": round(theirs_cpu, 3),
                         "cpu_ratio": round(mine_cpu / theirs_cpu, 2)})
    print(f"{'format':<8} {'features':>9} {'runs':>5} {'northpic s':>11} {'peer s':>8} "
          f"{'ratio':>6} {'cpu ratio':>10}")
    for r in rows:
        print(f"{r['format']:<8} {r['features']:>9} {r['runs']:>5} {r['northpic_s']:>11.3f} "
              f"{r['peer_s']:>8.3f} {r['ratio']:>6.2f} {r['cpu_ratio']:>10.2f}")
    if set(formats) == set(FORMATS):  # the stored results are of a full run only
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({"peer": "geopandas to_file/to_parquet/to_csv (pyogrio)",
                                       "rows": rows}, indent=2) + "\n")
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=50_000, help="features (points)")
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help="comma-separated formats to time (default: all)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per writer, interleaved; medians are reported")
    args = parser.parse_args()
    chosen = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = sorted(set(chosen) - set(FORMATS))
    if unknown:
        parser.error(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    main(args.n, chosen, args.repeat)
