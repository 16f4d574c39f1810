"""Cursor-on-Target: export one event per feature, read events back, refuse hostile input.

Every event written is validated against a CoT event schema (tests/data/cot_event.xsd,
written from the published definition of the CoT base event); round trips go through the
real event store; the CLI is run as a process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from lxml import etree

import builders.ais as scn
from builders.cot import billion_laughs, foreign_event
from builders.events import event, write_geojson
from builders.export import spec
from northpic.catalogue import read_catalogue
from northpic.errors import DataFileError, SchemaError
from northpic.events import add_events, read_events
from northpic.export.api import export_layers, export_picture
from northpic.export.cot_types import cot_type
from northpic.io import cot as cot_reader

XSD = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "data" / "cot_event.xsd")))
#: Battle dimension of each symbol set, as the issue and MIL-STD-2525B/C give it.
DIMENSIONS = {"01": "A", "05": "P", "10": "G-U", "15": "G-E", "20": "G-I", "30": "S",
              "35": "U", "40": "X"}
LETTERS = {"friend": "f", "hostile": "h", "neutral": "n", "unknown": "u", "suspect": "s",
           "assumed_friend": "a", "pending": "p"}


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "northpic", *args], capture_output=True,
                          input=stdin, timeout=600)


def parse(path: Path) -> etree._Element:
    return etree.fromstring(path.read_bytes())


def valid(root: etree._Element) -> None:
    assert XSD.validate(root), XSD.error_log.filter_from_errors()


@pytest.fixture(scope="module")
def picture_cot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_picture(tmp_path_factory.mktemp("cot") / "picture", "cot")


def test_every_feature_of_the_picture_is_one_valid_event(picture_cot: Path) -> None:
    files = sorted(picture_cot.glob("*.cot"))
    readme = (picture_cot / "README.txt").read_text(encoding="utf-8")
    counts = [int(line.split("features: ")[1]) for line in readme.splitlines()
              if "features: " in line]
    assert len(files) == sum(counts) > 100
    uids = set()
    for file in files:
        root = parse(file)
        valid(root)
        uids.add(root.get("uid"))
        own = root.find("detail/__northpic")
        assert own is not None and own.find("marking").get("releasability")
        assert root.get("access") == own.find("marking").get("banner")
    assert len(uids) == len(files)


def test_the_type_follows_the_symbol_code_and_the_maps_affiliation(picture_cot: Path) -> None:
    severomorsk = parse(picture_cot / "base-severomorsk.cot")
    assert severomorsk.get("type").startswith("a-h-G-I")  # Russian: hostile under nato
    assert severomorsk.find("detail/__northpic").get("affiliation") == "hostile"
    checked = 0
    for file in picture_cot.glob("base-*.cot"):
        root = parse(file)
        own = root.find("detail/__northpic")
        sidc = own.get("sidc")
        if sidc is None:
            continue
        expected = f"a-{LETTERS[own.get('affiliation')]}-{DIMENSIONS[sidc[4:6]]}"
        assert root.get("type") == expected or root.get("type").startswith(expected + "-")
        checked += 1
    assert checked > 20
    port = next(picture_cot.glob("port-*.cot"))
    assert parse(port).get("type") == "b-m-p-s-m"  # no symbol code: a spot-map marker


@pytest.mark.parametrize("kind", [(layer.name, k, v["sidc"]) for layer in read_catalogue()
                                  for k, v in (layer.style.get("kinds") or {}).items()
                                  if "sidc" in v], ids=lambda t: f"{t[0]}-{t[1]}")
@pytest.mark.parametrize("affiliation", sorted(LETTERS))
def test_every_catalogue_symbol_code_has_a_type(kind: tuple[str, str, str],
                                                affiliation: str) -> None:
    derived = cot_type(kind[2], affiliation)
    assert derived.startswith(f"a-{LETTERS[affiliation]}-{DIMENSIONS[kind[2][4:6]]}")


def test_known_functions_and_shapes() -> None:
    assert cot_type("10063000001401090000", "hostile") == "a-h-S-X-M"  # merchant ship
    assert cot_type("10033500001101000000", "friend") == "a-f-U-S"  # submarine
    assert cot_type("10061000001211000000", "hostile") == "a-h-G-U-C-I"  # infantry
    assert cot_type("10012000001213090000", "hostile", shape=True) == "u-d-f"
    assert cot_type("not a code", "hostile") == "b-m-p-s-m"


ROUND_TRIP = [
    event(1, id="rt-point", name='Tanker <b>"diverts"</b> & </remarks></event><event uid="x">',
          notes="]]></detail></event><?xml version='1.0'?><event uid='injected'>",
          time="2026-01-15T08:30:00.125+01:00", lat=70.123456, lon=30.654321,
          releasability="NATO, EU", originator="NOR JOC", classification="RESTRICTED",
          count=3, flag=True, ratio=0.25),
    event(2, id="rt-line", kind="sighting", domain="military", lat=None, lon=None,
          geometry={"type": "LineString", "coordinates": [[20, 70], [21.5, 71.25], [22, 70.5]]},
          valid_to="2026-02-01T00:00:00Z", releasability="NATO, EU", originator="NATO MARCOM"),
    event(3, id="rt-polygon", kind="area", domain="environmental", lat=None, lon=None,
          geometry={"type": "Polygon", "coordinates": [
              [[20, 70], [21, 70], [21, 71], [20, 71], [20, 70]],
              [[20.2, 70.2], [20.2, 70.4], [20.4, 70.2], [20.2, 70.2]]]},
          releasability="NATO, EU", originator="EU SATCEN", precision_km=0.5),
    event(4, id="rt-multiline", kind="route", lat=None, lon=None, geometry={
        "type": "MultiLineString", "coordinates": [[[10, 75], [12, 76]], [[14, 77], [15, 78]]]}),
]
LAYERS = ["events_economic", "events_military", "events_environmental"]


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    folder = tmp_path_factory.mktemp("round")
    store = folder / "events.gpkg"
    records = [{k: v for k, v in r.items() if v is not None} for r in ROUND_TRIP]
    for r in records:
        if "geometry" in r:
            r.pop("lat", None), r.pop("lon", None)
    add_events(write_geojson(folder / "in.geojson", records), store)
    out = export_picture(folder / "cot", "cot", events_store=store, layers=LAYERS,
                         audience="NATO,EU")
    return read_events(store), out


def _metres(a: shapely.Geometry, b: shapely.Geometry) -> float:
    polar = gpd.GeoSeries([a, b], crs="EPSG:4326").to_crs("EPSG:3413")
    return float(polar.iloc[0].hausdorff_distance(polar.iloc[1]))


@pytest.mark.parametrize("how", ["files", "stream"])
def test_export_then_import_gives_the_same_events(round_trip: tuple[pd.DataFrame, Path],
                                                  tmp_path: Path, how: str) -> None:
    before, folder = round_trip
    store = tmp_path / "back.gpkg"
    files = sorted(folder.glob("*.cot"))
    assert len(files) == len(ROUND_TRIP)
    for file in files:
        valid(parse(file))
    if how == "files":
        for file in files:
            add_events(file, store)
    else:  # a TAK stream: events concatenated, each with its own declaration
        add_events(b"\n".join(f.read_bytes() for f in files), store)
    after = read_events(store)
    assert sorted(after["id"]) == sorted(before["id"])
    before, after = before.set_index("id"), after.set_index("id").loc[before["id"]]
    for column in ("name", "kind", "layer", "domain", "source", "confidence", "precision_km",
                   "notes", "classification", "releasability", "originator", "count", "flag"):
        assert before[column].tolist() == after[column].tolist(), column
    for column in ("time", "valid_from", "valid_to"):
        pd.testing.assert_series_equal(before[column], after[column], check_names=False)
    for uid in before.index:
        distance = _metres(before.geometry[uid], after.geometry[uid])
        assert distance < 1.0, f"{uid} moved {distance:.3f} m"
        assert before.geometry[uid].geom_type == after.geometry[uid].geom_type
    assert after.loc["rt-point", "ratio"] == 0.25
    assert "injected" not in set(after.index) and "x" not in set(after.index)


def test_a_shape_is_a_drawing_with_its_vertices(round_trip: tuple[pd.DataFrame, Path]) -> None:
    _, folder = round_trip
    line = next(r for r in map(parse, folder.glob("*.cot")) if r.get("uid") == "rt-line")
    assert line.get("type") == "u-d-f"
    points = [tuple(map(float, link.get("point").split(","))) for link in
              line.findall("detail/link")]
    assert points == [(70, 20), (71.25, 21.5), (70.5, 22)]  # lat,lon as TAK writes them
    assert line.get("stale") == "2026-02-01T00:00:00.000Z"


def test_control_characters_are_replaced_and_the_file_stays_xml(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({
        "id": ["cc-1"], "name": ["bell\x07 form\x0c feed"], "layer": ["pts"],
        "domain": ["military"], "kind": ["k"], "source": ["s\x00nul"], "confidence": ["high"],
        "precision_km": [1.0], "valid_from": [pd.Timestamp("2026-01-01", tz="UTC")],
        "valid_to": pd.Series([pd.NaT], dtype="datetime64[ns, UTC]"), "classification": ["UNCLASSIFIED"], "releasability": ["PUBLIC"],
        "originator": ["desk"]}, geometry=[shapely.Point(20, 70)], crs="EPSG:4326")
    out = export_layers({"pts": frame}, {"pts": spec("pts", "point")}, tmp_path / "o", "cot")
    root = parse(out / "cc-1.cot")
    valid(root)
    assert root.find("detail/contact").get("callsign") == "bell\ufffd form\ufffd feed"
    assert root.find("detail/__northpic/provenance").get("source") == "s\ufffdnul"


def test_a_foreign_event_is_read_with_what_cot_says(tmp_path: Path) -> None:
    store = tmp_path / "e.gpkg"
    data = foreign_event(remarks="seen <b>north</b> of Vardø")
    add_events(data, store, releasability="NATO", originator="NOR JOC")
    row = read_events(store).iloc[0]
    assert (row["id"], row["name"], row["kind"], row["domain"]) == (
        "ANDROID-test-1", "TANKER ONE", "a-h-S", "military")
    assert row["precision_km"] == 0.05 and row["confidence"] == "low"
    assert row["time"] == pd.Timestamp("2026-01-15T08:30:00Z")
    assert row["valid_to"] == pd.Timestamp("2026-01-15T09:30:00Z")
    assert row["notes"] == "seen <b>north</b> of Vardø"


def test_a_foreign_drawing_becomes_a_polygon(tmp_path: Path) -> None:
    ring = [(70, 20), (70, 21), (71, 21), (70, 20)]
    records = cot_reader.parse_cot(foreign_event(type_="u-d-f", links=ring), "d.cot")
    assert records[0]["geometry"].equals(shapely.Polygon([(lon, lat) for lat, lon in ring]))


def test_an_unknown_circular_error_is_refused_naming_the_event(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"ANDROID-test-1.*precision_km"):
        add_events(foreign_event(ce="9999999.0"), tmp_path / "e.gpkg",
                   releasability="NATO", originator="NOR JOC")


def test_a_bad_position_is_refused_with_its_reason(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"outside WGS 84"):
        add_events(foreign_event(lat=95.0), tmp_path / "e.gpkg", releasability="NATO",
                   originator="NOR JOC")


def test_billion_laughs_is_refused_by_the_cli_with_exit_2(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.cot"
    bomb.write_bytes(billion_laughs())
    store = tmp_path / "e.gpkg"
    for args, stdin in (([str(bomb)], None), (["-"], billion_laughs())):
        done = cli("events", "add", *args, "--store", str(store), "--releasability", "NATO",
                   "--originator", "X", stdin=stdin)
        assert done.returncode == 2, done.stderr
        assert b"document type declaration" in done.stderr and b"Traceback" not in done.stderr
    assert not store.exists() or read_events(store).empty


def test_a_stream_on_stdin_is_read_event_by_event(tmp_path: Path) -> None:
    stream = b"".join(foreign_event(f"u-{i}", lat=70 + i / 10) for i in range(5))
    store = tmp_path / "e.gpkg"
    done = cli("events", "add", "-", "--store", str(store), "--releasability", "PUBLIC",
               "--originator", "TAK feed", stdin=stream)
    assert done.returncode == 0, done.stderr
    assert sorted(read_events(store)["id"]) == [f"u-{i}" for i in range(5)]


@pytest.mark.parametrize("data, reason", [
    (b"<event uid='a'><point lat='70' lon='20'/></event><kml/>", "is <kml>, not a CoT <event>"),
    (b"<event uid='a'><point lat='70' lon='20'/></event>junk", "text after event 1"),
    (b"<event uid='a'><point lat='70'", "not well-formed XML"),
])
def test_what_is_not_a_stream_of_events_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(DataFileError, match=reason):
        cot_reader.parse_cot(data, "in.cot")


def test_an_oversized_file_is_refused_before_parsing(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.cot"
    path.write_bytes(b"".join(foreign_event(f"u-{i}") for i in range(50)))
    monkeypatch.setattr(cot_reader, "MAX_COT_BYTES", 4000)
    with pytest.raises(DataFileError, match="big.cot: .*more than the 4000 bytes"):
        add_events(path, tmp_path / "e.gpkg", releasability="PUBLIC", originator="x")


def test_an_xml_file_that_is_not_cot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "doc.xml"
    path.write_bytes(b"<kml><Document/></kml>")
    with pytest.raises(DataFileError, match="root is not <event>"):
        add_events(path, tmp_path / "e.gpkg")


def test_export_cli_exit_codes(tmp_path: Path) -> None:
    out = tmp_path / "cot"
    done = cli("export", "--format", "cot", "--out", str(out), "--layers", "bases")
    assert done.returncode == 0, done.stderr
    assert len(list(out.glob("*.cot"))) > 10
    again = cli("export", "--format", "cot", "--out", str(out), "--layers", "bases")
    assert again.returncode == 2 and b"Traceback" not in again.stderr
    wrong = cli("export", "--format", "cot", "--out", str(tmp_path / "x.zip"))
    assert wrong.returncode == 2 and b"folder" in wrong.stderr


def test_ais_detect_writes_the_last_position_of_each_vessel(tmp_path: Path) -> None:
    scenario = scn.build_scenario(seed=5, bad_records=False)
    feed = scn.write_dma_csv(scenario.reports, tmp_path / "feed.csv")
    out = tmp_path / "positions"
    done = cli("ais", "detect", str(feed), "--cot", str(out), "--releasability", "NATO",
               "--originator", "NATO MARCOM", "-q")
    assert done.returncode == 0, done.stderr
    files = sorted(out.glob("*.cot"))
    reports = scenario.reports
    assert {f.stem for f in files} <= {f"ais-position-{m}" for m in reports["mmsi"].unique()}
    assert len(files) >= 0.8 * reports["mmsi"].nunique()
    for file in files:
        root = parse(file)
        valid(root)
        assert (root.get("type"), root.get("how")) == ("a-u-S", "m-g")
        mmsi = int(file.stem.rsplit("-", 1)[1])
        last = reports[reports["mmsi"] == mmsi].sort_values("time").iloc[-1]
        point = root.find("point")
        assert abs(float(point.get("lat")) - last["lat"]) < 1e-6
        assert abs(float(point.get("lon")) - last["lon"]) < 1e-6
        assert root.find("detail/__northpic/marking").get("releasability") == "NATO"
    refused = cli("ais", "detect", str(feed), "--cot", str(out), "-q")
    assert refused.returncode == 2  # exists, no --overwrite
    for_eu = cli("ais", "detect", str(feed), "--cot", str(tmp_path / "eu"), "--releasability",
                 "NATO", "--originator", "NATO MARCOM", "--audience", "EU", "-q")
    assert for_eu.returncode == 0, for_eu.stderr
    assert not list((tmp_path / "eu").glob("*.cot"))  # EU may see no NATO-only vessel


def test_the_cot_type_table_is_checked(tmp_path: Path) -> None:
    from northpic.errors import CatalogueError
    from northpic.export.cot_types import COT_TYPES_FILE, parse_cot_types

    doc = json.loads(COT_TYPES_FILE.read_text(encoding="utf-8"))
    parse_cot_types(doc)
    doc["functions"].append({"symbol_set": "99", "entity": "11", "function": "X"})
    with pytest.raises(CatalogueError, match="unknown symbol set '99'"):
        parse_cot_types(doc)


def test_the_perspective_of_the_map_gives_the_affiliation(tmp_path: Path) -> None:
    out = tmp_path / "none"
    done = cli("export", "--format", "cot", "--out", str(out), "--layers", "bases",
               "--perspective", "none")
    assert done.returncode == 0, done.stderr
    root = parse(out / "base-severomorsk.cot")
    assert root.get("type").startswith("a-u-G-I")  # no one is hostile from nowhere
    assert "perspective: none" in (out / "README.txt").read_text(encoding="utf-8")
    bad = cli("export", "--format", "cot", "--out", str(tmp_path / "bad"), "--perspective",
              "martian")
    assert bad.returncode == 2 and b"unknown perspective" in bad.stderr
    assert not (tmp_path / "bad").exists()


def test_real_ais_positions_are_reports_of_their_vessel(shared_data: Path, tmp_path: Path) -> None:
    real = shared_data / "ais" / "digitraffic_baltic_latest_positions_2025-12-11_12.csv"
    out = tmp_path / "baltic"
    done = cli("ais", "detect", str(real), "--cot", str(out), "-q")
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(real, usecols=["snapshot_utc", "mmsi", "lat", "lon"])
    files = sorted(out.glob("*.cot"))
    assert 0.5 * rows["mmsi"].nunique() < len(files) <= rows["mmsi"].nunique()
    by_mmsi = {m: g for m, g in rows.groupby("mmsi")}
    for file in files[::50]:
        root = parse(file)
        valid(root)
        mine = by_mmsi[int(file.stem.rsplit("-", 1)[1])]
        point = root.find("point")
        start = pd.Timestamp(root.get("start"))
        times = pd.to_datetime(mine["snapshot_utc"], utc=True).dt.floor("ms")
        same = mine[(times == start).to_numpy()]
        assert len(same), f"{file.name}: no report at {start}"
        assert ((same["lat"] - float(point.get("lat"))).abs() < 1e-6).any()
        assert ((same["lon"] - float(point.get("lon"))).abs() < 1e-6).any()
        assert times.max() >= start  # never a time the vessel did not report
