"""Turn layer frames into the compact JSON the page script draws.

Points travel as columns (one array per attribute), which keeps 100,000
features to a few megabytes; lines and polygons travel as GeoJSON. Text
stays text: the page puts it in the DOM with ``textContent``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import shapely

from northpic.catalogue import CAVEATS, LayerSpec
from northpic.markings import MarkingTable
from northpic.schema import COMMON_COLUMNS, MARKING_COLUMNS, TIME_PRECISION_COLUMNS

#: Decimal places kept for coordinates in the page (5 = about 1 m); layers of
#: more than BIG_LAYER points keep one fewer (about 10 m).
COORD_DECIMALS = 5
BIG_LAYER = 10_000
_HIDDEN = {"geometry", "layer", "domain"}
#: The payload column holding each record's marking as banners write it.
MARKING_COLUMN = "marking"


def js_json(value: Any) -> str:
    """Serialise ``value`` as compact JSON that is safe inside a ``<script>`` element.

    ``<``, ``>``, ``&``, ``'`` and the JavaScript line separators are written
    as ``\\u`` escapes, so no string in the data can close the script element
    or start markup.
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("'", "\\u0027"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value if isinstance(value, str | int | bool) else str(value)


def _column_values(frame: pd.DataFrame, column: str) -> list[Any]:
    series = frame[column]
    if column in TIME_PRECISION_COLUMNS:
        private = TIME_PRECISION_COLUMNS[column]
        given = frame[private] if private in frame.columns else pd.Series(None, index=frame.index)
        return [None if pd.isna(v) else _iso(v, p) for v, p in zip(series, given, strict=True)]
    return [_plain(v) for v in series.astype(object)]


_PRECISION_FORMATS = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}


def _iso(ts: pd.Timestamp, precision: Any = None) -> str:
    """Format a time as ISO 8601 at the precision it was given (``1947``, ``2026-01``).

    Without a known precision, a day start or last second (a valid_to date)
    is written as the date.
    """
    if not isinstance(precision, str):
        precision = None
    elif precision in _PRECISION_FORMATS:
        return ts.strftime(_PRECISION_FORMATS[precision])
    day_start = ts.hour == ts.minute == ts.second == 0
    day_end = ts.hour == 23 and ts.minute == ts.second == 59
    if (day_start or day_end) and ts.microsecond == 0 and precision is None:
        return ts.strftime("%Y-%m-%d")
    return ts.isoformat().replace("+00:00", "Z")


def _millis(series: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v.value // 1_000_000) for v in series]


def _encoded(values: list[Any]) -> list[Any] | dict[str, list[Any]]:
    """Dictionary-encode a column whose values repeat (the page decodes it once)."""
    if len(values) < 64:
        return values
    levels: dict[Any, int] = {}
    codes = [levels.setdefault(v, len(levels)) for v in values]
    if len(levels) > len(values) // 4:
        return values
    return {"levels": list(levels), "codes": codes}


def display_columns(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Split a frame's columns into (all shown in popups, the layer's own attributes).

    The marking fields (and the ``marking`` text :func:`layer_data` adds) are
    shown apart from the layer's own attributes, at the top of each popup.
    """
    marks = [*MARKING_COLUMNS, MARKING_COLUMN]
    own = [
        c
        for c in frame.columns
        if c not in COMMON_COLUMNS and c not in _HIDDEN and c not in marks
        and not str(c).startswith("_")
    ]
    shown = ([c for c in COMMON_COLUMNS if c not in _HIDDEN]
             + [c for c in marks if c in frame.columns] + own)
    return shown, own


def page_style(style: dict[str, Any], frame: pd.DataFrame) -> dict[str, Any]:
    """Return a layer's style for the page: its per-record label rules only for records it holds.

    The catalogue's ``labels.records`` name records by id; a page leaves out
    the rules of records it does not carry (not yet valid, or withheld from
    its audience), so that nothing of them reaches it.
    """
    labels = style.get("labels")
    if not isinstance(labels, dict) or not isinstance(labels.get("records"), dict):
        return style
    ids = set(frame["id"].astype(str)) if "id" in frame.columns else set()
    records = {rid: rule for rid, rule in labels["records"].items() if rid in ids}
    return {**style, "labels": {**labels, "records": records}}


def layer_info(spec: LayerSpec, frame: pd.DataFrame) -> dict[str, Any]:
    """Describe a layer for the page: title, domain, style and caveats."""
    short, long = CAVEATS.get(spec.nature, (None, None))
    _, own = display_columns(frame)
    return {
        "name": spec.name,
        "title": spec.title,
        "domain": spec.domain,
        "geometry": spec.geometry,
        "nature": spec.nature,
        "style": page_style(spec.style, frame),
        "caveat": long,
        "caveat_short": short,
        "attributes": own,
        "show": spec.style.get("show", True),
    }


def record_markings(frame: pd.DataFrame, table: MarkingTable) -> list[str]:
    """Each record's marking as banners write it (``"UNCLASSIFIED // PUBLIC RELEASE"``)."""
    pairs = list(zip(frame["classification"].astype(str), frame["releasability"].astype(str),
                     strict=True))
    banners = {pair: table.banner(*pair) for pair in set(pairs)}
    return [banners[pair] for pair in pairs]


def layer_data(frame: pd.DataFrame, table: MarkingTable | None = None) -> dict[str, Any]:
    """Split a layer frame into columnar points and GeoJSON shapes.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A validated layer frame in EPSG:4326.
    table : MarkingTable, optional
        The markings table: with it, every record of a frame with marking
        fields also gets its ``marking`` text (for the popups).

    Returns
    -------
    dict
        ``{"points": {...columns...}, "shapes": FeatureCollection}``.
    """
    if table is not None and all(c in frame.columns for c in MARKING_COLUMNS):
        frame = frame.assign(**{MARKING_COLUMN: record_markings(frame, table)})
    shown, _ = display_columns(frame)
    is_point = (frame.geom_type == "Point").to_numpy()
    points = frame[is_point]
    xy = shapely.get_coordinates(points.geometry.values) if len(points) else np.empty((0, 2))
    decimals = COORD_DECIMALS if len(points) <= BIG_LAYER else COORD_DECIMALS - 1
    xy = np.round(xy, decimals)
    point_data = {
        "lon": xy[:, 0].tolist(),
        "lat": xy[:, 1].tolist(),
        "t0": _millis(points["valid_from"]),
        "t1": _millis(points["valid_to"]),
        "columns": shown,
        "values": {c: _encoded(_column_values(points, c)) for c in shown},
    }
    shapes = frame[~is_point]
    features = []
    if len(shapes):
        values = {c: _column_values(shapes, c) for c in shown}
        t0, t1 = _millis(shapes["valid_from"]), _millis(shapes["valid_to"])
        for i, geom in enumerate(
            shapely.set_precision(shapes.geometry.values, 10**-COORD_DECIMALS)
        ):
            props = {c: values[c][i] for c in shown}
            props["_t0"], props["_t1"] = t0[i], t1[i]
            features.append(
                {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
            )
    return {"points": point_data, "shapes": {"type": "FeatureCollection", "features": features}}


def json_value(value: Any) -> Any:
    """Return a frame's cell as a JSON value (times as ISO 8601, NaN and NaT as None)."""
    return _plain(value)
