"""The GeoPackage parts of the event store: tables, metadata and geometry blobs.

The store is written with :mod:`sqlite3` (for transactions northpic controls),
so this module creates the GeoPackage metadata tables itself and encodes
geometries as standard GeoPackage binary: the ``GP`` header, an optional
envelope, then ISO WKB from shapely. GDAL, pyogrio and QGIS read the result
as an ordinary GeoPackage. No spatial index is created: its triggers call
GDAL's SQL functions, which plain SQLite lacks.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Sequence

import numpy as np
import shapely

#: ``PRAGMA application_id`` of a GeoPackage ("GPKG").
APPLICATION_ID = 0x47504B47
#: ``PRAGMA user_version`` of GeoPackage 1.2.
USER_VERSION = 10200
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
    'AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],'
    'AUTHORITY["EPSG","4326"]]'
)

_METADATA_SQL = (
    """CREATE TABLE gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
        organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
        definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
        identifier TEXT UNIQUE, description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL,
        geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
        z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
    """CREATE TABLE gpkg_extensions (
        table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
        definition TEXT NOT NULL, scope TEXT NOT NULL,
        CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
    """CREATE TABLE gpkg_data_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT,
        description TEXT, mime_type TEXT, constraint_name TEXT,
        CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
        CONSTRAINT gdc_tn UNIQUE (table_name, name))""",
    """CREATE TABLE gpkg_data_column_constraints (
        constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT,
        min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN,
        description TEXT,
        CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))""",
)


def create_metadata(conn: sqlite3.Connection) -> None:
    """Create the GeoPackage metadata tables and the standard SRS rows.

    Call inside a write transaction on an empty database.
    """
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {USER_VERSION}")
    for sql in _METADATA_SQL:
        conn.execute(sql)
    conn.executemany(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian"),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic"),
            ("WGS 84 geodetic", 4326, "EPSG", 4326, _WGS84_WKT, "longitude/latitude, WGS 84"),
        ],
    )
    ensure_schema_extension(conn)


def ensure_schema_extension(conn: sqlite3.Connection) -> None:
    """Register the schema extension for both its tables, as the GeoPackage standard asks.

    Stores made by earlier versions registered it for ``gpkg_data_columns``
    only (GDAL's ``validate_gpkg.py`` refuses that, requirement 141); the
    missing row is added by their next write.
    """
    have = {row[0] for row in conn.execute(
        "SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_schema'")}
    conn.executemany(
        "INSERT INTO gpkg_extensions VALUES (?, NULL, 'gpkg_schema', ?, 'read-write')",
        [(table, "http://www.geopackage.org/spec/#extension_schema")
         for table in ("gpkg_data_columns", "gpkg_data_column_constraints") if table not in have],
    )


def register_feature_table(
    conn: sqlite3.Connection, table: str, geometry_column: str, description: str
) -> None:
    """Register ``table`` as a WGS 84 feature table of any geometry type."""
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
        "VALUES (?, 'features', ?, ?, 4326)",
        (table, table, description),
    )
    conn.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?, ?, 'GEOMETRY', 4326, 2, 0)",
        (table, geometry_column),
    )


def touch_contents(conn: sqlite3.Connection, table: str) -> None:
    """Record a change of ``table`` and its new extent in ``gpkg_contents``."""
    conn.execute(
        "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') "
        "WHERE table_name = ?",
        (table,),
    )


def set_extent(conn: sqlite3.Connection, table: str, bounds: Sequence[float] | None) -> None:
    """Store the table's bounding box (or NULLs when it is empty)."""
    values = list(bounds) if bounds is not None else [None] * 4
    conn.execute(
        "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? "
        "WHERE table_name = ?",
        (*values, table),
    )


def encode_geometries(geoms: Sequence[shapely.Geometry]) -> list[bytes]:
    """Encode shapely geometries as GeoPackage binary blobs (SRS 4326).

    Points get no envelope; other geometries an XY envelope, as GDAL writes.
    """
    wkbs = shapely.to_wkb(np.asarray(geoms, dtype=object), byte_order=1, flavor="iso")
    bounds = shapely.bounds(np.asarray(geoms, dtype=object))
    blobs = []
    for geom, wkb, box in zip(geoms, wkbs, bounds, strict=True):
        if geom.geom_type == "Point":
            header = struct.pack("<2sBBi", b"GP", 0, 0b0000_0001, 4326)
            blobs.append(header + wkb)
        else:
            header = struct.pack("<2sBBi", b"GP", 0, 0b0000_0011, 4326)
            minx, miny, maxx, maxy = box
            blobs.append(header + struct.pack("<4d", minx, maxx, miny, maxy) + wkb)
    return blobs


def decode_geometries(blobs: Sequence[bytes | None]) -> np.ndarray:
    """Decode GeoPackage binary blobs (from any writer) into shapely geometries."""
    wkbs: list[bytes | None] = []
    for blob in blobs:
        if blob is None:
            wkbs.append(None)
            continue
        if blob[:2] != b"GP":
            raise ValueError("not a GeoPackage geometry blob")
        flags = blob[3]
        envelope = (flags >> 1) & 0b111
        if envelope not in _ENVELOPE_BYTES:
            raise ValueError(f"bad GeoPackage envelope code {envelope}")
        wkbs.append(blob[8 + _ENVELOPE_BYTES[envelope]:])
    return shapely.from_wkb(np.asarray(wkbs, dtype=object))
