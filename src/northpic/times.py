"""Time values: the one scalar parser with ISO 8601's reduced-precision rules.

Every time northpic reads from a user (an option such as ``--at``), a layer
file (``valid_from``, ``valid_to``) or an event (``time``) goes through
:func:`parse_time`:

* a date-time (``2026-01-15T08:30:00+02:00``, ``...Z``) is that instant,
  kept in UTC;
* a date (``2026-01-15``) is its midnight; a month (``2026-01``) or a year
  (``1951``) its first day;
* with ``end_of_period`` (a ``valid_to``) a year, month or date means its
  last second instead: something valid to 1987 is valid all through 1987;
* a value without a timezone (a reduced-precision one included) is UTC,
  or refused when ``assume_utc`` is false (events must say their zone).

:func:`is_blank` tells a value that holds nothing (``None``, NaN, ``NaT``,
``NA``, blank text); the parser returns ``None`` for it.

Many values at once (a column of AIS reports) go through :func:`parse_times`
instead: :func:`time_encoding` names the encoding of sample values (ISO 8601
with or without an offset, ``DD/MM/YYYY HH:MM:SS``, ``YYYYMMDD_HHMMSS``,
Unix seconds or milliseconds, or a mixture), and :func:`parse_times` turns a
whole column into nanosecond UTC times, vectorised, with unreadable values as
``NaT``; there too a time without an offset is UTC.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd

from northpic.errors import BadInputError

_PERIOD = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")  # a year, a month or a date
_PERIOD_FREQ = {4: "Y", 7: "M", 10: "D"}


def is_blank(value: Any) -> bool:
    """Tell whether ``value`` holds nothing: ``None``, NaN, ``NaT``, ``NA`` or blank text.

    Examples
    --------
    >>> is_blank(None), is_blank(float("nan")), is_blank("  "), is_blank(0), is_blank("x")
    (True, True, True, False, False)
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.datetime64) and np.isnat(value):
        return True
    return isinstance(value, str) and not value.strip()


def _not_iso(text: str) -> ValueError:
    return ValueError(f"{text!r} is not an ISO 8601 date or date-time")


def _parse(value: Any, end_of_period: bool, assume_utc: bool) -> pd.Timestamp | None:
    if is_blank(value):
        return None
    if isinstance(value, pd.Timestamp | datetime | np.datetime64):
        ts = pd.Timestamp(value)
        shown = ts.isoformat()
    elif isinstance(value, date):  # a date object is the same as its ISO text
        return _parse(value.isoformat(), end_of_period, assume_utc)
    elif isinstance(value, str):
        shown = value.strip()
        if _PERIOD.fullmatch(shown) and (end_of_period or len(shown) < 10):
            try:
                period = pd.Period(shown, freq=_PERIOD_FREQ[len(shown)])
            except ValueError:
                raise _not_iso(shown) from None
            ts = period.end_time.floor("s") if end_of_period else period.start_time
        else:
            try:
                ts = pd.Timestamp(datetime.fromisoformat(shown.replace("Z", "+00:00")))
            except ValueError:
                raise _not_iso(shown) from None
    else:
        raise ValueError(f"{value!r} is not an ISO 8601 date or date-time (give it as text)")
    if ts.tzinfo is None:
        if not assume_utc:
            raise ValueError(f"{shown!r} has no timezone; add one (e.g. 'Z' or '+02:00') "
                             "or use --assume-utc")
        ts = ts.tz_localize(UTC)
    return ts.tz_convert("UTC")


