"""``northpic ais``: shadow-fleet events from AIS position reports."""

from __future__ import annotations

from pathlib import Path

import click

from northpic.ais.kinds import EVENT_KINDS
from northpic.cli.options import STORE, comma_list, markings_options, mkdir_option
from northpic.errors import BadInputError
from northpic.markings import resolve_markings


def parse_column_map(text: str | None) -> dict[str, str]:
    """Parse ``--columns "mmsi=ShipId,time=Ts"`` into ``{"mmsi": "ShipId", "time": "Ts"}``.

    Raises
    ------
    BadInputError
        If an item is not ``canonical=column``.

    Examples
    --------
    >>> parse_column_map("mmsi=ShipId, time=Ts,")
    {'mmsi': 'ShipId', 'time': 'Ts'}
    """
    if not text:
        return {}
    out: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        canonical, sep, name = item.partition("=")
        if not sep or not canonical.strip() or not name.strip():
            raise BadInputError(f"column map item {item!r} is not of the form canonical=column")
        out[canonical.strip()] = name.strip()
    return out


@click.group("ais")
def command() -> None:
    """Shadow-fleet analytics from AIS: gaps, encounters, loitering, diversions."""


def use_jemalloc() -> None:
    """Let Arrow allocate with jemalloc, where pyarrow has it, for the rest of the process.

    Measured on ten million DMA reports: 0.3 s (5 %) faster, with less time
    in the kernel, than with pyarrow's default (mimalloc). Process-wide, so
    only the command does it, not the library.
    """
    import pyarrow as pa

    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # a pyarrow built without jemalloc
        pass


@command.command("detect")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="GeoJSON file to write the events to.")
@click.option("--tracks", "tracks_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the vessels' track lines (GeoJSON) for the map: "
                   "northpic build --tracks FILE draws them.")
@click.option("--cot", "cot_out", type=click.Path(file_okay=False, path_type=Path),
              help="Also write a folder of Cursor-on-Target position reports (TAK): each "
                   "vessel's last position, one .cot file per MMSI.")
@click.option("--add", is_flag=True,
              help="Add the events to the event store as layer shadow_fleet.")
@click.option("--add-tracks", is_flag=True,
              help="Also add the track lines to the event store, for the map (northpic "
                   "build --events STORE draws them on its track layer).")
@click.option("--store", type=STORE,
              help="The event store (a GeoPackage, or a postgresql:// URL) for --add.")
@click.option("--columns", "column_map",
              help="Map report columns to your header: 'mmsi=ShipId,time=Ts,lat=Y,lon=X'.")
@click.option("--format", "fmt", type=click.Choice(["auto", "csv", "parquet", "nmea"]),
              default="auto", show_default=True, help="Input format.")
@click.option("--time-format",
              help="strftime pattern of the time column when it is none of the known ones, "
                   "e.g. '%Y%m%d_%H%M%S' or '%d.%m.%Y %H:%M'.")
@click.option("--kinds",
              help=f"Comma-separated event kinds (default all: {', '.join(EVENT_KINDS)}).")
@click.option("--no-land-check", is_flag=True,
              help="Keep the stationary reports the land test puts on land (moving ones "
                   "are always kept, with on_land flagged).")
@click.option("--releasability", default="PUBLIC", show_default=True,
              help="Who may receive the reports of every file ('NATO, EU', 'NOR EYES ONLY'...). "
                   "AIS is broadcast in the clear, hence PUBLIC; a 'releasability' column "
                   "of a CSV or Parquet file marks its reports one by one.")
@click.option("--originator",
              help="Who contributed the reports (default 'AIS feed <file name>', per file).")
@click.option("--classification",
              help="Classification of the reports (default the table's lowest level); a "
                   "'classification' column overrides it per report.")
@markings_options
@click.option("--overwrite", is_flag=True, help="Replace existing output files.")
@mkdir_option
@click.option("-q", "--quiet", is_flag=True, help="No progress messages.")
def detect(
    files: tuple[Path, ...], out: Path | None, tracks_out: Path | None, cot_out: Path | None,
    add: bool,
    add_tracks: bool, store: Path | None, column_map: str | None, fmt: str,
    time_format: str | None, kinds: str | None,
    no_land_check: bool, releasability: str, originator: str | None,
    classification: str | None, audience: str | None, markings_file: Path | None,
    overwrite: bool, mkdir: bool, quiet: bool,
) -> None:
    """Detect AIS gaps, encounters, loitering, diversions, spoofing and identity changes.

    FILES are AIS CSV (DMA, MarineCadastre, Kystverket, BarentsWatch and
    similar layouts), Parquet/GeoParquet or NMEA logs; .gz and .zip are read
    directly. Progress goes to stderr; the events summary to stdout.

    Every event and track inherits the most restrictive marking of the
    reports of its vessel(s): the highest classification, the audiences
    common to all, the originators joined. Reports of one vessel that no
    single audience may see together are refused (exit status 2). --out and
    --tracks are products: marked at the top, for --audience when given
    (holding only what it may receive); --add stores every event.

    \b
    Examples:
      northpic ais detect aisdk-2026-01-31.zip --out events.geojson
      northpic ais detect nor-feed.csv --releasability "NOR EYES ONLY" \\
          --originator "NOR JOC" --out ev.geojson --add
      northpic ais detect feed.csv --columns mmsi=ship,time=ts --out ev.geojson --add
      northpic ais detect log.nmea.gz --tracks tracks.geojson --out ev.geojson
      northpic ais detect day.csv --add --add-tracks --store events.gpkg
      northpic ais detect day.csv --out ev.geojson --cot positions-cot --audience EU
    """
    from northpic.workflows.ais import detect_files

    if out is None and tracks_out is None and cot_out is None and not add and not add_tracks:
        raise click.UsageError("nothing to do: give --out, --tracks, --cot, --add or "
                               "--add-tracks")
    wanted = comma_list(kinds, "--kinds") or list(EVENT_KINDS)
    for_whom, table = resolve_markings(audience, markings_file)
    use_jemalloc()
    run = detect_files(
        list(files), out, columns=parse_column_map(column_map), format=fmt,
        time_format=time_format,
        tracks_out=tracks_out, add=add, add_tracks=add_tracks, store=store, overwrite=overwrite,
        mkdir=mkdir, land_check=not no_land_check, kinds=wanted,
        releasability=releasability, originator=originator, classification=classification,
        markings=table, audience=for_whom, cot_out=cot_out,
        progress=(lambda _m: None) if quiet else (lambda m: click.echo(m, err=True)),
    )
    if quiet:  # warnings are loud: printed even with --quiet
        for warning in run.warnings:
            click.echo(f"warning: {warning}", err=True)
    by_kind = run.events["kind"].value_counts().to_dict() if len(run.events) else {}
    summary = ", ".join(f"{k} {by_kind[k]}" for k in EVENT_KINDS if k in by_kind) or "none"
    click.echo(f"{len(run.events)} event(s): {summary}")
    if run.marking is not None:
        click.echo(f"marking: {run.marking.banner}")
