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
"""

from __future__ import annotations

import json
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


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
