r"""Read AIS files as a dask DataFrame partitioned by MMSI, for archives larger than memory.

Two ways in. An archive partitioned by MMSI (a folder or object-storage URL
of ``mmsi_bucket=K`` folders of Parquet, :mod:`northpic.io.ais.archive`,
written by :func:`northpic.export.ais_archive.write_ais_archive`) is read one
bucket per partition, with no shuffle: a bucket holds whole vessels. Any
other list of files is read one file per task
(:func:`northpic.io.ais.read_ais`) and the reports are shuffled so that
every vessel's reports sit in one partition. Either way
:mod:`northpic.ais.distributed` then runs the detectors in the partitions.

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

from northpic.errors import BadInputError
from northpic.io.ais.archive import Bucket, archive_buckets, bucket_label, read_bucket
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


def _empty_reports(fields: Sequence[str] = tuple(REPORT_COLUMNS)) -> pd.DataFrame:
    """Return an empty reports frame with the canonical dtypes (text as plain strings)."""
    columns = {
        "mmsi": pd.Series(dtype="int64"), "time": pd.Series(dtype="datetime64[ns, UTC]"),
        **{c: pd.Series(dtype="float64") for c, k in REPORT_COLUMNS.items() if k == "float"},
        **{c: pd.Series(dtype="str") for c, k in REPORT_COLUMNS.items() if k == "str"},
    }
    return pd.DataFrame({c: columns[c] for c in REPORT_COLUMNS if c in fields})


def _read_bucket_plain(bucket: Bucket, mapping: Mapping[str, str] | None,
                       fields: Sequence[str], filters: Any) -> pd.DataFrame:
    frame = read_bucket(bucket, mapping, fields, filters)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype("str")
    return frame


def with_sources(frame: Any, sources: Sequence[str | Path]) -> Any:
    """Name the inputs of a dask frame in ``attrs["sources"]`` where this dask keeps attrs.

    Dask frames have had no ``attrs`` of their own in some releases, and
    derived frames (``persist``, a selection) never carry them: pass
    ``sources=`` to :func:`~northpic.ais.distributed.detect_events_dask` then.
    """
    try:
        frame.attrs = {"sources": [str(p) for p in sources]}
    except (AttributeError, TypeError, ValueError):
        pass
    return frame


def frame_sources(frame: Any) -> list[str]:
    """Return the ``attrs["sources"]`` of a dask (or pandas) frame, or ``[]`` if none."""
    try:
        attrs = frame.attrs
    except (AttributeError, KeyError, TypeError, ValueError):
        return []
    return list(attrs.get("sources", [])) if isinstance(attrs, Mapping) else []


def read_ais_dask(
    paths: str | Path | Sequence[str | Path],
    *,
    columns: Mapping[str, str] | None = None,
    format: str = "auto",
    npartitions: int | None = None,
    fields: Sequence[str] | None = None,
    filters: Any = None,
    storage_options: Mapping[str, Any] | None = None,
) -> Any:
    """Read AIS reports lazily into a dask DataFrame with each vessel in one partition.

    Parameters
    ----------
    paths : path, URL or sequence of paths
        An archive partitioned by MMSI (a folder or fsspec URL with
        ``mmsi_bucket=K`` folders of Parquet): one partition per bucket, no
        shuffle. Or AIS files (e.g. a year of daily DMA archives): one task
        per file, then a shuffle by MMSI.
    columns, format
        As for :func:`northpic.io.ais.read_ais`.
    npartitions : int, optional
        Output partitions of the shuffle (default: one per file); not for
        an archive, whose partitions are its buckets.
    fields : sequence of str, optional
        Report columns to read besides ``mmsi``, ``time``, ``lat``, ``lon``
        (default: all of :data:`~northpic.io.ais.layouts.REPORT_COLUMNS`).
    filters : optional
        pyarrow row filters for an archive, on its column names, e.g.
        ``[("mmsi", "<", 300000000)]``.
    storage_options : mapping, optional
        For an fsspec URL: the file system's options (credentials, endpoint).

    Returns
    -------
    dask.dataframe.DataFrame
        Partitioned by MMSI; ``attrs["sources"]`` names the inputs where
        this dask keeps attrs (:func:`frame_sources`).

    Raises
    ------
    BadInputError
        A single folder or URL that is not an archive of ``mmsi_bucket=K``
        folders, or no paths.
    """
    import dask
    import dask.dataframe as dd

    chosen = tuple(REPORT_COLUMNS) if fields is None else tuple(
        c for c in REPORT_COLUMNS if c in {"mmsi", "time", "lat", "lon", *fields})
    if isinstance(paths, (str, Path)):
        buckets = archive_buckets(paths, storage_options)
        if buckets is None:
            if Path(str(paths)).is_file():
                return read_ais_dask([paths], columns=columns, format=format,
                                     npartitions=npartitions, fields=fields)
            raise BadInputError(
                f"{paths}: not an AIS archive (no {'mmsi_bucket'}=K folders of Parquet files); "
                "give a list of files to read and shuffle them by MMSI instead")
        frame = dd.from_map(_read_bucket_plain, buckets, mapping=columns, fields=chosen,
                            filters=filters, meta=_empty_reports(chosen), enforce_metadata=False,
                            label="read-ais-bucket")
        return with_sources(frame, [bucket_label(paths)])
    items = list(paths)
    if not items:
        raise BadInputError("no AIS files given")
    parts = [dask.delayed(_read_plain)(p, columns, format) for p in items]
    frame = dd.from_delayed(parts, meta=_empty_reports(), verify_meta=False)
    if fields is not None:
        frame = frame[list(chosen)]
    frame = partition_by_mmsi(frame, npartitions or len(items))
    return with_sources(frame, items)
