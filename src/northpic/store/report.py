"""What a write to the event store did, whatever the backend."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AddReport:
    """What one :func:`~northpic.events.add_events` call did.

    Attributes
    ----------
    added : int
        Events new to the store.
    updated : int
        Events whose id was already stored, now replaced.
    store : pathlib.Path
        The store written.
    ids : tuple of str
        The ids of the batch, in input order.
    flattened : tuple of str
        The ids of events whose Z (height) coordinate was dropped.
    """

    added: int
    updated: int
    store: Path
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
