"""The map reads at a glance, in a real headless Chromium.

Key labels at the zooms the catalogue states, names of seas and straits, lines named along
the line, uncertainty as a thin labelled ring, panels that fold, the sea-ice month following
the slider, a time control with date entry, range and "changed since", dates at their
precision, and sources cited by document instead of by file name. Every page is offline and
keeps hostile text inert.
"""

from __future__ import annotations

import calendar
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from builders.picture import HOSTILE, HOSTILE_SCRIPT, points_layer, spec
from northpic.catalogue import read_catalogue
from northpic.picture import load_layer, marked_layer, prepare_layer_frame, valid_at
from northpic.render.map import render_map

pytestmark = pytest.mark.browser
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
SEED_FACT = re.compile(r"\b\d{3}-e\d+\b")
PICTURE_DATE = "2026-02-02"
LINE_HOSTILE = "<svg onload=alert(3)> route"


@pytest.fixture(scope="module")
def default_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("legible") / "picture.html"
    result = subprocess.run(
        [sys.executable, "-m", "northpic", "build", "--out", str(out), "--at", PICTURE_DATE],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


def save(fmap, path: Path) -> Path:
    path.write_text(fmap.get_root().render(), encoding="utf-8")
    return path


def labels_at(page, lat: float, lon: float, zoom: float, layer: str = "bases") -> list[dict]:
    page.evaluate("([n, lat, lon, z]) => { northpic.layers[n].map.setView([lat, lon], z, "
                  "{animate: false}); }", [layer, lat, lon, zoom])
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_function("() => !northpic._labelFrame")
    return page.evaluate("northpic.labelled")


def catalogue_key_labels() -> list[tuple[str, str, float]]:
    """(layer, record id, label_zoom) of every record the catalogue names as a key label."""
    out = []
    for s in read_catalogue():
        for rid, rule in s.style.get("labels", {}).get("records", {}).items():
            out.append((s.name, rid, rule["label_zoom"]))
    return out


# --- labels ------------------------------------------------------------------------


def test_severomorsk_is_a_key_label_from_zoom_6_at_the_latest() -> None:
    zooms = {rid: z for _, rid, z in catalogue_key_labels()}
    assert zooms["base-severomorsk"] <= 6


def test_key_labels_show_at_every_zoom_the_catalogue_states(default_map: Path, open_map) -> None:
    loaded = open_map(default_map)
    page = loaded.page
    keys = catalogue_key_labels()
    assert len(keys) >= 3
    for layer, rid, zoom in keys:
        record = load_layer(layer).set_index("id").loc[rid]
        for z in range(math.ceil(zoom), 13):
            texts = [lab["text"] for lab in labels_at(page, record.geometry.y, record.geometry.x, z)]
            assert record["name"] in texts, (rid, z)
    # below its stated zoom, the key record is not labelled (its rule, not luck, labels it)
    severomorsk = load_layer("bases").set_index("id").loc["base-severomorsk"]
    below = dict((rid, z) for _, rid, z in keys)["base-severomorsk"] - 1
    texts = [lab["text"] for lab in labels_at(page, severomorsk.geometry.y, severomorsk.geometry.x,
                                              below)]
    assert severomorsk["name"] not in texts
    assert loaded.requests == [] and loaded.errors == []


def test_capitals_are_labelled_before_lesser_places(default_map: Path, open_map) -> None:
    page = open_map(default_map).page
    council = load_layer("arctic_council").set_index("id")
    oslo = council.loc["council-norway"]
    shown = labels_at(page, oslo.geometry.y, oslo.geometry.x, 5)
    texts = [lab["text"] for lab in shown]
    assert oslo["name"] in texts


def test_seas_straits_and_passages_are_named(default_map: Path, open_map) -> None:
    loaded = open_map(default_map)
    page = loaded.page
    names = load_layer("sea_names").set_index("name")
    for name in ("Barents Sea", "Bering Strait", "GIUK gap", "Fram Strait", "Kara Sea",
                 "Denmark Strait", "Northwest Passage", "Northern Sea Route"):
        row = names.loc[name]
        shown = labels_at(page, row.geometry.y, row.geometry.x, 4)
        assert name in [lab["text"] for lab in shown if lab["kind"] == "area"], name
    # the first view already names the big seas
    first = [lab["text"] for lab in labels_at(page, 78.0, -30.0, 2)]
    assert {"Barents Sea", "Beaufort Sea"} <= set(first)
    assert loaded.requests == []


def _screen_line(page, layer: str, feature_id: str) -> np.ndarray:
    return np.array(page.evaluate(
        """([name, id]) => { const e = northpic.layers[name]; const out = [];
             e.shapes.getLayers().filter(l => l.feature.properties.id === id).forEach(l => {
               let ll = l.getLatLngs(); if (ll[0] instanceof L.LatLng) { ll = [ll]; }
               ll.forEach(part => part.forEach(p => { const c = e.map.latLngToContainerPoint(p);
                 out.push([c.x, c.y]); })); });
             return out; }""", [layer, feature_id]))


def test_routes_cables_and_boundaries_are_named_along_the_line(default_map: Path,
                                                               open_map) -> None:
    page = open_map(default_map).page
    seen = set()
    for lat, lon, zoom in ((69.0, 33.5, 6), (66.0, -170.0, 5), (70.0, 32.0, 7), (64.0, -20.0, 5)):
        for lab in labels_at(page, lat, lon, zoom):
            if lab["kind"] != "line":
                continue
            seen.add(lab["layer"])
            line = _screen_line(page, lab["layer"], lab["id"])
            cx, cy = (lab["box"][0] + lab["box"][2]) / 2, (lab["box"][1] + lab["box"][3]) / 2
            # the label sits on the line (drawn 5 px above it) ...
            seg = shapely.LineString(line)
            assert seg.distance(shapely.Point(cx, cy)) < 10, lab
            # ... and runs along it: the line's direction where the label sits
            near = seg.project(shapely.Point(cx, cy))
            a, b = seg.interpolate(near - 20), seg.interpolate(near + 20)
            direction = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
            diff = (direction - lab["angle"] + 90) % 180 - 90
            assert abs(diff) < 20, (lab["text"], direction, lab["angle"])
    assert {"shipping_routes", "undersea_cables", "boundaries"} <= seen


def test_labels_never_overlap_anywhere(default_map: Path, open_map) -> None:
    page = open_map(default_map).page
    for lat, lon, zoom in ((78.0, -30.0, 2), (69.0, 33.5, 5), (69.0, 33.5, 6), (66.0, -170.0, 5)):
        boxes = [lab["box"] for lab in labels_at(page, lat, lon, zoom)]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


# --- uncertainty rings ---------------------------------------------------------------


def test_uncertainty_is_a_thin_labelled_ring_without_fill(default_map: Path, open_map) -> None:
    page = open_map(default_map).page
    fleet = load_layer("shadow_fleet")
    points = fleet[fleet.geom_type == "Point"].reset_index(drop=True)
    widest = points.loc[points["precision_km"].idxmax()]
    km = widest["precision_km"]
    lat, lon = widest.geometry.y, widest.geometry.x
    labels_at(page, lat, lon, 4, layer="shadow_fleet")
    rings = page.evaluate("northpic.rings")
    ring = next(g for g in rings if g["layer"] == "shadow_fleet"
                and page.evaluate("i => northpic.layers.shadow_fleet.data.points.values.id[i]",
                                  g["index"]) == widest["id"])
    assert ring["text"] == f"\u00b1{km:g} km"
    # its radius is the geodesic distance, through the page's (pyproj-tested) projection
    north_lon, north_lat, _ = Geod(ellps="WGS84").fwd(lon, lat, 0, km * 1000)
    centre, edge = page.evaluate(
        """([a, b]) => { const m = northpic.layers.shadow_fleet.map;
             return [a, b].map(p => { const c = m.latLngToContainerPoint(p); return [c.x, c.y]; }); }""",
        [[lat, lon], [north_lat, north_lon]])
    assert abs(ring["r"] - math.dist(centre, edge)) / ring["r"] < 0.03
    # pixels of the layer's canvas: clear inside the ring, inked on it and on its label
    pixels = page.evaluate(
        """([x, y, r, lx, ly]) => { const c = document.querySelector('canvas.np-points[data-layer=shadow_fleet]');
             const ctx = c.getContext('2d'), k = c.width / c.clientWidth;
             const alpha = (px, py) => ctx.getImageData(Math.round(px * k), Math.round(py * k), 1, 1).data[3];
             const inside = [], rim = [];
             for (let a = 0; a < 16; a++) {
               const t = a * Math.PI / 8;
               inside.push(alpha(x + 0.5 * r * Math.cos(t), y + 0.5 * r * Math.sin(t)));
               let best = 0;
               for (let d = -2; d <= 2; d++) {
                 for (let e = -2; e <= 2; e++) {
                   best = Math.max(best, alpha(x + r * Math.cos(t) + d, y + r * Math.sin(t) + e)); } }
               rim.push(best); }
             let label = 0;
             for (let dx = -20; dx <= 20; dx++) { for (let dy = -5; dy <= 5; dy++) {
               label = Math.max(label, alpha(lx + dx, ly + dy)); } }
             return { inside: inside, rim: rim, label: label }; }""",
        [ring["x"], ring["y"], ring["r"], ring["lx"], ring["ly"]])
    assert sum(a == 0 for a in pixels["inside"]) >= 14, pixels["inside"]  # no fill
    assert sum(a > 0 for a in pixels["rim"]) >= 6, pixels["rim"]  # a dashed ring
    assert pixels["label"] > 0


# --- panels ----------------------------------------------------------------------------


def test_panels_collapse_and_open_again(default_map: Path, open_map) -> None:
    page = open_map(default_map).page
    for panel, inner in ((".np-layers", "input[data-layer=bases]"),
                         (".np-legend", ".np-keys"), (".np-time", ".np-time-slider")):
        box = page.locator(panel)
        button = box.locator(".np-collapse")
        assert page.locator(f"{panel} {inner}").is_visible()
        high = box.bounding_box()["height"]
        button.click()
        assert button.get_attribute("aria-expanded") == "false"
        assert not page.locator(f"{panel} {inner}").is_visible()
        assert box.bounding_box()["height"] < high / 2
        button.click()
        assert button.get_attribute("aria-expanded") == "true"
        assert page.locator(f"{panel} {inner}").is_visible()


# --- sea-ice month -------------------------------------------------------------------------


def _set_date(page, day: str) -> None:
    page.locator(".np-time-date").fill(day)
    page.locator(".np-time-date").dispatch_event("change")


def _ice_months_drawn(page) -> set[int]:
    return set(page.evaluate("northpic.layers.sea_ice.shapes.getLayers()"
                             ".map(l => l.feature.properties.month)"))


def test_the_ice_month_follows_the_slider(default_map: Path, open_map) -> None:
    loaded = open_map(default_map)
    page = loaded.page
    months_in_file = set(pd.read_csv(read_catalogue_file("sea_ice"))["month"])
    assert months_in_file == set(range(1, 13))
    in_page = set(page.evaluate("northpic.layers.sea_ice.data.shapes.features"
                                ".map(f => f.properties.month)"))
    assert in_page == months_in_file  # all twelve medians travel with the page
    assert _ice_months_drawn(page) == {pd.Timestamp(PICTURE_DATE).month}
    for day in ("2025-03-15", "2025-09-10", "2024-12-31", "2026-01-01"):
        _set_date(page, day)
        month = pd.Timestamp(day).month
        assert _ice_months_drawn(page) == {month}, day
        texts = page.locator(".np-ice-month").all_inner_texts()
        assert texts and all(calendar.month_name[month] in t for t in texts), texts
    # dragging the slider: one step back from 1 January lands in December
    page.evaluate("() => { const s = northpic._slider; s.value = Number(s.value) - 1; "
                  "s.dispatchEvent(new Event('input')); }")
    assert _ice_months_drawn(page) == {12}
    assert "December" in page.locator(".np-legend .np-ice-month").inner_text()
    assert loaded.requests == []


def read_catalogue_file(name: str) -> Path:
    return next(s.file for s in read_catalogue() if s.name == name)


# --- time control -------------------------------------------------------------------------


def _dated_layer() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"id": [f"t-{i}" for i in range(5)], "name": [f"Dated {i}" for i in range(5)],
         "kind": ["test"] * 5, "source": ["tests"] * 5, "confidence": ["high"] * 5,
         "precision_km": [0.0] * 5,
         "valid_from": ["1947", "2020-01", "2025-06-01", None, "2010-05-01"],
         "valid_to": [None, "2024", None, None, None],
         "notes": [""] * 5},
        geometry=shapely.points(np.linspace(10, 30, 5), np.full(5, 70.0)), crs="EPSG:4326")
    return marked_layer(prepare_layer_frame(frame, spec("dated"), "memory"), "memory")


