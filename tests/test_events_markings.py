"""Markings on events, stores of earlier versions, and the store's append-only history."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyogrio
import pytest

from builders.events import ORIGINATOR, event, legacy_store, unmarked, write_geojson
from northpic.cli import main
from northpic.errors import (
    EventNotFoundError,
    MarkingMixError,
    MarkingsError,
    SchemaError,
)
from northpic.events import add_events, read_events, remove_event
from northpic.events.listing import list_events
from northpic.markings import default_markings, for_audience, product_marking
from northpic.store import count_events, read_history

#: Makes a fresh store of the backend under test (see the ``make_store`` fixture).
MakeStore = Callable[[], Any]
CLI = [sys.executable, "-c", "from northpic.cli import run; run()"]
VALIDATE_GPKG = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "unexpected error" not in captured.err
    return code, captured.out, captured.err


def _history_rows(store: Path | str) -> list[tuple]:
    """The history table's rows as stored, from the file or the database itself."""
    if isinstance(store, str):  # a PostGIS store's URL: the same columns, time as UTC text
        import psycopg

        with psycopg.connect(store) as pg:
            return pg.execute(
                "SELECT event_id, sequence, operation, originator, "
                "to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
                "previous::text, new::text FROM events_history ORDER BY fid").fetchall()
    with sqlite3.connect(store) as conn:
        rows = conn.execute("SELECT event_id, sequence, operation, originator, time, previous, "
                            "new FROM events_history ORDER BY fid").fetchall()
    conn.close()
    return rows


# --- markings are required, defaulted per batch, and checked against the table -----------------


def test_a_record_without_releasability_or_originator_is_refused_and_nothing_stored(
        tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    records = [event(1), event(2, releasability=None), unmarked(event(3)),
               event(4, originator="  ")]
    with pytest.raises(SchemaError) as caught:
        add_events(records, store, label="feed.json")
    text = str(caught.value)
    assert "feed.json: record 'ev-test-2': no releasability" in text
    assert "feed.json: record 'ev-test-3': no releasability" in text
    assert "feed.json: record 'ev-test-3': no originator" in text
    assert "feed.json: record 'ev-test-4': no originator" in text
    assert "ev-test-1" not in text  # the marked record is fine
    assert not store.exists()


def test_batch_defaults_fill_only_what_records_leave_blank(make_store: MakeStore) -> None:
    store = make_store()
    table = default_markings()
    records = [unmarked(event(1)),
               event(2, releasability="NOR EYES ONLY", originator="NOR JOC",
                     classification="RESTRICTED")]
    add_events(records, store, releasability="NATO, EU", originator="EU SatCen")
    got = read_events(store).set_index("id")
    assert got.loc["ev-test-1", ["releasability", "originator"]].tolist() == [
        "NATO, EU", "EU SatCen"]
    assert got.loc["ev-test-1", "classification"] == table.lowest.code
    assert got.loc["ev-test-2", ["releasability", "originator", "classification"]].tolist() == [
        "NOR", "NOR JOC", "RESTRICTED"]
    add_events([unmarked(event(3))], store, releasability="PUBLIC", originator="o",
               classification="CONFIDENTIAL")
    assert read_events(store).set_index("id").loc["ev-test-3", "classification"] == \
        "CONFIDENTIAL"


@pytest.mark.parametrize(("given", "stored"), [
    ("REL TO EU, NATO", "NATO, EU"),
    ("RELEASABLE TO NATO,EU", "NATO, EU"),
    ("EU,  NATO", "NATO, EU"),
    ("NOR EYES ONLY", "NOR"),
    ("PUBLIC", "PUBLIC"),
    ("NATO, PUBLIC", "PUBLIC"),
])
def test_releasability_is_stored_canonical(tmp_path: Path, given: str, stored: str) -> None:
    store = tmp_path / "s.gpkg"
    add_events([event(1, releasability=given)], store)
    assert read_events(store)["releasability"].tolist() == [stored]


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("releasability", "nato", "unknown audience 'nato' (audience codes are upper case: 'NATO')"),
    ("releasability", "<b>NATO</b>", "unknown audience '<b>NATO</b>'"),
    ("releasability", "NATO, ATLANTIS", "unknown audience 'ATLANTIS'"),
    ("releasability", "NOR, DNK EYES ONLY", "EYES ONLY names exactly one nation"),
    ("releasability", "EU EYES ONLY", "EYES ONLY names exactly one nation"),
    ("releasability", "NATO,,EU", "empty audience"),
    ("classification", "TOP SECRET", "unknown classification 'TOP SECRET'"),
    ("classification", "restricted", "levels are upper case: 'RESTRICTED'"),
    ("originator", "NOR\x1b[2J JOC", "control character"),
    ("originator", 42, "is not text"),
])
def test_hostile_markings_are_refused_with_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: object,
        reason: str) -> None:
    path = write_geojson(tmp_path / "hostile.geojson",
                         [event(1), event(2, **{field: value}), event(3)])
    store = tmp_path / "s.gpkg"
    code, out, err = _run(["events", "add", str(path), "--store", str(store)], capsys)
    assert code == 2 and out == ""
    assert f"{path}: record 'ev-test-2': " in err and reason in err
    assert "\x1b" not in err  # the hostile text is shown escaped
    assert "ev-test-1" not in err and "ev-test-3" not in err
    assert not store.exists()  # all or nothing


