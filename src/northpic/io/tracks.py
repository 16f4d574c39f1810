"""Read a tracks file: vessel track lines (one LineString per segment) for the map.

A tracks file is what ``northpic ais detect --tracks`` writes: a GeoJSON
FeatureCollection of LineStrings (or MultiLineStrings) in EPSG:4326, one per
vessel segment, each with the common layer fields (``id``, ``valid_from``,
``valid_to``...), ``mmsi`` and its marking (``classification``,
``releasability``, ``originator``). GeoParquet files of the same columns are
read too. Nothing is assumed public: a file without the marking fields is
refused.

Examples
--------
>>> import tempfile, json
>>> from pathlib import Path
>>> feature = {"type": "Feature", "properties": {"id": "t1", "mmsi": 273000001,
...     "valid_from": "2026-01-10T00:00:00Z", "valid_to": "2026-01-10T06:00:00Z",
...     "classification": "UNCLASSIFIED", "releasability": "PUBLIC", "originator": "test"},
...     "geometry": {"type": "LineString", "coordinates": [[30, 70], [31, 70.5]]}}
>>> with tempfile.TemporaryDirectory() as folder:
...     path = Path(folder) / "tracks.geojson"
...     _ = path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
...     tracks = read_tracks(path)
>>> len(tracks), tracks["mmsi"].tolist(), str(tracks["valid_from"].dt.tz)
(1, [273000001], 'UTC')
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.errors import DataFileError, MarkingsError, UnsupportedFormatError
from northpic.io.layer_files import read_layer_file
from northpic.schema import MARKING_COLUMNS, STORAGE_CRS

GEOJSON_SUFFIXES = (".geojson", ".json")
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
TRACK_SUFFIXES = GEOJSON_SUFFIXES + PARQUET_SUFFIXES
_LINE_TYPES = ("LineString", "MultiLineString")


def _read_parquet(path: Path) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_parquet(path)
    except Exception as exc:  # pyarrow and geopandas raise several classes
        raise DataFileError(str(path), f"cannot read as GeoParquet: {exc}") from exc
    if frame.crs is None:
        return frame.set_crs(STORAGE_CRS)
    return frame if frame.crs.equals(STORAGE_CRS) else frame.to_crs(STORAGE_CRS)


def _record(frame: pd.DataFrame, position: int) -> str:
    if "id" in frame.columns and isinstance(frame["id"].iloc[position], str):
        return f"record {position + 1} (id {frame['id'].iloc[position]!r})"
    return f"record {position + 1}"


def _times(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    given = frame[column]
    parsed = pd.to_datetime(given, utc=True, errors="coerce", format="mixed")
    bad = np.flatnonzero(parsed.isna().to_numpy() & given.notna().to_numpy())
    if len(bad):
        raise DataFileError(str(path), f"{_record(frame, int(bad[0]))}: {column} "
                                       f"{given.iloc[bad[0]]!r} is not an ISO 8601 time")
    return parsed


def read_tracks(path: str | Path) -> gpd.GeoDataFrame:
    """Read vessel track lines from a GeoJSON or GeoParquet file.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.geojson``/``.json`` file (e.g. from ``northpic ais detect
        --tracks``) or a ``.parquet``/``.geoparquet`` file.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per line in EPSG:4326, in file order, with ``valid_from`` and
        ``valid_to`` as UTC times (``NaT`` where not given) and every other
        column as the file has it.

    Raises
    ------
    UnsupportedFormatError
        For another extension.
    DataFileError
        If the file is missing or unreadable, holds no line, or a record has
        no line geometry or a time that is not ISO 8601 (the record named).
    MarkingsError
        If the records carry no marking fields (nothing is assumed public).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TRACK_SUFFIXES:
        raise UnsupportedFormatError(
            f"{path}: tracks are read from {', '.join(TRACK_SUFFIXES)} files, not "
            f"{suffix or '(no extension)'}")
    if not path.is_file():
        raise DataFileError(str(path), "no such file")
    frame = _read_parquet(path) if suffix in PARQUET_SUFFIXES else read_layer_file(path)
    if not len(frame):
        raise DataFileError(str(path), "holds no track line")
    geoms = frame.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    lines = np.isin(kinds, [shapely.GeometryType.LINESTRING, shapely.GeometryType.MULTILINESTRING])
    if not lines.all():
        first = int(np.flatnonzero(~lines)[0])
        what = "no geometry" if geoms[first] is None else f"a {geoms[first].geom_type}"
        raise DataFileError(str(path), f"{_record(frame, first)} has {what}; a track is a "
                                       f"{' or '.join(_LINE_TYPES)}")
    missing = [c for c in MARKING_COLUMNS if c not in frame.columns]
    if missing:
        raise MarkingsError(
            f"{path}: its tracks carry no {', '.join(missing)} field; every record of a "
            "product needs a marking (northpic ais detect --tracks writes them): nothing is "
            "assumed public")
    frame = frame.assign(valid_from=_times(frame, "valid_from", path),
                         valid_to=_times(frame, "valid_to", path))
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry="geometry", crs=STORAGE_CRS)
