"""Products that try to leak: no byte of a record an audience may not see reaches its product.

A store holds one event for each of NOR EYES ONLY, NATO, EU, "NATO, EU" and PUBLIC, each with its
own name, id, notes, originator and coordinates (binary fractions, so that every writer prints
them the same way and their IEEE doubles can be searched in binary files), plus the events AIS
detection derived from a NATO-only feed. For each audience and each product (the HTML map, every
export format, ``events list`` as text and GeoJSON, ``events history``) the output bytes are
searched, decompressed where compressed (Parquet pages are re-written uncompressed, zip members
are read), for every trace of each record the audience may not see. The records it may see must
be there, so that an empty product cannot pass.
"""

from __future__ import annotations

import io
import json
import re
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import builders.ais as scn
from builders.events import event, write_geojson
from northpic.build import build_map
from northpic.events import add_events
from northpic.export.api import export_picture

FORMATS = ("gpkg", "kml", "geojson", "parquet", "csv", "shp", "nvg", "cot", "takpkg")
AUDIENCES = ("PUBLIC", "EU", "NATO", "NOR")


@dataclass(frozen=True)
class Secret:
    """One marked event and every trace it could leave in a product."""

    key: str
    releasability: str
    lon: float
    lat: float

    @property
    def id(self) -> str:
        return f"leak-{self.key.lower()}-7f3a"

    @property
    def name(self) -> str:
        return f"Zebra {self.key} Quokka"

    @property
    def notes(self) -> str:
        return f"note-{self.key}-xylophone"

    @property
    def originator(self) -> str:
        return f"Cell {self.key} Wombat"

    def record(self) -> dict[str, object]:
        return event(1, id=self.id, name=self.name, notes=self.notes, lon=self.lon, lat=self.lat,
                     releasability=self.releasability, originator=self.originator,
                     domain="military", kind="sighting")

    def texts(self) -> list[bytes]:
        words = [self.id, self.name, self.notes, self.originator,
                 f"{self.lon:.5f}".rstrip("0"), f"{self.lat:.5f}".rstrip("0")]
        return [w.encode() for w in words]

    def doubles(self) -> list[bytes]:
        return [struct.pack(order + "d", v) for v in (self.lon, self.lat) for order in "<>"]


# Binary fractions (exact doubles, five decimals at most) found nowhere else in the picture.
SECRETS = (
    Secret("NOR", "NOR EYES ONLY", 17.40625, 69.84375),
    Secret("NATO", "NATO", 19.53125, 70.78125),
    Secret("EU", "EU", 21.59375, 71.28125),
    Secret("BOTH", "NATO, EU", 23.65625, 72.21875),
    Secret("PUBLIC", "PUBLIC", 25.71875, 73.15625),
)
#: Which secrets each audience may see (release is explicit; PUBLIC goes everywhere).
VISIBLE = {
    "PUBLIC": {"PUBLIC"},
    "EU": {"PUBLIC", "EU", "BOTH"},
    "NATO": {"PUBLIC", "NATO", "BOTH"},
    "NOR": {"PUBLIC", "NOR"},
}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "northpic", *args], capture_output=True,
                          text=True, timeout=600)


@dataclass(frozen=True)
class Fixture:
    store: Path
    ais_ids: tuple[str, ...]
    ais_mmsi: str


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    folder = tmp_path_factory.mktemp("leaks")
    store = folder / "events.gpkg"
    add_events(write_geojson(folder / "marked.geojson", [s.record() for s in SECRETS]), store)
    # A NATO-only AIS feed: what detection derives from it is NATO-only too.
    scenario = scn.build_scenario(seed=5, bad_records=False)
    feed = scn.write_dma_csv(scenario.reports[scenario.reports["mmsi"] == scn.GAP_MMSI],
                             folder / "nato_feed.csv")
    out = folder / "nato_events.geojson"
    done = cli("ais", "detect", str(feed), "--releasability", "NATO", "--originator",
               "NATO MARCOM", "--out", str(out), "--add", "--store", str(store))
    assert done.returncode == 0, done.stderr
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert features, "the NATO feed must give at least one event (the 14 h gap)"
    assert {f["properties"]["releasability"] for f in features} == {"NATO"}
    return Fixture(store, tuple(f["properties"]["id"] for f in features), str(scn.GAP_MMSI))


