"""Load the layers of the northern picture, validated, optionally as of a date."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TypeAlias

import geopandas as gpd
import pandas as pd

from northpic.catalogue import LayerSpec, get_layer_spec, read_catalogue
from northpic.errors import LayerNotFoundError, MarkingsError, SchemaError
from northpic.geodesic import densify_geodesic
from northpic.io.layer_files import read_layer_file
from northpic.io.seaice.median import read_median_edge
from northpic.markings import (
    PUBLIC,
    MarkingTable,
    ProductMarking,
    default_markings,
    for_audience,
    marking_problems,
    normalise_markings,
    product_marking,
    with_marking_defaults,
)
from northpic.schema import (
    COMMON_COLUMNS,
    MARKING_COLUMNS,
    TIME_PRECISION_COLUMNS,
    validate_layer_frame,
)
from northpic.times import parse_time, time_precision

#: Readers for catalogue entries whose file is not a plain layer file.
SPECIAL_READERS: dict[str, Callable[[Path], gpd.GeoDataFrame]] = {
    "sea_ice_median_edge": read_median_edge,
}

TimeLike: TypeAlias = str | date | datetime | pd.Timestamp
#: Who contributed the shipped layers: the northpic team, from open sources cited per record.
SHIPPED_ORIGINATOR = "northpic project (open sources)"


def list_layers() -> list[LayerSpec]:
    """Return the catalogue: one :class:`~northpic.catalogue.LayerSpec` per layer.

    Examples
    --------
    >>> import northpic
    >>> "bases" in [layer.name for layer in northpic.list_layers()]
    True
    """
    return list(read_catalogue())


def prepare_layer_frame(frame: gpd.GeoDataFrame, spec: LayerSpec, path: str) -> gpd.GeoDataFrame:
    """Fill catalogue-given columns, validate, and densify lines of one layer.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Raw records in EPSG:4326.
    spec : LayerSpec
        The catalogue entry the records belong to.
    path : str
        Where the records came from, for error messages.

    Returns
    -------
    geopandas.GeoDataFrame
        A valid, normalised layer frame, with the private
        :data:`~northpic.schema.TIME_PRECISION_COLUMNS` saying how precisely
        each record gave its times.
    """
    frame = frame.copy()
    for column, value in (("layer", spec.name), ("domain", spec.domain)):
        if column not in frame.columns:
            frame[column] = value
        else:
            frame[column] = frame[column].fillna(value)
    valid = validate_layer_frame(frame, path)
    for column, private in TIME_PRECISION_COLUMNS.items():  # as the file wrote them
        raw = frame[column] if column in frame.columns else pd.Series(None, index=frame.index)
        valid[private] = pd.Series([time_precision(v) for v in raw], index=frame.index,
                                   dtype=object)
    if spec.densify_km:
        lines = valid.geom_type.isin(["LineString", "MultiLineString"])
        valid.loc[lines, "geometry"] = [
            densify_geodesic(g, spec.densify_km) for g in valid.geometry[lines]
        ]
    return gpd.GeoDataFrame(valid, geometry="geometry", crs="EPSG:4326")


@lru_cache(maxsize=32)
def _load_layer_cached(name: str) -> gpd.GeoDataFrame:
    spec = get_layer_spec(name)
    reader = SPECIAL_READERS[spec.reader] if spec.reader else read_layer_file
    return prepare_layer_frame(reader(spec.file), spec, str(spec.file))


def valid_at(frame: gpd.GeoDataFrame, at: TimeLike) -> gpd.GeoDataFrame:
    """Keep the records valid at ``at``.

    A record is valid when ``valid_from`` is empty or not after ``at`` and
    ``valid_to`` is empty or not before it. Records of monthly climatology
    (a ``month`` column) are kept for ``at``'s calendar month only.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A layer frame.
    at : str, date, datetime or pandas.Timestamp
        ISO 8601 text or a date; a date means midnight UTC.

    Returns
    -------
    geopandas.GeoDataFrame
        The subset, in the same order.
    """
    moment = parse_time(at, option="at")
    if moment is None:
        return frame
    keep = (frame["valid_from"].isna() | (frame["valid_from"] <= moment)) & (
        frame["valid_to"].isna() | (frame["valid_to"] >= moment)
    )
    if "month" in frame.columns:
        months = pd.to_numeric(frame["month"], errors="coerce")
        keep &= months.isna() | (months == moment.month)
    return frame[keep]


def marked_layer(frame: gpd.GeoDataFrame, path: str,
                 markings: MarkingTable | None = None) -> gpd.GeoDataFrame:
    """Give a shipped layer's records their markings and check them against the table.

    Shipped layers are openly sourced: a record without marking fields is
    ``PUBLIC``, of the table's lowest level, contributed by
    :data:`SHIPPED_ORIGINATOR`. A record that marks itself keeps its
    marking, which must be in the table.

    Raises
    ------
    SchemaError
        Naming the file, the record and the reason for every marking the
        table does not hold.
    """
    table = markings or default_markings()
    frame = with_marking_defaults(frame, releasability=PUBLIC, originator=SHIPPED_ORIGINATOR,
                                  classification=table.lowest.code)
    problems = marking_problems(frame, path, table)
    if problems:
        raise SchemaError(problems)
    return gpd.GeoDataFrame(normalise_markings(frame, table), geometry="geometry",
                            crs="EPSG:4326")


def load_layer(name: str, at: TimeLike | None = None, *,
               markings: MarkingTable | None = None) -> gpd.GeoDataFrame:
    """Load one catalogue layer, validated and marked, in EPSG:4326.

    Parameters
    ----------
    name : str
        A layer name from :func:`list_layers`.
    at : str or date, optional
        Keep only records valid at this moment (see :func:`valid_at`).
    markings : MarkingTable, optional
        The markings table records are checked against; default
        :func:`~northpic.markings.default_markings`.

    Returns
    -------
    geopandas.GeoDataFrame
        The common columns (see :mod:`northpic.schema`), the marking
        columns, then the layer's own.

    Raises
    ------
    LayerNotFoundError
        For a name not in the catalogue (the message lists valid names).
    SchemaError
        If a record of the data file breaks the schema.

    Examples
    --------
    >>> import northpic
    >>> bases = northpic.load_layer("bases")
    >>> bases.crs.to_epsg(), "pituffik" in " ".join(bases["name"]).lower()
    (4326, True)
    >>> sorted(set(bases["releasability"]))
    ['PUBLIC']
    """
    spec = get_layer_spec(name)
    frame = marked_layer(_load_layer_cached(name).copy(), str(spec.file), markings)
    return frame if at is None else valid_at(frame, at)


def load_picture(
    at: TimeLike | None = None,
    layers: Iterable[str] | None = None,
    events_store: str | Path | None = None,
    *,
    audience: frozenset[str] | None = None,
    markings: MarkingTable | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Load every layer of the picture (or the named ones), plus stored events.

    With an ``audience``, only the records releasable to it are returned:
    the others never leave this function (see :mod:`northpic.markings`).

    Parameters
    ----------
    at : str or date, optional
        The picture as of this moment: only records valid then.
    layers : iterable of str, optional
        Layer names, in the order wanted; default: the whole catalogue.
    events_store : str or pathlib.Path, optional
        An event store (see :mod:`northpic.events`). Events whose ``layer``
        names a loaded layer (e.g. ``shadow_fleet``) join it; the others
        form layers of their own.
    audience : frozenset of str, optional
        Audience codes (see :func:`northpic.markings.parse_audience`): keep
        only what every one of them may receive. Default: everything.
    markings : MarkingTable, optional
        The markings table; default the one northpic ships.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Layer name to frame, in catalogue (or requested) order.
    """
    names = list(layers) if layers is not None else [s.name for s in read_catalogue()]
    for name in names:
        get_layer_spec(name)  # fail early, naming the valid layers
    table = markings or default_markings()
    frames = {name: load_layer(name, at, markings=table) for name in names}
    if events_store is not None:
        from northpic.events import events_layers
        from northpic.store import read_events

        for name, frame in events_layers(read_events(events_store)).items():
            if at is not None:
                frame = valid_at(frame, at)
            if name in frames:
                frame = pd.concat([frames[name], frame], ignore_index=True)
            frames[name] = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    return {name: releasable_part(frame, audience, table) for name, frame in frames.items()}


