"""Write AIS events and tracks as GeoJSON: atomically, never over a file unasked."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from northpic.atomic import atomic_output, ensure_parent
from northpic.errors import OutputExistsError, UnsupportedFormatError
from northpic.export.marking import GEOJSON_MARKING_MEMBER


def check_writable(path: Path, overwrite: bool, mkdir: bool = False) -> None:
    """Refuse a bad output ``path`` before any work.

    That is an existing file (unless ``overwrite``), a non-GeoJSON name, or
    a missing folder (created with ``mkdir``).
    """
    if path.suffix.lower() not in (".geojson", ".json"):
        raise UnsupportedFormatError(
            f"{path}: AIS events and tracks are written as GeoJSON; use a .geojson name"
        )
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path} exists; pass --overwrite to replace it")
    ensure_parent(path, mkdir)


def write_geojson(
    frame: gpd.GeoDataFrame, path: Path, *, overwrite: bool = False, mkdir: bool = False,
    marking: Mapping[str, str] | None = None,
) -> Path:
    """Write ``frame`` to ``path`` as RFC 7946 GeoJSON through a temporary file.

    Goes through :func:`northpic.export.geojson.write_geojson_file`: no
    ``crs`` member, polygons counter-clockwise, cut at the antimeridian,
    times as ISO 8601 UTC strings.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Events or tracks in EPSG:4326.
    path : pathlib.Path
        Target ``.geojson`` file.
    overwrite : bool
        Replace an existing file.
    mkdir : bool
        Create the missing parent folders (otherwise a missing folder is an error).
    marking : mapping, optional
        The product's marking (:meth:`northpic.markings.ProductMarking.as_dict`),
        written as the collection's top-level ``marking`` member.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``overwrite`` is false.
    """
    from northpic.export.geojson import write_geojson_file

    check_writable(path, overwrite, mkdir)
    with atomic_output(path, directory=False, overwrite=overwrite, mkdir=mkdir) as tmp:
        write_geojson_file(frame, tmp, layer=path.stem, times=True, use_arrow=True,
                           foreign_members=(None if marking is None
                                            else {GEOJSON_MARKING_MEMBER: marking}))
    return path
