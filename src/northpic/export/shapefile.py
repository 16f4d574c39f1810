"""Write one zipped Shapefile per layer into a folder, with its field names mapped.

A dBASE field name has at most 10 characters, text at most 254 bytes, and
no date-time type. So each ``NAME.zip`` holds ``NAME.shp/.shx/.dbf/.prj/.cpg``
(UTF-8), times as ISO 8601 UTC text, long field names shortened by
:func:`shapefile_field_names` and a ``FIELDS.txt`` that maps every short
name back to the full one; the marking fields are ``classif``
(classification), ``releasabil`` (releasability) and ``originator``, and the
README.txt inside opens and ends with the export's banner. A layer of mixed
geometry becomes one Shapefile per geometry family in the same zip
(``NAME_points``, ``NAME_lines``...).
GDAL reads the zips directly (``/vsizip/NAME.zip``), as do QGIS and ArcGIS.
"""

from __future__ import annotations

import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from northpic.errors import UnsupportedFormatError
from northpic.export.csv import iso_utc
from northpic.export.prepare import ExportLayer, split_by_geometry
from northpic.export.readme import describe_export
from northpic.markings import ProductMarking

MAX_FIELD_NAME = 10
MAX_TEXT_BYTES = 254
FIELDS_NAME = "FIELDS.txt"
#: Fixed short names for the common and marking columns that are too long.
FIXED_NAMES = {"precision_km": "prec_km", "classification": "classif",
               "releasability": "releasabil"}
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def shapefile_field_names(columns: Iterable[str]) -> dict[str, str]:
    """Map field names to unique dBASE names of at most 10 characters.

    Names that fit are kept; :data:`FIXED_NAMES` are used for the common
    columns; any other long name is cut to 10 characters, and when two cut
    names collide the later gets ``_2``, ``_3``... in place of its last
    characters. The mapping depends only on the column order.

    Parameters
    ----------
    columns : iterable of str
        Field names in order.

    Returns
    -------
    dict of str to str
        Full name to short name, in the same order.

    Examples
    --------
    >>> names = shapefile_field_names(["precision_km", "operational_status", "operational_since"])
    >>> list(names.values())
    ['prec_km', 'operationa', 'operatio_2']
    """
    columns = list(columns)
    taken = {c.lower() for c in columns if len(c) <= MAX_FIELD_NAME}
    mapping: dict[str, str] = {}
    for column in columns:
        if len(column) <= MAX_FIELD_NAME:
            mapping[column] = column
            continue
        short = FIXED_NAMES.get(column, column[:MAX_FIELD_NAME])
        n = 1
        while short.lower() in taken:
            n += 1
            suffix = f"_{n}"
            short = column[: MAX_FIELD_NAME - len(suffix)] + suffix
        taken.add(short.lower())
        mapping[column] = short
    return mapping


def _dbf_table(table: ExportLayer) -> tuple[pd.DataFrame, dict[str, str], dict[str, int]]:
    """Return the records with times as text and short names, the mapping, and cut counts."""
    frame = table.frame.copy()
    geometry = frame.geometry.name
    for column in frame.columns:
        if column != geometry and pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = iso_utc(frame[column])
    columns = [c for c in frame.columns if c != geometry]
    mapping = shapefile_field_names(columns)
    truncated = {}
    for column in columns:
        series = frame[column]
        if pd.api.types.is_string_dtype(series) or series.dtype == object:
            too_long = series.dropna().map(lambda v: len(str(v).encode("utf-8")) > MAX_TEXT_BYTES)
            if too_long.any():
                truncated[column] = int(too_long.sum())
    frame = frame.rename(columns=mapping)
    return frame, mapping, truncated


def _fields_text(
    layer: ExportLayer, tables: list[tuple[str, dict[str, str], dict[str, int]]]
) -> str:
    lines = [f"Field names of {layer.spec.title} ({layer.name})", "",
             "A Shapefile field name has at most 10 characters. Short name -> full name:", ""]
    for name, mapping, truncated in tables:
        lines.append(f"{name}.shp")
        width = max((len(s) for s in mapping.values()), default=0)
        for full, short in mapping.items():
            mark = "" if full == short else "   (shortened)"
            lines.append(f"  {short:<{width}}  {full}{mark}")
        for full, count in truncated.items():
            lines.append(
                f"  note: {count} value(s) of {full} are longer than {MAX_TEXT_BYTES} bytes and"
                " are cut in the .dbf; the GeoPackage, GeoJSON and CSV exports keep them whole"
            )
        lines.append("")
    lines += ["Times (valid_from, valid_to, ...) are ISO 8601 UTC text, such as",
              "2026-01-15T00:00:00Z, because dBASE has no date-time type.",
              "Coordinates: WGS 84 longitude/latitude (EPSG:4326)."]
    return "\n".join(lines) + "\n"


def write_shapefile_zip(
    layer: ExportLayer, path: Path, *, metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
) -> list[str]:
    """Write one layer as a zip of Shapefiles (one per geometry family) at ``path``.

    Parameters
    ----------
    layer : ExportLayer
        A prepared layer.
    path : pathlib.Path
        The ``.zip`` to create.
    metadata : mapping, optional
        Export-wide provenance for the README inside the zip.
    marking : ProductMarking, optional
        The export's marking, first and last in that README.

    Returns
    -------
    list of str
        The Shapefile names inside the zip.

    Raises
    ------
    UnsupportedFormatError
        If the layer holds geometry collections, which a Shapefile cannot.
    """
    import pyogrio

    tables = split_by_geometry(layer.name, layer.spec, layer.frame)
    written = []
    with tempfile.TemporaryDirectory(dir=path.parent) as work, \
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            if table.name.endswith("_collections"):
                raise UnsupportedFormatError(
                    f"layer {layer.name!r} holds geometry collections, which a Shapefile "
                    "cannot store; export it as gpkg, geojson or parquet"
                )
            frame, mapping, truncated = _dbf_table(table)
            kwargs = {}
            if len(frame) == 0:
                kwargs["geometry_type"] = {"point": "Point", "line": "LineString"}.get(
                    layer.spec.geometry, "Polygon"
                )
            target = Path(work) / f"{table.name}.shp"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on cut text
                pyogrio.write_dataframe(
                    frame, target, driver="ESRI Shapefile", encoding="UTF-8",
                    promote_to_multi=None, **kwargs,
                )
            for suffix in _SHAPEFILE_PARTS:
                part = target.with_suffix(suffix)
                if part.exists():
                    archive.write(part, part.name)
            written.append((table.name, mapping, truncated))
        archive.writestr(FIELDS_NAME, _fields_text(layer, written))
        archive.writestr("README.txt", describe_export([layer], metadata or {}, marking))
    return [f"{name}.shp" for name, _, _ in written]


def write_shapefiles(
    layers: list[ExportLayer], folder: Path, *, metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
) -> list[str]:
    """Write ``NAME.zip`` for each layer into the new ``folder``.

    Returns
    -------
    list of str
        The zip file names written, in order.
    """
    names = []
    for layer in layers:
        name = f"{layer.name}.zip"
        write_shapefile_zip(layer, folder / name, metadata=metadata, marking=marking)
        names.append(name)
    return names
