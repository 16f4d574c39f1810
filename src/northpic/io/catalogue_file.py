"""Reading the layer catalogue file (``catalogue.json``) as plain entries.

The file must be UTF-8 JSON: an object with a ``layers`` list. What the
entries must hold is checked by :mod:`northpic.catalogue`, the registry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from northpic.errors import CatalogueError, DataFileError
from northpic.io.text import read_text_file

#: The catalogue's file name in its folder.
CATALOGUE_FILE = "catalogue.json"


def read_catalogue_entries(path: Path) -> list[Any]:
    """Read the entries of a catalogue file, unchecked.

    Parameters
    ----------
    path : pathlib.Path
        The ``catalogue.json`` file.

    Returns
    -------
    list
        The items of its ``layers`` list, as parsed (not yet validated).

    Raises
    ------
    CatalogueError
        If the file cannot be read (missing, binary, not UTF-8), is not JSON
        (or nested too deeply), or is not an object with a ``layers`` list;
        the message names the file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "catalogue.json"
    >>> _ = path.write_text('{"layers": [{"name": "bases"}]}', encoding="utf-8")
    >>> read_catalogue_entries(path)
    [{'name': 'bases'}]
    >>> _ = path.write_text('{"layers": {}}', encoding="utf-8")
    >>> read_catalogue_entries(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    northpic.errors.CatalogueError: ...catalogue.json: must be a JSON object with a 'layers' list
    """
    try:
        doc = json.loads(read_text_file(path))
    except DataFileError as exc:
        raise CatalogueError(str(exc)) from None
    except RecursionError:
        raise CatalogueError(f"{path}: JSON nested too deeply to read") from None
    except ValueError as exc:  # JSONDecodeError, or an integer of more than 4300 digits
        raise CatalogueError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("layers", []), list):
        raise CatalogueError(f"{path}: must be a JSON object with a 'layers' list")
    return list(doc.get("layers", []))


__all__ = ["CATALOGUE_FILE", "read_catalogue_entries"]
