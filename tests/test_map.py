"""The map in a real headless Chromium: offline, polar, legible, safe, time-aware."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from builders.picture import HOSTILE, HOSTILE_SCRIPT, points_layer, spec
from northpic.catalogue import read_catalogue
from northpic.crs import transformer
from northpic.render.map import render_map

pytestmark = pytest.mark.browser
LAYER_NAMES = [s.name for s in read_catalogue()]


@pytest.fixture(scope="module")
def default_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("map") / "northern_picture.html"
    result = subprocess.run(
        [sys.executable, "-m", "northpic", "build", "--out", str(out), "--at", "2026-02-02"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


def save(fmap, path: Path) -> Path:
    path.write_text(fmap.get_root().render(), encoding="utf-8")
    return path


def click_feature(page, layer: str, index: int) -> None:
    x, y = page.evaluate(
        """([name, i]) => { const e = northpic.layers[name]; const p = e.data.points;
             const c = e.map.latLngToContainerPoint([p.lat[i], p.lon[i]]); return [c.x, c.y]; }""",
        [layer, index],
    )
    page.mouse.click(x, y)


def test_default_map_is_offline_and_clean(default_map: Path, open_map) -> None:
    html = default_map.read_text(encoding="utf-8")
    # nothing is loaded from outside: no external script, stylesheet, image or CSS url()
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", html)
    assert not re.search(r"""url\(["']?(https?:)?//""", html)
    assert len(html) < 15e6
    loaded = open_map(default_map)
    loaded.page.wait_for_timeout(300)
    assert loaded.errors == []
    assert loaded.requests == []
    assert loaded.page.evaluate("northpic.order") == LAYER_NAMES
    assert loaded.page.evaluate("map => map.options.crs.code",
                                loaded.page.evaluate_handle("northpic.layers.bases.map")) == "EPSG:3413"


def test_every_layer_toggles(default_map: Path, open_map) -> None:
    page = open_map(default_map).page
    for name in LAYER_NAMES:
        box = page.locator(f'input[type=checkbox][data-layer="{name}"]')
        before = page.evaluate("n => northpic.visibleCount(n)", name)
        assert before > 0, f"{name} shows nothing at the picture's date"
        box.uncheck()
        assert page.evaluate("n => northpic.visibleCount(n)", name) == 0
        box.check()
        assert page.evaluate("n => northpic.visibleCount(n)", name) == before


def test_layer_control_groups_by_domain(default_map: Path, open_map) -> None:
    page = open_map(default_map).page
    for s in read_catalogue():
        section = page.locator(f'.np-domain[data-domain="{s.domain}"]')
        assert section.locator(f'input[data-layer="{s.name}"]').count() == 1


def test_kinds_have_their_own_symbols_in_map_and_legend(default_map: Path, open_map) -> None:
    page = open_map(default_map).page
    kinds = page.evaluate("""() => Object.entries(northpic.layers.bases.canvas.kindStyles)
                               .map(([k, s]) => [k, s.sidc || s.symbol + ' ' + s.color])""")
    assert len(kinds) >= 5 and len({style for _, style in kinds}) == len(kinds)
    legend = page.locator('.np-kinds[data-layer="bases"] .np-kind')
    assert sorted(legend.all_inner_texts()) == sorted(k.replace("_", " ") for k, _ in kinds)


def test_each_kind_toggles_on_its_own(default_map: Path, open_map) -> None:
    page = open_map(default_map).page
    shown = """(kind) => { const c = northpic.layers.bases.canvas; let n = 0;
                 for (let i = 0; i < c.n; i++) { if (c.visible[i] && c.points.values.kind[i] === kind) n++; }
                 return n; }"""
    bases = pd.read_csv(Path(__file__).resolve().parents[1] / "layers" / "bases.csv")
    naval_csv = int((bases["kind"] == "naval").sum())
    before_naval, before_all = page.evaluate(shown, "naval"), page.evaluate(
        "northpic.visibleCount('bases')")
    assert 0 < before_naval <= naval_csv
    toggle = page.locator('.np-kinds[data-layer="bases"] input[data-kind="naval"]')
    toggle.uncheck()
    assert page.evaluate(shown, "naval") == 0
    assert page.evaluate("northpic.visibleCount('bases')") == before_all - before_naval
    page.wait_for_function("() => !northpic._labelFrame")
    naval_ids = page.evaluate("""() => { const c = northpic.layers.bases.canvas, out = [];
        for (let i = 0; i < c.n; i++) { if (c.points.values.kind[i] === 'naval') out.push(c.points.values.id[i]); }
        return out; }""")
    assert not {label.get("id") for label in page.evaluate("northpic.labelled")} & set(naval_ids)
    toggle.check()
    assert page.evaluate(shown, "naval") == before_naval


def _labels(page, lat: float, lon: float, zoom: int) -> list[dict]:
    page.evaluate("([lat, lon, z]) => { northpic.layers.bases.map.setView([lat, lon], z, "
                  "{animate: false}); }", [lat, lon, zoom])
    page.wait_for_function("() => !northpic._labelFrame")
    return page.evaluate("northpic.labelled")


def test_key_places_are_labelled_and_labels_never_overlap(default_map: Path, open_map) -> None:
    page = open_map(default_map).page
    overview = [label["text"] for label in _labels(page, 78.0, -30.0, 2)]
    assert any("Pituffik" in t for t in overview), overview  # key places from the first view
    kola = _labels(page, 69.0, 33.5, 5)  # the crowded Kola Peninsula
    assert len(kola) > len(overview) and len(kola) >= 15
    boxes = [label["box"] for label in kola]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_popup_shows_provenance(default_map: Path, open_map) -> None:
    page = open_map(default_map).page
    names = page.evaluate("northpic.layers.bases.data.points.name")
    index = next(i for i, n in enumerate(names) if "Pituffik" in n)
    page.evaluate("() => { northpic.layers.bases.map.setView([76.5, -68.7], 6, {animate: false}); }")
    page.wait_for_timeout(200)
    click_feature(page, "bases", index)
    popup = page.locator(".np-popup")
    popup.wait_for(timeout=5000)
    text = popup.inner_text()
    assert "Pituffik" in text
    for key in ("source", "confidence", "location", "operator"):
        assert key in text


def test_hostile_text_runs_nothing(tmp_path: Path, open_map) -> None:
    frame = points_layer(2, names=[HOSTILE, HOSTILE_SCRIPT], notes=[HOSTILE_SCRIPT, HOSTILE],
                         lon_range=(10, 11), lat_range=(70, 70.1))
    path = save(render_map({"test_points": frame}, {"test_points": spec()}), tmp_path / "x.html")
    loaded = open_map(path)
    page = loaded.page
    page.evaluate("() => { northpic.layers.test_points.map.setView([70.05, 10.5], 9, {animate: false}); }")
    page.wait_for_timeout(200)
    click_feature(page, "test_points", 0)
    popup = page.locator(".np-popup")
    popup.wait_for(timeout=5000)
    assert HOSTILE in popup.inner_text()
    assert popup.locator("img").count() == 0
    page.wait_for_timeout(300)
    assert loaded.dialogs == [] and loaded.errors == []
    assert page.locator("img[src=x]").count() == 0


def test_time_filter_hides_what_is_not_yet_valid(tmp_path: Path, open_map) -> None:
    frame = points_layer(3, valid_from=["2020-01-01", "2024-01-01", None])
    fmap = render_map({"test_points": frame}, {"test_points": spec()},
                      at=pd.Timestamp("2026-01-01", tz="UTC"))
    page = open_map(save(fmap, tmp_path / "t.html")).page
    assert page.evaluate("northpic.visibleCount('test_points')") == 3

    def slide_to(day: str) -> None:
        page.evaluate(
            """day => { const s = northpic._slider;
                 s.value = Number(s.value) + Math.round((Date.parse(day) - northpic.time) / 86400000);
                 s.dispatchEvent(new Event('input')); }""", day)

    slide_to("2022-06-01")
    assert page.locator(".np-time-label").inner_text() == "2022-06-01"
    assert page.evaluate("northpic.visibleCount('test_points')") == 2
    slide_to("2019-06-01")
    assert page.evaluate("northpic.visibleCount('test_points')") == 1
    page.locator(".np-time-all input").check()
    assert page.evaluate("northpic.visibleCount('test_points')") == 3


def test_build_at_date_leaves_out_later_records(tmp_path: Path) -> None:
    def build(*extra: str) -> str:
        out = tmp_path / "m.html"
        result = subprocess.run(
            [sys.executable, "-m", "northpic", "build", "--out", str(out), "--layers", "bases",
             *extra], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        return out.read_text(encoding="utf-8")

    joint_command = "base-joint-arctic-command-nuuk"  # formed in 2012
    assert joint_command in build("--at", "2026-02-02")
    early = build("--at", "2000-01-01")
    assert joint_command not in early
    assert "base-pituffik" in early  # undated records stay


def test_polar_crs_matches_pyproj(default_map: Path, open_map) -> None:
    page = open_map(default_map).page
    rng = np.random.default_rng(7)
    lon = rng.uniform(-180, 180, 2000)
    lat = rng.uniform(30, 90, 2000)
    js = np.array(page.evaluate(
        """pts => pts.map(([lat, lon]) => { const p = L.CRS.EPSG3413.projection.project(L.latLng(lat, lon));
             const q = L.CRS.EPSG3413.projection.unproject(p); return [p.x, p.y, q.lat, q.lng]; })""",
        np.column_stack([lat, lon]).tolist()))
    x, y = transformer("EPSG:4326", "EPSG:3413").transform(lon, lat)
    assert np.abs(js[:, 0] - x).max() < 1e-4 and np.abs(js[:, 1] - y).max() < 1e-4
    assert np.abs(js[:, 2] - lat).max() < 1e-9
    dlon = (js[:, 3] - lon + 180) % 360 - 180
    assert np.abs(dlon[lat < 89.999]).max() < 1e-9


def test_mercator_map_loads(tmp_path: Path, open_map) -> None:
    out = tmp_path / "merc.html"
    result = subprocess.run(
        [sys.executable, "-m", "northpic", "build", "--out", str(out), "--projection", "mercator"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    loaded = open_map(out)
    assert loaded.errors == [] and loaded.requests == []
    assert loaded.page.evaluate("northpic.layers.bases.map.options.crs.code") == "EPSG:3857"


def test_tiles_need_mercator(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "northpic", "build", "--out", str(tmp_path / "t.html"), "--tiles"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "--projection mercator" in result.stderr


def test_png_for_slides(tmp_path: Path) -> None:
    png = tmp_path / "slide.png"
    result = subprocess.run(
        [sys.executable, "-m", "northpic", "build", "--out", str(tmp_path / "m.html"),
         "--png", str(png), "--layers", "bases,sea_ice"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert (width, height) == (1920, 1080)  # a slide: the default --size
    assert png.stat().st_size > 50_000  # a real picture, not a blank page


def test_hundred_thousand_points_stay_small(tmp_path: Path, open_map) -> None:
    frame = points_layer(100_000, seed=3)
    path = save(render_map({"test_points": frame}, {"test_points": spec()}), tmp_path / "big.html")
    assert path.stat().st_size < 15e6
    loaded = open_map(path)
    assert loaded.errors == []
    assert loaded.page.evaluate("northpic.visibleCount('test_points')") > 50_000
