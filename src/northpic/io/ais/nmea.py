r"""Decode AIS NMEA logs (``!AIVDM``/``!AIVDO``) with :mod:`pyais` into a reports frame.

Times come from tag blocks (``\c:1577836800*..\``, read by
:class:`pyais.messages.TagBlock`), a Gatehouse ``$PGHP`` line before the
sentence, a leading ISO 8601 time or a trailing Unix time on each line.
Multi-sentence messages are assembled; static reports (names,
destinations, IMO numbers) are carried onto the vessel's later position
reports.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from northpic.io.ais.frames import finish_reports
from northpic.io.ais.inputs import Input
from northpic.io.ais.layouts import REPORT_COLUMNS
from northpic.times import EPOCH_MS_FROM

_TAG_BLOCK = re.compile(r"\\([^\\]*)\\")
_SENTENCE = re.compile(r"([!$]AIVD[MO],[^*]*\*[0-9A-Fa-f]{2})")
_LEADING_TIME = re.compile(
    r"^\s*(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"
)
_TRAILING_EPOCH = re.compile(r",\s*(\d{9,13}(?:\.\d+)?)\s*$")
#: Gatehouse ``$PGHP,1,year,month,day,hour,minute,second,millisecond,...``: the time
#: of the sentence on the next line.
_PGHP = re.compile(r"\$PGHP,1,(\d{4}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,3})")
_POSITION_TYPES = {1, 2, 3, 18, 19, 27}


def _epoch_seconds(text: str) -> float | None:
    """Unix seconds from ``text`` in seconds or milliseconds (``None`` if not a number)."""
    try:
        seconds = float(text)
    except ValueError:
        return None
    if not np.isfinite(seconds) or seconds < 0:
        return None
    return seconds / 1000.0 if seconds > EPOCH_MS_FROM else seconds


def _tag_block_time(block: str) -> float | None:
    """Unix seconds of a tag block's ``c:`` field, parsed by :class:`pyais.messages.TagBlock`."""
    from pyais.messages import TagBlock

    try:
        tag = TagBlock(block.encode("ascii"))
        tag.init()
        stamp = tag.receiver_timestamp
    except (UnicodeEncodeError, ValueError):
        return None
    return _epoch_seconds(stamp.strip()) if stamp else None


def _pghp_time(line: str) -> float | None:
    """Unix seconds of a ``$PGHP`` line, or ``None``."""
    match = _PGHP.search(line)
    if not match:
        return None
    year, month, day, hour, minute, second, milli = (int(g) for g in match.groups())
    try:
        stamp = pd.Timestamp(year=year, month=month, day=day, hour=hour, minute=minute,
                             second=second, tz="UTC")
    except ValueError:
        return None
    return stamp.timestamp() + milli / 1000.0


def _line_time(line: str, sentence_end: int) -> float | None:
    """Unix seconds from a tag block, a leading ISO time or a trailing epoch."""
    tag = _TAG_BLOCK.search(line)
    if tag:
        seconds = _tag_block_time(tag.group(1))
        if seconds is not None:
            return seconds
    lead = _LEADING_TIME.match(line)
    if lead:
        try:
            stamp = pd.Timestamp(lead.group(1))
        except ValueError:
            stamp = None
        if stamp is not None:
            stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
            return stamp.timestamp()
    trail = _TRAILING_EPOCH.search(line[sentence_end:])
    if trail:
        return _epoch_seconds(trail.group(1))
    return None


def decode_nmea(lines: Iterable[str]) -> tuple[pd.DataFrame, dict[str, int]]:
    r"""Decode NMEA lines into a reports frame and counts of what was read.

    Parameters
    ----------
    lines : iterable of str
        Lines of an NMEA log; lines without an AIS sentence are skipped
        (a ``$PGHP`` line gives the next sentence its time).

    Returns
    -------
    (pandas.DataFrame, dict)
        Position reports with every column of
        :data:`~northpic.io.ais.layouts.REPORT_COLUMNS`, and the counts
        ``sentences``, ``undecodable``, ``position_reports`` and ``static_reports``.

    Examples
    --------
    >>> line = r"\c:1769860800*00\!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24"
    >>> reports, counts = decode_nmea([line])
    >>> counts["position_reports"], str(reports["time"].iloc[0])
    (1, '2026-01-31 12:00:00+00:00')
    """
    from pyais.messages import NMEAMessage

    rows: list[tuple[Any, ...]] = []
    static: dict[int, dict[str, Any]] = {}
    fragments: dict[tuple[str, str, str], list[Any]] = {}
    counts = {"sentences": 0, "undecodable": 0, "position_reports": 0, "static_reports": 0}
    pending: float | None = None  # a $PGHP time, for the next sentence
    for line in lines:
        match = _SENTENCE.search(line)
        if not match:
            if "$PGHP" in line:
                pending = _pghp_time(line)
            continue
        counts["sentences"] += 1
        stamp = _line_time(line, match.end())
        if stamp is None:
            stamp = pending
        pending = None
        try:
            message = NMEAMessage(match.group(1).encode("ascii"))
            if not message.is_valid:
                raise ValueError("bad checksum")
            if message.frag_cnt > 1:
                key = (str(message.seq_id), str(message.channel), str(message.frag_cnt))
                parts = fragments.setdefault(key, [])
                parts.append((message, stamp))
                if len(parts) < message.frag_cnt:
                    continue
                del fragments[key]
                stamp = parts[0][1]
                message = NMEAMessage.assemble_from_iterable([p[0] for p in parts])
            decoded = message.decode().asdict()
        except Exception:  # pyais raises many types for damaged sentences
            counts["undecodable"] += 1
            continue
        kind = decoded.get("msg_type")
        mmsi = int(decoded.get("mmsi") or -1)
        info = static.setdefault(mmsi, {})
        for field, target in (("shipname", "name"), ("destination", "destination"),
                              ("callsign", "callsign"), ("imo", "imo"), ("ship_type", "ship_type")):
            value = decoded.get(field)
            if value not in (None, "", 0):
                info[target] = int(value) if field == "ship_type" else value
        if kind in _POSITION_TYPES:
            counts["position_reports"] += 1
            rows.append((
                mmsi, stamp, decoded.get("lat"), decoded.get("lon"), decoded.get("speed"),
                decoded.get("course"), decoded.get("heading"), info.get("name"),
                info.get("destination"), info.get("callsign"), info.get("imo"),
                None if info.get("ship_type") is None else str(info.get("ship_type")),
            ))
        else:
            counts["static_reports"] += 1
    frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    frame["time"] = pd.to_datetime(pd.to_numeric(frame["time"]), unit="s", utc=True,
                                   errors="coerce")
    finished = finish_reports(frame)
    finished.loc[finished["cog"] >= 360, "cog"] = np.nan
    return finished, counts


def read_nmea_reports(source: Input) -> tuple[pd.DataFrame, dict[str, int]]:
    """Read one NMEA input whole and decode it (:func:`decode_nmea`)."""
    with source.open() as stream:
        data = bytes(stream.read())
    text = io.StringIO(data.decode("ascii", errors="replace"))
    return decode_nmea(text)
