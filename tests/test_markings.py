"""The markings table and the release rules (northpic.markings), on their own."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from northpic.errors import MarkingMixError, MarkingsError
from northpic.markings import (
    PUBLIC,
    default_markings,
    for_audience,
    marking_problems,
    may_receive,
    most_restrictive,
    parse_audience,
    product_marking,
    read_markings,
    with_marking_defaults,
)

TABLE = default_markings()


def codes(*names: str) -> frozenset[str]:
    return frozenset(names)


def records(*marks: tuple[str, str]) -> gpd.GeoDataFrame:
    """One point record per (releasability, classification)."""
    return gpd.GeoDataFrame(
        {"id": [f"r{i}" for i in range(len(marks))],
         "releasability": [m[0] for m in marks], "classification": [m[1] for m in marks],
         "originator": ["test"] * len(marks)},
        geometry=[shapely.Point(10 + i, 70) for i in range(len(marks))], crs="EPSG:4326")


def write_table(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "markings.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_the_shipped_table_holds_the_audiences_the_issue_names() -> None:
    held = {a.code: a.kind for a in TABLE.audiences}
    assert held["PUBLIC"] == "public"
    assert held["NATO"] == held["EU"] == "organisation"
    nations = [c for c, k in held.items() if k == "nation"]
    assert "NOR" in nations and all(len(c) == 3 and c.isalpha() and c.isupper() for c in nations)
    # every member of both organisations is a national audience (32 NATO + 4 EU-only)
    assert len(nations) >= 36
    assert [lv.rank for lv in TABLE.levels] == list(range(len(TABLE.levels)))


@pytest.mark.parametrize("text, expected", [
    ("NATO, EU", {"NATO", "EU"}),
    ("EU,NATO", {"NATO", "EU"}),
    ("REL TO NATO, EU", {"NATO", "EU"}),
    ("RELEASABLE TO NATO, EU", {"NATO", "EU"}),
    ("NOR EYES ONLY", {"NOR"}),
    ("NOR", {"NOR"}),
    ("PUBLIC", {"PUBLIC"}),
    ("NATO, PUBLIC", {"PUBLIC"}),  # public is public, whoever else is named
])
def test_common_marking_forms_are_read(text: str, expected: set[str]) -> None:
    assert TABLE.codes(text) == frozenset(expected)


@pytest.mark.parametrize("text, reason", [
    ("nato", "upper case: 'NATO'"),
    ("NATO, XYZ", "unknown audience 'XYZ'"),
    ("<b>NATO</b>", "unknown audience '<b>NATO</b>'"),
    ("NOR, DNK EYES ONLY", "EYES ONLY names exactly one nation"),
    ("NATO EYES ONLY", "EYES ONLY names exactly one nation"),
    ("NATO,, EU", "empty audience"),
    (" , ", "names no audience"),
])
def test_a_wrong_marking_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        TABLE.codes(text)
    assert reason in str(caught.value)


def test_canonical_text_follows_the_table_order() -> None:
    assert TABLE.text(TABLE.codes("EU, NOR, NATO")) == "NATO, EU, NOR"
    assert TABLE.phrase(TABLE.codes("EU, NATO")) == "RELEASABLE TO NATO, EU"
    assert TABLE.phrase(codes("NOR")) == "NOR EYES ONLY"
    assert TABLE.phrase(codes("NATO")) == "RELEASABLE TO NATO"  # an organisation has no eyes
    assert TABLE.phrase(codes(PUBLIC)) == "PUBLIC RELEASE"


@pytest.mark.parametrize("record, audience, allowed", [
    ({"PUBLIC"}, {"NOR"}, True),
    ({"PUBLIC"}, {"PUBLIC"}, True),
    ({"NATO", "EU"}, {"EU"}, True),
    ({"NATO", "EU"}, {"NATO", "EU"}, True),
    ({"NATO"}, {"NATO", "EU"}, False),  # a product for both holds only what both may see
    ({"NATO"}, {"NOR"}, False),  # membership does not release
    ({"NOR"}, {"NATO"}, False),
    ({"NATO"}, {"PUBLIC"}, False),
])
def test_release_is_explicit(record: set[str], audience: set[str], allowed: bool) -> None:
    assert may_receive(frozenset(record), frozenset(audience)) is allowed


def test_the_most_restrictive_marking_is_the_common_audience() -> None:
    assert most_restrictive([]) == codes(PUBLIC)
    assert most_restrictive([codes(PUBLIC), codes(PUBLIC)]) == codes(PUBLIC)
    assert most_restrictive([codes(PUBLIC), codes("NATO", "EU")]) == codes("NATO", "EU")
    assert most_restrictive([codes("NATO", "EU"), codes("EU", "NOR")]) == codes("EU")
    assert most_restrictive([codes("NOR"), codes("EU")]) == frozenset()


def test_a_product_banner_comes_from_what_it_holds() -> None:
    frame = records(("PUBLIC", "UNCLASSIFIED"), ("NATO, EU", "RESTRICTED"))
    marking = product_marking([frame], TABLE)
    assert marking.banner == "RESTRICTED // RELEASABLE TO NATO, EU"
    assert marking.releasability == "NATO, EU"
    assert "no --audience" in marking.prepared_for
    public = product_marking([records(("PUBLIC", "UNCLASSIFIED"))], TABLE)
    assert public.banner == "UNCLASSIFIED // PUBLIC RELEASE"
    nor = product_marking([records(("NOR", "SECRET"), ("PUBLIC", "UNCLASSIFIED"))], TABLE)
    assert nor.banner == "SECRET // NOR EYES ONLY"


def test_a_mix_no_audience_may_see_is_refused_unless_an_audience_is_named() -> None:
    frame = records(("NOR", "UNCLASSIFIED"), ("EU", "UNCLASSIFIED"), ("PUBLIC", "UNCLASSIFIED"))
    with pytest.raises(MarkingMixError) as caught:
        product_marking([frame], TABLE)
    message = str(caught.value)
    assert "'r0' is NOR" in message and "'r1' is EU" in message and "--audience" in message
    eu = parse_audience("EU", TABLE)
    kept = for_audience(frame, eu, TABLE)
    assert list(kept["id"]) == ["r1", "r2"]
    marking = product_marking([kept], TABLE, eu)
    assert marking.banner == "UNCLASSIFIED // RELEASABLE TO EU"
    assert marking.prepared_for == "EU"


def test_an_unfiltered_record_for_another_audience_is_a_caller_bug() -> None:
    with pytest.raises(ValueError, match="'r0' is not releasable to EU"):
        product_marking([records(("NOR", "UNCLASSIFIED"))], TABLE, codes("EU"))


def test_an_unknown_audience_option_is_bad_input() -> None:
    with pytest.raises(MarkingsError, match="--audience 'eu'.*upper case"):
        parse_audience("eu", TABLE)


def test_record_problems_name_the_record_field_and_reason() -> None:
    frame = records(("NATO", "UNCLASSIFIED"), ("nato", "UNCLASSIFIED"),
                    ("EU", "TOP"), ("", "UNCLASSIFIED"))
    frame.loc[2, "originator"] = "x\x1b[31m"
    found = {(p.record, p.reason.split(":")[0]) for p in marking_problems(frame, "f.csv", TABLE)}
    assert found == {("'r1'", "releasability"), ("'r2'", "classification"),
                     ("'r2'", "originator"), ("'r3'", "releasability")}
    missing = marking_problems(frame.drop(columns="originator"), "f.csv", TABLE)
    assert [(p.record, p.reason) for p in missing if p.record is None] == [
        (None, "no 'originator' field (every record needs one)")]


def test_an_unmarked_record_is_never_releasable() -> None:
    frame = records(("PUBLIC", "UNCLASSIFIED"), ("NATO", "UNCLASSIFIED"))
    frame.loc[1, "releasability"] = None
    assert list(for_audience(frame, codes("NATO"), TABLE)["id"]) == ["r0"]
    assert len(for_audience(frame.drop(columns="releasability"), codes("NATO"), TABLE)) == 0


def test_batch_defaults_fill_only_blanks() -> None:
    frame = pd.DataFrame({"releasability": ["NATO", None, " "]})
    filled = with_marking_defaults(frame, releasability="EU", originator="NOR JOC")
    assert list(filled["releasability"]) == ["NATO", "EU", "EU"]
    assert list(filled["originator"]) == ["NOR JOC"] * 3
    assert "classification" not in filled.columns


def test_a_users_table_replaces_the_shipped_one(tmp_path: Path) -> None:
    path = write_table(tmp_path, {
        "levels": [{"code": "OFFEN", "banner": "OFFEN"}, {"code": "VS_NFD", "banner": "VS-NfD"}],
        "audiences": [{"code": "PUBLIC", "kind": "public", "name": "alle"},
                      {"code": "DEU", "kind": "nation", "name": "Deutschland"}]})
    table = read_markings(path)
    assert table.lowest.code == "OFFEN" and table.label == "markings.json"
    with pytest.raises(ValueError, match="unknown audience 'NATO'"):
        table.codes("NATO")
    marking = product_marking([records(("DEU", "VS_NFD"))], table)
    assert marking.banner == "VS-NfD // DEU EYES ONLY"


@pytest.mark.parametrize("doc, reason", [
    ({"levels": [], "audiences": [{"code": "PUBLIC", "kind": "public", "name": "p"}]},
     "'levels' is empty"),
    ({"levels": [{"code": "U", "banner": "U"}], "audiences": []}, "no 'PUBLIC' audience"),
    ({"levels": [{"code": "U", "banner": "U"}, {"code": "U", "banner": "V"}],
      "audiences": [{"code": "PUBLIC", "kind": "public", "name": "p"}]}, "listed twice"),
    ({"levels": [{"code": "U", "banner": "U\x00"}],
      "audiences": [{"code": "PUBLIC", "kind": "public", "name": "p"}]}, "control character"),
    ({"levels": [{"code": "u", "banner": "U"}],
      "audiences": [{"code": "PUBLIC", "kind": "public", "name": "p"}]}, "upper-case"),
    ({"levels": [{"code": "U", "banner": "U"}],
      "audiences": [{"code": "PUBLIC", "kind": "public", "name": "p"},
                    {"code": "NORW", "kind": "nation", "name": "n"}]}, "ISO 3166 alpha-3"),
    ({"levels": [{"code": "U", "banner": "U"}],
      "audiences": [{"code": "PUBLIC", "kind": "public", "name": "p"},
                    {"code": "ALL", "kind": "public", "name": "n"}]}, "the public audience"),
    ({"levels": [{"code": "U", "banner": "U"}],
      "audiences": [{"code": "PUBLIC", "kind": "crowd", "name": "p"}]}, "kind 'crowd'"),
    ({"levels": "U", "audiences": []}, "'levels' and 'audiences' lists"),
    ([1, 2], "'levels' and 'audiences' lists"),
])
def test_a_broken_table_is_refused_naming_file_and_entry(
    tmp_path: Path, doc: object, reason: str
) -> None:
    path = write_table(tmp_path, doc)
    with pytest.raises(MarkingsError) as caught:
        read_markings(path)
    assert str(path) in str(caught.value) and reason in str(caught.value)


def test_a_table_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(MarkingsError, match="m.json"):
        read_markings(path)


def test_layers_validate_checks_the_markings_a_file_gives(tmp_path: Path) -> None:
    import subprocess
    import sys

    from builders.layers import feature, write_geojson

    good = feature("ok-1")
    bad = feature("bad-1", releasability="nato", classification="TOP")
    path = write_geojson(tmp_path / "reports.geojson", [good, bad])
    done = subprocess.run([sys.executable, "-m", "northpic", "layers", "validate", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if "record" in line]
    assert any("'bad-1'" in line and "releasability" in line and "upper case" in line
               for line in lines), done.stderr
    assert any("'bad-1'" in line and "classification: unknown classification 'TOP'" in line
               for line in lines), done.stderr
    assert not any("'ok-1'" in line for line in lines)  # unmarked: a batch default may mark it
