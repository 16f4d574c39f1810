"""Write the picture as one GeoPackage that QGIS opens styled and time-aware.

One table per layer (a layer of mixed geometry becomes one table per
geometry family), EPSG:4326, ``valid_from``/``valid_to`` as real DateTime
fields. Each table's style is stored as QML in the ``layer_styles`` table
QGIS reads (and writes) itself, with the temporal controller switched on;
the layer's title and description go into ``gpkg_contents`` and its
provenance into ``gpkg_metadata``/``gpkg_metadata_reference``.

The export's marking (``marking``, ``prepared_for``, ``releasability``...:
:meth:`northpic.markings.ProductMarking.as_dict`) is in the dataset's
metadata and in every table's; each record keeps its marking fields
(``classification``, ``releasability``, ``originator``). ``ogrinfo -so
FILE`` shows the dataset's, ``ogrinfo -so FILE TABLE`` a table's.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from northpic.export.prepare import ExportLayer, caveat_for, split_by_geometry
from northpic.export.styles import qml_style
from northpic.markings import ProductMarking

#: The table of styles QGIS looks for in a GeoPackage.
STYLES_TABLE = "layer_styles"
GEOMETRY_COLUMN = "geom"
#: GeoPackage version written: 1.2 opens in every GDAL (and QGIS) of the last years.
GPKG_VERSION = "1.2"
_EMPTY_GEOMETRY = {"point": "Point", "line": "LineString", "polygon": "Polygon"}
_FAMILY_OF_SPEC = {"point": "points", "line": "lines", "polygon": "polygons"}
_MAX_SOURCES = 50


def layer_provenance(layer: ExportLayer) -> dict[str, str]:
    """Return the provenance of one table as GeoPackage metadata items.

    Parameters
    ----------
    layer : ExportLayer
        The table to describe.

    Returns
    -------
    dict of str to str
        ``title``, ``description``, ``nature``, ``caveat`` (for approximate
        data), ``sources`` (the distinct ``source`` citations, one a line),
        ``features`` and ``crs``.
    """
    spec = layer.spec
    sources = pd.unique(layer.frame["source"].dropna().astype(str)) if len(layer.frame) else []
    listed = "\n".join(sources[:_MAX_SOURCES])
    if len(sources) > _MAX_SOURCES:
        listed += f"\n... and {len(sources) - _MAX_SOURCES} more (see each feature's source)"
    items = {
        "title": spec.title,
        "description": spec.description,
        "domain": spec.domain,
        "nature": spec.nature,
        "sources": listed,
        "features": str(len(layer.frame)),
        "crs": "EPSG:4326",
    }
    caveat = caveat_for(spec)
    if caveat:
        items["caveat"] = caveat
    return items


def _style_rows(tables: list[ExportLayer]) -> gpd.GeoDataFrame:
    now = pd.Timestamp(datetime.now(UTC))
    rows = []
    for table in tables:
        family = table.family or _FAMILY_OF_SPEC.get(table.spec.geometry)
        if family not in ("points", "lines", "polygons"):
            continue  # geometry collections: QGIS splits them itself; no one-symbol style fits
        rows.append({
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": table.name,
            "f_geometry_column": GEOMETRY_COLUMN,
            "styleName": table.name,
            "styleQML": qml_style(table.spec, family),
            "styleSLD": "",
            "useAsDefault": True,
            "description": f"{table.spec.title} (northpic)",
            "owner": "",
            "ui": None,
            "update_time": now,
        })
    frame = pd.DataFrame(rows, columns=[
        "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
        "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time",
    ])
    frame["useAsDefault"] = frame["useAsDefault"].astype(bool)
    frame["update_time"] = pd.to_datetime(frame["update_time"], utc=True)
    return gpd.GeoDataFrame(frame, geometry=None)


def write_gpkg(
    layers: list[ExportLayer], path: Path, *, metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
) -> list[str]:
    """Write prepared layers into a new GeoPackage at ``path``.

    Parameters
    ----------
    layers : list of ExportLayer
        Prepared layers (see :func:`northpic.export.prepare.prepare_layer`).
    path : pathlib.Path
        A ``.gpkg`` file that does not exist yet.
    metadata : mapping, optional
        Dataset-level provenance (stored in ``gpkg_metadata``).
    marking : ProductMarking, optional
        The export's marking, stored with every table's metadata too.

    Returns
    -------
    list of str
        The feature tables written, in order (``layer_styles`` not included).
    """
    import pyogrio

    tables = [t for layer in layers for t in split_by_geometry(layer.name, layer.spec, layer.frame)]
    dataset_metadata = dict(metadata or {})
    marks = marking.as_dict() if marking is not None else {}
    dataset_metadata.update(marks)
    for i, table in enumerate(tables):
        spec = table.spec
        options = {
            "IDENTIFIER": spec.title if table.name == spec.name else f"{spec.title} ({table.name})",
            "DESCRIPTION": " ".join(filter(None, [spec.description, caveat_for(spec)])),
            "GEOMETRY_NAME": GEOMETRY_COLUMN,
            "FID": "fid",
        }
        kwargs = {}
        if len(table.frame) == 0:
            kwargs["geometry_type"] = _EMPTY_GEOMETRY.get(spec.geometry, "Unknown")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            pyogrio.write_dataframe(
                table.frame, path, driver="GPKG", layer=table.name, promote_to_multi=None,
                layer_options=options,
                dataset_options={"VERSION": GPKG_VERSION} if i == 0 else None,
                dataset_metadata=dataset_metadata if i == 0 else None,
                layer_metadata={**layer_provenance(table), **marks},
                **kwargs,
            )
    pyogrio.write_dataframe(
        _style_rows(tables), path, driver="GPKG", layer=STYLES_TABLE,
        layer_options={"FID": "id", "DESCRIPTION": "QGIS layer styles (QML), one per table"},
        **({"dataset_options": {"VERSION": GPKG_VERSION}} if not tables else {}),
    )
    return [t.name for t in tables]
