"""Outputs go only where asked, and a failing machine is exit 2 with the file and the cause.

Disk-full and read-only cases run on a small tmpfs mounted for the test; where this
machine does not allow mounting (not root, no CAP_SYS_ADMIN) they are skipped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from builders import seaice as b
from builders.export import points_layer, spec
from northpic.atomic import TEMP_MARK, atomic_output, remove_stale_temporaries
from northpic.cli import main
from northpic.errors import OutputPathError, StorageError
from northpic.export import export_layers

REPO = Path(__file__).resolve().parents[1]


def run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def _unmount(path: Path) -> None:
    # lazily: a writer library that failed mid-write may still hold a file open there
    if subprocess.run(["umount", str(path)], capture_output=True, timeout=30).returncode:
        subprocess.run(["umount", "-l", str(path)], check=False, timeout=30)


def _mount(path: Path, options: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                            capture_output=True, text=True, timeout=30)
    return result.returncode == 0


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs: too small for any export of the picture."""
    where = tmp_path / "tiny"
    if not _mount(where, "size=64k"):
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        yield where
    finally:
        _unmount(where)


@pytest.fixture
def read_only_disk(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "ro"
    if not _mount(where, "size=1m,ro"):
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        yield where
    finally:
        _unmount(where)


# -- only where asked -------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,name", [("gpkg", "x.gpkg"), ("geojson", "gj"), ("csv", "c")])
def test_export_refuses_a_missing_folder_and_creates_none(tmp_path, capsys, fmt, name):
    out = tmp_path / "missing" / "deeper" / name
    code, err = run(capsys, "export", "--format", fmt, "--out", str(out), "--layers", "bases")
    assert code == 2 and "does not exist" in err and "--mkdir" in err
    assert list(tmp_path.iterdir()) == []
    assert main(["export", "--format", fmt, "--out", str(out), "--layers", "bases",
                 "--mkdir"]) == 0
    assert out.exists()


def test_export_to_a_folder_at_the_root_is_refused_not_created(capsys):
    if Path("/nonexistent").exists():
        pytest.skip("/nonexistent exists on this machine")
    code, err = run(capsys, "export", "--format", "gpkg", "--out", "/nonexistent/x.gpkg",
                    "--layers", "bases")
    assert code == 2 and "folder /nonexistent does not exist" in err
    assert not Path("/nonexistent").exists()


def test_library_refuses_a_missing_folder_too(tmp_path):
    frames, specs = {"points": points_layer(3)}, {"points": spec("points", "point")}
    with pytest.raises(OutputPathError, match="does not exist; create it, or pass --mkdir"):
        export_layers(frames, specs, tmp_path / "no" / "x.gpkg", "gpkg")
    with pytest.raises(OutputPathError, match="is not a folder"):
        (tmp_path / "file").write_text("x")
        export_layers(frames, specs, tmp_path / "file" / "x.gpkg", "gpkg")


@pytest.mark.parametrize("option", ["--out", "--png"])
def test_build_refuses_a_missing_folder_before_any_work(tmp_path, capsys, option):
    target = tmp_path / "missing" / ("m.html" if option == "--out" else "m.png")
    args = ["build", "--layers", "bases", "--out", str(tmp_path / "ok.html")]
    if option == "--out":
        args[-1] = str(target)
    else:
        args += ["--png", str(target)]
    code, err = run(capsys, *args)
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "missing").exists() and not (tmp_path / "ok.html").exists()


def test_build_keeps_another_programs_file_but_rebuilds_its_own(tmp_path, capsys):
    keep = tmp_path / "keep.html"
    keep.write_text("<html><body>my notes</body></html>", encoding="utf-8")
    code, err = run(capsys, "build", "--layers", "bases", "--out", str(keep))
    assert code == 2 and "not a map northpic built" in err and "--overwrite" in err
    assert keep.read_text(encoding="utf-8") == "<html><body>my notes</body></html>"
    own = tmp_path / "own.html"
    assert main(["build", "--layers", "bases", "--out", str(own)]) == 0
    assert '<meta name="generator" content="northpic' in own.read_text(encoding="utf-8")[:2000]
    first = own.stat().st_mtime_ns
    assert main(["build", "--layers", "bases", "--out", str(own)]) == 0  # make map again
    assert own.stat().st_mtime_ns >= first
    assert main(["build", "--layers", "bases", "--out", str(keep), "--overwrite"]) == 0
    assert "my notes" not in keep.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.html", "own.html"]


