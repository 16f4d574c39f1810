"""The slide layout: one extent of the map as a PNG or one-page PDF, for a briefing.

A slide shows the page's marking banners top and bottom, a title block with
the date-time group, the map fitted to an extent (a named region of
``regions.json`` or latitude/longitude bounds, which may cross the
antimeridian), a legend of only the kinds shown, the north arrow, the scale
and a line of the sources of what is shown, and no interactive control. The
page lays itself out (``static/slide.js``); this module parses the options and
drives headless Chromium.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from northpic.errors import BadInputError

#: The slide size when none is given (a 16:9 slide), in CSS pixels.
DEFAULT_SIZE = (1920, 1080)
#: The named region a slide shows when no extent is given.
DEFAULT_EXTENT = "arctic"
_SIZE = re.compile(r"^\s*(\d{2,5})\s*[xX\u00d7]\s*(\d{2,5})\s*$")
DEG_N, DEG_S, DEG_E, DEG_W = "\u00b0 N", "\u00b0 S", "\u00b0 E", "\u00b0 W"
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True)
class Extent:
    """What a slide shows: latitude/longitude bounds, named.

    ``west > east`` means the extent crosses the antimeridian (Bering).
    """

    name: str  # the region's key, or a slug of the bounds; it names the slide's file
    label: str
    south: float
    west: float
    north: float
    east: float

    def as_dict(self) -> dict[str, Any]:
        """Return the extent as the page's ``northpic.slide`` takes it."""
        return {"name": self.name, "label": self.label, "south": self.south,
                "west": self.west, "north": self.north, "east": self.east}


def _checked(name: str, label: str, bounds: Sequence[float]) -> Extent:
    south, west, north, east = (float(b) for b in bounds)
    if not all(math.isfinite(b) for b in (south, west, north, east)):
        raise BadInputError(f"extent {label!r}: bounds must be numbers")
    if not -90 <= south < north <= 90:
        raise BadInputError(f"extent {label!r}: need -90 <= south < north <= 90 "
                            f"(got south {south:g}, north {north:g})")
    if not (-180 <= west <= 180 and -180 <= east <= 180) or west == east:
        raise BadInputError(f"extent {label!r}: west and east must differ and lie in "
                            "[-180, 180] (west > east crosses the antimeridian)")
    return Extent(name, label, south, west, north, east)


@lru_cache(maxsize=1)
def regions() -> dict[str, Extent]:
    """Return the named regions a slide may show (``regions.json`` beside this module)."""
    text = (resources.files("northpic.render") / "regions.json").read_text(encoding="utf-8")
    return {key: _checked(key, entry["label"], entry["bounds"])
            for key, entry in json.loads(text)["regions"].items()}


def _slug(value: float, positive: str, negative: str) -> str:
    return f"{abs(value):g}{positive if value >= 0 else negative}"


def parse_extent(text: str) -> Extent:
    """Parse one extent: a region's name (any case) or bounds ``S,W,N,E`` in degrees.

    Examples
    --------
    >>> parse_extent("Kola").label
    'Kola Peninsula and approaches'
    >>> e = parse_extent("58,160,72,-150")
    >>> e.name, e.west > e.east
    ('58N160E-72N150W', True)
    """
    value = text.strip()
    parts = [p.strip() for p in value.split(",")]
    if len(parts) == 4:
        try:
            south, west, north, east = (float(p) for p in parts)
        except ValueError:
            pass
        else:
            name = (f"{_slug(south, 'N', 'S')}{_slug(west, 'E', 'W')}-"
                    f"{_slug(north, 'N', 'S')}{_slug(east, 'E', 'W')}")
            label = (f"{_slug(south, DEG_N, DEG_S)}, {_slug(west, DEG_E, DEG_W)} to "
                     f"{_slug(north, DEG_N, DEG_S)}, {_slug(east, DEG_E, DEG_W)}")
            return _checked(name, label, (south, west, north, east))
    known = regions()
    key = value.lower()
    if key not in known:
        raise BadInputError(f"unknown extent {value!r}: use one of {', '.join(known)} "
                            "or bounds S,W,N,E in degrees (e.g. 66,28,71.5,42)")
    return known[key]


def parse_extents(values: Iterable[str]) -> list[Extent]:
    """Parse each ``--extent`` value: bounds ``S,W,N,E``, or one or more names, comma-separated.

    Examples
    --------
    >>> [e.name for e in parse_extents(["kola,svalbard", "bering"])]
    ['kola', 'svalbard', 'bering']
    """
    out: list[Extent] = []
    for value in values:
        try:
            out.append(parse_extent(value))
        except BadInputError:
            names = [n for n in (p.strip() for p in value.split(",")) if n]
            if len(names) < 2:
                raise
            out.extend(parse_extent(n) for n in names)
    names = [e.name for e in out]
    if len(set(names)) != len(names):
        raise BadInputError(f"an extent is given twice: {', '.join(names)}")
    return out


