"""A real ``northpic serve`` process on a free loopback port, and the tokens of its clients.

Tests that need a real server (GDAL's and QGIS's OAPIF clients, kill -9 mid-intake,
several processes on one store) start it with :func:`serve_process`; tests of the
application alone use Starlette's ``TestClient`` on :func:`northpic.serve.app.create_app`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from northpic.serve.config import hash_token

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class TestClientAccount:
    """One configured client: its organisation, bearer token and serve.toml fields."""

    organisation: str
    token: str
    audience: str
    write: bool = False
    grant: tuple[str, ...] = ()
    max_classification: str | None = None

    def toml(self) -> str:
        """Return its ``[[clients]]`` entry."""
        grant = ", ".join(f'"{code}"' for code in self.grant)
        lines = ["[[clients]]", f'organisation = "{self.organisation}"',
                 f'token_sha256 = "{hash_token(self.token)}"', f'audience = "{self.audience}"',
                 f"write = {'true' if self.write else 'false'}", f"grant = [{grant}]"]
        if self.max_classification:
            lines.append(f'max_classification = "{self.max_classification}"')
        return "\n".join(lines) + "\n"


#: A NATO cell that writes NATO, NOR and PUBLIC records; an EU cell that writes EU and
#: PUBLIC records; and a reader with a NATO audience that may not write.
NATO_WRITER = TestClientAccount("NOR JOC", "token-nor-joc", "NATO", write=True,
                                grant=("NATO", "NOR", "EU", "PUBLIC"))
EU_WRITER = TestClientAccount("EU SATCEN", "token-eu-satcen", "EU", write=True,
                              grant=("EU", "PUBLIC"))
NATO_READER = TestClientAccount("NATO MARCOM", "token-marcom", "NATO")
DEFAULT_ACCOUNTS = (NATO_WRITER, EU_WRITER, NATO_READER)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_serve_config(folder: Path, store: str | Path | None, *, port: int,
                       accounts: Sequence[TestClientAccount] = DEFAULT_ACCOUNTS,
                       extra_server: str = "") -> Path:
    """Write a serve.toml for ``store`` and ``accounts`` into ``folder``; return its path.

    With ``store`` None the file names no store (the command line gives it).
    """
    path = folder / f"serve-{port}.toml"
    store_line = "" if store is None else f'store = "{store}"\n'
    server = (f'[server]\nhost = "127.0.0.1"\nport = {port}\n{store_line}'
              f"{extra_server}\n")
    path.write_text(server + "\n".join(account.toml() for account in accounts),
                    encoding="utf-8")
    return path


@dataclass
class ServeProcess:
    """A running server: its base URL, its process and its log file."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        """Return what the server has logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """Kill it with SIGKILL (no shutdown of any kind) and wait for it to end."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path,
                   timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"northpic serve exited with {process.returncode}:\n"
                               f"{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/conformance", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers, even if with a refusal
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"northpic serve did not answer at {url} within {timeout} s:\n"
                       f"{log.read_text(errors='replace')}")


@contextmanager
def serve_process(folder: Path, store: str | Path | None, *, port: int | None = None,
                  accounts: Sequence[TestClientAccount] = DEFAULT_ACCOUNTS,
                  extra_server: str = "", env: dict[str, str] | None = None,
                  args: Sequence[str] = (), timeout: float = 60.0) -> Iterator[ServeProcess]:
    """Run ``northpic serve --config`` in a subprocess until the block ends.

    Parameters
    ----------
    folder : pathlib.Path
        Where the configuration and the log go.
    store : str or pathlib.Path or None
        The event store (a GeoPackage path or a ``postgresql://`` URL); None
        to leave it out of the configuration (``args`` then give it).
    port : int, optional
        Default a free port.
    accounts : sequence of TestClientAccount
        The clients the configuration holds.
    extra_server : str
        More lines for the ``[server]`` table (e.g. ``max_body_bytes = 1000``).
    env : dict, optional
        Environment variables to add.
    args : sequence of str
        More command-line arguments (e.g. ``("--db", url)``).
    timeout : float
        Seconds to wait for it to answer.
    """
    port = port or free_port()
    config = write_serve_config(folder, store, port=port, accounts=accounts,
                                extra_server=extra_server)
    log = folder / f"serve-{port}.log"
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src"), **(env or {})}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "northpic", "serve", "--config", str(config), *args],
            stdout=sink, stderr=subprocess.STDOUT, env=environment, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log, timeout)
        yield ServeProcess(url, port, process, log)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def serve_app(folder: Path, store: str | Path, *,
              accounts: Sequence[TestClientAccount] = DEFAULT_ACCOUNTS,
              extra_server: str = "") -> Any:
    """Return the application for a written serve.toml (for Starlette's ``TestClient``)."""
    from northpic.serve.app import create_app
    from northpic.serve.config import read_serve_config

    config = write_serve_config(folder, store, port=free_port(), accounts=accounts,
                                extra_server=extra_server)
    return create_app(read_serve_config(config))


def bearer(account: TestClientAccount) -> dict[str, str]:
    """Return the ``Authorization`` header of a client."""
    return {"Authorization": f"Bearer {account.token}"}
