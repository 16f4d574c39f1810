"""The configuration of ``northpic serve``: where it listens, what it serves, who may use it.

A configuration is a TOML file (``--config serve.toml``)::

    [server]
    host = "127.0.0.1"          # loopback unless told otherwise
    port = 8000
    store = "events.gpkg"       # or "postgresql://user@host/db"
    max_body_bytes = 5000000    # larger intake bodies get 413
    anonymous = "PUBLIC"        # audience of a request without a token; "" refuses them

    [[clients]]
    organisation = "NOR JOC"
    token_sha256 = "9f86d081..."  # sha256 of the bearer token, never the token itself
    audience = "NATO"           # what it may see (see northpic.markings.parse_audience)
    write = true                # whether it may add, replace and delete events
    grant = ["NATO", "NOR", "PUBLIC"]  # the releasability codes it may put on records
    max_classification = "NATO RESTRICTED"

Tokens are random (:func:`new_token`, 256 bits), so a SHA-256 digest is
enough to keep them: nobody can recover a token from the file, and a slow
password hash would add nothing but latency to every request.

Examples
--------
>>> import tempfile, pathlib
>>> token = "example-token"
>>> path = pathlib.Path(tempfile.mkdtemp()) / "serve.toml"
>>> _ = path.write_text(f'''
... [server]
... port = 8010
... [[clients]]
... organisation = "NOR JOC"
... token_sha256 = "{hash_token(token)}"
... audience = "NATO"
... write = true
... grant = ["NATO", "PUBLIC"]
... ''')
>>> config = read_serve_config(path)
>>> config.host, config.port, config.anonymous
('127.0.0.1', 8010, frozenset({'PUBLIC'}))
>>> account = config.account_for(token)
>>> account.organisation, sorted(account.audience), account.write
('NOR JOC', ['NATO'], True)
>>> config.account_for("wrong") is None
True
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from northpic.errors import MarkingsError, ServeConfigError
from northpic.markings import MarkingTable, default_markings, parse_audience
from northpic.store.location import DatabaseURL

#: Where ``serve`` listens unless told otherwise: this machine only.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: The largest intake body accepted (bytes); larger ones get 413.
DEFAULT_MAX_BODY_BYTES = 5_000_000

_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_SERVER_KEYS = {"host", "port", "store", "max_body_bytes", "anonymous", "markings"}
_CLIENT_KEYS = {"organisation", "token_sha256", "audience", "write", "grant",
                "max_classification"}


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a bearer token is kept.

    Examples
    --------
    >>> hash_token("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """Return a new random bearer token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ClientAccount:
    """One organisation's access: what its token lets it see and write.

    Attributes
    ----------
    organisation : str
        Who the client is; becomes the ``originator`` of what it writes.
    token_sha256 : str
        The SHA-256 hex digest of its bearer token.
    audience : frozenset of str
        Audience codes: it sees only records releasable to all of them.
    write : bool
        Whether it may add, replace and delete events.
    grant : frozenset of str
        Releasability codes it may put on the records it writes.
    max_classification : str or None
        The highest level it may write; None for the table's lowest only.
    """

    organisation: str
    token_sha256: str
    audience: frozenset[str]
    write: bool = False
    grant: frozenset[str] = frozenset()
    max_classification: str | None = None


