"""Products for an audience, marked: the HTML map (banners, popups) and every export format.

The fixture is an event store holding a NOR-only, a NATO, an EU, a NATO-and-EU and a public
event, each with its releasability and originator as the records' own properties. Maps are
opened in headless Chromium; exports are read back through GDAL (pyogrio, ogrinfo), pyarrow
and lxml.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pyogrio
import pytest
from lxml import etree

from builders.markings import PUBLIC_MARKING
from northpic.cli import main
from northpic.events import add_events
from northpic.markings import default_markings

KML = "{http://www.opengis.net/kml/2.2}"
FORMULA = "=HYPERLINK(\"http://x.example\",\"open\")"


def _event(key: str, lon: float, lat: float, releasability: str, originator: str,
           classification: str = "UNCLASSIFIED", domain: str = "military") -> dict[str, Any]:
    return {"id": f"ev-{key}", "name": f"Event {key.upper()} only-{key}", "kind": "patrol",
            "time": "2026-01-20T10:00:00Z", "lon": lon, "lat": lat, "domain": domain,
            "source": f"report {key}", "confidence": "medium", "precision_km": 2.0,
            "notes": f"note of {key}", "releasability": releasability,
            "originator": originator, "classification": classification}


#: The fixture's events: key -> record. Each key names who may receive it.
EVENTS = {
    "nor": {**_event("nor", 15.0, 69.0, "NOR EYES ONLY", "NOR JOC", "RESTRICTED"),
            "nor_only_field": "a field only the NOR record has"},
    "nato": _event("nato", 18.0, 70.0, "NATO", "NATO MARCOM", domain="economic"),
    "eu": _event("eu", 21.0, 71.0, "EU", FORMULA),
    "both": _event("both", 24.0, 72.0, "NATO, EU", "EU SatCen"),
    "public": _event("public", 27.0, 73.0, "PUBLIC", "Open press"),
}
#: Which events each audience of the tests may receive (explicit release; PUBLIC goes to all).
RELEASED = {
    "PUBLIC": {"public"},
    "EU": {"eu", "both", "public"},
    "NOR": {"nor", "public"},
}
#: The banner each product must carry, from the table's rules: the highest level held, and
#: the audiences every record held may go to.
BANNERS = {
    "PUBLIC": "UNCLASSIFIED // PUBLIC RELEASE",
    "EU": "UNCLASSIFIED // RELEASABLE TO EU",
    "NOR": "RESTRICTED // NOR EYES ONLY",
}
FOLDER_FORMATS = ("geojson", "parquet", "csv", "shp", "cot")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "events.gpkg"
    add_events([dict(r) for r in EVENTS.values()], path)
    return path


@pytest.fixture(scope="module")
def maps(store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("maps")
    out = {}
    for audience in BANNERS:
        page = folder / f"{audience}.html"
        code = main(["build", "--out", str(page), "--events", str(store), "--at", "2026-02-02",
                     "--audience", audience])
        assert code == 0
        out[audience] = page
    return out


def _event_ids(page: Any) -> set[str]:
    ids = page.evaluate(
        """() => northpic.order.flatMap(name => {
             const d = northpic.layers[name].data;
             return (d.points.values.id || []).concat(d.shapes.features.map(f => f.properties.id));
           })""")
    return {i for i in ids if i.startswith("ev-")}


# ---- the HTML map ------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.parametrize("audience", list(BANNERS))
def test_banners_top_and_bottom_at_the_page_edges(maps, open_map, audience: str) -> None:
    loaded = open_map(maps[audience], width=1200, height=800)
    page = loaded.page
    top, bottom = page.locator("#np-marking-top"), page.locator("#np-marking-bottom")
    assert top.inner_text().strip() == BANNERS[audience]
    assert bottom.inner_text().strip() == BANNERS[audience]
    assert top.is_visible() and bottom.is_visible()
    box_top, box_bottom = top.bounding_box(), bottom.bounding_box()
    assert box_top["y"] == 0 and box_top["width"] == 1200
    assert box_bottom["y"] + box_bottom["height"] == 800 and box_bottom["width"] == 1200
    # nothing of the map covers them: the element at their middle is the banner itself
    for element in ("np-marking-top", "np-marking-bottom"):
        hit = page.evaluate(
            """id => { const b = document.getElementById(id).getBoundingClientRect();
                 const e = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
                 return e && (e.id || e.closest('[id]').id); }""", element)
        assert hit == element
    # scrolled or zoomed, they stay at the edges (fixed), and they print
    page.evaluate("() => { northpic.layers.bases.map.setZoom(4, {animate: false}); }")
    assert top.bounding_box()["y"] == 0
    page.emulate_media(media="print")
    assert top.is_visible() and bottom.is_visible()
    assert page.evaluate(
        "getComputedStyle(document.getElementById('np-marking-bottom')).position") == "fixed"
    # the legend says for whom the page is
    legend = page.locator(".np-legend").inner_text()
    assert f"prepared for: {audience}" in legend
    assert loaded.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("audience", list(BANNERS))
def test_the_page_holds_only_what_the_audience_may_receive(maps, open_map, audience) -> None:
    page = open_map(maps[audience]).page
    assert _event_ids(page) == {f"ev-{k}" for k in RELEASED[audience]}
    html = maps[audience].read_text(encoding="utf-8")
    for key, record in EVENTS.items():
        if key not in RELEASED[audience]:
            assert record["name"] not in html and record["notes"] not in html
    # not even a field name that only withheld records have
    assert ("nor_only_field" in html) == ("nor" in RELEASED[audience])
    # the NATO-only event was the only one of its domain: no empty layer tells it exists
    assert "events_economic" not in page.evaluate("northpic.order")


def _click_event(page: Any, key: str) -> str:
    record = EVENTS[key]
    page.evaluate("([lat, lon]) => { northpic.layers.bases.map.setView([lat, lon], 9, "
                  "{animate: false}); }", [record["lat"], record["lon"]])
    page.wait_for_timeout(200)
    x, y = page.evaluate(
        """([lat, lon]) => { const c = northpic.layers.bases.map.latLngToContainerPoint([lat, lon]);
             return [c.x, c.y]; }""", [record["lat"], record["lon"]])
    page.mouse.click(x, y)
    popup = page.locator(".np-popup")
    popup.wait_for(timeout=5000)
    return popup.inner_text()


@pytest.mark.browser
def test_every_popup_shows_its_records_marking_and_originator(maps, open_map) -> None:
    page = open_map(maps["EU"]).page
    text = _click_event(page, "both")
    assert "UNCLASSIFIED // RELEASABLE TO NATO, EU" in text and "EU SatCen" in text
    assert EVENTS["both"]["name"] in text
    page = open_map(maps["NOR"]).page
    text = _click_event(page, "nor")
    assert "RESTRICTED // NOR EYES ONLY" in text and "NOR JOC" in text
    # a shipped (openly sourced) record says so too
    page.evaluate("() => { northpic.layers.bases.map.closePopup(); }")
    names = page.evaluate("northpic.layers.bases.data.points.name")
    index = next(i for i, n in enumerate(names) if "Pituffik" in n)
    lat, lon = page.evaluate(f"[northpic.layers.bases.data.points.lat[{index}], "
                             f"northpic.layers.bases.data.points.lon[{index}]]")
    page.evaluate("([lat, lon]) => { northpic.layers.bases.map.setView([lat, lon], 7, "
                  "{animate: false}); }", [lat, lon])
    page.wait_for_timeout(200)
    x, y = page.evaluate(f"(() => {{ const c = northpic.layers.bases.map"
                         f".latLngToContainerPoint([{lat}, {lon}]); return [c.x, c.y]; }})()")
    page.mouse.click(x, y)
    popup = page.locator(".np-popup")
    popup.wait_for(timeout=5000)
    text = popup.inner_text()
    assert "Pituffik" in text and "UNCLASSIFIED // PUBLIC RELEASE" in text
    assert "northpic project (open sources)" in text


@pytest.mark.browser
def test_the_png_shows_both_banners_in_the_levels_colour(store, tmp_path) -> None:
    import rasterio

    png = tmp_path / "nor.png"
    result = subprocess.run(  # its own process: Playwright's sync API runs one per thread
        [sys.executable, "-m", "northpic", "build", "--out", str(tmp_path / "nor.html"),
         "--png", str(png), "--events", str(store), "--audience", "NOR"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    colour = default_markings().level("RESTRICTED").colour
    assert colour is not None
    want = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    with rasterio.open(png) as image:
        pixels = image.read()
    height = pixels.shape[1]
    for row in (2, height - 3):  # inside the top and the bottom banner, at the left edge
        assert [int(pixels[band, row, 3]) for band in range(3)] == want


@pytest.mark.browser
def test_a_table_with_html_in_its_banner_stays_inert(store, tmp_path, open_map) -> None:
    hostile = '<script>alert("np")</script><img src=x onerror=alert(2)> UNCLASSIFIED'
    doc = json.loads(Path(default_markings().path).read_text(encoding="utf-8"))
    doc["levels"][0]["banner"] = hostile
    table = tmp_path / "hostile.json"
    table.write_text(json.dumps(doc), encoding="utf-8")
    page_path = tmp_path / "h.html"
    assert main(["build", "--out", str(page_path), "--events", str(store), "--audience", "EU",
                 "--markings", str(table)]) == 0
    raw = page_path.read_text(encoding="utf-8")
    assert '<script>alert("np")' not in raw and "<img src=x" not in raw
    loaded = open_map(page_path)
    page = loaded.page
    assert page.locator("#np-marking-top").inner_text().startswith(hostile)
    assert page.locator("img[src=x]").count() == 0
    text = _click_event(page, "eu")
    assert hostile in text
    page.wait_for_timeout(300)
    assert loaded.dialogs == [] and loaded.errors == []
    # and in KML: the banner is text, the description's HTML escapes it
    kml = tmp_path / "h.kml"
    assert main(["export", "--format", "kml", "--out", str(kml), "--events", str(store),
                 "--audience", "EU", "--markings", str(table)]) == 0
    root = etree.parse(str(kml)).getroot()
    assert root.find(f"{KML}Document/{KML}name").text.endswith(f"({hostile} // RELEASABLE TO EU)")
    assert not list(root.iter("script")) and not list(root.iter("img"))
    for mark in root.iter(f"{KML}Placemark"):
        description = mark.findtext(f"{KML}description")
        assert "<script>" not in description and "&lt;script&gt;" in description


# ---- exports --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def eu_exports(store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    outs = {"gpkg": folder / "eu.gpkg", "kml": folder / "eu.kml",
            **{fmt: folder / f"eu-{fmt}" for fmt in FOLDER_FORMATS}}
    for fmt, out in outs.items():
        assert main(["export", "--format", fmt, "--out", str(out), "--events", str(store),
                     "--audience", "EU"]) == 0
    return outs


def _records_by_id(frame) -> dict[str, dict[str, Any]]:
    return {str(r["id"]): r for r in frame.to_dict("records")}


def _check_fields(records: dict[str, dict[str, Any]], names=("classification", "releasability",
                                                              "originator")) -> None:
    for key in RELEASED["EU"]:
        got = records[f"ev-{key}"]
        want = EVENTS[key]
        classification, releasability, originator = (got[n] for n in names)
        assert classification == want["classification"]
        assert default_markings().codes(releasability) == default_markings().codes(
            want["releasability"])
        assert originator.lstrip("'") == want["originator"]
    assert {k for k in records if k.startswith("ev-")} == {f"ev-{k}" for k in RELEASED["EU"]}


def test_gpkg_has_the_fields_per_record_and_the_marking_in_its_metadata(eu_exports) -> None:
    out = eu_exports["gpkg"]
    back = pyogrio.read_dataframe(out, layer="events_military")
    _check_fields(_records_by_id(back))
    assert "nor_only_field" not in back.columns
    assert "events_economic" not in {name for name, _ in pyogrio.list_layers(out)}
    info = subprocess.run(["ogrinfo", "-ro", "-so", "-nomd", str(out)], capture_output=True,
                          text=True, check=True).stdout
    full = subprocess.run(["ogrinfo", "-ro", "-so", str(out)], capture_output=True, text=True,
                          check=True).stdout
    assert f"banner={BANNERS['EU']}" not in info  # -nomd: the marking is metadata...
    assert f"banner={BANNERS['EU']}" in full  # ...of the dataset
    assert "prepared_for=EU" in full
    layer = subprocess.run(["ogrinfo", "-ro", "-so", str(out), "events_military"],
                           capture_output=True, text=True, check=True).stdout
    assert f"banner={BANNERS['EU']}" in layer


def test_kml_marks_the_document_and_every_placemark(eu_exports) -> None:
    root = etree.parse(str(eu_exports["kml"])).getroot()
    document = root.find(f"{KML}Document")
    assert BANNERS["EU"] in document.findtext(f"{KML}name")
    description = document.findtext(f"{KML}description")
    assert description.startswith(f"<p><b>{BANNERS['EU']}</b></p>")
    assert description.endswith(f"<p><b>{BANNERS['EU']}</b></p>")
    table = default_markings()
    marks = list(root.iter(f"{KML}Placemark"))
    assert marks
    for mark in marks:
        data = {d.get("name"): d.text for d in mark.iter(f"{KML}SimpleData")}
        banner = table.banner(data["classification"], data["releasability"])
        assert mark.findtext(f"{KML}description").startswith(f"<p><b>{banner}</b>")
    back = pyogrio.read_dataframe(eu_exports["kml"], layer="Reported events (military)")
    back["id"] = back["id2"]  # GDAL's KML reader takes "id" for the placemark's own
    _check_fields(_records_by_id(back))


def test_geojson_has_a_marking_member_and_fields(eu_exports) -> None:
    path = eu_exports["geojson"] / "events_military.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["marking"]["banner"] == BANNERS["EU"]
    assert doc["marking"]["prepared_for"] == "EU"
    assert "crs" not in doc  # still RFC 7946
    _check_fields(_records_by_id(pyogrio.read_dataframe(path)))


def test_parquet_has_the_marking_in_its_key_value_metadata(eu_exports) -> None:
    path = eu_exports["parquet"] / "events_military.parquet"
    metadata = pq.read_schema(path).metadata
    marking = json.loads(metadata[b"northpic:marking"])
    assert marking["banner"] == BANNERS["EU"] and marking["releasability"] == "EU"
    geo = json.loads(metadata[b"geo"])
    assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
    _check_fields(_records_by_id(pq.read_table(path).to_pandas()))


def test_csv_fields_are_safe_for_spreadsheets(eu_exports) -> None:
    path = eu_exports["csv"] / "events_military.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = {r["id"]: r for r in csv.DictReader(handle)}
    assert rows["ev-eu"]["originator"] == "'" + FORMULA  # formula injection neutralised
    _check_fields(rows)


def test_shapefile_fields_within_ten_characters(eu_exports) -> None:
    path = eu_exports["shp"] / "events_military.zip"
    frame = pyogrio.read_dataframe(f"/vsizip/{path}")
    assert {"classif", "releasabil", "originator"} <= set(frame.columns)
    _check_fields(_records_by_id(frame), names=("classif", "releasabil", "originator"))
    with zipfile.ZipFile(path) as archive:
        readme = archive.read("README.txt").decode("utf-8").splitlines()
        fields = archive.read("FIELDS.txt").decode("utf-8")
    assert readme[0] == BANNERS["EU"] and readme[-1] == BANNERS["EU"]
    assert "classif" in fields and "classification" in fields


def test_every_cot_event_carries_its_records_marking(eu_exports) -> None:
    table = default_markings()
    events = {}
    for path in (eu_exports["cot"]).glob("*.cot"):
        root = etree.parse(str(path)).getroot()
        mark = root.find("detail/__northpic/marking")
        events[root.get("uid")] = {n: mark.get(n) for n in
                                   ("classification", "releasability", "originator")}
        banner = table.banner(mark.get("classification"), mark.get("releasability"))
        assert root.get("access") == banner == mark.get("banner")
        assert root.findtext("detail/remarks").startswith(banner)
    _check_fields(events)


@pytest.mark.parametrize("fmt", FOLDER_FORMATS)
def test_every_readme_opens_and_ends_with_the_banner(eu_exports, fmt) -> None:
    lines = (eu_exports[fmt] / "README.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == BANNERS["EU"] and lines[-1] == BANNERS["EU"]
    text = "\n".join(lines)
    assert "prepared for: EU" in text and "EU (European Union)" in text
    assert "northpic default table" in text and "UNCLASSIFIED" in text


# ---- refusals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["build", "--out", "{tmp}/mixed.html"],
    *[["export", "--format", fmt, "--out", f"{{tmp}}/mixed.{fmt}"] for fmt in ("gpkg", "kml")],
    ["export", "--format", "takpkg", "--out", "{tmp}/mixed.zip"],
    *[["export", "--format", fmt, "--out", f"{{tmp}}/mixed-{fmt}"] for fmt in FOLDER_FORMATS],
])
def test_contents_no_single_audience_may_see_are_refused(store, tmp_path, capsys, command):
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    capsys.readouterr()
    assert main([*args, "--events", str(store)]) == 2
    err = capsys.readouterr().err
    assert "no audience in common" in err and "--audience" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_a_lowercase_audience_is_refused_with_a_hint(store, tmp_path) -> None:
    for command in (["build", "--out", str(tmp_path / "m.html")],
                    ["export", "--format", "gpkg", "--out", str(tmp_path / "m.gpkg")]):
        result = subprocess.run([sys.executable, "-m", "northpic", *command, "--events",
                                 str(store), "--audience", "nato"],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 2
        assert "upper case: 'NATO'" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_extra_layer_without_marking_is_refused(tmp_path) -> None:
    from builders.export import points_layer, spec
    from northpic.errors import MarkingsError
    from northpic.export import export_picture

    frame = points_layer(3).drop(columns=["classification", "releasability", "originator"])
    with pytest.raises(MarkingsError, match="'extra'.*nothing is assumed public"):
        export_picture(tmp_path / "x.gpkg", "gpkg", layers=["bases"],
                       extra_layers={"extra": (frame, spec("extra", "point"))})
    marked = frame.assign(**{**PUBLIC_MARKING, "releasability": "NOR"})
    out = export_picture(tmp_path / "nor.gpkg", "gpkg", layers=["bases"], audience="EU",
                         extra_layers={"extra": (marked, spec("extra", "point"))})
    assert len(pyogrio.read_dataframe(out, layer="extra")) == 0  # none releasable to EU


def test_a_banner_colour_must_be_written_rrggbb(tmp_path, capsys) -> None:
    doc = json.loads(Path(default_markings().path).read_text(encoding="utf-8"))
    doc["levels"][1]["colour"] = "red;background:url(x)"
    table = tmp_path / "colour.json"
    table.write_text(json.dumps(doc), encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--out", str(tmp_path / "m.html"), "--markings", str(table)]) == 2
    err = capsys.readouterr().err
    assert f"{table}: levels[1]: 'colour' must be a colour written #rrggbb" in err
    assert not (tmp_path / "m.html").exists()
