"""The PostGIS store on a real PostgreSQL server: what the database holds and enforces.

The behaviour both backends share is tested on both (the tests taking ``make_store``);
here is what only a server store has: PostGIS geometry GDAL reads, the history's
append-only triggers, many processes writing at once, a writer killed mid-transaction,
a server that is down or refuses the credentials, and the password kept out of sight.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import psycopg
import pytest

from builders.events import batch, event, feature, write_geojson, write_jsonl
from builders.postgres import PASSWORD, USER, PostgresServer
from northpic.cli import main
from northpic.errors import (
    DataFileError,
    EventNotFoundError,
    StoreBusyError,
    StoreError,
    StoreNotWritableError,
)
from northpic.events import add_events, read_events, remove_event
from northpic.store import (
    DatabaseURL,
    check_writable,
    count_events,
    last_change,
    read_history,
)
from northpic.store import postgis as backend

CLI = [sys.executable, "-c", "from northpic.cli import run; run()"]


def _gdal_source(url: str) -> str:
    """The store as a GDAL PostgreSQL data source (``PG:`` and libpq key=value pairs)."""
    parts = urlsplit(url)
    return (f"PG:host={parts.hostname} port={parts.port} dbname={parts.path.lstrip('/')} "
            f"user={USER} password={PASSWORD}")


def _history_rows(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT event_id, sequence, operation, originator, previous::text, "
                            "new::text FROM events_history ORDER BY fid").fetchall()


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "unexpected error" not in captured.err
    return code, captured.out, captured.err


# --- the server the tests need: skip on a developer's machine without it, fail under CI ----------


def test_without_postgresql_the_tests_skip_but_fail_under_ci() -> None:
    from conftest import require_postgis

    reason = "PostGIS for PostgreSQL 15 is not installed"
    with pytest.raises(pytest.fail.Exception, match=f"{reason}.*CI is set"):
        require_postgis(reason, {"CI": "true"})
    with pytest.raises(pytest.skip.Exception, match=reason):
        require_postgis(reason, {"CI": "false"})
    require_postgis(None, {"CI": "true"})  # installed: nothing to say


def test_the_builder_names_what_is_missing(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    import builders.postgres as builder

    monkeypatch.setattr(builder, "BIN_DIRS", [tmp_path / "none" / "bin"])
    assert builder.find_binaries() == (None, "PostgreSQL is not installed "
                                             "(no /usr/lib/postgresql/*/bin/initdb)")
    fake = tmp_path / "99" / "bin"
    fake.mkdir(parents=True)
    for name in ("initdb", "pg_ctl"):
        (fake / name).touch()
    monkeypatch.setattr(builder, "BIN_DIRS", [fake])
    folder, missing = builder.find_binaries()
    assert folder == fake and missing is not None and "postgresql-99-postgis-3" in missing


# --- what the database holds ---------------------------------------------------------------------


def test_the_store_is_postgis_geometry_in_4326_with_a_gist_index_that_gdal_reads(
        postgis_store: str) -> None:
    polygon = {"type": "Polygon", "coordinates": [[[10, 70], [20, 70], [20, 75], [10, 70]]]}
    add_events([feature(event(1, mmsi=257123456, evidence={"gap_h": 7.5})),
                feature(event(2, geometry=polygon))], postgis_store)
    with psycopg.connect(postgis_store) as conn:
        kind, srid = conn.execute("SELECT type, srid FROM geometry_columns "
                                  "WHERE f_table_name = 'events'").fetchone()
        assert (kind, srid) == ("GEOMETRY", 4326)
        index = conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'events' "
                             "AND indexdef LIKE '%USING gist (geom)%'").fetchall()
        assert len(index) == 1
        near = conn.execute("SELECT id FROM events WHERE geom && "
                            "ST_MakeEnvelope(15, 72, 16, 73, 4326)").fetchall()
        assert near == [("ev-test-2",)]
        types = dict(conn.execute("SELECT column_name, data_type FROM information_schema.columns "
                                  "WHERE table_name = 'events'").fetchall())
        assert types["time"] == "timestamp with time zone" and types["mmsi"] == "bigint"
        assert types["evidence"] == "json"
    info = subprocess.run(["ogrinfo", "-ro", "-so", _gdal_source(postgis_store), "events"],
                          capture_output=True, text=True, check=True)
    assert "Feature Count: 2" in info.stdout and 'ID["EPSG",4326]' in info.stdout
    assert "mmsi: Integer64" in info.stdout and "time: DateTime" in info.stdout
    assert "ERROR" not in info.stderr, info.stderr
    logged = subprocess.run(["ogrinfo", "-ro", "-so", _gdal_source(postgis_store),
                             "events_history"], capture_output=True, text=True, check=True)
    assert "Feature Count: 2" in logged.stdout


def test_a_database_without_the_tables_is_no_store_yet(postgis_store: str) -> None:
    with pytest.raises(DataFileError, match="no event store here; add events first"):
        read_events(postgis_store)
    with pytest.raises(DataFileError, match="no event store here"):
        read_history("ev-test-1", postgis_store)
    with pytest.raises(DataFileError, match="no event store here"):
        remove_event("ev-test-1", postgis_store)
    assert count_events(postgis_store) == 0 and last_change(postgis_store) == 0
    assert isinstance(check_writable(postgis_store), DatabaseURL)
    with psycopg.connect(postgis_store) as conn:  # none of that created anything
        assert conn.execute("SELECT to_regclass('events'), to_regclass('events_history')"
                            ).fetchone() == (None, None)
    add_events([event(1)], postgis_store)
    assert count_events(postgis_store) == 1 and last_change(postgis_store) >= 1


def test_tables_that_are_not_a_store_are_refused_and_left_alone(postgis_store: str) -> None:
    with psycopg.connect(postgis_store) as conn:
        conn.execute("CREATE TABLE events (road text)")
        conn.execute("INSERT INTO events VALUES ('E6')")
    for attempt in (lambda: add_events([event(1)], postgis_store),
                    lambda: read_events(postgis_store), lambda: count_events(postgis_store),
                    lambda: check_writable(postgis_store)):
        with pytest.raises(StoreError, match="not a northpic event store"):
            attempt()
    with psycopg.connect(postgis_store) as conn:
        assert conn.execute("SELECT * FROM events").fetchall() == [("E6",)]
        assert conn.execute("SELECT to_regclass('events_history')").fetchone() == (None,)


def test_a_database_without_postgis_is_refused_before_anything_is_created(
        postgres_server: PostgresServer) -> None:
    url = postgres_server.new_database(postgis=False)
    with pytest.raises(StoreNotWritableError, match="CREATE EXTENSION postgis"):
        check_writable(url)
    with pytest.raises(StoreNotWritableError, match="lacks the PostGIS extension"):
        add_events([event(1)], url)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                            ).fetchone() == (0,)


def test_the_longest_attribute_name_is_kept_whole(postgis_store: str) -> None:
    # PostgreSQL would cut a name past 63 bytes short; events allow 63 ASCII characters at most
    longest, other = "a" * 63, "a" * 62 + "b"
    add_events([event(1, **{longest: 1, other: 2})], postgis_store)
    frame = read_events(postgis_store)
    assert frame[longest].tolist() == [1] and frame[other].tolist() == [2]


# --- the history is append-only in the database itself ----------------------------------------


def test_the_history_is_append_only_in_the_database(postgres_server: PostgresServer,
                                                     postgis_store: str) -> None:
    add_events([event(1)], postgis_store)
    add_events([event(1, notes="changed")], postgis_store)
    rows = _history_rows(postgis_store)
    assert [(r[0], r[1], r[2]) for r in rows] == [("ev-test-1", 1, "add"),
                                                  ("ev-test-1", 2, "update")]
    database = urlsplit(postgis_store).path.lstrip("/")
    for url in (postgis_store, postgres_server.admin_url(database)):  # the table's owner, and a superuser, are refused alike
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in ("UPDATE events_history SET originator = 'someone else'",
                              "UPDATE events_history SET new = NULL WHERE sequence = 2",
                              "DELETE FROM events_history",
                              "DELETE FROM events_history WHERE operation = 'update'",
                              "TRUNCATE events_history"):
                with pytest.raises(psycopg.errors.IntegrityConstraintViolation,
                                   match="append-only"):
                    conn.execute(statement)
            with pytest.raises(psycopg.errors.CheckViolation):  # says it removed nothing
                conn.execute("INSERT INTO events_history (event_id, sequence, operation, time) "
                             "VALUES ('ev-test-1', 3, 'remove', now())")
            with pytest.raises(psycopg.errors.UniqueViolation):  # a sequence taken
                conn.execute("INSERT INTO events_history (event_id, sequence, operation, time, "
                             "new) VALUES ('ev-test-1', 2, 'add', now(), '{}')")
    assert _history_rows(postgis_store) == rows
    gdal = subprocess.run(["ogrinfo", _gdal_source(postgis_store), "-sql",
                           "DELETE FROM events_history"], capture_output=True, text=True)
    assert "append-only" in gdal.stdout + gdal.stderr and _history_rows(postgis_store) == rows


# --- many writers, killed writers, waiting writers, readers --------------------------------------


def _writer(url: str, number: int, start: Any, errors: Any) -> None:
    """One of the concurrent writers: 5 batches of its own 10 events and the contested one."""
    try:
        start.wait(60)
        for round_ in range(5):
            records = [event(j, id=f"w{number}-{round_}-{j}", originator=f"writer {number}")
                       for j in range(10)]
            records.append(event(99, id="contested", originator=f"writer {number}",
                                 notes=f"by {number} round {round_}"))
            add_events(records, url)
    except BaseException as exc:  # reported to the test, which fails naming it
        errors.put(f"writer {number}: {type(exc).__name__}: {exc}")
        raise


@pytest.mark.slow
def test_eight_processes_writing_at_once_lose_nothing_and_sequences_stay_unique(
        postgis_store: str) -> None:
    writers = 8
    context = multiprocessing.get_context("spawn")
    start, errors = context.Barrier(writers), context.Queue()
    procs = [context.Process(target=_writer, args=(postgis_store, i, start, errors))
             for i in range(writers)]  # the store does not exist yet: they race to create it
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(240)
    failures = [errors.get() for _ in range(errors.qsize())] if not errors.empty() else []
    assert [p.exitcode for p in procs] == [0] * writers, failures
    assert count_events(postgis_store) == writers * 5 * 10 + 1
    rows = _history_rows(postgis_store)
    assert len(rows) == writers * 5 * 11  # one per write, none lost
    assert len({(r[0], r[1]) for r in rows}) == len(rows)
    contested = [r for r in rows if r[0] == "contested"]
    assert [r[1] for r in contested] == list(range(1, writers * 5 + 1))  # no gap, no repeat
    assert [r[2] for r in contested] == ["add"] + ["update"] * (writers * 5 - 1)
    for older, newer in zip(contested, contested[1:], strict=False):
        assert json.loads(newer[4]) == json.loads(older[5])  # each replaced the one before
    final = read_events(postgis_store).set_index("id").loc["contested"]
    assert json.loads(contested[-1][5])["properties"]["notes"] == final["notes"]
    assert final["notes"].startswith(f"by {final['originator'].split()[-1]} round ")
    history = read_history("contested", postgis_store)
    assert [e.sequence for e in history.entries] == list(range(1, writers * 5 + 1))


def _lock_holder(url: str) -> int | None:
    """The server process id of whoever holds the store's write lock (None if nobody)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                           "AND objid = %s AND database = (SELECT oid FROM pg_database WHERE "
                           "datname = current_database())", (backend.LOCK_KEY,)).fetchone()
    return None if row is None else int(row[0])