def blobs(path: Path) -> Iterator[tuple[str, bytes]]:
    """Every file under ``path`` as bytes; Parquet re-written uncompressed, zips opened."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        data = file.read_bytes()
        yield str(file), data
        if file.suffix == ".parquet":
            table = pq.read_table(file)
            plain = io.BytesIO()
            pq.write_table(table, plain, compression="none", use_dictionary=False)
            yield f"{file} (uncompressed)", plain.getvalue()
            yield f"{file} (metadata)", repr(pq.read_metadata(file).metadata).encode()
        if zipfile.is_zipfile(file):
            yield from _zip_members(str(file), data)


def _zip_members(where: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    """Every member of a zip as bytes, and the members of zips inside it (a KMZ in a package)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            inner = archive.read(member)
            yield f"{where}!{member}", inner
            if zipfile.is_zipfile(io.BytesIO(inner)):
                yield from _zip_members(f"{where}!{member}", inner)


def assert_no_leak(product: Path | bytes, audience: str, fixture: Fixture) -> None:
    """No trace of a secret ``audience`` may not see; every one it may see is there."""
    contents = [("output", product)] if isinstance(product, bytes) else list(blobs(product))
    joined = b"\n".join(data for _, data in contents)
    for secret in SECRETS:
        if secret.key in VISIBLE[audience]:
            assert secret.id.encode() in joined, f"{secret.id} missing from the {audience} product"
            continue
        for where, data in contents:
            for needle in (*secret.texts(), *secret.doubles()):
                assert needle not in data, (
                    f"{where} (for {audience}) holds {needle!r} of {secret.releasability} "
                    f"record {secret.id}")
    for where, data in contents:  # the NATO-derived AIS events
        for ais_id in fixture.ais_ids:
            found = ais_id.encode() in data
            assert found is False or audience == "NATO", f"{where} leaks AIS event {ais_id}"
        if audience != "NATO":
            assert not re.search(rb"(?<!\d)" + fixture.ais_mmsi.encode() + rb"(?!\d)", data), (
                f"{where} (for {audience}) names the NATO-only vessel {fixture.ais_mmsi}")
    if audience == "NATO":
        assert all(i.encode() in joined for i in fixture.ais_ids), "NATO lost its AIS events"


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_map_for_an_audience_holds_nothing_else(
    marked: Fixture, tmp_path: Path, audience: str
) -> None:
    page = build_map(tmp_path / "map.html", events_store=marked.store, audience=audience,
                     at="2026-02-01")
    assert_no_leak(page, audience, marked)


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_for_an_audience_holds_nothing_else(
    marked: Fixture, tmp_path: Path, audience: str, fmt: str
) -> None:
    suffix = {"gpkg": ".gpkg", "kml": ".kml", "nvg": ".nvg", "takpkg": ".zip"}.get(fmt, "")
    out = tmp_path / f"picture{suffix}"
    written = export_picture(out, fmt, events_store=marked.store, audience=audience)
    assert_no_leak(Path(written), audience, marked)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_events_list_for_an_audience_holds_nothing_else(marked: Fixture, audience: str) -> None:
    for extra in ((), ("--json",)):
        done = cli("events", "list", "--store", str(marked.store), "--audience", audience, *extra)
        assert done.returncode == 0, done.stderr
        assert_no_leak(done.stdout.encode() + done.stderr.encode(), audience, marked)