@pytest.fixture
def dated_page(tmp_path: Path, open_map):
    fmap = render_map({"dated": _dated_layer()}, {"dated": spec("dated")},
                      at=pd.Timestamp("2026-01-01", tz="UTC"))
    return open_map(save(fmap, tmp_path / "dated.html"))


def test_date_entry_shows_what_was_valid_that_day(dated_page) -> None:
    page = dated_page.page
    frame = _dated_layer()
    for day in ("2021-06-01", "1950-01-01", "2025-12-31", "2012-03-04"):
        _set_date(page, day)
        assert page.evaluate("northpic.visibleCount('dated')") == len(valid_at(frame, day)), day
        assert page.locator(".np-time-label").inner_text() == day
    assert dated_page.requests == [] and dated_page.errors == []


def test_the_slider_spans_a_readable_range(dated_page) -> None:
    page = dated_page.page
    slider = page.locator(".np-time-slider")
    days = int(slider.get_attribute("max")) - int(slider.get_attribute("min"))
    assert days / slider.bounding_box()["width"] <= 15  # days a pixel by default
    # all of it (1947-2026) stays one choice away, and a date outside the span moves it
    page.locator(".np-time-span").select_option("all")
    days_all = int(slider.get_attribute("max")) - int(slider.get_attribute("min"))
    assert days_all >= (pd.Timestamp("2026-01-01") - pd.Timestamp("1947-01-01")).days
    page.locator(".np-time-span").select_option("10")
    _set_date(page, "1950-06-01")
    assert page.locator(".np-time-span").input_value() == "all"
    assert page.locator(".np-time-label").inner_text() == "1950-06-01"


