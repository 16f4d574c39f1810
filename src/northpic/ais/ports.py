"""Known ports and terminals: resolve declared AIS destinations, measure port distance.

The gazetteer has two parts:

* searoute's ``data/ports.geojson`` (3,962 ports with their UN/LOCODE,
  name and country, shipped with the ``searoute`` dependency and read from
  the installed package at run time);
* ``northpic/io/data/ports.csv``, authored: ports and offshore terminals
  that matter to Arctic and shadow-fleet traffic which searoute lacks
  (Suez, Sillamae, Vysotsk, Sabetta, Varandey, Prirazlomnoye...), each with
  its UN/LOCODE, spellings and an approximate position (within about
  5 km), and ``port_aliases.csv``, the names crews type that searoute does
  not spell (``SPB``, ``GOTHENBURG``, ``SKAW``...). Both are reviewed like
  code: a test covers every entry.

How a destination is read (:func:`resolve_destination`):

1. ``>`` points to the next port: ``EE SLM>DK SKA`` and ``RUULU>EGPSD``
   go to the part after the last ``>``; ``<`` points the same way, to the
   port before it: ``CN TAO<RU ULU`` goes to Qingdao. ``<>`` (a two-way
   ferry) and mixed arrows name no one destination. Within the chosen
   part, ``X VIA Y`` goes to X and ``X TO Y`` to Y.
2. The part is split on anything but letters and digits (``,`` ``.``
   ``_`` ``-`` ``=`` ``/`` spaces...); accents are dropped.
3. Ports are found left to right, longest first: a 5-character UN/LOCODE
   (``SEGOT``), a spaced one (``SE GOT``), an authored alias, or a port's
   name in words (``PORT SAID``) or run together (``PORTSAID``). A name made
   only of generic words (ANCHORAGE, PORT, ROADS, OPL, FOR ORDERS...) never
   matches on its own: ``GOTHENBURG ANCHORAGE`` is Gothenburg and ``POLAND
   ANCHORAGE`` is nothing.
4. A country before or after the port (``PORT SAID,EGYPT``, ``UST
   LUGA.RUSSIA``, ``RU PRIMORSK``) must agree with it: ``BR SPB`` is
   Sepetiba, Brazil, never St Petersburg.
5. When several ports are named (``EESLM-DKSKA``) the last one is the
   destination. A name shared by several ports (``HAMBURG``, Germany and
   the USA) with no country to choose goes to the one searoute marks as a
   main (terminal) port when just one is, else to nothing (``CARTAGENA``:
   Colombia or Spain; ``CARTAGENA,SPAIN`` is Spain's).

Resolution runs once per distinct text (cached), so it costs nothing per
report. The tables are read by :mod:`northpic.io.ports`. The merged
gazetteer and its word index are built once (about 0.15 s) and kept in the
user cache (:func:`northpic.io.cache.cache_dir`) as a JSON file named by
searoute's version and a digest of the authored tables and of the code
that builds them, so that later runs load it in a few milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from northpic.ais.spherical import chord_to_arc_km, to_xyz_m
from northpic.concurrency import WORKERS
from northpic.io.cache import cache_dir, cached_file
from northpic.io.ports import (
    AUTHORED_TABLES,
    LOCODE_PATTERN,
    read_authored,
    read_searoute_ports,
    searoute_version,
)

PORTS_CITATION = (
    "searoute ports.geojson (UN/LOCODE, name, country, position) plus the northpic "
    "authored port gazetteer (approximate positions, UN/LOCODE)"
)
#: Words that describe a place near a port, or a voyage, but name no port alone.
GENERIC_WORDS = frozenset(
    "ANCHORAGE ANCH ANCHOR ANKERPLATS REDE REEDE ROADS ROAD ROADSTEAD OPL PORT PORTS HARBOUR "
    "HARBOR HBR HAVN HAMN SATAMA TERMINAL TERM BERTH PIER QUAY DOCK DOCKS LOCK LOCKS CANAL "
    "BAY GULF SEA STRAIT RIVER ISLAND ISLANDS AREA ZONE BUOY FAIRWAY CHANNEL PILOT PILOTS "
    "PILOTAGE STATION STS FOR ORDERS ORDER ORDRE TO FROM VIA AND OF THE OFF OUTER INNER "
    "WAITING DRIFTING BUNKERING BUNKER TRANSIT ARRIVAL OFFSHORE LIGHTERING NORTH SOUTH EAST "
    "WEST CITY HOME".split()
)
#: Country spellings crews use that are not the country names of searoute.
COUNTRY_ALIASES = {
    "RUSSIAN FEDERATION": "RU", "RUS": "RU", "RF": "RU", "UK": "GB", "GREAT BRITAIN": "GB",
    "ENGLAND": "GB", "SCOTLAND": "GB", "GBR": "GB", "USA": "US", "UNITED STATES OF AMERICA": "US",
    "HOLLAND": "NL", "THE NETHERLANDS": "NL", "NLD": "NL", "TURKIYE": "TR", "TUR": "TR",
    "KOREA": "KR", "UAE": "AE", "GERMANY": "DE", "DEU": "DE", "GER": "DE", "SWE": "SE",
    "FIN": "FI", "EST": "EE", "LAT": "LV", "LVA": "LV", "LTU": "LT", "POL": "PL", "DNK": "DK",
    "NOR": "NO", "BEL": "BE", "EGY": "EG", "CHN": "CN", "PRC": "CN", "DENMARK": "DK",
    "SVERIGE": "SE", "SUOMI": "FI", "EESTI": "EE", "DANMARK": "DK", "NORGE": "NO",
    "POLSKA": "PL", "DEUTSCHLAND": "DE",
}
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_FOLD = str.maketrans({"Ø": "O", "Æ": "AE", "ß": "SS", "Þ": "TH", "Ð": "D", "Œ": "OE",
                       "Ł": "L", "İ": "I", "ı": "I"})
_MAX_WORDS = 6


def normalise_destination(text: object) -> str:
    """Uppercase a destination and keep letters and digits only (``"cn sha"`` -> ``"CNSHA"``)."""
    if not isinstance(text, str):
        return ""
    return _NON_ALNUM.sub("", text.upper())


def destination_words(text: str) -> list[str]:
    """Split text into upper-case words of letters and digits, accents dropped.

    >>> destination_words("Göteborg_anch.")
    ['GOTEBORG', 'ANCH']
    """
    folded = unicodedata.normalize("NFKD", text.upper().translate(_FOLD))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return [w for w in _NON_ALNUM.split(plain) if w]


def _merged_ports() -> pd.DataFrame:
    """Build the gazetteer: searoute's ports and the authored ones (see :func:`read_ports`)."""
    searoute = read_searoute_ports()
    authored = read_authored("ports.csv")
    authored["lon"] = authored["lon"].astype(float)
    authored["lat"] = authored["lat"].astype(float)
    known = authored["locode"].isin(searoute["locode"])
    for row in authored[known].itertuples():  # searoute has the port: keep its spellings
        at = searoute.index[searoute["locode"] == row.locode][0]
        extra = [row.name, *row.aliases.split("|")]
        searoute.at[at, "aliases"] = "|".join(filter(None, [searoute.at[at, "aliases"], *extra]))
    authored = authored[~known].assign(main=True)
    frame = pd.concat([searoute, authored], ignore_index=True)
    names = searoute.drop_duplicates("country").set_index("country")["country_name"]
    frame["country_name"] = frame["country"].map(names).fillna("")
    return frame