@pytest.mark.slow
def test_a_writer_killed_mid_transaction_leaves_the_store_consistent(
        postgis_store: str, tmp_path: Path) -> None:
    add_events(batch(5, prefix="before"), postgis_store)
    before = _history_rows(postgis_store)
    # 4,000 events with 4 kB notes: a 16 MB transaction
    big = write_jsonl(tmp_path / "big.jsonl", batch(4_000, prefix="big", notes_bytes=4000))
    proc = subprocess.Popen([*CLI, "events", "add", str(big), "--store", postgis_store],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    holder = None
    while time.monotonic() < deadline and proc.poll() is None:
        holder = _lock_holder(postgis_store)
        if holder is not None:
            with psycopg.connect(postgis_store, autocommit=True) as conn:
                query = conn.execute("SELECT query FROM pg_stat_activity WHERE pid = %s",
                                     (holder,)).fetchone()
            if query and ("INSERT INTO" in query[0] or "COPY" in query[0]):  # writing the batch
                os.kill(proc.pid, signal.SIGKILL)
                break
        time.sleep(0.005)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the writer finished before it could be killed"
    assert holder is not None
    while _lock_holder(postgis_store) == holder and time.monotonic() < deadline:
        time.sleep(0.05)  # the server notices the lost client and rolls its transaction back
    frame = read_events(postgis_store)
    assert sorted(frame["id"]) == [f"before-{i}" for i in range(5)]  # the batch is wholly out
    assert _history_rows(postgis_store) == before  # and so is its history
    report = add_events(batch(3, prefix="after"), postgis_store)  # the lock is free again
    assert report.added == 3 and count_events(postgis_store) == 8
    assert len(_history_rows(postgis_store)) == 8


def test_readers_are_not_blocked_by_a_writer(postgis_store: str) -> None:
    add_events(batch(5), postgis_store)
    with psycopg.connect(postgis_store) as writer:
        writer.execute("SELECT pg_advisory_xact_lock(%s)", (backend.LOCK_KEY,))
        writer.execute("DELETE FROM events")  # uncommitted, the store's lock held
        assert len(read_events(postgis_store)) == 5  # the last committed state, at once
        assert count_events(postgis_store) == 5
        writer.rollback()


def test_a_writer_waits_for_the_lock_then_says_the_store_is_busy(
        postgis_store: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    add_events(batch(2), postgis_store)
    monkeypatch.setattr(backend, "BUSY_TIMEOUT_S", 1)
    source = write_geojson(tmp_path / "one.geojson", [event(7)])
    with psycopg.connect(postgis_store) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s)", (backend.LOCK_KEY,))
        with pytest.raises(StoreBusyError, match="store is busy"):
            add_events([event(7)], postgis_store)
        code, _, err = _cli(["events", "add", str(source), "--store", postgis_store], capsys)
        assert code == 2 and "store is busy" in err and PASSWORD not in err
        other.rollback()
    assert count_events(postgis_store) == 2
    add_events([event(7)], postgis_store)  # once the other writer is done
    assert count_events(postgis_store) == 3


# --- URLs, credentials and a server that is down: clear errors, never the password -------------


def test_the_url_is_shown_without_its_password() -> None:
    where = DatabaseURL.parse("postgresql://ops:pa%3Ass@db.example:5433/events?sslmode=require")
    assert str(where) == "postgresql://ops@db.example:5433/events?sslmode=require"
    assert "pa:ss" not in repr(where) and "pa%3Ass" not in repr(where)
    assert where.password == "pa:ss"
    query = DatabaseURL.parse("postgres://db.example/ev?password=hunter22&application_name=x")
    assert str(query) == "postgres://db.example/ev?application_name=x"
    assert query.scrub("failed for hunter22 at postgres://db.example/ev?password=hunter22"
                       "&application_name=x") == \
        "failed for *** at postgres://db.example/ev?application_name=x"


def test_a_store_url_is_never_taken_for_a_path(postgis_store: str,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    where = check_writable(postgis_store)
    assert isinstance(where, DatabaseURL) and PASSWORD not in str(where)
    report = add_events([event(1)], postgis_store)
    assert report.store == where and PASSWORD not in str(report)
    assert str(report).endswith(f"in {where}")
    monkeypatch.setenv("NORTHPIC_EVENTS", postgis_store)  # the default store may be a URL too
    add_events([event(2)])
    assert count_events() == 2 and count_events(postgis_store) == 2
    code, out, err = _cli(["events", "list", "--audience", "EU"], capsys)
    assert code == 0 and "ev-test-1" in out and "ev-test-2" in out
    code, _, err = _cli(["events", "remove", "ev-test-2", "--originator", "NOR JOC"], capsys)
    assert code == 0 and count_events(postgis_store) == 1
    code, out, _ = _cli(["events", "history", "ev-test-2", "--json"], capsys)
    assert code == 0 and [e["operation"] for e in json.loads(out)["entries"]] == ["add", "remove"]
    assert PASSWORD not in out + err


def _bad_stores(server: PostgresServer, good: str) -> dict[str, tuple[str, str]]:
    """Store URLs that cannot work, and what the message must say."""
    database = urlsplit(good).path.lstrip("/")
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    return {
        "wrong password": (server.url(database, password="Wr0ng-" + PASSWORD),
                           "password authentication failed"),
        "no such database": (server.url("no_such_db"), 'database "no_such_db" does not exist'),
        "nothing listening": (good.replace(f":{server.port}/", f":{closed}/"),
                              "Connection refused"),
        "not a URL libpq takes": (good + "?sslmode=sometimes", "sslmode"),
        "a malformed URL": (f"postgresql://{USER}:{PASSWORD}@[::1/{database}",
                            "not a valid PostgreSQL URL"),
        "a password with a bare slash": (f"postgresql://{USER}:Wr0ng/{PASSWORD}@127.0.0.1:"
                                         f"{server.port}/{database}", "not a valid PostgreSQL URL"),
    }


#: The password as it may appear in a URL or a message: as is and percent-encoded.
SECRETS = ("Wr0ng", PASSWORD, quote(PASSWORD, safe=""))


@pytest.mark.parametrize("case", ["wrong password", "no such database", "nothing listening",
                                  "not a URL libpq takes", "a malformed URL",
                                  "a password with a bare slash"])
def test_a_store_that_cannot_be_reached_is_a_clear_error_without_the_password(
        postgres_server: PostgresServer, postgis_store: str, case: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    url, said = _bad_stores(postgres_server, postgis_store)[case]
    shown = str(DatabaseURL.parse(url))
    source = write_geojson(tmp_path / "one.geojson", [event(1)])
    for attempt in (lambda: add_events([event(1)], url), lambda: read_events(url),
                    lambda: check_writable(url), lambda: count_events(url)):
        with pytest.raises(StoreError) as caught:
            attempt()
        text = str(caught.value)
        assert text.startswith(f"{shown}: ") and said in text, text
        assert not any(secret in text for secret in SECRETS), text
    for args in (["events", "add", str(source), "--store", url], ["events", "list", "--store", url],
                 ["events", "history", "ev-test-1", "--store", url]):
        code, out, err = _cli(args, capsys)
        assert code == 2 and said in err, err
        assert not any(secret in out + err for secret in SECRETS), err
    assert count_events(postgis_store) == 0


def test_a_server_that_is_down_is_a_clear_error_and_nothing_is_lost(
        postgres_server: PostgresServer, postgis_store: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    add_events([event(1)], postgis_store)
    source = write_geojson(tmp_path / "two.geojson", [event(2)])
    with postgres_server.down():
        for args in (["events", "add", str(source), "--store", postgis_store],
                     ["events", "list", "--store", postgis_store]):
            code, out, err = _cli(args, capsys)
            assert code == 2 and "cannot connect to the database" in err, err
            assert PASSWORD not in out + err
        result = subprocess.run([*CLI, "events", "list", "--store", postgis_store],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "cannot connect to the database" in result.stderr
        assert PASSWORD not in result.stdout + result.stderr
    assert list(read_events(postgis_store)["id"]) == ["ev-test-1"]
    with pytest.raises(EventNotFoundError, match="no event with id 'ev-test-2'"):
        remove_event("ev-test-2", postgis_store)


def test_a_writer_granted_rows_but_not_ownership_writes_but_cannot_rewrite_the_history(
        postgres_server: PostgresServer, postgis_store: str,
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # the deployment docs/events.md advises: the owner creates the store, writers get rows only
    add_events([event(1, mmsi=1)], postgis_store)
    database = urlsplit(postgis_store).path.lstrip("/")
    writer = f"writer_{database}"
    postgres_server.admin(f"CREATE ROLE {writer} LOGIN PASSWORD '{PASSWORD}'")
    postgres_server.admin(f"GRANT INSERT, UPDATE, DELETE, SELECT ON events TO {writer}",
                          f"GRANT INSERT, SELECT ON events_history TO {writer}",
                          database=database)
    url = postgres_server.url(database, user=writer)
    assert isinstance(check_writable(url), DatabaseURL)
    add_events([event(1, mmsi=2), event(2)], url)
    remove_event("ev-test-2", url, originator="NOR JOC")
    assert [e.operation for e in read_history("ev-test-1", url).entries] == ["add", "update"]
    source = write_geojson(tmp_path / "new.geojson", [event(3, new_attribute="x")])
    code, _, err = _cli(["events", "add", str(source), "--store", url], capsys)
    assert code == 2 and "cannot write to the store: must be owner of table events" in err, err
    assert PASSWORD not in err and count_events(url) == 1
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in ("DELETE FROM events_history", "ALTER TABLE events_history "
                          "DISABLE TRIGGER events_history_no_change"):
            with pytest.raises(psycopg.Error):
                conn.execute(statement)
    assert len(_history_rows(postgis_store)) == 4


def _northpic_backends(server: PostgresServer, database: str) -> set[int]:
    with psycopg.connect(server.admin_url(database), autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND "
                            "application_name = 'northpic'", (database,)).fetchall()
    return {int(pid) for (pid,) in rows}


def test_connections_are_kept_for_reuse_and_replaced_when_the_server_drops_them(
        postgres_server: PostgresServer, postgis_store: str) -> None:
    database = urlsplit(postgis_store).path.lstrip("/")
    add_events([event(1)], postgis_store)
    for _ in range(5):
        assert count_events(postgis_store) == 1 and len(read_events(postgis_store)) == 1
    kept = _northpic_backends(postgres_server, database)
    assert len(kept) == 1  # one call after the other: the one connection, kept
    postgres_server.admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                          f"datname = '{database}' AND application_name = 'northpic'")
    assert count_events(postgis_store) == 1  # the dropped one is noticed and replaced
    add_events([event(2)], postgis_store)
    again = _northpic_backends(postgres_server, database)
    assert len(again) == 1 and not again & kept
