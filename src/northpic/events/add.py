"""Adding events: read a source, validate it whole, store it in one transaction.

:func:`add_events` is the one entry point, behind ``northpic events add``
and :func:`northpic.add_events`. Reading files is :mod:`northpic.io.event_files`,
turning records into events :mod:`northpic.events.intake`, validation
:mod:`northpic.events.schema`, the store :mod:`northpic.store`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from northpic.errors import InputTypeError
from northpic.events.intake import (
    EventSource,
    events_from_document,
    events_from_frame,
    events_from_records,
)
from northpic.events.schema import RawEvent, validate_events
from northpic.io.event_files import read_event_file
from northpic.markings import MarkingTable, markings_table
from northpic.store import AddReport, write_events


def read_event_source(source: EventSource) -> tuple[list[RawEvent], str]:
    """Parse any event source into raw events and a label for messages.

    Parameters
    ----------
    source : str, pathlib.Path, bytes, DataFrame, dict or iterable of dict
        A file path; ``"-"`` for standard input; raw GeoJSON/CSV/JSON Lines
        text (a string containing a newline or starting with ``{`` or ``[``,
        or UTF-8 bytes); a GeoDataFrame (its geometries) or a DataFrame
        (``lat``/``lon`` or ``geometry`` columns), one event a row; one parsed
        GeoJSON object (Feature, FeatureCollection or flat record); or
        records (GeoJSON Features or flat dicts).

    Returns
    -------
    tuple of (list of RawEvent, str)
        The parsed events and where they came from.

    Raises
    ------
    DataFileError
        If a file, standard input, text or bytes cannot be read or parsed.
    UnsupportedFormatError
        If a file's suffix is not one of the event formats.
    InputTypeError
        For anything else (``None``, a number...).

    Examples
    --------
    >>> raw, label = read_event_source('{"type": "Feature", "properties": {"name": "A"}, '
    ...                                '"geometry": {"type": "Point", "coordinates": [20, 70]}}')
    >>> label, raw[0].properties, raw[0].geometry.wkt
    ('<text>', {'name': 'A'}, 'POINT (20 70)')
    """
    if isinstance(source, pd.DataFrame):
        label = "<GeoDataFrame>" if isinstance(source, gpd.GeoDataFrame) else "<DataFrame>"
        return events_from_frame(source), label
    if isinstance(source, Mapping):
        return events_from_document(source, "<record>"), "<record>"
    if isinstance(source, str | Path | bytes | bytearray):
        records, label = read_event_file(source)
        return events_from_records(records), label
    if source is None or not isinstance(source, Iterable):
        raise InputTypeError(
            f"cannot read events from {type(source).__name__} {source!r:.60}; give a file path, "
            "'-', GeoJSON/CSV/JSON Lines text, a (Geo)DataFrame, or a list of records")
    return events_from_records(source), "<records>"


def add_events(
    source: EventSource,
    store: str | Path | None = None,
    *,
    assume_utc: bool = False,
    layer: str | None = None,
    label: str | None = None,
    releasability: str | None = None,
    originator: str | None = None,
    classification: str | None = None,
    markings: MarkingTable | str | Path | None = None,
) -> AddReport:
    """Validate a batch of events and add it to the event store, all or nothing.

    Parameters
    ----------
    source : str, pathlib.Path, bytes, DataFrame, dict or iterable of dict
        GeoJSON (Feature or FeatureCollection), CSV with lat/lon or JSON Lines,
        as a file, ``"-"`` for standard input, raw text or UTF-8 bytes; a
        GeoDataFrame, or a DataFrame with lat/lon or WKT ``geometry``
        columns, one event a row; one parsed GeoJSON object; or a list of
        records (see :func:`read_event_source`).
    store : str or pathlib.Path, optional
        The GeoPackage event store; default :func:`northpic.store.default_store_path`.
        Created if missing.
    assume_utc : bool
        Take times without a timezone as UTC instead of refusing them.
    layer : str, optional
        Layer for records that do not name one: a catalogue layer such as
        ``"shadow_fleet"``, or ``"events_<domain>"``.
    label : str, optional
        Where the events came from, for messages (e.g. ``"events detected
        from day.csv"``); default the file, or ``<GeoDataFrame>``, ``<records>``...
    releasability : str, optional
        Who may receive the records that do not say so themselves (e.g.
        ``"NATO, EU"``, ``"NOR EYES ONLY"``, ``"PUBLIC"``). Every record needs
        one, its own or this.
    originator : str, optional
        Who contributed the records that do not say so themselves (e.g.
        ``"NOR JOC"``). Every record needs one, its own or this.
    classification : str, optional
        Level for records that give none; default the table's lowest
        (``UNCLASSIFIED``).
    markings : MarkingTable, str or pathlib.Path, optional
        The markings table the markings must be in (a table or a JSON file);
        default northpic's own.

    Returns
    -------
    AddReport
        How many events were added and updated, their ids, the store, and
        the ids whose Z (height) coordinate was dropped (``flattened``).

    Raises
    ------
    SchemaError
        If any record is bad (its markings included: no releasability or
        originator, an audience or level the table does not hold): every
        problem is listed; nothing is stored.
    MarkingsError
        If a batch default marking, or the markings file, is not valid.
    DataFileError
        If the source cannot be read or parsed (binary, not UTF-8, nested
        too deeply), or the store is not an event store.
    StoreError
        If the store cannot take the batch: damaged
        (:class:`~northpic.errors.DamagedStoreError`), read-only or full
        (:class:`~northpic.errors.StoreNotWritableError`), or busy; the
        store is left as it was.
    InputTypeError
        If ``source`` is none of the above (``None``, a number...).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from northpic.events import add_events, read_events
    >>> store = pathlib.Path(tempfile.mkdtemp()) / "events.gpkg"
    >>> report = add_events([{
    ...     "name": "Tanker diverts north of Kirkenes", "kind": "diversion",
    ...     "time": "2026-01-15T08:30:00+01:00", "lat": 70.2, "lon": 30.9,
    ...     "domain": "economic", "source": "Coast guard report 2026-01-15",
    ...     "confidence": "medium", "precision_km": 5}], store=store,
    ...     releasability="REL TO NATO, EU", originator="NOR JOC")
    >>> report.added, report.updated, report.ids[0][:3]
    (1, 0, 'ev-')
    >>> read_events(store)["releasability"].tolist()
    ['NATO, EU']
    >>> add_events(b'name,lat\\n', store)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    northpic.errors.DataFileError: <bytes>: CSV needs lat and lon columns ...
    """
    raw, source_label = read_event_source(source)
    label = label or source_label
    with_z = [i for i, event in enumerate(raw)
              if event.geometry is not None and getattr(event.geometry, "has_z", False)]
    frame = validate_events(raw, label, assume_utc=assume_utc, layer=layer,
                            releasability=releasability, originator=originator,
                            classification=classification, markings=markings_table(markings))
    report = write_events(frame, store, label)
    return replace(report, flattened=tuple(str(i) for i in frame["id"].iloc[with_z]))


__all__ = ["add_events", "read_event_source"]