def test_every_hostile_marking_of_a_batch_is_listed_at_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_geojson(tmp_path / "b.geojson", [
        event(1, releasability="nato"), event(2, releasability="<b>NATO</b>"),
        event(3, releasability="NOR, DNK EYES ONLY"), event(4, classification="HUSH")])
    code, _, err = _run(["events", "add", str(path), "--store", str(tmp_path / "s.gpkg")],
                        capsys)
    assert code == 2
    assert [f"record 'ev-test-{i}'" in err for i in range(1, 5)] == [True] * 4


def test_a_hostile_batch_default_is_named_once_as_its_option(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_geojson(tmp_path / "a.geojson", [unmarked(event(i)) for i in range(50)])
    store = tmp_path / "s.gpkg"
    code, _, err = _run(["events", "add", str(path), "--store", str(store),
                         "--releasability", "<i>EU</i>", "--originator", "o"], capsys)
    assert code == 2 and err.count("--releasability '<i>EU</i>': unknown audience") == 1
    with pytest.raises(MarkingsError, match="--classification 'HUSH'"):
        add_events([event(1)], store, classification="HUSH")
    assert not store.exists()


def test_the_cli_takes_batch_markings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_geojson(tmp_path / "a.geojson", [unmarked(event(1))])
    store = tmp_path / "s.gpkg"
    code, _, err = _run(["events", "add", str(path), "--store", str(store), "--releasability",
                         "REL TO EU, NATO", "--originator", "NOR JOC", "--classification",
                         "RESTRICTED"], capsys)
    assert code == 0, err
    row = read_events(store).iloc[0]
    assert (row["releasability"], row["originator"], row["classification"]) == (
        "NATO, EU", "NOR JOC", "RESTRICTED")


def test_a_users_markings_table_decides_what_is_known(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "arctic.json"
    table.write_text(json.dumps({
        "levels": [{"code": "OPEN", "banner": "OPEN"}, {"code": "CLOSED", "banner": "CLOSED"}],
        "audiences": [{"code": "PUBLIC", "kind": "public", "name": "anyone"},
                      {"code": "ARCTIC_COUNCIL", "kind": "organisation", "name": "AC"},
                      {"code": "ISL", "kind": "nation", "name": "Iceland"}]}))
    path = write_geojson(tmp_path / "a.geojson", [event(1, releasability="ARCTIC_COUNCIL")])
    store = tmp_path / "s.gpkg"
    code, _, err = _run(["events", "add", str(path), "--store", str(store)], capsys)
    assert code == 2 and "unknown audience 'ARCTIC_COUNCIL'" in err
    code, _, err = _run(["events", "add", str(path), "--store", str(store), "--markings",
                         str(table)], capsys)
    assert code == 0, err
    row = read_events(store).iloc[0]
    assert (row["releasability"], row["classification"]) == ("ARCTIC_COUNCIL", "OPEN")
    with pytest.raises(SchemaError, match="unknown audience 'NATO'"):
        add_events([event(2, releasability="NATO")], store, markings=table)


# --- stores made by earlier versions -----------------------------------------------------------


def test_a_store_of_an_earlier_version_opens_with_its_events_unmarked(tmp_path: Path) -> None:
    store = legacy_store(tmp_path / "old.gpkg", count=3)
    got = read_events(store)
    assert sorted(got["id"]) == ["old-0", "old-1", "old-2"]
    assert (got[["classification", "releasability", "originator"]] == "").all().all()
    table = default_markings()
    for audience in ("PUBLIC", "NATO", "EU", "NOR"):
        assert for_audience(got, table.codes(audience), table).empty, audience
    with pytest.raises(MarkingMixError, match="record 'old-0' is unmarked"):
        product_marking([got], table)  # never silently public
    assert read_history("old-1", store).entries == ()


def test_writing_to_an_old_store_adds_the_columns_and_keeps_old_events_unmarked(
        tmp_path: Path) -> None:
    store = legacy_store(tmp_path / "old.gpkg", count=2)
    add_events([event(1, releasability="NATO")], store)
    with sqlite3.connect(store) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
        nulls = conn.execute("SELECT count(*) FROM events WHERE releasability IS NULL").fetchone()
    conn.close()
    assert {"classification", "releasability", "originator"} <= columns and nulls == (2,)
    got = read_events(store).set_index("id")
    assert got.loc["old-0", "releasability"] == "" and got.loc["ev-test-1", "releasability"] \
        == "NATO"
    nato = list_events(store, audience="NATO")
    assert list(nato.events["id"]) == ["ev-test-1"]
    with pytest.raises(MarkingMixError, match="unmarked"):
        list_events(store)
    assert len(pyogrio.read_dataframe(store, layer="events")) == 3


def test_unmarked_events_are_marked_by_adding_them_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = legacy_store(tmp_path / "old.gpkg", count=2)
    code, out, err = _run(["events", "list", "--store", str(store)], capsys)
    assert code == 2 and "unmarked" in err and "--audience" in err and out == ""
    code, out, _ = _run(["events", "list", "--store", str(store), "--unmarked", "--json"],
                        capsys)
    assert code == 0
    listed = tmp_path / "unmarked.geojson"
    listed.write_text(out)
    assert json.loads(out)["marking"]["releasability"] is None
    code, _, err = _run(["events", "add", str(listed), "--store", str(store), "--releasability",
                         "NATO", "--originator", "NOR JOC"], capsys)
    assert code == 0 and "updated 2" in err
    got = read_events(store)
    assert set(got["releasability"]) == {"NATO"} and set(got["notes"]) == {
        "legacy note 0", "legacy note 1"}
    entry = read_history("old-0", store).entries[0]
    assert (entry.operation, entry.originator) == ("update", "NOR JOC")
    assert entry.previous["properties"]["releasability"] is None
    assert entry.previous["properties"]["notes"] == "legacy note 0"


def test_the_store_stays_a_valid_geopackage_with_its_history(tmp_path: Path) -> None:
    fresh = tmp_path / "new.gpkg"
    add_events([event(1)], fresh)
    add_events([event(1, notes="again")], fresh)
    remove_event("ev-test-1", fresh, originator="o")
    upgraded = legacy_store(tmp_path / "old.gpkg")
    add_events([event(2)], upgraded)
    for store in (fresh, upgraded):
        info = subprocess.run(["ogrinfo", "-ro", "-so", str(store), "events_history"],
                              capture_output=True, text=True)
        assert info.returncode == 0, info.stderr
        assert "Geometry: None" in info.stdout and "operation: String" in info.stdout
        history = pyogrio.read_dataframe(store, layer="events_history")
        assert list(history["operation"]) == (["add", "update", "remove"] if store == fresh
                                              else ["add"])
        if VALIDATE_GPKG.exists() and Path("/usr/bin/python3").exists():
            check = subprocess.run(["/usr/bin/python3", str(VALIDATE_GPKG), str(store)],
                                   capture_output=True, text=True)
            assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr


# --- the history ---------------------------------------------------------------------------------


def test_every_write_appends_one_history_row(make_store: MakeStore) -> None:
    store = make_store()
    before = pd.Timestamp.now(tz="UTC").floor("ms")
    add_events([event(1, notes="first"), event(2)], store)
    add_events([event(1, notes="second", originator="EU SatCen", releasability="EU")], store)
    remove_event("ev-test-1", store, originator="NOR JOC")
    after = pd.Timestamp.now(tz="UTC")
    rows = _history_rows(store)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("ev-test-1", 1, "add", ORIGINATOR), ("ev-test-2", 1, "add", ORIGINATOR),
        ("ev-test-1", 2, "update", "EU SatCen"), ("ev-test-1", 3, "remove", "NOR JOC")]
    assert all(before <= pd.Timestamp(r[4]) <= after and r[4].endswith("Z") for r in rows)
    add1, _, update1, remove1 = (
        (None if r[5] is None else json.loads(r[5]), None if r[6] is None else json.loads(r[6]))
        for r in rows)
    assert add1[0] is None and add1[1]["properties"]["notes"] == "first"
    assert update1[0] == add1[1]  # the previous version is the one replaced, whole
    assert update1[1]["properties"]["notes"] == "second"
    assert update1[1]["properties"]["releasability"] == "EU"
    assert remove1 == (update1[1], None)  # the tombstone keeps what was removed
    assert add1[1]["geometry"] == {"type": "Point", "coordinates": [21.0, 71.0]}


def test_the_history_keeps_extra_attributes_as_their_values(make_store: MakeStore) -> None:
    store = make_store()
    add_events([event(1, mmsi=273456789, evidence={"ports": ["RU PRI"]}, flagged=True)], store)
    new = read_history("ev-test-1", store).entries[0].new
    assert new["properties"]["mmsi"] == 273456789
    assert new["properties"]["evidence"] == {"ports": ["RU PRI"]}
    assert new["properties"]["flagged"] is True


def test_the_history_is_append_only(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    add_events([event(1)], store)
    add_events([event(1, notes="changed")], store)
    rows = _history_rows(store)
    conn = sqlite3.connect(store, isolation_level=None)
    try:
        for sql in ("UPDATE events_history SET originator = 'someone else'",
                    "UPDATE events_history SET new = NULL WHERE sequence = 2",
                    "DELETE FROM events_history",
                    "DELETE FROM events_history WHERE operation = 'update'"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
        with pytest.raises(sqlite3.IntegrityError):  # a row that says it removed nothing
            conn.execute("INSERT INTO events_history (event_id, sequence, operation, time) "
                         "VALUES ('ev-test-1', 3, 'remove', '2026-01-01T00:00:00Z')")
    finally:
        conn.close()
    assert _history_rows(store) == rows
    gdal = subprocess.run(["ogrinfo", str(store), "-sql", "DELETE FROM events_history"],
                          capture_output=True, text=True)
    assert "append-only" in gdal.stdout + gdal.stderr and _history_rows(store) == rows


def test_remove_keeps_a_tombstone_and_history_shows_it(
        make_store: MakeStore, capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store()
    add_events([event(1, name="Tanker \u202ediverts")], store)
    code, _, _ = _run(["events", "remove", "ev-test-1", "--store", str(store), "--originator",
                       "NOR JOC"], capsys)
    assert code == 0 and count_events(store) == 0
    code, out, _ = _run(["events", "history", "ev-test-1", "--store", str(store)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == lines[-1] == "UNCLASSIFIED // PUBLIC RELEASE"
    assert any("add" in line and f"by {ORIGINATOR}" in line for line in lines)
    assert any("remove" in line and "by NOR JOC" in line for line in lines)
    assert "tombstone" in out and "\u202e" not in out and "\\u202e" in out
    code, out, _ = _run(["events", "history", "ev-test-1", "--store", str(store), "--json"],
                        capsys)
    doc = json.loads(out)
    assert [e["operation"] for e in doc["entries"]] == ["add", "remove"]
    assert doc["entries"][1]["new"] is None and doc["stored"] is False
    assert doc["entries"][1]["previous"]["properties"]["name"] == "Tanker \u202ediverts"
    assert "\u202e" not in out


def test_history_of_an_unknown_id_is_exit_2(make_store: MakeStore,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store()
    add_events([event(1)], store)
    code, out, err = _run(["events", "history", "ev-none", "--store", str(store)], capsys)
    assert code == 2 and out == "" and "no event with id 'ev-none'" in err
    with pytest.raises(EventNotFoundError):
        read_history("ev-none", store)


NOR_SECRET = "NOR-ONLY-NOTE-7f3a"


def test_history_for_an_audience_withholds_what_it_may_not_see(
        make_store: MakeStore, capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store()
    add_events([event(1, releasability="NOR EYES ONLY", classification="RESTRICTED",
                      notes=NOR_SECRET, name="Submarine off Andøya", originator="NOR JOC")],
               store)
    add_events([event(1, releasability="NATO", notes="released summary",
                      originator="NOR JOC release desk")], store)
    for as_json in (False, True):
        code, out, err = _run(["events", "history", "ev-test-1", "--store", str(store),
                               "--audience", "NATO", *(["--json"] if as_json else [])], capsys)
        assert code == 0, err
        assert NOR_SECRET not in out and "Andøya" not in out and "RESTRICTED" not in out
        assert "released summary" in out
        if as_json:
            doc = json.loads(out)
            assert doc["withheld"] == 1 and doc["marking"]["releasability"] == "NATO"
            assert [e["sequence"] for e in doc["entries"]] == [2]
            assert doc["entries"][0]["previous"] is None
            assert doc["entries"][0]["previous_withheld"] is True
        else:
            assert "1 withheld" in out
    code, out, _ = _run(["events", "history", "ev-test-1", "--store", str(store), "--audience",
                         "NOR"], capsys)
    assert code == 0 and NOR_SECRET in out and "released summary" not in out
    assert out.splitlines()[0] == "RESTRICTED // NOR EYES ONLY"
    code, out, err = _run(["events", "history", "ev-test-1", "--store", str(store)], capsys)
    assert code == 2 and out == "" and "--audience" in err  # NOR and NATO: no common audience
    code, out, _ = _run(["events", "history", "ev-test-1", "--store", str(store), "--audience",
                         "EU"], capsys)
    assert code == 0 and NOR_SECRET not in out and "released summary" not in out
    assert "2 withheld" in out


# --- events list --audience ------------------------------------------------------------------------


def _marked_store(store: Path | str) -> Path | str:
    add_events([event(1, releasability="NOR EYES ONLY", name="nor only", notes=NOR_SECRET),
                event(2, releasability="NATO", name="nato only"),
                event(3, releasability="EU, NATO", name="nato and eu", classification="RESTRICTED"),
                event(4, releasability="PUBLIC", name="public")], store)
    return store


def test_events_list_for_an_audience_is_marked_first_and_last(
        make_store: MakeStore, capsys: pytest.CaptureFixture[str]) -> None:
    store = _marked_store(make_store())
    code, out, _ = _run(["events", "list", "--store", str(store), "--audience", "EU"], capsys)
    assert code == 0
    lines = out.splitlines()
    table = default_markings()
    expected = product_marking([for_audience(read_events(store), table.codes("EU"), table)],
                               table, table.codes("EU")).banner
    assert lines[0] == lines[-1] == expected
    assert "RESTRICTED" in expected and "EU" in expected
    assert "nato and eu" in out and "public" in out
    assert "nato only" not in out and "nor only" not in out and NOR_SECRET not in out


def test_events_list_json_for_an_audience_carries_the_markings(
        make_store: MakeStore, capsys: pytest.CaptureFixture[str]) -> None:
    store = _marked_store(make_store())
    code, out, _ = _run(["events", "list", "--store", str(store), "--audience", "NATO",
                         "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    names = {f["properties"]["name"]: f["properties"] for f in doc["features"]}
    assert set(names) == {"nato only", "nato and eu", "public"}
    assert names["nato and eu"]["releasability"] == "NATO, EU"
    assert names["nato and eu"]["classification"] == "RESTRICTED"
    assert names["public"]["originator"] == ORIGINATOR
    table = default_markings()
    listed = for_audience(read_events(store), table.codes("NATO"), table)
    assert doc["marking"] == product_marking([listed], table, table.codes("NATO")).as_dict()
    assert NOR_SECRET not in out and "nor only" not in out


def test_events_list_without_audience_refuses_a_mix_and_an_unknown_audience(
        make_store: MakeStore, capsys: pytest.CaptureFixture[str]) -> None:
    store = _marked_store(make_store())
    code, out, err = _run(["events", "list", "--store", str(store)], capsys)
    assert code == 2 and out == "" and "--audience" in err
    code, out, err = _run(["events", "list", "--store", str(store), "--audience", "nato"],
                          capsys)
    assert code == 2 and out == "" and "upper case" in err
    remove_event("ev-test-1", store)  # without the NOR-only event one audience may see it all
    code, out, _ = _run(["events", "list", "--store", str(store)], capsys)
    assert code == 0 and out.splitlines()[0] == out.splitlines()[-1]
    assert "NATO" in out.splitlines()[0]


# --- under concurrent writers ---------------------------------------------------------------------


@pytest.mark.slow
def test_history_of_32_concurrent_writers_has_one_row_per_write(make_store: MakeStore,
                                                                tmp_path: Path) -> None:
    store = make_store()  # the writers race to create it
    writers = 32
    files = []
    for i in range(writers):
        records = [event(j, id=f"w{i}-{j}", originator=f"writer {i}") for j in range(5)]
        records.append(event(99, id="contested", originator=f"writer {i}", notes=f"by {i}"))
        files.append(write_geojson(tmp_path / f"w{i}.geojson", records))
    procs = [subprocess.Popen([*CLI, "events", "add", str(f), "--store", str(store)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for f in files]
    results = [(p.wait(timeout=240), p.stderr.read()) for p in procs]
    for proc in procs:
        proc.stderr.close()
    assert all(code == 0 for code, _ in results), results
    rows = _history_rows(store)
    assert len(rows) == writers * 6 and count_events(store) == writers * 5 + 1
    contested = [r for r in rows if r[0] == "contested"]
    assert [r[1] for r in contested] == list(range(1, writers + 1))  # no gap, no repeat
    assert [r[2] for r in contested] == ["add"] + ["update"] * (writers - 1)
    for older, newer in zip(contested, contested[1:], strict=False):
        assert json.loads(newer[5]) == json.loads(older[6])  # each replaced the one before
    final = read_events(store).set_index("id").loc["contested"]
    assert f"by {final['originator'].split()[-1]}" == final["notes"]
    assert json.loads(contested[-1][6])["properties"]["notes"] == final["notes"]
