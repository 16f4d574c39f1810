"""``northpic export``: the picture as GeoPackage, KML, GeoJSON, GeoParquet, Shapefile, CSV."""

from __future__ import annotations

from pathlib import Path

import click

from northpic.cli.options import STORE, comma_list, markings_options, mkdir_option
from northpic.markings import resolve_markings

FORMAT_NAMES = ("gpkg", "kml", "geojson", "parquet", "shp", "csv", "nvg", "cot", "takpkg")


@click.command("export")
@click.option("--format", "fmt", required=True, metavar="|".join(FORMAT_NAMES),
              help="Export format (unknown formats are refused).")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="File (.gpkg, .kml, .nvg, .zip for takpkg) or folder (geojson, parquet, shp, "
                   "csv, cot) to write.")
@click.option("--layers", "layer_names",
              help="Comma-separated layer names (default: all); with --events also the event "
                   "layers events_military, events_economic, events_environmental, "
                   "events_social.")
@click.option("--at", "at", help="Only records valid at this ISO 8601 date (default: all).")
@click.option("--events", "events_store", type=STORE,
              help="Event store (a GeoPackage, or a postgresql:// URL) whose events to export too.")
@click.option("--seaice", "seaice_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Sea-ice concentration file: add its 15 % edge (and, in folder formats, "
                   "its concentration as a COG GeoTIFF).")
@click.option("--perspective", metavar="NAME|FILE",
              help="Whose affiliations the CoT types of cot and takpkg take, as for "
                   "'northpic build': nato (the default), eu, none, or a perspective JSON file.")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
@mkdir_option
@markings_options
def command(
    fmt: str, out: Path, layer_names: str | None, at: str | None,
    events_store: Path | None, seaice_file: Path | None, perspective: str | None,
    overwrite: bool, mkdir: bool,
    audience: str | None, markings_file: Path | None,
) -> None:
    """Export the picture for QGIS, ArcGIS, Google Earth and data tools.

    The export holds only what --audience may receive. Every record keeps
    its marking fields (classification, releasability, originator; in a
    Shapefile classif, releasabil, originator) and the export's marking is
    in the format's metadata and its README.txt. Without --audience it is
    for the audiences every record may go to; records no single audience
    may see together are refused (exit 2) until --audience says for whom.

    \b
    Formats:
      gpkg     one GeoPackage, a styled table per layer (QGIS opens it as the map looks)
      kml      one KML document for Google Earth, a folder per domain and layer
      geojson  a folder of RFC 7946 GeoJSON files, one per layer
      parquet  a folder of GeoParquet 1.1 files, one per layer
      shp      a folder of zipped Shapefiles, one per layer (FIELDS.txt maps short names)
      csv      a folder of CSV files with WKT geometry, one per layer
      nvg      one NATO Vector Graphics 2.0.2 overlay, a group per domain and layer, APP-6 symbols
      cot      a folder of Cursor-on-Target events, one .cot file per feature (TAK)
      takpkg   a TAK data package (.zip): manifest, the picture as KMZ, the CoT events

    \b
    Examples:
      northpic export --format gpkg --out picture.gpkg
      northpic export --format kml --out picture.kml --at 2026-02-01
      northpic export --format geojson --out picture-geojson --layers bases,shipping_routes
      northpic export --format gpkg --out picture.gpkg --overwrite
      northpic export --format geojson --out brief --seaice day.nc
      northpic export --format kml --out ev.kml --events ev.gpkg --layers events_military
      northpic export --format gpkg --out briefs/new/picture.gpkg --mkdir
      northpic export --format gpkg --out eu.gpkg --events ev.gpkg --audience EU
      northpic export --format kml --out nor.kml --events ev.gpkg --audience NOR
      northpic export --format cot --out cot-eu --events ev.gpkg --audience EU
      northpic export --format takpkg --out brief.zip --at 2026-02-01 --audience NATO
      northpic export --format cot --out cot-eu-view --perspective eu
      northpic export --format nvg --out eu.nvg --events ev.gpkg --audience EU
    """
    from northpic.workflows.seaice import export_picture_with_seaice

    names = comma_list(layer_names, "--layers")
    codes, table = resolve_markings(audience, markings_file)
    result = export_picture_with_seaice(out, fmt, layers=names, at=at, events_store=events_store,
                                        seaice_file=seaice_file, overwrite=overwrite, mkdir=mkdir,
                                        audience=codes, markings=table,
                                        perspective=perspective)
    click.echo(str(result))
