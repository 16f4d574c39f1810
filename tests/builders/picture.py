"""Builders of small picture layers for map tests."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from northpic.catalogue import LayerSpec
from northpic.picture import marked_layer, prepare_layer_frame

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>alert(2)</script>"


def spec(name: str = "test_points", domain: str = "military", **style: object) -> LayerSpec:
    """A catalogue entry for a test layer."""
    base = {"color": "#aa0000", "symbol": "square", "radius": 6}
    base.update(style)
    return LayerSpec(name=name, title=name.replace("_", " ").title(), domain=domain,
                     file=Path("memory"), geometry="point", nature="authored", style=base)


def points_layer(
    n: int = 3, seed: int = 1, *, layer: str = "test_points", names: list[str] | None = None,
    valid_from: list[str | None] | None = None, notes: list[str] | None = None,
    lon_range: tuple[float, float] = (-170, 170), lat_range: tuple[float, float] = (60, 85),
) -> gpd.GeoDataFrame:
    """``n`` seeded random points north of 60 N as a valid layer frame."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(*lon_range, n)
    lat = rng.uniform(*lat_range, n)
    frame = gpd.GeoDataFrame(
        {
            "id": [f"{layer}-{i}" for i in range(n)],
            "name": names or [f"Point {i}" for i in range(n)],
            "kind": ["test"] * n,
            "source": ["tests/builders/picture.py"] * n,
            "confidence": ["medium"] * n,
            "precision_km": rng.choice([0.0, 5.0, 50.0], n),
            "valid_from": valid_from or [None] * n,
            "valid_to": [None] * n,
            "notes": notes or [""] * n,
        },
        geometry=shapely.points(lon, lat), crs="EPSG:4326",
    )
    # shipped-layer defaults: PUBLIC, the lowest level (every product is marked)
    return marked_layer(prepare_layer_frame(frame, spec(layer), "memory"), "memory")
