"""Find and read the buckets of an AIS archive partitioned by MMSI (Parquet, any fsspec store).

An archive is a folder (local, or an object-storage URL such as
``s3://bucket/ais/`` read through fsspec) of ``mmsi_bucket=K`` folders, each
holding Parquet files of report columns. Every report of a vessel is in the
bucket ``mmsi % buckets`` (:func:`mmsi_bucket`), so a bucket is a set of
whole vessels: one bucket per dask partition needs no shuffle. The writer
is :func:`northpic.export.ais_archive.write_ais_archive`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from northpic.errors import DataFileError
from northpic.io.ais.frames import finish_reports
from northpic.io.ais.layouts import map_columns

#: The folder key of a bucket: ``mmsi_bucket=K``.
BUCKET_KEY = "mmsi_bucket"
_BUCKET_DIR = re.compile(rf"^{BUCKET_KEY}=(\d+)$")


def mmsi_bucket(mmsi: np.ndarray, buckets: int) -> np.ndarray:
    """Return the bucket of each MMSI: ``mmsi % buckets`` (a missing MMSI, -1, goes last).

    Examples
    --------
    >>> mmsi_bucket(np.array([257027430, 257027431, -1]), 16).tolist()
    [6, 7, 15]
    """
    return np.asarray(mmsi, dtype=np.int64) % buckets


@dataclass(frozen=True)
class Bucket:
    """One bucket of an archive: its number and its Parquet files, on a file system."""

    number: int
    files: tuple[str, ...]
    fs: Any  # an fsspec file system
    label: str


def archive_buckets(
    url: str | Path, storage_options: Mapping[str, Any] | None = None
) -> list[Bucket] | None:
    """Return the buckets of the archive at ``url``, in bucket order; ``None`` if it has none.

    ``url`` is a local folder or an fsspec URL (``s3://...``, ``gs://...``,
    ``abfs://...``, with the matching fsspec package installed);
    ``storage_options`` go to its file system (credentials, endpoint).
    """
    import fsspec

    fs, root = fsspec.core.url_to_fs(str(url), **dict(storage_options or {}))
    if not fs.isdir(root):
        return None
    found: list[Bucket] = []
    for entry in fs.ls(root, detail=False):
        name = str(entry).rstrip("/").rsplit("/", 1)[-1]
        match = _BUCKET_DIR.match(name)
        if match is None or not fs.isdir(entry):
            continue
        files = tuple(sorted(str(f) for f in fs.find(entry) if str(f).endswith(".parquet")))
        if files:
            found.append(Bucket(int(match.group(1)), files, fs, f"{url}/{name}"))
    return sorted(found, key=lambda b: b.number) or None


def read_bucket(
    bucket: Bucket,
    columns: Mapping[str, str] | None,
    fields: Sequence[str],
    filters: Any = None,
) -> pd.DataFrame:
    """Read one bucket's files into a reports frame with the columns ``fields``.

    Only the file columns that ``fields`` map to are read. ``filters`` are
    pyarrow's (``[("mmsi", "<", 300000000)]``), on the file's column names.

    Raises
    ------
    DataFileError
        A file that is not readable Parquet or lacks a required column.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(bucket.files[0], filesystem=bucket.fs)
        mapping = map_columns(list(schema.names), columns, bucket.label)
        wanted = {c: mapping[c] for c in fields if c in mapping}
        table = pq.read_table(list(bucket.files), filesystem=bucket.fs,
                              columns=list(dict.fromkeys(wanted.values())), filters=filters)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataFileError(bucket.label, f"not a readable Parquet dataset ({exc})") from None
    frame = table.to_pandas().loc[:, list(wanted.values())].set_axis(list(wanted), axis=1)
    return finish_reports(frame, tuple(fields))


def bucket_label(path: str | Path) -> str:
    """Return the name an archive's reports cite: the archive folder or URL as given."""
    return str(path).rstrip("/")
