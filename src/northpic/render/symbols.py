"""What the page needs to draw standard symbols: each record's affiliation, and the perspective.

The symbol codes themselves travel in each layer's style (the catalogue's
``style.kinds[kind].sidc``); the page's ``symbols.js`` sets each code's
standard identity from the record's ``affiliation``, which this module adds
to the frames of layers drawn as standard symbols
(:func:`northpic.symbology.has_symbol_codes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd

from northpic.catalogue import LayerSpec
from northpic.symbology import Perspective, has_symbol_codes, record_affiliations

#: The column, shown in popups, that holds each symbolised record's affiliation.
AFFILIATION_COLUMN = "affiliation"


def with_affiliations(
    frames: Mapping[str, gpd.GeoDataFrame], specs: Mapping[str, LayerSpec],
    perspective: Perspective,
) -> dict[str, gpd.GeoDataFrame]:
    """Add each record's ``affiliation`` under ``perspective`` to the layers drawn as symbols.

    Other layers are passed through untouched; the input frames are not changed.
    """
    out: dict[str, gpd.GeoDataFrame] = {}
    for name, frame in frames.items():
        if has_symbol_codes(specs[name].style):
            frame = frame.assign(
                **{AFFILIATION_COLUMN: record_affiliations(frame, name, perspective)})
        out[name] = frame
    return out


def perspective_info(perspective: Perspective) -> dict[str, Any]:
    """Describe the perspective for the page's legend."""
    return {"name": perspective.name, "title": perspective.title, "about": perspective.about}