def _ports() -> pd.DataFrame:
    return _gazetteer()[0]


def read_ports() -> pd.DataFrame:
    """Return the port gazetteer.

    Returns
    -------
    pandas.DataFrame
        One row per UN/LOCODE: ``locode``, ``name``, ``aliases`` (``|``
        separated), ``country`` (ISO 3166 alpha-2), ``country_name``,
        ``lon``, ``lat``, ``kind`` (``port``, ``offshore terminal``,
        ``river port``), ``main`` (searoute's terminal flag, true for the
        authored entries) and ``source`` (searoute's table or northpic's
        authored one).
    """
    return _ports().copy()


@dataclass
class _Index:
    """Lookup tables from words to gazetteer rows."""

    locodes: dict[str, int] = field(default_factory=dict)
    aliases: dict[tuple[str, ...], int] = field(default_factory=dict)
    names: dict[tuple[str, ...], set[int]] = field(default_factory=dict)
    countries: dict[tuple[str, ...], str] = field(default_factory=dict)
    country_codes: frozenset[str] = frozenset()


def _keys(text: str) -> list[tuple[str, ...]]:
    """Return the word tuples a name is known by: as written, SAINT/ST swapped, and run together."""
    words = tuple(destination_words(text))
    if not words or all(w in GENERIC_WORDS for w in words):
        return []
    keys = [words]
    swap = {"SAINT": "ST", "ST": "SAINT", "SANKT": "ST"}
    if any(w in swap for w in words):
        keys.append(tuple(swap.get(w, w) for w in words))
    keys += [("".join(k),) for k in list(keys) if len(k) > 1]
    return [k for k in keys if len("".join(k)) >= 3]


