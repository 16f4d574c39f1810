"""The slide layout: options parsed, and slides made in a real headless Chromium.

Expected values come from outside the page: pyproj's EPSG:3413 for where things fall, the
layer files for which kinds lie in an extent, the built page for its banner, pypdf for PDFs.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pyproj import Transformer

from builders.picture import HOSTILE
from northpic.errors import BadInputError
from northpic.export.page import PNG_MARKER, is_own_output
from northpic.picture import load_layer
from northpic.render.slide import (
    format_dtg,
    parse_dtg,
    parse_extent,
    parse_extents,
    parse_size,
    regions,
    slide_paths,
)

TO_3413 = Transformer.from_crs("EPSG:4326", "EPSG:3413", always_xy=True)
DTG = "041230ZDEC26"
EXTENTS = ["kola", "svalbard", "bering"]


# ---- options ---------------------------------------------------------------------------

def test_named_extents_are_data_and_any_case() -> None:
    names = set(regions())
    assert {"kola", "svalbard", "greenland", "bering", "giuk", "barents", "nsr"} <= names
    assert parse_extent("KOLA") == parse_extent("kola")
    bering = parse_extent("Bering")
    assert bering.west > bering.east  # crosses the antimeridian


def test_bounds_extents_and_their_errors() -> None:
    e = parse_extent(" 60, -10, 70.5, 30 ")
    assert (e.south, e.west, e.north, e.east) == (60, -10, 70.5, 30)
    for bad in ("70,0,60,10", "60,0,95,10", "60,190,70,10", "60,10,70,10", "nowhere", "60,a,70,b"):
        with pytest.raises(BadInputError):
            parse_extent(bad)
    with pytest.raises(BadInputError, match="kola"):  # the message lists what is known
        parse_extent("atlantis")


def test_several_extents_comma_or_repeated_and_their_files() -> None:
    extents = parse_extents(["kola,svalbard", "58,160,72,-150"])
    assert [e.name for e in extents][:2] == ["kola", "svalbard"] and len(extents) == 3
    names = [p.name for p in slide_paths("out/brief.png", extents)]
    assert names[:2] == ["brief_kola.png", "brief_svalbard.png"]
    assert len(set(names)) == 3 and all(n.endswith(".png") for n in names)
    assert slide_paths("kola.png", parse_extents(["kola"])) == [Path("kola.png")]
    with pytest.raises(BadInputError):
        parse_extents(["kola", "Kola"])


def test_size() -> None:
    assert parse_size("1280x720") == (1280, 720) and parse_size(" 800 X 600 ") == (800, 600)
    for bad in ("1920", "1920x", "x1080", "10x10", "99999x100", "axb"):
        with pytest.raises(BadInputError):
            parse_size(bad)


def test_date_time_groups() -> None:
    # the issue's own example, and a time given with an offset
    assert format_dtg(pd.Timestamp("2026-12-04T12:30:00Z")) == "041230ZDEC26"
    assert format_dtg(pd.Timestamp("2026-02-02T08:15:00+01:00")) == "020715ZFEB26"
    assert parse_dtg("041230zdec26") == "041230ZDEC26"
    assert parse_dtg("2026-02-02T07:15Z") == "020715ZFEB26"
    for bad in ("321230ZDEC26", "042530ZDEC26", "041230ZFOO26", "yesterday"):
        with pytest.raises(BadInputError):
            parse_dtg(bad)


def test_cli_refuses_an_extent_without_a_slide(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "northpic", "build", "--out", str(tmp_path / "m.html"),
         "--extent", "kola"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "--png or --pdf" in result.stderr
    assert not (tmp_path / "m.html").exists()


# ---- slides in the browser ---------------------------------------------------------------

@pytest.fixture(scope="module")
def slides(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("slides")
    result = subprocess.run(
        [sys.executable, "-m", "northpic", "build", "--out", str(folder / "brief.html"),
         "--at", "2026-02-02", "--png", str(folder / "brief.png"), "--pdf", str(folder / "brief.pdf"),
         "--extent", ",".join(EXTENTS[:2]), "--extent", EXTENTS[2], "--title", "Kola briefing",
         "--dtg", DTG],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return {"html": folder / "brief.html", "folder": folder}


def banner_colour(html: Path) -> tuple[int, int, int]:
    text = html.read_text(encoding="utf-8")
    colour = re.search(r'id="np-marking-top"[^>]*style="background:(#[0-9a-fA-F]{6})"', text).group(1)
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_several_extents_make_one_slide_each(slides: dict[str, Path]) -> None:
    made = sorted(p.name for p in slides["folder"].iterdir() if p.suffix in (".png", ".pdf"))
    assert made == sorted(f"brief_{n}.{k}" for n in EXTENTS for k in ("png", "pdf"))


@pytest.mark.parametrize("name", EXTENTS)
def test_slide_png_is_full_size_marked_and_carries_the_banner(slides: dict[str, Path], name: str) -> None:
    path = slides["folder"] / f"brief_{name}.png"
    data = path.read_bytes()
    assert PNG_MARKER in data[:4096] and is_own_output(path)
    image = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert image.shape == (1080, 1920, 3)
    colour = np.array(banner_colour(slides["html"]))
    for row in (3, 1076):  # a line through the top and the bottom banner
        share = np.mean(np.all(np.abs(image[row].astype(int) - colour) <= 2, axis=1))
        assert share > 0.9, (row, share)
    assert not np.all(np.abs(image[540].astype(int) - colour) <= 2)  # and not elsewhere


def _open_slide(open_map, html: Path, extent: str, title: str = "Kola briefing"):
    loaded = open_map(html, width=1920, height=1080)
    page = loaded.page
    report = page.evaluate("o => northpic.slide(o)", {
        "extent": parse_extent(extent).as_dict(), "title": title, "dtg": DTG})
    page.wait_for_function("() => !northpic._labelFrame")
    return loaded, report


def test_slide_shows_no_control_in_the_dom_or_in_pixels(slides: dict[str, Path], open_map) -> None:
    loaded = open_map(slides["html"], width=1920, height=1080)
    page = loaded.page
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.leaflet-control, input, button')).map(n => n.getBoundingClientRect())
        .filter(r => r.width > 0).map(r => [r.x + r.width / 2, r.y + r.height / 2])""")
    assert len(boxes) > 10  # the interactive page has its controls
    page.evaluate("o => northpic.slide(o)", {"extent": parse_extent("kola").as_dict(),
                                            "title": "Kola briefing", "dtg": DTG})
    page.wait_for_function("() => !northpic._labelFrame")
    # DOM: nothing interactive is rendered, and nothing of a control is at any place one was
    assert page.evaluate("""() => Array.from(document.querySelectorAll(
        '.leaflet-control, input, button, select, textarea, .leaflet-popup, .leaflet-tooltip'))
        .filter(n => n.getClientRects().length > 0).length""") == 0
    hits = page.evaluate("""pts => pts.map(([x, y]) => { const n = document.elementFromPoint(x, y);
        return !!(n && n.closest('.leaflet-control, input, button')); })""", boxes)
    assert not any(hits)
    # pixels: the slide as shown is the slide with every control taken out of the page...
    shown = np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("RGB")).astype(int)
    page.evaluate("""() => document.querySelectorAll('.leaflet-control-container, input, button')
        .forEach(n => n.remove())""")
    bare = np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("RGB")).astype(int)
    assert np.array_equal(shown, bare)
    # ...and the CLI's slide is that same picture
    made = np.asarray(Image.open(slides["folder"] / "brief_kola.png").convert("RGB")).astype(int)
    assert np.mean(np.any(made != shown, axis=2)) < 0.002
    assert page.locator("#np-marking-top").is_visible() and page.locator("#np-marking-bottom").is_visible()
    assert loaded.errors == [] and loaded.requests == []


