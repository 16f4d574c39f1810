"""Fact checks on the authored data files in ``layers/`` and ``seeds/``.

These tests read the shipped files directly (standard library + pandas) and do
not import northpic. The cross-checks against public reference records read
``../shared/data`` next to the repository (validation only: nothing from there
is shipped) through the ``shared_data`` fixture: skipped when that folder is absent,
failed when it is absent under ``CI=true``.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).parents[1]
LAYERS = ROOT / "layers"
SEEDS = ROOT / "seeds"

SOURCE_DOCUMENTS = {
    "000_6fe3db5f794230d9.txt",
    "001_005f7a795ad37d94.txt",
    "002_3dcab7659b2ccca3.txt",
    "003_09faeee6b37f03b2.txt",
}
DOC_NAME = re.compile(r"\b\d{3}_[0-9a-f]+\.txt\b")

POINT_LAYERS = ["bases", "minerals", "ports", "settlements", "arctic_council"]
LINE_LAYERS = ["shipping_routes", "undersea_cables", "boundaries", "shadow_fleet"]

KOLA_BASES = [
    "base-severomorsk",
    "base-gadzhiyevo",
    "base-zaozyorsk-zapadnaya-litsa",
    "base-vidyayevo",
    "base-polyarny",
    "base-olenya",
    "base-severomorsk-1",
    "base-severomorsk-3",
    "base-monchegorsk",
    "base-alakurtti",
]
REQUIRED_BASES = [
    "base-pituffik",
    *KOLA_BASES,
    "base-nagurskoye",
    "base-temp-kotelny",
    "base-rogachevo",
    "base-evenes",
    "base-bardufoss",
    "base-andoya",
    "base-keflavik",
    "base-eielson",
    "base-jber",
    "base-fort-wainwright",
    "base-clear",
    "base-alert",
    "base-nanisivik",
    "base-rovaniemi",
    "base-sodankyla",
    "base-kallax",
    "base-boden",
    "base-joint-arctic-command-nuuk",
    "base-station-nord",
    "base-daneborg",
]

#: substring of our mineral name -> substring of the reference record's name
MINERAL_MATCHES = {
    "kovdor": "kovdor",
    "kiruna": "kiruna",
    "malmberget": "malmberget",
    "red dog": "red dog",
    "mary river": "mary river",
    "raglan": "raglan",
    "kevitsa": "kevitsa",
    "kittil": "kittil",
    "aitik": "aitik",
    "meliadine": "meliadine",
    "pogo": "pogo",
    "sydvaranger": "sydvaranger",
    "rana gruber": "rana gruber",
    "keliber": "keliber",
    "monchegorsk": "monchegorsk",
}
#: our base id -> substring of the OpenFlights airfield name
BASE_MATCHES = {
    "base-pituffik": "thule air base",
    "base-severomorsk-1": "severomorsk-1",
    "base-severomorsk-3": "severomorsk-3",
    "base-rogachevo": "rogachyovo",
    "base-eielson": "eielson",
    "base-jber": "elmendorf",
    "base-evenes": "evenes",
    "base-bardufoss": "bardufoss",
    "base-andoya": "andøya",
    "base-keflavik": "keflavik",
    "base-alert": "alert",
    "base-vidsel": "vidsel",
    "base-tiksi": "tiksi",
}


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _read_points(name: str) -> pd.DataFrame:
    return pd.read_csv(LAYERS / f"{name}.csv", dtype=str, keep_default_na=False)


def _read_features(name: str) -> list[dict]:
    return json.loads((LAYERS / f"{name}.geojson").read_text(encoding="utf-8"))["features"]


def _all_records() -> list[tuple[str, dict]]:
    records = []
    for name in POINT_LAYERS:
        for row in _read_points(name).to_dict("records"):
            records.append((name, row))
    for name in LINE_LAYERS:
        for feature in _read_features(name):
            records.append((name, feature["properties"]))
    return records


def _seed_event_ids() -> set[str]:
    ids: set[str] = set()
    for path in sorted(SEEDS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        ids.update(event["id"] for event in doc["events"])
    return ids


def _nearest_named(lat: float, lon: float, ref: pd.DataFrame, key: str) -> float | None:
    named = ref[ref["name"].str.lower().str.contains(key, regex=False, na=False)]
    if named.empty:
        return None
    return min(
        _haversine_km(lat, lon, r_lat, r_lon)
        for r_lat, r_lon in zip(named["lat"], named["lon"], strict=True)
    )


def _mineral_reference(folder: Path) -> pd.DataFrame:
    assert folder.is_dir(), f"{folder} is missing from the shared data"
    rows: list[tuple[str, float, float]] = []
    for path in sorted(folder.glob("*.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            props, geom = feature["properties"], feature["geometry"]
            if geom is None:
                continue
            name = props.get("name") or props.get("facility_name") or ""
            coords = [geom["coordinates"]] if geom["type"] == "Point" else geom["coordinates"]
            rows.extend((name, c[1], c[0]) for c in coords)
    for path in sorted(folder.glob("*.csv")):
        table = pd.read_csv(path)
        if {"site_name", "latitude", "longitude"} <= set(table.columns):
            rows.extend(zip(table["site_name"], table["latitude"], table["longitude"], strict=True))
    return pd.DataFrame(rows, columns=["name", "lat", "lon"]).dropna()


# --- structure -------------------------------------------------------------


def test_bases_count_and_required_installations() -> None:
    bases = _read_points("bases")
    assert len(bases) >= 30
    missing = sorted(set(REQUIRED_BASES) - set(bases["id"]))
    assert not missing, f"missing bases: {missing}"
    assert bases["name"].str.contains("Pituffik").any()


def test_minerals_count() -> None:
    assert len(_read_points("minerals")) >= 25


@pytest.mark.parametrize("name", POINT_LAYERS)
def test_point_layer_basics(name: str) -> None:
    table = _read_points(name)
    assert table["id"].is_unique
    assert table["id"].str.match(r"^[a-z0-9][a-z0-9-]*$").all()
    for column in ("name", "kind", "source", "confidence", "precision_km"):
        assert (table[column].str.strip() != "").all(), column
    assert set(table["confidence"]) <= {"high", "medium", "low"}
    assert (pd.to_numeric(table["precision_km"]) >= 0).all()
    lat, lon = pd.to_numeric(table["lat"]), pd.to_numeric(table["lon"])
    assert lat.between(-90, 90).all() and lon.between(-180, 180).all()


@pytest.mark.parametrize("name", LINE_LAYERS)
def test_feature_layer_basics(name: str) -> None:
    features = _read_features(name)
    ids = [f["properties"]["id"] for f in features]
    assert len(ids) == len(set(ids))
    for feature in features:
        props = feature["properties"]
        for key in ("name", "kind", "source", "confidence"):
            assert props.get(key), (props["id"], key)
        assert props["confidence"] in {"high", "medium", "low"}
        coords = feature["geometry"]["coordinates"]
        points = [coords] if feature["geometry"]["type"] == "Point" else coords
        for lon, lat in points:
            assert -180 <= lon <= 180 and -90 <= lat <= 90, (props["id"], lon, lat)


# --- provenance ------------------------------------------------------------


def test_seed_facts_exist() -> None:
    known = _seed_event_ids()
    assert known, "no seed events found"
    used = {
        (layer, str(rec.get("seed_fact")))
        for layer, rec in _all_records()
        if rec.get("seed_fact") not in (None, "")
    }
    assert used, "no layer record refers to a seed event"
    unknown = sorted((layer, fact) for layer, fact in used if fact not in known)
    assert not unknown, f"seed_fact ids not in seeds/*.json: {unknown}"


def test_seed_event_ids_unique_across_files() -> None:
    seen: list[str] = []
    for path in sorted(SEEDS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["document"] in SOURCE_DOCUMENTS
        assert path.stem == Path(doc["document"]).stem
        seen.extend(event["id"] for event in doc["events"])
    assert len(seen) == len(set(seen))
    assert len(list(SEEDS.glob("*.json"))) == len(SOURCE_DOCUMENTS)


def test_cited_documents_are_real() -> None:
    cited = set()
    for layer, rec in _all_records():
        for doc in DOC_NAME.findall(str(rec.get("source", ""))):
            assert doc in SOURCE_DOCUMENTS, (layer, rec.get("id"), doc)
            cited.add(doc)
    assert cited, "no record cites a source document"


def test_kola_bases_cite_the_kola_seed_fact() -> None:
    bases = _read_points("bases").set_index("id")
    for base_id in KOLA_BASES:
        row = bases.loc[base_id]
        assert row["seed_fact"] == "002-e12", base_id
        assert "002_3dcab7659b2ccca3.txt" in row["source"], base_id


# --- dates -------------------------------------------------------------------

YEAR_FIRST = re.compile(r"^\d{4}")


def test_modern_installations_are_not_in_the_picture_of_1900() -> None:
    bases = _read_points("bases").set_index("id")
    for base_id in ("base-pituffik", "base-nagurskoye", "base-severomorsk", "base-gadzhiyevo",
                    "base-temp-kotelny", "base-alert", "base-keflavik"):
        start = bases.loc[base_id, "valid_from"]
        assert YEAR_FIRST.match(start) and start[:4] > "1900", (base_id, start)
        assert bases.loc[base_id, "valid_to"] == "", base_id


def test_closed_minerals_stay_in_todays_picture() -> None:
    minerals = _read_points("minerals")
    closed = minerals[minerals["kind"] == "closed"]
    assert not closed.empty
    assert (closed["valid_to"] == "").all(), list(closed.loc[closed["valid_to"] != "", "id"])


def test_cables_in_service_start_when_ready() -> None:
    for feature in _read_features("undersea_cables"):
        props = feature["properties"]
        if props["status"] == "in_service":
            assert props["valid_from"] == str(props["ready_for_service"]), props["id"]


def test_boundaries_start_no_earlier_than_signature() -> None:
    for feature in _read_features("boundaries"):
        props = feature["properties"]
        assert props["valid_from"], props["id"]
        assert props["valid_from"][:4] >= props["signed"][:4], props["id"]


def test_reported_diversions_are_dated_no_finer_than_the_source() -> None:
    for feature in _read_features("shadow_fleet"):
        props = feature["properties"]
        if props.get("time_precision") == "month":
            assert re.fullmatch(r"\d{4}-\d{2}", props["valid_from"]), props["id"]


# --- cross-checks against public reference records -------------------------


def test_mineral_coordinates_match_public_records(shared_data: Path) -> None:
    reference = _mineral_reference(shared_data / "minerals")
    minerals = _read_points("minerals")
    matched, failures = 0, []
    for row in minerals.to_dict("records"):
        ours = row["name"].lower()
        for key, ref_key in MINERAL_MATCHES.items():
            if key not in ours:
                continue
            distance = _nearest_named(float(row["lat"]), float(row["lon"]), reference, ref_key)
            if distance is None:
                continue
            matched += 1
            allowed = max(float(row["precision_km"]) * 1.5, 3.0)
            if distance > allowed:
                failures.append((row["id"], round(distance, 1), allowed))
    assert matched >= 5, f"only {matched} minerals matched a reference record"
    assert not failures, failures


def test_base_coordinates_match_openflights(shared_data: Path) -> None:
    path = shared_data / "bases" / "openflights_airfields_north55.csv"
    reference = pd.read_csv(path)[["name", "lat", "lon"]].dropna()
    bases = _read_points("bases").set_index("id")
    matched, failures = 0, []
    for base_id, ref_key in BASE_MATCHES.items():
        row = bases.loc[base_id]
        distance = _nearest_named(float(row["lat"]), float(row["lon"]), reference, ref_key)
        if distance is None:
            continue
        matched += 1
        allowed = max(float(row["precision_km"]) * 1.5, 3.0)
        if distance > allowed:
            failures.append((base_id, round(distance, 1), allowed))
    assert matched >= 5, f"only {matched} bases matched an OpenFlights record"
    assert not failures, failures