def _index() -> _Index:
    return _gazetteer()[1]


def _build_index(ports: pd.DataFrame) -> _Index:
    """Build the word index of the gazetteer ``ports`` (rows by position)."""
    index = _Index()
    for code, name in ports[["country", "country_name"]].drop_duplicates().itertuples(
            index=False):
        if name:
            index.countries.setdefault(tuple(destination_words(name)), code)
    for alias, code in COUNTRY_ALIASES.items():
        index.countries[tuple(destination_words(alias))] = code
    for pos, row in enumerate(ports.itertuples()):
        index.locodes.setdefault(row.locode, pos)
        for name in [row.name, *filter(None, str(row.aliases).split("|"))]:
            for key in _keys(name):
                # a port named like another country ("Turkey", "Brazil" in the USA) is not it
                if index.countries.get(key, row.country) == row.country:
                    index.names.setdefault(key, set()).add(pos)
    for row in read_authored("port_aliases.csv").itertuples():
        pos = index.locodes[row.locode]  # a KeyError here is a bad alias table
        for key in _keys(row.alias):
            index.aliases[key] = pos
    index.country_codes = frozenset(ports["country"])
    return index


#: Bumped when the cached gazetteer's file layout changes.
_GAZETTEER_FORMAT = 1


def _gazetteer_name() -> str:
    """Return the cache file name: searoute's version, a digest of the tables and this code."""
    digest = hashlib.sha256()
    for table in AUTHORED_TABLES:
        digest.update(resources.files("northpic.io").joinpath(f"data/{table}").read_bytes())
    for module in (__file__, read_searoute_ports.__code__.co_filename):
        digest.update(Path(module).read_bytes())
    return (f"port_gazetteer_searoute_{searoute_version()}_{digest.hexdigest()[:16]}"
            f"_v{_GAZETTEER_FORMAT}.json")


def _gazetteer_json(ports: pd.DataFrame, index: _Index) -> dict[str, Any]:
    """Return the gazetteer and its index as JSON values (word tuples as lists)."""
    return {
        "format": _GAZETTEER_FORMAT,
        "dtypes": {c: str(t) for c, t in ports.dtypes.items()},
        "columns": {c: ports[c].tolist() for c in ports.columns},
        "locodes": index.locodes,
        "aliases": [[list(k), pos] for k, pos in index.aliases.items()],
        "names": [[list(k), sorted(rows)] for k, rows in index.names.items()],
        "countries": [[list(k), code] for k, code in index.countries.items()],
        "country_codes": sorted(index.country_codes),
    }


