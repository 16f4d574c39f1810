"""Markings: who may receive each record, and what a product must say about it.

Every record carries three marking fields (:data:`northpic.schema.MARKING_COLUMNS`):

``classification``
    A level of the markings table, e.g. ``UNCLASSIFIED``; levels are ordered,
    lowest first, and each has the banner text products show.
``releasability``
    The audiences that may receive the record, as codes of the table:
    ``PUBLIC`` (anyone), an organisation (``NATO``, ``EU``...) or a nation
    (ISO 3166 alpha-3, ``NOR``). Written ``"NATO, EU"``; the forms
    ``"REL TO NATO, EU"``, ``"RELEASABLE TO NATO, EU"`` and ``"NOR EYES ONLY"``
    are read too. Codes are upper case; any other spelling is refused.
``originator``
    The organisation that contributed the record (free text, one line).

Release is explicit: a record goes to an audience only when its
releasability names that audience or is ``PUBLIC``. Membership does not
release: a record marked ``NATO`` is not thereby releasable to a product for
``NOR``. A product for several audiences at once (``--audience NATO,EU``)
holds only what every one of them may receive.

A product's marking is computed from what it holds
(:func:`product_marking`): the highest level, and the audiences every
record may go to. Its banner reads, for example,
``UNCLASSIFIED // RELEASABLE TO NATO, EU`` or ``RESTRICTED // NOR EYES ONLY``.

The table is data (``io/data/markings.json``); a user supplies their own
with ``--markings FILE`` (:func:`read_markings`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from northpic.errors import MarkingMixError, MarkingsError, Problem
from northpic.io.markings_file import DEFAULT_MARKINGS_FILE, read_markings_document
from northpic.schema import MARKING_COLUMNS, record_label, text_problem
from northpic.times import is_blank

#: Code of the audience "anyone": a record marked so goes to every product.
PUBLIC = "PUBLIC"
#: The kinds of audience a table may hold.
AUDIENCE_KINDS: tuple[str, ...] = ("public", "organisation", "nation")
_LEVEL_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,31}")
_AUDIENCE_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,15}")
_NATION_CODE = re.compile(r"[A-Z]{3}")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_PREFIX = re.compile(r"^\s*(?:RELEASABLE|REL)\s+TO\s+")
_EYES_ONLY = re.compile(r"\s+EYES\s+ONLY\s*$")
_MAX_TEXT = 120


@dataclass(frozen=True)
class Level:
    """One classification level: its code, its banner text and its rank (0 = lowest).

    ``colour`` (``#rrggbb``, optional) is the background of the level's
    banners; products fall back to a neutral grey without one.
    """

    code: str
    banner: str
    rank: int
    colour: str | None = None


@dataclass(frozen=True)
class Audience:
    """One audience: its code, its kind (see :data:`AUDIENCE_KINDS`) and its name."""

    code: str
    kind: str
    name: str


@dataclass(frozen=True)
class MarkingTable:
    """A validated markings table: ordered levels and known audiences.

    Build one with :func:`read_markings` or :func:`default_markings`.
    """

    levels: tuple[Level, ...]
    audiences: tuple[Audience, ...]
    path: str = "<markings>"
    label: str = "markings table"
    _levels: dict[str, Level] = field(init=False, repr=False, compare=False)
    _audiences: dict[str, Audience] = field(init=False, repr=False, compare=False)
    _order: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_levels", {lv.code: lv for lv in self.levels})
        object.__setattr__(self, "_audiences", {a.code: a for a in self.audiences})
        object.__setattr__(self, "_order", {a.code: i for i, a in enumerate(self.audiences)})

    @property
    def lowest(self) -> Level:
        """The lowest classification level (the default of openly sourced data)."""
        return self.levels[0]

    def level(self, text: str) -> Level:
        """Return the level ``text`` names.

        Raises
        ------
        ValueError
            For a level the table does not hold (the message lists them).
        """
        found = self._levels.get(text)
        if found is None:
            hint = (f" (levels are upper case: {text.upper()!r})"
                    if text.upper() in self._levels else "")
            raise ValueError(f"unknown classification {text!r}{hint}; "
                             f"the table's levels are {', '.join(self._levels)}")
        return found

    def codes(self, text: str) -> frozenset[str]:
        """Parse a releasability (or an ``--audience``) into audience codes.

        Parameters
        ----------
        text : str
            ``"NATO, EU"``, ``"REL TO NATO, EU"``, ``"RELEASABLE TO NATO, EU"``,
            ``"NOR EYES ONLY"`` or ``"PUBLIC"``.

        Returns
        -------
        frozenset of str
            The codes; ``{"PUBLIC"}`` when ``PUBLIC`` is among them.

        Raises
        ------
        ValueError
            For an empty marking or an audience the table does not hold.

        Examples
        --------
        >>> table = default_markings()
        >>> sorted(table.codes("REL TO NATO, EU"))
        ['EU', 'NATO']
        >>> table.codes("nato")
        Traceback (most recent call last):
        ...
        ValueError: unknown audience 'nato' (audience codes are upper case: 'NATO')
        """
        body = _PREFIX.sub("", text)
        eyes_only = _EYES_ONLY.search(body)
        if eyes_only:
            body = body[: eyes_only.start()]
        parts = [p.strip() for p in body.split(",")]
        if not any(parts):
            raise ValueError("names no audience")
        if "" in parts:
            raise ValueError(f"{text!r} has an empty audience between commas")
        for part in parts:
            if part not in self._audiences:
                if part.upper() in self._audiences:
                    raise ValueError(f"unknown audience {part!r} "
                                     f"(audience codes are upper case: {part.upper()!r})")
                raise ValueError(f"unknown audience {part!r}; the table "
                                 f"({self.path}) holds {', '.join(self._audiences)}")
        if eyes_only and (len(parts) != 1 or self._audiences[parts[0]].kind != "nation"):
            raise ValueError(f"{text!r}: EYES ONLY names exactly one nation")
        return frozenset({PUBLIC}) if PUBLIC in parts else frozenset(parts)

    def text(self, codes: Iterable[str]) -> str:
        """Write audience codes the canonical way: table order, joined by ``", "``.

        Examples
        --------
        >>> default_markings().text({"EU", "NATO"})
        'NATO, EU'
        """
        return ", ".join(sorted(set(codes), key=self._order.__getitem__))

    def phrase(self, codes: frozenset[str]) -> str:
        """Say to whom, as banners do: ``PUBLIC RELEASE``, ``NOR EYES ONLY``, ``RELEASABLE TO X``.

        Examples
        --------
        >>> table = default_markings()
        >>> table.phrase(frozenset({"NOR"})), table.phrase(frozenset({"NATO", "EU"}))
        ('NOR EYES ONLY', 'RELEASABLE TO NATO, EU')
        """
        if PUBLIC in codes:
            return "PUBLIC RELEASE"
        if len(codes) == 1:
            (code,) = codes
            if self._audiences[code].kind == "nation":
                return f"{code} EYES ONLY"
        return f"RELEASABLE TO {self.text(codes)}"

    def banner(self, classification: str, releasability: str) -> str:
        """Write one record's marking as banners do: ``"RESTRICTED // NOR EYES ONLY"``.

        Examples
        --------
        >>> default_markings().banner("UNCLASSIFIED", "NATO, EU")
        'UNCLASSIFIED // RELEASABLE TO NATO, EU'
        """
        return f"{self.level(classification).banner} // {self.phrase(self.codes(releasability))}"

    def names(self, codes: Iterable[str]) -> str:
        """Name the audiences for readers: ``"NATO (North Atlantic ...), EU (...)"``."""
        return ", ".join(f"{c} ({self._audiences[c].name})"
                         for c in sorted(set(codes), key=self._order.__getitem__))


def _table_problems(doc: Mapping[str, Any], path: str) -> tuple[list[str], list[Level],
                                                                 list[Audience]]:
    problems: list[str] = []
    levels: list[Level] = []
    audiences: list[Audience] = []

    def text_field(entry: Any, key: str, where: str) -> str | None:
        value = entry.get(key) if isinstance(entry, dict) else None
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: {key!r} must be a non-empty text")
            return None
        problem = text_problem(value)
        if problem or len(value) > _MAX_TEXT:
            problems.append(f"{where}: {key!r} {problem or f'is over {_MAX_TEXT} characters'}")
            return None
        return value

    for i, entry in enumerate(doc["levels"]):
        where = f"levels[{i}]"
        code, banner = text_field(entry, "code", where), text_field(entry, "banner", where)
        colour = entry.get("colour") if isinstance(entry, dict) else None
        if colour is not None and not (isinstance(colour, str) and _COLOUR.fullmatch(colour)):
            problems.append(f"{where}: 'colour' must be a colour written #rrggbb")
            colour = None
        if code is not None and not _LEVEL_CODE.fullmatch(code):
            problems.append(f"{where}: level code {code!r} must be upper-case letters, "
                            "digits and _ (at most 32)")
        elif code is not None and banner is not None:
            if any(lv.code == code for lv in levels):
                problems.append(f"{where}: level {code!r} is listed twice")
            levels.append(Level(code, banner, len(levels), colour))
    if not doc["levels"]:
        problems.append("'levels' is empty: a table needs at least one level")
    for i, entry in enumerate(doc["audiences"]):
        where = f"audiences[{i}]"
        code, kind = text_field(entry, "code", where), text_field(entry, "kind", where)
        name = text_field(entry, "name", where)
        if code is None or kind is None or name is None:
            continue
        if kind not in AUDIENCE_KINDS:
            problems.append(f"{where}: kind {kind!r} must be one of {', '.join(AUDIENCE_KINDS)}")
        elif not _AUDIENCE_CODE.fullmatch(code):
            problems.append(f"{where}: audience code {code!r} must be upper-case letters, "
                            "digits and _ (2 to 16)")
        elif kind == "nation" and not _NATION_CODE.fullmatch(code):
            problems.append(f"{where}: nation {code!r} must be an ISO 3166 alpha-3 code")
        elif (kind == "public") != (code == PUBLIC):
            problems.append(f"{where}: the public audience is {PUBLIC!r}, of kind 'public'")
        elif any(a.code == code for a in audiences):
            problems.append(f"{where}: audience {code!r} is listed twice")
        else:
            audiences.append(Audience(code, kind, name))
    if not any(a.code == PUBLIC for a in audiences):
        problems.append(f"no {PUBLIC!r} audience: openly sourced layers are released to it")
    return problems, levels, audiences


def markings_from_document(doc: Mapping[str, Any], path: str) -> MarkingTable:
    """Validate a parsed markings document and build its table.

    Raises
    ------
    MarkingsError
        Naming the file and every entry that breaks the rules.
    """
    problems, levels, audiences = _table_problems(doc, path)
    if problems:
        raise MarkingsError("\n".join(f"{path}: {p}" for p in problems))
    return MarkingTable(tuple(levels), tuple(audiences), path, Path(path).name)


def read_markings(path: str | Path) -> MarkingTable:
    """Read and validate a markings table file (``--markings FILE``).

    Parameters
    ----------
    path : str or pathlib.Path
        A JSON file laid out like northpic's own table: ``levels`` (lowest
        first, each with ``code`` and ``banner``) and ``audiences`` (each with
        ``code``, ``kind`` and ``name``; one is ``PUBLIC``).

    Returns
    -------
    MarkingTable

    Raises
    ------
    MarkingsError
        If the file is unreadable or an entry is wrong (file and entry named).
    """
    return markings_from_document(read_markings_document(path), str(path))


@lru_cache(maxsize=1)
def default_markings() -> MarkingTable:
    """Return the table northpic ships: four levels; PUBLIC, NATO, EU, FVEY and nations.

    Examples
    --------
    >>> table = default_markings()
    >>> table.lowest.code, [a.code for a in table.audiences[:3]]
    ('UNCLASSIFIED', ['PUBLIC', 'NATO', 'EU'])
    """
    table = read_markings(DEFAULT_MARKINGS_FILE)
    return MarkingTable(table.levels, table.audiences, table.path, "northpic default table")


def may_receive(record: frozenset[str], audience: frozenset[str]) -> bool:
    """Whether a record marked ``record`` may go to a product for every code of ``audience``.

    Examples
    --------
    >>> may_receive(frozenset({"NATO", "EU"}), frozenset({"EU"}))
    True
    >>> may_receive(frozenset({"NATO"}), frozenset({"NOR"}))  # membership does not release
    False
    """
    return PUBLIC in record or (PUBLIC not in audience and audience <= record)


def most_restrictive(markings: Iterable[frozenset[str]]) -> frozenset[str]:
    """Return the audiences every one of ``markings`` may go to (``{"PUBLIC"}`` if unrestricted).

    The result is empty when no single audience may receive them all.

    Examples
    --------
    >>> sorted(most_restrictive([frozenset({"PUBLIC"}), frozenset({"NATO", "EU"}),
    ...                         frozenset({"EU", "NOR"})]))
    ['EU']
    >>> most_restrictive([frozenset({"NOR"}), frozenset({"EU"})])
    frozenset()
    """
    result: frozenset[str] | None = None
    for codes in markings:
        if PUBLIC not in codes:
            result = codes if result is None else result & codes
    return frozenset({PUBLIC}) if result is None else result


def with_marking_defaults(
    frame: pd.DataFrame,
    *,
    releasability: str | None = None,
    originator: str | None = None,
    classification: str | None = None,
) -> pd.DataFrame:
    """Fill blank or missing marking fields with batch defaults (a copy; nothing is validated).

    A default given as ``None`` leaves the field as it is (missing stays
    missing, and validation then names the records without one).
    """
    out = frame.copy()
    for column, value in zip(MARKING_COLUMNS, (classification, releasability, originator),
                             strict=True):
        if value is None:
            continue
        if column not in out.columns:
            out[column] = value
        else:
            blank = out[column].map(is_blank).to_numpy(dtype=bool)
            out[column] = out[column].astype(object).where(~blank, value)
    return out


def marking_problems(frame: pd.DataFrame, path: str, table: MarkingTable, *,
                     required: bool = True) -> list[Problem]:
    """List every record whose marking fields are missing or not in ``table``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Records with (or without) the :data:`~northpic.schema.MARKING_COLUMNS`.
    path : str
        Where the records came from, for the messages.
    table : MarkingTable
        The audiences and levels allowed.
    required : bool
        Whether a missing marking column (or a blank value) is a problem;
        ``False`` checks only the values a file gives (a batch default may
        supply the rest).

    Returns
    -------
    list of Problem
        One per record and field, naming the reason.
    """
    problems: list[Problem] = []
    checks = {
        "classification": table.level,
        "releasability": table.codes,
        "originator": lambda value: None,
    }
    for column in MARKING_COLUMNS:
        if column not in frame.columns:
            if required:
                problems.append(Problem(path, None,
                                        f"no {column!r} field (every record needs one)"))
            continue
        values = frame[column].tolist()
        verdicts: dict[Any, str | None] = {}
        for pos, value in enumerate(values):
            key = value if isinstance(value, str) else repr(value)
            if key not in verdicts:
                verdicts[key] = (None if not required and is_blank(value)
                                 else _field_problem(value, checks[column]))
            if verdicts[key]:
                problems.append(Problem(path, record_label(frame, pos),
                                        f"{column}: {verdicts[key]}"))
    return problems


def _field_problem(value: Any, check: Any) -> str | None:
    if is_blank(value):
        return "missing"
    if not isinstance(value, str):
        return f"{value!r} is not text"
    problem = text_problem(value)
    if problem:
        return problem
    if len(value) > _MAX_TEXT:
        return f"is over {_MAX_TEXT} characters"
    try:
        check(value)
    except ValueError as exc:
        return str(exc)
    return None


def normalise_markings(frame: pd.DataFrame, table: MarkingTable) -> pd.DataFrame:
    """Write valid marking fields the canonical way (``"NATO, EU"``), in place order kept."""
    out = frame.copy()
    out["releasability"] = [table.text(table.codes(v)) for v in out["releasability"]]
    out["classification"] = [table.level(v).code for v in out["classification"]]
    out["originator"] = out["originator"].astype(str)
    return out


def releasable_mask(frame: pd.DataFrame, audience: frozenset[str],
                    table: MarkingTable) -> np.ndarray:
    """Boolean mask of the records of ``frame`` that may go to ``audience``.

    A record without a valid releasability is never releasable.
    """
    if "releasability" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    verdicts: dict[Any, bool] = {}
    keep = np.empty(len(frame), dtype=bool)
    for pos, value in enumerate(frame["releasability"].tolist()):
        key = value if isinstance(value, str) else repr(value)
        if key not in verdicts:
            try:
                verdicts[key] = isinstance(value, str) and may_receive(table.codes(value),
                                                                        audience)
            except ValueError:
                verdicts[key] = False
        keep[pos] = verdicts[key]
    return keep


@dataclass(frozen=True)
class ProductMarking:
    """The marking a product carries, computed from what it holds.

    Attributes
    ----------
    level : Level
        The highest classification among the records.
    releasable : frozenset of str
        The audiences every record may go to.
    audience : frozenset of str or None
        The audience the product was made for (``--audience``), or ``None``
        when it is for whoever its contents allow.
    table : MarkingTable
        The table the codes belong to.
    """

    level: Level
    releasable: frozenset[str]
    audience: frozenset[str] | None
    table: MarkingTable

    @property
    def banner(self) -> str:
        """E.g. ``"UNCLASSIFIED // RELEASABLE TO NATO, EU"``."""
        return f"{self.level.banner} // {self.table.phrase(self.releasable)}"

    @property
    def releasability(self) -> str:
        """The contents' releasability, canonical (``"NATO, EU"``)."""
        return self.table.text(self.releasable)

    @property
    def prepared_for(self) -> str:
        """Who the product is for, in words."""
        if self.audience is None:
            return (f"{self.table.text(self.releasable)} (no --audience given: the most "
                    "restrictive set its contents need)")
        return self.table.text(self.audience)

    def as_dict(self) -> dict[str, str]:
        """Return the marking as metadata items (every product stores these).

        Keys: ``banner``, ``classification`` (the highest level held),
        ``releasability``, ``releasable_to`` (the audiences' names),
        ``prepared_for`` and ``markings_table``.
        """
        return {"banner": self.banner, "classification": self.level.code,
                "releasability": self.releasability,
                "releasable_to": self.table.names(self.releasable),
                "prepared_for": self.prepared_for, "markings_table": self.table.label}


