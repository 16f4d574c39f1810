"""Write one CSV per layer into a folder, geometry as WKT in the first column.

Each ``NAME.csv`` has a ``WKT`` column (longitude/latitude, WGS 84) and the
layer's fields; times are ISO 8601 UTC (``2026-01-15T00:00:00Z``). A
``NAME.csvt`` beside it gives GDAL, QGIS and ogr2ogr the field types, so
they read the times as DateTime and the WKT as geometry; spreadsheets just
see text. northpic reads these files back itself
(:func:`northpic.io.layer_files.read_layer_file`).

Text is made safe for spreadsheets (CSV or formula injection, after
OWASP's guidance): a text cell or header that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a single quote in front
(``'=HYPERLINK(...)``), so Excel, LibreOffice and Google Sheets show it as
text instead of running it. Numeric columns are written as numbers and are
never changed (a ``-2.5`` stays ``-2.5``); only text columns are. Rows
end in CRLF (RFC 4180), so a line break inside a cell is always quoted.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import shapely

from northpic.export.prepare import ExportLayer
from northpic.markings import ProductMarking

GEOMETRY_COLUMN = "WKT"
#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Decimal places of WKT coordinates: 7 is about 1 cm, as in RFC 7946 GeoJSON.
WKT_DECIMALS = 7


def _csvt_type(series: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(series):
        return "DateTime"
    if pd.api.types.is_bool_dtype(series):
        return "Integer(Boolean)"
    if pd.api.types.is_integer_dtype(series):
        return "Integer64"
    if pd.api.types.is_float_dtype(series):
        return "Real"
    return "String"


def iso_utc(series: pd.Series) -> pd.Series:
    """Format a UTC datetime column as ISO 8601 text with a ``Z``; NaT becomes empty."""
    values = series.dt.tz_convert("UTC") if series.dt.tz is not None else series
    text = values.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return text.where(series.notna(), None)


def neutralise_formula(value: object) -> object:
    """Return a text value a spreadsheet will not run: a quote before a formula trigger.

    Examples
    --------
    >>> neutralise_formula("=SUM(1+1)")
    "'=SUM(1+1)"
    >>> neutralise_formula("-2+3+cmd|x"), neutralise_formula("Ørland"), neutralise_formula(-2.5)
    ("'-2+3+cmd|x", 'Ørland', -2.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _safe_text_column(series: pd.Series) -> pd.Series:
    if series.dtype != object and not pd.api.types.is_string_dtype(series):
        return series  # numbers, booleans: written as they are
    return series.map(neutralise_formula, na_action="ignore")


def layer_table(layer: ExportLayer) -> tuple[pd.DataFrame, list[str]]:
    """Return a layer as a plain table (WKT first, times as text) and its GDAL types."""
    frame = layer.frame
    geometry = frame.geometry.name
    table = pd.DataFrame({
        GEOMETRY_COLUMN: shapely.to_wkt(
            frame.geometry.to_numpy(), rounding_precision=WKT_DECIMALS, trim=True
        )
    })
    types = ["WKT"]
    for column in frame.columns:
        if column == geometry:
            continue
        series = frame[column]
        types.append(_csvt_type(series))
        if pd.api.types.is_datetime64_any_dtype(series):
            series = iso_utc(series)
        else:
            series = _safe_text_column(series)
        # a nullable integer column's to_numpy() is float64: 273456789 would be written
        # "273456789.0" and 2**53 + 1 rounded; as objects the integers stay exact
        values = (series.astype(object).to_numpy()
                  if pd.api.types.is_extension_array_dtype(series) else series.to_numpy())
        table[str(neutralise_formula(column))] = values
    return table, types


def write_csv(
    layers: list[ExportLayer], folder: Path, *, metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
) -> list[str]:
    """Write ``NAME.csv`` and ``NAME.csvt`` for each layer into ``folder``.

    Parameters
    ----------
    layers : list of ExportLayer
        Prepared layers.
    folder : pathlib.Path
        An existing, empty folder.
    metadata : mapping, optional
        Export-wide provenance (unused here: :func:`~northpic.export.api.export_layers`
        writes the folder's README.txt).
    marking : ProductMarking, optional
        Unused too: each record's marking fields are columns, and the
        export's marking is in the README.txt.

    Returns
    -------
    list of str
        The CSV file names written, in order.
    """
    names = []
    for layer in layers:
        table, types = layer_table(layer)
        name = f"{layer.name}.csv"
        # RFC 4180 line ends: a carriage return inside a cell is then quoted, not a row break
        table.to_csv(folder / name, index=False, encoding="utf-8", lineterminator="\r\n")
        (folder / f"{layer.name}.csvt").write_text(
            ",".join(f'"{t}"' for t in types) + "\n", encoding="utf-8"
        )
        names.append(name)
    return names
