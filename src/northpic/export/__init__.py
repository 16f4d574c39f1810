"""GIS exports of the picture: GeoPackage, KML, GeoJSON, GeoParquet, Shapefile, CSV.

Each format has its own writer module; :mod:`northpic.export.api` holds the
registry and the entry points. Writers take prepared layers and a path and
are the only code here that touches files.
"""

from __future__ import annotations

from northpic.export.api import (
    FORMATS,
    ExportFormat,
    check_output,
    export_layers,
    export_picture,
    get_format,
)

__all__ = [
    "FORMATS",
    "ExportFormat",
    "check_output",
    "export_layers",
    "export_picture",
    "get_format",
]
