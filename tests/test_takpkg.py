"""TAK data packages: a zip whose manifest lists every entry, the picture as KMZ, CoT events.

The manifest is validated against tests/data/tak_manifest.xsd (written from what TAK clients
require to import a package), the KMZ member is opened by GDAL's ``ogrinfo`` through
``/vsizip/``, every CoT member against the CoT event schema.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from builders.events import event, write_geojson
from northpic.events import add_events
from northpic.export.api import export_picture

HERE = Path(__file__).parent / "data"
MANIFEST_XSD = etree.XMLSchema(etree.parse(str(HERE / "tak_manifest.xsd")))
COT_XSD = etree.XMLSchema(etree.parse(str(HERE / "cot_event.xsd")))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "northpic", *args], capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pkg")
    store = folder / "events.gpkg"
    add_events(write_geojson(folder / "ev.geojson", [
        event(1, id="pkg-nato", releasability="NATO", domain="military", kind="sighting"),
        event(2, id="pkg-public", releasability="PUBLIC", domain="military", kind="sighting"),
    ]), store)
    return export_picture(folder / "brief.zip", "takpkg", events_store=store,
                          layers=["bases", "shipping_routes", "events_military"],
                          audience="NATO")


def manifest(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("MANIFEST/manifest.xml"))


def test_the_manifest_is_what_tak_clients_require(package: Path) -> None:
    root = manifest(package)
    assert MANIFEST_XSD.validate(root), MANIFEST_XSD.error_log.filter_from_errors()
    params = {p.get("name"): p.get("value") for p in root.findall("Configuration/Parameter")}
    assert params["uid"] and params["name"]
    assert "NATO" in params["remarks"]


def test_the_manifest_lists_every_member_and_only_members(package: Path) -> None:
    listed = [c.get("zipEntry") for c in manifest(package).findall("Contents/Content")]
    with zipfile.ZipFile(package) as archive:
        members = archive.namelist()
        assert archive.testzip() is None
    assert len(members) == len(set(members))
    assert set(listed) | {"MANIFEST/manifest.xml"} == set(members)
    assert len(listed) == len(set(listed))
    assert "picture.kmz" in listed and any(m.startswith("cot/") for m in listed)


def test_every_cot_member_is_a_valid_event_named_by_its_uid(package: Path) -> None:
    contents = manifest(package).findall("Contents/Content")
    with zipfile.ZipFile(package) as archive:
        for content in contents:
            entry = content.get("zipEntry")
            if not entry.endswith(".cot"):
                continue
            root = etree.fromstring(archive.read(entry))
            assert COT_XSD.validate(root), (entry, COT_XSD.error_log.filter_from_errors())
            uid = {p.get("name"): p.get("value") for p in content.findall("Parameter")}["uid"]
            assert uid == root.get("uid")


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")
def test_gdal_opens_the_kmz_inside_the_package(package: Path) -> None:
    done = subprocess.run(["ogrinfo", "-ro", "-al", "-so", f"/vsizip/{package}/picture.kmz"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Military installations" in done.stdout
    assert "Feature Count: 0" not in done.stdout.split("Military installations")[1][:400]


def test_the_package_holds_what_nato_may_see(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        kmz = archive.read("picture.kmz")
    assert "cot/pkg-nato.cot" in names and "cot/pkg-public.cot" in names
    assert len(kmz) > 1000


def test_cli_exit_codes(tmp_path: Path) -> None:
    out = tmp_path / "brief.zip"
    done = cli("export", "--format", "takpkg", "--out", str(out), "--layers", "bases")
    assert done.returncode == 0, done.stderr
    assert zipfile.is_zipfile(out)
    again = cli("export", "--format", "takpkg", "--out", str(out), "--layers", "bases")
    assert again.returncode == 2 and "Traceback" not in again.stderr
    wrong = cli("export", "--format", "takpkg", "--out", str(tmp_path / "brief.kmz"))
    assert wrong.returncode == 2 and ".zip" in wrong.stderr
    assert not (tmp_path / "brief.kmz").exists()


def test_the_same_picture_gives_the_same_package_uid(tmp_path: Path) -> None:
    first = export_picture(tmp_path / "a.zip", "takpkg", layers=["bases"])
    second = export_picture(tmp_path / "b.zip", "takpkg", layers=["bases"])
    other = export_picture(tmp_path / "c.zip", "takpkg", layers=["ports"])

    def uid(path: Path) -> str:
        return {p.get("name"): p.get("value") for p in
                manifest(path).findall("Configuration/Parameter")}["uid"]

    assert uid(first) == uid(second) != uid(other)
