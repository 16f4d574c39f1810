"""Write AIS events and tracks as GeoJSON: atomically, never over a file unasked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import geopandas as gpd

from northpic.errors import OutputExistsError, UnsupportedFormatError


def check_writable(path: Path, overwrite: bool) -> None:
    """Refuse an existing ``path`` (unless ``overwrite``) or a non-GeoJSON name, before any work."""
    if path.suffix.lower() not in (".geojson", ".json"):
        raise UnsupportedFormatError(
            f"{path}: AIS events and tracks are written as GeoJSON; use a .geojson name"
        )
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path} exists; pass --overwrite to replace it")


def write_geojson(frame: gpd.GeoDataFrame, path: Path, *, overwrite: bool = False) -> Path:
    """Write ``frame`` to ``path`` as GeoJSON (RFC 7946) through a temporary file.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Events or tracks in EPSG:4326.
    path : pathlib.Path
        Target ``.geojson`` file; parent folders are created.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``overwrite`` is false.
    """
    import pyogrio

    check_writable(path, overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".geojson")
    os.close(fd)
    os.unlink(tmp)  # GDAL creates the file itself
    try:
        out = frame.copy()
        for column in out.columns:
            if str(out[column].dtype).startswith("datetime64"):
                out[column] = out[column].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        pyogrio.write_dataframe(out, tmp, driver="GeoJSON", layer=path.stem)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