def test_a_range_shows_what_was_valid_at_any_time_in_it(dated_page) -> None:
    page = dated_page.page
    frame = _dated_layer()
    start, end = pd.Timestamp("2011-01-01", tz="UTC"), pd.Timestamp("2019-12-31", tz="UTC")
    expected = ((frame["valid_from"].isna() | (frame["valid_from"] < end + pd.Timedelta(days=1)))
                & (frame["valid_to"].isna() | (frame["valid_to"] >= start))).sum()
    page.locator(".np-time-from").fill("2011-01-01")
    page.locator(".np-time-to").fill("2019-12-31")
    page.locator(".np-time-range-on").check()
    assert page.evaluate("northpic.visibleCount('dated')") == expected
    assert "2011-01-01" in page.locator(".np-time-label").inner_text()


def test_changed_since_highlights_changes_and_counts_what_it_hides(dated_page) -> None:
    page = dated_page.page
    frame = _dated_layer()
    now, since = pd.Timestamp("2026-01-01", tz="UTC"), pd.Timestamp("2023-01-01", tz="UTC")
    valid = valid_at(frame, now)
    changed = valid[(valid["valid_from"] >= since) | (valid["valid_to"] >= since)]
    _set_date(page, "2026-01-01")
    page.locator(".np-time-since").fill("2023-01-01")
    page.locator(".np-time-since-on").check()
    assert page.evaluate("northpic.visibleCount('dated')") == len(changed) == 1
    text = page.locator(".np-time-hidden").inner_text()
    assert text == (f"{len(changed)} changed since 2023-01-01 shown; "
                    f"{len(valid) - len(changed)} unchanged hidden")
    page.locator(".np-time-since-on").uncheck()
    assert page.evaluate("northpic.visibleCount('dated')") == len(valid)
    assert page.locator(".np-time-hidden").inner_text() == ""


