"""CQL2 text filters, evaluated against a collection's frame.

:func:`filter_mask` parses ``filter`` with pygeofilter's CQL2 text parser
and walks the tree it returns, turning each node into a boolean mask over
the frame's rows with pandas and shapely: no text is ever evaluated as
code. What is supported (and declared at ``/conformance``):

- comparisons ``= <> < <= > >=`` of a property with a literal (text,
  number, boolean, ``DATE(...)``, ``TIMESTAMP(...)``);
- ``AND``, ``OR``, ``NOT`` and parentheses, with SQL's three-valued logic
  (a comparison with a missing value is unknown, and so is its negation);
- ``LIKE`` (``%`` any run of characters, ``_`` one character; ``\\``
  escapes), ``IN (...)``, ``BETWEEN ... AND ...``, ``IS [NOT] NULL``;
- ``S_INTERSECTS(geometry, <geometry>)`` with a ``BBOX(...)`` or a WKT
  point, line, polygon or multi-geometry in CRS84 (a ``BBOX`` whose first
  longitude is above its second crosses 180 degrees).

A property the collection's queryables do not hold, a syntax error, or an
unsupported construct is a :class:`~northpic.errors.BadInputError` naming
it (400).

Examples
--------
>>> import geopandas as gpd, shapely
>>> frame = gpd.GeoDataFrame({"name": ["Pituffik", "Thule", None], "count": [1, 2, 3]},
...                          geometry=[shapely.Point(-68, 76)] * 3, crs="EPSG:4326")
>>> filter_mask("name LIKE 'P%' OR count >= 3", frame).tolist()
[True, False, True]
>>> filter_mask("NOT name = 'Thule'", frame).tolist()
[True, False, False]
>>> filter_mask("colour = 'red'", frame)
Traceback (most recent call last):
...
northpic.errors.BadInputError: filter: unknown property 'colour'; queryable: count, geometry, name
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.errors import BadInputError

#: (true, known): rows where a condition holds, and rows where it is not unknown.
Verdict = tuple[np.ndarray, np.ndarray]


class _Unsupported(BadInputError):
    pass


def _fail(message: str) -> BadInputError:
    return BadInputError(f"filter: {message}")


def parse_filter_text(text: str) -> Any:
    """Parse CQL2 text into pygeofilter's tree.

    Raises
    ------
    BadInputError
        For a syntax error, with the position and the text near it.
    """
    from lark.exceptions import LarkError
    from pygeofilter.parsers.cql2_text import parse

    try:
        return parse(text)
    except LarkError as exc:
        line = getattr(exc, "line", None)
        column = getattr(exc, "column", None)
        where = f" at line {line}, column {column}" if line is not None else ""
        near = ""
        pos = getattr(exc, "pos_in_stream", None)
        if isinstance(pos, int) and pos >= 0:
            near = f" (near {text[pos:pos + 20]!r})"
        raise _fail(f"not valid CQL2 text{where}{near}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise _fail(f"not valid CQL2 text: {exc}") from None


class _LikePattern:
    """A LIKE pattern, matched in time linear in the pattern's pieces (no backtracking).

    The pattern is cut at each ``%`` into pieces of fixed length (``_`` is
    any one character); the first piece must start the text, the last end
    it, and each piece between is found leftmost after the one before,
    which is how a text matches such a pattern if it matches at all.

    Examples
    --------
    >>> [_LikePattern(p).matches("Pituffik") for p in ("P%", "%fik", "P_t%k", "%x%", "Pit")]
    [True, True, True, False, False]
    """

    def __init__(self, pattern: str) -> None:
        pieces: list[list[str]] = [[]]
        escaped = False
        for char in pattern:
            if escaped:
                pieces[-1].append(re.escape(char))
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == "%":
                pieces.append([])
            elif char == "_":
                pieces[-1].append(".")
            else:
                pieces[-1].append(re.escape(char))
        if escaped:
            pieces[-1].append(re.escape("\\"))
        self.pieces = [re.compile("".join(p), re.DOTALL) for p in pieces]
        self.lengths = [len(p) for p in pieces]

    def matches(self, text: str) -> bool:
        """Whether ``text`` matches the whole pattern."""
        first, last = self.pieces[0], self.pieces[-1]
        if len(self.pieces) == 1:
            return first.fullmatch(text) is not None
        if first.match(text) is None:
            return False
        start, end = self.lengths[0], len(text) - self.lengths[-1]
        if end < start or last.fullmatch(text, end) is None:
            return False
        for piece, length in zip(self.pieces[1:-1], self.lengths[1:-1], strict=True):
            found = piece.search(text, start, end)
            if found is None:
                return False
            start = found.start() + length
        return True


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "time"
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred == "boolean":
        return "boolean"
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        return "number"
    return "text"


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


def _literal(value: Any, kind: str, name: str) -> Any:
    """Return the literal as a value comparable with a column of ``kind``, or a 400."""
    if kind == "time":
        if isinstance(value, dt.datetime):
            stamp = pd.Timestamp(value)
            return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        if isinstance(value, dt.date):
            return pd.Timestamp(value).tz_localize("UTC")
        raise _fail(f"property {name!r} holds times: compare it with TIMESTAMP('...') or "
                    f"DATE('...'), not {value!r}")
    if kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        raise _fail(f"property {name!r} holds numbers: compare it with a number, not {value!r}")
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        raise _fail(f"property {name!r} holds true/false: compare it with TRUE or FALSE, "
                    f"not {value!r}")
    if isinstance(value, str):
        return value
    raise _fail(f"property {name!r} holds text: compare it with a quoted text, not {value!r}")


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "Equal": lambda a, b: a == b,
    "NotEqual": lambda a, b: a != b,
    "LessThan": lambda a, b: a < b,
    "LessEqual": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterEqual": lambda a, b: a >= b,
}
_MIRROR = {"LessThan": "GreaterThan", "LessEqual": "GreaterEqual",
           "GreaterThan": "LessThan", "GreaterEqual": "LessEqual",
           "Equal": "Equal", "NotEqual": "NotEqual"}


class _Evaluator:
    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        self.frame = frame
        self.geometry = frame.geometry.name
        self.n = len(frame)

    def queryable_names(self) -> list[str]:
        return sorted({*(str(c) for c in self.frame.columns if c != self.geometry),
                       "geometry"})

    def column(self, node: Any) -> tuple[str, pd.Series]:
        from pygeofilter import ast

        if not isinstance(node, ast.Attribute):
            raise _fail(f"expected a property name, not {node!r}")
        name = str(node.name)
        if name == "geometry" or name not in self.frame.columns or name == self.geometry:
            if name == "geometry":
                raise _fail("the geometry can only be tested with S_INTERSECTS")
            raise _fail(f"unknown property {name!r}; queryable: "
                        f"{', '.join(self.queryable_names())}")
        return name, self.frame[name]

    def verdict(self, node: Any) -> Verdict:
        from pygeofilter import ast

        if isinstance(node, bool):
            return np.full(self.n, node), np.ones(self.n, dtype=bool)
        kind = type(node).__name__
        if isinstance(node, ast.And | ast.Or):
            (lt, lk), (rt, rk) = self.verdict(node.lhs), self.verdict(node.rhs)
            if isinstance(node, ast.And):
                false = (lk & ~lt) | (rk & ~rt)
                true = lt & rt
            else:
                true = lt | rt
                false = (lk & ~lt) & (rk & ~rt)
            return true, true | false
        if isinstance(node, ast.Not):
            true, known = self.verdict(node.sub_node)
            return known & ~true, known
        if kind in _COMPARE:
            return self.compare(node, kind)
        if isinstance(node, ast.Like):
            return self.like(node)
        if isinstance(node, ast.In):
            return self.among(node)
        if isinstance(node, ast.Between):
            return self.between(node)
        if isinstance(node, ast.IsNull):
            name, series = self.column(node.lhs)
            missing = series.isna().to_numpy()
            return (~missing if node.not_ else missing), np.ones(self.n, dtype=bool)
        if isinstance(node, ast.GeometryIntersects):
            return self.intersects(node)
        if isinstance(node, ast.Include):
            return np.ones(self.n, dtype=bool), np.ones(self.n, dtype=bool)
        raise _Unsupported(f"filter: {_describe(node)} is not supported; see /conformance "
                           "for the classes served")

    def compare(self, node: Any, kind: str) -> Verdict:
        from pygeofilter import ast

        lhs, rhs = node.lhs, node.rhs
        if not isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            lhs, rhs, kind = rhs, lhs, _MIRROR[kind]
        name, series = self.column(lhs)
        if isinstance(rhs, ast.Node):
            raise _Unsupported(f"filter: comparing {name!r} with {_describe(rhs)} is not "
                               "supported; compare a property with a literal")
        column_kind = _kind(series)
        value = _literal(rhs, column_kind, name)
        known = series.notna().to_numpy()
        true = np.zeros(self.n, dtype=bool)
        if known.any():
            values = series[known]
            if column_kind == "text":
                values = values.map(_as_text)  # lists and objects compare as their JSON
            true[known] = np.asarray(_COMPARE[kind](values, value), dtype=bool)
        return true, known

    def like(self, node: Any) -> Verdict:
        name, series = self.column(node.lhs)
        if not isinstance(node.pattern, str):
            raise _fail(f"LIKE on {name!r} needs a quoted pattern")
        if _kind(series) != "text":
            raise _fail(f"property {name!r} does not hold text: LIKE needs text")
        pattern = _LikePattern(node.pattern)
        known = series.notna().to_numpy()
        true = np.zeros(self.n, dtype=bool)
        true[known] = [pattern.matches(_as_text(v)) for v in series[known]]
        if node.not_:
            true = known & ~true
        return true, known

    def among(self, node: Any) -> Verdict:
        name, series = self.column(node.lhs)
        kind = _kind(series)
        values = [_literal(v, kind, name) for v in node.sub_nodes]
        known = series.notna().to_numpy()
        column = series.map(_as_text, na_action="ignore") if kind == "text" else series
        true = known & column.isin(values).to_numpy()
        if node.not_:
            true = known & ~true
        return true, known

    def between(self, node: Any) -> Verdict:
        name, series = self.column(node.lhs)
        kind = _kind(series)
        if kind not in ("number", "time"):
            raise _fail(f"BETWEEN needs numbers or times; property {name!r} holds {kind}")
        low, high = _literal(node.low, kind, name), _literal(node.high, kind, name)
        known = series.notna().to_numpy()
        true = np.zeros(self.n, dtype=bool)
        if known.any():
            values = series[known]
            true[known] = ((values >= low) & (values <= high)).to_numpy(dtype=bool)
        if node.not_:
            true = known & ~true
        return true, known

    def intersects(self, node: Any) -> Verdict:
        from pygeofilter import ast

        lhs, rhs = node.lhs, node.rhs
        if not isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            lhs, rhs = rhs, lhs
        if not isinstance(lhs, ast.Attribute) or str(lhs.name) != "geometry":
            raise _fail("S_INTERSECTS takes the property geometry and a geometry literal")
        pieces = _literal_geometry(rhs)
        geoms = self.frame.geometry.to_numpy()
        true = np.zeros(self.n, dtype=bool)
        for piece in pieces:
            true |= shapely.intersects(geoms, piece)
        known = ~shapely.is_missing(geoms)
        return true & known, known


def _describe(node: Any) -> str:
    name = type(node).__name__
    return {"Function": f"the function {getattr(node, 'name', '?')}()"}.get(name, name)


def bbox_pieces(west: float, south: float, east: float, north: float) -> list[shapely.Geometry]:
    """Return a longitude/latitude box as polygons; one across 180 degrees is two.

    Examples
    --------
    >>> [p.bounds for p in bbox_pieces(170, 60, -170, 70)]
    [(170.0, 60.0, 180.0, 70.0), (-180.0, 60.0, -170.0, 70.0)]
    """
    if west <= east:
        return [shapely.box(west, south, east, north)]
    return [shapely.box(west, south, 180.0, north), shapely.box(-180.0, south, east, north)]


def _literal_geometry(node: Any) -> list[shapely.Geometry]:
    from pygeofilter import ast, values

    if isinstance(node, ast.Function) and str(node.name).lower() == "bbox":
        numbers = node.arguments
        if len(numbers) == 6:
            numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
        if len(numbers) != 4 or not all(isinstance(v, int | float) for v in numbers):
            raise _fail("BBOX needs 4 numbers (or 6 with heights)")
        return bbox_pieces(*(float(v) for v in numbers))
    if isinstance(node, values.Envelope):
        return bbox_pieces(node.x1, node.y1, node.x2, node.y2)
    if isinstance(node, values.Geometry):
        try:
            return [shapely.geometry.shape(node.geometry)]
        except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
            raise _fail(f"the geometry literal is not valid: {exc}") from None
    raise _fail(f"S_INTERSECTS needs a geometry literal (BBOX or WKT), not {_describe(node)}")


def filter_mask(text: str, frame: gpd.GeoDataFrame) -> np.ndarray:
    """Return, for each row of ``frame``, whether the CQL2 text filter holds (unknown is False).

    Parameters
    ----------
    text : str
        A CQL2 text expression.
    frame : geopandas.GeoDataFrame
        The records a client may see; its columns are the queryables.

    Raises
    ------
    BadInputError
        For a syntax error, an unknown property, a literal of the wrong
        type, or a construct not supported (each named).
    """
    tree = parse_filter_text(text)
    true, _ = _Evaluator(frame).verdict(tree)
    return np.asarray(true, dtype=bool)


def queryable_names(frame: gpd.GeoDataFrame) -> list[str]:
    """Return the property names a filter on ``frame`` may use, ``geometry`` included."""
    return _Evaluator(frame).queryable_names()


def queryable_kind(series: pd.Series) -> str:
    """Return ``text``, ``number``, ``boolean`` or ``time``: what a property's values are."""
    return _kind(series)