def parse_size(text: str | tuple[int, int]) -> tuple[int, int]:
    """Parse a slide size ``WIDTHxHEIGHT`` in pixels (each 200 to 8000).

    Examples
    --------
    >>> parse_size("1920x1080")
    (1920, 1080)
    """
    if isinstance(text, tuple):
        width, height = text
    else:
        match = _SIZE.match(text)
        if not match:
            raise BadInputError(f"size {text!r}: give WIDTHxHEIGHT in pixels, e.g. 1920x1080")
        width, height = int(match.group(1)), int(match.group(2))
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        raise BadInputError(f"size {width}x{height}: each side must be 200 to 8000 pixels")
    return width, height


def format_dtg(moment: pd.Timestamp) -> str:
    """Format a moment as a military date-time group in UTC (``DDHHMMZMONYY``).

    Examples
    --------
    >>> format_dtg(pd.Timestamp("2026-12-04T12:30:59Z"))
    '041230ZDEC26'
    """
    utc = moment.tz_convert("UTC") if moment.tzinfo is not None else moment
    return f"{utc:%d%H%M}Z{_MONTHS[utc.month - 1]}{utc:%y}"


_DTG = re.compile(r"^(\d{2})(\d{2})(\d{2})Z(" + "|".join(_MONTHS) + r")(\d{2})$")


def parse_dtg(text: str) -> str:
    """Take a date-time group as given (``DDHHMMZMONYY``), or an ISO 8601 time to write as one.

    Examples
    --------
    >>> parse_dtg("041230zdec26"), parse_dtg("2026-02-02T08:15Z")
    ('041230ZDEC26', '020815ZFEB26')
    """
    value = text.strip().upper()
    match = _DTG.match(value)
    if match:
        day, hour, minute = (int(g) for g in match.groups()[:3])
        if 1 <= day <= 31 and hour <= 23 and minute <= 59:
            return value
        raise BadInputError(f"date-time group {text!r}: day, hour or minute out of range")
    from northpic.times import parse_time

    moment = parse_time(text, option="--dtg")
    if moment is None:
        raise BadInputError("--dtg needs a date-time group (041230ZDEC26) or an ISO 8601 time")
    return format_dtg(moment)


def slide_paths(out: str | Path, extents: Sequence[Extent]) -> list[Path]:
    """Name each extent's slide file: ``out`` itself for one, ``STEM_NAME.SUFFIX`` for several.

    Examples
    --------
    >>> [p.name for p in slide_paths("brief.png", parse_extents(["kola,svalbard"]))]
    ['brief_kola.png', 'brief_svalbard.png']
    """
    path = Path(out)
    if len(extents) <= 1:
        return [path]
    return [path.with_name(f"{path.stem}_{e.name}{path.suffix}") for e in extents]


def render_slides(
    html: str,
    extents: Sequence[Extent],
    *,
    formats: Sequence[str] = ("png",),
    size: tuple[int, int] = DEFAULT_SIZE,
    title: str,
    dtg: str,
) -> Iterator[tuple[Extent, str, bytes]]:
    """Lay out each extent of a map page as a slide in headless Chromium.

    Parameters
    ----------
    html : str
        A whole map page (:func:`northpic.build.build_map` renders it).
    extents : sequence of Extent
        One slide each.
    formats : sequence of {"png", "pdf"}
        What to make of each slide: a screenshot, Chromium's print to a
        one-page PDF, or both.
    size : (int, int)
        Slide width and height in CSS pixels.
    title, dtg : str
        The title block's title and date-time group.

    Yields
    ------
    (Extent, str, bytes)
        Each slide's extent, format and bytes (a PNG with northpic's mark).

    Raises
    ------
    RuntimeError
        If the page left an interactive control on show (a bug, not bad input).
    """
    from playwright.sync_api import sync_playwright

    from northpic.render.png import CHROMIUM_ARGS, chromium_path, mark_png

    width, height = size
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for extent in extents:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.set_content(html, wait_until="load", timeout=60_000)
                page.wait_for_function("window.northpicReady === true", timeout=60_000)
                report = page.evaluate(
                    "opts => northpic.slide(opts)",
                    {"extent": extent.as_dict(), "title": title, "dtg": dtg},
                )
                page.wait_for_function("() => !northpic._labelFrame", timeout=60_000)
                if report["visible_controls"]:
                    raise RuntimeError(f"the slide shows controls: {report['visible_controls']}")
                for kind in formats:
                    if kind == "png":
                        yield extent, kind, mark_png(page.screenshot())
                    else:
                        yield extent, kind, page.pdf(
                            width=f"{width}px", height=f"{height}px", print_background=True,
                            margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
                        )
                page.close()
        finally:
            browser.close()
