"""Write one GeoParquet 1.1 file per layer into a folder.

Geometry is WKB with a covering ``bbox`` column (GeoParquet 1.1), so
readers such as DuckDB, GDAL 3.9+ and geopandas can filter by bounding box
without decoding geometries; times are UTC timestamps. The export's marking
is JSON under the key ``northpic:marking`` of each file's key-value
metadata, beside GeoParquet's ``geo``; each record keeps its marking fields.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path

from northpic.export.marking import PARQUET_MARKING_KEY
from northpic.export.prepare import ExportLayer
from northpic.markings import ProductMarking

GEOPARQUET_VERSION = "1.1.0"
COMPRESSION = "zstd"


def _write_geoparquet(layer: ExportLayer, handle: io.BufferedIOBase) -> None:
    layer.frame.to_parquet(
        handle, index=False, schema_version=GEOPARQUET_VERSION,
        geometry_encoding="WKB", write_covering_bbox=True, compression=COMPRESSION,
    )


def _write_marked(layer: ExportLayer, handle: io.BufferedIOBase, marking: ProductMarking) -> None:
    """Write GeoParquet as geopandas does, with the marking added to the key-value metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    _write_geoparquet(layer, buffer)
    table = pq.read_table(pa.BufferReader(buffer.getvalue()))
    items = dict(table.schema.metadata or {})  # "geo" kept as geopandas wrote it
    items[PARQUET_MARKING_KEY.encode()] = json.dumps(marking.as_dict(),
                                                     ensure_ascii=False).encode("utf-8")
    pq.write_table(table.replace_schema_metadata(items), handle, compression=COMPRESSION)


def write_parquet(
    layers: list[ExportLayer], folder: Path, *, metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
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
    marking : ProductMarking, optional
        The export's marking, stored under :data:`PARQUET_MARKING_KEY`.

    Returns
    -------
    list of str
        The file names written, in order.
    """
    names = []
    for layer in layers:  # one file per layer
        name = f"{layer.name}.parquet"
        # our own file object: closed even when the write fails (pyarrow, given a path, keeps
        # the file open after an error such as a full disk)
        with open(folder / name, "wb") as handle:
            if marking is None:
                _write_geoparquet(layer, handle)
            else:
                _write_marked(layer, handle, marking)
        names.append(name)
    return names
