"""Orientation and measure in a real headless Chromium, checked against pyproj and mgrs.

Every expected value comes from outside the page: pyproj's EPSG:3413 and WGS84 geodesics,
the ``mgrs`` package (GeoTrans), the layer files. Screen pixels are turned into EPSG:3413
metres through Leaflet's linear pixel mapping only (zoom, pixel origin, pane offset), never
through the page's projection.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import mgrs
import pytest
from pyproj import Geod, Transformer

from builders.picture import HOSTILE, HOSTILE_SCRIPT, points_layer, spec
from northpic.build import build_map
from northpic.picture import load_layer
from northpic.render.map import render_map
from northpic.schema import precision_label

pytestmark = pytest.mark.browser
GEOD = Geod(ellps="WGS84")
TO_LONLAT = Transformer.from_crs("EPSG:3413", "EPSG:4326", always_xy=True)
TO_3413 = Transformer.from_crs("EPSG:4326", "EPSG:3413", always_xy=True)
MGRS = mgrs.MGRS()


@pytest.fixture(scope="module")
def picture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_map(tmp_path_factory.mktemp("measure") / "map.html", at="2026-02-02")


def set_view(page, lat: float, lon: float, zoom: float) -> None:
    page.evaluate("([lat, lon, z]) => { northpic.measure.map.setView([lat, lon], z, {animate: false}); }",
                  [lat, lon, zoom])


def pixel_to_metres(page, cx: float, cy: float) -> tuple[float, float]:
    """A container pixel in EPSG:3413 metres, through Leaflet's linear pixel mapping only."""
    m = page.evaluate("""() => { const map = northpic.measure.map, crs = map.options.crs;
        const o = map.getPixelOrigin(), p = map._getMapPanePos(), t = crs.transformation;
        return {ox: o.x, oy: o.y, px: p.x, py: p.y, s: crs.scale(map.getZoom()),
                a: t._a, b: t._b, c: t._c, d: t._d}; }""")
    gx, gy = cx - m["px"] + m["ox"], cy - m["py"] + m["oy"]
    return (gx / m["s"] - m["b"]) / m["a"], (gy / m["s"] - m["d"]) / m["c"]


def pixel_to_lonlat(page, cx: float, cy: float) -> tuple[float, float]:
    return TO_LONLAT.transform(*pixel_to_metres(page, cx, cy))


def map_size(page) -> tuple[float, float]:
    s = page.evaluate("() => { const s = northpic.measure.map.getSize(); return [s.x, s.y]; }")
    return s[0], s[1]


def map_origin(page) -> tuple[float, float]:
    """Where the map's container sits in the window (mouse positions are window pixels)."""
    r = page.evaluate("() => { const r = northpic.measure.map.getContainer().getBoundingClientRect();"
                      " return [r.left, r.top]; }")
    return r[0], r[1]


def rendered_rotation(page, selector: str) -> float:
    """The rotation the browser applies to an element, from its computed transform matrix."""
    matrix = page.evaluate("s => getComputedStyle(document.querySelector(s)).transform", selector)
    a, b = (float(v) for v in re.match(r"matrix\(([^,]+),\s*([^,]+),", matrix).groups())
    return math.degrees(math.atan2(b, a))