@pytest.mark.parametrize("secret", SECRETS, ids=lambda s: s.key)
def test_history_for_eu_withholds_what_eu_may_not_see(marked: Fixture, secret: Secret) -> None:
    done = cli("events", "history", secret.id, "--store", str(marked.store), "--audience", "EU",
               "--json")
    output = done.stdout.encode() + done.stderr.encode()
    if secret.key in VISIBLE["EU"]:
        assert done.returncode == 0, done.stderr
        assert secret.name.encode() in output
    else:
        assert all(n not in output for n in secret.texts()[1:]), output


def test_the_cli_products_for_eu_hold_no_byte_of_nato_or_nor(marked: Fixture,
                                                             tmp_path: Path) -> None:
    """The issue's own words: ``build --audience EU`` and ``export --audience EU --format ...``."""
    page = tmp_path / "eu.html"
    done = cli("build", "--out", str(page), "--events", str(marked.store), "--audience", "EU")
    assert done.returncode == 0, done.stderr
    assert_no_leak(page, "EU", marked)
    html = page.read_text(encoding="utf-8")
    assert "RELEASABLE TO" in html and "EU" in html
    for fmt in ("gpkg", "kml", "geojson", "parquet", "csv", "nvg"):
        out = tmp_path / ("eu." + fmt if fmt in ("gpkg", "kml", "nvg") else f"eu-{fmt}")
        done = cli("export", "--format", fmt, "--out", str(out), "--events", str(marked.store),
                   "--audience", "EU")
        assert done.returncode == 0, done.stderr
        assert_no_leak(out, "EU", marked)


def test_without_an_audience_the_mixed_picture_is_refused(marked: Fixture,
                                                          tmp_path: Path) -> None:
    for args in (("build", "--out", str(tmp_path / "all.html")),
                 ("export", "--format", "geojson", "--out", str(tmp_path / "all"))):
        done = cli(*args, "--events", str(marked.store))
        assert done.returncode == 2, done.stderr
        assert "--audience" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "all.html").exists() and not (tmp_path / "all").exists()


@pytest.mark.parametrize("marking, reason", [
    ("nato", "upper case"),
    ("NATO, ATLANTIS", "unknown audience 'ATLANTIS'"),
    ("<img src=x onerror=alert(1)>", "unknown audience"),
])
def test_hostile_markings_are_refused_and_nothing_is_stored(
    marked: Fixture, tmp_path: Path, marking: str, reason: str
) -> None:
    before = cli("events", "list", "--store", str(marked.store), "--audience", "NATO", "--json")
    path = write_geojson(tmp_path / "hostile.geojson",
                         [event(1, id="hostile-1", releasability=marking, originator="x")])
    done = cli("events", "add", str(path), "--store", str(marked.store))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "hostile-1" in done.stderr and reason in done.stderr and str(path) in done.stderr
    assert "<img" not in done.stdout
    after = cli("events", "list", "--store", str(marked.store), "--audience", "NATO", "--json")
    assert after.stdout == before.stdout


def test_every_product_reads_its_banner_from_its_contents(marked: Fixture,
                                                          tmp_path: Path) -> None:
    expected = {"PUBLIC": "PUBLIC RELEASE", "EU": "RELEASABLE TO EU", "NATO": "RELEASABLE TO NATO",
                "NOR": "NOR EYES ONLY"}
    for audience, phrase in expected.items():
        page = build_map(tmp_path / f"{audience}.html", events_store=marked.store,
                         audience=audience)
        html = page.read_text(encoding="utf-8")
        assert html.count(phrase) >= 2, f"{audience}: banner {phrase!r} not top and bottom"
        out = export_picture(tmp_path / f"{audience}-geojson", "geojson",
                             events_store=marked.store, audience=audience)
        readme = next(Path(out).rglob("README.txt")).read_text(encoding="utf-8")
        assert phrase in readme.splitlines()[0] and phrase in readme.strip().splitlines()[-1]
    assert pa  # pyarrow is imported for the Parquet re-write
