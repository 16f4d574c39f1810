"""Validate layer files, or the whole catalogue, against the layer schema."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from northpic.errors import DataFileError, Problem, SchemaError, UnsupportedFormatError
from northpic.io.layer_files import list_tables, read_layer_file
from northpic.markings import MarkingTable, default_markings, marking_problems
from northpic.schema import find_problems


def _file_problems(frame: pd.DataFrame, label: str, table: MarkingTable) -> list[Problem]:
    return find_problems(frame, label) + marking_problems(frame, label, table, required=False)


def validate_files(paths: Iterable[str | Path], *,
                   markings: MarkingTable | None = None) -> list[Problem]:
    """Check GeoJSON, GeoPackage (every table) and CSV files against the schema.

    A file of the catalogue (``layers/bases.csv``...) is checked as its layer,
    with the ``layer`` and ``domain`` the catalogue gives it. The marking
    fields a record gives (classification, releasability, originator) must be
    in the markings table; a file may leave them out, for a batch default
    (``events add --releasability``) to supply.

    Parameters
    ----------
    paths : iterable of str or pathlib.Path
        Files to check.
    markings : MarkingTable, optional
        The markings table; default the one northpic ships.

    Returns
    -------
    list of Problem
        Every problem found, each naming its file, record and reason; empty
        when all files are valid.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "bad.geojson"
    >>> _ = bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "geometry": {"type": "Point", "coordinates": [200, 70]},
    ...      "properties": {"id": "x", "name": "X", "layer": "bases", "domain": "military",
    ...                     "kind": "base", "source": "s", "confidence": "high",
    ...                     "precision_km": 1}}]}))
    >>> [(p.record, p.reason) for p in validate_files([bad])]  # doctest: +NORMALIZE_WHITESPACE
    [("'x'", 'coordinate out of range: lon 200, lat 70
              (lon must be within -180..180, lat within -90..90)')]
    """
    from northpic.picture import list_layers

    marks = markings or default_markings()
    shipped = {spec.file.resolve(): spec.name for spec in list_layers()}
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        layer = shipped.get(path.resolve())
        if layer is not None:  # a catalogue file: the catalogue supplies layer, domain
            problems += _layer_problems(layer, marks)
            continue
        try:
            if path.suffix.lower() == ".gpkg":
                for table in list_tables(path):
                    frame = read_layer_file(path, layer=table)
                    problems += _file_problems(frame, f"{path} (table {table})", marks)
            else:
                problems += _file_problems(read_layer_file(path), str(path), marks)
        except SchemaError as exc:  # records the reader itself could not make sense of
            problems += exc.problems
        except (DataFileError, UnsupportedFormatError) as exc:
            problems.append(Problem(str(path), None, getattr(exc, "reason", str(exc))))
    return problems


def validate_catalogue(*, markings: MarkingTable | None = None) -> list[Problem]:
    """Load every catalogue layer and collect the problems of those that fail."""
    from northpic.picture import list_layers

    marks = markings or default_markings()
    return [problem for spec in list_layers() for problem in _layer_problems(spec.name, marks)]


def _layer_problems(name: str, markings: MarkingTable) -> list[Problem]:
    """Load one catalogue layer and return its problems."""
    from northpic.picture import load_layer, spec_for

    try:
        load_layer(name, markings=markings)
    except SchemaError as exc:
        return list(exc.problems)
    except DataFileError as exc:
        return [Problem(str(spec_for(name).file), None, exc.reason)]
    return []
