"""Known ports and terminals: resolve declared AIS destinations, measure port distance.

The gazetteer ``northpic/ais/data/ports.csv`` is authored: about fifty
ports and offshore terminals that matter to Arctic and shadow-fleet
traffic (Chinese and Indian crude and LNG ports, Russian Baltic and Arctic
terminals, Norwegian Arctic ports), each with its UN/LOCODE, the spellings
seen in AIS destination fields, and an approximate position (within about
5 km). It is reviewed like code: one test covers every entry.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from northpic.ais.spherical import chord_to_arc_km, to_xyz_m

PORTS_CITATION = "northpic authored port gazetteer (approximate positions, UN/LOCODE)"
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")


def read_ports() -> pd.DataFrame:
    """Return the port gazetteer: locode, name, aliases, country, lon, lat, kind."""
    return _ports().copy()


@lru_cache(maxsize=1)
def _ports() -> pd.DataFrame:
    with resources.files("northpic.ais").joinpath("data/ports.csv").open("r") as handle:
        return pd.read_csv(handle, dtype={"locode": str, "aliases": str, "country": str})


def normalise_destination(text: object) -> str:
    """Uppercase a destination and keep letters and digits only (``"cn sha"`` -> ``"CNSHA"``)."""
    if not isinstance(text, str):
        return ""
    return _NON_ALNUM.sub("", text.upper())


@lru_cache(maxsize=1)
def _lookup_table() -> dict[str, int]:
    table: dict[str, int] = {}
    for pos, row in enumerate(_ports().itertuples()):
        keys = [row.locode, row.name, *str(row.aliases).split("|")]
        for key in keys:
            table.setdefault(normalise_destination(key), pos)
    return table


def resolve_destination(text: object) -> pd.Series | None:
    """Find the gazetteer port a declared AIS destination names, if any.

    Matches the UN/LOCODE with or without its space, the port's name and
    common spellings, ``FROM > TO`` forms (the part after the last
    ``>``) and a code followed by a name (``"NOHFT HAMMERFEST"``), trying
    the whole text first. Returns ``None`` for an unknown destination.

    Examples
    --------
    >>> resolve_destination("CN SHA")["name"], resolve_destination("NOHFT>Hammerfest")["locode"]
    ('Shanghai', 'NOHFT')
    >>> resolve_destination("FOR ORDERS") is None
    True
    """
    if not isinstance(text, str) or not text.strip():
        return None
    last = text.split(">")[-1]
    tokens = last.split()
    table = _lookup_table()
    for candidate in (last, text, " ".join(tokens[:2]), *tokens):
        key = normalise_destination(candidate)
        if key in table:
            return _ports().iloc[table[key]]
    return None


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
def _port_tree() -> object:
    from scipy.spatial import cKDTree

    ports = _ports()
    extra_lon, extra_lat = _catalogue_ports()
    lon = np.concatenate((ports["lon"].to_numpy(), extra_lon))
    lat = np.concatenate((ports["lat"].to_numpy(), extra_lat))
    return cKDTree(to_xyz_m(lon, lat))


def load_ports() -> None:
    """Build the port index now (otherwise it is built on the first distance asked for)."""
    _port_tree()


def distance_to_port_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Distance in km to the nearest port: gazetteer entries plus the ``ports`` layer's points."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size == 0:
        return np.empty(0)
    chord, _ = _port_tree().query(to_xyz_m(lon, lat), k=1, workers=-1)  # type: ignore[attr-defined]
    return chord_to_arc_km(chord)
