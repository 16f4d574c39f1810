"""The read side of ``northpic serve`` (OGC API - Features Parts 1-3), through Starlette's client.

Expected answers come from the seeded records themselves (their lon/lat,
times and markings, see ``builders.audiences``) or from the shipped layer
files, never from the server's own code.

The tests about the event store (``@both_backends``) run on a GeoPackage and on a
PostGIS database, seeded with the same records: the answers are the same on both.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from pyproj import Transformer

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from builders.audiences import CANARIES, NATO_LONLAT, SeededStore, seed_audience_store  # noqa: E402
from builders.events import HOSTILE  # noqa: E402
from builders.serving import EU_WRITER, NATO_READER, write_serve_config  # noqa: E402
from northpic.picture import list_layers, load_layer  # noqa: E402
from northpic.serve.app import create_app  # noqa: E402
from northpic.serve.config import read_serve_config  # noqa: E402

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG3413 = "http://www.opengis.net/def/crs/EPSG/0/3413"
EU = {"Authorization": f"Bearer {EU_WRITER.token}"}
NATO = {"Authorization": f"Bearer {NATO_READER.token}"}


BACKENDS = ("gpkg", "postgis")
#: Runs a test on both backends (a test without it reads the GeoPackage only).
both_backends = pytest.mark.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "gpkg"))


@pytest.fixture(scope="module")
def seeded(backend: str, request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> SeededStore:
    if backend == "postgis":
        return seed_audience_store(request.getfixturevalue("postgres_server").new_database())
    return seed_audience_store(tmp_path_factory.mktemp("store") / "events.gpkg")


@pytest.fixture(scope="module")
def http(seeded: SeededStore, tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("config")
    config = read_serve_config(write_serve_config(folder, seeded.path, port=8000))
    with TestClient(create_app(config)) as client:
        yield client


def _features(http: Any, url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    answer = http.get(url, headers=headers or {})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/geo+json")
    return answer.json()


def _all_ids(http: Any, url: str, headers: dict[str, str] | None = None) -> list[str]:
    """Follow next links from ``url``; return every feature id in order."""
    ids: list[str] = []
    pages = 0
    while url:
        doc = _features(http, url, headers)
        assert doc["numberReturned"] == len(doc["features"])
        ids += [f["id"] for f in doc["features"]]
        nexts = [link["href"] for link in doc["links"] if link["rel"] == "next"]
        url = nexts[0] if nexts else ""
        pages += 1
        assert pages < 1000
    return ids


def _in_box(record: dict[str, Any], west: float, south: float, east: float,
            north: float) -> bool:
    lon, lat = record["lon"], record["lat"]
    in_lon = west <= lon <= east if west <= east else lon >= west or lon <= east
    return in_lon and south <= lat <= north


def _time(record: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(record["time"].replace("Z", "+00:00"))


# --- Part 1: core ---------------------------------------------------------------------------

def test_landing_page_links_resolve(http: Any) -> None:
    doc = http.get("/").json()
    rels = {link["rel"]: link for link in doc["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    for link in doc["links"]:
        answer = http.get(urlsplit(link["href"]).path + "?" + urlsplit(link["href"]).query)
        assert answer.status_code == 200, link
        assert answer.headers["content-type"].split(";")[0] == link["type"].split(";")[0]


def test_openapi_document_is_valid_openapi_30(http: Any) -> None:
    from openapi_spec_validator import validate

    doc = http.get("/api").json()
    validate(doc)  # raises on an invalid document
    assert doc["openapi"].startswith("3.0")
    limit = next(p for p in doc["components"]["parameters"].values() if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 10000


def test_conformance_declares_the_classes_served(http: Any) -> None:
    """Exactly the classes the tests here prove (Part 4's are intake's to declare)."""
    classes = {c for c in http.get("/conformance").json()["conformsTo"]
               if "ogcapi-features-4" not in c}
    proven = {"ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/geojson",
              "ogcapi-features-1/1.0/conf/html", "ogcapi-features-1/1.0/conf/oas30",
              "ogcapi-features-2/1.0/conf/crs", "ogcapi-features-3/1.0/conf/queryables",
              "ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/features-filter",
              "cql2/1.0/conf/cql2-text", "cql2/1.0/conf/basic-cql2",
              "cql2/1.0/conf/advanced-comparison-operators",
              "cql2/1.0/conf/basic-spatial-functions",
              "cql2/1.0/conf/basic-spatial-functions-plus"}
    assert classes == {f"http://www.opengis.net/spec/{part}" for part in proven}


def test_collections_are_the_catalogue_and_events(http: Any) -> None:
    doc = http.get("/collections").json()
    ids = [c["id"] for c in doc["collections"]]
    assert ids == [spec.name for spec in list_layers()] + ["events"]
    assert CRS84 in doc["crs"] and EPSG3413 in doc["crs"] and EPSG4326 in doc["crs"]
    for collection in doc["collections"]:
        assert collection["storageCrs"] == CRS84
        assert {EPSG3413, EPSG4326, CRS84} <= set(collection["crs"])
        rels = {link["rel"] for link in collection["links"]}
        assert {"self", "items"} <= rels
        one = http.get(f"/collections/{collection['id']}").json()
        assert one["id"] == collection["id"]


@pytest.mark.parametrize("name", [spec.name for spec in list_layers()])
def test_catalogue_layer_counts_and_ids(http: Any, name: str) -> None:
    expected = [str(i) for i in load_layer(name)["id"]]
    doc = _features(http, f"/collections/{name}/items?limit=10000")
    assert doc["numberMatched"] == len(expected)
    assert sorted(f["id"] for f in doc["features"]) == sorted(expected)


@both_backends
def test_paging_walks_every_feature_once(http: Any, seeded: SeededStore) -> None:
    ids = _all_ids(http, "/collections/events/items?limit=7", EU)
    assert len(ids) == len(set(ids))
    assert set(ids) == seeded.ids("EU")
    first = _features(http, "/collections/events/items?limit=7", EU)
    assert first["numberMatched"] == len(seeded.ids("EU"))
    assert not [link for link in first["links"] if link["rel"] == "prev"]
    second = _features(http, "/collections/events/items?limit=7&offset=7", EU)
    prev = next(link["href"] for link in second["links"] if link["rel"] == "prev")
    assert [f["id"] for f in _features(http, prev, EU)["features"]] == \
        [f["id"] for f in first["features"]]


def test_limit_default_maximum_and_bad_values(http: Any) -> None:
    assert _features(http, "/collections/bases/items")["numberReturned"] == 10
    big = _features(http, "/collections/bases/items?limit=50000")
    assert big["numberReturned"] == big["numberMatched"] == len(load_layer("bases"))
    for bad in ("limit=0", "limit=-3", "limit=ten", "offset=-1", "offset=1.5"):
        answer = http.get(f"/collections/bases/items?{bad}")
        assert answer.status_code == 400, bad
        assert bad.split("=")[0] in answer.json()["description"]


def test_unknown_parameter_collection_and_feature(http: Any) -> None:
    answer = http.get("/collections/bases/items?colour=red")
    assert answer.status_code == 400 and "colour" in answer.json()["description"]
    assert http.get("/collections/nowhere").status_code == 404
    assert http.get("/collections/nowhere/items").status_code == 404
    assert http.get("/collections/bases/items/no-such-base").status_code == 404


@both_backends
def test_item_by_id(http: Any, seeded: SeededStore) -> None:
    record = next(r for r in seeded.records if r["id"] == "pub-dateline-1")
    answer = http.get("/collections/events/items/pub-dateline-1")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/geo+json")
    doc = answer.json()
    assert doc["id"] == "pub-dateline-1"
    assert doc["geometry"]["coordinates"] == pytest.approx([record["lon"], record["lat"]])
    assert doc["properties"]["releasability"] == "PUBLIC"
    assert {link["rel"] for link in doc["links"]} >= {"self", "collection"}


@both_backends
def test_bbox_selects_what_it_covers(http: Any, seeded: SeededStore) -> None:
    box = (0.0, 70.0, 40.0, 80.0)
    expected = {r["id"] for r in seeded.visible("EU") if _in_box(r, *box)}
    assert expected  # the box holds something
    url = "/collections/events/items?limit=1000&bbox=" + ",".join(map(str, box))
    assert {f["id"] for f in _features(http, url, EU)["features"]} == expected


@both_backends
def test_bbox_across_the_antimeridian(http: Any, seeded: SeededStore) -> None:
    box = (177.0, 60.0, -177.0, 90.0)
    expected = {r["id"] for r in seeded.visible("PUBLIC") if _in_box(r, *box)}
    assert {"pub-dateline-0", "pub-dateline-1", "pub-dateline-2", "pub-dateline-3"} <= expected
    doc = _features(http, "/collections/events/items?limit=1000&bbox=177,60,-177,90")
    assert {f["id"] for f in doc["features"]} == expected


def test_bbox_in_epsg_4326_is_lat_lon(http: Any, seeded: SeededStore) -> None:
    box = (0.0, 70.0, 40.0, 80.0)
    expected = {r["id"] for r in seeded.visible("PUBLIC") if _in_box(r, *box)}
    url = (f"/collections/events/items?limit=1000&bbox=70,0,80,40&bbox-crs="
           f"{quote(EPSG4326, safe='')}")
    assert {f["id"] for f in _features(http, url)["features"]} == expected


@both_backends
def test_bbox_in_epsg_3413_around_the_pole(http: Any, seeded: SeededStore) -> None:
    to_polar = Transformer.from_crs("EPSG:4326", "EPSG:3413", always_xy=True)
    half = 1_500_000.0
    expected = set()
    for record in seeded.visible("NATO"):
        x, y = to_polar.transform(record["lon"], record["lat"])
        if -half <= x <= half and -half <= y <= half:
            expected.add(record["id"])
    lons = {round(r["lon"]) for r in seeded.visible("NATO") if r["id"] in expected}
    assert len(expected) > 3 and max(lons) - min(lons) > 180  # all round the pole
    url = (f"/collections/events/items?limit=1000&bbox={-half},{-half},{half},{half}"
           f"&bbox-crs={quote(EPSG3413, safe='')}")
    assert {f["id"] for f in _features(http, url, NATO)["features"]} == expected


@both_backends
def test_datetime_instant_interval_and_open_ends(http: Any, seeded: SeededStore) -> None:
    visible = seeded.visible("EU")

    def between(start: str | None, end: str | None) -> set[str]:
        lo = datetime.fromisoformat(start.replace("Z", "+00:00")) if start else None
        hi = datetime.fromisoformat(end.replace("Z", "+00:00")) if end else None
        return {r["id"] for r in visible
                if (lo is None or _time(r) >= lo) and (hi is None or _time(r) <= hi)}

    cases = {
        "2026-01-05T00:00:00Z/2026-01-12T00:00:00Z": between("2026-01-05T00:00:00Z",
                                                             "2026-01-12T00:00:00Z"),
        "2026-02-01T00:00:00Z/..": between("2026-02-01T00:00:00Z", None),
        "../2026-01-03T23:59:59Z": between(None, "2026-01-03T23:59:59Z"),
        "2026-02-10T12:00:00Z": between("2026-02-10T12:00:00Z", "2026-02-10T12:00:00Z"),
        "2026-03-02": between("2026-03-02T00:00:00Z", "2026-03-02T23:59:59Z"),
    }
    for text, expected in cases.items():
        assert expected, text
        url = f"/collections/events/items?limit=1000&datetime={quote(text, safe='')}"
        assert {f["id"] for f in _features(http, url, EU)["features"]} == expected, text
    for bad in ("yesterday", "2026-03-01/2026-01-01", "/", "../.."):
        assert http.get(f"/collections/events/items?datetime={quote(bad)}").status_code == 400


# --- Part 2: CRS --------------------------------------------------------------------------

def test_crs_of_the_answer(http: Any, seeded: SeededStore) -> None:
    record = next(r for r in seeded.records if r["id"] == "pub-dateline-0")
    url = "/collections/events/items/pub-dateline-0"
    default = http.get(url)
    assert default.headers["content-crs"] == f"<{CRS84}>"
    assert default.json()["geometry"]["coordinates"] == pytest.approx([record["lon"],
                                                                       record["lat"]])
    lat_lon = http.get(f"{url}?crs={quote(EPSG4326, safe='')}")
    assert lat_lon.headers["content-crs"] == f"<{EPSG4326}>"
    assert lat_lon.json()["geometry"]["coordinates"] == pytest.approx([record["lat"],
                                                                       record["lon"]])
    polar = http.get(f"/collections/events/items?limit=1000&crs={quote(EPSG3413, safe='')}")
    assert polar.headers["content-crs"] == f"<{EPSG3413}>"
    to_polar = Transformer.from_crs("EPSG:4326", "EPSG:3413", always_xy=True)
    by_id = {f["id"]: f for f in polar.json()["features"]}
    for rec in seeded.visible("PUBLIC"):
        expected = to_polar.transform(rec["lon"], rec["lat"])
        assert by_id[rec["id"]]["geometry"]["coordinates"] == pytest.approx(expected, abs=0.01)
    assert http.get("/collections/events/items?crs=EPSG:32633").status_code == 400


def test_lines_in_epsg_3413(http: Any) -> None:
    to_polar = Transformer.from_crs("EPSG:4326", "EPSG:3413", always_xy=True)
    lonlat = _features(http, "/collections/shipping_routes/items?limit=100")
    polar = _features(http, "/collections/shipping_routes/items?limit=100&crs="
                      + quote(EPSG3413, safe=""))
    for a, b in zip(lonlat["features"], polar["features"], strict=True):
        assert a["id"] == b["id"]
        first = a["geometry"]["coordinates"][0]
        first = first[0] if isinstance(first[0], list) else first
        got = b["geometry"]["coordinates"][0]
        got = got[0] if isinstance(got[0], list) else got
        assert got == pytest.approx(to_polar.transform(*first), abs=0.01)


# --- extents --------------------------------------------------------------------------------

def test_extents_across_the_antimeridian_and_around_the_pole(tmp_path: Path) -> None:
    import shapely

    from builders.events import event, feature
    from northpic.crs import polar_to_lonlat
    from northpic.events import add_events

    store = tmp_path / "events.gpkg"
    dateline = [event(i, id=f"d-{i}", lon=lon, lat=66.0 + i, time=f"2026-05-0{i + 1}T00:00Z")
                for i, lon in enumerate((171.0, 175.0, -172.0, -168.5))]
    add_events({"type": "FeatureCollection", "features": [feature(r) for r in dateline]},
               store)
    config = read_serve_config(write_serve_config(tmp_path, store, port=8000))
    with TestClient(create_app(config)) as client:
        extent = client.get("/collections/events").json()["extent"]
        west, south, east, north = extent["spatial"]["bbox"][0]
        assert (west, east) == (171.0, -168.5)  # across 180, not the whole world
        assert (south, north) == (66.0, 69.0)
        assert extent["temporal"]["interval"] == [["2026-05-01T00:00:00Z",
                                                   "2026-05-04T00:00:00Z"]]
        cap = polar_to_lonlat(shapely.Point(0, 0).buffer(600_000, 32))
        record = event(9, id="cap")
        record.pop("lat"), record.pop("lon")
        record["geometry"] = shapely.geometry.mapping(cap)
        add_events({"type": "FeatureCollection", "features": [feature(record)]}, store)
        west, south, east, north = \
            client.get("/collections/events").json()["extent"]["spatial"]["bbox"][0]
        assert (west, east, north) == (-180.0, 180.0, 90.0)
        assert south == pytest.approx(min(66.0, cap.bounds[1]))


def test_sea_ice_extent_reaches_the_pole(http: Any) -> None:
    west, _, east, north = http.get("/collections/sea_ice").json()["extent"]["spatial"]["bbox"][0]
    assert (west, east, north) == (-180.0, 180.0, 90.0)


# --- Part 3: filters ------------------------------------------------------------------------

def _filtered(http: Any, text: str, headers: dict[str, str] | None = None) -> set[str]:
    url = f"/collections/events/items?limit=1000&filter={quote(text, safe='')}"
    return {f["id"] for f in _features(http, url, headers)["features"]}


@both_backends
def test_filters(http: Any, seeded: SeededStore) -> None:
    visible = seeded.visible("EU")
    cases = {
        "kind = 'sighting'": {r["id"] for r in visible if r["kind"] == "sighting"},
        "kind <> 'sighting'": {r["id"] for r in visible if r["kind"] != "sighting"},
        "id LIKE 'pub-dateline-%'": {r["id"] for r in visible
                                     if r["id"].startswith("pub-dateline-")},
        "id LIKE 'eu-_'": {r["id"] for r in visible if re.fullmatch(r"eu-.", r["id"])},
        "id IN ('eu-1', 'eu-3', 'nope')": {"eu-1", "eu-3"},
        "releasability = 'EU' AND NOT id = 'eu-0'": {r["id"] for r in visible
                                                      if r["releasability"] == "EU"} - {"eu-0"},
        "id = 'eu-2' OR id = 'pub-hostile'": {"eu-2", "pub-hostile"},
        "valid_to IS NULL": {r["id"] for r in visible},
        "valid_to IS NOT NULL": set(),
        "time >= TIMESTAMP('2026-02-01T00:00:00Z')": {
            r["id"] for r in visible if _time(r) >= datetime.fromisoformat("2026-02-01T00:00+00:00")},
        "time BETWEEN TIMESTAMP('2026-01-02T00:00:00Z') AND TIMESTAMP('2026-01-04T00:00:00Z')": {
            r["id"] for r in visible
            if datetime.fromisoformat("2026-01-02T00:00+00:00") <= _time(r)
            <= datetime.fromisoformat("2026-01-04T00:00+00:00")},
        "S_INTERSECTS(geometry, BBOX(0, 70, 40, 80))": {
            r["id"] for r in visible if _in_box(r, 0, 70, 40, 80)},
        "S_INTERSECTS(geometry, BBOX(177, 60, -177, 90))": {
            r["id"] for r in visible if _in_box(r, 177, 60, -177, 90)},
        "S_INTERSECTS(geometry, POINT(179.5 65))": {"pub-dateline-0"},
        "S_INTERSECTS(geometry, MULTIPOINT((179.5 65), (-179.5 66)))": {"pub-dateline-0",
                                                                          "pub-dateline-1"},
        "S_INTERSECTS(geometry, LINESTRING(179.5 60, 179.5 89))": {"pub-dateline-0"},
        "name LIKE 'Test event 1_'": {r["id"] for r in visible
                                      if re.fullmatch(r"Test event 1.", r["name"])},
        "name LIKE '%<img%'": {"pub-hostile"},
        "S_INTERSECTS(geometry, POLYGON((0 70, 40 70, 40 80, 0 80, 0 70)))": {
            r["id"] for r in visible if _in_box(r, 0, 70, 40, 80)},
    }
    for text, expected in cases.items():
        if text not in ("valid_to IS NOT NULL",):
            assert expected, text
        assert _filtered(http, text, EU) == expected, text
    precise = {r["id"] for r in visible if 1 <= r["precision_km"] <= 5}
    assert _filtered(http, "precision_km BETWEEN 1 AND 5", EU) == precise


def test_filters_combine_with_bbox_and_paging(http: Any, seeded: SeededStore) -> None:
    expected = {r["id"] for r in seeded.visible("EU")
                if r["kind"] == "diversion" and _in_box(r, -180, 60, 180, 75)}
    url = (f"/collections/events/items?limit=3&bbox=-180,60,180,75&filter="
           f"{quote(chr(39).join(['kind = ', 'diversion', '']), safe='')}")
    assert set(_all_ids(http, url, EU)) == expected


@pytest.mark.parametrize(("text", "named"), [
    ("colour = 'red'", "colour"),
    ("name = = 'x'", "column"),
    ("name = 3", "name"),
    ("precision_km = 'five'", "precision_km"),
    ("name LIKE 3", "LIKE"),
])
def test_bad_filters_are_400_naming_the_problem(http: Any, text: str, named: str) -> None:
    answer = http.get(f"/collections/events/items?filter={quote(text, safe='')}")
    assert answer.status_code == 400
    assert named in answer.json()["description"]


def test_filter_lang_and_crs(http: Any) -> None:
    assert http.get("/collections/events/items?filter=kind%3D%27x%27&filter-lang=cql2-json"
                    ).status_code == 400
    assert http.get(f"/collections/events/items?filter=kind%3D%27x%27&filter-crs="
                    f"{quote(EPSG3413, safe='')}").status_code == 400
    ok = http.get("/collections/events/items?filter=kind%3D%27x%27&filter-lang=cql2-text")
    assert ok.status_code == 200


@both_backends
def test_queryables(http: Any) -> None:
    answer = http.get("/collections/events/queryables")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/schema+json")
    doc = answer.json()
    assert doc["type"] == "object"
    props = doc["properties"]
    assert props["precision_km"]["type"] == "number"
    assert props["time"] == {"title": "time", "type": "string", "format": "date-time"}
    assert props["name"]["type"] == "string"
    assert props["geometry"]["format"] == "geometry-any"


# --- HTML -----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/conformance", "/collections", "/collections/events",
                                 "/collections/events/items?limit=1000",
                                 "/collections/events/items/pub-hostile",
                                 "/collections/events/queryables"])
def test_html_pages_are_escaped_and_self_contained(http: Any, url: str) -> None:
    joiner = "&" if "?" in url else "?"
    for answer in (http.get(url + joiner + "f=html"),
                   http.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})):
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        text = answer.text
        assert text.startswith("<!DOCTYPE html>")
        assert "<script" not in text.lower() and "<img" not in text.lower()
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//(?!testserver)""", text)
        assert HOSTILE[0] not in text and HOSTILE[1] not in text
        if "items" in url:
            import html

            assert html.escape(HOSTILE[0]) in text


