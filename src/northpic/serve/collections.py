"""The collections the service reads from, each cut to one audience and kept ready.

A collection is a catalogue layer (:func:`northpic.picture.load_layer`) or
``events``, the whole event store (:func:`northpic.store.read_events`).
:func:`collection_frame` returns it for one audience as a
:class:`CollectionFrame`: the records that audience may receive and nothing
else (:func:`northpic.picture.releasable_part`), prepared as every export
prepares them (:func:`northpic.export.prepare.prepare_layer`), with what
the routes need precomputed: each feature's properties as JSON, its
validity interval, its geometry in the polar CRS, the extents. Counting,
paging, boxes and filters all start from that frame, so no number and no
extent ever tells of a record the audience may not see.

Frames are cached by (collection, store version, audience): the store's
:func:`~northpic.store.last_change` changes with every write, so a write
is seen by the next request; shipped layers never change while serving.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.catalogue import CAVEATS, LayerSpec
from northpic.crs import POLAR_CRS, STORAGE_CRS, transformer
from northpic.errors import DataFileError, NorthpicError, StoreError
from northpic.markings import MarkingTable
from northpic.picture import list_layers, load_layer, releasable_part
from northpic.schema import COMMON_COLUMNS, EVENT_COLUMNS, MARKING_COLUMNS
from northpic.serve.query import ServedCrs

#: The collection that holds the event store.
EVENTS = "events"
#: Its catalogue-like entry (title, nature) for the collection metadata.
EVENTS_SPEC = LayerSpec(
    name=EVENTS, title="Reported events", domain="", file=Path(), geometry="any",
    nature="events",
    description="Events from the event store: added by the watch and by detection, each "
                "with its source, confidence, location precision and marking.",
)
_NS_MIN = np.iinfo(np.int64).min
_NS_MAX = np.iinfo(np.int64).max


class StoreUnavailableError(NorthpicError):
    """The event store exists but cannot be read now: answered with 503."""


def collection_specs() -> dict[str, LayerSpec]:
    """Return every collection's entry by name: the catalogue's layers, then ``events``."""
    specs = {spec.name: spec for spec in list_layers()}
    specs[EVENTS] = EVENTS_SPEC
    return specs


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict | list | str | int):
        return value
    return str(value)


def _nanoseconds(series: pd.Series, missing: int) -> np.ndarray:
    values = pd.to_datetime(series, utc=True)
    out = values.astype("datetime64[ns, UTC]").array.asi8.copy() if len(values) else \
        np.zeros(0, dtype=np.int64)
    out[values.isna().to_numpy()] = missing
    return out


def _lon_extent(geoms: np.ndarray) -> tuple[float, float]:
    """Return the tightest (west, east) range covering every part (west > east across 180)."""
    parts = shapely.get_parts(geoms)
    parts = parts[~shapely.is_empty(parts)]
    if not len(parts):
        return (-180.0, 180.0)
    bounds = shapely.bounds(parts)
    intervals = sorted(zip(bounds[:, 0], bounds[:, 2], strict=True))
    merged: list[list[float]] = []
    for west, east in intervals:
        if merged and west <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], east)
        else:
            merged.append([west, east])
    if merged[0][0] <= -180 + 1e-9 and merged[-1][1] >= 180 - 1e-9 and len(merged) == 1:
        return (-180.0, 180.0)
    # the largest gap between covered ranges, the one across 180 degrees included
    best_gap = (merged[0][0] + 180) + (180 - merged[-1][1])
    west, east = merged[0][0], merged[-1][1]
    for left, right in zip(merged, merged[1:], strict=False):
        gap = right[0] - left[1]
        if gap > best_gap:
            best_gap, west, east = gap, right[0], left[1]
    if west <= -180 + 1e-9 and east >= 180 - 1e-9:
        return (-180.0, 180.0)
    return (float(west), float(east))


@dataclass
class CollectionFrame:
    """One collection as one audience may see it, with what the routes need ready.

    Attributes
    ----------
    name : str
        The collection id.
    spec : LayerSpec
        Its catalogue entry (title, description, nature).
    frame : geopandas.GeoDataFrame
        The releasable records, prepared for export, index 0..n-1, in EPSG:4326.
    instants : bool
        Whether a record without ``valid_to`` is an instant (events) rather
        than valid from ``valid_from`` on (layers).
    """

    name: str
    spec: LayerSpec
    frame: gpd.GeoDataFrame
    instants: bool
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _geometry_json: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.frame)

    @cached_property
    def ids(self) -> np.ndarray:
        """Each feature's id, as text."""
        return self.frame["id"].astype(str).to_numpy()

    @cached_property
    def positions(self) -> dict[str, int]:
        """Row of each feature id (the first, should an id repeat)."""
        out: dict[str, int] = {}
        for pos, fid in enumerate(self.ids):
            out.setdefault(str(fid), pos)
        return out

    @cached_property
    def property_columns(self) -> list[str]:
        """The columns served as properties (all but the geometry)."""
        geometry = self.frame.geometry.name
        return [c for c in self.frame.columns if c != geometry]

    @cached_property
    def properties_json(self) -> list[str]:
        """Each feature's properties as a JSON object text."""
        columns = self.property_columns
        rows = self.frame[columns].astype(object).itertuples(index=False, name=None)
        return [json.dumps(dict(zip(columns, map(_json_value, row), strict=True)),
                           ensure_ascii=False, separators=(",", ":"))
                for row in rows]

    @cached_property
    def geometries(self) -> np.ndarray:
        """The geometries in EPSG:4326 (RFC 7946: cut at 180 degrees)."""
        return self.frame.geometry.to_numpy()

    @cached_property
    def polar_geometries(self) -> np.ndarray:
        """The geometries in EPSG:3413, vertex by vertex."""
        forward = transformer(STORAGE_CRS, POLAR_CRS)

        def project(xy: np.ndarray) -> np.ndarray:
            x, y = forward.transform(xy[:, 0], np.clip(xy[:, 1], -90, 90))
            return np.column_stack([x, y])

        return np.asarray(shapely.transform(self.geometries, project), dtype=object)

    @cached_property
    def tree(self) -> shapely.STRtree:
        """A spatial index over the EPSG:4326 geometries."""
        return shapely.STRtree(self.geometries)

    @cached_property
    def polar_tree(self) -> shapely.STRtree:
        """A spatial index over the EPSG:3413 geometries."""
        return shapely.STRtree(self.polar_geometries)

    @cached_property
    def starts(self) -> np.ndarray:
        """Start of each record's validity, ns since 1970 (no start: the earliest)."""
        if "valid_from" not in self.frame.columns:
            return np.full(len(self.frame), _NS_MIN, dtype=np.int64)
        return _nanoseconds(self.frame["valid_from"], _NS_MIN)

    @cached_property
    def ends(self) -> np.ndarray:
        """End of each record's validity, ns (none: the start for an instant, else the latest)."""
        if "valid_to" not in self.frame.columns:
            return np.full(len(self.frame), _NS_MAX, dtype=np.int64)
        ends = _nanoseconds(self.frame["valid_to"], _NS_MAX)
        if self.instants:
            open_end = ends == _NS_MAX
            ends[open_end] = self.starts[open_end]
        return ends

    def geometry_json(self, crs: ServedCrs) -> list[str]:
        """Each feature's geometry as GeoJSON text in ``crs``'s axis order."""
        with self._lock:
            cached = self._geometry_json.get(crs.uri)
        if cached is not None:
            return cached
        if not crs.geographic:
            geoms = self.polar_geometries
        elif crs.lat_first:
            geoms = shapely.transform(self.geometries, lambda xy: xy[:, ::-1])
        else:
            geoms = self.geometries
        texts = ["null" if g is None else str(t)
                 for g, t in zip(geoms, shapely.to_geojson(geoms), strict=True)]
        with self._lock:
            self._geometry_json[crs.uri] = texts
        return texts

    def feature_json(self, pos: int, crs: ServedCrs) -> str:
        """One feature as GeoJSON text."""
        return ('{"type":"Feature","id":' + json.dumps(str(self.ids[pos]), ensure_ascii=False)
                + ',"geometry":' + self.geometry_json(crs)[pos]
                + ',"properties":' + self.properties_json[pos] + "}")

    @cached_property
    def spatial_extent(self) -> list[float] | None:
        """[west, south, east, north] of what the audience sees (west > east across 180)."""
        geoms = self.geometries
        if not len(geoms):
            return None
        _, south, _, north = (float(v) for v in shapely.total_bounds(geoms))
        if len(self.polar_geometries) and shapely.intersects(
                self.polar_geometries, shapely.Point(0.0, 0.0)).any():
            north = 90.0
            west, east = -180.0, 180.0
        else:
            west, east = _lon_extent(geoms)
        return [west, south, east, north]

    @cached_property
    def temporal_extent(self) -> list[str | None] | None:
        """[first, last] ISO 8601 UTC of the records' validity, None for an open end."""
        if not len(self.frame):
            return None
        first, last = int(self.starts.min()), int(self.ends.max())

        def text(ns: int) -> str | None:
            if ns in (_NS_MIN, _NS_MAX):
                return None
            return pd.Timestamp(ns, tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")

        if "valid_from" not in self.frame.columns or self.frame["valid_from"].isna().all():
            return None
        return [text(first), text(last)]

    @property
    def caveat(self) -> str | None:
        """The sentence that labels approximate or modelled data, or None."""
        text = CAVEATS.get(self.spec.nature)
        return text[1] if text else None


def _empty_events() -> gpd.GeoDataFrame:
    columns = [*COMMON_COLUMNS, *MARKING_COLUMNS, *EVENT_COLUMNS]
    return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in columns},
                            geometry=gpd.GeoSeries([], crs=STORAGE_CRS), crs=STORAGE_CRS)


