"""The store on failing and read-only media: damaged files, full disks, read-only mounts,
immutable files and folders, and a store being created while it is read.

Tests run as root (here and in CI), so chmod does not stop a write: these use
real mounts (tmpfs, remounted read-only) and ``chattr +i``, and skip cleanly
only where the machine does not allow them.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from builders.events import batch, write_geojson
from northpic.cli import main
from northpic.errors import DamagedStoreError, StoreBusyError, StoreNotWritableError
from northpic.events import add_events, read_events
from northpic.events.recover import export_good_events


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _refused(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and "unexpected error" not in err
    return err


def _mount_tmpfs(where: Path, size: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")


def _unmount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs of our own (remountable read-only), unmounted afterwards."""
    where = tmp_path / "mnt"
    _mount_tmpfs(where, "24m")
    try:
        yield where
    finally:
        _unmount(where)


def _chattr(flag: str, path: Path) -> bool:
    done = subprocess.run(["chattr", flag, str(path)], capture_output=True)
    return done.returncode == 0


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Paths to make immutable (``chattr +i``) on the real disk; always released."""
    if os.geteuid() != 0:
        pytest.skip("chattr +i needs root")
    paths: list[Path] = []
    yield paths
    for path in reversed(paths):
        _chattr("-i", path)
    for path in paths:  # the folders _real_disk_dir made
        for folder in (path, path.parent):
            if folder.name.startswith("northpic-immutable-"):
                shutil.rmtree(folder, ignore_errors=True)


def _make_immutable(paths: list[Path], path: Path) -> None:
    paths.append(path)
    if not _chattr("+i", path):
        pytest.skip(f"chattr +i is not supported on {path}'s file system")


def _real_disk_dir(name: str) -> Path:
    """A fresh folder under /tmp on the real file system (pytest's tmp_path may be tmpfs)."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f"northpic-{name}-", dir="/tmp"))


# --- a damaged store -----------------------------------------------------------------------


def _damaged_store(tmp_path: Path) -> tuple[Path, int]:
    store = tmp_path / "events.gpkg"
    add_events(batch(2000, prefix="d", notes_bytes=200), store)
    with sqlite3.connect(store) as conn:  # the events table's pages (not its history's)
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [row[0] for row in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' "
            "ORDER BY pageno")]
    conn.close()
    with store.open("r+b") as handle:  # 4 KB of random bytes in the middle of the events
        handle.seek((pages[len(pages) // 2] - 1) * size + 100)
        handle.write(random.Random(5).randbytes(4096))
    return store, 2000


def test_events_add_refuses_a_damaged_store_and_leaves_it_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    store, _ = _damaged_store(tmp_path)
    before = store.read_bytes()
    assert _integrity(store) != "ok"  # the damage is real
    path = write_geojson(tmp_path / "one.geojson", batch(1, prefix="new"))
    err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
    assert f"{store}: the store is damaged" in err
    assert f"northpic events export-good {store} --out NEW.gpkg" in err and ".recover" in err
    assert store.read_bytes() == before
    err = _refused(["events", "remove", "d-5", "--store", str(store)], capsys)
    assert "the store is damaged" in err and store.read_bytes() == before
    _refused(["events", "list", "--store", str(store)], capsys)
    assert store.read_bytes() == before


def test_export_good_saves_every_readable_event(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    store, total = _damaged_store(tmp_path)
    before = store.read_bytes()
    out = tmp_path / "good.gpkg"
    assert main(["events", "export-good", str(store), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    saved = read_events(out)
    assert 0 < len(saved) < total and saved["id"].is_unique
    assert f"copied {len(saved)} event(s) into {out}" in err
    assert "unreadable row(s)" in err or "left behind" in err
    assert _integrity(out) == "ok" and store.read_bytes() == before
    # the saved events are the originals, field for field
    original = {f"d-{i}": r for i, r in enumerate(batch(total, prefix="d", notes_bytes=200))}
    for row in saved.head(50).itertuples():
        assert row.name == original[row.id]["name"] and row.notes == "x" * 200
    again = export_good_events(store, tmp_path / "again.gpkg")  # every row accounted for
    assert again.copied == len(saved)
    assert again.copied + len(again.unreadable) + again.absent + len(again.invalid) == total
    add_events(batch(1, prefix="after"), out)  # the new store takes writes
    assert main(["events", "export-good", str(store), "--out", str(out)]) == 2  # exists
    assert "exists" in capsys.readouterr().err


def test_export_good_of_a_sound_store_copies_everything(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    records = batch(20)
    records[3]["evidence"] = {"ports": ["RU PRI"]}
    records[4]["mmsi"] = 273456789
    add_events(records, store)
    report = export_good_events(store, tmp_path / "copy.gpkg")
    assert (report.copied, report.unreadable, report.invalid) == (20, (), ())
    original, copy = read_events(store), read_events(tmp_path / "copy.gpkg")
    assert copy.drop(columns="geometry").equals(original.drop(columns="geometry"))
    assert copy.geometry.geom_equals(original.geometry).all()


def test_a_store_damaged_after_the_check_is_still_refused(tmp_path: Path) -> None:
    """The check runs once a process; damage SQLite meets later is refused as damage too."""
    store = tmp_path / "s.gpkg"
    add_events(batch(2000, prefix="a", notes_bytes=200), store)
    add_events(batch(1, prefix="b"), store)  # checked and passed in this process
    size = store.stat().st_size
    with store.open("r+b") as handle:
        handle.seek(size // 2 // 4096 * 4096)
        handle.write(bytes([0xFF]) * 4096)
    before = store.read_bytes()
    with pytest.raises(DamagedStoreError, match="damaged"):
        add_events(batch(3000, prefix="c"), store)  # touches the damaged pages
    assert store.read_bytes() == before


# --- read-only media ----------------------------------------------------------------------


def _briefing_store(folder: Path) -> Path:
    store = folder / "briefing.gpkg"
    records = batch(4, prefix="ro")
    records[0]["domain"] = "military"
    add_events(records, store)
    assert sorted(p.name for p in folder.iterdir()) == ["briefing.gpkg"]  # no -wal left
    return store


def _reads_work(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "list", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert all(f"ro-{i}" in out for i in range(4)), out
    assert len(read_events(store)) == 4
    gpkg = tmp_path / "picture.gpkg"
    assert main(["export", "--format", "gpkg", "--out", str(gpkg), "--layers", "bases",
                 "--events", str(store)]) == 0, capsys.readouterr().err
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(gpkg)}
    assert {"events_economic", "events_military"} <= layers
    html = tmp_path / "map.html"
    assert main(["build", "--out", str(html), "--layers", "bases", "--events",
                 str(store)]) == 0, capsys.readouterr().err
    assert "ro-0" in html.read_text(encoding="utf-8")
    capsys.readouterr()


def _writes_refused(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                    reason: str) -> None:
    path = write_geojson(tmp_path / "new.geojson", batch(1, prefix="new"))
    for args in (["events", "add", str(path), "--store", str(store)],
                 ["events", "remove", "ro-1", "--store", str(store)]):
        err = _refused(args, capsys)
        assert f"{store}: cannot write to the store: " in err, err
        assert reason in err, err


def test_a_store_on_a_read_only_mount_is_read_and_not_written(
    tmpfs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    store = _briefing_store(tmpfs)
    before = store.read_bytes()
    done = subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], capture_output=True)
    if done.returncode:
        pytest.skip(f"remounting read-only is not permitted: {done.stderr!r}")
    _reads_work(store, tmp_path, capsys)
    _writes_refused(store, tmp_path, capsys, "Read-only file system")
    new = tmpfs / "new.gpkg"
    err = _refused(["events", "add", str(write_geojson(tmp_path / "n.geojson", batch(1))),
                    "--store", str(new)], capsys)
    assert f"{new}: cannot create the store: Read-only file system" in err
    assert store.read_bytes() == before and sorted(os.listdir(tmpfs)) == ["briefing.gpkg"]


def test_the_check_before_work_refuses_a_read_only_mount_changing_nothing(tmpfs: Path) -> None:
    # `ais detect --add` asks this before reading its input (northpic.store.check_writable)
    from northpic.store import check_writable

    store = _briefing_store(tmpfs)
    before = store.read_bytes()
    assert check_writable(store) == store  # sound and writable
    done = subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], capture_output=True)
    if done.returncode:
        pytest.skip(f"remounting read-only is not permitted: {done.stderr!r}")
    with pytest.raises(StoreNotWritableError, match=r"briefing\.gpkg: cannot write to the store"
                                                    r".*Read-only file system"):
        check_writable(store)
    with pytest.raises(StoreNotWritableError, match=r"new\.gpkg: cannot create the store.*"
                                                    r"Read-only file system"):
        check_writable(tmpfs / "new.gpkg")
    assert store.read_bytes() == before and sorted(os.listdir(tmpfs)) == ["briefing.gpkg"]


def test_a_read_only_copy_with_pending_wal_changes_is_refused_by_name(
    tmpfs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "disk").mkdir()
    store = _briefing_store(tmp_path / "disk")
    keeper = sqlite3.connect(store)  # holds the WAL open so the next commit stays in it
    keeper.execute("SELECT 1 FROM events").fetchall()
    try:
        add_events(batch(1, prefix="late"), store)
        wal = store.with_name(store.name + "-wal")
        assert wal.stat().st_size > 0
        shutil.copy(store, tmpfs / store.name)  # a share holding the store and its -wal
        shutil.copy(wal, tmpfs / wal.name)
    finally:
        keeper.close()
    done = subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], capture_output=True)
    if done.returncode:
        pytest.skip(f"remounting read-only is not permitted: {done.stderr!r}")
    err = _refused(["events", "list", "--store", str(tmpfs / store.name)], capsys)
    assert f"{tmpfs / store.name}: cannot read the store here" in err
    assert "its -wal file holds changes not yet in the store" in err


def test_an_immutable_store_file_is_read_and_writes_name_the_cause(
    immutable: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    folder = _real_disk_dir("immutable-file")
    store = _briefing_store(folder)
    before = store.read_bytes()
    _make_immutable(immutable, store)
    _reads_work(store, tmp_path, capsys)
    _writes_refused(store, tmp_path, capsys, "Operation not permitted (an immutable file?")
    assert store.read_bytes() == before


def test_a_store_in_an_immutable_folder_is_read_and_writes_name_the_cause(
    immutable: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    folder = _real_disk_dir("immutable-folder")
    store = _briefing_store(folder)
    before = store.read_bytes()
    _make_immutable(immutable, folder)
    _reads_work(store, tmp_path, capsys)
    _writes_refused(store, tmp_path, capsys, "cannot take the store's -wal and -shm files")
    assert store.read_bytes() == before and os.listdir(folder) == ["briefing.gpkg"]


# --- a full disk ----------------------------------------------------------------------------


def _fill(folder: Path, leave: int) -> Path:
    """Fill the file system of ``folder`` to ENOSPC, then free ``leave`` bytes."""
    filler = folder / "filler.bin"
    with filler.open("wb") as handle:
        with contextlib.suppress(OSError):
            while True:
                handle.write(b"\xaa" * 65536)
                handle.flush()
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave))
    return filler


def test_disk_full_during_events_add(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mnt = tmp_path / "small"
    _mount_tmpfs(mnt, "12m")  # the batch, its history rows and the WAL fit once freed
    try:
        store = mnt / "events.gpkg"
        add_events(batch(20, prefix="kept"), store)
        before = read_events(store)
        _fill(mnt, leave=200_000)
        big = write_geojson(tmp_path / "big.geojson",
                            batch(2000, prefix="big", notes_bytes=1000))  # about 2 MB
        err = _refused(["events", "add", str(big), "--store", str(store)], capsys)
        assert f"{store}: no space left on the device (database or disk is full)" in err, err
        assert "cannot rollback" not in err and "the store is unchanged" in err
        assert _integrity(store) == "ok"
        after = read_events(store)
        assert after.drop(columns="geometry").equals(before.drop(columns="geometry"))
        (mnt / "filler.bin").unlink()  # with space again, the same batch goes in
        assert main(["events", "add", str(big), "--store", str(store)]) == 0
        assert len(read_events(store)) == 2020
    finally:
        _unmount(mnt)


def test_disk_full_when_creating_a_store(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    mnt = tmp_path / "tiny"
    _mount_tmpfs(mnt, "1m")
    try:
        _fill(mnt, leave=0)
        store = mnt / "events.gpkg"
        path = write_geojson(tmp_path / "one.geojson", batch(1))
        err = _refused(["events", "add", str(path), "--store", str(store)], capsys)
        assert f"{store}: " in err and ("no space left" in err or "disk is full" in err), err
        assert not store.exists()
        assert [p.name for p in mnt.iterdir()] == ["filler.bin"]  # no half-made store left
    finally:
        _unmount(mnt)


# --- a store being created ------------------------------------------------------------------

_CREATOR = textwrap.dedent("""
    import sys, sqlite3
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)  # another program, old style:
    conn.execute("BEGIN EXCLUSIVE")                             # it holds the lock while it
    conn.execute("CREATE TABLE gpkg_contents (table_name TEXT)")  # builds the file in place
    print("locked", flush=True)
    sys.stdin.readline()
    conn.execute("COMMIT")
""")


def test_a_reader_meeting_a_store_being_created_answers_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    store = tmp_path / "events.gpkg"
    creator = subprocess.Popen([sys.executable, "-c", _CREATOR, str(store)], text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert creator.stdout is not None and creator.stdout.readline() == "locked\n"
        err = _refused(["events", "list", "--store", str(store)], capsys)
        assert f"{store}: store is" in err and "try again" in err, err
        assert "not a northpic event store" not in err
        assert creator.poll() is None  # answered while the creator still held its lock
    finally:
        if creator.stdin:
            creator.stdin.close()
        creator.wait(timeout=30)


def test_readers_racing_real_creators_see_no_store_or_a_whole_one(tmp_path: Path) -> None:
    """northpic's own creators: the store appears whole (built aside, then linked)."""
    code = textwrap.dedent("""
        import sys
        sys.path.insert(0, sys.argv[2])
        from builders.events import batch
        from northpic.events import add_events
        add_events(batch(200, prefix="c", notes_bytes=500), sys.argv[1])
    """)
    tests = str(Path(__file__).parent)
    for round_ in range(4):
        store = tmp_path / f"race{round_}.gpkg"
        creator = subprocess.Popen([sys.executable, "-c", code, str(store), tests])
        answers = set()
        while creator.poll() is None or not answers:
            try:
                answers.add(len(read_events(store)))
            except StoreBusyError as exc:
                raise AssertionError(f"met a half-created store: {exc}") from None
            except Exception as exc:
                assert "no event store here" in str(exc), exc
                answers.add(-1)
            if creator.poll() is not None:
                answers.add(len(read_events(store)))
                break
        assert creator.wait(timeout=60) == 0
        assert answers <= {-1, 0, 200} and 200 in answers, answers
        assert not [p for p in tmp_path.iterdir() if ".creating-" in p.name]


def test_concurrent_first_writers_share_one_store(tmp_path: Path) -> None:
    store = tmp_path / "events.gpkg"
    files = [write_geojson(tmp_path / f"w{i}.geojson", batch(10, prefix=f"w{i}"))
             for i in range(4)]
    cli = [sys.executable, "-c", "from northpic.cli import run; run()"]
    procs = [subprocess.Popen([*cli, "events", "add", str(f), "--store", str(store)],
                              stderr=subprocess.PIPE, text=True) for f in files]
    assert [p.wait(timeout=120) for p in procs] == [0] * 4
    assert len(read_events(store)) == 40
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".gpkg" or
                  "creating" in p.name) == ["events.gpkg"]


def test_a_killed_creators_leftover_is_removed_later(tmp_path: Path) -> None:
    store = tmp_path / "events.gpkg"
    stale = tmp_path / ".events.gpkg.creating-99999-deadbeef"
    stale.write_bytes(b"half")
    os.utime(stale, (0, 0))
    fresh = tmp_path / ".events.gpkg.creating-99998-cafecafe"
    fresh.write_bytes(b"in progress")  # another creator, now: left alone
    add_events(batch(1), store)
    assert not stale.exists() and fresh.exists()


def test_errors_are_store_errors() -> None:
    assert issubclass(StoreNotWritableError, PermissionError)
    assert issubclass(DamagedStoreError, OSError)
