"""``northpic build``: write the picture as one offline HTML map."""

from __future__ import annotations

from pathlib import Path

import click

from northpic.cli.options import STORE, comma_list, markings_options, mkdir_option
from northpic.markings import resolve_markings

DEFAULT_OUT = Path("maps/northern_picture.html")


@click.command("build")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_OUT,
    show_default=True, help="HTML file to write.",
)
@click.option("--layers", "layer_names", help="Comma-separated layer names (default: all).")
@click.option("--at", "at", help="The picture as of this ISO 8601 date (default: today).")
@click.option(
    "--projection", type=click.Choice(["polar", "mercator"]), default="polar",
    show_default=True, help="Polar stereographic north (EPSG:3413) or Web Mercator.",
)
@click.option("--tiles", is_flag=True, help="Add online OpenStreetMap tiles (needs a network).")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path),
              help="Also render the map as a slide to this PNG (headless Chromium): banners, "
                   "title block, DTG, legend of the kinds shown, north arrow, scale, sources.")
@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path),
              help="The same slide as a one-page PDF (Chromium's print to PDF).")
@click.option("--extent", "extents", multiple=True,
              help="What a slide shows: kola, svalbard, greenland, bering, giuk, barents, nsr, "
                   "arctic (default), or bounds S,W,N,E in degrees. Repeat it or give a comma "
                   "list of names for one slide each (OUT_NAME.png).")
@click.option("--size", default="1920x1080", show_default=True,
              help="Slide size in pixels, WIDTHxHEIGHT.")
@click.option("--title", default="Northern situational picture", show_default=True,
              help="Title of the map and of the slide's title block.")
@click.option("--dtg", help="The slide's date-time group (041230ZDEC26, or an ISO 8601 time); "
                            "default: the build time.")
@click.option("--events", "events_store", type=STORE,
              help="Event store (a GeoPackage, or a postgresql:// URL) whose events to draw.")
@click.option("--seaice", "seaice_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Sea-ice concentration file to draw as an observed day.")
@click.option("--tracks", "tracks_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Vessel track lines to draw (GeoJSON from 'northpic ais detect --tracks', or "
                   "GeoParquet): simplified per zoom, with a traffic density layer zoomed out.")
@click.option("--overwrite", is_flag=True,
              help="Replace OUT (or the PNG) even if it is not a map northpic built.")
@click.option(
    "--perspective", default="nato", show_default=True, metavar="NAME|FILE",
    help="Whose point of view gives military symbols their affiliation: nato (Allies friend, "
         "Russia hostile), eu, none (all unknown), or a perspective JSON file.",
)
@mkdir_option
@markings_options
def command(
    out: Path, layer_names: str | None, at: str | None, projection: str, tiles: bool,
    png: Path | None, pdf: Path | None, extents: tuple[str, ...], size: str, title: str,
    dtg: str | None, events_store: Path | None, seaice_file: Path | None,
    tracks_file: Path | None, overwrite: bool,
    perspective: str, mkdir: bool, audience: str | None, markings_file: Path | None,
) -> None:
    """Build the northern picture as one self-contained HTML map.

    A map northpic built before is replaced (so the Makefile can rebuild
    it); any other existing file is kept unless --overwrite is given.

    The page holds only what --audience may receive and carries the banner
    its contents require, top and bottom. Without --audience it is for the
    audiences every record may go to; records no single audience may see
    together are refused (exit 2) until --audience says for whom it is.

    \b
    Examples:
      northpic build
      northpic build --at 2026-01-31 --layers bases,shipping_routes,sea_ice
      northpic build --png maps/briefing.png
      northpic build --png kola.png --extent kola --title "Kola: Northern Fleet"
      northpic build --png brief.png --pdf brief.pdf --extent kola,svalbard,bering
      northpic build --png box.png --extent 58,160,72,-150 --size 1280x720 --dtg 041230ZDEC26
      northpic build --out briefs/2026-02/map.html --mkdir
      northpic build --events ev.gpkg --audience EU --out maps/eu.html
      northpic build --tracks tracks.geojson --audience EU --out maps/tracks.html
      northpic build --events ev.gpkg --audience NOR --markings our-table.json
      northpic build --perspective eu --out maps/eu-view.html
      northpic build --perspective none --out maps/neutral.html
      northpic build --perspective our-view.json
    """
    from northpic.build import build_map

    names = comma_list(layer_names, "--layers")
    codes, table = resolve_markings(audience, markings_file)
    result = build_map(
        out, layers=names, at=at, projection=projection, tiles=tiles, png=png, pdf=pdf,
        extent=list(extents) or None, size=size, title=title, dtg=dtg,
        events_store=events_store, seaice_file=seaice_file, tracks_file=tracks_file,
        overwrite=overwrite, mkdir=mkdir,
        progress=lambda msg: click.echo(msg, err=True), audience=codes, markings=table,
        perspective=perspective,
    )
    click.echo(str(result))