def releasable_part(frame: gpd.GeoDataFrame, audience: frozenset[str] | None,
                    table: MarkingTable) -> gpd.GeoDataFrame:
    """Keep the records releasable to ``audience``, and only the attributes they have.

    When records are left out, an attribute of the layer's own that only
    they had is left out too, so that not even a field name of theirs
    reaches the product; the common and marking columns always stay.
    """
    kept = for_audience(frame, audience, table)
    if len(kept) == len(frame):
        return kept
    fixed = {*COMMON_COLUMNS, *MARKING_COLUMNS, kept.geometry.name}
    empty = [c for c in kept.columns if c not in fixed and kept[c].isna().all()]
    return kept.drop(columns=empty)


def check_markings(frames: Mapping[str, pd.DataFrame], table: MarkingTable | None = None) -> None:
    """Refuse layers whose records lack a marking, or hold one the table does not.

    Nothing is assumed public: a layer with records and without the marking
    columns (:data:`~northpic.schema.MARKING_COLUMNS`) is refused. Give
    records their markings first (e.g.
    :func:`~northpic.markings.with_marking_defaults`).

    Raises
    ------
    MarkingsError
        For a layer whose records carry no marking fields.
    SchemaError
        For a record whose marking is missing or not in the table (layer,
        record and reason named).
    """
    table = table or default_markings()
    problems = []
    for name, frame in frames.items():
        if not len(frame):
            continue
        missing = [c for c in MARKING_COLUMNS if c not in frame.columns]
        if missing:
            raise MarkingsError(
                f"layer {name!r}: its records carry no {', '.join(missing)} field; every "
                "record of a product needs a marking (give them one, e.g. "
                "northpic.markings.with_marking_defaults): nothing is assumed public")
        problems += marking_problems(frame, f"layer {name}", table)
    if problems:
        raise SchemaError(problems)


