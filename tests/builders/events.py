"""Builders of small, seeded event records and event files."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

HOSTILE = ("<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>")
#: The originator the builders' records carry unless told otherwise.
ORIGINATOR = "test builder desk"


def event(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """A valid flat event record (lat/lon) with every field; override any with ``overrides``.

    It is marked ``PUBLIC``, from :data:`ORIGINATOR`, so tests of other
    things need not mark it; :func:`unmarked` drops the marking fields.
    """
    record: dict[str, Any] = {
        "id": f"ev-test-{n}", "name": f"Test event {n}", "kind": "diversion",
        "time": "2026-01-15T08:30:00+02:00", "lat": 70.0 + n % 10, "lon": 20.0 + n % 50,
        "domain": "economic", "source": "test builder", "confidence": "medium",
        "precision_km": 5.0, "notes": "", "releasability": "PUBLIC", "originator": ORIGINATOR,
    }
    record.update(overrides)
    return record


def unmarked(record: dict[str, Any]) -> dict[str, Any]:
    """The record without its marking fields."""
    return {k: v for k, v in record.items()
            if k not in ("classification", "releasability", "originator")}


def feature(record: dict[str, Any]) -> dict[str, Any]:
    """Turn a flat record into a GeoJSON Feature (a ``geometry`` override is used as is)."""
    props = dict(record)
    geometry = props.pop("geometry", None)
    lat, lon = props.pop("lat", None), props.pop("lon", None)
    if geometry is None:
        geometry = {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def batch(
    count: int, seed: int = 0, prefix: str = "b", notes_bytes: int = 0
) -> list[dict[str, Any]]:
    """``count`` valid point events with distinct ids and seeded positions."""
    rng = random.Random(seed)
    return [
        event(i, id=f"{prefix}-{i}", lat=round(rng.uniform(60, 89), 5),
              lon=round(rng.uniform(-180, 180), 5), notes="x" * notes_bytes,
              time=f"2026-01-{1 + i % 28:02d}T{i % 24:02d}:00:00Z")
        for i in range(count)
    ]


def write_geojson(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write records as a FeatureCollection."""
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "features": [feature(r) for r in records]}), encoding="utf-8")
    return path


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write records as JSON Lines (flat records with lat/lon)."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def write_csv(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write flat records as CSV (columns: union of the records' keys)."""
    columns = list(dict.fromkeys(k for r in records for k in r))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(records)
    return path


WRITERS = {"geojson": write_geojson, "jsonl": write_jsonl, "csv": write_csv}


#: The events table of stores made before markings and history (northpic before issue 15).
LEGACY_EVENTS_SQL = """CREATE TABLE events (
    fid INTEGER PRIMARY KEY AUTOINCREMENT, geom GEOMETRY NOT NULL, id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, layer TEXT NOT NULL, domain TEXT NOT NULL, kind TEXT NOT NULL,
    source TEXT NOT NULL, confidence TEXT NOT NULL, precision_km REAL NOT NULL,
    time DATETIME NOT NULL, valid_to DATETIME, notes TEXT NOT NULL DEFAULT '',
    added_at DATETIME NOT NULL, updated_at DATETIME NOT NULL)"""


def legacy_store(path: Path, count: int = 3, prefix: str = "old") -> Path:
    """Write a store as earlier versions did: no marking columns, no history table.

    Events ``{prefix}-0`` ... in the economic layer, one a degree apart.
    """
    import sqlite3

    import shapely

    from northpic.store import gpkg_format

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN")
        gpkg_format.create_metadata(conn)
        # earlier versions registered the schema extension for gpkg_data_columns only
        conn.execute("DELETE FROM gpkg_extensions WHERE table_name = "
                     "'gpkg_data_column_constraints'")
        conn.execute(LEGACY_EVENTS_SQL)
        gpkg_format.register_feature_table(conn, "events", "geom", "northpic event store")
        points = [shapely.Point(20 + i, 70) for i in range(count)]
        blobs = gpkg_format.encode_geometries(points)
        conn.executemany(
            "INSERT INTO events (geom, id, name, layer, domain, kind, source, confidence, "
            "precision_km, time, valid_to, notes, added_at, updated_at) "
            "VALUES (?, ?, ?, 'events_economic', 'economic', 'diversion', 'old feed', 'low', "
            "1.0, '2025-06-01T00:00:00.000Z', NULL, ?, '2025-06-01T00:00:00.000Z', "
            "'2025-06-01T00:00:00.000Z')",
            [(blob, f"{prefix}-{i}", f"Old event {i}", f"legacy note {i}")
             for i, blob in enumerate(blobs)])
        conn.execute("COMMIT")
    finally:
        conn.close()
    return path
