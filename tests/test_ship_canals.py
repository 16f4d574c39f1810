"""The authored ship canals and channels, reviewed like code, and water in the AIS land test.

Each canal is checked against truths kept here, apart from the table: the
countries' bounding boxes, the canals' published lengths and the places
they pass (public gazetteers, to about 0.5 km).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from pyproj import Geod

from northpic.ais.landmask import is_on_land
from northpic.io import canals as canals_module
from northpic.io.canals import SHIP_CANAL_KINDS, read_ship_canals

# lon_min, lat_min, lon_max, lat_max of each country (mainland, rounded outwards)
COUNTRY_BOXES = {
    "EG": (24.7, 22.0, 36.9, 31.7),
    "DE": (5.8, 47.2, 15.1, 55.1),
    "CA": (-141.1, 41.6, -52.6, 83.2),
    "US": (-125.0, 24.4, -66.9, 49.4),
    "PA": (-83.1, 7.2, -77.1, 9.7),
    "GR": (19.3, 34.8, 29.7, 41.8),
    "GB": (-8.7, 49.8, 1.8, 60.9),
    "NL": (3.3, 50.7, 7.3, 53.6),
    "BE": (2.5, 49.4, 6.5, 51.6),
    "RU": (19.6, 41.1, 180.0, 82.0),
    "FI": (20.5, 59.7, 31.6, 70.1),
    "SE": (10.9, 55.3, 24.2, 69.1),
}
# published lengths, km (canal authorities and encyclopaedias), by the start of the name
PUBLISHED_KM = {
    "Suez Canal": 162.5,  # Port Said to Port Tawfiq (193.3 with the approach channels)
    "Kiel Canal": 98.3,
    "Welland Canal": 43.4,
    "Saint Lawrence Seaway": 300.0,  # Montreal-Lake Ontario section, 189 statute miles
    "Houston Ship Channel": 80.0,  # about 50 miles from Bolivar Roads to the Turning Basin
    "Panama Canal": 82.0,
    "Corinth Canal": 6.4,
    "Manchester Ship Canal": 58.0,
    "Volga-Baltic Waterway": 368.0,
    "White Sea-Baltic Canal": 227.0,
    "Saimaa Canal": 42.9,
    "Svir": 224.0,
}
# places on each canal (lat, lon), taken from gazetteers, not from the table
ON_CANAL = {
    "Suez Canal": [(30.85, 32.318), (30.657, 32.333), (30.58, 32.34)],  # Qantara, Ferdan
    "Kiel Canal": [(54.028, 9.28), (54.30, 9.70), (54.365, 10.14)],  # Hochdonn, Rendsburg
    "Welland Canal": [(43.05, -79.21), (43.133, -79.19)],  # Port Robinson, Thorold locks
    "Houston Ship Channel": [(29.761, -95.08), (29.73, -95.16)],  # Lynchburg, Pasadena
    "Corinth Canal": [(37.93, 22.985)],
    "Manchester Ship Canal": [(53.438, -2.415)],  # Irlam locks
    "Panama Canal": [(9.017, -79.612), (8.997, -79.591)],  # Pedro Miguel, Miraflores
    "Saimaa Canal": [(60.955, 28.53)],  # Nuijamaa
}


@pytest.fixture(scope="module")
def canals():
    return read_ship_canals()


def _length_km(line: shapely.LineString) -> float:
    xy = shapely.get_coordinates(line)
    return float(Geod(ellps="WGS84").line_length(xy[:, 0], xy[:, 1])) / 1000.0


def test_every_feature_is_a_sourced_line_in_its_countries(canals) -> None:
    assert len(canals) >= 14 and canals["name"].is_unique
    for row in canals.itertuples():
        line = row.geometry
        assert line.geom_type == "LineString" and line.is_valid and line.is_simple, row.name
        assert "authored from public maps" in row.source and len(row.source) > 60, row.name
        assert row.kind in SHIP_CANAL_KINDS and row.confidence in ("medium", "low"), row.name
        # medium: to about 0.5-1 km; low: the Russian inland waterways, to a few km
        assert 0.2 <= row.precision_km <= (1.0 if row.confidence == "medium" else 5.0), row.name
        # vertices no further apart than 40 km, so the line follows the canal
        xy = shapely.get_coordinates(line)
        step = Geod(ellps="WGS84").inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])[2]
        assert step.max() < 40_000, row.name
        boxes = [shapely.box(*COUNTRY_BOXES[code]) for code in row.country.split("|")]
        assert shapely.union_all(boxes).contains(line), row.name


def test_each_canal_is_about_as_long_as_published(canals) -> None:
    checked = 0
    for row in canals.itertuples():
        published = [km for name, km in PUBLISHED_KM.items() if row.name.startswith(name)]
        if published:
            checked += 1
            # straight segments cut corners: low-confidence lines are allowed more
            slack = 0.15 if row.confidence == "medium" else 0.35
            assert abs(_length_km(row.geometry) / published[0] - 1) < slack, row.name
    assert checked == len(PUBLISHED_KM)


def test_the_gazetteer_places_lie_on_their_canals(canals) -> None:
    for name, places in ON_CANAL.items():
        line = canals.geometry[canals["name"].str.startswith(name)].iloc[0]
        for lat, lon in places:
            # km on a local plane: 111.32 km a degree of latitude, cos(lat) of that east-west
            scale = [111.32 * np.cos(np.radians(lat)), 111.32]
            local = shapely.LineString(shapely.get_coordinates(line) * scale)
            km = shapely.distance(local, shapely.Point(lon * scale[0], lat * scale[1]))
            assert km < 1.0, (name, lat, lon, km)


def test_every_cell_along_every_canal_is_water(canals) -> None:
    for row in canals.itertuples():
        line = row.geometry
        n = max(int(_length_km(line) / 0.25), 2)  # a point every 250 m
        points = shapely.line_interpolate_point(line, np.linspace(0, 1, n), normalized=True)
        xy = shapely.get_coordinates(points)
        land = is_on_land(xy[:, 0], xy[:, 1], 0.0)  # the cell alone, no 2 km slack
        assert not land.any(), (row.name, xy[land][:3].tolist())


def test_a_broken_feature_is_named_with_its_reason(monkeypatch) -> None:
    good = json.loads(canals_module._raw())
    feature = good["features"][0]
    cases = [
        ({**feature, "geometry": {"type": "Point", "coordinates": [32.3, 31.0]}},
         r"feature 0 \(Suez Canal\): the geometry is not a LineString"),
        ({**feature, "properties": {**feature["properties"], "source": ""}},
         r"feature 0 \(Suez Canal\) lacks source"),
        ({**feature, "properties": {**feature["properties"], "precision_km": "1 km"}},
         r"feature 0 \(Suez Canal\): precision_km '1 km' is not a number"),
        ({**feature, "geometry": {"type": "LineString", "coordinates": [[32.3, 31.0],
                                                                        [32.3, 95.0]]}},
         r"feature 0 \(Suez Canal\): position 1 \[32.3, 95.0\] is not \[lon, lat\] in range"),
    ]
    for broken, message in cases:
        text = json.dumps({**good, "features": [broken]}).encode()
        monkeypatch.setattr(canals_module, "_raw", lambda text=text: text)
        canals_module._rows.cache_clear()
        with pytest.raises(RuntimeError, match=r"ship_canals\.geojson: " + message):
            read_ship_canals()
    canals_module._rows.cache_clear()
