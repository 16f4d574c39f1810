"""Standard military symbols: symbol codes (SIDCs) and the affiliation a perspective gives.

Military, security and shadow-fleet kinds are drawn as APP-6 / MIL-STD-2525
symbols. Each such kind carries a 20-digit symbol identification code
(MIL-STD-2525D / APP-6D structure) in the catalogue's style
(``style.kinds[kind].sidc``); :func:`sidc_problem` checks one. Its fourth
digit, the *standard identity*, is not the catalogue's to decide: it is set
per record from a :class:`Perspective` (:func:`with_affiliation`).

A perspective is a table kept as data (``io/data/perspectives/*.json``):
``nato`` (the default), ``eu`` and ``none`` ship with northpic, and a user
may give their own file (:func:`read_perspective`). It maps the state that
*operates* an installation to an affiliation (:data:`AFFILIATIONS`):

- a record's operating state is its ``operator_country`` when it has one,
  else its ``country`` (a base in Greenland run by the US Space Force is a
  US facility: friend under ``nato``, whoever's territory it is on);
- a country written with its territory in brackets (``"Denmark
  (Greenland)"``) is looked up whole first, then without the brackets;
- names are compared without regard to case; a state the table does not
  name has the table's ``other_countries`` affiliation;
- records without any country (shadow-fleet vessels) take the affiliation
  the table's ``without_country`` gives their layer (``suspect`` under
  ``nato`` and ``eu``), else ``unknown``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from northpic.errors import PerspectiveError
from northpic.io.perspective_file import (
    PERSPECTIVES_DIR,
    builtin_perspective_names,
    read_perspective_document,
)
from northpic.schema import text_problem
from northpic.times import is_blank

#: Standard identities (the SIDC's fourth digit), by the name perspectives use.
AFFILIATIONS: dict[str, str] = {
    "pending": "0",
    "unknown": "1",
    "assumed_friend": "2",
    "friend": "3",
    "neutral": "4",
    "suspect": "5",
    "hostile": "6",
}
#: The perspective a map is drawn from when none is asked for.
DEFAULT_PERSPECTIVE = "nato"
#: Record columns that name the operating state, first found wins.
COUNTRY_COLUMNS = ("operator_country", "country")
#: Symbol sets (SIDC digits 5-6) northpic's kinds may use: air, space, land unit,
#: land equipment, land installation, sea surface, sea subsurface, activities.
SYMBOL_SETS = ("01", "05", "10", "15", "20", "30", "35", "40")
#: SIDC versions (digits 1-2): MIL-STD-2525D, 2525D change 1, APP-6D / 2525E.
SIDC_VERSIONS = ("10", "11", "13")
_SIDC = re.compile(r"[0-9]{20}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
_BRACKETS = re.compile(r"\s*\(.*\)\s*$")
_KEYS = {"version", "name", "title", "about", "countries", "other_countries", "without_country"}


def sidc_problem(code: object) -> str | None:
    """Say what is wrong with a symbol identification code, or ``None`` if nothing.

    A valid code is 20 digits: a known version, context 0 (reality), any
    standard identity (the perspective replaces it), a symbol set of
    :data:`SYMBOL_SETS`, then status, headquarters, amplifier, entity and
    modifier digits.

    Examples
    --------
    >>> sidc_problem("10012000001213090000") is None
    True
    >>> sidc_problem("SFGPIBN---H****")
    "must be 20 digits (MIL-STD-2525D / APP-6D), not 'SFGPIBN---H****'"
    >>> sidc_problem("10019900001213090000")
    "has symbol set '99'; use one of 01, 05, 10, 15, 20, 30, 35, 40"
    """
    if not isinstance(code, str) or not _SIDC.fullmatch(code):
        return f"must be 20 digits (MIL-STD-2525D / APP-6D), not {code!r}"
    if code[:2] not in SIDC_VERSIONS:
        return f"has version {code[:2]!r}; use one of {', '.join(SIDC_VERSIONS)}"
    if code[2] != "0":
        return f"has context {code[2]!r}; maps show reality (0)"
    if code[3] not in AFFILIATIONS.values():
        return f"has standard identity {code[3]!r}; use 0-6"
    if code[4:6] not in SYMBOL_SETS:
        return f"has symbol set {code[4:6]!r}; use one of {', '.join(SYMBOL_SETS)}"
    return None


def with_affiliation(sidc: str, affiliation: str) -> str:
    """Return ``sidc`` with its standard identity set to ``affiliation``.

    Examples
    --------
    >>> with_affiliation("10012000001213090000", "hostile")
    '10062000001213090000'
    """
    return sidc[:3] + AFFILIATIONS[affiliation] + sidc[4:]


def _country_key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Perspective:
    """Who is friend and who is hostile, from one point of view.

    Attributes
    ----------
    name : str
        Short name (``"nato"``).
    title : str
        What the legend says (``"NATO"``).
    about : str
        One paragraph on how the table was drawn up.
    countries : mapping of str to str
        State name to affiliation (keys as written in the file).
    other_countries : str
        The affiliation of a state the table does not name.
    without_country : mapping of str to str
        Layer name to the affiliation of its records that name no state.
    source : str
        The file it was read from.
    """

    name: str
    title: str
    about: str = ""
    countries: Mapping[str, str] = field(default_factory=dict)
    other_countries: str = "unknown"
    without_country: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup = {_country_key(k): v for k, v in self.countries.items()}
        object.__setattr__(self, "_lookup", lookup)

    def affiliation(self, country: str | None, layer: str) -> str:
        """Return the affiliation of a record operated by ``country`` in ``layer``.

        Examples
        --------
        >>> nato = read_perspective("nato")
        >>> nato.affiliation("Norway", "bases"), nato.affiliation("Russia", "bases")
        ('friend', 'hostile')
        >>> nato.affiliation("Denmark (Greenland)", "bases")
        'friend'
        >>> nato.affiliation(None, "shadow_fleet"), nato.affiliation(None, "bases")
        ('suspect', 'unknown')
        """
        if country is None or not country.strip():
            return self.without_country.get(layer, "unknown")
        key = _country_key(country)
        if key in self._lookup:
            return self._lookup[key]
        bare = _country_key(_BRACKETS.sub("", country))
        return self._lookup.get(bare, self.other_countries)


def _affiliation(value: Any, where: str) -> str:
    if not isinstance(value, str) or value not in AFFILIATIONS:
        raise PerspectiveError(f"{where}: unknown affiliation {value!r}; use one of "
                               f"{', '.join(AFFILIATIONS)}")
    return value


def _text(doc: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
    value = doc.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise PerspectiveError(f"{where}: {key} must be text")
    problem = text_problem(value, multiline=key == "about")
    if problem:
        raise PerspectiveError(f"{where}: {key} {problem}")
    return value


def _mapping(doc: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise PerspectiveError(f"{where}: {key} must be a JSON object of name to affiliation")
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, affiliation in value.items():
        problem = text_problem(name) if name.strip() else "is empty"
        if problem:
            raise PerspectiveError(f"{where}: {key}: name {name!r} {problem}")
        out[name] = _affiliation(affiliation, f"{where}: {key}: {name!r}")
        again = seen.setdefault(_country_key(name), name)
        if again != name:
            raise PerspectiveError(f"{where}: {key}: {name!r} repeats {again!r}")
    return out


def parse_perspective(doc: Mapping[str, Any], source: str) -> Perspective:
    """Check a perspective document (as read from ``source``) and build it.

    Raises
    ------
    PerspectiveError
        Naming ``source`` and the entry: an unknown key, a missing name or
        title, an affiliation not in :data:`AFFILIATIONS`, a state named twice.
    """
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise PerspectiveError(f"{source}: unknown key(s) {', '.join(map(repr, unknown))}; "
                               f"a perspective has {', '.join(sorted(_KEYS))}")
    name = _text(doc, "name", source)
    if not _NAME.fullmatch(name):
        raise PerspectiveError(f"{source}: name {name!r} must be letters, digits, '_', '.' "
                               "or '-'")
    return Perspective(
        name=name,
        title=_text(doc, "title", source),
        about=_text(doc, "about", source, required=False),
        countries=_mapping(doc, "countries", source),
        other_countries=_affiliation(doc.get("other_countries", "unknown"),
                                     f"{source}: other_countries"),
        without_country=_mapping(doc, "without_country", source),
        source=source,
    )


def read_perspective(spec: str | Path | Perspective | None = None) -> Perspective:
    """Return a perspective by name (``nato``, ``eu``, ``none``) or from a JSON file.

    Parameters
    ----------
    spec : str, pathlib.Path or Perspective, optional
        A name northpic ships, a file, or a perspective already read (returned
        as is). Default: :data:`DEFAULT_PERSPECTIVE`.

    Raises
    ------
    PerspectiveError
        For a name that is neither shipped nor an existing file, or a file
        that breaks the rules (see :func:`parse_perspective`).

    Examples
    --------
    >>> read_perspective().title, read_perspective("none").affiliation("Russia", "bases")
    ('NATO', 'unknown')
    """
    if isinstance(spec, Perspective):
        return spec
    spec = DEFAULT_PERSPECTIVE if spec is None else spec
    if isinstance(spec, str) and spec in builtin_perspective_names():
        path = PERSPECTIVES_DIR / f"{spec}.json"
    else:
        path = Path(spec)
        if not path.is_file():
            raise PerspectiveError(
                f"unknown perspective {str(spec)!r}: use one of "
                f"{', '.join(builtin_perspective_names())} or a JSON file"
            )
    return parse_perspective(read_perspective_document(path), str(path))


def record_affiliations(frame: pd.DataFrame, layer: str, perspective: Perspective) -> list[str]:
    """Each record's affiliation under ``perspective`` (see the module's rules).

    Examples
    --------
    >>> frame = pd.DataFrame({"country": ["Denmark (Greenland)", "Russia", None],
    ...                       "operator_country": ["United States", None, None]})
    >>> record_affiliations(frame, "bases", read_perspective("nato"))
    ['friend', 'hostile', 'unknown']
    """
    states: list[str | None] = [None] * len(frame)
    for column in reversed(COUNTRY_COLUMNS):  # the first column wins where it has a value
        if column in frame.columns:
            for i, value in enumerate(frame[column].tolist()):
                if not is_blank(value):
                    states[i] = str(value)
    known: dict[str | None, str] = {}
    for state in set(states):
        known[state] = perspective.affiliation(state, layer)
    return [known[state] for state in states]


def has_symbol_codes(style: Mapping[str, Any]) -> bool:
    """Whether a layer style draws its kinds as standard symbols (its kinds carry a ``sidc``).

    Examples
    --------
    >>> has_symbol_codes({"kinds": {"naval": {"sidc": "10012000001213090000"}}})
    True
    >>> has_symbol_codes({"kinds": {"port": {"symbol": "circle"}}}), has_symbol_codes({})
    (False, False)
    """
    kinds = style.get("kinds")
    return isinstance(kinds, dict) and any(
        isinstance(k, dict) and "sidc" in k for k in kinds.values()
    )
