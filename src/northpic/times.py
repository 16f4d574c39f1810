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
"""

from __future__ import annotations

import math
import re
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


def format_time(ts: pd.Timestamp) -> str:
    """Write a timestamp in UTC to the millisecond, as GeoPackage DATETIME text.

    Examples
    --------
    >>> format_time(pd.Timestamp("2026-01-15T08:30:00.1234+02:00"))
    '2026-01-15T06:30:00.123Z'
    """
    return ts.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"
