"""The store under real concurrent writers and a writer killed mid-transaction."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyogrio
import pytest

from builders.events import batch, write_geojson, write_jsonl
from northpic.events import add_events, read_events

CLI = [sys.executable, "-c", "from northpic.cli import run; run()"]


@pytest.mark.slow
def test_eight_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    store = tmp_path / "events.gpkg"  # does not exist yet: the writers race to create it
    files = [write_geojson(tmp_path / f"w{i}.geojson", batch(50, seed=i, prefix=f"w{i}"))
             for i in range(8)]
    procs = [subprocess.Popen([*CLI, "events", "add", str(f), "--store", str(store)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in files]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    assert all("added 50, updated 0" in err for _, err in results), results
    frame = read_events(store)
    assert len(frame) == 400 and frame["id"].is_unique
    assert {f"w{i}-{j}" for i in range(8) for j in range(50)} == set(frame["id"])
    assert len(pyogrio.read_dataframe(store, layer="events")) == 400


def _writer_holds_lock(store: Path) -> bool:
    """True while another connection holds the store's write lock."""
    conn = sqlite3.connect(store, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    finally:
        conn.close()


@pytest.mark.slow
def test_writer_killed_mid_batch_leaves_a_valid_store(tmp_path: Path) -> None:
    store = tmp_path / "events.gpkg"
    add_events(batch(5, prefix="before"), store)
    wal = store.with_name(store.name + "-wal")
    wal_before = wal.stat().st_size if wal.exists() else 0
    # 10,000 events with 4 kB notes: a 40 MB transaction that spills into the WAL
    big = write_jsonl(tmp_path / "big.jsonl", batch(10_000, prefix="big", notes_bytes=4000))
    proc = subprocess.Popen([*CLI, "events", "add", str(big), "--store", str(store)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    killed_mid_write = False
    while time.monotonic() < deadline and proc.poll() is None:
        if _writer_holds_lock(store) and wal.exists() and wal.stat().st_size > wal_before + 4e6:
            os.kill(proc.pid, signal.SIGKILL)
            killed_mid_write = True
            break
        time.sleep(0.002)
    proc.wait(timeout=30)
    assert killed_mid_write, "the writer finished before it could be killed mid-transaction"
    assert proc.returncode == -signal.SIGKILL

    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    frame = read_events(store)
    assert sorted(frame["id"]) == [f"before-{i}" for i in range(5)]  # the batch is wholly out
    assert len(pyogrio.read_dataframe(store, layer="events")) == 5
    history = pyogrio.read_dataframe(store, layer="events_history")
    assert sorted(history["event_id"]) == sorted(frame["id"])  # and so is its history
    # and the store takes the next batch as usual
    report = add_events(batch(3, prefix="after"), store)
    assert report.added == 3 and len(read_events(store)) == 8
    assert len(pyogrio.read_dataframe(store, layer="events_history")) == 8


def test_readers_are_not_blocked_by_a_writer(tmp_path: Path) -> None:
    store = tmp_path / "events.gpkg"
    add_events(batch(5), store)
    writer = sqlite3.connect(store, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM events")  # uncommitted
    try:
        assert len(read_events(store)) == 5  # the last committed state, without waiting
    finally:
        writer.execute("ROLLBACK")
        writer.close()