def test_html_pages_of_records_carry_their_marking(http: Any, seeded: SeededStore) -> None:
    eu_page = http.get("/collections/events/items?limit=1000&f=html", headers=EU).text
    assert eu_page.count("UNCLASSIFIED // RELEASABLE TO EU") == 2  # top and bottom
    public_page = http.get("/collections/events/items?limit=1000&f=html").text
    assert public_page.count("UNCLASSIFIED // PUBLIC RELEASE") == 2
    marking = _features(http, "/collections/events/items?limit=1000", EU)["marking"]
    assert marking["banner"] == "UNCLASSIFIED // RELEASABLE TO EU"
    assert marking["prepared_for"] == "EU"
    one = http.get("/collections/events/items/pub-hostile?f=html", headers=EU).text
    assert one.count("UNCLASSIFIED // PUBLIC RELEASE") == 2


def test_accept_json_stays_json(http: Any) -> None:
    answer = http.get("/collections", headers={"Accept": "application/json"})
    assert answer.headers["content-type"].startswith("application/json")
    assert http.get("/collections?f=xml").status_code == 400


# --- audiences ------------------------------------------------------------------------------

def _leak_urls(seeded: SeededStore) -> list[str]:
    nato_ids = [r["id"] for r in seeded.records if r["releasability"] == "NATO"]
    polar = quote(EPSG3413, safe="")
    urls = ["/", "/api", "/conformance", "/collections", "/collections/events",
            "/collections/events/queryables", "/collections/events/items",
            "/collections/events/items?limit=10000",
            "/collections/events/items?limit=10000&bbox=90,85,110,90",
            "/collections/events/items?limit=10000&bbox=-1e6,-1e6,1e6,1e6&bbox-crs=" + polar,
            "/collections/events/items?limit=10000&datetime=2030-01-01T00:00:00Z/..",
            "/collections/events/items?limit=10000&crs=" + polar,
            "/collections/events/items?limit=10000&filter=" + quote("kind = 'deployment'"),
            "/collections/events/items?limit=10000&filter=" + quote("name LIKE 'CANARY%'"),
            "/collections/events/items?limit=10000&filter="
            + quote("canary_nato_sensor = 'CANARY-NATO-VALUE'"),
            "/collections/events/items?offset=40"]
    urls += [f"/collections/events/items/{quote(i, safe='')}" for i in nato_ids]
    return urls + [u + ("&" if "?" in u else "?") + "f=html" for u in urls]


