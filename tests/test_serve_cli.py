"""``northpic serve`` on the command line: where it listens, which store, and bad stores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from builders.serving import REPO, serve_process


def _serve(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "northpic", "serve", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin",
                               "HOME": str(cwd)})


def test_a_store_whose_folder_is_missing_is_exit_2_without_a_traceback(tmp_path: Path) -> None:
    result = _serve("--store", str(tmp_path / "typo" / "events.gpkg"), "--port", "0",
                    cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "typo" in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_as_the_store_is_exit_2(tmp_path: Path) -> None:
    result = _serve("--store", str(tmp_path), "--port", "0", cwd=tmp_path)
    assert result.returncode == 2 and "folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_says_where_it_listens_and_which_store(tmp_path: Path) -> None:
    store = tmp_path / "events.gpkg"
    with serve_process(tmp_path, store) as server:
        assert httpx.get(server.url + "/map/events", timeout=5,
                         headers={"Authorization": "Bearer wrong"}).status_code == 401
        log = server.log_text()
    assert f"http://127.0.0.1:{server.port}/" in log
    assert f"event store {store}" in log
    assert f"http://127.0.0.1:{server.port}/map" in log
