"""Vessel tracks on the map in a real headless Chromium: drawn, banded by zoom, dense, cut.

The pages are built by the real command (``northpic build --tracks FILE``) from
GeoJSON and GeoParquet tracks files written like ``ais detect --tracks``
writes them. What the page draws is read back from its canvas pixels.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from builders.tracks import synthetic_tracks, track
from northpic.errors import DataFileError, MarkingsError, UnsupportedFormatError
from northpic.export.ais_geojson import write_geojson
from northpic.io.tracks import read_tracks

pytestmark = pytest.mark.browser
TO_POLAR = Transformer.from_crs("EPSG:4326", "EPSG:3413", always_xy=True)
TO_LONLAT = Transformer.from_crs("EPSG:3413", "EPSG:4326", always_xy=True)
# a track across the antimeridian at 76 N, one over the pole, one for NATO alone
DATELINE = [(172.0, 76.0), (178.0, 76.2), (-178.0, 76.1), (-172.0, 76.0)]
OVER_POLE = [(-45.0, 87.0), (135.0, 87.0)]
NATO_MMSI = 999_000_111
NATO_LINE = [(60.0, 74.0), (66.0, 75.0)]
MARKING = {"banner": "UNCLASSIFIED // PUBLIC RELEASE"}


def build(out: Path, tracks: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "northpic", "build", "--out", str(out), "--at", "2026-02-02",
         "--layers", "shipping_routes", "--tracks", str(tracks), *args],
        capture_output=True, text=True, timeout=600)


def tracks_frame():
    traffic = synthetic_tracks(40, 300, seed=11, lon_range=(5.0, 35.0), lat_range=(68.0, 72.0))
    known = [track(DATELINE, 257000001), track(OVER_POLE, 257000002),
             track(NATO_LINE, NATO_MMSI, releasability="NATO")]
    frame = pd.concat([traffic, *known], ignore_index=True)
    frame.loc[frame["mmsi"] == NATO_MMSI, "vessel_name"] = "NATO ONLY VESSEL"
    return frame


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tracks")
    frame = tracks_frame()
    geojson = write_geojson(frame, folder / "tracks.geojson", marking=MARKING)
    parquet = folder / "tracks.parquet"
    frame.to_parquet(parquet)
    out = {"geojson": geojson, "parquet": parquet}
    for name, source, extra in (("nato", geojson, ["--audience", "NATO"]),
                                ("eu", parquet, ["--audience", "EU"]),
                                ("plain", parquet, ["--layers", "bases"])):
        page = folder / f"{name}.html"
        result = build(page, source, *extra)
        assert result.returncode == 0, result.stderr
        out[name] = page
    return out


def view(page, lon: float, lat: float, zoom: int) -> None:
    page.evaluate("([lat, lon, z]) => northpic.tracks.map.setView([lat, lon], z, {animate: false})",
                  [lat, lon, zoom])
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")


def alpha_near(page, layer: str, lon: float, lat: float, radius: int = 2) -> int:
    """The largest alpha of ``layer``'s canvas within ``radius`` px of (lon, lat)."""
    return page.evaluate(
        """([layer, lat, lon, rad]) => {
             const c = document.querySelector('canvas[data-layer="' + layer + '"]');
             if (!c) { return -1; }
             const p = northpic.tracks.map.latLngToContainerPoint([lat, lon]);
             const k = c.width / c.clientWidth, x = Math.round(p.x * k), y = Math.round(p.y * k);
             const r = Math.ceil(rad * k);
             const d = c.getContext('2d').getImageData(x - r, y - r, 2 * r + 1, 2 * r + 1).data;
             let m = 0; for (let i = 3; i < d.length; i += 4) { m = Math.max(m, d[i]); }
             return m; }""",
        [layer, lat, lon, radius])


