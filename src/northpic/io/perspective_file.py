"""Reading a perspective file (who is friend, who is hostile) as plain data.

A perspective is a UTF-8 JSON object; what its entries must hold is checked
by :mod:`northpic.symbology`. The perspectives northpic ships live in
``io/data/perspectives/`` (:data:`PERSPECTIVES_DIR`), one file a name.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from northpic.errors import DataFileError, PerspectiveError
from northpic.io.text import read_text_file

#: The folder of the perspectives northpic ships (``nato.json``, ``eu.json``, ``none.json``).
PERSPECTIVES_DIR = Path(str(resources.files("northpic.io") / "data" / "perspectives"))


def builtin_perspective_names() -> tuple[str, ...]:
    """Return the names of the perspectives northpic ships, sorted.

    Examples
    --------
    >>> builtin_perspective_names()
    ('eu', 'nato', 'none')
    """
    return tuple(sorted(p.stem for p in PERSPECTIVES_DIR.glob("*.json")))


def read_perspective_document(path: str | Path) -> dict[str, Any]:
    """Read a perspective file, unchecked.

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
    PerspectiveError
        If the file cannot be read, is not JSON or is not a JSON object; the
        message names the file.

    Examples
    --------
    >>> read_perspective_document(PERSPECTIVES_DIR / "none.json")["name"]
    'none'
    """
    try:
        doc = json.loads(read_text_file(path))
    except DataFileError as exc:
        raise PerspectiveError(str(exc)) from None
    except RecursionError:
        raise PerspectiveError(f"{path}: JSON nested too deeply to read") from None
    except ValueError as exc:
        raise PerspectiveError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise PerspectiveError(f"{path}: a perspective must be a JSON object, not "
                               f"{type(doc).__name__}")
    return doc
