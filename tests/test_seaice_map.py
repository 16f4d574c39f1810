"""Sea ice in the picture: the median edge of the picture's month, and an observed day."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from builders import seaice as b
from northpic.build import build_map
from northpic.catalogue import get_layer_spec
from northpic.io.seaice.median import read_median_edge_polar
from northpic.picture import load_layer


def test_median_layer_is_ocean_with_edge_lines() -> None:
    march = load_layer("sea_ice", at="2026-03-15")
    assert sorted(march["kind"]) == ["median_edge", "median_extent"]
    assert set(march["month"]) == {3}
    assert (march["source"].str.contains("G02135")).all()
    assert get_layer_spec("sea_ice").nature == "climatology"
    extent = march[march["kind"] == "median_extent"].geometry.iloc[0]
    edge = march[march["kind"] == "median_edge"].geometry.iloc[0]
    assert extent.is_valid and extent.contains(shapely.Point(0, 89.9))
    greenland, svalbard_sea = shapely.Point(-40, 72), shapely.Point(-150, 80)
    outline = read_median_edge_polar(get_layer_spec("sea_ice").file)
    assert outline.geometry.iloc[2].contains(  # the raw outline covers Greenland ...
        shapely.Point(
            *__import__("northpic.crs", fromlist=["x"]).lonlat_to_polar(greenland).coords[0]
        )
    )
    assert not extent.contains(greenland)  # ... the layer does not
    assert extent.contains(svalbard_sea)
    assert edge.geom_type == "MultiLineString"
    lats = shapely.get_coordinates(edge)[:, 1]
    assert lats.max() < 85  # no seam along the pole
    assert 40 < lats.min()


@pytest.mark.browser
def test_default_map_shows_the_median_edge_of_its_month(tmp_path: Path, open_map) -> None:
    out = build_map(tmp_path / "m.html", layers=["sea_ice"], at="2026-09-10")
    loaded = open_map(out)
    page = loaded.page
    assert loaded.errors == [] and loaded.requests == []
    carried = page.evaluate("northpic.layers.sea_ice.data.shapes.features.map(f => f.properties)")
    assert {p["month"] for p in carried} == set(range(1, 13))  # the slider may pick any month
    props = page.evaluate("northpic.layers.sea_ice.shapes.getLayers().map(l => l.feature.properties)")
    assert {p["month"] for p in props} == {9}  # drawn: the picture's month
    assert sorted(p["kind"] for p in props) == ["median_edge", "median_extent"]
    styles = page.evaluate("""northpic.layers.sea_ice.shapes.getLayers().map(
        l => [l.feature.properties.kind, l.options.stroke !== false && l.options.weight > 0,
              l.options.fill !== false && l.options.fillOpacity > 0])""")
    assert sorted(map(tuple, styles)) == [
        ("median_edge", True, False),
        ("median_extent", False, True),
    ]
    assert page.evaluate("northpic.visibleCount('sea_ice')") == 2
    label = page.locator(".np-layer-toggle", has_text="climatology")
    assert label.count() == 1


@pytest.fixture(scope="module")
def day_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return b.write_g02202_v4(
        tmp_path_factory.mktemp("day") / "seaice_conc_daily_nh_20230915_f17_v04r00.nc"
    )


@pytest.mark.browser
@pytest.mark.parametrize("projection", ["polar", "mercator"])
def test_build_with_an_observed_day(
    tmp_path: Path, open_map, day_file: Path, projection: str
) -> None:
    out = build_map(
        tmp_path / "m.html",
        layers=["sea_ice"],
        at="2023-09-15",
        projection=projection,
        seaice_file=day_file,
    )
    loaded = open_map(out)
    page = loaded.page
    page.wait_for_function("window.northpicSeaiceReady === true", timeout=30_000)
    page.wait_for_function("document.querySelector('.np-seaice-image').complete")
    assert loaded.errors == [] and loaded.requests == []
    legend = page.locator(".np-seaice-legend").inner_text()
    assert "2023-09-15" in legend and "observed" in legend and "G02202" in legend
    img = page.evaluate("""(() => { const i = document.querySelector('.np-seaice-image');
        const r = i.getBoundingClientRect();
        return {w: i.naturalWidth, h: i.naturalHeight, left: r.left, top: r.top,
                width: r.width, height: r.height}; })()""")
    assert img["w"] > 100 and img["h"] > 100 and img["width"] > 50
    assert page.evaluate("northpic.seaice.edge.getLayers().length") == 1
    if projection == "polar":
        # the pole sits at x = 3850 km from the left edge of 7600, y = 5850 km from the top of 11200
        pole = page.evaluate("""(() => { const m = northpic.seaice.group._map;
            const p = m.latLngToContainerPoint([90, 0]);
            const r = m.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; })()""")
        assert pole[0] == pytest.approx(img["left"] + img["width"] * 3850 / 7600, abs=1.0)
        assert pole[1] == pytest.approx(img["top"] + img["height"] * 5850 / 11200, abs=1.0)
    page.locator("[data-layer='seaice-observed']").uncheck()
    assert page.evaluate("document.querySelectorAll('.np-seaice-image').length") == 0
