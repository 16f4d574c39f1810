"""Reading a markings table file (``markings.json``) as plain data.

The file must be UTF-8 JSON: an object with ``levels`` and ``audiences``
lists. What the entries must hold is checked by :mod:`northpic.markings`.
The table northpic ships is :data:`DEFAULT_MARKINGS_FILE`.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from northpic.errors import DataFileError, MarkingsError
from northpic.io.text import read_text_file

#: The markings table northpic ships (levels and audiences).
DEFAULT_MARKINGS_FILE = Path(str(resources.files("northpic.io") / "data" / "markings.json"))


def read_markings_document(path: str | Path) -> dict[str, Any]:
    """Read a markings table file, unchecked.

    Parameters
    ----------
    path : str or pathlib.Path
        The JSON file.

    Returns
    -------
    dict
        The parsed object (its entries not yet validated).

    Raises
    ------
    MarkingsError
        If the file cannot be read, is not JSON, or is not an object with
        ``levels`` and ``audiences`` lists; the message names the file.

    Examples
    --------
    >>> sorted(read_markings_document(DEFAULT_MARKINGS_FILE))
    ['about', 'audiences', 'levels', 'version']
    """
    try:
        doc = json.loads(read_text_file(path))
    except DataFileError as exc:
        raise MarkingsError(str(exc)) from None
    except RecursionError:
        raise MarkingsError(f"{path}: JSON nested too deeply to read") from None
    except ValueError as exc:
        raise MarkingsError(f"{path}: not valid JSON: {exc}") from None
    if not (isinstance(doc, dict) and isinstance(doc.get("levels"), list)
            and isinstance(doc.get("audiences"), list)):
        raise MarkingsError(
            f"{path}: a markings table must be a JSON object with 'levels' and 'audiences' lists"
        )
    return doc


__all__ = ["DEFAULT_MARKINGS_FILE", "read_markings_document"]
