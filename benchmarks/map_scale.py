"""Map scale: northpic's page against plain folium GeoJson on the same points.

For N seeded random points north of 60 N this builds (a) northpic's offline
polar page, the points drawn as the standard military symbols of the
catalogue's installation kinds (every kind, operated by four states, so
friend, hostile and unknown frames: milsymbol's icons are made once per
code and copied per point), and (b) a plain ``folium.GeoJson`` page of the
same points drawn as
CircleMarkers (folium's usual way; its default DOM markers do not finish at
100k), with Leaflet inlined so that both load offline. It reports the Python
render time, the HTML size and the time headless Chromium takes from
navigation to the first frame painted after all features were added.

Run: ``python benchmarks/map_scale.py [N ...]`` (default 10000 100000).

Tracks: ``python benchmarks/map_scale.py --tracks [POSITIONS ...]`` (default
5000000: 5,000 vessels of 1,000 positions, seeded, from
``tests/builders/tracks.py``) builds northpic's polar page with the track and
density layers (:mod:`northpic.render.tracks`) and, beside it, plain folium
``PolyLine``s of the same tracks (one per vessel, SVG, Leaflet inlined) for
at most :data:`FOLIUM_TRACK_CAP` positions (the first vessels), as folium
does not finish a page of millions in useful time. It reports the HTML size,
the load time (navigation start to the first frame painted once the layers
are drawn) and the zoom redraw: the median, over several zooms and places,
of ``performance.now()`` around the track layer's redraw, and for both pages
the time from a zoom to the next painted frame.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import folium

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from builders.picture import points_layer, spec  # noqa: E402
from northpic.catalogue import get_layer_spec  # noqa: E402
from northpic.render.assets import head_html  # noqa: E402
from northpic.render.map import render_map  # noqa: E402
from northpic.render.png import CHROMIUM_ARGS, chromium_path  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "map_scale.json"
TRACK_RESULTS = Path(__file__).parent / "results" / "map_scale_tracks.json"
#: Positions of the plain folium PolyLine page at most.
FOLIUM_TRACK_CAP = 500_000
#: (lat, lon, zoom) of the zoom redraws measured.
ZOOMS = [(70.0, 20.0, z) for z in (4, 5, 6, 7, 8, 9, 10)] + [(75.0, 150.0, 5), (80.0, -60.0, 6)]
TIMEOUT_S = 120

PAINTED = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() =>
    done(performance.now()))))"""


#: States operating the benchmark's installations: friend, hostile and unknown under NATO's view.
STATES = ("Norway", "Russia", "United States", "Chile")


