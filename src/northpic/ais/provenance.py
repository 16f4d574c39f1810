"""Markings of AIS reports, and of the events and tracks derived from them.

AIS is broadcast in the clear, so a feed's reports are ``PUBLIC`` unless the
feed says otherwise: a batch marking for every input (``ais detect
--releasability NATO``), or a ``releasability`` / ``classification`` column
that marks each report (:mod:`northpic.io.ais.marking_columns`).

Derived data inherits the most restrictive marking of the reports that made
it, conservatively per vessel: every event and track of a vessel takes the
highest classification and the audiences common to *all* of that vessel's
reports (:func:`~northpic.markings.most_restrictive`), and an event of two
vessels (an encounter, an MMSI change) those of both. Its originator lists
the originators of those reports. When the reports have no audience in
common, no marking may be derived: :func:`mark_derived` refuses, naming the
vessel, the inputs and the markings, and northpic never picks one.

The reports carry their marking as a small integer column
(:data:`MARKING_CODE`, an index into :attr:`ReportMarkings.kinds`) only when
they do not all share one marking, so an unmarked single feed costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from northpic.ais.events import inert_text
from northpic.errors import MarkingMixError, MarkingsError, Problem, SchemaError
from northpic.io.ais.marking_columns import MARKING_FIELDS, InputMarkings
from northpic.markings import (
    _MAX_TEXT,
    PUBLIC,
    MarkingTable,
    marking_problems,
    most_restrictive,
    with_marking_defaults,
)
from northpic.schema import MARKING_COLUMNS

#: Column of the reports frame holding each report's marking (see :class:`ReportMarkings`).
MARKING_CODE = "marking_code"
#: What AIS reports are marked when nothing says otherwise: broadcast in the clear.
AIS_RELEASABILITY = PUBLIC


@dataclass(frozen=True)
class ReportMarking:
    """One marking some reports carry.

    Attributes
    ----------
    classification : str
        A level code of the table.
    releasable : frozenset of str
        The audience codes.
    originator : str
        Who contributed the reports.
    sources : tuple of str
        The inputs that hold reports so marked (for messages).
    """

    classification: str
    releasable: frozenset[str]
    originator: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ReportMarkings:
    """The markings of a reports frame.

    Attributes
    ----------
    table : MarkingTable
        The table the codes belong to.
    kinds : tuple of ReportMarking
        The distinct markings, in the order first met.
    codes : numpy.ndarray or None
        Each report's index into ``kinds``, in reports order; ``None`` when
        every report has ``kinds[0]`` (and no :data:`MARKING_CODE` column is needed).
    """

    table: MarkingTable
    kinds: tuple[ReportMarking, ...]
    codes: np.ndarray | None


def default_originator(file_name: str) -> str:
    """Name the originator of an AIS input nothing else names: ``"AIS feed <file name>"``.

    Examples
    --------
    >>> default_originator("aisdk-2026-01-31.zip")
    'AIS feed aisdk-2026-01-31.zip'
    """
    name = inert_text([file_name])[0]
    room = _MAX_TEXT - len("AIS feed ")
    return f"AIS feed {name if len(name) <= room else name[: room - 1] + '…'}"


def check_marking_options(
    table: MarkingTable, releasability: str, originator: str | None,
    classification: str | None,
) -> None:
    """Refuse a batch marking (``--releasability``, ``--originator``, ``--classification``).

    Raises
    ------
    SchemaError
        Naming the option and the reason (exit status 2).
    """
    frame = pd.DataFrame({"classification": [classification or table.lowest.code],
                          "releasability": [releasability],
                          "originator": [originator or "AIS feed"]})
    problems = marking_problems(frame, "ais detect options", table)
    if problems:
        raise SchemaError([Problem(p.path, None, f"--{p.reason}") for p in problems])


def _values(column: pa.ChunkedArray | None, n: int) -> tuple[np.ndarray, list[Any]]:
    """Codes (``-1`` for a null) and the distinct values of a dictionary column."""
    if column is None:
        return np.full(n, -1, dtype=np.int64), []
    unified = column.unify_dictionaries()
    dictionary = (unified.chunk(0).dictionary if unified.num_chunks
                  else pa.array([], type=pa.string()))
    indices = pa.chunked_array([c.indices for c in unified.chunks], type=pa.int32())
    codes = indices.fill_null(-1).to_numpy().astype(np.int64)
    return codes, dictionary.to_pylist()


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """Return the first row of each code ``0..k-1`` when codes appear in that order."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    seen = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    return np.flatnonzero(codes > seen)


