"""Read the port tables: searoute's ``ports.geojson`` and northpic's authored gazetteer files.

* searoute's ``data/ports.geojson`` (3,962 ports with their UN/LOCODE,
  name and country, Apache-2.0), read from the installed package;
* ``northpic/io/data/ports.csv`` (authored ports and offshore terminals
  searoute lacks) and ``port_aliases.csv`` (names crews type), reviewed
  like code.

How destinations are resolved against them is :mod:`northpic.ais.ports`.
"""

from __future__ import annotations

import importlib.util
import json
import re
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: The ``source`` of searoute's rows.
SEAROUTE_SOURCE = "searoute {version} data/ports.geojson (UN/LOCODE)"
#: The authored tables in ``northpic/io/data``.
AUTHORED_TABLES = ("ports.csv", "port_aliases.csv")
#: A UN/LOCODE written without its space: country, then three letters or digits.
LOCODE_PATTERN = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}$")


def _searoute_features() -> list[dict[str, Any]]:
    # find the file without importing searoute (and what it imports)
    spec = importlib.util.find_spec("searoute")
    if spec is None or spec.origin is None:
        raise RuntimeError("the searoute package is not installed")
    path = Path(spec.origin).parent / "data" / "ports.geojson"
    with open(path, encoding="utf-8") as handle:
        features: list[dict[str, Any]] = json.load(handle)["features"]
    return features


def searoute_version() -> str:
    """Return the installed searoute's version (it names the caches derived from its ports)."""
    return metadata.version("searoute")


def read_searoute_positions() -> np.ndarray:
    """Return the lon/lat of every port in searoute's table, shape ``(n, 2)``."""
    return np.array([f["geometry"]["coordinates"][:2] for f in _searoute_features()],
                    dtype=float)


def read_searoute_ports() -> pd.DataFrame:
    """Read searoute's ports, one row per UN/LOCODE (further names of a code become aliases).

    Returns
    -------
    pandas.DataFrame
        ``locode``, ``name``, ``aliases`` (``|`` separated), ``country``
        (the code's first two letters), ``country_name``, ``lon``, ``lat``,
        ``kind`` (``port``), ``main`` (searoute's terminal flag) and ``source``.
    """
    rows: dict[str, dict] = {}
    for feature in _searoute_features():
        props = feature["properties"]
        code = str(props.get("port") or "").upper()
        if not LOCODE_PATTERN.match(code):  # one entry has no usable code
            continue
        lon, lat = feature["geometry"]["coordinates"][:2]
        name = str(props.get("name") or "").strip()
        if code in rows:
            rows[code]["aliases"].append(name)
            continue
        rows[code] = {
            "locode": code, "name": name, "aliases": [], "country": code[:2],
            "country_name": str(props.get("cty") or "").replace("_", " ").upper(),
            "lon": float(lon), "lat": float(lat),
            "kind": "port", "main": props.get("t") == 1,
        }
    frame = pd.DataFrame(list(rows.values()))
    frame["aliases"] = frame["aliases"].map("|".join)
    frame["source"] = SEAROUTE_SOURCE.format(version=searoute_version())
    return frame


def read_authored(name: str) -> pd.DataFrame:
    """Read one of northpic's authored port tables (:data:`AUTHORED_TABLES`) as text columns.

    Examples
    --------
    >>> aliases = read_authored("port_aliases.csv")
    >>> list(aliases.columns)[:2]
    ['alias', 'locode']
    """
    if name not in AUTHORED_TABLES:
        raise ValueError(f"no authored port table {name!r}; tables: {', '.join(AUTHORED_TABLES)}")
    with resources.files("northpic.io").joinpath(f"data/{name}").open("r") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)