def military_points(n: int, seed: int = 42):
    """``n`` points spread over every installation kind and :data:`STATES`, with its spec."""
    frame = points_layer(n, seed=seed)
    kinds = get_layer_spec("bases").style["kinds"]
    names = list(kinds)
    frame["kind"] = [names[i % len(names)] for i in range(n)]
    frame["country"] = [STATES[(i // len(names)) % len(STATES)] for i in range(n)]
    return frame, spec(kinds=kinds)


def build_northpic(frame, layer, path: Path) -> float:
    start = time.perf_counter()
    fmap = render_map({"test_points": frame}, {"test_points": layer})
    path.write_text(fmap.get_root().render(), encoding="utf-8")
    return time.perf_counter() - start


def build_folium(frame, path: Path) -> float:
    start = time.perf_counter()
    fmap = folium.Map(location=[75, 0], zoom_start=3, tiles=None)
    fmap.default_js, fmap.default_css = [], []
    fmap.get_root().header.add_child(folium.Element(head_html()))
    data = frame[["id", "name", "geometry"]]
    folium.GeoJson(data, marker=folium.CircleMarker(radius=4, fill=True)).add_to(fmap)
    fmap.get_root().html.add_child(
        folium.Element(
            "<script>window.addEventListener('load', () => "
            "{ window.northpicReady = true; });</script>"
        )
    )
    path.write_text(fmap.get_root().render(), encoding="utf-8")
    return time.perf_counter() - start


def load_seconds(browser, path: Path) -> float | None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(path.as_uri(), timeout=TIMEOUT_S * 1000, wait_until="commit")
        page.wait_for_function("window.northpicReady === true", timeout=TIMEOUT_S * 1000)
        painted_ms = page.evaluate(PAINTED)
        return painted_ms / 1000.0  # performance.now() counts from navigation start
    except Exception:  # noqa: BLE001 - a page that never finishes is a result too
        return None
    finally:
        page.close()


def main(sizes: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for n in sizes:
            frame, layer = military_points(n, seed=42)
            ours, plain = Path(tmp) / f"northpic_{n}.html", Path(tmp) / f"folium_{n}.html"
            row = {
                "points": n,
                "northpic_build_s": build_northpic(frame, layer, ours),
                "folium_build_s": build_folium(frame, plain),
            }
            row["northpic_mb"] = ours.stat().st_size / 1e6
            row["folium_mb"] = plain.stat().st_size / 1e6
            row["northpic_load_s"] = load_seconds(browser, ours)
            row["folium_load_s"] = load_seconds(browser, plain)
            if row["northpic_load_s"] and row["folium_load_s"]:
                row["load_ratio"] = row["folium_load_s"] / row["northpic_load_s"]
            rows.append(row)
            print(json.dumps(row), flush=True)
        browser.close()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=2))
    print(
        f"\n{'points':>8} {'northpic MB':>12} {'load s':>7} {'folium MB':>10} {'load s':>7} "
        f"{'ratio':>6}"
    )
    for r in rows:
        fol = f"{r['folium_load_s']:.2f}" if r["folium_load_s"] else f">{TIMEOUT_S}"
        ratio = f"{r.get('load_ratio', 0):.1f}x" if r.get("load_ratio") else "-"
        print(
            f"{r['points']:>8} {r['northpic_mb']:>12.1f} {r['northpic_load_s']:>7.2f} "
            f"{r['folium_mb']:>10.1f} {fol:>7} {ratio:>6}"
        )


ZOOM_FRAME = """([lat, lon, z]) => new Promise(done => {
    const map = window.northpicBenchMap, t = performance.now();
    map.once('zoomend moveend', () => requestAnimationFrame(() => requestAnimationFrame(() =>
        done(performance.now() - t))));
    map.setView([lat, lon], z, {animate: false}); })"""


def build_northpic_tracks(tracks, path: Path) -> float:
    start = time.perf_counter()
    fmap = render_map({}, {}, tracks=tracks, title="AIS tracks")
    path.write_text(fmap.get_root().render(), encoding="utf-8")
    return time.perf_counter() - start


def build_folium_tracks(tracks, path: Path) -> float:
    start = time.perf_counter()
    fmap = folium.Map(location=[75, 0], zoom_start=3, tiles=None)
    fmap.default_js, fmap.default_css = [], []
    fmap.get_root().header.add_child(folium.Element(head_html()))
    for line in tracks.geometry:
        folium.PolyLine([(y, x) for x, y in line.coords], weight=1, color="#b4380b").add_to(fmap)
    fmap.get_root().html.add_child(folium.Element(
        "<script>window.addEventListener('load', () => { window.northpicBenchMap = "
        f"{fmap.get_name()}; window.northpicReady = true; }});</script>"))
    path.write_text(fmap.get_root().render(), encoding="utf-8")
    return time.perf_counter() - start


def measure_tracks_page(browser, path: Path, ours: bool) -> dict[str, float | None]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    out: dict[str, float | None] = {"load_s": None, "redraw_ms": None, "zoom_frame_ms": None}
    try:
        page.goto(path.as_uri(), timeout=TIMEOUT_S * 1000, wait_until="commit")
        ready = "window.northpicReady === true" + (" && window.northpicTracksReady === true"
                                                   if ours else "")
        page.wait_for_function(ready, timeout=TIMEOUT_S * 1000)
        out["load_s"] = page.evaluate(PAINTED) / 1000.0
        if ours:
            page.evaluate("window.northpicBenchMap = northpic.tracks.map")
        redraws, frames = [], []
        for lat, lon, zoom in ZOOMS:
            frames.append(page.evaluate(ZOOM_FRAME, [lat, lon, zoom]))
            if ours:
                redraws.append(page.evaluate("northpic.tracks.layer.lastMs"))
        out["zoom_frame_ms"] = statistics.median(frames)
        if ours:
            out["redraw_ms"] = statistics.median(redraws)
            out["redraw_max_ms"] = max(redraws)
    except Exception as exc:  # noqa: BLE001 - a page that never finishes is a result too
        out["error"] = type(exc).__name__  # type: ignore[assignment]
    finally:
        page.close()
    return out


def tracks_main(sizes: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    from builders.tracks import synthetic_tracks

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for n in sizes:
            vessels = max(1, n // 1000)
            tracks = synthetic_tracks(vessels, n // vessels, seed=42)
            ours = Path(tmp) / f"northpic_tracks_{n}.html"
            row: dict[str, object] = {"positions": vessels * (n // vessels), "vessels": vessels,
                                      "northpic_build_s": build_northpic_tracks(tracks, ours)}
            row["northpic_mb"] = ours.stat().st_size / 1e6
            row.update({f"northpic_{k}": v for k, v in
                        measure_tracks_page(browser, ours, ours=True).items()})
            capped = tracks.iloc[: max(1, FOLIUM_TRACK_CAP // (n // vessels))]
            plain = Path(tmp) / f"folium_tracks_{n}.html"
            row["folium_positions"] = int(sum(len(g.coords) for g in capped.geometry))
            row["folium_build_s"] = build_folium_tracks(capped, plain)
            row["folium_mb"] = plain.stat().st_size / 1e6
            row.update({f"folium_{k}": v for k, v in
                        measure_tracks_page(browser, plain, ours=False).items()})
            rows.append(row)
            print(json.dumps(row), flush=True)
        browser.close()
    TRACK_RESULTS.parent.mkdir(exist_ok=True)
    TRACK_RESULTS.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--tracks"]:
        tracks_main([int(a) for a in sys.argv[2:]] or [5_000_000])
    else:
        main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
