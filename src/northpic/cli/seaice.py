"""``northpic seaice``: extent and area, the ice edge, route exposure, exports, downloads."""

from __future__ import annotations

import json
from pathlib import Path

import click

from northpic.cli.options import mkdir_option

_FILE = click.Path(dir_okay=False, path_type=Path)
#: How a value that the data cannot give is printed: never as 0.
NO_DATA = "no data"


def _say(message: str) -> None:
    click.echo(message, err=True)


@click.group("seaice")
def command() -> None:
    """Sea ice from NSIDC and OSI SAF concentration files."""


@command.command("stats")
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per date).")
@click.option(
    "--anomaly", is_flag=True, help="Add the 1981-2010 median of the month and the anomaly."
)
def stats_command(files: tuple[Path, ...], as_json: bool, anomaly: bool) -> None:
    """Extent and area (million km2) per date of one or many daily files.

    \b
    Examples:
      northpic seaice stats seaice_conc_daily_nh_20230915_f17_v04r00.nc --json
      northpic seaice stats daily/*.nc --anomaly
    """
    from northpic.workflows.seaice import stats_of_files

    table = stats_of_files(files, anomaly=anomaly, progress=_say)
    if as_json:
        rows = [
            {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
            for row in table.to_dict(orient="records")
        ]
        click.echo(json.dumps(rows, indent=1))
        return
    click.echo(table.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=NO_DATA))


@command.command("edge")
@click.argument("file", type=_FILE)
@click.option("--out", required=True, type=_FILE, help="GeoJSON (.geojson) or GeoPackage (.gpkg).")
@click.option("--threshold", default=15.0, show_default=True, help="Edge concentration in percent.")
@click.option("--date", help="The day, when the file holds several.")
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
@mkdir_option
def edge_command(
    file: Path, out: Path, threshold: float, date: str | None, overwrite: bool, mkdir: bool
) -> None:
    """Write the ice (concentration >= 15 %) as valid polygons in EPSG:4326.

    \b
    Example:
      northpic seaice edge seaice_conc_daily_nh_20230915_f17_v04r00.nc --out edge.gpkg
    """
    from northpic.atomic import ensure_parent
    from northpic.workflows.seaice import edge_of_file

    ensure_parent(out, mkdir)
    frame = edge_of_file(file, out, threshold=threshold, date=date, overwrite=overwrite)
    if len(frame):
        _say(f"wrote {len(frame)} ice polygons to {out}")
    else:  # the data cover the day (else edge_of_file refuses): truly open water
        _say(f"wrote 0 ice polygons to {out}: no valid cell holds {threshold:g} % or more")


@command.command("routes")
@click.argument("file", type=_FILE)
@click.option("--threshold", default=15.0, show_default=True, help="Ice concentration in percent.")
@click.option("--date", help="The day, when the file holds several.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def routes_command(file: Path, threshold: float, date: str | None, as_json: bool) -> None:
    """Share of each shipping route's length in ice on the file's date.

    \b
    Example:
      northpic seaice routes seaice_conc_daily_nh_20230915_f17_v04r00.nc
    """
    from northpic.workflows.seaice import routes_of_file

    table = routes_of_file(file, threshold=threshold, date=date)
    if as_json:
        click.echo(table.to_json(orient="records", indent=1))
        return
    shown = table.assign(share_in_ice=(100 * table["share_in_ice"]).round(1))
    click.echo(shown.rename(columns={"share_in_ice": "in_ice_pct"}).to_string(
        index=False, na_rep=NO_DATA))


@command.command("export")
@click.argument("file", type=_FILE)
@click.option(
    "--out",
    required=True,
    type=_FILE,
    help="Cloud-optimised GeoTIFF (.tif, EPSG:3413) or CF NetCDF (.nc).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
@mkdir_option
def export_command(file: Path, out: Path, overwrite: bool, mkdir: bool) -> None:
    """Write concentration as a COG GeoTIFF or CF-compliant NetCDF.

    \b
    Examples:
      northpic seaice export day.nc --out day.tif
      northpic seaice export day.nc --out day_cf.nc
    """
    from northpic.atomic import ensure_parent
    from northpic.workflows.seaice import export_file

    ensure_parent(out, mkdir)
    _say(f"wrote {export_file(file, out, overwrite=overwrite)}")


@command.command("fetch")
@click.option("--date", "day", required=True, help="The day (YYYY-MM-DD).")
@click.option("--refresh", is_flag=True, help="Download again even if cached.")
def fetch_command(day: str, refresh: bool) -> None:
    """Download the NSIDC daily file of a date (needs a network), or take it from the cache.

    The base URL can be changed with NORTHPIC_SEAICE_URL.

    \b
    Example:
      northpic seaice fetch --date 2024-09-15
    """
    from northpic.io.seaice.fetch import fetch_daily

    click.echo(str(fetch_daily(day, refresh=refresh, progress=_say)))
