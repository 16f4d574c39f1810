"""Third-party page scripts from the npm registry, inlined into the page at build time.

``make js`` installs them into ``node_modules/`` at the repository root (git
ignores it; nothing of them is committed) and bundles the ES-module-only
``geographiclib-mgrs`` into one script with rollup. The build reads them from
there: ``$NORTHPIC_NODE_MODULES`` if set, else the first ``node_modules`` above
this module or the working folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from northpic.errors import BadInputError

#: Each page script: where it lies under ``node_modules`` and which npm package gives it.
NPM_SCRIPTS: dict[str, tuple[str, str]] = {
    # GeographicLib's geodesics (Karney 2013) on WGS84: distances, bearings, the scale bar
    "geodesic": ("geographiclib-geodesic/geographiclib-geodesic.min.js", "geographiclib-geodesic"),
    # MGRS in UTM and UPS zones, a port of GeographicLib's MGRS; bundled by `make js`
    "mgrs": (".northpic/geographiclib-mgrs.js", "geographiclib-mgrs"),
}


def node_modules() -> Path:
    """Find the ``node_modules`` folder that ``make js`` filled.

    Raises
    ------
    BadInputError
        If there is none: the message says to run ``make js``.
    """
    env = os.environ.get("NORTHPIC_NODE_MODULES")
    candidates = [Path(env)] if env else [
        folder / "node_modules"
        for start in (Path(__file__).resolve(), Path.cwd().resolve())
        for folder in start.parents
    ]
    for folder in candidates:
        if (folder / NPM_SCRIPTS["mgrs"][0]).is_file():
            return folder
    raise BadInputError(
        "the map page needs its npm scripts (geographiclib-geodesic, geographiclib-mgrs): "
        "run `make js` in the northpic repository, or set NORTHPIC_NODE_MODULES to a "
        "node_modules folder that holds them"
    )


def npm_script(name: str) -> str:
    """Return the source of one page script of :data:`NPM_SCRIPTS` (``"geodesic"``, ``"mgrs"``)."""
    path, package = NPM_SCRIPTS[name]
    try:
        return (node_modules() / path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise BadInputError(f"{package} is missing from node_modules: run `make js`") from exc