def test_build_mkdir_creates_the_folder(tmp_path):
    out = tmp_path / "briefs" / "feb" / "map.html"
    assert main(["build", "--layers", "bases", "--out", str(out), "--mkdir"]) == 0
    assert out.is_file()


@pytest.mark.parametrize("command", ["edge", "export"])
def test_seaice_writers_refuse_a_missing_folder(tmp_path, capsys, command):
    day = b.write_g02202_v4(tmp_path / "seaice_conc_daily_nh_20230915_f17_v04r00.nc")
    out = tmp_path / "missing" / ("edge.gpkg" if command == "edge" else "day.tif")
    code, err = run(capsys, "seaice", command, str(day), "--out", str(out))
    assert code == 2 and "does not exist" in err
    assert not out.parent.exists()
    assert main(["seaice", command, str(day), "--out", str(out), "--mkdir"]) == 0
    assert out.is_file()


# -- the machine at fault ---------------------------------------------------------------------

def test_a_file_name_over_255_bytes_is_exit_2(tmp_path, capsys):
    out = tmp_path / ("n" * 300 + ".gpkg")
    code, err = run(capsys, "export", "--format", "gpkg", "--out", str(out), "--layers", "bases")
    assert code == 2 and "file name too long" in err
    assert list(tmp_path.iterdir()) == []


def test_export_into_proc_is_exit_2_naming_the_file(capsys):
    code, err = run(capsys, "export", "--format", "gpkg", "--out", "/proc/self/x.gpkg",
                    "--layers", "bases")
    assert code == 2 and "/proc/self/x.gpkg" in err and "unexpected" not in err


@pytest.mark.parametrize(("fmt", "name"), [("gpkg", "x.gpkg"), ("kml", "x.kml"),
                                           ("geojson", "gj"), ("shp", "shp"), ("csv", "c"),
                                           ("parquet", "pq")])
def test_disk_full_during_export_is_exit_2_and_leaves_nothing(tiny_disk, capsys, fmt, name):
    code, err = run(capsys, "export", "--format", fmt, "--out", str(tiny_disk / name))
    assert code == 2, err
    assert "no space left on the device" in err and str(tiny_disk / name) in err
    assert list(tiny_disk.iterdir()) == []
    assert _open_files_under(tiny_disk) == []  # no writer keeps a deleted file open


def _open_files_under(folder: Path) -> list[str]:
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


def test_disk_full_during_build_is_exit_2_and_keeps_the_old_map(tiny_disk, capsys):
    old = tiny_disk / "map.html"
    old.write_text('<head><meta name="generator" content="northpic 0">old</head>')
    code, err = run(capsys, "build", "--layers", "bases", "--out", str(old))
    assert code == 2 and "no space left on the device" in err and str(old) in err
    assert "old" in old.read_text() and [p.name for p in tiny_disk.iterdir()] == ["map.html"]


def test_read_only_target_is_exit_2(read_only_disk, capsys):
    for args in (["export", "--format", "gpkg", "--out", str(read_only_disk / "x.gpkg")],
                 ["build", "--layers", "bases", "--out", str(read_only_disk / "m.html")]):
        code, err = run(capsys, *args, *(["--layers", "bases"] if args[0] == "export" else []))
        assert code == 2 and "read-only file system" in err, err
    assert list(read_only_disk.iterdir()) == []


def test_a_real_bug_inside_a_writer_stays_a_bug(tmp_path):
    with pytest.raises(ZeroDivisionError), \
            atomic_output(tmp_path / "x.csv", directory=False, overwrite=False) as tmp:
        tmp.write_text("a")
        1 / 0  # noqa: B018
    assert list(tmp_path.iterdir()) == []


def test_an_oserror_that_is_no_environment_failure_stays_exit_1(monkeypatch, capsys):
    import northpic.export

    def broken(*_, **__):
        raise OSError("some library bug")

    monkeypatch.setattr(northpic.export, "export_picture", broken)
    code = main(["export", "--format", "gpkg", "--out", "x.gpkg"])
    assert code == 1 and "unexpected error" in capsys.readouterr().err


