"""Cursor-on-Target types from symbol codes: the table is data, this module applies it.

A CoT *atom* type reads ``a-<affiliation>-<battle dimension>[-<function>...]``
(``a-h-S`` is a hostile surface vessel, ``a-f-G-U-C-I`` friendly infantry).
:func:`cot_type` derives it from a record's 20-digit APP-6D / MIL-STD-2525D
symbol code (the catalogue's ``style.kinds[kind].sidc``) and the affiliation
northpic's perspective gives the record
(:func:`northpic.symbology.record_affiliations`), so that the type agrees
with the map's symbol:

* the affiliation letter from :data:`affiliations` of the table
  (``friend`` ``f``, ``hostile`` ``h``, ``neutral`` ``n``, ``unknown``
  ``u``, ``suspect`` ``s``, ``assumed_friend`` ``a``, ``pending`` ``p``);
* the battle dimension from the symbol set (digits 5-6): ``01`` air ``A``,
  ``05`` space ``P``, ``10`` land unit ``G-U``, ``15`` land equipment
  ``G-E``, ``20`` land installation ``G-I``, ``30`` sea surface ``S``,
  ``35`` subsurface ``U``, ``40`` activities ``X`` (other);
* a function from the longest listed prefix of the entity code (digits
  11-16), where the 2525B/C counterpart is unambiguous; else none.

Records without a symbol code are not atoms: points become spot-map
markers (``b-m-p-s-m``) and lines and polygons drawn shapes (``u-d-f``).

The table is ``io/data/cot_types.json`` (:data:`COT_TYPES_FILE`), checked on load.

Examples
--------
>>> cot_type("10013000001401090000", "hostile")
'a-h-S-X-M'
>>> cot_type("10013500001101000000", "friend"), cot_type("10012000001213090000", "neutral")
('a-f-U-S', 'a-n-G-I')
>>> cot_type(None, "hostile"), cot_type(None, None, shape=True)
('b-m-p-s-m', 'u-d-f')
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from northpic.errors import CatalogueError
from northpic.symbology import AFFILIATIONS, SYMBOL_SETS, sidc_problem

#: The CoT type table northpic ships.
COT_TYPES_FILE = Path(str(resources.files("northpic.io") / "data" / "cot_types.json"))


@dataclass(frozen=True)
class CotTypeTable:
    """The rules of :func:`cot_type`, as read from :data:`COT_TYPES_FILE`."""

    affiliations: dict[str, str]
    dimensions: dict[str, str]
    functions: dict[tuple[str, str], str]
    point: str
    shape: str


def _fail(reason: str) -> CatalogueError:
    return CatalogueError(f"{COT_TYPES_FILE}: {reason}")


def _letters(text: Any, where: str) -> str:
    if not isinstance(text, str) or not text or not all(
            part.isalpha() and part.isascii() for part in text.split("-")):
        raise _fail(f"{where} must be letters joined by '-', not {text!r}")
    return text


def parse_cot_types(doc: Any) -> CotTypeTable:
    """Check the CoT type table and build it.

    Raises
    ------
    CatalogueError
        For an affiliation or symbol set northpic does not know, a symbol set
        without a dimension, an entity code that is not digits, or a type
        that is not letters joined by ``-``.
    """
    if not isinstance(doc, dict):
        raise _fail("must be a JSON object")
    affiliations = doc.get("affiliations", {})
    if set(affiliations) != set(AFFILIATIONS):
        raise _fail(f"affiliations must name exactly {', '.join(AFFILIATIONS)}")
    for name, letter in affiliations.items():
        if not (isinstance(letter, str) and len(letter) == 1 and letter.isalpha()):
            raise _fail(f"affiliation {name!r} must be one letter, not {letter!r}")
    sets = doc.get("symbol_sets", {})
    if set(sets) != set(SYMBOL_SETS):
        raise _fail(f"symbol_sets must name exactly {', '.join(SYMBOL_SETS)}")
    dimensions = {code: _letters(entry.get("dimension") if isinstance(entry, dict) else None,
                                 f"symbol set {code} dimension")
                  for code, entry in sets.items()}
    functions: dict[tuple[str, str], str] = {}
    for number, entry in enumerate(doc.get("functions", []), start=1):
        if not isinstance(entry, dict):
            raise _fail(f"functions entry {number} must be an object")
        key = (entry.get("symbol_set"), entry.get("entity"))
        if key[0] not in dimensions:
            raise _fail(f"functions entry {number}: unknown symbol set {key[0]!r}")
        entity = key[1]
        if not (isinstance(entity, str) and entity.isdigit() and len(entity) % 2 == 0
                and 2 <= len(entity) <= 6):
            raise _fail(f"functions entry {number}: entity must be 2, 4 or 6 digits")
        if key in functions:
            raise _fail(f"functions entry {number} repeats symbol set {key[0]} entity {entity}")
        functions[(str(key[0]), entity)] = _letters(entry.get("function"),
                                                    f"functions entry {number} function")
    without = doc.get("without_symbol", {})
    return CotTypeTable({k: str(v) for k, v in affiliations.items()}, dimensions, functions,
                        _letters(without.get("point"), "without_symbol point"),
                        _letters(without.get("shape"), "without_symbol shape"))


@cache
def cot_type_table() -> CotTypeTable:
    """Return the CoT type table northpic ships (read once)."""
    try:
        doc = json.loads(COT_TYPES_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _fail(f"cannot be read: {exc}") from None
    return parse_cot_types(doc)


def cot_type(sidc: str | None, affiliation: str | None, *, shape: bool = False) -> str:
    """Return the CoT type of a record (see the module's rules).

    Parameters
    ----------
    sidc : str or None
        The record's 20-digit symbol code; None (or an invalid code) for a
        record drawn without a standard symbol.
    affiliation : str or None
        Its affiliation under the perspective (a key of
        :data:`northpic.symbology.AFFILIATIONS`); None counts as ``unknown``.
    shape : bool
        The record is a line or a polygon, sent as a drawn shape.

    Returns
    -------
    str
        An atom type ``a-...`` for a point with a symbol code, ``b-m-p-s-m``
        for another point, ``u-d-f`` for a shape.
    """
    table = cot_type_table()
    if shape:
        return table.shape
    if sidc is None or sidc_problem(sidc) is not None:
        return table.point
    letter = table.affiliations.get(affiliation or "unknown", table.affiliations["unknown"])
    symbol_set, entity = sidc[4:6], sidc[10:16]
    parts = ["a", letter, table.dimensions[symbol_set]]
    for length in (6, 4, 2):
        function = table.functions.get((symbol_set, entity[:length]))
        if function is not None:
            parts.append(function)
            break
    return "-".join(parts)


__all__ = ["COT_TYPES_FILE", "CotTypeTable", "cot_type", "cot_type_table", "parse_cot_types"]