def _input_kinds(
    source: InputMarkings, n: int, table: MarkingTable, defaults: dict[str, str],
) -> tuple[pd.DataFrame, np.ndarray | None, list[Problem]]:
    """Return one input's distinct markings, each report's, and the problems found."""
    if not source.columns:
        return pd.DataFrame({c: [defaults[c]] for c in MARKING_COLUMNS}), None, []
    parts = {f: _values(source.columns.get(f), n) for f in MARKING_FIELDS}
    (cls_codes, cls_values), (rel_codes, rel_values) = (parts[f] for f in MARKING_FIELDS)
    if len(cls_codes) != n or len(rel_codes) != n:
        raise MarkingsError(f"{source.label}: the marking columns hold {len(rel_codes):,} "
                            f"values for {n:,} reports; the file changed while it was read?")
    pair, distinct = pd.factorize(rel_codes * (len(cls_values) + 1) + (cls_codes + 1))
    first = _first_rows(pair)
    counts = np.bincount(pair, minlength=len(distinct))
    frame = pd.DataFrame({
        "classification": [None if cls_codes[r] < 0 else cls_values[cls_codes[r]] for r in first],
        "releasability": [None if rel_codes[r] < 0 else rel_values[rel_codes[r]] for r in first],
    })
    frame = with_marking_defaults(frame, **defaults)
    problems = []
    for problem in marking_problems(frame, source.label, table):
        k = int(str(problem.record).lstrip("#")) - 1
        others = counts[k] - 1
        more = (f" (and {others:,} more report{'s' if others > 1 else ''} with this value)"
                if others else "")
        problems.append(Problem(source.label, f"#{first[k] + 1}",
                                f"{problem.reason}{more}"))
    return frame, pair, problems


def report_markings(
    inputs: Sequence[InputMarkings],
    rows: Sequence[int],
    table: MarkingTable,
    *,
    releasability: str = AIS_RELEASABILITY,
    originator: str | None = None,
    classification: str | None = None,
) -> ReportMarkings:
    """Mark every report: the batch marking, or the input's own column where it has one.

    Parameters
    ----------
    inputs : sequence of InputMarkings
        One per input, in reports order
        (:func:`~northpic.io.ais.marking_columns.read_marking_columns`).
    rows : sequence of int
        The number of reports of each input (``attrs["source_rows"]`` of
        :func:`~northpic.io.ais.read_ais`).
    table : MarkingTable
        The audiences and levels allowed.
    releasability : str
        For every report without its own (default ``PUBLIC``: AIS is broadcast in the clear).
    originator : str, optional
        For every report (default ``"AIS feed <file name>"`` per input).
    classification : str, optional
        For every report without its own (default the table's lowest level).

    Returns
    -------
    ReportMarkings

    Raises
    ------
    SchemaError
        For an option or a column value the table does not hold (unknown,
        lower case, not text...): every input, report (``#N``, 1-based in the
        input) and reason.
    """
    check_marking_options(table, releasability, originator, classification)
    if len(inputs) != len(rows):
        raise MarkingsError(f"{len(inputs)} inputs carry markings but {len(rows)} were read")
    kinds: list[ReportMarking] = []
    index: dict[tuple[str, frozenset[str], str], int] = {}
    local: list[tuple[np.ndarray, np.ndarray | None]] = []
    problems: list[Problem] = []
    for source, n in zip(inputs, rows, strict=True):
        defaults = {"releasability": releasability,
                    "classification": classification or table.lowest.code,
                    "originator": originator or default_originator(source.file.name)}
        frame, pair, found = _input_kinds(source, n, table, defaults)
        problems += found
        if found:
            continue
        to_global = np.empty(len(frame), dtype=np.int64)
        for k, (cls, rel) in enumerate(zip(frame["classification"], frame["releasability"],
                                           strict=True)):
            key = (table.level(cls).code, table.codes(rel), defaults["originator"])
            if key not in index:
                index[key] = len(kinds)
                kinds.append(ReportMarking(*key, (source.label,)))
            elif source.label not in kinds[index[key]].sources:
                old = kinds[index[key]]
                kinds[index[key]] = ReportMarking(*key, (*old.sources, source.label))
            to_global[k] = index[key]
        local.append((to_global, pair))
    if problems:
        raise SchemaError(problems)
    if len(kinds) <= 1:
        return ReportMarkings(table, tuple(kinds), None)
    dtype = np.uint8 if len(kinds) <= 0xFF else np.uint16 if len(kinds) <= 0xFFFF else np.int32
    codes = np.empty(sum(rows), dtype=dtype)
    at = 0
    for (to_global, pair), n in zip(local, rows, strict=True):
        codes[at:at + n] = to_global[0] if pair is None else to_global[pair]
        at += n
    return ReportMarkings(table, tuple(kinds), codes)


