"""``northpic events``: add, list and remove events in the event store."""

from __future__ import annotations

from pathlib import Path

import click

_STORE_HELP = ("Event store (GeoPackage); default $NORTHPIC_EVENTS or "
               "~/.local/share/northpic/events.gpkg.")


#: The ``--store`` option that every events command takes.
_store_option = click.option("--store", type=click.Path(dir_okay=False, path_type=Path),
                             help=_STORE_HELP)


@click.group("events")
def command() -> None:
    """Add, list and remove reported events (a GeoPackage event store)."""


@command.command("add")
@click.argument("source", metavar="FILE|-")
@_store_option
@click.option("--assume-utc", is_flag=True, help="Take times without a timezone as UTC.")
@click.option("--layer", help="Layer for events that name none (e.g. shadow_fleet).")
def add_command(source: str, store: Path | None, assume_utc: bool, layer: str | None) -> None:
    """Add events from GeoJSON, CSV (lat/lon) or JSON Lines; '-' reads stdin.

    The batch is all or nothing: one bad record refuses it, naming the
    record and the reason (exit status 2). Adding an id again updates it.

    \b
    Examples:
      northpic events add reports.geojson
      northpic events add sightings.csv --store watch.gpkg
      tail -n 50 feed.jsonl | northpic events add - --assume-utc
    """
    from northpic.events import add_events

    report = add_events(source if source == "-" else Path(source), store,
                        assume_utc=assume_utc, layer=layer)
    click.echo(str(report), err=True)


@command.command("list")
@_store_option
@click.option("--since", help="Only events at or after this ISO 8601 date or time.")
@click.option("--kind", help="Only events of this kind.")
@click.option("--json", "as_json", is_flag=True, help="Print a GeoJSON FeatureCollection.")
def list_command(store: Path | None, since: str | None, kind: str | None, as_json: bool) -> None:
    """List stored events, oldest first.

    \b
    Examples:
      northpic events list --since 2026-01-01 --kind diversion
      northpic events list --json > events.geojson
    """
    from northpic.store import read_events

    frame = read_events(store, since=since, kind=kind)
    if as_json:
        from northpic.export.event_list import events_geojson_text

        click.echo(events_geojson_text(frame))
    else:
        from northpic.events.listing import format_events_table

        click.echo(format_events_table(frame))


@command.command("remove")
@click.argument("event_id", metavar="ID")
@_store_option
def remove_command(event_id: str, store: Path | None) -> None:
    """Remove the event with this id (exit status 2 if there is none).

    \b
    Example:
      northpic events remove ev-3f2a9c0d41b7e8aa
    """
    from northpic.store import remove_event

    remove_event(event_id, store)
    click.echo(f"removed {event_id}", err=True)


@command.command("export-good")
@click.argument("store", metavar="STORE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The new store to create (must not exist).")
def export_good_command(store: Path, out: Path) -> None:
    """Copy every readable event of a damaged STORE into a new store.

    STORE is opened read-only and never changed. Rows that cannot be read
    or no longer validate are left behind and listed.

    \b
    Example:
      northpic events export-good watch.gpkg --out watch-good.gpkg
    """
    from northpic.events.recover import export_good_events

    click.echo(str(export_good_events(store, out)), err=True)
