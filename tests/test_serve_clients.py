"""Real OGC API - Features clients read a real ``northpic serve``: GDAL's OAPIF driver and QGIS.

The server runs as its own process (``builders.serving.serve_process``) on a
seeded store (``builders.audiences``); every expected count and id comes
from the seeded records or the shipped layer files, never from the server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from builders.audiences import CANARIES, SeededStore, seed_audience_store
from builders.serving import EU_WRITER, NATO_READER, ServeProcess, serve_process
from northpic.picture import list_layers, load_layer

REPO = Path(__file__).resolve().parents[1]
QGIS_SCRIPT = REPO / "tests" / "qgis" / "oapif_counts.py"
SYSTEM_PYTHON = "/usr/bin/python3"
OGRINFO = shutil.which("ogrinfo")

needs_gdal = pytest.mark.skipif(OGRINFO is None, reason="GDAL's ogrinfo is not installed")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> SeededStore:
    return seed_audience_store(tmp_path_factory.mktemp("store") / "events.gpkg")


@pytest.fixture(scope="module")
def server(seeded: SeededStore, tmp_path_factory: pytest.TempPathFactory) -> Any:
    with serve_process(tmp_path_factory.mktemp("serve"), seeded.path) as running:
        yield running


def _ogrinfo(server: ServeProcess, *args: str, token: str | None = None) -> str:
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "60", "CPL_VSIL_CURL_CACHE_SIZE": "0"}
    env.pop("GDAL_HTTP_HEADERS", None)
    if token is not None:
        env["GDAL_HTTP_HEADERS"] = f"Authorization: Bearer {token}"
    assert OGRINFO is not None
    result = subprocess.run([OGRINFO, "-ro", *args], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _expected_counts(seeded: SeededStore, audience: str) -> dict[str, int]:
    counts = {spec.name: len(load_layer(spec.name)) for spec in list_layers()}
    counts["events"] = len(seeded.visible(audience))
    return counts


@needs_gdal
def test_gdal_lists_every_collection(server: ServeProcess) -> None:
    out = _ogrinfo(server, "-so", f"OAPIF:{server.url}", token=EU_WRITER.token)
    listed = re.findall(r"^\d+: (\S+)", out, flags=re.MULTILINE)
    assert listed == [spec.name for spec in list_layers()] + ["events"]


@needs_gdal
@pytest.mark.parametrize(("token", "audience"), [(EU_WRITER.token, "EU"),
                                                 (NATO_READER.token, "NATO"),
                                                 (None, "PUBLIC")])
def test_gdal_counts_per_collection(server: ServeProcess, seeded: SeededStore,
                                    token: str | None, audience: str) -> None:
    out = _ogrinfo(server, "-so", "-al", f"OAPIF:{server.url}", token=token)
    counts = dict(re.findall(r"Layer name: (\S+).*?Feature Count: (\d+)", out, flags=re.S))
    assert {k: int(v) for k, v in counts.items()} == _expected_counts(seeded, audience)
    if audience != "NATO":
        assert not any(c in out for c in CANARIES)


@needs_gdal
def test_gdal_pages_through_every_feature(server: ServeProcess, seeded: SeededStore) -> None:
    before = server.log_text().count("offset=")
    out = _ogrinfo(server, "-al", "-oo", "PAGE_SIZE=7", f"OAPIF:{server.url}", "events",
                   token=EU_WRITER.token)
    ids = re.findall(r"^  id \(String\) = (.*)$", out, flags=re.MULTILINE)
    assert sorted(ids) == sorted(seeded.ids("EU"))
    pages = server.log_text().count("offset=") - before
    assert pages >= len(ids) // 7  # it really took several pages
    assert not any(c in out for c in CANARIES)


@needs_gdal
def test_gdal_spatial_filter(server: ServeProcess, seeded: SeededStore) -> None:
    west, south, east, north = 0.0, 70.0, 40.0, 80.0
    expected = sorted(r["id"] for r in seeded.visible("EU")
                      if west <= r["lon"] <= east and south <= r["lat"] <= north)
    assert len(expected) > 2
    out = _ogrinfo(server, "-al", "-oo", "PAGE_SIZE=3", "-spat", str(west), str(south),
                   str(east), str(north), f"OAPIF:{server.url}", "events",
                   token=EU_WRITER.token)
    assert sorted(re.findall(r"^  id \(String\) = (.*)$", out, flags=re.MULTILINE)) == expected
    assert "bbox=0" in server.log_text()  # the box went to the server


@needs_gdal
def test_gdal_reads_lines_and_polygons(server: ServeProcess) -> None:
    for name in ("shipping_routes", "sea_ice", "boundaries"):
        out = _ogrinfo(server, "-al", "-oo", "PAGE_SIZE=4", f"OAPIF:{server.url}", name)
        assert len(re.findall(r"^OGRFeature\(", out, flags=re.MULTILINE)) == \
            len(load_layer(name)), name


def _qgis(server: ServeProcess, tmp_path: Path, *args: str) -> dict[str, Any]:
    if shutil.which("qgis") is None or not Path(SYSTEM_PYTHON).exists():
        pytest.skip("QGIS (Debian qgis + python3-qgis) is not installed")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    env.pop("PYTHONPATH", None)
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], env=env,
                           capture_output=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip("python3-qgis is not importable")
    result = subprocess.run([SYSTEM_PYTHON, str(QGIS_SCRIPT), server.url, *args], env=env,
                            capture_output=True, text=True, timeout=600, check=True)
    seen: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


@pytest.mark.parametrize(("token", "audience"), [(None, "PUBLIC"), (EU_WRITER.token, "EU")])
def test_qgis_opens_every_collection_pages_and_filters(server: ServeProcess,
                                                       seeded: SeededStore, tmp_path: Path,
                                                       token: str | None,
                                                       audience: str) -> None:
    west, south, east, north = 0.0, 70.0, 40.0, 80.0
    before = server.log_text().count("offset=")
    seen = _qgis(server, tmp_path, f"{west},{south},{east},{north}", "7",
                 *([token] if token else []))
    expected = _expected_counts(seeded, audience)
    assert sorted(k for k in seen if k != "qgis") == sorted(expected)
    for name, count in expected.items():
        layer = seen[name]
        assert layer["valid"], name
        assert layer["iterated"] == count, name
        assert layer["featureCount"] == count, name
        assert layer["crs"] == "EPSG:4326"
    assert seen["events"]["ids"] == sorted(seeded.ids(audience))
    in_box = sorted(r["id"] for r in seeded.visible(audience)
                    if west <= r["lon"] <= east and south <= r["lat"] <= north)
    assert in_box and seen["events"]["in_box"] == in_box
    bases = load_layer("bases")
    bases_in_box = sorted(str(i) for i, g in zip(bases["id"], bases.geometry, strict=True)
                          if west <= g.x <= east and south <= g.y <= north)
    assert seen["bases"]["in_box"] == bases_in_box
    assert server.log_text().count("offset=") - before > 5  # pages of 7
    assert not any(c in json.dumps(seen) for c in CANARIES)


def test_concurrent_clients_of_different_audiences(server: ServeProcess,
                                                   seeded: SeededStore) -> None:
    """Many requests at once, three audiences: each gets its own count, never another's."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    clients = [(EU_WRITER.token, "EU"), (NATO_READER.token, "NATO"), (None, "PUBLIC")] * 12

    def count(client: tuple[str | None, str]) -> tuple[str, int, bool]:
        token, audience = client
        request = urllib.request.Request(server.url + "/collections/events/items?limit=1000")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=120) as answer:
            body = answer.read().decode("utf-8")
        doc = json.loads(body)
        return audience, doc["numberMatched"], any(c in body for c in CANARIES)

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(count, clients))
    for audience, matched, canary in results:
        assert matched == len(seeded.visible(audience)), audience
        assert canary == (audience == "NATO"), audience