def _read_store(store: str | None) -> gpd.GeoDataFrame:
    from northpic.store import read_events

    try:
        return read_events(store)
    except StoreError as exc:
        raise StoreUnavailableError(f"the event store cannot be read now: {exc}") from None
    except DataFileError:
        return _empty_events()  # no store yet: nothing has been reported


def store_version(store: str | None) -> int:
    """Return the store's :func:`~northpic.store.last_change` (0 before any write).

    Raises
    ------
    StoreUnavailableError
        If the store cannot be read.
    """
    from northpic.store import last_change

    try:
        return last_change(store)
    except StoreError as exc:
        raise StoreUnavailableError(f"the event store cannot be read now: {exc}") from None


def build_collection(name: str, spec: LayerSpec, audience: frozenset[str],
                     table: MarkingTable, store: str | None) -> CollectionFrame:
    """Build one collection for one audience (see the module doc)."""
    from northpic.export.prepare import prepare_layer

    if name == EVENTS:
        raw = _read_store(store)
    else:
        raw = load_layer(name, markings=table)
    visible = releasable_part(raw, audience, table)
    prepared = prepare_layer(visible, spec).reset_index(drop=True)
    return CollectionFrame(name, spec, prepared, instants=name == EVENTS)


class CollectionCache:
    """The built collections, by (collection, store version, audience); least recently used out."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, int, frozenset[str]], CollectionFrame] = \
            OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[str, int, frozenset[str]], threading.Lock] = {}

    def get(self, name: str, spec: LayerSpec, audience: frozenset[str], table: MarkingTable,
            store: str | None) -> CollectionFrame:
        """Return the collection, building it once per key."""
        version = store_version(store) if name == EVENTS else 0
        key = (name, version, audience)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                found = self._entries.get(key)
            if found is None:
                try:
                    found = build_collection(name, spec, audience, table, store)
                finally:
                    with self._lock:
                        self._building.pop(key, None)
                with self._lock:
                    self._entries[key] = found
                    stale = [k for k in self._entries if k[0] == name and k[2] == audience
                             and k[1] != version]
                    for old in stale:
                        del self._entries[old]
                    while len(self._entries) > self.size:
                        self._entries.popitem(last=False)
        return found


def select(collection: CollectionFrame, *,
           boxes: Sequence[shapely.Geometry] = (), polar: bool = False,
           interval: tuple[pd.Timestamp | None, pd.Timestamp | None] | None = None,
           mask: np.ndarray | None = None) -> np.ndarray:
    """Return the rows (in order) that meet a box, a time interval and a filter mask.

    Parameters
    ----------
    boxes : sequence of shapely geometries
        The box, in pieces (a box across 180 degrees is two); a feature
        meeting any piece is kept.
    polar : bool
        Whether the boxes are in EPSG:3413 rather than EPSG:4326.
    interval : (start, end), optional
        Keep features valid at some moment of it (None: an open end).
    mask : numpy.ndarray of bool, optional
        A filter's verdict per row.
    """
    keep = np.ones(len(collection), dtype=bool) if mask is None else mask.copy()
    if boxes:
        tree = collection.polar_tree if polar else collection.tree
        hit = np.zeros(len(collection), dtype=bool)
        for box in boxes:
            hit[tree.query(box, predicate="intersects")] = True
        keep &= hit
    if interval is not None:
        start, end = interval
        if end is not None:
            keep &= collection.starts <= end.value
        if start is not None:
            keep &= collection.ends >= start.value
    return np.flatnonzero(keep)