def _gazetteer_from_json(data: dict[str, Any]) -> tuple[pd.DataFrame, _Index]:
    """Return the gazetteer and its index from :func:`_gazetteer_json` values."""
    if data.get("format") != _GAZETTEER_FORMAT:
        raise ValueError("another gazetteer file format")
    ports = pd.DataFrame(data["columns"]).astype(data["dtypes"])
    index = _Index(
        locodes={str(k): int(v) for k, v in data["locodes"].items()},
        aliases={tuple(k): int(pos) for k, pos in data["aliases"]},
        names={tuple(k): set(rows) for k, rows in data["names"]},
        countries={tuple(k): str(code) for k, code in data["countries"]},
        country_codes=frozenset(data["country_codes"]),
    )
    return ports, index


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[pd.DataFrame, _Index]:
    """Return the gazetteer and its index, from the user cache or built and cached there.

    A damaged or unreadable cache file is built again (and replaced); a cache
    folder that cannot be written to only costs the build on every run.
    """
    name = _gazetteer_name()
    target = cache_dir() / name
    if target.exists():
        try:
            return _gazetteer_from_json(json.loads(target.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            with suppress(OSError):
                target.unlink(missing_ok=True)
    ports = _merged_ports()
    index = _build_index(ports)
    text = json.dumps(_gazetteer_json(ports, index), ensure_ascii=False)

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    with suppress(OSError):
        cached_file(name, write)
    return ports, index


def _destination_part(text: str) -> str | None:
    """Return the part of ``text`` that names the next port (see the module docstring)."""
    if "<>" in text:
        return None
    forward, backward = ">" in text, "<" in text
    if forward and backward:
        return None
    if forward or backward:  # "RULED>>TRISK" is one arrow; "RUULU>" names no next port
        legs = re.split("[<>]+", text)
        return legs[-1] if forward else legs[0]
    return text


def _spans(words: list[str], index: _Index) -> list[tuple[int, int, set[int]]]:
    """Ports named in ``words``: (start, length, candidate rows), left to right, longest first."""
    found = []
    i = 0
    while i < len(words):
        for length in range(min(_MAX_WORDS, len(words) - i), 0, -1):
            key = tuple(words[i:i + length])
            hit: set[int] = set()
            code = key[0] + key[1] if length == 2 and len(key[0]) == 2 and len(key[1]) == 3 \
                else key[0] if length == 1 else ""
            if not LOCODE_PATTERN.match(code):
                code = ""
            if key in index.aliases:
                hit = {index.aliases[key]}
            elif code and (code,) in index.aliases:
                hit = {index.aliases[(code,)]}
            elif code in index.locodes:
                hit = {index.locodes[code]}
            elif key in index.names:
                hit = index.names[key]
            if hit:
                found.append((i, length, hit))
                i += length
                break
        else:
            i += 1
    return found


def _country(words: list[str], index: _Index) -> str | None:
    """Return the country ``words`` (generic words aside) name, if they are one."""
    words = [w for w in words if w not in GENERIC_WORDS]
    if not words:
        return None
    key = tuple(words)
    if key in index.countries:
        return index.countries[key]
    if len(words) == 1 and len(words[0]) == 2 and words[0] in index.country_codes:
        return words[0]
    return None


@lru_cache(maxsize=65536)
def _resolve(text: str) -> int:
    """Gazetteer row of the port ``text`` declares as the destination, or -1."""
    part = _destination_part(text)
    if part is None:
        return -1
    words = destination_words(part)
    if "VIA" in words[1:]:
        words = words[:words.index("VIA")]
    if "TO" in words[1:]:
        words = words[len(words) - 1 - words[::-1].index("TO") + 1:]
    index = _index()
    spans = _spans(words, index)
    # a country named before or after a port qualifies it ("SPB,BRAZIL", not Brazil, Indiana)
    for end in (-1, 0):
        if len(spans) > 1 and tuple(words[spans[end][0]:sum(spans[end][:2])]) in index.countries:
            spans.pop(end)
    if not spans:
        return -1
    countries = {c for c in (_country(words[:spans[0][0]], index),
                             _country(words[spans[-1][0] + spans[-1][1]:], index)) if c}
    if len(countries) > 1:
        return -1
    ports = _ports()
    country, main = ports["country"].to_numpy(), ports["main"].to_numpy()
    for _, _, rows in reversed(spans):
        if countries:
            rows = {r for r in rows if country[r] in countries}
        if len(rows) > 1:  # one name, several places: a main port if just one is
            rows = {r for r in rows if main[r]}
            return next(iter(rows)) if len(rows) == 1 else -1
        if rows:
            return next(iter(rows))
    return -1


def resolve_destination(text: object) -> pd.Series | None:
    """Find the gazetteer port a declared AIS destination names, if any.

    See the module docstring for how the text is read.

    Parameters
    ----------
    text : object
        The destination as declared; anything but a string is no destination.

    Returns
    -------
    pandas.Series or None
        The gazetteer row (see :func:`read_ports`), or ``None``.

    Examples
    --------
    >>> resolve_destination("CN SHA")["name"], resolve_destination("NOHFT>Hammerfest")["locode"]
    ('Shanghai', 'NOHFT')
    >>> resolve_destination("CN TAO<RU ULU")["locode"]
    'CNTAO'
    >>> resolve_destination("UST LUGA.RUSSIA")["locode"]
    'RUULU'
    >>> resolve_destination("FOR ORDERS") is None, resolve_destination("BR SPB")["country"]
    (True, 'BR')
    """
    if not isinstance(text, str) or not text.strip():
        return None
    row = _resolve(text)
    return None if row < 0 else _ports().iloc[row]


def resolve_destinations(texts: pd.Series) -> pd.DataFrame:
    """Resolve many destinations, each distinct text once.

    Parameters
    ----------
    texts : pandas.Series
        Declared destinations (missing values allowed).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``texts``: ``locode``, ``name``, ``country``, ``lon``,
        ``lat`` of the port each names, missing where none.

    Examples
    --------
    >>> texts = pd.Series(["SE GOT", "GOTHENBURG ANCHORAGE", "UNKNOWN"])
    >>> resolve_destinations(texts)["locode"].tolist()
    ['SEGOT', 'SEGOT', None]
    """
    codes, uniques = pd.factorize(texts)
    rows = np.array([_resolve(u) if isinstance(u, str) else -1 for u in uniques], dtype=np.int64)
    per_text = np.where(codes >= 0, rows[np.maximum(codes, 0)] if len(rows) else -1, -1)
    table = _ports()[["locode", "name", "country", "lon", "lat"]]
    out = table.iloc[np.maximum(per_text, 0)].reset_index(drop=True) if len(table) else table
    out = out.astype({"locode": object, "name": object, "country": object})
    missing = per_text < 0
    out.loc[missing, ["locode", "name", "country"]] = None
    out.loc[missing, ["lon", "lat"]] = np.nan
    out.index = texts.index
    return out


def _catalogue_ports() -> tuple[np.ndarray, np.ndarray]:
    """Points of the picture's ``ports`` layer, when it is there and readable."""
    from northpic.errors import NorthpicError

    try:
        from northpic.picture import load_layer

        layer = load_layer("ports")
    except (NorthpicError, OSError):
        return np.empty(0), np.empty(0)
    points = layer[layer.geom_type == "Point"]
    return points.geometry.x.to_numpy(), points.geometry.y.to_numpy()


@lru_cache(maxsize=1)
def _port_tree() -> Any:
    from scipy.spatial import cKDTree

    ports = _ports()
    extra_lon, extra_lat = _catalogue_ports()
    lon = np.concatenate((ports["lon"].to_numpy(), extra_lon))
    lat = np.concatenate((ports["lat"].to_numpy(), extra_lat))
    return cKDTree(to_xyz_m(lon, lat))


def load_ports(distances: bool = True) -> None:
    """Build the port indexes now (otherwise they are built when first used).

    Parameters
    ----------
    distances : bool
        Build the distance index too, not only the destination index.
    """
    _index()
    if distances:
        _port_tree()


def distance_to_port_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Distance in km to the nearest port: gazetteer entries plus the ``ports`` layer's points."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size == 0:
        return np.empty(0)
    chord, _ = _port_tree().query(to_xyz_m(lon, lat), k=1, workers=WORKERS)
    return chord_to_arc_km(chord)