@both_backends
def test_nato_records_never_reach_an_eu_client(http: Any, seeded: SeededStore) -> None:
    for url in _leak_urls(seeded):
        for headers in (EU, {}):
            answer = http.get(url, headers=headers)
            body = answer.content
            from urllib.parse import unquote

            for canary in CANARIES:
                if canary in unquote(url):
                    continue  # the client's own words may come back (in links, in a 400)
                assert canary.encode() not in body, (url, canary)
            for lon, lat in NATO_LONLAT:
                assert f"{lon},{lat}".encode() not in body.replace(b" ", b""), url
    # and a NATO reader does see them: the canaries are real
    nato = http.get("/collections/events/items?limit=10000", headers=NATO).text
    assert all(c in nato for c in CANARIES)


@both_backends
def test_counts_extents_and_filters_after_the_audience_cut(http: Any,
                                                            seeded: SeededStore) -> None:
    for headers, audience in ((EU, "EU"), ({}, "PUBLIC"), (NATO, "NATO")):
        doc = _features(http, "/collections/events/items", headers)
        assert doc["numberMatched"] == len(seeded.visible(audience))
        meta = http.get("/collections/events", headers=headers).json()
        north = meta["extent"]["spatial"]["bbox"][0][3]
        assert north == max(r["lat"] for r in seeded.visible(audience))
        last = meta["extent"]["temporal"]["interval"][0][1]
        assert last == max(r["time"] for r in seeded.visible(audience)).replace(
            ".000", "")[:19] + "Z"
    assert _filtered(http, "notes = 'CANARY-NATO-NOTE'", EU) == set()
    assert _filtered(http, "notes = 'CANARY-NATO-NOTE'", NATO) == {
        r["id"] for r in seeded.records if r["releasability"] == "NATO"}
    # a property only hidden records have is as unknown as one nobody has
    hidden = http.get("/collections/events/items?filter="
                      + quote("canary_nato_sensor = 'x'"), headers=EU)
    unknown = http.get("/collections/events/items?filter=" + quote("canary_none_of = 'x'"),
                       headers=EU)
    assert hidden.status_code == unknown.status_code == 400
    assert hidden.json()["description"].replace("canary_nato_sensor", "P") == \
        unknown.json()["description"].replace("canary_none_of", "P")
    assert "canary_nato_sensor" not in http.get("/collections/events/queryables",
                                                headers=EU).text