def angle_diff(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


def split_mgrs(text: str) -> tuple[str, int, int, int]:
    m = re.fullmatch(r"(\d{0,2}[A-Z][A-Z]{2})(\d*)", text.replace(" ", ""))
    assert m, text
    digits = m.group(2)
    half = len(digits) // 2
    return m.group(1), half, int(digits[:half] or 0), int(digits[half:] or 0)


def same_mgrs(page_text: str, lat: float, lon: float) -> None:
    """The page's MGRS is the mgrs package's, to the last metre digit (both truncate; their
    floating-point paths differ, so a coordinate on a metre boundary may fall either side)."""
    square, digits, east, north = split_mgrs(page_text)
    ref_square, _, ref_east, ref_north = split_mgrs(MGRS.toMGRS(lat, lon, MGRSPrecision=digits))
    assert square == ref_square, (page_text, lat, lon)
    assert abs(east - ref_east) <= 1 and abs(north - ref_north) <= 1, (page_text, lat, lon)


PLACES = [(69.0, 33.5), (65.7, -168.5), (76.5, -68.7), (78.2, 15.6)]  # Kola, Bering, Pituffik, Svalbard


@pytest.mark.parametrize(("lat", "lon"), PLACES)
def test_north_arrow_points_to_the_pole(picture: Path, open_map, lat: float, lon: float) -> None:
    loaded = open_map(picture)
    page = loaded.page
    for zoom, pan in ((5, (0, 0)), (4, (300, -120))):  # and again after a move
        set_view(page, lat, lon, zoom)
        page.evaluate("([x, y]) => { northpic.measure.map.panBy([x, y], {animate: false}); }", list(pan))
        arrow = rendered_rotation(page, ".np-north .np-north-arrow")
        w, h = map_size(page)
        # pyproj: the centre pixel in EPSG:3413 metres; the pole is at (0, 0); screen y runs down
        x, y = pixel_to_metres(page, w / 2, h / 2)
        (px, py), (cx, cy) = TO_3413.transform(0.0, 90.0), (x, y)
        expected = math.degrees(math.atan2(px - cx, py - cy))
        assert angle_diff(arrow, expected) < 0.5, (lat, lon, zoom, arrow, expected)
        # and through the page's own projection: the screen direction of the pole
        pole = page.evaluate("() => { const p = northpic.measure.map.latLngToContainerPoint([90, 0]);"
                             " return [p.x, p.y]; }")
        own = math.degrees(math.atan2(pole[0] - w / 2, -(pole[1] - h / 2)))
        assert angle_diff(arrow, own) < 0.5
    assert page.locator(".np-north").is_visible()
    assert loaded.errors == [] and loaded.requests == []


def test_the_arrows_differ_where_north_does(picture: Path, open_map) -> None:
    page = open_map(picture).page
    angles = []
    for lat, lon in PLACES:
        set_view(page, lat, lon, 5)
        angles.append(rendered_rotation(page, ".np-north .np-north-arrow"))
    # over Bering "up" is nearly south: the arrow turns round; over Svalbard it is nearly up
    assert max(angle_diff(a, b) for a in angles for b in angles) > 120


@pytest.mark.parametrize(("lat", "lon", "zoom"), [(75.0, -30.0, 3), (69.0, 33.5, 6), (62.0, 10.0, 4),
                                                   (85.0, 100.0, 7)])
def test_scale_bar_matches_a_geodesic_at_the_centre(picture: Path, open_map, lat, lon, zoom) -> None:
    page = open_map(picture).page
    set_view(page, lat, lon, zoom)
    w, h = map_size(page)
    for unit, metres_per_unit in (("km", None), ("nm", 1852.0)):
        bar = page.locator(f".np-scale-{unit} .np-scale-bar").bounding_box()
        label = page.locator(f".np-scale-{unit} .np-scale-label").inner_text()
        value, name = re.fullmatch(r"([\d,.]+) (km|m|nm)", label).groups()
        number = float(value.replace(",", ""))
        said = number * (1000.0 if name == "km" else 1.0) if metres_per_unit is None \
            else number * metres_per_unit
        a = pixel_to_lonlat(page, w / 2 - bar["width"] / 2, h / 2)
        b = pixel_to_lonlat(page, w / 2 + bar["width"] / 2, h / 2)
        ground = GEOD.inv(a[0], a[1], b[0], b[1])[2]
        assert abs(said - ground) / ground < 0.02, (unit, label, bar["width"], ground)
        assert 20 < bar["width"] <= 121


def _readout(page) -> dict[str, str]:
    return {k: page.locator(f".np-coords-{k}").inner_text() for k in ("dd", "dms", "mgrs")}


def _parse_dd(text: str) -> tuple[float, float]:
    lat, ns, lon, ew = re.fullmatch(r"([\d.]+)° ([NS]), ([\d.]+)° ([EW])", text).groups()
    return (float(lat) * (1 if ns == "N" else -1), float(lon) * (1 if ew == "E" else -1))


def _parse_dms(text: str) -> tuple[float, float]:
    parts = re.findall(r"(\d+)°(\d+)′([\d.]+)″ ([NSEW])", text)
    out = [(int(d) + int(m) / 60 + float(s) / 3600) * (1 if h in "NE" else -1) for d, m, s, h in parts]
    return out[0], out[1]


def test_cursor_coordinates_match_pyproj_at_five_points(picture: Path, open_map) -> None:
    loaded = open_map(picture)
    page = loaded.page
    set_view(page, 80.0, 20.0, 3)
    w, h = map_size(page)
    ox, oy = map_origin(page)
    pole = page.evaluate("() => { const p = northpic.measure.map.latLngToContainerPoint([88, 60]);"
                         " return [p.x, p.y]; }")
    points = [(w / 2, h / 2), (w * 0.2, h * 0.25), (w * 0.8, h * 0.7), (w * 0.15, h * 0.85),
              (pole[0], pole[1])]  # the last north of 84 N: MGRS there is UPS
    seen_ups = False
    for cx, cy in points:
        cx, cy = round(cx), round(cy)
        page.mouse.move(ox + cx, oy + cy)
        shown = _readout(page)
        lon, lat = pixel_to_lonlat(page, cx, cy)
        dlat, dlon = _parse_dd(shown["dd"])
        assert abs(dlat - lat) < 2e-5 and abs(dlon - lon) < 2e-5, (shown, lat, lon)
        slat, slon = _parse_dms(shown["dms"])
        assert abs(slat - lat) < 0.06 / 3600 and abs(slon - lon) < 0.06 / 3600, (shown, lat, lon)
        assert shown["mgrs"].startswith("MGRS ")
        same_mgrs(shown["mgrs"][5:], lat, lon)
        seen_ups |= lat > 84 and shown["mgrs"][5] in "YZ"
    assert seen_ups
    assert loaded.errors == [] and loaded.requests == []


# near zone and band edges, Norway's and Svalbard's exceptions, and the UPS caps
EDGES = [(60.0, 5.99999), (60.0, 6.00001), (71.99999, 20.0), (72.00001, 20.0), (56.5, 3.5),
         (63.9, 2.99), (75.0, 8.99), (75.0, 9.01), (78.0, 20.99), (78.0, 21.01), (80.0, 32.99),
         (80.0, 33.01), (83.99, 40.0), (64.0, -179.99), (64.0, 179.99), (84.0001, 10.0),
         (85.0, 10.0), (87.5, -120.0), (89.99, 45.0), (90.0, 0.0), (-80.0, 30.0), (-80.0001, 30.0), (-85.0, -60.0)]


@pytest.mark.parametrize(("lat", "lon"), EDGES)
def test_mgrs_matches_the_mgrs_package_near_edges_and_in_ups(picture: Path, open_map, lat, lon) -> None:
    page = open_map(picture).page
    for digits in (5, 3, 1):
        text = page.evaluate("([lat, lon, d]) => northpic.measure.mgrs(lat, lon, d)", [lat, lon, digits])
        same_mgrs(text, lat, lon)
        if abs(lat) > 84 or lat < -80:
            assert text[0] in ("YZ" if lat > 0 else "AB"), text  # UPS: polar zones, no UTM number


@pytest.mark.parametrize(("lat", "lon", "utm"), [(84.0, 10.0, "33X"), (84.00001, 10.0, "33X"),
                                                  (-80.00001, 30.0, "36C")])
def test_on_the_ups_edge_the_page_shows_ups_where_geotrans_still_says_utm(
        picture: Path, open_map, lat: float, lon: float, utm: str) -> None:
    """The edges themselves: the page (GeographicLib) uses UPS from 84 N on and south of 80 S,
    as MGRS defines; GeoTrans (mgrs) keeps UTM for about a metre past each. Both name the same
    spot on the ground, to the metre."""
    page = open_map(picture).page
    text = page.evaluate("([lat, lon]) => northpic.measure.mgrs(lat, lon, 5)", [lat, lon])
    reference = MGRS.toMGRS(lat, lon, MGRSPrecision=5)
    assert text[0] == ("Z" if lat > 0 else "B") and reference.startswith(utm)
    lat_a, lon_a = MGRS.toLatLon(text)
    lat_b, lon_b = MGRS.toLatLon(reference)
    assert GEOD.inv(lon_a, lat_a, lon_b, lat_b)[2] < 2.0
    assert GEOD.inv(lon_a, lat_a, lon, lat)[2] < 2.0


def _base(name_part: str) -> tuple[str, float, float]:
    bases = load_layer("bases")
    row = bases[bases["name"].str.contains(name_part, regex=False)].iloc[0]
    return row["name"], row.geometry.y, row.geometry.x


def _click_at(page, lat: float, lon: float, zoom: float) -> None:
    set_view(page, lat, lon, zoom)
    cx, cy = page.evaluate("([lat, lon]) => { const p = northpic.measure.map.latLngToContainerPoint("
                           "[lat, lon]); return [p.x, p.y]; }", [lat, lon])
    ox, oy = map_origin(page)
    page.mouse.click(ox + cx, oy + cy)


def test_measured_pituffik_severomorsk_matches_pyproj(picture: Path, open_map) -> None:
    loaded = open_map(picture)
    page = loaded.page
    (name_a, lat_a, lon_a), (name_b, lat_b, lon_b) = _base("Pituffik"), _base("Severomorsk naval")
    page.locator(".np-measure-button").click()
    _click_at(page, lat_a, lon_a, 8)  # a symbol clicked snaps to its feature
    _click_at(page, lat_b, lon_b, 10)
    result = page.locator(".np-measure-result")
    text = result.inner_text()
    az12, az21, metres = GEOD.inv(lon_a, lat_a, lon_b, lat_b)
    km = float(re.search(r"([\d,]+) km", text).group(1).replace(",", ""))
    assert abs(km * 1000 - metres) / metres < 0.005, (text, metres)
    nm = float(re.search(r"([\d,]+) nm", text).group(1).replace(",", ""))
    assert abs(nm * 1852 - metres) / metres < 0.005
    bearing = float(re.search(r"initial bearing ([\d.]+)°", text).group(1))
    assert angle_diff(bearing, az12 % 360) < 0.1, (text, az12)
    arriving = float(re.search(r"arriving ([\d.]+)°", text).group(1))
    assert angle_diff(arriving, (az21 + 180) % 360) < 0.1, (text, az21)
    assert name_a in text and name_b in text
    assert page.locator(".np-popup").count() == 0  # measuring clicks open no popup
    assert loaded.errors == [] and loaded.requests == []


def test_measuring_between_two_empty_points(picture: Path, open_map) -> None:
    page = open_map(picture).page
    set_view(page, 74.0, -10.0, 4)
    w, h = map_size(page)
    ox, oy = map_origin(page)
    page.locator(".np-measure-button").click()
    ends = [(round(w * 0.3), round(h * 0.4)), (round(w * 0.7), round(h * 0.6))]
    for cx, cy in ends:
        page.mouse.click(ox + cx, oy + cy)
    (lon_a, lat_a), (lon_b, lat_b) = (pixel_to_lonlat(page, *e) for e in ends)
    metres = GEOD.inv(lon_a, lat_a, lon_b, lat_b)[2]
    shown = float(page.locator(".np-measure-result").get_attribute("data-metres"))
    assert abs(shown - metres) / metres < 0.005
    # a third click starts again; switching the tool off clears it
    page.mouse.click(ox + ends[0][0], oy + ends[0][1])
    assert page.locator(".np-measure-result").get_attribute("data-metres") is None
    page.locator(".np-measure-button").click()
    assert page.locator(".np-measure-result").inner_text() == ""


def test_search_pans_to_a_feature_and_opens_its_popup_with_position(picture: Path, open_map) -> None:
    loaded = open_map(picture)
    page = loaded.page
    name, lat, lon = _base("Severomorsk naval")
    page.locator(".np-search-input").fill("severomorsk nav")
    first = page.locator(".np-search-result").first
    assert name in first.inner_text()
    first.click()
    popup = page.locator(".np-popup")
    popup.wait_for(timeout=5000)
    # panned there and opened at the feature (the popup then pans the map to fit itself in)
    at = page.evaluate("() => { const m = northpic.measure.map, p = m._popup.getLatLng(); "
                       "return [p.lat, p.lng, m.getZoom()]; }")
    assert abs(at[0] - lat) < 1e-6 and abs(at[1] - lon) < 1e-6 and at[2] >= 6
    rows = dict(zip(popup.locator("th").all_inner_texts(), popup.locator("td").all_inner_texts(),
                    strict=True))
    bases = load_layer("bases")
    km = float(bases.loc[bases["name"] == name, "precision_km"].iloc[0])
    assert precision_label(km) in rows["location"] and f"{km:g} km" in rows["location"]
    plat, plon = _parse_dd(rows["position"])
    assert abs(plat - lat) < 0.05 and abs(plon - lon) < 0.05
    # the MGRS is given to the digits the precision is worth: no finer a step than the radius
    square, digits, _, _ = split_mgrs(rows["MGRS"])
    assert 10 ** (5 - digits) <= km * 1000 < 10 ** (6 - digits)
    same_mgrs(rows["MGRS"], lat, lon)
    # by id too
    page.locator(".np-search-input").fill("base-pituffik")
    assert "Pituffik" in page.locator(".np-search-result").first.inner_text()
    assert loaded.errors == [] and loaded.requests == []


def test_a_surveyed_point_shows_its_position_to_the_metre(picture: Path, open_map) -> None:
    page = open_map(picture).page
    words = page.evaluate("() => [0, 0.5, 25, 300].map(k => northpic.measure.precisionWord(k))")
    assert words == [precision_label(k) for k in (0, 0.5, 25, 300)]
    text = page.evaluate("() => northpic.measure.positionText(69.07, 33.42, 0).mgrs")
    assert split_mgrs(text)[1] == 5


def test_hover_shows_the_name(picture: Path, open_map) -> None:
    page = open_map(picture).page
    name, lat, lon = _base("Pituffik")
    set_view(page, lat, lon, 8)
    cx, cy = page.evaluate("([lat, lon]) => { const p = northpic.measure.map.latLngToContainerPoint("
                           "[lat, lon]); return [p.x, p.y]; }", [lat, lon])
    ox, oy = map_origin(page)
    page.mouse.move(ox + cx, oy + cy)
    tip = page.locator(".leaflet-tooltip", has_text=name)
    tip.wait_for(timeout=5000)
    assert tip.inner_text() == name
    page.mouse.move(ox + 5, oy + cy)
    tip.wait_for(state="detached", timeout=5000)  # it fades out, then leaves the page


def test_hostile_names_stay_text_in_search_tooltips_and_popups(tmp_path: Path, open_map) -> None:
    frame = points_layer(2, names=[HOSTILE, HOSTILE_SCRIPT], notes=[HOSTILE_SCRIPT, HOSTILE],
                         lon_range=(10, 11), lat_range=(70, 70.1))
    path = tmp_path / "x.html"
    path.write_text(render_map({"test_points": frame}, {"test_points": spec()}).get_root().render(),
                    encoding="utf-8")
    loaded = open_map(path)
    page = loaded.page
    page.locator(".np-search-input").fill("img")
    result = page.locator(".np-search-result").first
    assert HOSTILE in result.inner_text()
    result.click()
    page.locator(".np-popup").wait_for(timeout=5000)
    cx, cy = page.evaluate("() => { const p = northpic.layers.test_points.data.points;"
                           " const c = northpic.measure.map.latLngToContainerPoint([p.lat[0], p.lon[0]]);"
                           " return [c.x, c.y]; }")
    page.mouse.move(cx, cy)
    page.wait_for_timeout(300)
    assert page.locator("img[src=x]").count() == 0 and page.locator(".np-popup img").count() == 0
    assert loaded.dialogs == [] and loaded.errors == [] and loaded.requests == []
