"""Render a built map to PNG in headless Chromium (through Playwright)."""

from __future__ import annotations

import os
import shutil
import struct
import zlib

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


def mark_png(data: bytes, software: str = "northpic") -> bytes:
    """Return PNG bytes with a ``Software`` text chunk after the header (the build's mark).

    Examples
    --------
    >>> png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55")
    >>> b"tEXtSoftware\\x00northpic" in mark_png(png)
    True
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return data
    end = 8 + 8 + struct.unpack(">I", data[8:12])[0] + 4  # the IHDR chunk
    body = b"tEXt" + b"Software\x00" + software.encode("latin-1")
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    return data[:end] + chunk + data[end:]


def screenshot_png(html: str, width: int = 1600, height: int = 1000) -> bytes:
    """Load a map page in headless Chromium and return its screenshot as marked PNG bytes.

    Parameters
    ----------
    html : str
        A whole map page, as :func:`northpic.build.build_map` renders it
        (every asset inline, so it needs no file and no network).
    width, height : int
        Viewport size in CSS pixels.

    Returns
    -------
    bytes
        The PNG, with northpic's ``Software`` text chunk (:func:`mark_png`).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_content(html, wait_until="load", timeout=60_000)
            page.wait_for_function("window.northpicReady === true", timeout=60_000)
            page.wait_for_timeout(300)
            data = page.screenshot()
        finally:
            browser.close()
    return mark_png(data)
