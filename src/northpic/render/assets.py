"""Scripts and stylesheets inlined into the page, from installed packages.

Leaflet comes from the XStatic-Leaflet package (the same Leaflet 1.9.3
folium 0.20 links from a CDN); its CSS image references become data URIs.
The military symbols come from the npm package milsymbol, which the
Makefile installs (``npm ci``, pinned in ``package-lock.json``) into
``node_modules/`` at the repository root; set ``NORTHPIC_NODE_MODULES`` to
use another folder. northpic's own polar CRS and page logic live next to
this module. Nothing here is fetched from the network.
"""

from __future__ import annotations

import base64
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from northpic.errors import AssetMissingError

#: Environment variable naming the ``node_modules`` folder to take milsymbol from.
NODE_MODULES_ENV = "NORTHPIC_NODE_MODULES"
#: The built, browser-ready milsymbol inside ``node_modules``.
MILSYMBOL_FILE = Path("milsymbol") / "dist" / "milsymbol.js"

_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")


def _leaflet_dir() -> Path:
    from xstatic.pkg import leaflet

    return Path(leaflet.BASE_DIR)


def node_modules_dir() -> Path:
    """Return the ``node_modules`` folder the page's npm libraries are read from.

    ``$NORTHPIC_NODE_MODULES`` when set, else ``node_modules`` at the root of
    the source checkout (where ``make`` and ``npm ci`` put it).
    """
    folder = os.environ.get(NODE_MODULES_ENV)
    if folder:
        return Path(folder)
    return Path(__file__).resolve().parents[3] / "node_modules"


def milsymbol_path() -> Path:
    """Return the built milsymbol file to inline.

    Raises
    ------
    AssetMissingError
        If it is not installed: the message says to run ``make`` or ``npm ci``.
    """
    path = node_modules_dir() / MILSYMBOL_FILE
    if not path.is_file():
        raise AssetMissingError(
            f"{path} is missing: the map's military symbols come from the npm package "
            "milsymbol; run `make` (or `npm ci` in the repository root) to install it"
        )
    return path


def _static(name: str) -> str:
    return (resources.files("northpic.render") / "static" / name).read_text(encoding="utf-8")


def _data_uri(path: Path) -> str:
    mime = "image/svg+xml" if path.suffix == ".svg" else f"image/{path.suffix.lstrip('.')}"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _script(code: str) -> str:
    # a literal "</script" inside inlined code would end the element early
    return "<script>" + _SOURCE_MAP.sub("", code).replace("</script", "<\\/script") + "</script>"


def _style(css: str) -> str:
    return "<style>" + css.replace("</style", "<\\/style") + "</style>"


#: The page's modules beside northpic.js, inlined after it in this order.
PAGE_MODULES = ("symbols.js", "labels.js", "rings.js", "timecontrol.js", "panels.js")


@lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Leaflet's stylesheet with every image reference inlined as a data URI."""
    folder = _leaflet_dir()
    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    return _CSS_URL.sub(lambda m: f'url("{_data_uri(folder / m.group(2))}")', css)


@lru_cache(maxsize=1)
def head_html() -> str:
    """All the ``<style>`` and ``<script>`` elements the page needs, inlined."""
    leaflet_js = (_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")
    milsymbol_js = milsymbol_path().read_text(encoding="utf-8")
    return "\n".join(
        [
            _style(leaflet_css()),
            _style(_static("northpic.css")),
            _script(leaflet_js),
            _script(milsymbol_js),
            _script(_static("polar_crs.js")),
            _script(_static("northpic.js")),
            *(_script(_static(name)) for name in PAGE_MODULES),
        ]
    )
