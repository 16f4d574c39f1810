"""The one GeoJSON (RFC 7946) writer: exports, ``seaice edge``, ``ais detect``, ``events list``.

Every GeoJSON northpic writes goes through here, so every one is RFC 7946:

* coordinates in longitude/latitude on WGS 84 (EPSG:4326), no ``crs``
  member;
* lines and polygons cut at the antimeridian, polygon exteriors
  counter-clockwise and holes clockwise
  (:func:`northpic.export.prepare.rfc7946_geometry`, which keeps
  pole-enclosing polygons with holes whole);
* times as ISO 8601 UTC strings (``2026-01-15T00:00:00Z``).

Files are written by GDAL's GeoJSON driver with ``RFC7946=YES`` (seven
decimals, a ``bbox`` per feature); :func:`feature_collection` builds the
same features as a Python dict for text output. An export's files carry
its marking as a foreign member ``"marking"`` of the FeatureCollection
(RFC 7946, section 6.1), and each feature its marking fields.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from northpic.export.csv import iso_utc
from northpic.export.marking import GEOJSON_MARKING_MEMBER
from northpic.export.prepare import ExportLayer, caveat_for, rfc7946_geometry
from northpic.markings import ProductMarking

#: shapely type ids of Polygon, MultiPolygon and GeometryCollection.
_POLYGONAL = (3, 6, 7)


def _rfc7946_geometries(geoms: np.ndarray) -> np.ndarray:
    """Apply :func:`rfc7946_geometry` to the geometries that cross 180 degrees, orient the rest.

    Vectorised: only geometries with consecutive vertices more than 180
    degrees of longitude apart go through the per-geometry cut; polygons
    are oriented in one call.
    """
    geoms = np.array(geoms, dtype=object)
    if geoms.size == 0:
        return geoms
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    jump = (np.abs(np.diff(coords[:, 0])) > 180) & (owner[1:] == owner[:-1])
    crossing = np.zeros(len(geoms), dtype=bool)
    crossing[owner[1:][jump]] = True
    for i in np.flatnonzero(crossing):
        geoms[i] = rfc7946_geometry(geoms[i])
    shaped = np.isin(shapely.get_type_id(geoms), _POLYGONAL) & ~crossing
    if shaped.any():
        geoms[shaped] = shapely.orient_polygons(geoms[shaped], exterior_cw=False)
    return geoms


def rfc7946_frame(frame: gpd.GeoDataFrame, *, times: bool = True) -> gpd.GeoDataFrame:
    """Return a copy of ``frame`` in EPSG:4326 with RFC 7946 geometry.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Any CRS (none means EPSG:4326).
    times : bool
        Turn datetime columns into ISO 8601 UTC strings.

    Returns
    -------
    geopandas.GeoDataFrame
        Lines and polygons cut at 180 degrees, exteriors counter-clockwise,
        holes clockwise; points unchanged.
    """
    out = frame.set_crs("EPSG:4326") if frame.crs is None else frame.to_crs("EPSG:4326")
    out = out.copy()
    name = out.geometry.name
    out[name] = _rfc7946_geometries(out.geometry.to_numpy())
    if times:
        for column in out.columns:
            if column != name and str(out[column].dtype).startswith("datetime64"):
                out[column] = iso_utc(out[column])
    return out


def feature_collection(
    frame: gpd.GeoDataFrame,
    *,
    properties: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    id_column: str | None = None,
) -> dict[str, Any]:
    """Build an RFC 7946 FeatureCollection dict from ``frame``.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Features; geometry is made RFC 7946 by :func:`rfc7946_frame`.
    properties : callable, optional
        Turns one row's ``{column: value}`` into the feature's properties
        (values must be JSON-ready); default: the row as it is.
    id_column : str, optional
        Property that becomes the feature's ``id``.

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": [...]}``, no ``crs``.
    """
    out = rfc7946_frame(frame, times=False)
    geometry = out.geometry.name
    columns = [c for c in out.columns if c != geometry]
    features = []
    for row, geom in zip(out[columns].itertuples(index=False, name=None), out.geometry,
                         strict=True):
        props = dict(zip(columns, row, strict=True))
        if properties is not None:
            props = properties(props)
        feature: dict[str, Any] = {"type": "Feature"}
        if id_column is not None and props.get(id_column) is not None:
            feature["id"] = props[id_column]
        feature["properties"] = props
        feature["geometry"] = None if geom is None else shapely.geometry.mapping(geom)
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def write_geojson_file(
    frame: gpd.GeoDataFrame, path: str | Path, *, layer: str | None = None,
    description: str | None = None, times: bool = False, use_arrow: bool = False,
    foreign_members: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``frame`` to ``path`` as one RFC 7946 GeoJSON file.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Features in any CRS.
    path : str or pathlib.Path
        The file to write (callers write to a temporary name and move it).
    layer : str, optional
        The collection's ``name`` (default: the file's stem).
    description : str, optional
        The collection's ``description``.
    times : bool
        Write datetime columns as ISO 8601 UTC strings (``...Z``) rather
        than as GDAL DateTime fields.
    use_arrow : bool
        Hand the columns to GDAL through Arrow (faster for large frames of
        plain types).
    foreign_members : mapping, optional
        Members added to the FeatureCollection (RFC 7946 section 6.1), such
        as a product's ``marking``; values must be JSON-ready.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import pyogrio

    path = Path(path)
    options = {"RFC7946": "YES", "WRITE_BBOX": "YES"}
    if description:
        options["DESCRIPTION"] = description
    if foreign_members:
        options["FOREIGN_MEMBERS_COLLECTION"] = json.dumps(dict(foreign_members))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        pyogrio.write_dataframe(
            rfc7946_frame(frame, times=times), path, driver="GeoJSON", layer=layer or path.stem,
            layer_options=options, use_arrow=use_arrow,
        )
    return path


def write_geojson(
    layers: list[ExportLayer], folder: Path, *, metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
) -> list[str]:
    """Write ``NAME.geojson`` for each layer into the new ``folder``.

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
        The export's marking: every file's foreign member ``"marking"``.

    Returns
    -------
    list of str
        The file names written, in order.
    """
    names = []
    members = ({GEOJSON_MARKING_MEMBER: marking.as_dict()} if marking is not None
               else None)
    for layer in layers:
        name = f"{layer.name}.geojson"
        description = " ".join(filter(None, [layer.spec.description, caveat_for(layer.spec)]))
        write_geojson_file(layer.frame, folder / name, layer=layer.name, description=description,
                           foreign_members=members)
        names.append(name)
    return names
