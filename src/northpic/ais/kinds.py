"""The kinds of shadow-fleet event the AIS detectors find: the one list, light to import."""

from __future__ import annotations

from collections.abc import Iterable

from northpic.errors import BadInputError

#: Event kinds, in the order detectors run.
EVENT_KINDS = ("ais_gap", "encounter", "loitering", "diversion", "spoofing", "identity_change")


def check_kinds(kinds: Iterable[str]) -> None:
    """Refuse names that are not :data:`EVENT_KINDS`.

    Raises
    ------
    BadInputError
        Naming the unknown kinds and the valid ones.

    Examples
    --------
    >>> check_kinds(["ais_gap", "encounter"])
    """
    unknown = [k for k in kinds if k not in EVENT_KINDS]
    if unknown:
        raise BadInputError(
            f"unknown event kind(s) {', '.join(unknown)}; valid kinds: {', '.join(EVENT_KINDS)}"
        )
