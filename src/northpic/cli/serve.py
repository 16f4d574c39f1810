"""``northpic serve``: the shared picture as an OGC API - Features service."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING

import click

from northpic.cli.options import STORE
from northpic.errors import ServeConfigError

if TYPE_CHECKING:
    from northpic.serve.config import ServeConfig


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.group("serve", invoke_without_command=True)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="serve.toml: bind address, store, size limit, clients and their tokens.")
@click.option("--db", help="PostGIS event store (postgresql://user@host/db) instead of the "
                           "GeoPackage; the same as --store with a URL.")
@click.option("--store", type=STORE,
              help="Event store: a GeoPackage file or a postgresql:// URL; default "
                   "$NORTHPIC_EVENTS or ~/.local/share/northpic/events.gpkg.")
@click.option("--host", help="Address to listen on; default 127.0.0.1 (this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port; default 8000.")
@click.pass_context
def command(ctx: click.Context, config_file: Path | None, db: str | None,
            store: Path | str | None, host: str | None, port: int | None) -> None:
    """Serve the picture over OGC API - Features, with a live map, for each client's audience.

    It prints where it listens and which event store it serves. Writers POST
    GeoJSON, CSV or JSON Lines to /collections/events/items with their bearer
    token; a browser opens the live map once as /map?token=TOKEN (see docs/serve.md).

    \b
    Examples:
      northpic serve
      northpic serve --config serve.toml --store watch/events.gpkg
      northpic serve --config serve.toml --db postgresql://northpic@db.example/picture
      northpic serve --store postgresql://northpic@db.example/picture --port 8001
      northpic serve token --organisation "NOR JOC"
      curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: text/csv" --data-binary
           @events.csv http://127.0.0.1:8000/collections/events/items
    """
    if ctx.invoked_subcommand is not None:
        return
    from northpic.serve.app import run_server
    from northpic.serve.config import ServeConfig, read_serve_config

    if db is not None and store is not None:
        raise ServeConfigError("give --db or --store, not both")
    from northpic.store.location import is_database_url

    if db is not None and not is_database_url(db):
        raise ServeConfigError(f"--db must be a postgresql:// URL, not {db.split('@')[-1]!r}")
    config = read_serve_config(config_file) if config_file is not None else ServeConfig()
    config = config.with_options(host=host, port=port, store=db or store)
    if not _is_loopback(config.host):
        click.echo(f"warning: listening on {config.host}, reachable from other machines; "
                   "every read is limited to its token's audience", err=True)
    store_text = _check_store(config)
    click.echo(f"northpic serve: http://{config.host}:{config.port}/ (Ctrl-C to stop)", err=True)
    click.echo(f"northpic serve: event store {store_text}", err=True)
    click.echo(f"northpic serve: live map http://{config.host}:{config.port}/map", err=True)
    run_server(config)


def _check_store(config: ServeConfig) -> str:
    """Refuse a store that could never be opened, before listening; return how to name it.

    A database must answer now, with the URL's credentials, and hold a
    northpic store or none yet (its tables are made by the first write).
    """
    from northpic.errors import DataFileError
    from northpic.store import last_change
    from northpic.store.location import DatabaseURL
    from northpic.text import terminal_text

    where = config.store_target()
    if isinstance(where, DatabaseURL):
        state = "" if last_change(where) else " (no events yet)"  # StoreError: exit 2
        return terminal_text(f"{where}{state}")  # shown without its password
    if where.is_dir():
        raise DataFileError(str(where), "the event store is a folder, not a GeoPackage file")
    if not where.exists() and not where.parent.is_dir() and config.store is not None:
        # (only the default store's folder is made, at the first write)
        raise DataFileError(str(where), f"the store's folder {where.parent} does not exist; "
                                        "create it, or give another --store")
    state = "" if where.exists() else " (created at the first write)"
    return terminal_text(f"{where}{state}")


@command.command("token")
@click.option("--organisation", required=True, help='Who the token is for (e.g. "NOR JOC").')
@click.option("--audience", default="PUBLIC", show_default=True,
              help="What it may see (e.g. NATO, EU, NOR).")
def token_command(organisation: str, audience: str) -> None:
    """Make a new bearer token and print the [[clients]] entry that holds its hash."""
    from northpic.serve.config import hash_token, new_token
    from northpic.text import terminal_text

    token = new_token()
    click.echo(f"# give this token to {terminal_text(organisation)} and keep it nowhere else:",
               err=True)
    click.echo(f"# {token}", err=True)
    quoted = organisation.replace("\\", "\\\\").replace('"', '\\"')
    click.echo(f'[[clients]]\norganisation = "{terminal_text(quoted)}"\n'
               f'token_sha256 = "{hash_token(token)}"\naudience = "{terminal_text(audience)}"\n'
               "write = false\ngrant = []")