def parse_time(
    value: Any,
    *,
    end_of_period: bool = False,
    assume_utc: bool = True,
    option: str | None = None,
) -> pd.Timestamp | None:
    """Parse an ISO 8601 date or date-time into a UTC timestamp (see the module doc).

    Parameters
    ----------
    value : str, datetime.date, datetime.datetime, pandas.Timestamp or None
        The value as read. Numbers are refused: give times as text.
    end_of_period : bool
        Read a year, month or date as the last second of that period
        (for ``valid_to``).
    assume_utc : bool
        Take a value without a timezone as UTC; when false it is refused.
    option : str, optional
        The option the user gave the value with (e.g. ``"--at"``): errors
        are then :class:`~northpic.errors.BadInputError` naming it.

    Returns
    -------
    pandas.Timestamp or None
        Timezone-aware, UTC; ``None`` for a blank value (see :func:`is_blank`).

    Raises
    ------
    ValueError
        If the value is not ISO 8601, or has no timezone and ``assume_utc``
        is false.
    BadInputError
        Instead of ``ValueError`` when ``option`` is given.

    Examples
    --------
    >>> parse_time("2026-01-15T08:30:00+02:00")
    Timestamp('2026-01-15 06:30:00+0000', tz='UTC')
    >>> parse_time("1987", end_of_period=True)
    Timestamp('1987-12-31 23:59:59+0000', tz='UTC')
    >>> parse_time("2026-02", option="--at")
    Timestamp('2026-02-01 00:00:00+0000', tz='UTC')
    >>> parse_time("2026-01-15T08:30", assume_utc=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: '2026-01-15T08:30' has no timezone; add one (e.g. 'Z' or '+02:00') or use ...
    """
    try:
        return _parse(value, end_of_period, assume_utc)
    except ValueError as exc:
        if option is None:
            raise
        raise BadInputError(f"{option}: {exc}") from None


#: The precisions :func:`time_precision` names, coarsest first.
TIME_PRECISIONS = ("year", "month", "day", "time")


def time_precision(value: Any) -> str | None:
    """Name how precisely ``value`` gives a time: ``year``, ``month``, ``day`` or ``time``.

    The precision is the one :func:`parse_time` reads: ``1947`` is a year,
    ``2026-01`` a month, ``2026-01-15`` a day, anything with a clock time a
    ``time``; a timestamp or datetime object is a ``time``.

    Parameters
    ----------
    value : str, datetime.date, datetime.datetime, pandas.Timestamp or None
        The value as read, before parsing.

    Returns
    -------
    str or None
        One of :data:`TIME_PRECISIONS`, or ``None`` for a blank value.

    Examples
    --------
    >>> [time_precision(v) for v in ("1947", "2026-01", "2026-01-15", "2026-01-15T08:30Z", None)]
    ['year', 'month', 'day', 'time', None]
    """
    if is_blank(value):
        return None
    if isinstance(value, pd.Timestamp | datetime | np.datetime64):
        return "time"
    if isinstance(value, date):
        return "day"
    text = str(value).strip()
    if _PERIOD.fullmatch(text):
        return TIME_PRECISIONS[(len(text) - 4) // 3]
    return "time"


def format_time(ts: pd.Timestamp) -> str:
    """Write a timestamp in UTC to the millisecond, as GeoPackage DATETIME text.

    Examples
    --------
    >>> format_time(pd.Timestamp("2026-01-15T08:30:00.1234+02:00"))
    '2026-01-15T06:30:00.123Z'
    """
    return ts.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


#: Encodings :func:`time_encoding` names.
TIME_ENCODINGS = ("iso_offset", "iso", "dma", "compact", "epoch", "mixed")
#: Words pandas would read as the time of reading: never a record's time.
RELATIVE_WORDS = ("now", "today", "yesterday", "tomorrow")
#: Unix times above this are milliseconds (1e11 s is the year 5138).
EPOCH_MS_FROM = 1e11

#: strptime patterns of the encodings of :data:`TIME_ENCODINGS` that have exactly one.
TIME_FORMATS = {"dma": "%d/%m/%Y %H:%M:%S", "compact": "%Y%m%d_%H%M%S"}

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
    compact = text.str.fullmatch(_COMPACT_TIME).fillna(False).to_numpy(dtype=bool)
    epoch = text.str.fullmatch(_EPOCH).fillna(False).to_numpy(dtype=bool)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if compact.any():  # dateutil does not read these
        parsed[compact] = pd.to_datetime(text[compact], utc=True, errors="coerce",
                                         format=TIME_FORMATS["compact"])
    if epoch.any():
        parsed[epoch] = _epoch_to_times(text[epoch])
    rest = ~(compact | epoch)
    if rest.any():
        others = text[rest]
        dayfirst = bool(others.dropna().head(20).str.match(r"^\d{2}/\d{2}/\d{4}").any())
        parsed[rest] = pd.to_datetime(others, utc=True, errors="coerce", format="mixed",
                                      dayfirst=dayfirst)
    return parsed.astype("datetime64[ns, UTC]")