def test_dates_show_at_their_precision(dated_page) -> None:
    page = dated_page.page
    page.locator(".np-time-all input").check()
    shown = {}
    for i in range(3):  # the popup the click handler opens, at each point
        page.evaluate("""i => { const e = northpic.layers.dated; const p = e.data.points;
            e.map.setView([p.lat[i], p.lon[i]], 7, {animate: false});
            northpic.openPointPopup(e.map, {containerPoint: e.map.latLngToContainerPoint(
              [p.lat[i], p.lon[i]])}); }""", i)
        popup = page.locator(".np-popup", has_text=f"Dated {i}")
        popup.wait_for(timeout=5000)
        rows = dict(zip(popup.locator("th").all_inner_texts(), popup.locator("td").all_inner_texts(),
                        strict=True))
        shown[i] = (rows.get("valid from"), rows.get("valid to"))
    assert shown == {0: ("1947", None), 1: ("Jan 2020", "2024"), 2: ("2025-06-01", None)}


# --- citations -------------------------------------------------------------------------------


def _seed(name: str) -> dict:
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


def test_the_page_cites_documents_and_names_no_source_file(default_map: Path, open_map) -> None:
    html = default_map.read_text(encoding="utf-8")
    assert not SEED_FILE.search(html)
    assert not SEED_FACT.search(html)
    page = open_map(default_map).page
    base = load_layer("bases").set_index("id").loc["base-severomorsk"]
    labels_at(page, base.geometry.y, base.geometry.x, 10)
    index = page.evaluate("northpic.layers.bases.data.points.values.id.indexOf('base-severomorsk')")
    x, y = page.evaluate("""i => { const e = northpic.layers.bases; const p = e.data.points;
        const c = e.map.latLngToContainerPoint([p.lat[i], p.lon[i]]); return [c.x, c.y]; }""", index)
    page.mouse.click(x, y)
    popup = page.locator(".np-popup")
    popup.wait_for(timeout=5000)
    text = popup.inner_text()
    doc = _seed("002_3dcab7659b2ccca3.json")
    assert doc["title"] in text
    assert "1947" in text and "1947-01-01" not in text
    pituffik = _seed("003_09faeee6b37f03b2.json")
    assert pituffik["title"] in html and pituffik["publisher"] in html


