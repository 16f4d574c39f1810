"""A real, throwaway PostgreSQL server with PostGIS, for the tests of the PostGIS store.

:func:`start_server` runs ``initdb`` into a fresh folder and ``pg_ctl start``
on a free TCP port of 127.0.0.1 (its unix socket in the same folder), with
password authentication (SCRAM) for every connection, as a real server
would ask. Under root it runs the server as the ``postgres`` user
(``initdb`` refuses root). A template database holds the PostGIS extension;
:meth:`PostgresServer.new_database` copies it into a fresh database owned by
the unprivileged role :data:`USER`, one per test, so tests never share a store.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: Where Debian puts the server's programs.
BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
#: The role the stores are owned and written by (not a superuser).
USER = "northpic_test"
#: Its password: tests check it never shows in a message.
PASSWORD = "pw-Sekr1t-7f3a%q"
_ADMIN_PASSWORD = "admin-pw-51c2"
_TEMPLATE = "northpic_template"


def find_binaries() -> tuple[Path | None, str | None]:
    """Return the server's bin folder and, if something is missing, what (else ``None``)."""
    for folder in BIN_DIRS:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            version = folder.parent.name
            control = Path(f"/usr/share/postgresql/{version}/extension/postgis.control")
            if not control.is_file():
                return folder, (f"PostGIS for PostgreSQL {version} is not installed "
                                f"({control} missing; Debian: postgresql-{version}-postgis-3)")
            return folder, None
    return None, "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _url(user: str, password: str, port: int, database: str) -> str:
    from urllib.parse import quote

    return f"postgresql://{user}:{quote(password, safe='')}@127.0.0.1:{port}/{database}"


@dataclass
class PostgresServer:
    """A running throwaway server."""

    folder: Path
    bin: Path
    port: int
    as_user: list[str]
    durable: bool = False
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    def admin_url(self, database: str = "postgres") -> str:
        """The superuser's URL to ``database``."""
        return _url("postgres", _ADMIN_PASSWORD, self.port, database)

    def url(self, database: str, user: str = USER, password: str = PASSWORD) -> str:
        """The URL of ``database`` for ``user``."""
        return _url(user, password, self.port, database)

    def admin(self, *statements: str, database: str = "postgres") -> None:
        """Run statements as the superuser, each in autocommit."""
        import psycopg

        with psycopg.connect(self.admin_url(database), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def new_database(self, postgis: bool = True) -> str:
        """Create a fresh database owned by :data:`USER` and return its URL.

        With ``postgis`` it is a copy of the template holding the extension;
        without, a database with no PostGIS at all.
        """
        name = f"store_{os.getpid()}_{next(self._numbers)}"
        template = _TEMPLATE if postgis else "template0"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template} OWNER {USER}")
        return self.url(name)

    def start(self) -> None:
        """Start the server (initialised) and wait until it takes connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 " \
                  "-c max_connections=100"
        if not self.durable:  # tests need no durability across a power cut: faster
            options += " -c fsync=off -c full_page_writes=off"
        _run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-l",
              str(self.folder / "server.log"), "-o", options, "-w", "-t", "60", "start"])

    def halt(self) -> None:
        """Stop the server at once, as a crash would (``-m immediate``)."""
        _run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"),
              "-m", "immediate", "-w", "stop"])

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """Stop the server for the block, then start it again."""
        self.halt()
        try:
            yield
        finally:
            self.start()

    def stop(self) -> None:
        """Stop the server now and remove its folder."""
        with contextlib.suppress(RuntimeError):
            self.halt()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server(durable: bool = False) -> PostgresServer:
    """Initialise and start a throwaway server; raise ``RuntimeError`` saying why if it cannot.

    ``durable`` keeps PostgreSQL's defaults (``fsync`` on), for measuring;
    the tests turn ``fsync`` off. The caller stops it with :meth:`PostgresServer.stop`.
    """
    bin_dir, missing = find_binaries()
    if bin_dir is None or missing:
        raise RuntimeError(missing)
    # not under pytest's tmp folders: those are private to root, and the server runs as postgres
    folder = Path(tempfile.mkdtemp(prefix="northpic-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres", "postgres")
    password_file = folder / "pw"
    password_file.write_text(_ADMIN_PASSWORD + "\n")
    if as_user:
        shutil.chown(password_file, "postgres", "postgres")
    port = _free_port()
    server = PostgresServer(folder, bin_dir, port, as_user, durable)
    try:
        _run([*as_user, str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
              "--auth=scram-sha-256", f"--pwfile={password_file}", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"])
        password_file.unlink()
        server.start()
        server.admin(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'",
                     f"CREATE DATABASE {_TEMPLATE}")
        server.admin("CREATE EXTENSION postgis", database=_TEMPLATE)
        server.admin(f"ALTER DATABASE {_TEMPLATE} WITH IS_TEMPLATE true")
    except BaseException:
        log = folder / "server.log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        server.stop()
        if detail:
            raise RuntimeError(f"the test PostgreSQL server did not start:\n{detail}") from None
        raise
    return server


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n"
                           f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
