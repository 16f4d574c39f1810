"""Builders of small layer records and files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def feature(
    id: str = "t-1", lon: float = 15.0, lat: float = 78.0, **props: Any
) -> dict[str, Any]:
    """A valid point Feature with every common property; override any with ``props``."""
    properties = {
        "id": id, "name": f"Test {id}", "layer": "test", "domain": "military",
        "kind": "air", "source": "test builder", "confidence": "high",
        "precision_km": 1.0, "valid_from": "2020-01-01", "valid_to": None,
    }
    properties.update(props)
    geometry = properties.pop("geometry", {"type": "Point", "coordinates": [lon, lat]})
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write_geojson(path: Path, features: list[dict[str, Any]]) -> Path:
    """Write ``features`` as a FeatureCollection and return ``path``."""
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path
