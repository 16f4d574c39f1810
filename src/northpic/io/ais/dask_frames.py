r"""Read AIS files as a dask DataFrame partitioned by MMSI, for archives larger than memory.

Each file is read by one task (:func:`northpic.io.ais.read_ais`), and the
reports are shuffled so that every vessel's reports sit in one partition,
where :mod:`northpic.ais.distributed` runs the detectors.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> for day, mmsi in ((1, 265547250), (2, 219000001)):
...     _ = (folder / f"day{day}.csv").write_text(
...         "MMSI,Timestamp,Latitude,Longitude\n"
...         f"{mmsi},2026-01-0{day}T00:00:00Z,57.6,11.8\n"
...         f"{mmsi},2026-01-0{day}T00:10:00Z,57.7,11.8\n")
>>> reports = read_ais_dask(sorted(folder.glob("*.csv")))
>>> reports.npartitions, len(reports.compute())
(2, 4)
>>> sorted(reports.map_partitions(lambda p: p["mmsi"].nunique()).compute().tolist())
[1, 1]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from northpic.io.ais.layouts import REPORT_COLUMNS


def partition_by_mmsi(reports: Any, npartitions: int | None = None) -> Any:
    """Shuffle a dask (or pandas) reports frame so each vessel sits in one partition.

    Parameters
    ----------
    reports : dask.dataframe.DataFrame or pandas.DataFrame
        Reports (see :func:`northpic.io.ais.read_ais`).
    npartitions : int, optional
        Number of output partitions (default: as many as the input).

    Returns
    -------
    dask.dataframe.DataFrame
    """
    import dask.dataframe as dd

    if isinstance(reports, pd.DataFrame):
        reports = dd.from_pandas(reports, npartitions=npartitions or 1, sort=False)
    return reports.shuffle(on="mmsi", npartitions=npartitions or reports.npartitions)


def _read_plain(path: str | Path, columns: Mapping[str, str] | None, format: str) -> pd.DataFrame:
    """Read one file with plain text columns (categories differ from file to file)."""
    from northpic.io.ais import read_ais

    frame = read_ais([path], columns=columns, format=format)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype("str")
    return frame


def read_ais_dask(
    paths: Sequence[str | Path],
    *,
    columns: Mapping[str, str] | None = None,
    format: str = "auto",
    npartitions: int | None = None,
) -> Any:
    """Read AIS files lazily, one task per file, and partition the reports by MMSI.

    Parameters
    ----------
    paths : sequence of paths
        AIS files (e.g. a year of daily DMA archives).
    columns, format
        As for :func:`northpic.io.ais.read_ais`.
    npartitions : int, optional
        Output partitions (default: one per file).

    Returns
    -------
    dask.dataframe.DataFrame
        Partitioned by MMSI; ``attrs["sources"]`` names the files.
    """
    import dask
    import dask.dataframe as dd

    parts = [dask.delayed(_read_plain)(p, columns, format) for p in paths]
    empty = pd.DataFrame({
        "mmsi": pd.Series(dtype="int64"), "time": pd.Series(dtype="datetime64[ns, UTC]"),
        **{c: pd.Series(dtype="float64") for c, k in REPORT_COLUMNS.items()
           if k == "float"},
        **{c: pd.Series(dtype="str") for c, k in REPORT_COLUMNS.items() if k == "str"},
    })[list(REPORT_COLUMNS)]
    frame = dd.from_delayed(parts, meta=empty, verify_meta=False)
    frame = partition_by_mmsi(frame, npartitions or len(paths))
    frame.attrs = {"sources": [str(p) for p in paths]}  # dask frames have no attrs to update
    return frame
