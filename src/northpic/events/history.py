"""An event's history for an audience, as text or JSON (``northpic events history``).

The store keeps every write of an event (see :mod:`northpic.store.history`).
Shown to an audience, the history keeps only what that audience may
receive: a write is shown when the version it wrote (for a remove, the
version removed) is releasable to the audience; a write that is not is
withheld, and only their number is said. Within a write that is shown, a
previous version that is not releasable is withheld too. An unmarked
version (stored before markings) is releasable to no audience.

Like every product, the output carries the marking its contents need
(:func:`northpic.markings.product_marking`): a banner first and last in the
text, a ``marking`` member in the JSON. Without an audience, a history
whose versions no single audience may see is refused
(:class:`~northpic.errors.MarkingMixError`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from northpic.markings import MarkingTable, ProductMarking, may_receive, product_marking
from northpic.store.report import EventHistory, HistoryEntry
from northpic.text import terminal_json, terminal_text
from northpic.times import format_time

#: Longest value shown in the text form (the JSON form holds every value whole).
_SHOWN_CHARACTERS = 60


@dataclass(frozen=True)
class ShownEntry:
    """One write of an event as an audience sees it.

    Attributes
    ----------
    entry : HistoryEntry
        The write (its ``previous`` still whole: use :attr:`previous`).
    previous_withheld : bool
        Whether the version it replaced is withheld from the audience.
    """

    entry: HistoryEntry
    previous_withheld: bool = False

    @property
    def previous(self) -> dict[str, Any] | None:
        """The version replaced or removed, unless withheld."""
        return None if self.previous_withheld else self.entry.previous


@dataclass(frozen=True)
class HistoryView:
    """An event's history as one audience may see it.

    Attributes
    ----------
    history : EventHistory
        The whole history, as read from the store.
    shown : tuple of ShownEntry
        The writes shown, oldest first.
    withheld : int
        How many writes were withheld (their content is not shown).
    audience : frozenset of str or None
        Who it is for (``None``: everything, if one audience may see it all).
    marking : ProductMarking
        The marking of what is shown.
    """

    history: EventHistory
    shown: tuple[ShownEntry, ...]
    withheld: int
    audience: frozenset[str] | None
    marking: ProductMarking


def _marking_of(version: dict[str, Any]) -> tuple[str, str]:
    props = version.get("properties") or {}
    return (str(props.get("classification") or ""), str(props.get("releasability") or ""))


def _releasable(version: dict[str, Any] | None, audience: frozenset[str] | None,
                table: MarkingTable) -> bool:
    if version is None or audience is None:
        return True
    releasability = _marking_of(version)[1]
    try:
        return bool(releasability) and may_receive(table.codes(releasability), audience)
    except ValueError:
        return False  # a marking the table does not hold: releasable to nobody


def history_for_audience(history: EventHistory, audience: frozenset[str] | None,
                         table: MarkingTable) -> HistoryView:
    """Keep the writes of ``history`` that ``audience`` may see, and mark the result.

    Parameters
    ----------
    history : EventHistory
        As :func:`northpic.store.read_history` returns it.
    audience : frozenset of str or None
        Audience codes (see :func:`northpic.markings.parse_audience`); ``None``
        shows everything.
    table : MarkingTable
        The markings table.

    Returns
    -------
    HistoryView

    Raises
    ------
    MarkingMixError
        Without ``audience``, when no single audience may see every version
        (or a version is unmarked).
    """
    shown: list[ShownEntry] = []
    withheld = 0
    for entry in history.entries:
        written = entry.new if entry.new is not None else entry.previous
        if not _releasable(written, audience, table):
            withheld += 1
            continue
        shown.append(ShownEntry(entry, not _releasable(entry.previous, audience, table)))
    versions = [v for s in shown for v in (s.entry.new, s.previous) if v is not None]
    marks = pd.DataFrame([(history.event_id, *_marking_of(v)) for v in versions],
                         columns=["id", "classification", "releasability"])
    marking = product_marking([marks], table, audience)
    return HistoryView(history, tuple(shown), withheld, audience, marking)


def _shown_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > _SHOWN_CHARACTERS:
        text = text[:_SHOWN_CHARACTERS - 3] + "..."
    return terminal_text(json.dumps(text, ensure_ascii=False) if isinstance(value, str) else text)


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before, after = old.get("properties") or {}, new.get("properties") or {}
    lines = [f"{name}: {_shown_value(before.get(name))} -> {_shown_value(after.get(name))}"
             for name in dict.fromkeys([*before, *after])
             if before.get(name) != after.get(name)]
    if old.get("geometry") != new.get("geometry"):
        lines.append("geometry changed")
    return lines or ["no field changed"]


def _summary(version: dict[str, Any]) -> list[str]:
    """Every field of a version that holds something (the id is the history's own)."""
    props = version.get("properties") or {}
    return [f"{name}: {_shown_value(value)}" for name, value in props.items()
            if name != "id" and value not in (None, "")]


def format_history(view: HistoryView) -> str:
    """Write a history view as text: banner, who changed what and when, banner.

    Every value from the store is shown escaped (see
    :func:`northpic.text.terminal_text`), long values shortened.
    """
    banner = view.marking.banner
    event = terminal_text(view.history.event_id)
    head = f"history of event {event}: {len(view.shown)} write(s) shown"
    if view.audience is not None:
        head += f" to {view.marking.table.text(view.audience)}"
    if view.withheld:
        head += f", {view.withheld} withheld (not releasable to this audience; not shown)"
    lines = [banner, head]
    if not view.history.entries:
        lines.append("  no write recorded: the event was stored before the store kept history")
    for shown in view.shown:
        entry = shown.entry
        who = terminal_text(entry.originator) if entry.originator else "(originator not given)"
        lines.append(f"#{entry.sequence}  {format_time(entry.time)}  {entry.operation:<6}  "
                     f"by {who}")
        if entry.operation == "remove":
            lines.append("    removed (tombstone)" + (
                "; the version removed is withheld" if shown.previous_withheld else ""))
            details = _summary(shown.previous) if shown.previous is not None else []
        elif shown.previous is not None and entry.new is not None:
            details = _changes(shown.previous, entry.new)
        else:
            if shown.previous_withheld:
                lines.append("    the previous version is withheld; the new version:")
            details = _summary(entry.new) if entry.new is not None else []
        lines.extend(f"    {line}" for line in details)
    state = "stored" if view.history.stored else "not stored now (removed)"
    lines.append(f"the event is {state}")
    lines.append(banner)
    return "\n".join(lines)


def history_json(view: HistoryView) -> str:
    """Write a history view as JSON a terminal shows safely (versions as GeoJSON Features)."""
    doc = {
        "event_id": view.history.event_id,
        "stored": view.history.stored,
        "marking": view.marking.as_dict(),
        "withheld": view.withheld,
        "entries": [
            {"sequence": s.entry.sequence, "operation": s.entry.operation,
             "originator": s.entry.originator, "time": format_time(s.entry.time),
             "previous": s.previous, "previous_withheld": s.previous_withheld,
             "new": s.entry.new}
            for s in view.shown
        ],
    }
    return terminal_json(json.dumps(doc, ensure_ascii=False, indent=1))


__all__ = ["HistoryView", "ShownEntry", "format_history", "history_for_audience", "history_json"]
