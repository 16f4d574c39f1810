"""northpic.times: the vectorised time parser, checked against the standard library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from northpic.times import parse_times, time_encoding

RNG = np.random.default_rng(13)
# whole seconds between 2000 and 2035, as AIS feeds give them
TRUTH = [datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=int(s))
         for s in RNG.integers(0, 35 * 365 * 86400, 200)]


def _expected() -> list[pd.Timestamp]:
    return [pd.Timestamp(t) for t in TRUTH]


@pytest.mark.parametrize(("encoding", "spell"), [
    ("iso_offset", lambda t: t.astimezone(timezone(timedelta(hours=2))).isoformat()),
    ("iso_offset", lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")),
    ("iso", lambda t: t.strftime("%Y-%m-%d %H:%M:%S")),
    ("dma", lambda t: t.strftime("%d/%m/%Y %H:%M:%S")),
    ("compact", lambda t: t.strftime("%Y%m%d_%H%M%S")),
    ("epoch", lambda t: str(int(t.timestamp()))),
    ("epoch", lambda t: str(int(t.timestamp()) * 1000)),
])
def test_each_encoding_is_named_and_parsed_as_the_standard_library_writes_it(encoding, spell):
    text = [spell(t) for t in TRUTH]
    assert time_encoding(text) == encoding
    parsed = parse_times(pd.Series(text))
    assert str(parsed.dtype) == "datetime64[ns, UTC]"
    assert parsed.tolist() == _expected()


def test_a_mixed_column_parses_each_value_by_its_own_encoding():
    spellings = [lambda t: t.strftime("%Y%m%d_%H%M%S"), lambda t: str(int(t.timestamp())),
                 lambda t: t.isoformat()]
    text = [spellings[k % 3](t) for k, t in enumerate(TRUTH)]
    assert time_encoding(text) == "mixed"
    assert parse_times(pd.Series(text)).tolist() == _expected()


def test_relative_words_and_junk_are_no_times_and_keep_their_place():
    parsed = parse_times(pd.Series(["now", "TODAY", "soon", None, "2026-01-31T12:00:00Z"],
                                   index=[5, 6, 7, 8, 9]))
    assert parsed.index.tolist() == [5, 6, 7, 8, 9]
    assert parsed.isna().tolist() == [True, True, True, True, False]


def test_numbers_datetimes_and_a_strftime_pattern():
    seconds = [int(t.timestamp()) for t in TRUTH]
    assert parse_times(pd.Series(seconds)).tolist() == _expected()
    naive = pd.Series([t.replace(tzinfo=None) for t in TRUTH])  # naive: taken as UTC
    assert parse_times(naive).tolist() == _expected()
    text = pd.Series([t.strftime("%d.%m.%Y %H:%M:%S") for t in TRUTH] + ["31/01/2026 12:00:00"])
    parsed = parse_times(text, "%d.%m.%Y %H:%M:%S")
    assert parsed.iloc[:-1].tolist() == _expected()
    assert pd.isna(parsed.iloc[-1])  # not of the pattern: no time, not a guess
