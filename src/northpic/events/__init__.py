"""The event store: validated intake of reported events, kept in one GeoPackage.

Watch officers and scripts add events (a tanker diverting, a deployment, a
licence) as they come; each batch is validated whole and stored in one
transaction, so a broken feed never corrupts what is already known.

    >>> from northpic.events import add_events, read_events  # doctest: +SKIP
    >>> add_events("reports.geojson", store="events.gpkg")  # doctest: +SKIP
    AddReport(added=3, updated=0, ...)
    >>> read_events("events.gpkg", kind="diversion")  # doctest: +SKIP

See :mod:`northpic.events.schema` for the fields of an event,
:mod:`northpic.events.store` and :mod:`northpic.events.connection` for the
store's guarantees, and :mod:`northpic.events.recover` for saving the
events of a damaged store.
"""

from __future__ import annotations

from northpic.events.intake import add_events, read_event_source
from northpic.events.layers import event_layer_spec, events_layers
from northpic.events.recover import RecoveryReport, export_good_events
from northpic.events.schema import parse_event_time, validate_events
from northpic.events.store import (
    AddReport,
    count_events,
    default_store_path,
    read_events,
    remove_event,
)

__all__ = [
    "AddReport",
    "RecoveryReport",
    "add_events",
    "count_events",
    "default_store_path",
    "event_layer_spec",
    "events_layers",
    "export_good_events",
    "parse_event_time",
    "read_event_source",
    "read_events",
    "remove_event",
    "validate_events",
]
