"""What a write to the event store did, and what its history holds, whatever the backend."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from northpic.store.location import DatabaseURL

#: Where a store was found: a file, or a database (shown without its password).
StoreTarget = Path | DatabaseURL


@dataclass(frozen=True)
class AddReport:
    """What one :func:`~northpic.events.add_events` call did.

    Attributes
    ----------
    added : int
        Events new to the store.
    updated : int
        Events whose id was already stored, now replaced.
    store : pathlib.Path or DatabaseURL
        The store written.
    ids : tuple of str
        The ids of the batch, in input order.
    flattened : tuple of str
        The ids of events whose Z (height) coordinate was dropped.
    """

    added: int
    updated: int
    store: StoreTarget
    ids: tuple[str, ...] = ()
    flattened: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"added {self.added}, updated {self.updated} event(s) in {self.store}"
        if self.flattened:
            shown = ", ".join(repr(i) for i in self.flattened[:5])
            more = f" and {len(self.flattened) - 5} more" if len(self.flattened) > 5 else ""
            text += (f"\nnote: dropped the Z (height) coordinate of {len(self.flattened)} "
                     f"event(s), kept in 2-D: {shown}{more}")
        return text


@dataclass(frozen=True)
class HistoryEntry:
    """One write of an event, as the store's history keeps it.

    Attributes
    ----------
    event_id : str
        The event's id.
    sequence : int
        1, 2, 3... in the order of the event's writes.
    operation : str
        ``"add"``, ``"update"`` or ``"remove"``.
    originator : str or None
        Who wrote it (``None`` when a remove did not say).
    time : pandas.Timestamp
        When, in UTC.
    previous : dict or None
        The version replaced or removed, a GeoJSON Feature; ``None`` for a first add.
    new : dict or None
        The version written, a GeoJSON Feature; ``None`` for a remove (a tombstone).
    """

    event_id: str
    sequence: int
    operation: str
    originator: str | None
    time: pd.Timestamp
    previous: dict[str, Any] | None
    new: dict[str, Any] | None


@dataclass(frozen=True)
class EventHistory:
    """The history of one event: its writes, oldest first.

    Attributes
    ----------
    event_id : str
        The event's id as stored.
    entries : tuple of HistoryEntry
        Oldest first; empty for an event stored before the store kept history.
    stored : bool
        Whether the event is in the store now (False once removed).
    store : pathlib.Path or DatabaseURL
        The store read.
    """

    event_id: str
    entries: tuple[HistoryEntry, ...]
    stored: bool
    store: StoreTarget
