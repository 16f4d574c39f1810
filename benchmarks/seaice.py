"""Sea-ice speed and accuracy: northpic against the naive xarray way.

Run: ``python benchmarks/seaice.py [days]``. Prints a table and writes
``benchmarks/results/seaice.json``. Files are synthetic, in the exact G02202
v4 daily layout on the NSIDC 25 km grid, with a known truth (see
``tests/builders/seaice.py``). The peer is what one writes with xarray alone:
``open_dataset`` / ``open_mfdataset`` with default decoding, cells >= 0.15
times a flat 625 km2 (the scaled flags 2.51-2.55 then count as ice), and for
the edge, cell polygons from ``rasterio.features.shapes`` taken to EPSG:4326
with ``to_crs``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from builders import seaice as b  # noqa: E402
from northpic.io.seaice import open_concentration  # noqa: E402
from northpic.io.seaice.many import open_daily_files  # noqa: E402
from northpic.seaice.analysis import extent_and_area, sea_ice_extent  # noqa: E402
from northpic.seaice.edge import ice_edge  # noqa: E402


def _best(func, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def _peer_stats(path: Path) -> float:
    import xarray as xr

    with xr.open_dataset(path) as ds:
        return float((ds["cdr_seaice_conc"] >= 0.15).sum()) * 625e6 / 1e12


def _peer_edge(path: Path):
    import geopandas as gpd
    import rasterio.features
    import shapely
    import xarray as xr
    from rasterio.transform import from_origin

    with xr.open_dataset(path) as ds:
        conc = ds["cdr_seaice_conc"].values[0]
    ice = ((conc >= 0.15) & (conc <= 1)).astype(np.uint8)
    transform = from_origin(-3_850_000, 5_850_000, 25_000, 25_000)
    shapes = [
        shapely.geometry.shape(g)
        for g, v in rasterio.features.shapes(ice, transform=transform)
        if v == 1
    ]
    return gpd.GeoDataFrame(geometry=shapes, crs="EPSG:3413").to_crs("EPSG:4326")


def _peak_rss_mb(code: str) -> float:
    """Peak resident memory (MB) of a fresh Python process running ``code``."""
    import subprocess
    import sys

    probe = ("import resource, sys; exec(compile(sys.stdin.read(), 'bench', 'exec')); "
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", probe], input=code, capture_output=True,
                          text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


def main(days: int = 365) -> dict:
    folder = Path(tempfile.mkdtemp())
    one = b.write_g02202_v4(folder / "seaice_conc_daily_nh_20230915_f17_v04r00.nc")
    extent_true, area_true = b.truth_extent_area()
    open_concentration(one)  # warm imports and the cell-area cache

    t_stats, row = _best(lambda: extent_and_area(open_concentration(one)).iloc[0])
    t_peer_stats, peer_extent = _best(lambda: _peer_stats(one))
    ds = open_concentration(one)
    t_edge, edge = _best(lambda: ice_edge(ds))
    t_peer_edge, peer_edge = _best(lambda: _peer_edge(one))

    series = b.write_g02202_series(folder / "year", days)
    import xarray as xr

    def ours_year():
        return sea_ice_extent(open_daily_files(series)).compute()

    def peer_year():
        with xr.open_mfdataset(series, combine="nested", concat_dim="tdim") as mf:
            return ((mf["cdr_seaice_conc"] >= 0.15).sum(dim=("x", "y")) * 625e6 / 1e12).compute()

    t_year, year = _best(ours_year, repeat=1)
    opening = (f"from northpic.io.seaice.many import open_daily_files\n"
               f"from northpic.seaice.analysis import sea_ice_extent\n"
               f"files = {[str(p) for p in series]!r}\n")
    rss_year = _peak_rss_mb(opening + "sea_ice_extent(open_daily_files(files)).compute()\n")
    rss_base = _peak_rss_mb(opening + "sea_ice_extent(open_daily_files(files[:2])).compute()\n")
    decoded_mb = days * 448 * 304 * 4 / 1e6  # float32 concentration of every day
    t_peer_year, peer = _best(peer_year, repeat=1)

    results = {
        "machine": "2 cores",
        "truth": {"extent_mkm2": extent_true, "area_mkm2": area_true},
        "stats_one_file": {
            "northpic_s": t_stats,
            "peer_s": t_peer_stats,
            "ratio_vs_peer": t_stats / t_peer_stats,
            "northpic_extent_error_pct": 100 * (row["extent_mkm2"] / extent_true - 1),
            "northpic_area_error_pct": 100 * (row["area_mkm2"] / area_true - 1),
            "peer_extent_error_pct": 100 * (peer_extent / extent_true - 1),
        },
        "edge_one_file": {
            "northpic_s": t_edge,
            "peer_s": t_peer_edge,
            "ratio_vs_peer": t_edge / t_peer_edge,
            "northpic_polygons": len(edge),
            "northpic_valid": bool(edge.is_valid.all()),
            "peer_polygons": len(peer_edge),
            "peer_valid": bool(peer_edge.is_valid.all()),
        },
        "extent_many_files": {
            "files": days,
            "northpic_s": t_year,
            "peer_s": t_peer_year,
            "ratio_vs_peer": t_year / t_peer_year,
            "northpic_files_per_s": days / t_year,
            "northpic_peak_rss_mb": rss_year,
            "two_files_peak_rss_mb": rss_base,
            "decoded_data_mb": decoded_mb,
            "peer_mean_extent_error_pct": float(
                100 * (np.mean(peer.values) / np.mean(year.values) - 1)
            ),
        },
    }
    out = ROOT / "benchmarks" / "results" / "seaice.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    s, e, y = results["stats_one_file"], results["edge_one_file"], results["extent_many_files"]
    print(f"{'task':<28}{'northpic':>10}{'peer':>10}{'ratio':>8}  note")
    print(
        f"{'stats, one daily file':<28}{s['northpic_s']:>9.3f}s{s['peer_s']:>9.3f}s"
        f"{s['ratio_vs_peer']:>8.2f}  extent error {s['northpic_extent_error_pct']:+.2f} % "
        f"(peer {s['peer_extent_error_pct']:+.1f} %)"
    )
    print(
        f"{'edge, one daily file':<28}{e['northpic_s']:>9.3f}s{e['peer_s']:>9.3f}s"
        f"{e['ratio_vs_peer']:>8.2f}  valid: northpic {e['northpic_valid']}, peer {e['peer_valid']}"
    )
    print(
        f"{f'extent, {days} daily files':<28}{y['northpic_s']:>9.2f}s{y['peer_s']:>9.2f}s"
        f"{y['ratio_vs_peer']:>8.2f}  {y['northpic_files_per_s']:.0f} files/s; "
        f"peer extent error {y['peer_mean_extent_error_pct']:+.1f} %"
    )
    return results


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 365)
