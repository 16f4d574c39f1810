"""Builders of small, seeded layer frames and specs for the export tests.

``small_picture()`` gives four layers that exercise what exports get wrong:
points with hostile and non-ASCII text, open and closed validity times; a
line that crosses 180 degrees; a polygon around the North Pole and one
across the antimeridian; and a layer that mixes points and lines.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from northpic.catalogue import LayerSpec
from northpic.crs import polar_to_lonlat
from northpic.geodesic import densify_geodesic
from northpic.schema import validate_layer_frame

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


def spec(name: str, geometry: str, nature: str = "authored", **style: object) -> LayerSpec:
    """A catalogue entry for a test layer (its file is never read)."""
    domain = {"points": "military", "routes": "economic", "ice": "environmental"}.get(
        name, "social"
    )
    return LayerSpec(
        name=name, title=f"Test {name}", domain=domain, file=Path(f"{name}.test"),
        geometry=geometry, nature=nature, style=dict(style) or {"color": "#b2182b"},
        description=f"Test layer {name}.",
    )


def _records(layer: str, n: int, rng: np.random.Generator, geoms: list) -> gpd.GeoDataFrame:
    starts = pd.to_datetime("2020-01-01", utc=True) + pd.to_timedelta(
        rng.integers(0, 2000, n), unit="D"
    )
    frame = gpd.GeoDataFrame(
        {
            "id": [f"{layer}-{i}" for i in range(n)],
            "name": [f"{layer} Ørland-Søndre {i}" for i in range(n)],
            "layer": layer,
            "domain": "social",
            "kind": rng.choice(["air", "naval", "radar"], n),
            "source": [f"Test source {i % 3}, https://example.org/{i}" for i in range(n)],
            "confidence": rng.choice(["high", "medium", "low"], n),
            "precision_km": rng.uniform(0, 50, n).round(2),
            "valid_from": [s.isoformat() if i % 4 else None for i, s in enumerate(starts)],
            "valid_to": [
                (s + pd.Timedelta(days=400, hours=6)).isoformat() if i % 3 == 0 else None
                for i, s in enumerate(starts)
            ],
            # every product is marked: these test records are public, said explicitly
            "classification": "UNCLASSIFIED",
            "releasability": "PUBLIC",
            "originator": "tests/builders/export.py",
        },
        geometry=geoms, crs="EPSG:4326",
    )
    return frame


def points_layer(n: int = 40, seed: int = 7) -> gpd.GeoDataFrame:
    """Points north of 60 N with a long note, a count and a hostile name."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(-180, 180, n)
    lat = rng.uniform(60, 89, n)
    frame = _records("points", n, rng, list(shapely.points(lon, lat)))
    frame["domain"] = "military"
    frame.loc[0, "name"] = HOSTILE
    frame["personnel_estimate"] = rng.integers(10, 5000, n)
    frame["operational_status"] = rng.choice(["active", "reactivated", "planned"], n)
    frame["notes"] = ["A long note " + "x" * (300 if i == 1 else i + 1) for i in range(n)]
    return validate_layer_frame(frame, "builder:points")


def routes_layer() -> gpd.GeoDataFrame:
    """Three geodesic lines; two cross the antimeridian (Bering Strait, polar)."""
    lines = [
        shapely.LineString([(160, 70), (-160, 72), (-140, 71)]),
        shapely.LineString([(20, 70), (60, 75), (100, 77)]),
        shapely.LineString([(170, 80), (-10, 85)]),
    ]
    geoms = [densify_geodesic(line, 50) for line in lines]
    frame = _records("routes", len(geoms), np.random.default_rng(1), geoms)
    frame["domain"] = "economic"
    return validate_layer_frame(frame, "builder:routes")


def ice_layer() -> gpd.GeoDataFrame:
    """A polygon around the pole (from EPSG:3413) and one across 180 degrees."""
    cap = polar_to_lonlat(shapely.Point(0, 0).buffer(1_500_000, 32))
    across = shapely.Polygon([(175, 62), (180, 62), (180, 66), (175, 66)]).union(
        shapely.Polygon([(-180, 62), (-172, 62), (-172, 66), (-180, 66)])
    )
    frame = _records("ice", 2, np.random.default_rng(2), [cap, across])
    frame["domain"] = "environmental"
    frame["month"] = [3, 9]
    return validate_layer_frame(frame, "builder:ice")


def mixed_layer() -> gpd.GeoDataFrame:
    """Events: two points and one line, as a layer of geometry ``any``."""
    geoms = [
        shapely.Point(33.0, 69.1),
        shapely.Point(-170.5, 65.8),
        shapely.LineString([(30, 70), (35, 71), (40, 72)]),
    ]
    frame = _records("mixed", 3, np.random.default_rng(3), geoms)
    frame["vessel"] = ["EAGLE S", None, "KIWALA"]
    return validate_layer_frame(frame, "builder:mixed")


def small_picture() -> tuple[dict[str, gpd.GeoDataFrame], dict[str, LayerSpec]]:
    """Four layers and their specs, as ``load_picture`` and ``spec_for`` give them."""
    frames = {
        "points": points_layer(),
        "routes": routes_layer(),
        "ice": ice_layer(),
        "mixed": mixed_layer(),
    }
    specs = {
        "points": spec("points", "point", symbol="square", radius=6, color="#b2182b"),
        "routes": spec("routes", "line", "schematic", color="#2166ac", weight=3, dash="8 6"),
        "ice": spec("ice", "polygon", "climatology", color="#4393c3", fill="#d1e5f0",
                    weight=2, fill_opacity=0.35),
        "mixed": spec("mixed", "any", "reported", color="#e08214", symbol="triangle",
                      radius=7),
    }
    return frames, specs


