"""Third-party page scripts from the npm registry, inlined into the page at build time.

``make js`` installs them (``npm ci``, pinned in ``package-lock.json``) into
``node_modules/`` at the repository root (git ignores it; nothing of them is
committed) and bundles the ES-module-only ``geographiclib-mgrs`` into one
script with rollup. The build reads them from there:
``$NORTHPIC_NODE_MODULES`` if set, else the first ``node_modules`` above this
module or the working folder that holds the script.
"""

from __future__ import annotations

import os
from pathlib import Path

from northpic.errors import AssetMissingError

#: Environment variable naming the ``node_modules`` folder to take the page scripts from.
NODE_MODULES_ENV = "NORTHPIC_NODE_MODULES"
#: Each page script: where it lies under ``node_modules`` and which npm package gives it.
NPM_SCRIPTS: dict[str, tuple[str, str]] = {
    # APP-6 / MIL-STD-2525 symbols (the military, security and shadow-fleet kinds)
    "milsymbol": ("milsymbol/dist/milsymbol.js", "milsymbol"),
    # GeographicLib's geodesics (Karney 2013) on WGS84: distances, bearings, the scale bar
    "geodesic": ("geographiclib-geodesic/geographiclib-geodesic.min.js", "geographiclib-geodesic"),
    # MGRS in UTM and UPS zones, a port of GeographicLib's MGRS; bundled by `make js`
    "mgrs": (".northpic/geographiclib-mgrs.js", "geographiclib-mgrs"),
}


def node_modules(name: str = "mgrs") -> Path:
    """Find the ``node_modules`` folder that ``make js`` filled with script ``name``.

    Raises
    ------
    AssetMissingError
        If there is none: the message says to run ``make js``.
    """
    path, package = NPM_SCRIPTS[name]
    env = os.environ.get(NODE_MODULES_ENV)
    candidates = [Path(env)] if env else [
        folder / "node_modules"
        for start in (Path(__file__).resolve(), Path.cwd().resolve())
        for folder in start.parents
    ]
    for folder in candidates:
        if (folder / path).is_file():
            return folder
    where = f"{NODE_MODULES_ENV}={env}" if env else "node_modules"
    raise AssetMissingError(
        f"the map page needs the npm package {package}, which is not in {where}: run "
        "`make js` (npm ci and the MGRS bundle) in the northpic repository, or set "
        f"{NODE_MODULES_ENV} to a node_modules folder that holds it"
    )


def npm_script(name: str) -> str:
    """Return the source of one page script of :data:`NPM_SCRIPTS` (``"milsymbol"``...).

    Raises
    ------
    AssetMissingError
        If it is not installed (see :func:`node_modules`).
    """
    return (node_modules(name) / NPM_SCRIPTS[name][0]).read_text(encoding="utf-8")
