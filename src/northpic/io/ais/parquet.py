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

    Raises
    ------
    DataFileError
        For a file that is not readable Parquet, or lacks a required column.
    """
    import pyarrow.parquet as pq
    import shapely

    try:
        with source.open() as stream:
            table = pq.read_table(stream)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataFileError(source.label, f"not a readable Parquet file ({exc})") from None
    names = table.column_names
    frame: pd.DataFrame
    if not any(header_key(n) in ALIASES["lat"] for n in names) and "geometry" in names:
        points = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
        table = table.drop_columns(["geometry"])
        frame = table.to_pandas()
        frame["lon"], frame["lat"] = shapely.get_x(points), shapely.get_y(points)
        names = list(frame.columns)
    else:
        frame = table.to_pandas()
    mapping = map_columns(list(names), columns, source.label)
    frame = frame[list(mapping.values())].set_axis(list(mapping), axis=1)
    layout = "geoparquet" if b"geo" in (table.schema.metadata or {}) else "parquet"
    return finish_reports(frame, fields), layout