def vessel_markings(markings: ReportMarkings,
                    frames: Iterable[pd.DataFrame]) -> dict[int, frozenset[int]]:
    """Say which markings (indexes of ``markings.kinds``) each vessel's reports carry.

    Parameters
    ----------
    markings : ReportMarkings
        The reports' markings.
    frames : iterable of pandas.DataFrame
        Reports with ``mmsi`` and :data:`MARKING_CODE` (cleaned ones, and
        the removed spikes that spoofing events come from).

    Returns
    -------
    dict
        ``mmsi -> marking indexes``; empty when every report shares one marking.
    """
    if markings.codes is None:
        return {}
    runs = []
    for frame in frames:
        if not len(frame) or MARKING_CODE not in frame.columns:
            continue
        mmsi = frame["mmsi"].to_numpy()
        code = frame[MARKING_CODE].to_numpy()
        start = np.ones(len(mmsi), dtype=bool)  # one row per run of one vessel and marking
        start[1:] = (mmsi[1:] != mmsi[:-1]) | (code[1:] != code[:-1])
        runs.append(pd.DataFrame({"mmsi": mmsi[start], "code": code[start]}))
    if not runs:
        return {}
    pairs = pd.concat(runs, ignore_index=True).drop_duplicates()
    return {int(m): frozenset(int(c) for c in group)
            for m, group in pairs.groupby("mmsi", sort=False)["code"]}


def _join_originators(names: list[str]) -> str:
    """Join originators as ``"A; B"``, or ``"A; B and 3 more"`` within the markings' limit."""
    text = "; ".join(names)
    for keep in range(len(names) - 1, 0, -1):
        if len(text) <= _MAX_TEXT:
            break
        text = f"{'; '.join(names[:keep])} and {len(names) - keep} more"
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _clash(markings: ReportMarkings, vessels: dict[int, frozenset[int]], mmsis: list[int],
           what: str) -> MarkingMixError:
    table = markings.table
    parts = []
    for k, kind in enumerate(markings.kinds):
        holders = [m for m in mmsis if k in vessels.get(m, ())]
        if holders:
            parts.append(f"{table.phrase(kind.releasable)} in {', '.join(kind.sources)} "
                         f"(MMSI {', '.join(map(str, holders))})")
    subject = " and ".join(f"MMSI {m}" for m in mmsis)
    return MarkingMixError(
        f"{subject}: the reports that make {'its' if len(mmsis) == 1 else 'their'} {what} "
        f"have no audience in common: {'; '.join(parts)}. No marking can be derived from "
        "them, and northpic does not pick one: run the feeds of each marking separately "
        "(one `northpic ais detect` per marking)"
    )


def mark_derived(
    frame: pd.DataFrame,
    markings: ReportMarkings,
    vessels: dict[int, frozenset[int]],
    what: str = "events",
) -> pd.DataFrame:
    """Give events or tracks the marking the reports of their vessel(s) require.

    Parameters
    ----------
    frame : pandas.DataFrame
        Events (with ``mmsi`` and ``other_mmsi``) or tracks (``mmsi``).
    markings : ReportMarkings
        The reports' markings.
    vessels : dict
        :func:`vessel_markings` of the reports.
    what : str
        ``"events"`` or ``"tracks"``, for the message.

    Returns
    -------
    pandas.DataFrame
        A copy with ``classification`` (the highest level), ``releasability``
        (canonical text of :func:`~northpic.markings.most_restrictive`) and
        ``originator`` (the originators, joined by ``"; "``), placed after
        the common columns.

    Raises
    ------
    MarkingMixError
        When the reports of a vessel, or of the two vessels of an event,
        have no audience in common: naming the MMSIs, the inputs and the markings.
    """
    table = markings.table
    everything = frozenset(range(len(markings.kinds)))
    cache: dict[frozenset[int], tuple[str, str, str]] = {}

    def marking_of(mmsis: list[int]) -> tuple[str, str, str]:
        held = (everything if markings.codes is None
                else frozenset().union(*(vessels.get(m, everything) for m in mmsis)))
        if held not in cache:
            kinds = [markings.kinds[k] for k in sorted(held)]
            releasable = most_restrictive(k.releasable for k in kinds)
            if not releasable:
                raise _clash(markings, vessels, mmsis, what)
            level = max((table.level(k.classification) for k in kinds), key=lambda lv: lv.rank)
            names = list(dict.fromkeys(k.originator for k in kinds))
            cache[held] = (level.code, table.text(releasable), _join_originators(names))
        return cache[held]

    n = len(frame)
    if markings.codes is None:
        values = [marking_of([])] * n
    else:
        mmsi = frame["mmsi"].tolist() if n else []
        other = frame["other_mmsi"].tolist() if "other_mmsi" in frame.columns else [None] * n
        values = [marking_of([int(m)] if o is None or pd.isna(o) else [int(m), int(o)])
                  for m, o in zip(mmsi, other, strict=True)]
    out = frame.copy()
    at = (list(out.columns).index("valid_to") + 1 if "valid_to" in out.columns
          else len(out.columns))
    for k, column in enumerate(MARKING_COLUMNS):
        if column in out.columns:
            del out[column]
        out.insert(at + k, column, pd.Series([v[k] for v in values], index=out.index,
                                             dtype=object))
    return out


__all__ = [
    "AIS_RELEASABILITY", "MARKING_CODE", "ReportMarking", "ReportMarkings",
    "check_marking_options", "default_originator", "mark_derived", "report_markings",
    "vessel_markings",
]
