"""``northpic layers``: list the catalogue and validate layer files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from northpic.errors import Problem, SchemaError


@click.group("layers")
def command() -> None:
    """List the catalogue's layers or validate layer files."""


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(as_json: bool) -> None:
    """List the layers of the catalogue.

    \b
    Example:
      northpic layers list --json
    """
    from northpic.picture import list_layers

    specs = list_layers()
    if as_json:
        rows = [
            {
                "name": s.name,
                "title": s.title,
                "domain": s.domain,
                "geometry": s.geometry,
                "nature": s.nature,
                "file": s.file.name,
                "style": s.style,
                "description": s.description,
            }
            for s in specs
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(s.name) for s in specs)
    for s in specs:
        click.echo(f"{s.name:<{width}}  {s.domain:<13}  {s.title}")


@command.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--markings", "markings_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Markings table the records' marking fields must be in (default: northpic's).")
def validate_command(paths: tuple[str, ...], markings_file: Path | None) -> None:
    """Validate the catalogue, or the given GeoJSON/GeoPackage/CSV files.

    With no PATHS every catalogue layer is loaded and checked. Each problem
    is printed as FILE: record ID: REASON; the exit status is 2 if any.

    \b
    Examples:
      northpic layers validate
      northpic layers validate reports.geojson sites.csv
      northpic layers validate reports.geojson --markings our_markings.json
    """
    from northpic.markings import resolve_markings
    from northpic.validate import validate_catalogue, validate_files

    _, table = resolve_markings(None, markings_file)
    problems: list[Problem] = (validate_files(paths, markings=table) if paths
                               else validate_catalogue(markings=table))
    if problems:
        raise SchemaError(problems, limit=200)
    checked = f"{len(paths)} file(s) are" if paths else "every catalogue layer is"
    click.echo(f"ok: {checked} valid", err=True)
