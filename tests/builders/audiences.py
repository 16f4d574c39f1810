"""An event store whose records are marked for different audiences, with canaries.

Reading tests serve it to clients of different audiences and check what each
sees against the records themselves: :class:`SeededStore` keeps every record
as written (lon/lat, time, marking), so the expected answers are computed
from the records, never from the server.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builders.events import HOSTILE, batch, event, feature

#: Strings only NATO-only records hold (names, notes, an attribute's name and value, ids):
#: none of them may reach a client of another audience, in any answer.
CANARIES = ("CANARY-NATO-NAME", "CANARY-NATO-NOTE", "canary_nato_sensor", "CANARY-NATO-VALUE",
            "nato-canary-")
#: Where the NATO-only records lie: far from every other record, so an extent that
#: included them would show it.
NATO_LONLAT = ((100.5, 89.5), (101.5, 89.0), (99.0, 88.7))
#: Their times: years after every other record's.
NATO_TIMES = ("2031-03-01T00:00:00Z", "2031-04-01T00:00:00Z", "2031-05-01T00:00:00Z")


@dataclass
class SeededStore:
    """The store and its records (flat: id, name, kind, time, lon, lat, releasability...)."""

    path: Path
    records: list[dict[str, Any]]

    def visible(self, audience: str) -> list[dict[str, Any]]:
        """The records a client of ``audience`` (``PUBLIC``, ``EU`` or ``NATO``) may receive.

        Written by hand from the marking rules: a record goes to an audience
        it names, and a PUBLIC record to everyone.
        """
        return [r for r in self.records
                if r["releasability"] == "PUBLIC" or audience in
                [code.strip() for code in r["releasability"].split(",")]]

    def ids(self, audience: str) -> set[str]:
        """The ids of :meth:`visible`."""
        return {r["id"] for r in self.visible(audience)}


def seed_audience_store(path: Path, public: int = 40, seed: int = 7) -> SeededStore:
    """Write a store of PUBLIC, EU and NATO-only point events; return it with its records.

    - ``public`` PUBLIC events spread over the Arctic (seeded), a few on each
      side of 180 degrees, one named with hostile markup;
    - 6 EU events (``eu-0``...) near Svalbard;
    - 3 NATO-only events (``nato-canary-0``...) near the pole, in 2031, with
      :data:`CANARIES` in their name, notes and an attribute of their own.
    """
    from northpic.events import add_events

    rng = random.Random(seed)
    records = batch(public, seed=seed, prefix="pub")
    records += [event(900 + i, id=f"pub-dateline-{i}", lat=65.0 + i, lon=lon,
                      time="2026-02-10T12:00:00Z")
                for i, lon in enumerate((179.5, -179.5, 178.0, -178.0))]
    records.append(event(950, id="pub-hostile", name=HOSTILE[0], notes=HOSTILE[1],
                         lat=71.0, lon=25.0, time="2026-02-11T00:00:00Z"))
    records += [event(800 + i, id=f"eu-{i}", lat=round(rng.uniform(77, 80), 4),
                      lon=round(rng.uniform(10, 30), 4), releasability="EU",
                      originator="EU SATCEN", time=f"2026-03-{1 + i:02d}T06:00:00Z",
                      kind="sighting")
                for i in range(6)]
    records += [event(700 + i, id=f"nato-canary-{i}", name=f"CANARY-NATO-NAME {i}",
                      notes="CANARY-NATO-NOTE", canary_nato_sensor="CANARY-NATO-VALUE",
                      lon=lon, lat=lat, time=NATO_TIMES[i], releasability="NATO",
                      originator="NOR JOC", kind="deployment", domain="military",
                      precision_km=0.5)
                for i, (lon, lat) in enumerate(NATO_LONLAT)]
    add_events({"type": "FeatureCollection", "features": [feature(r) for r in records]}, path)
    return SeededStore(path, records)