@dataclass(frozen=True)
class ServeConfig:
    """Everything ``northpic serve`` needs to know, read from ``serve.toml`` or options.

    Attributes
    ----------
    host, port : str, int
        The bind address; default loopback, 8000.
    store : str or None
        The event store: a GeoPackage path or a ``postgresql://`` URL; None
        for the default store (see :func:`northpic.store.default_store_path`).
    max_body_bytes : int
        The largest intake body accepted.
    anonymous : frozenset of str or None
        The audience of requests without a token; None refuses them (401).
    clients : tuple of ClientAccount
        The organisations that hold tokens.
    markings : MarkingTable
        The markings table audiences and records are checked against.
    source : str
        Where the configuration came from, for messages.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    store: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    anonymous: frozenset[str] | None = frozenset({"PUBLIC"})
    clients: tuple[ClientAccount, ...] = ()
    markings: MarkingTable = field(default_factory=default_markings)
    source: str = "<defaults>"

    def account_for(self, token: str) -> ClientAccount | None:
        """Return the account whose token this is, or None; compared in constant time."""
        digest = hash_token(token)
        found = None
        for account in self.clients:
            if hmac.compare_digest(account.token_sha256, digest):
                found = account
        return found

    def store_target(self) -> Path | DatabaseURL:
        """Return where the store is: its path, or its database URL (shown without password).

        With no store configured, ``$NORTHPIC_EVENTS`` (a file or a URL), else
        :func:`northpic.store.default_store_path`.
        """
        from northpic.store import store_target

        return store_target(self.store)

    def store_location(self) -> str | Path:
        """Return the store as the store functions take it: a path, or the URL to connect with."""
        target = self.store_target()
        return target.url if isinstance(target, DatabaseURL) else target

    def with_options(self, **options: Any) -> ServeConfig:
        """Return a copy with the given command-line options (those not None) applied."""
        given = {k: v for k, v in options.items() if v is not None}
        if "store" in given:
            given["store"] = str(given["store"])
        return replace(self, **given)


def _fail(source: str, where: str, reason: str) -> ServeConfigError:
    return ServeConfigError(f"{source}: {where}: {reason}")


def _string(entry: Mapping[str, Any], key: str, source: str, where: str,
            default: str | None = None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str) or (not value.strip() and default is None):
        raise _fail(source, where, f"{key!r} must be a non-empty string, not {value!r}")
    return value.strip()


def _audience(text: str, table: MarkingTable, source: str, where: str) -> frozenset[str]:
    try:
        return parse_audience(text, table)
    except MarkingsError as exc:
        raise _fail(source, where, str(exc)) from None


def _client(entry: Any, number: int, table: MarkingTable, source: str) -> ClientAccount:
    where = f"[[clients]] entry {number}"
    if not isinstance(entry, Mapping):
        raise _fail(source, where, "must be a table")
    unknown = sorted(set(entry) - _CLIENT_KEYS)
    if unknown:
        raise _fail(source, where, f"unknown key(s) {', '.join(unknown)}; "
                                   f"valid: {', '.join(sorted(_CLIENT_KEYS))}")
    organisation = _string(entry, "organisation", source, where)
    where = f"{where} ({organisation})"
    digest = _string(entry, "token_sha256", source, where).lower()
    if not _HEX_DIGEST.fullmatch(digest):
        raise _fail(source, where, "'token_sha256' must be the 64 hex digits of the token's "
                                   "SHA-256 (northpic serve token prints one), not a token")
    audience = _audience(_string(entry, "audience", source, where), table, source, where)
    write = entry.get("write", False)
    if not isinstance(write, bool):
        raise _fail(source, where, f"'write' must be true or false, not {write!r}")
    grant_list = entry.get("grant", [])
    if not isinstance(grant_list, list) or not all(isinstance(g, str) for g in grant_list):
        raise _fail(source, where, "'grant' must be a list of releasability codes")
    # each code apart: "NATO, PUBLIC" as one marking would read as PUBLIC alone
    grant = frozenset().union(*(_audience(code, table, source, where) for code in grant_list))
    level = entry.get("max_classification")
    if level is not None:
        if not isinstance(level, str):
            raise _fail(source, where, f"'max_classification' must be a string, not {level!r}")
        try:
            table.level(level)
        except ValueError as exc:
            raise _fail(source, where, f"'max_classification': {exc}") from None
    return ClientAccount(organisation, digest, audience, write, grant, level)


def serve_config_from_mapping(document: Mapping[str, Any], source: str = "<config>",
                              table: MarkingTable | None = None) -> ServeConfig:
    """Build a configuration from a parsed TOML document, checking every entry.

    Raises
    ------
    ServeConfigError
        Naming the entry and the reason for anything that cannot be used.
    """
    unknown = sorted(set(document) - {"server", "clients"})
    if unknown:
        raise _fail(source, "top level", f"unknown table(s) {', '.join(unknown)}; "
                                         "valid: server, clients")
    server = document.get("server", {})
    if not isinstance(server, Mapping):
        raise _fail(source, "[server]", "must be a table")
    bad = sorted(set(server) - _SERVER_KEYS)
    if bad:
        raise _fail(source, "[server]", f"unknown key(s) {', '.join(bad)}; "
                                        f"valid: {', '.join(sorted(_SERVER_KEYS))}")
    if table is None:
        if "markings" in server:
            from northpic.markings import markings_table

            base = Path(source).parent if source.endswith(".toml") else Path.cwd()
            table = markings_table(base / _string(server, "markings", source, "[server]"))
        else:
            table = default_markings()
    port = server.get("port", DEFAULT_PORT)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise _fail(source, "[server]", f"'port' must be a number 0-65535, not {port!r}")
    limit = server.get("max_body_bytes", DEFAULT_MAX_BODY_BYTES)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        raise _fail(source, "[server]", f"'max_body_bytes' must be a positive number, "
                                        f"not {limit!r}")
    anonymous_text = _string(server, "anonymous", source, "[server]", default="PUBLIC")
    anonymous = (_audience(anonymous_text, table, source, "[server] 'anonymous'")
                 if anonymous_text else None)
    store = server.get("store")
    if store is not None:
        store = _string(server, "store", source, "[server]")
    clients_doc = document.get("clients", [])
    if not isinstance(clients_doc, list):
        raise _fail(source, "clients", "must be an array of tables: [[clients]]")
    clients = tuple(_client(entry, n, table, source) for n, entry in enumerate(clients_doc, 1))
    digests = [c.token_sha256 for c in clients]
    if len(set(digests)) != len(digests):
        raise _fail(source, "[[clients]]", "two clients share one token")
    return ServeConfig(
        host=_string(server, "host", source, "[server]", default=DEFAULT_HOST),
        port=port, store=store, max_body_bytes=limit, anonymous=anonymous,
        clients=clients, markings=table, source=source,
    )


def read_serve_config(path: str | Path) -> ServeConfig:
    """Read ``serve.toml``.

    Raises
    ------
    ServeConfigError
        If the file cannot be read or parsed, or an entry is bad (named).
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ServeConfigError(f"{source}: cannot read the configuration: {exc}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ServeConfigError(f"{source}: not valid TOML: {exc}") from None
    return serve_config_from_mapping(document, source)
