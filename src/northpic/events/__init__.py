"""Reported events: validated intake, the event schema, and events as layers.

Watch officers and scripts add events (a tanker diverting, a deployment, a
licence) as they come; each batch is validated whole and stored in one
transaction, so a broken feed never corrupts what is already known.

    >>> import tempfile, pathlib
    >>> from northpic.events import add_events, read_events
    >>> store = pathlib.Path(tempfile.mkdtemp()) / "events.gpkg"
    >>> print(add_events('{"type": "Feature", "properties": {"name": "Tanker diverts", '
    ...     '"kind": "diversion", "time": "2026-01-15T08:30Z", "domain": "economic", '
    ...     '"source": "Coast guard", "confidence": "medium", "precision_km": 5}, '
    ...     '"geometry": {"type": "Point", "coordinates": [30.9, 70.2]}}', store=store,
    ...     releasability="NATO, EU", originator="NOR JOC"))
    ... # doctest: +ELLIPSIS
    added 1, updated 0 event(s) in .../events.gpkg
    >>> list(read_events(store, kind="diversion")["name"])
    ['Tanker diverts']

Every event carries a marking (who may receive it, and who contributed
it; see :mod:`northpic.markings`), and every write is kept in the store's
append-only history (:func:`read_history`, :mod:`northpic.events.history`).

See :mod:`northpic.events.schema` for the fields of an event,
:mod:`northpic.events.add` for adding them, :mod:`northpic.store` for the
store's interface and guarantees, and :mod:`northpic.events.recover` for
saving the events of a damaged store.
"""

from __future__ import annotations

from northpic.events.add import add_events, read_event_source
from northpic.events.layers import event_layer_spec, events_layers
from northpic.events.recover import RecoveryReport, export_good_events
from northpic.events.schema import validate_events
from northpic.store import (
    AddReport,
    count_events,
    default_store_path,
    read_events,
    read_history,
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
    "read_event_source",
    "read_events",
    "read_history",
    "remove_event",
    "validate_events",
]