def mark_picture(
    frames: Mapping[str, pd.DataFrame],
    table: MarkingTable | None = None,
    audience: frozenset[str] | None = None,
) -> ProductMarking:
    """Compute the marking of a product that holds ``frames`` (layer name to frame).

    Parameters
    ----------
    frames : mapping of str to pandas.DataFrame
        What the product holds, already kept to ``audience``
        (:func:`~northpic.markings.for_audience`); every record marked
        (:func:`check_markings`).
    table : MarkingTable, optional
        Default northpic's own.
    audience : frozenset of str, optional
        The audience the product is made for.

    Returns
    -------
    ProductMarking

    Raises
    ------
    MarkingsError, SchemaError
        For records without a valid marking (see :func:`check_markings`).
    MarkingMixError
        When no single audience may see every record and no ``audience`` is
        given.
    """
    table = table or default_markings()
    check_markings(frames, table)
    return product_marking((f for f in frames.values() if len(f)), table, audience)


def without_empty_event_layers(
    frames: Mapping[str, gpd.GeoDataFrame], keep: Iterable[str] = ()
) -> dict[str, gpd.GeoDataFrame]:
    """Leave out the event layers that hold no record (for the product's audience).

    A catalogue layer stays even when empty (the catalogue is public); an
    event layer stays only with a record the product may hold, or when
    named in ``keep``, so that its presence does not tell that withheld
    records exist.
    """
    catalogue = {spec.name for spec in read_catalogue()} | set(keep)
    return {name: frame for name, frame in frames.items() if len(frame) or name in catalogue}


def spec_for(name: str) -> LayerSpec:
    """Return the :class:`LayerSpec` of a catalogue layer or of an event layer."""
    try:
        return get_layer_spec(name)
    except LayerNotFoundError:
        from northpic.events import event_layer_spec

        return event_layer_spec(name)
