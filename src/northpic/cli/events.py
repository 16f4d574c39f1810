"""``northpic events``: add, list, remove events and show their history in the event store."""

from __future__ import annotations

from pathlib import Path

import click

from northpic.cli.options import STORE, markings_options
from northpic.markings import resolve_markings

_STORE_HELP = ("Event store: a GeoPackage file, or a PostGIS database as a postgresql:// URL "
               "(its password is never shown); default $NORTHPIC_EVENTS or "
               "~/.local/share/northpic/events.gpkg.")


#: The ``--store`` option that every events command takes.
_store_option = click.option("--store", type=STORE,
                             help=_STORE_HELP)
#: ``--markings`` alone, for commands that check markings but make no product.
_markings_file_option = click.option(
    "--markings", "markings_file", type=click.Path(dir_okay=False, path_type=Path),
    help="Markings table (JSON: levels and audiences) instead of northpic's own.")


@click.group("events")
def command() -> None:
    """Add, list and remove reported events, and show their history.

    The store is a GeoPackage file, or a PostGIS database shared by many
    machines (--store postgresql://user@host/database).
    """


@command.command("add")
@click.argument("source", metavar="FILE|-")
@_store_option
@click.option("--assume-utc", is_flag=True, help="Take times without a timezone as UTC.")
@click.option("--layer", help="Layer for events that name none (e.g. shadow_fleet).")
@click.option("--releasability",
              help='Who may receive the records that do not say: e.g. "NATO, EU", '
                   '"NOR EYES ONLY", PUBLIC. Every record needs one, its own or this.')
@click.option("--originator",
              help='Who contributed the records that do not say (e.g. "NOR JOC"). Every '
                   "record needs one, its own or this.")
@click.option("--classification",
              help="Level for records that give none; default the table's lowest "
                   "(UNCLASSIFIED).")
@_markings_file_option
def add_command(source: str, store: Path | None, assume_utc: bool, layer: str | None,
                releasability: str | None, originator: str | None,
                classification: str | None, markings_file: Path | None) -> None:
    """Add events from GeoJSON, CSV (lat/lon) or JSON Lines; '-' reads stdin.

    Every event says who may receive it (releasability) and who contributed
    it (originator): in the record, or for the batch with --releasability
    and --originator. Cursor-on-Target is read too: a .cot file (or .xml
    with an <event> root), or a TAK stream of <event>s on stdin. The batch
    is all or nothing: one bad record refuses it, naming the record and the
    reason (exit status 2). Adding an id again updates it; every write is
    kept in the store's history.

    \b
    Examples:
      northpic events add reports.geojson --releasability "NATO, EU" --originator "NOR JOC"
      northpic events add sightings.csv --store watch.gpkg --releasability "NOR EYES ONLY" \\
          --originator "NOR JOC" --classification RESTRICTED
      tail -n 50 feed.jsonl | northpic events add - --assume-utc --releasability PUBLIC \\
          --originator "Kystverket AIS"
      northpic events add sighting.cot --releasability NATO --originator "NOR JOC"
      cat tak-feed/*.cot | northpic events add - --releasability PUBLIC \\
          --originator "TAK feed"
      northpic events add reports.geojson --store postgresql://ops@db.example/northpic \\
          --releasability "NATO, EU" --originator "NOR JOC"
      northpic events add overlay.nvg --releasability "NATO, EU" --originator "NOR JOC"

    NVG 2.0 overlays (.nvg) give their points, polylines, polygons and
    circles (a circle is a point whose precision_km is its radius); any
    other element is refused by its path, uri and label.
    """
    from northpic.events import add_events

    report = add_events(source if source == "-" else Path(source), store,
                        assume_utc=assume_utc, layer=layer, releasability=releasability,
                        originator=originator, classification=classification,
                        markings=markings_file)
    click.echo(str(report), err=True)


@command.command("list")
@_store_option
@click.option("--since", help="Only events at or after this ISO 8601 date or time.")
@click.option("--kind", help="Only events of this kind.")
@click.option("--json", "as_json", is_flag=True, help="Print a GeoJSON FeatureCollection.")
@markings_options
@click.option("--unmarked", is_flag=True,
              help="List only events stored before markings (to add them again with markings).")
def list_command(store: Path | None, since: str | None, kind: str | None, as_json: bool,
                 audience: str | None, markings_file: Path | None, unmarked: bool) -> None:
    """List stored events, oldest first, with their marking banner first and last.

    With --audience only the events releasable to it are listed. Without
    it, a store whose events no single audience may see is refused (exit
    status 2): say for whom the listing is.

    \b
    Examples:
      northpic events list --since 2026-01-01 --kind diversion --audience NATO
      northpic events list --audience EU --json > events-eu.geojson
      northpic events list --unmarked --json > unmarked.geojson
      northpic events list --store postgresql://ops@db.example/northpic --audience NATO
    """
    from northpic.events.listing import list_events

    codes, table = resolve_markings(audience, markings_file)
    listing = list_events(store, since=since, kind=kind, audience=codes, markings=table,
                          unmarked=unmarked)
    if as_json:
        from northpic.export.event_list import events_geojson_text

        click.echo(events_geojson_text(listing.events, listing.marking_dict()))
    else:
        from northpic.events.listing import format_events_table

        click.echo(format_events_table(listing.events, banner=listing.banner))


@command.command("remove")
@click.argument("event_id", metavar="ID")
@_store_option
@click.option("--originator", help='Who removes it, kept in the history (e.g. "NOR JOC").')
def remove_command(event_id: str, store: Path | None, originator: str | None) -> None:
    """Remove the event with this id (exit status 2 if there is none).

    The history keeps a tombstone: the version removed, who removed it and when.

    \b
    Example:
      northpic events remove ev-3f2a9c0d41b7e8aa --originator "NOR JOC"
    """
    from northpic.store import remove_event
    from northpic.text import terminal_text

    remove_event(event_id, store, originator=originator)
    click.echo(f"removed {terminal_text(event_id)}", err=True)


@command.command("history")
@click.argument("event_id", metavar="ID")
@_store_option
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@markings_options
def history_command(event_id: str, store: Path | None, as_json: bool, audience: str | None,
                    markings_file: Path | None) -> None:
    """Show who changed the event with this id, what and when, oldest first.

    Every add, update and remove is shown with its originator and UTC time,
    and what changed. With --audience only the versions releasable to it
    are shown; how many were withheld is said, their content is not. An id
    neither stored nor in the history: exit status 2.

    \b
    Examples:
      northpic events history ev-3f2a9c0d41b7e8aa
      northpic events history ev-3f2a9c0d41b7e8aa --audience NATO --json
    """
    from northpic.events.history import format_history, history_for_audience, history_json
    from northpic.store import read_history

    codes, table = resolve_markings(audience, markings_file)
    view = history_for_audience(read_history(event_id, store), codes, table)
    click.echo(history_json(view) if as_json else format_history(view))


@command.command("export-good")
@click.argument("store", metavar="STORE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The new store to create (must not exist).")
@_markings_file_option
def export_good_command(store: Path, out: Path, markings_file: Path | None) -> None:
    """Copy every readable event of a damaged STORE into a new store.

    STORE is opened read-only and never changed. Rows that cannot be read
    or no longer validate are left behind and listed.

    \b
    Example:
      northpic events export-good watch.gpkg --out watch-good.gpkg
    """
    from northpic.events.recover import export_good_events

    click.echo(str(export_good_events(store, out, markings=markings_file)), err=True)
