"""Read layer records from GeoJSON, GeoPackage and CSV files.

The readers return raw :class:`geopandas.GeoDataFrame` objects in EPSG:4326;
validation against the schema is :mod:`northpic.schema`'s job. Text files
(CSV, GeoJSON) must be UTF-8: binary data is refused after its first bytes
(see :mod:`northpic.io.text`).
"""

from __future__ import annotations

import io
import json
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.errors import DataFileError, Problem, SchemaError, UnsupportedFormatError
from northpic.io.text import SNIFF_BYTES, read_text_file, refuse_binary
from northpic.schema import MULTILINE_FIELDS, STORAGE_CRS, record_label, value_text_problem

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg")
CSV_SUFFIXES = (".csv",)
LAT_NAMES = ("lat", "latitude", "y")
LON_NAMES = ("lon", "lng", "long", "longitude", "x")
# JSON escapes of what GDAL cannot carry into a frame: NUL (it ends a C string) and
# lone surrogates (not UTF-8)
_LOST_IN_GDAL = re.compile(r"\\u(0000|d[89a-f][0-9a-f]{2})", re.IGNORECASE)


def _refuse_lost_text(path: Path) -> None:
    """Name the records of a GeoJSON file whose text GDAL would silently cut or mangle."""
    text = read_text_file(path)
    if not _LOST_IN_GDAL.search(text):
        return
    try:
        doc = json.loads(text)
    except (RecursionError, ValueError):
        return  # GDAL says what is wrong with the file
    features = doc.get("features") if isinstance(doc, dict) else None
    problems = []
    for pos, item in enumerate(features if isinstance(features, list) else [doc]):
        props = item.get("properties") if isinstance(item, dict) else None
        if not isinstance(props, dict):
            continue
        rid = props.get("id")
        label = repr(rid) if isinstance(rid, str) and rid.strip() else f"#{pos + 1}"
        for name, value in props.items():
            in_name = value_text_problem(name)
            in_value = value_text_problem(value, multiline=name in MULTILINE_FIELDS)
            if in_name:
                problems.append(Problem(str(path), label, f"field name {name!r} {in_name}"))
            elif in_value:
                problems.append(Problem(str(path), label, f"field {name!r} {in_value}"))
    if problems:
        raise SchemaError(problems)


def _refuse_text(path: Path, table: pd.DataFrame, parsed: list[tuple[str, pd.Series]]) -> None:
    """Raise SchemaError naming each record whose coordinate is text, not a number."""
    text = {name: numbers.isna().to_numpy() & table[name].notna().to_numpy()
            for name, numbers in parsed}
    problems = [
        Problem(str(path), record_label(table, int(pos)),
                f"{name} {table[name].iloc[pos]!r} is not a number")
        for pos in np.flatnonzero(np.logical_or.reduce(list(text.values())))
        for name, bad in text.items() if bad[pos]
    ]
    if problems:
        raise SchemaError(problems)


def _frame_from_csv(path: Path) -> gpd.GeoDataFrame:
    text = read_text_file(path)
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataFileError(str(path), f"cannot read CSV: {exc}") from None
    columns = {c.lower(): c for c in table.columns}
    lat = next((columns[n] for n in LAT_NAMES if n in columns), None)
    lon = next((columns[n] for n in LON_NAMES if n in columns), None)
    if lat and lon:
        lat_values = pd.to_numeric(table[lat], errors="coerce")
        lon_values = pd.to_numeric(table[lon], errors="coerce")
        _refuse_text(path, table, [(lat, lat_values), (lon, lon_values)])
        geometry = [
            None if pd.isna(x) or pd.isna(y) else shapely.Point(x, y)
            for x, y in zip(lon_values, lat_values, strict=True)
        ]
        table = table.drop(columns=[lat, lon])
    elif "wkt" in columns or "geometry" in columns:
        column = columns.get("wkt") or columns["geometry"]
        geometry = []
        for text in table[column]:
            try:
                geometry.append(None if pd.isna(text) else shapely.from_wkt(text))
            except shapely.errors.GEOSException:
                geometry.append(None)
        table = table.drop(columns=[column])
    else:
        raise DataFileError(
            str(path), "CSV needs lat and lon columns (or a WKT 'geometry' column)"
        )
    if "precision_km" in table.columns:
        numeric = pd.to_numeric(table["precision_km"], errors="coerce")
        # keep unparseable text so validation can name it
        table["precision_km"] = table["precision_km"].where(numeric.isna(), numeric).astype(object)
    return gpd.GeoDataFrame(table, geometry=geometry, crs=STORAGE_CRS)


def _frame_from_vector(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    import pyogrio

    if path.suffix.lower() != ".gpkg":  # GeoJSON is text: refuse binary data before GDAL
        try:
            with path.open("rb") as handle:
                refuse_binary(handle.read(SNIFF_BYTES), str(path))
        except OSError as exc:
            if isinstance(exc, DataFileError):
                raise
            raise DataFileError(str(path), f"cannot read: {exc.strerror or exc}") from None
        _refuse_lost_text(path)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pyogrio.read_dataframe(
                path, layer=layer, datetime_as_string=True, on_invalid="warn"
            )
    except Exception as exc:  # pyogrio raises several GDAL error classes
        raise DataFileError(str(path), f"cannot read: {exc}") from exc
    if frame.crs is None:
        frame = frame.set_crs(STORAGE_CRS)
    elif not frame.crs.equals(STORAGE_CRS):
        frame = frame.to_crs(STORAGE_CRS)
    return frame


def read_layer_file(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read the records of one layer file without validating them.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.geojson``/``.json``, ``.gpkg`` or ``.csv`` file. A CSV needs
        ``lat``/``lon`` columns or a WKT ``geometry`` column.
    layer : str, optional
        Table to read from a GeoPackage with several tables.

    Returns
    -------
    geopandas.GeoDataFrame
        Records in EPSG:4326, in file order; times left as strings.

    Raises
    ------
    DataFileError
        If the file is missing, unreadable or malformed.
    UnsupportedFormatError
        If the extension is not one of the above.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in VECTOR_SUFFIXES + CSV_SUFFIXES:
        raise UnsupportedFormatError(
            f"{path}: unsupported file type {suffix or '(none)'}; "
            f"use one of {', '.join(VECTOR_SUFFIXES + CSV_SUFFIXES)}"
        )
    if not path.is_file():
        raise DataFileError(str(path), "no such file")
    if suffix in CSV_SUFFIXES:
        return _frame_from_csv(path)
    return _frame_from_vector(path, layer)


def list_tables(path: str | Path) -> list[str]:
    """Return the table names of a GeoPackage (or the single layer of another file)."""
    import pyogrio

    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:
        raise DataFileError(str(path), f"cannot read: {exc}") from exc