@both_backends
def test_a_hidden_id_is_not_found_exactly_like_an_unknown_one(http: Any) -> None:
    hidden = http.get("/collections/events/items/nato-canary-0", headers=EU)
    unknown = http.get("/collections/events/items/nato-canary-9", headers=EU)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content
    assert hidden.headers["content-type"] == unknown.headers["content-type"]
    assert http.get("/collections/events/items/nato-canary-0", headers=NATO).status_code == 200


def test_each_audience_gets_its_own_frame_and_writes_are_seen(tmp_path: Path,
                                                               make_store: Any) -> None:
    from builders.events import event, feature
    from northpic.events import add_events

    seeded = seed_audience_store(make_store(), public=5)
    config = read_serve_config(write_serve_config(tmp_path, seeded.path, port=8000))
    with TestClient(create_app(config)) as client:
        for _ in range(2):  # NATO first fills the cache; EU must not get NATO's frame
            nato = client.get("/collections/events/items?limit=1000", headers=NATO).json()
            eu = client.get("/collections/events/items?limit=1000", headers=EU).json()
            assert nato["numberMatched"] == len(seeded.visible("NATO"))
            assert eu["numberMatched"] == len(seeded.visible("EU"))
        add_events({"type": "FeatureCollection", "features": [
            feature(event(1, id="late-eu", releasability="EU", originator="EU SATCEN"))]},
            seeded.path)
        again = client.get("/collections/events/items?limit=1000", headers=EU).json()
        assert again["numberMatched"] == len(seeded.visible("EU")) + 1
        assert "late-eu" in {f["id"] for f in again["features"]}
        public = client.get("/collections/events/items?limit=1000").json()
        assert "late-eu" not in {f["id"] for f in public["features"]}