# --- hostile text --------------------------------------------------------------------------


def test_hostile_names_in_labels_stay_text(tmp_path: Path, open_map) -> None:
    names = points_layer(2, layer="names", names=[HOSTILE, HOSTILE_SCRIPT],
                         lon_range=(10, 11), lat_range=(70.6, 70.7))
    names_spec = spec("names", "environmental", symbol="text", label_zoom=1)
    line = gpd.GeoDataFrame(
        {"id": ["l-1"], "name": [LINE_HOSTILE + " (x)"], "kind": ["route"], "source": [HOSTILE_SCRIPT],
         "confidence": ["low"], "precision_km": [10.0], "valid_from": ["2020"],
         "valid_to": [None], "notes": [HOSTILE]},
        geometry=[shapely.LineString([(5, 69), (10, 69.5), (15, 69.8)])], crs="EPSG:4326")
    line_spec = spec("lines", "economic", label_zoom=1)
    line_spec = type(line_spec)(**{**line_spec.__dict__, "geometry": "line"})
    line = marked_layer(prepare_layer_frame(line, line_spec, "memory"), "memory")
    fmap = render_map({"names": names, "lines": line}, {"names": names_spec, "lines": line_spec})
    loaded = open_map(save(fmap, tmp_path / "hostile.html"))
    page = loaded.page
    texts = [lab["text"] for lab in labels_at(page, 69.8, 10.5, 6, layer="names")]
    assert {HOSTILE, HOSTILE_SCRIPT, LINE_HOSTILE} <= set(texts), texts
    page.locator(".np-time-since-on").check()
    page.wait_for_timeout(200)
    assert loaded.dialogs == [] and loaded.errors == [] and loaded.requests == []
    assert page.locator("img[src=x]").count() == 0
