"""Make layer frames ready to write: provenance labels, RFC 7946 geometry, one geometry kind.

Every export format gets the same records: the layer's columns plus a
``nature`` field (``authored``, ``schematic``, ``climatology``...) so
approximate and modelled data stay labelled outside northpic; geometry in
EPSG:4326 with lines and polygons cut at the antimeridian and polygons
wound counter-clockwise (the right-hand rule of RFC 7946).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from northpic.catalogue import CAVEATS, LayerSpec
from northpic.geodesic import cut_at_antimeridian
from northpic.schema import COMMON_COLUMNS, STORAGE_CRS

#: Geometry families a table of one geometry kind can hold, by shapely type.
GEOMETRY_FAMILIES: dict[str, str] = {
    "Point": "points",
    "MultiPoint": "points",
    "LineString": "lines",
    "MultiLineString": "lines",
    "Polygon": "polygons",
    "MultiPolygon": "polygons",
}
#: The column every exported record gets after the common ones.
NATURE_COLUMN = "nature"


@dataclass(frozen=True)
class ExportLayer:
    """One table (or file) of an export.

    Attributes
    ----------
    name : str
        Table or file name: the layer name, with ``_points``/``_lines``/
        ``_polygons`` appended when a layer of mixed geometry is split.
    spec : LayerSpec
        The catalogue entry (title, style, nature, description).
    frame : geopandas.GeoDataFrame
        The records, made ready by :func:`prepare_layer`.
    """

    name: str
    spec: LayerSpec
    frame: gpd.GeoDataFrame

    @property
    def family(self) -> str | None:
        """``points``, ``lines`` or ``polygons`` when every record is of one; else None."""
        families = {GEOMETRY_FAMILIES.get(t) for t in self.frame.geom_type.dropna().unique()}
        return families.pop() if len(families) == 1 else None


def caveat_for(spec: LayerSpec) -> str | None:
    """Return the sentence that labels approximate or modelled data, or None."""
    text = CAVEATS.get(spec.nature)
    return text[1] if text else None


def _crosses(coords: np.ndarray) -> bool:
    return bool(len(coords) > 1 and np.any(np.abs(np.diff(coords[:, 0])) > 180))


def rfc7946_geometry(geom: BaseGeometry | None) -> BaseGeometry | None:
    """Return ``geom`` as RFC 7946 wants it: cut at 180 degrees, exteriors counter-clockwise.

    Parameters
    ----------
    geom : shapely geometry or None
        In longitude/latitude.

    Returns
    -------
    shapely geometry or None
        Lines whose consecutive vertices jump across the antimeridian are
        split there; polygons that cross it are split with the
        ``antimeridian`` package; polygon exteriors are counter-clockwise
        and holes clockwise.

    Examples
    --------
    >>> import shapely
    >>> cut = rfc7946_geometry(shapely.LineString([(170, 70), (-170, 70)]))
    >>> cut.geom_type, sorted(round(p.coords[-1][0]) for p in cut.geoms)
    ('MultiLineString', [-170, 180])
    """
    if geom is None or geom.is_empty:
        return geom
    kind = geom.geom_type
    if kind in ("LineString", "MultiLineString"):
        return cut_at_antimeridian(geom)
    if kind in ("Polygon", "MultiPolygon"):
        rings = shapely.get_rings(shapely.get_parts(geom))
        if any(_crosses(np.asarray(r.coords)) for r in rings):
            import antimeridian

            geom = antimeridian.fix_shape(geom)
            geom = shapely.geometry.shape(geom) if isinstance(geom, dict) else geom
        return shapely.orient_polygons(geom, exterior_cw=False)
    if kind == "GeometryCollection":
        parts = [rfc7946_geometry(g) for g in shapely.get_parts(geom)]
        return shapely.GeometryCollection(parts)
    return geom


def _text_safe(series: pd.Series) -> pd.Series:
    """Turn an object column of mixed values into text (lists and dicts as JSON)."""
    values = series.dropna()
    if values.map(lambda v: isinstance(v, str)).all():
        return series

    def as_text(value: Any) -> Any:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        if isinstance(value, list | tuple | dict):
            return json.dumps(value, ensure_ascii=False, default=str)
        return str(value)

    return series.map(as_text).astype(object)


def prepare_layer(frame: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Return a copy of a layer frame ready for every export format.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A validated layer frame (see :mod:`northpic.schema`).
    spec : LayerSpec
        Its catalogue entry; ``spec.nature`` fills the ``nature`` column.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, the common columns, ``nature``, the layer's own
        columns, then geometry (see :func:`rfc7946_geometry`); the index is
        reset.
    """
    private = [c for c in frame.columns if str(c).startswith("_")]  # page-only columns
    out = frame.drop(columns=private).reset_index(drop=True)
    if out.crs is None:
        out = out.set_crs(STORAGE_CRS)
    elif not out.crs.equals(STORAGE_CRS):
        out = out.to_crs(STORAGE_CRS)
    out = out.copy()
    out[NATURE_COLUMN] = spec.nature
    geometry = out.geometry.name
    for column in out.columns:
        if column != geometry and out[column].dtype == object:
            out[column] = _text_safe(out[column])
    shaped = ~out.geom_type.isin(["Point", "MultiPoint"]).to_numpy()  # points need nothing
    if shaped.any():
        out.loc[shaped, geometry] = [rfc7946_geometry(g) for g in out.geometry[shaped]]
    common = [c for c in COMMON_COLUMNS if c in out.columns]
    own = [c for c in out.columns if c not in common and c not in (NATURE_COLUMN, geometry)]
    return gpd.GeoDataFrame(
        out[[*common, NATURE_COLUMN, *own, geometry]], geometry=geometry, crs=STORAGE_CRS
    )


def split_by_geometry(name: str, spec: LayerSpec, frame: gpd.GeoDataFrame) -> list[ExportLayer]:
    """Split a prepared layer into tables of one geometry family each.

    Formats whose tables hold one geometry kind (GeoPackage as QGIS reads
    it, Shapefile) get ``NAME`` when every record is of one family, else
    ``NAME_points``, ``NAME_lines`` and ``NAME_polygons``.

    Parameters
    ----------
    name : str
        The layer name.
    spec : LayerSpec
        Its catalogue entry.
    frame : geopandas.GeoDataFrame
        Prepared records (see :func:`prepare_layer`).

    Returns
    -------
    list of ExportLayer
        In the order points, lines, polygons (then ``NAME_collections`` for
        geometry collections); an empty layer stays one table.
    """
    families = frame.geom_type.map(GEOMETRY_FAMILIES).fillna("collections")
    order = ("points", "lines", "polygons", "collections")
    present = [f for f in order if (families == f).any()]
    if len(present) <= 1:
        return [ExportLayer(name, spec, frame)]
    return [
        ExportLayer(f"{name}_{family}", spec, frame[(families == family).to_numpy()])
        for family in present
    ]
