"""Sources read as citations, dates keep their precision, and the sea-name layer is honest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from northpic.catalogue import read_catalogue
from northpic.export.api import export_layers
from northpic.io.seed_files import SourceDocument, read_source_documents
from northpic.picture import load_layer, spec_for
from northpic.render.citations import citation, cite_text, cited_frame
from northpic.render.payload import layer_data
from northpic.schema import TIME_PRECISION_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
SEED_FACT = re.compile(r"^\d{3}-e\d+$")
LAYER_NAMES = [s.name for s in read_catalogue()]


def test_every_seed_names_its_title_publisher_and_date() -> None:
    for path in sorted(SEEDS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(doc["title"], str) and doc["title"].strip(), path.name
        assert "publisher" in doc and "published" in doc, path.name
        assert doc["title_note"] and doc["publisher_note"], path.name  # how we know, or that we don't


def test_seed_titles_are_not_sentences_of_the_documents(shared_data: Path) -> None:
    documents = shared_data.parent / "seeds"  # the source documents, beside the real data
    assert documents.is_dir(), documents
    for path in sorted(SEEDS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        text = (documents / doc["document"]).read_text(encoding="utf-8")
        assert doc["title"].lower() not in text.lower(), doc["document"]
        if doc["publisher"]:  # a named publisher is named in the text itself
            assert doc["publisher"].split(" (")[0] in text, doc["document"]


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_no_page_text_names_a_source_file_or_a_fact_id(name: str) -> None:
    frame = cited_frame(load_layer(name))
    for column in frame.columns:
        if frame[column].dtype != object and not pd.api.types.is_string_dtype(frame[column]):
            continue
        for value in frame[column].dropna().astype(str):
            assert not SEED_FILE.search(value), (name, column, value)
            assert not SEED_FACT.match(value), (name, column, value)


def test_a_seed_fact_reads_as_its_documents_citation() -> None:
    documents = read_source_documents()
    frame = load_layer("bases")
    record = frame.set_index("id").loc["base-severomorsk"]
    doc = next(d for d in documents.values() if record["seed_fact"] in d.facts)
    cited = cited_frame(frame).set_index("id").loc["base-severomorsk"]
    assert citation(doc) in cited["source"]
    assert SEED_FILE.search(record["source"])  # the file name stays in the data
    # a fact from a document the source does not cite is cited in its own column
    bare = frame.assign(source="Barents Observer")
    cited = cited_frame(bare).set_index("id").loc["base-severomorsk"]
    assert cited["source_document"] == citation(doc)


def test_unknown_file_names_stay_as_written() -> None:
    doc = SourceDocument("003_09faeee6b37f03b2.txt", "T", False, "P", "2026-01")
    assert cite_text("see 999_0123456789abcdef.txt", {doc.source_file: doc}) == \
        "see 999_0123456789abcdef.txt"
    assert cite_text("003_09faeee6b37f03b2.txt", {doc.source_file: doc}) == '"T", P, Jan 2026'


def test_dates_reach_the_page_at_the_precision_their_file_gave() -> None:
    frame = load_layer("bases")
    raw = pd.read_csv(ROOT / "layers" / "bases.csv", dtype=str, keep_default_na=False)
    values = layer_data(frame)["points"]["values"]
    shown = dict(zip(values["id"], values["valid_from"], strict=True))
    for rid, written in zip(raw["id"], raw["valid_from"], strict=True):
        assert shown[rid] == (written or None), rid
    fleet = layer_data(load_layer("shadow_fleet"))["points"]["values"]["valid_from"]
    assert set(fleet) == {"2026-01"}  # a month stays a month


def test_precision_columns_are_not_exported(tmp_path: Path) -> None:
    out = export_layers({"bases": load_layer("bases")}, {"bases": spec_for("bases")},
                        tmp_path / "b", "geojson")
    written = next(out.glob("*.geojson")) if out.is_dir() else out
    props = json.loads(written.read_text(encoding="utf-8"))["features"][0]["properties"]
    assert not set(TIME_PRECISION_COLUMNS.values()) & set(props)
    assert "valid_from" in props


def test_sea_names_say_their_positions_are_approximate() -> None:
    names = load_layer("sea_names")
    assert {"Barents Sea", "Bering Strait", "GIUK gap", "Fram Strait", "Kara Sea",
            "Norwegian Sea", "Greenland Sea", "Beaufort Sea", "Chukchi Sea", "Davis Strait",
            "Denmark Strait", "Northwest Passage", "Northern Sea Route"} <= set(names["name"])
    assert (names["precision_km"] >= 30).all()
    assert names["source"].str.len().gt(20).all()
    assert names["notes"].str.startswith("Label position only").all()
