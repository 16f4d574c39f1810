"""Read AIS reports from Parquet and GeoParquet (points in a WKB ``geometry`` column)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pyarrow as pa

from northpic.errors import DataFileError
from northpic.io.ais.frames import finish_reports
from northpic.io.ais.inputs import Input
from northpic.io.ais.layouts import ALIASES, header_key, map_columns


def read_parquet_reports(
    source: Input, columns: Mapping[str, str] | None, fields: tuple[str, ...]
) -> tuple[pd.DataFrame, str]:
    """Read one Parquet input into a reports frame; return it and ``"geoparquet"`` or ``"parquet"``.

    Only the file columns that ``fields`` map to are read (and the
    ``geometry`` column when there is no latitude column).

    Raises
    ------
    DataFileError
        For a file that is not readable Parquet, or lacks a required column.
    """
    import pyarrow.parquet as pq
    import shapely

    try:
        with source.open() as stream:
            parquet = pq.ParquetFile(stream)
            names = list(parquet.schema_arrow.names)
            metadata = parquet.schema_arrow.metadata or {}
            points = not any(header_key(n) in ALIASES["lat"] for n in names) and \
                "geometry" in names
            header = [n for n in names if n != "geometry"] + ["lon", "lat"] if points else names
            mapping = map_columns(header, columns, source.label)
            wanted = {c: mapping[c] for c in fields if c in mapping}
            read = [n for n in dict.fromkeys(wanted.values()) if n in names]
            table = parquet.read(columns=[*read, "geometry"] if points else read)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataFileError(source.label, f"not a readable Parquet file ({exc})") from None
    frame: pd.DataFrame
    if points:
        xy = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
        frame = table.drop_columns(["geometry"]).to_pandas()
        frame["lon"], frame["lat"] = shapely.get_x(xy), shapely.get_y(xy)
    else:
        frame = table.to_pandas()
    frame = frame[list(wanted.values())].set_axis(list(wanted), axis=1)
    layout = "geoparquet" if b"geo" in metadata else "parquet"
    return finish_reports(frame, fields), layout
