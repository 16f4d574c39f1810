"""Render a built map to PNG in headless Chromium (through Playwright)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from northpic.errors import BadInputError

#: Flags that keep Chromium off the network and quiet on a closed machine.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    """Find a Chromium executable: ``$NORTHPIC_CHROMIUM``, then ``chromium`` on PATH."""
    for candidate in (os.environ.get("NORTHPIC_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate:
            return candidate
    raise BadInputError(
        "no Chromium found: install it (Debian: apt-get install chromium) "
        "or set NORTHPIC_CHROMIUM to its path"
    )


def render_png(html: Path, png: Path, width: int = 1600, height: int = 1000) -> Path:
    """Open ``html`` in headless Chromium and save a screenshot to ``png``.

    Parameters
    ----------
    html : pathlib.Path
        A map written by :func:`northpic.build.build_map`.
    png : pathlib.Path
        Where to write the picture.
    width, height : int
        Viewport size in CSS pixels.

    Returns
    -------
    pathlib.Path
        ``png``.
    """
    from playwright.sync_api import sync_playwright

    png.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(Path(html).resolve().as_uri())
            page.wait_for_function("window.northpicReady === true", timeout=60_000)
            page.wait_for_timeout(300)
            page.screenshot(path=str(png))
        finally:
            browser.close()
    return png
