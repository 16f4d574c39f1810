"""``northpic serve`` on a PostGIS store: started on a URL, through an outage, and several
server processes sharing one database under concurrent writers and a SIGKILL.

Every server is a real ``northpic serve`` process (``builders.serving.serve_process``) on a
database of the session's real, throwaway PostgreSQL server (``postgres_server``).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from builders.audiences import CANARIES, seed_audience_store
from builders.events import batch, event, feature
from builders.postgres import PASSWORD, PostgresServer
from builders.serving import (
    EU_WRITER,
    NATO_READER,
    NATO_WRITER,
    ServeProcess,
    bearer,
    free_port,
    serve_process,
)
from northpic.events import read_events, read_history
from northpic.store import count_events, last_change
from northpic.store.location import DatabaseURL
from test_serve_cli import _serve
from test_serve_clients import _expected_counts, _ogrinfo, needs_gdal

ITEMS = "/collections/events/items"
GEOJSON = {"Content-Type": "application/geo+json"}
LIMIT = 2_000_000


def _collection(records: list[dict[str, Any]]) -> bytes:
    return json.dumps({"type": "FeatureCollection",
                       "features": [feature(r) for r in records]}).encode()


def _post(server: ServeProcess, records: list[dict[str, Any]], account: Any = NATO_WRITER,
          timeout: float = 120) -> httpx.Response:
    return httpx.post(server.url + ITEMS, content=_collection(records),
                      headers={**bearer(account), **GEOJSON}, timeout=timeout)


def _count(server: ServeProcess, account: Any = NATO_READER) -> int:
    answer = httpx.get(server.url + ITEMS + "?limit=1", headers=bearer(account), timeout=60)
    assert answer.status_code == 200, answer.text
    matched: int = answer.json()["numberMatched"]
    return matched


def _no_password(text: str) -> None:
    assert PASSWORD not in text and quote(PASSWORD, safe="") not in text


# --- starting on a URL ------------------------------------------------------------------------

@pytest.mark.parametrize("given", ["config", "--store", "--db", "NORTHPIC_EVENTS"])
def test_a_url_in_the_config_in_store_or_in_db_serves_the_database(
        tmp_path: Path, postgis_store: str, given: str) -> None:
    in_config = postgis_store if given == "config" else None
    args = (given, postgis_store) if given.startswith("--") else ()
    env = {"NORTHPIC_EVENTS": postgis_store} if given == "NORTHPIC_EVENTS" else {}
    with serve_process(tmp_path, in_config, args=args, env=env) as server:
        answer = _post(server, [event(1, id=f"via-{given}", releasability="NATO")])
        assert answer.status_code == 201, answer.text
        assert _count(server) == 1
        log = server.log_text()
    assert [str(i) for i in read_events(postgis_store)["id"]] == [f"via-{given}"]
    shown = str(DatabaseURL.parse(postgis_store))
    assert f"event store {shown} (no events yet)" in log
    _no_password(log)
    assert "Traceback" not in log


def test_a_database_that_is_down_or_refuses_the_password_is_exit_2(
        tmp_path: Path, postgres_server: PostgresServer) -> None:
    url = postgres_server.new_database()
    closed = url.replace(f":{postgres_server.port}/", f":{free_port()}/")
    wrong = url.replace(quote(PASSWORD, safe=""), "not-the-password")
    assert closed != url and wrong != url
    foreign = postgres_server.new_database()
    postgres_server.admin("CREATE TABLE events (fid int, note text)",
                          database=foreign.rsplit("/", 1)[1])
    for bad, reason in ((closed, "cannot connect"), (wrong, "password authentication failed"),
                        (foreign, "not a northpic event store")):
        result = _serve("--store", bad, "--port", str(free_port()), cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert reason in result.stderr, result.stderr
        assert str(DatabaseURL.parse(bad)) in result.stderr
        assert "Traceback" not in result.stderr and "not-the-password" not in result.stderr
        _no_password(result.stderr)
        assert "listening" not in result.stderr.lower() and "http://" not in result.stderr


# --- an outage while serving ------------------------------------------------------------------

def _lines_until(lines: Iterator[str], needle: str) -> list[str]:
    seen = []
    for line in lines:
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"the feed ended before {needle!r}: {seen[-5:]}")


def test_a_database_outage_is_503_and_everything_recovers(
        tmp_path: Path, postgres_server: PostgresServer) -> None:
    url = postgres_server.new_database()
    with serve_process(tmp_path, url) as server:
        assert _post(server, [event(1, id="before", releasability="NATO")]).status_code == 201
        feed = httpx.stream("GET", server.url + "/map/events", headers=bearer(NATO_READER),
                            timeout=httpx.Timeout(10, read=120))
        with feed as stream:
            lines = stream.iter_lines()
            _lines_until(lines, "before")  # the feed's first message holds what is stored
            with postgres_server.down():
                reads = [httpx.get(server.url + path, headers=bearer(NATO_READER), timeout=60)
                         for path in (ITEMS, ITEMS + "/before", "/collections",
                                      "/collections/events", "/map")]
                write = _post(server, [event(2, id="during", releasability="NATO")])
                removal = httpx.delete(server.url + ITEMS + "/before",
                                       headers=bearer(NATO_WRITER), timeout=60)
                layers = httpx.get(server.url + "/collections/bases/items", timeout=60)
            for answer in [*reads, write, removal]:
                assert answer.status_code == 503, (answer.request.url, answer.text)
                doc = answer.json()
                assert set(doc) == {"code", "description"}
                assert doc["code"] in ("ServiceUnavailable", "StoreUnavailable")
                _no_password(answer.text)
            assert layers.status_code == 200
            # back: reads, writes and the open feed carry on
            assert _post(server, [event(3, id="after", releasability="NATO")]).status_code == 201
            _lines_until(lines, "after")
        assert _count(server) == 2
        assert httpx.get(server.url + "/map", headers=bearer(NATO_READER),
                         timeout=60).status_code == 200
        log = server.log_text()
    assert sorted(read_events(url)["id"]) == ["after", "before"]
    assert "Traceback" not in log and " 500 " not in log
    _no_password(log)


# --- several servers on one database ----------------------------------------------------------

def test_three_servers_on_one_database_lose_nothing_under_concurrent_writers(
        tmp_path: Path, postgis_store: str) -> None:
    writers, batches, size, shared = 8, 3, 20, [f"shared-{n}" for n in range(4)]
    names: dict[str, set[str]] = {i: set() for i in shared}
    writes: dict[str, int] = dict.fromkeys(shared, 0)
    problems: list[str] = []
    lock = threading.Lock()
    with ExitStack() as stack:
        servers = [stack.enter_context(serve_process(
            tmp_path, postgis_store, extra_server=f"max_body_bytes = {LIMIT}"))
            for _ in range(3)]

        def write(w: int) -> None:
            mine, other = servers[w % 3], servers[(w + 1) % 3]
            for b in range(batches):
                name = f"writer {w} batch {b}"
                records = batch(size, seed=w * 100 + b, prefix=f"w{w}-b{b}")
                records += [event(500 + n, id=i, name=name, releasability="NATO")
                            for n, i in enumerate(shared)]
                answer = _post(mine, records)
                with lock:
                    if answer.status_code not in (200, 201):
                        problems.append(f"POST {answer.status_code} {answer.text[:300]}")
                    for i in shared:
                        names[i].add(name)
                        writes[i] += 1
                # the other process sees the write at once: no cache outlives a write
                seen = httpx.get(f"{other.url}{ITEMS}/w{w}-b{b}-0", headers=bearer(NATO_READER),
                                 timeout=60)
                replaced_id = shared[(w + b) % len(shared)]
                put_name = f"writer {w} put {b}"
                put = httpx.put(f"{other.url}{ITEMS}/{replaced_id}", headers={
                    **bearer(NATO_WRITER), **GEOJSON}, timeout=120, content=json.dumps(
                        feature(event(600, id=replaced_id, name=put_name,
                                      releasability="NATO"))))
                with lock:
                    if seen.status_code != 200:
                        problems.append(f"stale read {seen.status_code} for w{w}-b{b}-0")
                    if put.status_code != 200:
                        problems.append(f"PUT {put.status_code} {put.text[:300]}")
                    names[replaced_id].add(put_name)
                    writes[replaced_id] += 1

        threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        assert not any(thread.is_alive() for thread in threads)
        assert problems == [], problems[:5]
        expected = {f"w{w}-b{b}-{i}" for w in range(writers) for b in range(batches)
                    for i in range(size)} | set(shared)
        for server in servers:  # every process answers the same whole picture
            answer = httpx.get(server.url + ITEMS + "?limit=10000", headers=bearer(NATO_READER),
                               timeout=60)
            assert {f["id"] for f in answer.json()["features"]} == expected
        logs = [server.log_text() for server in servers]
    stored = read_events(postgis_store).set_index("id")
    assert set(stored.index) == expected and len(stored) == len(expected)
    for event_id in shared:
        entries = read_history(event_id, postgis_store).entries
        assert [e.sequence for e in entries] == list(range(1, writes[event_id] + 1)), event_id
        assert [e.operation for e in entries] == ["add"] + ["update"] * (writes[event_id] - 1)
        assert stored.loc[event_id, "name"] in names[event_id]
        assert entries[-1].new is not None
        assert entries[-1].new["properties"]["name"] == stored.loc[event_id, "name"]
    assert [e.operation for e in read_history("w3-b1-7", postgis_store).entries] == ["add"]
    assert not any("Traceback" in log for log in logs)


def test_the_live_feed_of_one_server_shows_a_write_to_another(
        tmp_path: Path, postgis_store: str) -> None:
    with serve_process(tmp_path, postgis_store) as a, serve_process(tmp_path, postgis_store) as b:
        assert _post(a, [event(1, id="first", releasability="NATO, EU")]).status_code == 201
        with httpx.stream("GET", b.url + "/map/events", headers=bearer(EU_WRITER),
                          timeout=httpx.Timeout(10, read=120)) as stream:
            lines = stream.iter_lines()
            _lines_until(lines, "first")
            assert _post(a, [event(2, id="nato-from-a", name="CANARY-NATO-NAME from A",
                                   releasability="NATO")]).status_code == 201
            assert _post(a, [event(3, id="shared-from-a", name="Shared from A",
                                   releasability="NATO, EU")]).status_code == 201
            received = _lines_until(lines, "shared-from-a")
    text = "\n".join(received)
    assert "Shared from A" in text
    assert "nato-from-a" not in text and not any(c in text for c in CANARIES)


def _batch_state(store: str, prefix: str, size: int) -> str:
    ids = set(read_events(store)["id"]) if count_events(store) else set()
    present = {f"{prefix}-{i}" for i in range(size)} & ids
    return "all" if len(present) == size else "none" if not present else "part"


def test_a_server_killed_mid_intake_leaves_the_database_whole_and_the_other_serving(
        tmp_path: Path, postgis_store: str) -> None:
    size = 1500
    prefixes = [f"k{n}" for n in range(5)]
    bodies = {p: batch(size, seed=n, prefix=p, notes_bytes=100) for n, p in enumerate(prefixes)}
    extra = f"max_body_bytes = {LIMIT}"
    with serve_process(tmp_path, postgis_store, extra_server=extra) as victim, \
            serve_process(tmp_path, postgis_store, extra_server=extra) as survivor:
        assert _post(victim, bodies[prefixes[0]]).status_code == 201
        results: dict[str, Any] = {}

        def send(prefix: str) -> None:
            try:
                results[prefix] = _post(victim, bodies[prefix]).status_code
            except httpx.HTTPError as exc:
                results[prefix] = type(exc).__name__

        threads = [threading.Thread(target=send, args=(p,)) for p in prefixes[1:]]
        for thread in threads:
            thread.start()
        baseline = last_change(postgis_store)
        deadline = time.monotonic() + 300
        while last_change(postgis_store) == baseline and time.monotonic() < deadline:
            time.sleep(0.005)
        victim.kill()  # one more batch is committed: the next is being written
        for thread in threads:
            thread.join(timeout=120)
        # the other server writes at once (no lock left behind) and reads the whole store
        assert _post(survivor, [event(1, id="after-kill", releasability="NATO")],
                     timeout=120).status_code == 201
        states = {p: _batch_state(postgis_store, p, size) for p in prefixes}
        assert "part" not in states.values(), states
        assert list(states.values()).count("all") >= 2, states
        assert _count(survivor) == size * list(states.values()).count("all") + 1
        for prefix in prefixes:
            if states[prefix] == "all":
                assert [e.operation for e in read_history(f"{prefix}-9", postgis_store)
                        .entries] == ["add"]
        for prefix in prefixes:  # the survivor takes the batches the victim lost
            assert _post(survivor, bodies[prefix]).status_code in (200, 201)
        assert {_batch_state(postgis_store, p, size) for p in prefixes} == {"all"}
        assert "Traceback" not in survivor.log_text()


# --- a real client -----------------------------------------------------------------------------

@needs_gdal
def test_gdal_lists_every_collection_of_a_postgis_server_with_its_count(
        tmp_path: Path, postgis_store: str) -> None:
    from northpic.picture import list_layers

    seeded = seed_audience_store(postgis_store)
    with serve_process(tmp_path, postgis_store) as server:
        out = _ogrinfo(server, "-so", "-al", f"OAPIF:{server.url}", token=EU_WRITER.token)
    counts = dict(re.findall(r"Layer name: (\S+).*?Feature Count: (\d+)", out, flags=re.S))
    assert list(counts) == [spec.name for spec in list_layers()] + ["events"]
    assert {k: int(v) for k, v in counts.items()} == _expected_counts(seeded, "EU")
    assert not any(c in out for c in CANARIES)


@pytest.mark.browser
def test_the_live_map_of_one_server_shows_a_write_to_another_in_chromium(
        browser: Any, tmp_path: Path, postgis_store: str) -> None:
    from test_serve_live_map import _appears, _listed, _open

    with serve_process(tmp_path, postgis_store) as a, serve_process(tmp_path, postgis_store) as b:
        assert _post(a, [event(1, id="first", releasability="NATO, EU")]).status_code == 201
        page, requests = _open(browser, b, EU_WRITER.token)
        since = time.monotonic()
        assert _post(a, [event(2, id="nato-via-a", releasability="NATO")]).status_code == 201
        assert _post(a, [event(3, id="shared-via-a", releasability="NATO, EU")]
                     ).status_code == 201
        _appears(page, "shared-via-a", since)
        assert not page.evaluate(_listed("nato-via-a"))
        assert "nato-via-a" not in page.content()
        assert all(url.startswith(b.url) for url in requests if url.startswith("http")), requests
        page.context.close()