@pytest.mark.parametrize("errno_name", ["ENOSPC", "EROFS", "EACCES", "EIO", "EDQUOT"])
def test_an_environment_oserror_reaching_main_is_exit_2(monkeypatch, capsys, errno_name):
    import errno

    import northpic.export

    def failing(*_, **__):
        code = getattr(errno, errno_name)
        raise OSError(code, os.strerror(code), "/data/out.gpkg")

    monkeypatch.setattr(northpic.export, "export_picture", failing)
    code = main(["export", "--format", "gpkg", "--out", "x.gpkg"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("northpic: error: /data/out.gpkg: ")


# -- leftovers of killed runs -----------------------------------------------------------------

def test_a_sigkilled_export_leaves_a_temporary_that_the_next_run_removes(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    target = tmp_path / "picture"
    proc = subprocess.Popen([sys.executable, "-m", "northpic", "export", "--format", "csv",
                             "--out", str(target)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # until the writer has begun (its temporary folder is there)
            if any(TEMP_MARK in p.name for p in tmp_path.iterdir()) or proc.poll() is not None:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    left = [p for p in tmp_path.iterdir() if TEMP_MARK in p.name]
    if not left:
        pytest.skip("the export finished before it could be killed")
    assert not target.exists()
    assert f"{TEMP_MARK}{proc.pid}-" in left[0].name and left[0].name.startswith(".picture")
    assert main(["export", "--format", "csv", "--out", str(target), "--layers", "bases"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["picture"]


def test_temporaries_of_live_processes_and_other_files_are_kept(tmp_path):
    live = tmp_path / f".x.gpkg{TEMP_MARK}{os.getpid()}-abc"
    live.mkdir()
    foreign = tmp_path / ".x.gpkg.tmp-1-abc"  # not northpic's pattern
    foreign.mkdir()
    dead_pid = _dead_pid()
    dead = tmp_path / f".x.gpkg{TEMP_MARK}{dead_pid}-abc"
    dead.mkdir()
    fresh = tmp_path / f".y.gpkg{TEMP_MARK}{dead_pid}-def"
    fresh.mkdir()
    past = time.time() - 60
    for path in (live, foreign, dead):
        os.utime(path, (past, past))
    removed = remove_stale_temporaries(tmp_path, before=time.time() - 30)
    assert removed == [dead]
    assert live.exists() and foreign.exists() and fresh.exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=60)
    return proc.pid


def test_storage_error_names_file_and_cause():
    error = StorageError("/x/y.gpkg", "no space left on the device (errno 28)")
    assert str(error) == "/x/y.gpkg: no space left on the device (errno 28)"
    assert isinstance(error, OSError)


def test_a_png_northpic_marked_is_its_own_and_a_foreign_one_is_kept(tmp_path):
    from PIL import Image

    from northpic.errors import OutputExistsError
    from northpic.export.page import check_build_output, is_own_output
    from northpic.render.png import mark_png

    foreign = tmp_path / "slide.png"
    Image.new("RGB", (4, 3), "red").save(foreign)
    assert not is_own_output(foreign)
    with pytest.raises(OutputExistsError, match="not a map northpic built"):
        check_build_output(foreign, overwrite=False, mkdir=False)
    check_build_output(foreign, overwrite=True, mkdir=False)
    own = tmp_path / "own.png"
    own.write_bytes(mark_png(foreign.read_bytes()))
    with Image.open(own) as image:  # still a valid PNG, with the text chunk PIL reads
        image.load()
        assert image.info["Software"] == "northpic" and image.size == (4, 3)
    assert is_own_output(own)
    check_build_output(own, overwrite=False, mkdir=False)


def test_an_immutable_folder_is_exit_2_naming_the_file(tmp_path, capsys):
    folder = tmp_path / "immutable"
    folder.mkdir()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True,
                      timeout=30).returncode != 0:
        pytest.skip("chattr +i is not permitted here")
    try:
        code, err = run(capsys, "export", "--format", "gpkg", "--out", str(folder / "x.gpkg"),
                        "--layers", "bases")
        assert code == 2 and f"{folder / 'x.gpkg'}: operation not permitted" in err
        assert list(folder.iterdir()) == []
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=False, timeout=30)
