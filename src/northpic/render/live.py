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

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
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


def row_digests(frame: pd.DataFrame) -> dict[str, int]:
    """Return a 64-bit digest of each record's content (fields and geometry), by id.

    Vectorised: a store of thousands of events is digested in milliseconds, so
    a feed can tell which records changed without converting the others.
    """
    if frame.empty:
        return {}
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    plain = pd.DataFrame({c: frame[c].astype(str) if frame[c].dtype == object else frame[c]
                          for c in frame.columns if c != geometry})
    digests = pd.util.hash_pandas_object(plain, index=False).to_numpy()
    if geometry is not None:
        shapes = pd.Series(shapely.to_wkb(frame.geometry.values, hex=True), dtype=object)
        digests = digests ^ pd.util.hash_pandas_object(shapes, index=False).to_numpy()
    ids = frame["id"].astype(str).to_numpy()
    return dict(zip(ids.tolist(), np.asarray(digests, dtype=np.uint64).tolist(), strict=True))


def update_live_features(
    frame: pd.DataFrame, table: MarkingTable,
    previous: Mapping[str, dict[str, Any]] | None = None,
    previous_digests: Mapping[str, int] | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """Return :func:`live_features` of ``frame``, converting only records that changed.

    A record whose digest (:func:`row_digests`) equals the one it had in
    ``previous_digests`` keeps its Feature from ``previous``.

    Returns
    -------
    tuple of (dict, dict)
        The Features by id, in the frame's order, and their digests.
    """
    digests = row_digests(frame)
    old, old_digests = previous or {}, previous_digests or {}
    ids = list(digests)
    changed = np.array([old_digests.get(key) != digest or key not in old
                        for key, digest in digests.items()], dtype=bool)
    fresh = live_features(frame[changed], table) if changed.any() else {}
    features = {key: fresh[key] if key in fresh else old[key] for key in ids}
    return features, digests


def snapshot_version(digests: Mapping[str, int], marking: str = "") -> str:
    """Name a set of records (and the page marking) by a digest of their content.

    ``digests`` are the records' content digests (:func:`row_digests`). Two
    clients of different audiences get different versions exactly when they
    may see different things; the version says nothing of the rest.
    """
    digest = hashlib.sha256(marking.encode("utf-8"))
    for key in sorted(digests):
        digest.update(json.dumps([key, digests[key]]).encode("utf-8"))
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
