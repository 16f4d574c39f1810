"""Scripts and stylesheets inlined into the page, from installed packages.

Leaflet comes from the XStatic-Leaflet package (the same Leaflet 1.9.3
folium 0.20 links from a CDN); its CSS image references become data URIs.
northpic's own polar CRS and page logic live next to this module; the
military symbols (milsymbol) and the geodesic and MGRS routines come from
npm packages the Makefile installs (:mod:`northpic.render.npm`). Nothing
here is fetched from the network.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from northpic.render.npm import npm_script

_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")


def _leaflet_dir() -> Path:
    from xstatic.pkg import leaflet

    return Path(leaflet.BASE_DIR)


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
PAGE_MODULES = ("symbols.js", "labels.js", "rings.js", "timecontrol.js", "panels.js",
                "measure.js", "slide.js")


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
    return "\n".join(
        [
            _style(leaflet_css()),
            _style(_static("northpic.css")),
            _style(_static("measure.css")),
            _style(_static("slide.css")),
            _script(leaflet_js),
            _script(npm_script("milsymbol")),
            _script(npm_script("geodesic")),
            _script(npm_script("mgrs")),
            _script(_static("polar_crs.js")),
            _script(_static("northpic.js")),
            *(_script(_static(name)) for name in PAGE_MODULES),
        ]
    )


def static_script(name: str) -> str:
    """Return one of northpic's page scripts (``static/NAME``) as an inlined ``<script>``."""
    return _script(_static(name))


def inline_style(css: str) -> str:
    """Return CSS as an inlined ``<style>`` element."""
    return _style(css)