def test_a_missing_store_is_an_empty_events_collection(tmp_path: Path, make_store: Any) -> None:
    config = read_serve_config(write_serve_config(tmp_path, make_store(), port=8000))
    with TestClient(create_app(config)) as client:
        doc = client.get("/collections/events/items").json()
        assert doc["numberMatched"] == 0 and doc["features"] == []
        assert "extent" not in client.get("/collections/events").json()
        assert json.loads(client.get("/collections/bases/items").text)["numberMatched"] > 0


@both_backends
def test_tokens_are_checked_on_every_read_route(seeded: SeededStore, tmp_path: Path) -> None:
    config = read_serve_config(write_serve_config(tmp_path, seeded.path, port=8000,
                                                  extra_server='anonymous = ""'))
    routes = ["/", "/api", "/conformance", "/collections", "/collections/events",
              "/collections/events/items", "/collections/events/items/pub-hostile",
              "/collections/events/queryables", "/collections/events/items?f=html"]
    with TestClient(create_app(config)) as client:
        for url in routes:
            for headers in ({}, {"Authorization": "Bearer not-a-token"}):
                answer = client.get(url, headers=headers)
                assert answer.status_code == 401, (url, headers)
                assert answer.headers["www-authenticate"].startswith("Bearer")
                assert not any(c.encode() in answer.content for c in CANARIES)
            assert client.get(url, headers=EU).status_code == 200, url