def product_marking(
    frames: Iterable[pd.DataFrame],
    table: MarkingTable,
    audience: frozenset[str] | None = None,
) -> ProductMarking:
    """Compute the marking of a product that holds ``frames``.

    Parameters
    ----------
    frames : iterable of pandas.DataFrame
        Every record the product holds, with valid marking fields (already
        filtered for ``audience`` when one is given, see :func:`for_audience`).
    table : MarkingTable
        The markings table.
    audience : frozenset of str, optional
        The audience the product is made for.

    Returns
    -------
    ProductMarking

    Raises
    ------
    MarkingMixError
        When no single audience may see every record and no ``audience`` is
        given: the message names a record of each marking that clashes. Also
        for an unmarked record (blank classification or releasability, as an
        event stored before markings reads): it may go to no audience, so
        it is never treated as public.
    ValueError
        When ``audience`` is given and a record is not releasable to it (a
        bug of the caller: filter first).
    """
    rank = 0
    seen: dict[frozenset[str], str] = {}
    for frame in frames:
        if len(frame) == 0:
            continue
        unmarked = np.flatnonzero([is_blank(c) or is_blank(r) for c, r in zip(
            frame["classification"].tolist(), frame["releasability"].tolist(), strict=True)])
        if len(unmarked):
            raise MarkingMixError(
                f"record {record_label(frame, int(unmarked[0]))} is unmarked (stored before "
                "northpic kept markings), so no audience may receive it; say for whom the "
                "product is with --audience (unmarked records are then left out), or add it "
                "again with markings (see docs/events.md, 'Unmarked events')")
        for value in frame["classification"].unique().tolist():
            rank = max(rank, table.level(value).rank)
        for value, group in frame.groupby("releasability", sort=False).groups.items():
            codes = table.codes(str(value))
            first = group[0]
            label = str(frame.loc[first, "id"]) if "id" in frame.columns else str(first)
            seen.setdefault(codes, label)
    releasable = most_restrictive(seen)
    if audience is not None:
        stray = [label for codes, label in seen.items() if not may_receive(codes, audience)]
        if stray:
            raise ValueError(f"record {stray[0]!r} is not releasable to {table.text(audience)}")
        if not seen:
            releasable = audience
    elif not releasable:
        restricted = [(codes, label) for codes, label in seen.items() if PUBLIC not in codes]
        examples = "; ".join(f"record {label!r} is {table.text(codes)}"
                             for codes, label in restricted[:4])
        raise MarkingMixError(
            "these records have no audience in common, so no single audience may see the "
            f"product ({examples}); say for whom it is with --audience (e.g. --audience "
            f"{table.text(restricted[0][0])})")
    return ProductMarking(table.levels[rank], releasable, audience, table)


