"""The kinds of shadow-fleet event the AIS detectors find: the one list, light to import."""

from __future__ import annotations

#: Event kinds, in the order detectors run.
EVENT_KINDS = ("ais_gap", "encounter", "loitering", "diversion", "spoofing", "identity_change")
