"""Write one GeoParquet 1.1 file per layer into a folder.

Geometry is WKB with a covering ``bbox`` column (GeoParquet 1.1), so
readers such as DuckDB, GDAL 3.9+ and geopandas can filter by bounding box
without decoding geometries; times are UTC timestamps.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from northpic.export.prepare import ExportLayer

GEOPARQUET_VERSION = "1.1.0"


def write_parquet(
    layers: list[ExportLayer], folder: Path, *, metadata: Mapping[str, str] | None = None
) -> list[str]:
    """Write ``NAME.parquet`` for each layer into the new ``folder``.

    Parameters
    ----------
    layers : list of ExportLayer
        Prepared layers.
    folder : pathlib.Path
        An existing, empty folder.
    metadata : mapping, optional
        Export-wide provenance (unused here: :func:`~northpic.export.api.export_layers`
        writes the folder's README.txt).

    Returns
    -------
    list of str
        The file names written, in order.
    """
    names = []
    for layer in layers:
        name = f"{layer.name}.parquet"
        # our own file object: closed even when the write fails (pyarrow, given a path, keeps
        # the file open after an error such as a full disk)
        with open(folder / name, "wb") as handle:
            layer.frame.to_parquet(
                handle, index=False, schema_version=GEOPARQUET_VERSION,
                geometry_encoding="WKB", write_covering_bbox=True, compression="zstd",
            )
        names.append(name)
    return names
