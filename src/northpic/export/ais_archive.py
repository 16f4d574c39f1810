"""Write AIS reports as an archive partitioned by MMSI: one Parquet file per bucket and batch.

The layout :mod:`northpic.io.ais.archive` reads: ``FOLDER/mmsi_bucket=K/NAME.parquet``
holds the reports of batch ``NAME`` whose ``mmsi % buckets`` is ``K``. Write
an archive batch by batch (a day's file at a time, so memory stays bounded)
with the same ``buckets`` each time and a new ``name``; each file appears
whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from northpic.atomic import atomic_output
from northpic.errors import BadInputError
from northpic.io.ais.archive import BUCKET_KEY, mmsi_bucket

COMPRESSION = "zstd"


def write_ais_archive(
    reports: pd.DataFrame, folder: str | Path, *, buckets: int = 64, name: str = "part-0",
    overwrite: bool = False,
) -> list[Path]:
    """Add ``reports`` to the archive at ``folder``, each vessel in bucket ``mmsi % buckets``.

    Parameters
    ----------
    reports : pandas.DataFrame
        Reports with report columns (see :func:`northpic.io.ais.read_ais`).
    folder : str or pathlib.Path
        The archive (created if missing).
    buckets : int
        Number of buckets; use the same for every batch of one archive.
    name : str
        The batch's file name in each bucket (``part-0``, ``2026-01-10``...).
    overwrite : bool
        Replace this batch's files if they exist; otherwise that is an error.

    Returns
    -------
    list of pathlib.Path
        The files written (one per bucket that has reports).

    Examples
    --------
    >>> import tempfile
    >>> reports = pd.DataFrame({"mmsi": [257000001, 257000002, 257000001],
    ...     "time": pd.to_datetime(["2026-01-10 00:00", "2026-01-10 00:01", "2026-01-10 00:02"],
    ...                            utc=True), "lat": 72.0, "lon": 20.0})
    >>> folder = Path(tempfile.mkdtemp()) / "archive"
    >>> [p.relative_to(folder).as_posix() for p in write_ais_archive(reports, folder, buckets=4)]
    ['mmsi_bucket=1/part-0.parquet', 'mmsi_bucket=2/part-0.parquet']
    """
    if buckets < 1:
        raise BadInputError(f"buckets must be at least 1, not {buckets}")
    if not name or "/" in name or name.startswith("."):
        raise BadInputError(f"not a batch name: {name!r}")
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    key = mmsi_bucket(reports["mmsi"].to_numpy(), buckets)
    order = np.argsort(key, kind="stable")  # each bucket's reports in their input order
    bounds = np.searchsorted(key[order], np.arange(buckets + 1))
    table = pa.Table.from_pandas(reports, preserve_index=False)
    written = []
    for k in range(buckets):
        rows = order[bounds[k]:bounds[k + 1]]
        if not len(rows):
            continue
        target = root / f"{BUCKET_KEY}={k}" / f"{name}.parquet"
        with atomic_output(target, directory=False, overwrite=overwrite, mkdir=True) as tmp:
            pq.write_table(table.take(pa.array(rows)), tmp, compression=COMPRESSION)
        written.append(target)
    return written
