"""The live map: the picture page plus a change feed that keeps its events current.

:func:`live_features` turns the events a client may see into GeoJSON
Features keyed by id (what the feed sends), :func:`snapshot_version` names
such a set without telling anything else (a digest of what the client may
see, not a count of the store's writes), and :func:`live_page` adds the
feed's script (``static/live.js``) to a page of
:func:`northpic.build.picture_page`. Nothing here reads files or the network.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import shapely.geometry

from northpic.markings import MarkingTable, ProductMarking
from northpic.render.assets import inline_style, static_script
from northpic.render.map import BANNER_COLOUR
from northpic.render.payload import MARKING_COLUMN, js_json, json_value

#: The style of the feed's panel on the page.
_LIVE_CSS = """
.np-live { background: rgba(255,255,255,0.92); padding: 4px 8px; max-width: 320px;
  max-height: 160px; overflow-y: auto; font: 12px/1.35 sans-serif; margin-bottom: 32px; }
.np-live ul { margin: 2px 0 0 0; padding-left: 16px; }
#np-live-status[data-state="retrying"] { color: #b00020; }
"""


def live_features(frame: pd.DataFrame, table: MarkingTable) -> dict[str, dict[str, Any]]:
    """Return the events of ``frame`` as GeoJSON Features, by id.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Events already kept to the client's audience (as
        :func:`northpic.markings.for_audience` does), in EPSG:4326.
    table : MarkingTable
        For each record's marking text (``marking``, as popups show it).

    Returns
    -------
    dict of str to dict
        Id to Feature; a record's properties hold only the fields it has.
    """
    features: dict[str, dict[str, Any]] = {}
    columns = [c for c in frame.columns if c != frame.geometry.name]
    for row, geometry in zip(frame[columns].itertuples(index=False, name=None),
                             frame.geometry, strict=True):
        props = {c: json_value(v) for c, v in zip(columns, row, strict=True)}
        props = {c: v for c, v in props.items() if v is not None and v != ""}
        props[MARKING_COLUMN] = table.banner(str(props.get("classification", "")),
                                             str(props.get("releasability", "")))
        features[str(props["id"])] = {
            "type": "Feature", "id": str(props["id"]), "properties": props,
            "geometry": None if geometry is None else shapely.geometry.mapping(geometry)}
    return features


def snapshot_version(features: Mapping[str, Mapping[str, Any]], marking: str = "") -> str:
    """Name a set of features (and the page marking) by a digest of its content.

    Two clients of different audiences get different versions exactly when
    they may see different things; the version says nothing of the rest.
    """
    digest = hashlib.sha256(marking.encode("utf-8"))
    for key in sorted(features):
        digest.update(json.dumps(features[key], sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()[:32]


def marking_message(marking: ProductMarking) -> dict[str, str]:
    """Return what the page's banners need to show ``marking``."""
    return {"banner": marking.banner, "releasability": marking.releasability,
            "colour": marking.level.colour or BANNER_COLOUR}


def live_page(page: str, feed: str, version: str) -> str:
    """Add the change feed's script to a picture page.

    Parameters
    ----------
    page : str
        A page of :func:`northpic.build.picture_page`.
    feed : str
        The address of the Server-Sent Events feed (same origin).
    version : str
        The :func:`snapshot_version` of the events the page holds.

    Returns
    -------
    str
        The page, whose script follows the feed once the map is drawn.
    """
    settings = js_json({"feed": feed, "version": version})
    addition = (inline_style(_LIVE_CSS) + f"<script>window.northpicLive = {settings};</script>"
                + static_script("live.js"))
    at = page.rfind("</html>")  # after the map's own script, which follows </body>
    if at < 0:
        return page + addition
    return page[:at] + addition + page[at:]


__all__ = ["live_features", "live_page", "marking_message", "snapshot_version"]
