"""Times of many records at once: recognise a column's encoding and parse it to UTC.

:func:`time_encoding` names the encoding of sample values (ISO 8601 with
or without an offset, ``DD/MM/YYYY HH:MM:SS``, ``YYYYMMDD_HHMMSS``, Unix
seconds or milliseconds, or a mixture); :func:`parse_times` turns a whole
column into nanosecond UTC times, vectorised, with unreadable values as
``NaT``. A time without an offset is taken as UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

#: Encodings :func:`time_encoding` names.
TIME_ENCODINGS = ("iso_offset", "iso", "dma", "compact", "epoch", "mixed")
#: Words pandas would read as the time of reading: never a record's time.
RELATIVE_WORDS = ("now", "today", "yesterday", "tomorrow")
#: Unix times above this are milliseconds (1e11 s is the year 5138).
EPOCH_MS_FROM = 1e11

_ISO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")
_ISO_NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_DMA_TIME = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$")
_COMPACT_TIME = re.compile(r"^\d{8}_\d{6}$")
_EPOCH = re.compile(r"^\d{9,13}(\.\d+)?$")
_PATTERNS = (("iso_offset", _ISO_OFFSET), ("iso", _ISO_NAIVE), ("dma", _DMA_TIME),
             ("compact", _COMPACT_TIME), ("epoch", _EPOCH))


def time_encoding(samples: Iterable[str]) -> str:
    """Name the one encoding all ``samples`` share, or ``"mixed"``.

    Parameters
    ----------
    samples : iterable of str
        Values of a time column, stripped; empty ones should be left out.

    Returns
    -------
    str
        One of :data:`TIME_ENCODINGS`: ``"iso_offset"`` (ISO 8601 with
        ``Z`` or an offset), ``"iso"`` (ISO 8601 without), ``"dma"``
        (``DD/MM/YYYY HH:MM:SS``), ``"compact"`` (``YYYYMMDD_HHMMSS``),
        ``"epoch"`` (Unix seconds or milliseconds) or ``"mixed"`` (none of
        them for all, or no samples).

    Examples
    --------
    >>> time_encoding(["2026-01-31T12:00:00Z", "2026-01-31 12:00+01:00"])
    'iso_offset'
    >>> time_encoding(["31/01/2026 12:00:00"]), time_encoding(["1769860800", "x"])
    ('dma', 'mixed')
    """
    values = list(samples)
    if not values:
        return "mixed"
    for name, pattern in _PATTERNS:
        if all(pattern.match(v) for v in values):
            return name
    return "mixed"


def _epoch_to_times(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    unit = "ms" if numbers.dropna().gt(EPOCH_MS_FROM).any() else "s"
    return pd.to_datetime(numbers, unit=unit, utc=True, errors="coerce")


def parse_times(values: pd.Series, time_format: str | None = None) -> pd.Series:
    """Parse a column of times to nanosecond UTC, vectorised; unreadable values become ``NaT``.

    Parameters
    ----------
    values : pandas.Series
        Times as datetimes (naive ones are taken as UTC), numbers (Unix
        seconds, or milliseconds when any value exceeds
        :data:`EPOCH_MS_FROM`) or text: ISO 8601 with or without an offset,
        ``DD/MM/YYYY HH:MM:SS`` (day first when the first values are written
        so), ``YYYYMMDD_HHMMSS``, Unix seconds or milliseconds, and most
        other spellings :func:`pandas.to_datetime` reads. The words of
        :data:`RELATIVE_WORDS` ("now"...) are never a time.
    time_format : str, optional
        A :func:`~datetime.datetime.strptime` pattern that text values must
        follow instead (values that do not become ``NaT``).

    Returns
    -------
    pandas.Series
        ``datetime64[ns, UTC]``, indexed like ``values``.

    Examples
    --------
    >>> text = pd.Series(["2026-01-31T13:00:00+01:00", "31/01/2026 12:00:00",
    ...                   "20260131_120000", "1769860800", "now", "junk"])
    >>> [str(t) for t in parse_times(text)]  # doctest: +NORMALIZE_WHITESPACE
    ['2026-01-31 12:00:00+00:00', '2026-01-31 12:00:00+00:00', '2026-01-31 12:00:00+00:00',
     '2026-01-31 12:00:00+00:00', 'NaT', 'NaT']
    >>> parse_times(pd.Series([1769860800000])).iloc[0]
    Timestamp('2026-01-31 12:00:00+0000', tz='UTC')
    >>> parse_times(pd.Series(["31.01.2026 12:00"]), "%d.%m.%Y %H:%M").iloc[0]
    Timestamp('2026-01-31 12:00:00+0000', tz='UTC')
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return values.dt.tz_localize("UTC").astype("datetime64[ns, UTC]")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return _epoch_to_times(values).astype("datetime64[ns, UTC]")
    text = values.astype("str").str.strip()
    text = text.mask(text.str.lower().isin(RELATIVE_WORDS))
    if time_format:
        return pd.to_datetime(text, utc=True, errors="coerce", format=time_format).astype(
            "datetime64[ns, UTC]"
        )
    compact = text.str.fullmatch(r"\d{8}_\d{6}").fillna(False).to_numpy(dtype=bool)
    epoch = text.str.fullmatch(r"\d{9,13}(\.\d+)?").fillna(False).to_numpy(dtype=bool)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if compact.any():  # dateutil does not read these
        parsed[compact] = pd.to_datetime(text[compact], utc=True, errors="coerce",
                                         format="%Y%m%d_%H%M%S")
    if epoch.any():
        parsed[epoch] = _epoch_to_times(text[epoch])
    rest = ~(compact | epoch)
    if rest.any():
        others = text[rest]
        dayfirst = bool(others.dropna().head(20).str.match(r"^\d{2}/\d{2}/\d{4}").any())
        parsed[rest] = pd.to_datetime(others, utc=True, errors="coerce", format="mixed",
                                      dayfirst=dayfirst)
    return parsed.astype("datetime64[ns, UTC]")