# ---- reading exports back through GDAL ------------------------------------------------

#: Where each format puts one layer, relative to the export path.
def layer_sources(out: Path, fmt: str) -> dict[str, str]:
    """Return GDAL data source names of each table in an export (table -> path)."""
    import pyogrio

    if fmt in ("gpkg", "kml"):
        listed = pyogrio.list_layers(out)
        return {str(name): f"{out}|{name}" for name, _ in listed if name != "layer_styles"}
    suffix = {"geojson": ".geojson", "parquet": ".parquet", "csv": ".csv", "shp": ".zip"}[fmt]
    found: dict[str, str] = {}
    for path in sorted(out.glob(f"*{suffix}")):
        if fmt == "shp":
            for name, _ in pyogrio.list_layers(f"/vsizip/{path}"):
                found[str(name)] = f"/vsizip/{path}|{name}"
        else:
            found[path.stem] = str(path)
    return found


def read_table(source: str) -> gpd.GeoDataFrame:
    """Read one table named by :func:`layer_sources` with pyogrio (GDAL)."""
    import pyogrio

    path, _, layer = source.partition("|")
    if path.endswith(".parquet") and "Parquet" not in pyogrio.list_drivers():
        return read_geoparquet_plainly(path)  # this GDAL has no Parquet driver
    return pyogrio.read_dataframe(path, layer=layer or None)


def read_geoparquet_plainly(path: str) -> gpd.GeoDataFrame:
    """Read GeoParquet with pyarrow and shapely only, from its ``geo`` metadata (not geopandas')."""
    import json

    import pyarrow.parquet as pq
    from pyproj import CRS

    table = pq.read_table(path)
    geo = json.loads(table.schema.metadata[b"geo"])
    column = geo["primary_column"]
    meta = geo["columns"][column]
    geoms = shapely.from_wkb(table.column(column).to_numpy(zero_copy_only=False))
    covering = meta.get("covering", {}).get("bbox", {}).get("xmin", [None])[0]
    frame = table.drop_columns([c for c in (column, covering) if c in table.column_names])
    crs = CRS.from_json_dict(meta["crs"]) if meta.get("crs") else CRS("OGC:CRS84")
    return gpd.GeoDataFrame(frame.to_pandas(), geometry=geoms, crs=crs)


def ogrinfo_counts(path: str) -> dict[str, int]:
    """Run the ``ogrinfo`` command and return each layer's feature count."""
    import re
    import subprocess

    result = subprocess.run(["ogrinfo", "-ro", "-so", "-al", path], capture_output=True,
                            text=True, check=True, timeout=120)
    names = re.findall(r"^Layer name: (.*)$", result.stdout, flags=re.M)
    counts = [int(n) for n in re.findall(r"^Feature Count: (\d+)$", result.stdout, flags=re.M)]
    return dict(zip(names, counts, strict=True))


def max_longitude_jump(geom: object) -> float:
    """Largest |lon difference| between consecutive vertices of any line or ring."""
    worst = 0.0
    for part in shapely.get_parts(geom):
        rings = shapely.get_rings(part) if part.geom_type == "Polygon" else [part]
        for ring in rings:
            coords = np.asarray(ring.coords)
            if len(coords) > 1:
                worst = max(worst, float(np.abs(np.diff(coords[:, 0])).max()))
    return worst


#: Control characters the hostile test of issue 12 put into ids, names and sources.
CONTROL_TEXTS = ("a\x00b", "x\x01y", "bell\x07", "vt\x0bvt", "ff\x0cff")
#: Cells a spreadsheet would run (OWASP CSV injection), from names, kinds, sources, ids.
FORMULA_TEXTS = ('=HYPERLINK("http://evil","x")', "+cmd|'/C calc'!A0", "@SUM(1+1)",
                 "-2+3+cmd|x", "\t=1+1", "\r=1+1")


def control_text_layer(nul: bool = True) -> gpd.GeoDataFrame:
    """Points whose id, name and source hold C0 controls (and a NUL unless ``nul`` is false).

    Built past validation on purpose: a layer file or an old store can hold such text even
    when the intake refuses it.
    """
    texts = [t for t in CONTROL_TEXTS if nul or "\x00" not in t]
    frame = points_layer(len(texts) + 1).copy()
    for i, text in enumerate(texts):
        frame.loc[i, "id"] = text
        frame.loc[i, "name"] = f"name {text}"
        frame.loc[i, "source"] = f"source {text}"
    frame.loc[len(texts), "name"] = "odd \ufffe\uffff end"
    return frame


def formula_layer() -> gpd.GeoDataFrame:
    """Points whose text cells start with formula triggers, and a real negative number."""
    frame = points_layer(len(FORMULA_TEXTS)).copy()
    frame["name"] = list(FORMULA_TEXTS)
    frame["kind"] = list(reversed(FORMULA_TEXTS))
    frame["source"] = [f"{t} source" if i % 2 else t for i, t in enumerate(FORMULA_TEXTS)]
    frame["id"] = [f"{t}#{i}" for i, t in enumerate(FORMULA_TEXTS)]
    frame["temperature_c"] = [-2.5 - i for i in range(len(FORMULA_TEXTS))]
    frame["offset"] = [-(i + 1) for i in range(len(FORMULA_TEXTS))]
    return frame
