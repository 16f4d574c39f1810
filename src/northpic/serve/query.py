"""The query parameters of the read routes, parsed and checked.

Every parameter a read route accepts is parsed here into plain values;
anything wrong is a :class:`~northpic.errors.BadInputError` naming the
parameter, which the application answers with 400. A parameter a route does
not know is refused too (OGC API - Features, requirement
``/req/core/query-param-unknown``).

Examples
--------
>>> parse_bbox("170,60,-170,70", SERVED_CRS[CRS84])
(170.0, 60.0, -170.0, 70.0)
>>> parse_bbox("60,170,70,-170", SERVED_CRS[EPSG_4326])  # lat,lon when asked in EPSG:4326
(170.0, 60.0, -170.0, 70.0)
>>> parse_datetime("2026-01-01/..")[0], parse_datetime("2026-01-01/..")[1]
(Timestamp('2026-01-01 00:00:00+0000', tz='UTC'), None)
>>> parse_limit(None), parse_limit("999999")
(10, 10000)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from northpic.crs import POLAR_CRS, STORAGE_CRS
from northpic.errors import BadInputError
from northpic.times import parse_time

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG_3413 = "http://www.opengis.net/def/crs/EPSG/0/3413"


@dataclass(frozen=True)
class ServedCrs:
    """One CRS the service answers in and takes boxes in.

    Attributes
    ----------
    uri : str
        Its OGC URI (what ``crs`` and ``bbox-crs`` take and ``Content-Crs`` names).
    code : str
        What :mod:`pyproj` calls it (always taken with x/longitude first).
    lat_first : bool
        Whether its axis order puts latitude first (EPSG:4326 does; CRS84 does not).
    geographic : bool
        Whether its coordinates are longitude/latitude.
    """

    uri: str
    code: str
    lat_first: bool
    geographic: bool


#: The CRSs served, by URI; the first is the default.
SERVED_CRS: dict[str, ServedCrs] = {
    CRS84: ServedCrs(CRS84, STORAGE_CRS, lat_first=False, geographic=True),
    EPSG_4326: ServedCrs(EPSG_4326, STORAGE_CRS, lat_first=True, geographic=True),
    EPSG_3413: ServedCrs(EPSG_3413, POLAR_CRS, lat_first=False, geographic=False),
}
_ALIASES = {"OGC:CRS84": CRS84, "CRS84": CRS84, "EPSG:4326": EPSG_4326,
            "EPSG:3413": EPSG_3413}

#: Features per page unless ``limit`` says otherwise, and the most a page holds.
DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
#: The longest ``filter`` text taken.
MAX_FILTER_CHARS = 10_000


def check_known(params: Mapping[str, str], known: Iterable[str]) -> None:
    """Refuse query parameters a route does not take.

    Raises
    ------
    BadInputError
        Naming the unknown parameters and the valid ones.
    """
    valid = set(known)
    unknown = sorted(set(params) - valid)
    if unknown:
        raise BadInputError(f"unknown query parameter(s) {', '.join(map(repr, unknown))}; "
                            f"this resource takes {', '.join(sorted(valid))}")


def parse_crs(text: str | None, parameter: str = "crs") -> ServedCrs:
    """Return the served CRS a ``crs`` or ``bbox-crs`` value names (default CRS84).

    Raises
    ------
    BadInputError
        For a CRS the service does not serve (the served ones are listed).
    """
    if text is None or not text.strip():
        return SERVED_CRS[CRS84]
    value = text.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]  # a safe CURIE, e.g. [EPSG:4326]
    uri = _ALIASES.get(value.upper(), value)
    if uri.startswith("https://"):
        uri = "http://" + uri[len("https://"):]
    if uri not in SERVED_CRS:
        raise BadInputError(f"{parameter}: {text!r} is not served; use one of "
                            f"{', '.join(SERVED_CRS)}")
    return SERVED_CRS[uri]


def _numbers(text: str, parameter: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise BadInputError(f"{parameter}: {text!r} is not a list of numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise BadInputError(f"{parameter}: {text!r} holds a value that is not a finite number")
    return values


def parse_bbox(text: str | None, crs: ServedCrs) -> tuple[float, float, float, float] | None:
    """Return a ``bbox`` as (min x/lon, min y/lat, max x/lon, max y/lat), or None.

    The values are read in ``crs``'s axis order (latitude first for
    EPSG:4326) and returned x/longitude first. Six values (with heights)
    keep the horizontal four. In longitude/latitude a first longitude
    greater than the second is a box across 180 degrees.

    Raises
    ------
    BadInputError
        For anything but 4 or 6 finite numbers, latitudes outside -90..90,
        or a minimum above its maximum (longitude across 180 excepted).
    """
    if text is None:
        return None
    values = _numbers(text, "bbox")
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    elif len(values) != 4:
        raise BadInputError(f"bbox: {text!r} needs 4 numbers (or 6 with heights), "
                            f"not {len(values)}")
    if crs.lat_first:
        values = [values[1], values[0], values[3], values[2]]
    minx, miny, maxx, maxy = values
    if miny > maxy:
        raise BadInputError(f"bbox: {text!r}: the lower {'latitude' if crs.geographic else 'y'} "
                            "is above the upper one")
    if crs.geographic:
        if not (-90 <= miny <= 90 and -90 <= maxy <= 90):
            raise BadInputError(f"bbox: {text!r}: latitudes must be within -90..90")
        if not (-180 <= minx <= 180 and -180 <= maxx <= 180):
            raise BadInputError(f"bbox: {text!r}: longitudes must be within -180..180")
    elif minx > maxx:
        raise BadInputError(f"bbox: {text!r}: the lower x is above the upper one")
    return (minx, miny, maxx, maxy)


def _moment(text: str, end: bool) -> pd.Timestamp | None:
    if text in ("", ".."):
        return None
    try:
        return parse_time(text, end_of_period=end)
    except ValueError as exc:
        raise BadInputError(f"datetime: {exc}") from None


def parse_datetime(text: str | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None] | None:
    """Return a ``datetime`` as (start, end), None for an open end; None when not given.

    An instant is ``(t, t)`` (a date covers its whole day); an interval is
    ``start/end`` with ``..`` (or nothing) for an open end.

    Raises
    ------
    BadInputError
        For text that is not ISO 8601, or a start after the end.

    Examples
    --------
    >>> start, end = parse_datetime("2026-01-15")
    >>> str(start), str(end)
    ('2026-01-15 00:00:00+00:00', '2026-01-15 23:59:59+00:00')
    """
    if text is None:
        return None
    value = text.strip()
    if "/" in value:
        first, _, second = value.partition("/")
        start, end = _moment(first.strip(), False), _moment(second.strip(), True)
        if start is None and end is None:
            raise BadInputError(f"datetime: {text!r}: an interval needs a start or an end")
    else:
        if value in ("", ".."):
            raise BadInputError("datetime: give an instant or an interval start/end")
        start, end = _moment(value, False), _moment(value, True)
    if start is not None and end is not None and start > end:
        raise BadInputError(f"datetime: {text!r}: the start is after the end")
    return (start, end)


def _whole(text: str, parameter: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise BadInputError(f"{parameter}: {text!r} is not a whole number") from None


def parse_limit(text: str | None) -> int:
    """Return ``limit`` (default :data:`DEFAULT_LIMIT`; above :data:`MAX_LIMIT` it is the maximum).

    Raises
    ------
    BadInputError
        For anything but a whole number of at least 1.
    """
    if text is None:
        return DEFAULT_LIMIT
    limit = _whole(text, "limit")
    if limit < 1:
        raise BadInputError(f"limit: {text!r} must be at least 1")
    return min(limit, MAX_LIMIT)


def parse_offset(text: str | None) -> int:
    """Return ``offset`` (how many matching features a page skips; default 0).

    Raises
    ------
    BadInputError
        For anything but a whole number of at least 0.
    """
    if text is None:
        return 0
    offset = _whole(text, "offset")
    if offset < 0:
        raise BadInputError(f"offset: {text!r} must not be negative")
    return offset


def parse_filter(params: Mapping[str, str]) -> str | None:
    """Return the ``filter`` text, checking ``filter-lang`` and ``filter-crs``.

    Raises
    ------
    BadInputError
        For a language other than ``cql2-text``, a ``filter-crs`` other than
        CRS84, or a filter longer than :data:`MAX_FILTER_CHARS`.
    """
    language = params.get("filter-lang", "cql2-text")
    if language != "cql2-text":
        raise BadInputError(f"filter-lang: {language!r} is not supported; use cql2-text")
    if "filter-crs" in params and parse_crs(params["filter-crs"], "filter-crs").uri != CRS84:
        raise BadInputError("filter-crs: only " + CRS84 + " is supported")
    text = params.get("filter")
    if text is None:
        return None
    if not text.strip():
        raise BadInputError("filter: empty")
    if len(text) > MAX_FILTER_CHARS:
        raise BadInputError(f"filter: longer than {MAX_FILTER_CHARS} characters")
    return text


#: Media types of the two encodings.
GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"


def wants_html(params: Mapping[str, str], accept: str | None) -> bool:
    """Whether to answer in HTML: ``f=html``, or an ``Accept`` that ranks HTML over JSON.

    Raises
    ------
    BadInputError
        For an ``f`` other than ``json``, ``geojson`` or ``html``.

    Examples
    --------
    >>> wants_html({}, "text/html,application/xhtml+xml,*/*;q=0.8")
    True
    >>> wants_html({}, "application/geo+json, application/json"), wants_html({}, None)
    (False, False)
    """
    if "f" in params:
        value = params["f"].strip().lower()
        if value == "html":
            return True
        if value in ("json", "geojson"):
            return False
        raise BadInputError(f"f: {params['f']!r} is not served; use json or html")
    if not accept:
        return False
    best_html, best_json = 0.0, 0.0
    for part in accept.split(","):
        media, *options = (p.strip() for p in part.split(";"))
        quality = 1.0
        for option in options:
            key, _, value = option.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media in (HTML, "application/xhtml+xml"):
            best_html = max(best_html, quality)
        elif media in (GEOJSON, JSON, "application/*", "*/*"):
            best_json = max(best_json, quality - (0.001 if "*" in media else 0.0))
    return best_html > best_json