def test_filters_on_text_holding_json_values(tmp_path: Path, make_store: Any) -> None:
    from builders.events import event, feature
    from northpic.events import add_events

    store = make_store()
    records = [event(1, id="j-1", crew=["a", "b"]), event(2, id="j-2", crew=["c"]),
               event(3, id="j-3")]
    add_events({"type": "FeatureCollection", "features": [feature(r) for r in records]},
               store)
    config = read_serve_config(write_serve_config(tmp_path, store, port=8000))
    with TestClient(create_app(config)) as client:
        for text, expected in (("crew = '[\"c\"]'", {"j-2"}),
                               ("crew > '[\"b'", {"j-2"}),
                               ("crew LIKE '%\"b\"%'", {"j-1"}), ("crew IS NULL", {"j-3"}),
                               ("crew IN ('[\"c\"]', 'd')", {"j-2"})):
            answer = client.get("/collections/events/items?filter=" + quote(text, safe=""))
            assert answer.status_code == 200, (text, answer.text)
            assert {f["id"] for f in answer.json()["features"]} == expected, text


def test_an_unreadable_store_is_503_and_the_layers_still_serve(tmp_path: Path) -> None:
    store = tmp_path / "events.gpkg"
    store.write_bytes(b"not a GeoPackage at all, just text\n" * 100)
    config = read_serve_config(write_serve_config(tmp_path, store, port=8000))
    with TestClient(create_app(config)) as client:
        for url in ("/collections/events/items", "/collections/events", "/collections"):
            answer = client.get(url)
            assert answer.status_code == 503, (url, answer.text)
            assert answer.json()["code"] == "ServiceUnavailable"
        assert client.get("/collections/bases/items").status_code == 200