def polar_midpoint(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    (x0, x1), (y0, y1) = TO_POLAR.transform([a[0], b[0]], [a[1], b[1]])
    lon, lat = TO_LONLAT.transform((x0 + x1) / 2, (y0 + y1) / 2)
    return float(lon), float(lat)


def test_the_track_layer_draws_across_the_antimeridian_and_the_pole(pages, open_map) -> None:
    loaded = open_map(pages["nato"])
    page = loaded.page
    assert loaded.errors == [] and loaded.requests == []  # offline: no request at all
    # the segment that crosses 180 degrees is drawn where it is, not as a chord round the world
    cross = polar_midpoint(DATELINE[1], DATELINE[2])
    view(page, cross[0], cross[1], 6)
    assert alpha_near(page, "ais_tracks", *cross) > 0
    assert alpha_near(page, "ais_tracks", cross[0], cross[1] + 1.5) == 0  # 170 km north: nothing
    assert alpha_near(page, "ais_tracks", 0.0, 76.1) == 0  # a lon/lat chord would pass here
    view(page, 0.0, 90.0, 6)
    assert alpha_near(page, "ais_tracks", 0.0, 90.0) > 0  # the line over the pole goes through it
    assert alpha_near(page, "ais_tracks", 45.0, 88.0) == 0


def test_zoom_picks_a_band_and_the_bands_stay_within_a_pixel(pages, open_map) -> None:
    page = open_map(pages["nato"]).page
    bands = []
    for zoom in (4, 5, 6, 8, 10, 12):
        view(page, 20.0, 70.0, zoom)
        bands.append(page.evaluate("northpic.tracks.layer.band"))
        assert page.evaluate("northpic.tracks.layer.drawn") > 0, zoom
    assert bands == sorted(bands) and len(set(bands)) >= 4  # closer in, finer bands
    counts = page.evaluate("northpic.tracks.layer.bands.map(b => b.vertices)")
    assert counts == sorted(counts) and counts[0] < counts[-1]
    # every band's decoded line stays within one pixel (at its closest zoom) of the input line
    frame = tracks_frame()
    traffic = frame.iloc[0]
    x, y = TO_POLAR.transform(*np.array(traffic.geometry.coords).T)
    original = shapely.LineString(np.column_stack((x, y)))
    world = 18_000_000.0 / 256
    for k, first_zoom in enumerate((4, 6, 8, 10)):
        last_zoom = first_zoom + 1 if first_zoom < 10 else 12
        got = page.evaluate(
            """k => { const b = northpic.tracks.layer.bands[k], s = b.starts[0], e = b.starts[1];
                      return Array.from(b.xy.slice(2 * s, 2 * e)).map(v => v * b.q); }""", k)
        decoded = shapely.LineString(np.array(got).reshape(-1, 2))
        pixel = world / 2**last_zoom
        # Douglas-Peucker keeps a pixel; quantising moves a vertex by under a sixth of one more
        assert original.hausdorff_distance(decoded) <= 1.2 * pixel, (k, pixel)
        assert len(got) // 2 <= len(x)


def test_density_shows_zoomed_out_with_its_legend(pages, open_map) -> None:
    page = open_map(pages["nato"]).page
    view(page, 20.0, 70.0, 2)
    assert page.evaluate("northpic.tracks.density.drawn") > 0
    assert page.evaluate("northpic.tracks.layer.drawn") == 0  # the lines wait for a closer zoom
    assert alpha_near(page, "ais_density", 20.0, 70.0) > 0
    assert alpha_near(page, "ais_density", -100.0, 60.0) == 0  # no traffic over Canada
    legend = page.locator(".np-density-legend")
    assert legend.is_visible() and "positions" in legend.inner_text()
    view(page, 20.0, 70.0, 6)
    assert page.evaluate("northpic.tracks.density.drawn") == 0
    assert not legend.is_visible()
    assert alpha_near(page, "ais_density", 20.0, 70.0, radius=6) == 0


def test_both_layers_toggle_in_the_layer_control(pages, open_map) -> None:
    page = open_map(pages["nato"]).page
    view(page, 20.0, 70.0, 5)
    box = page.locator('input[type=checkbox][data-layer="ais_tracks"]')
    before = page.evaluate("northpic.visibleCount('ais_tracks')")
    assert before > 0
    box.uncheck()
    assert page.evaluate("northpic.visibleCount('ais_tracks')") == 0
    assert page.locator('canvas[data-layer="ais_tracks"]').count() == 0
    box.check()
    assert page.evaluate("northpic.visibleCount('ais_tracks')") == before
    # zoomed out, switching the density off shows the lines instead
    view(page, 20.0, 70.0, 2)
    assert page.evaluate("northpic.tracks.layer.drawn") == 0
    page.locator('input[type=checkbox][data-layer="ais_density"]').uncheck()
    assert page.evaluate("northpic.visibleCount('ais_density')") == 0
    assert page.evaluate("northpic.tracks.layer.drawn") > 0


def test_the_time_control_hides_tracks_not_yet_begun(pages, open_map) -> None:
    page = open_map(pages["nato"]).page
    view(page, 20.0, 70.0, 5)
    assert page.evaluate("northpic.tracks.layer.drawn") > 0
    page.evaluate("northpic.setTime(Date.parse('2025-12-01T00:00:00Z'))")  # before every track
    assert page.evaluate("northpic.tracks.layer.drawn") == 0


def test_a_nato_track_never_reaches_an_eu_page(pages, open_map) -> None:
    nato = pages["nato"].read_text(encoding="utf-8")
    eu = pages["eu"].read_text(encoding="utf-8")
    assert str(NATO_MMSI) in nato and "NATO ONLY VESSEL" in nato
    assert str(NATO_MMSI) not in eu and "NATO ONLY VESSEL" not in eu
    page = open_map(pages["eu"]).page
    assert page.evaluate("northpic.tracks.info.lines") == len(tracks_frame()) - 1
    assert NATO_MMSI not in page.evaluate("northpic.tracks.info.mmsi")
    mid = polar_midpoint(*NATO_LINE)
    view(page, mid[0], mid[1], 7)
    assert alpha_near(page, "ais_tracks", *mid) == 0
    shown = open_map(pages["nato"]).page
    view(shown, mid[0], mid[1], 7)
    assert alpha_near(shown, "ais_tracks", *mid) > 0
    assert "UNCLASSIFIED // PUBLIC RELEASE" in eu


def test_the_page_stays_small(pages, tmp_path) -> None:
    # 40 x 300 positions; the page may spend at most 8 bytes a position on them (the budget
    # of 40 MB for 5 million), and far less than the GeoJSON they come from
    base = tmp_path / "base.html"
    result = subprocess.run(
        [sys.executable, "-m", "northpic", "build", "--out", str(base), "--at", "2026-02-02",
         "--layers", "bases"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    frame = tracks_frame()
    positions = int(shapely.get_num_coordinates(frame.geometry.values).sum())
    extra = pages["plain"].stat().st_size - base.stat().st_size
    assert 0 < extra < 8 * positions
    assert extra < pages["geojson"].stat().st_size / 4


def test_a_stored_track_draws_on_the_track_layer(tmp_path, open_map) -> None:
    from builders.ais import build_scenario, write_dma_csv

    feed = write_dma_csv(build_scenario(bad_records=False).reports, tmp_path / "day.csv")
    store = tmp_path / "events.gpkg"
    detect = subprocess.run(
        [sys.executable, "-m", "northpic", "ais", "detect", str(feed), "--add", "--add-tracks",
         "--store", str(store), "-q"], capture_output=True, text=True, timeout=600)
    assert detect.returncode == 0, detect.stderr
    out = tmp_path / "stored.html"
    result = subprocess.run(
        [sys.executable, "-m", "northpic", "build", "--out", str(out), "--at", "2026-02-02",
         "--layers", "shadow_fleet", "--events", str(store)],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    page = open_map(out).page
    assert page.evaluate("northpic.tracks.info.lines") > 0
    kinds = page.evaluate(
        "northpic.layers.shadow_fleet.data.shapes.features.map(f => f.properties.kind)")
    assert "track" not in kinds  # drawn once, on the track layer


@pytest.mark.parametrize(("change", "error", "match"), [
    ("no_marking", MarkingsError, "carry no classification"),
    ("point", DataFileError, r"record 2 \(id 'ais-track-.*'\) has a Point"),
    ("bad_time", DataFileError, "valid_from 'yesterday' is not an ISO 8601 time"),
])
def test_a_bad_tracks_file_is_refused_naming_the_record(tmp_path, change, error, match) -> None:
    frame = synthetic_tracks(3, 20)
    path = tmp_path / "tracks.geojson"
    write_geojson(frame, path, marking=MARKING)
    doc = json.loads(path.read_text())
    if change == "no_marking":
        for f in doc["features"]:
            del f["properties"]["classification"]
    elif change == "point":
        doc["features"][1]["geometry"] = {"type": "Point", "coordinates": [10, 70]}
    else:
        doc["features"][0]["properties"]["valid_from"] = "yesterday"
    path.write_text(json.dumps(doc))
    with pytest.raises(error, match=match):
        read_tracks(path)
    result = build(tmp_path / "map.html", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert re.search(match, result.stderr)


def test_an_unknown_tracks_format_is_refused(tmp_path) -> None:
    with pytest.raises(UnsupportedFormatError, match="tracks are read from"):
        read_tracks(tmp_path / "tracks.kml")
