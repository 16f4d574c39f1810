"""Validate layer files, or the whole catalogue, against the layer schema."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from northpic.errors import DataFileError, Problem, SchemaError, UnsupportedFormatError
from northpic.io.layer_files import list_tables, read_layer_file
from northpic.schema import find_problems


def validate_files(paths: Iterable[str | Path]) -> list[Problem]:
    """Check GeoJSON, GeoPackage (every table) and CSV files against the schema.

    Parameters
    ----------
    paths : iterable of str or pathlib.Path
        Files to check.

    Returns
    -------
    list of Problem
        Every problem found, each naming its file, record and reason; empty
        when all files are valid.

    Examples
    --------
    >>> validate_files(["bad.geojson"])  # doctest: +SKIP
    [Problem(path='bad.geojson', record="'x'", reason='coordinate out of range: ...')]
    """
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        try:
            if path.suffix.lower() == ".gpkg":
                for table in list_tables(path):
                    frame = read_layer_file(path, layer=table)
                    problems += find_problems(frame, f"{path} (table {table})")
            else:
                problems += find_problems(read_layer_file(path), str(path))
        except (DataFileError, UnsupportedFormatError) as exc:
            problems.append(Problem(str(path), None, getattr(exc, "reason", str(exc))))
    return problems


def validate_catalogue() -> list[Problem]:
    """Load every catalogue layer and collect the problems of those that fail."""
    from northpic.picture import list_layers, load_layer

    problems: list[Problem] = []
    for spec in list_layers():
        try:
            load_layer(spec.name)
        except SchemaError as exc:
            problems += exc.problems
        except DataFileError as exc:
            problems.append(Problem(str(spec.file), None, exc.reason))
    return problems