def for_audience(frame: pd.DataFrame, audience: frozenset[str] | None,
                 table: MarkingTable) -> pd.DataFrame:
    """Keep the records of ``frame`` that may go to ``audience`` (all of them for ``None``)."""
    if audience is None:
        return frame
    return frame[releasable_mask(frame, audience, table)]


def markings_table(markings: MarkingTable | str | Path | None = None) -> MarkingTable:
    """Return the markings table given as a table, a path (``--markings FILE``) or ``None``.

    Raises
    ------
    MarkingsError
        If the file cannot be read or breaks the table's rules.
    """
    if markings is None:
        return default_markings()
    if isinstance(markings, MarkingTable):
        return markings
    return read_markings(markings)


def resolve_markings(
    audience: str | frozenset[str] | None = None,
    markings: MarkingTable | str | Path | None = None,
) -> tuple[frozenset[str] | None, MarkingTable]:
    """Read the ``audience`` and ``markings`` arguments of every product maker.

    Parameters
    ----------
    audience : str or frozenset of str, optional
        ``"EU"``, ``"NATO,EU"``, ``"PUBLIC"``, or the codes themselves.
    markings : MarkingTable, str or pathlib.Path, optional
        A table, or the path of a table file; default northpic's own.

    Returns
    -------
    tuple
        The audience codes (``None`` without an audience) and the table.

    Raises
    ------
    MarkingsError
        For an unreadable table or an audience it does not hold.

    Examples
    --------
    >>> codes, table = resolve_markings("NATO,EU")
    >>> sorted(codes), table.label
    (['EU', 'NATO'], 'northpic default table')
    """
    table = markings_table(markings)
    if audience is None:
        return None, table
    if isinstance(audience, str):
        return parse_audience(audience, table), table
    return parse_audience(", ".join(sorted(audience)), table), table


def parse_audience(text: str, table: MarkingTable) -> frozenset[str]:
    """Read an ``--audience`` value (``"EU"``, ``"NATO,EU"``, ``"PUBLIC"``).

    Raises
    ------
    MarkingsError
        For an audience the table does not hold.
    """
    try:
        return table.codes(text)
    except ValueError as exc:
        raise MarkingsError(f"--audience {text!r}: {exc}") from None


__all__ = [
    "AUDIENCE_KINDS", "PUBLIC", "Audience", "Level", "MarkingTable", "ProductMarking",
    "default_markings", "for_audience", "marking_problems", "markings_from_document",
    "markings_table", "resolve_markings",
    "may_receive", "most_restrictive", "normalise_markings", "parse_audience",
    "product_marking", "read_markings", "releasable_mask", "with_marking_defaults",
]