def _map_rect(page) -> dict:
    return page.evaluate("() => { const r = northpic.measure.map.getContainer().getBoundingClientRect();"
                         " return {x: r.left, y: r.top, w: r.width, h: r.height}; }")


def _to_pixels(page, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Where lon/lat fall on the map, by pyproj and Leaflet's linear pixel mapping only."""
    m = page.evaluate("""() => { const map = northpic.measure.map, crs = map.options.crs;
        const o = map.getPixelOrigin(), p = map._getMapPanePos(), t = crs.transformation;
        return {ox: o.x, oy: o.y, px: p.x, py: p.y, s: crs.scale(map.getZoom()),
                a: t._a, b: t._b, c: t._c, d: t._d}; }""")
    x, y = TO_3413.transform(np.asarray(lon, float), np.asarray(lat, float))
    cx = m["s"] * (m["a"] * x + m["b"]) - m["ox"] + m["px"]
    cy = m["s"] * (m["c"] * y + m["d"]) - m["oy"] + m["py"]
    return cx, cy


@pytest.mark.parametrize("name", ["kola", "bering", "nsr", "60,-30,66,-10"])
def test_slide_fits_its_extent(slides: dict[str, Path], open_map, name: str) -> None:
    loaded, _ = _open_slide(open_map, slides["html"], name)
    page = loaded.page
    e = parse_extent(name)
    east = e.east if e.east > e.west else e.east + 360
    lons = np.concatenate([np.linspace(e.west, east, 200)] * 2 + [np.full(200, e.west), np.full(200, east)])
    lats = np.concatenate([np.full(200, e.south), np.full(200, e.north)] + [np.linspace(e.south, e.north, 200)] * 2)
    cx, cy = _to_pixels(page, ((lons + 180) % 360) - 180, lats)
    rect = _map_rect(page)
    assert cx.min() >= -1 and cy.min() >= -1 and cx.max() <= rect["w"] + 1 and cy.max() <= rect["h"] + 1
    spread = max((cx.max() - cx.min()) / rect["w"], (cy.max() - cy.min()) / rect["h"])
    assert spread > 0.95  # fitted, not just inside
    assert loaded.errors == [] and loaded.requests == []


@pytest.mark.parametrize("name", ["kola", "bering", "greenland"])
def test_slide_legend_holds_only_the_kinds_shown(slides: dict[str, Path], open_map, name: str) -> None:
    loaded, report = _open_slide(open_map, slides["html"], name)
    page = loaded.page
    rect = _map_rect(page)
    bases = load_layer("bases", at="2026-02-02")
    cx, cy = _to_pixels(page, bases.geometry.x.to_numpy(), bases.geometry.y.to_numpy())
    inside = (cx >= 0) & (cy >= 0) & (cx <= rect["w"]) & (cy <= rect["h"])
    expected = set(bases.loc[inside, "kind"])
    legend = set(page.locator('.np-slide-legend .np-kinds[data-layer="bases"] .np-kind')
                 .evaluate_all("ns => ns.map(n => n.getAttribute('data-kind'))"))
    assert expected and legend == expected, (name, legend, expected)
    if name != "greenland":  # a wide view may hold them all
        assert set(bases["kind"]) - expected  # some kinds of the layer are left out
    layers = set(page.locator(".np-slide-layer").evaluate_all("ns => ns.map(n => n.dataset.layer)"))
    assert layers == {layer["name"] for layer in report["layers"]} and "bases" in layers
    # north arrow, scale and sources are drawn; the title block has the DTG and the title
    for selector in (".np-slide-orient .np-north", ".np-slide-orient .np-scale", "#np-slide-sources",
                     "#np-slide-title"):
        assert page.locator(selector).is_visible(), selector
    assert re.search(r"\d", page.locator(".np-slide-orient .np-scale-km .np-scale-label").inner_text())
    assert page.locator(".np-slide-dtg").inner_text() == f"DTG {DTG}"
    assert page.locator(".np-slide-title-text").inner_text() == "Kola briefing"
    assert page.locator(".np-slide-extent").inner_text() == parse_extent(name).label
    sources = page.locator("#np-slide-sources").inner_text()
    shown_sources = bases.loc[inside, "source"].str.split(";").str[0].str.strip()
    assert any(s in sources for s in shown_sources)
    assert loaded.errors == [] and loaded.requests == []


def test_slide_pdf_is_one_real_page(slides: dict[str, Path]) -> None:
    import pypdf

    path = slides["folder"] / "brief_kola.pdf"
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and is_own_output(path)
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (1440, 810)  # 1920x1080 px
    text = unicodedata.normalize("NFKC", reader.pages[0].extract_text())  # "fi" ligatures
    banner = re.search(r'id="np-marking-top"[^>]*>([^<]+)<', slides["html"].read_text(encoding="utf-8"))
    assert banner.group(1) in text and "Kola briefing" in text and DTG in text
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
        assert re.search(r"^Pages:\s+1$", info.stdout, re.MULTILINE)


def test_hostile_title_stays_text_on_the_slide(slides: dict[str, Path], open_map) -> None:
    loaded, _ = _open_slide(open_map, slides["html"], "kola", title=HOSTILE)
    page = loaded.page
    assert page.locator(".np-slide-title-text").inner_text() == HOSTILE
    page.wait_for_timeout(200)
    assert page.locator("img[src=x]").count() == 0
    assert loaded.dialogs == [] and loaded.errors == [] and loaded.requests == []


def test_default_dtg_is_the_build_time_and_size_is_kept(tmp_path: Path) -> None:
    import pypdf

    before = pd.Timestamp(datetime.now(UTC)).floor("min")
    result = subprocess.run(  # its own process: the session's browser holds this thread's Playwright
        [sys.executable, "-m", "northpic", "build", "--out", str(tmp_path / "m.html"), "--at",
         "2026-02-02", "--layers", "bases", "--png", str(tmp_path / "s.png"), "--pdf",
         str(tmp_path / "s.pdf"), "--extent", "svalbard", "--size", "800x600"],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    after = pd.Timestamp(datetime.now(UTC))
    assert Image.open(tmp_path / "s.png").size == (800, 600)
    text = pypdf.PdfReader(tmp_path / "s.pdf").pages[0].extract_text()
    stamp = re.search(r"DTG (\d{6}Z[A-Z]{3}\d{2})", text).group(1)
    assert stamp in {format_dtg(t) for t in pd.date_range(before, after, freq="1min")}
