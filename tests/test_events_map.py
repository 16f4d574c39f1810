"""Events on the built map, in a real headless Chromium: time filter and hostile text."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders.events import HOSTILE, event, feature
from northpic.cli import main
from northpic.events import add_events

pytestmark = pytest.mark.browser

IMG, SCRIPT = HOSTILE
AREA = {"type": "Polygon", "coordinates": [[[30, 70], [40, 70], [40, 72], [30, 72], [30, 70]]]}


@pytest.fixture(scope="module")
def event_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("events_map")
    store = folder / "events.gpkg"
    add_events([
        feature(event(1, id=IMG, name=IMG, kind=SCRIPT, source=IMG, notes=SCRIPT, remark=SCRIPT,
                      domain="military", lat=78.2, lon=15.6, time="2026-01-15T10:00:00+01:00")),
        feature(event(2, id="area", name=SCRIPT, kind=IMG, source=SCRIPT, notes=IMG,
                      domain="military", geometry=AREA, time="2026-01-10T00:00:00Z",
                      valid_to="2026-02-01T00:00:00Z")),
        feature(event(3, id="later", domain="military", time="2026-04-01T00:00:00Z")),
    ], store)
    out = folder / "map.html"
    code = main(["build", "--out", str(out), "--layers", "bases", "--events", str(store),
                 "--at", "2026-03-01"])
    assert code == 0
    return out


def _set_day(page, day: str) -> None:
    page.evaluate("day => northpic.setTime(Date.parse(day))", day)


def _click(page, lat: float, lon: float) -> None:
    x, y = page.evaluate(
        """([lat, lon]) => { const m = northpic.layers.events_military.map;
             m.setView([lat, lon], 6, {animate: false});
             const c = m.latLngToContainerPoint([lat, lon]); return [c.x, c.y]; }""", [lat, lon])
    page.wait_for_timeout(150)
    page.mouse.click(x, y)


def test_events_layer_follows_the_time_filter(event_map: Path, open_map) -> None:
    loaded = open_map(event_map)
    page = loaded.page
    assert "events_military" in page.evaluate("northpic.order")
    info = page.evaluate("northpic.layers.events_military.info")
    assert info["title"] == "Reported events (military)" and info["style"]["symbol"] == "triangle"
    # the event of April lies after the picture's date: not on the map at all
    assert page.evaluate("northpic.layers.events_military.data.points.lon.length") == 1
    assert page.evaluate("northpic.visibleCount('events_military')") == 1  # the area expired
    _set_day(page, "2026-01-20")
    assert page.evaluate("northpic.visibleCount('events_military')") == 2
    _set_day(page, "2026-01-12")  # the point is not reported yet
    assert page.evaluate("northpic.visibleCount('events_military')") == 1
    _set_day(page, "2026-01-05")
    assert page.evaluate("northpic.visibleCount('events_military')") == 0
    assert loaded.errors == [] and loaded.requests == []


def test_hostile_text_in_every_field_runs_nothing(event_map: Path, open_map) -> None:
    loaded = open_map(event_map)
    page = loaded.page
    _click(page, 78.2, 15.6)
    popup = page.locator(".np-popup")
    popup.wait_for(timeout=5000)
    text = popup.inner_text()
    # name, source and id / kind, notes and remark
    assert text.count(IMG) >= 3 and text.count(SCRIPT) >= 3, text
    assert popup.locator("img, script").count() == 0

    page.evaluate("() => { northpic.layers.events_military.map.closePopup(); }")
    # Leaflet fades a closed popup out and keeps its node for 200 ms
    page.wait_for_function("document.querySelectorAll('.np-popup').length === 0")
    _set_day(page, "2026-01-20")
    _click(page, 71.0, 35.0)
    popup = page.locator(".np-popup")
    popup.wait_for(timeout=5000)
    text = popup.inner_text()
    assert SCRIPT in text and IMG in text and "Reported events (military)" in text
    page.wait_for_timeout(300)
    assert loaded.dialogs == [] and loaded.errors == []
    assert page.locator("img[src=x]").count() == 0
    injected = "Array.from(document.scripts).some(s => s.textContent.trim() === 'alert(1)')"
    assert page.evaluate(injected) is False
