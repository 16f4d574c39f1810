"""northpic: a shared northern situational picture of the Arctic and High North.

The public API loads the validated layers of the picture::

    >>> import northpic
    >>> names = [layer.name for layer in northpic.list_layers()]
    >>> "bases" in names
    True
    >>> bases = northpic.load_layer("bases")
    >>> len(bases) > 0, bases.crs.to_epsg()
    (True, 4326)

It adds reported events to an event store and exports the picture, here into
a temporary folder::

    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> store = Path(tmp.name) / "events.gpkg"
    >>> report = northpic.add_events([{
    ...     "name": "Tanker turned north", "kind": "diversion",
    ...     "time": "2026-01-15T08:30:00Z", "lat": 70.2, "lon": 30.9,
    ...     "source": "watch log 15 Jan", "confidence": "medium",
    ...     "precision_km": 5, "domain": "economic"}], store=store,
    ...     releasability="PUBLIC", originator="NOR JOC")
    >>> report.added, report.updated
    (1, 0)
    >>> out = northpic.export_picture(Path(tmp.name) / "picture.gpkg", "gpkg",
    ...                               events_store=store)
    >>> out.name
    'picture.gpkg'
    >>> tmp.cleanup()

:func:`add_events` and :func:`export_picture` are the event store's and the
exports' own functions, with their signatures and docstrings; they are
imported on first use (module ``__getattr__``), so that ``import northpic``
loads neither the writers nor folium, click, dask or playwright.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from northpic._version import __version__
from northpic.catalogue import LayerSpec
from northpic.errors import (
    BadInputError,
    DataFileError,
    LayerNotFoundError,
    NorthpicError,
    SchemaError,
)
from northpic.picture import list_layers, load_layer, load_picture, valid_at

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports them on first use
    from northpic.events import add_events
    from northpic.export import export_picture


#: Public names imported on first use: name -> the module that defines or re-exports it.
_LAZY: dict[str, str] = {
    "add_events": "northpic.events",
    "export_picture": "northpic.export",
}


def __getattr__(name: str) -> Any:
    """Import a lazy public name on first use and keep it (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the lazy public names with the loaded ones."""
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "BadInputError",
    "DataFileError",
    "LayerNotFoundError",
    "LayerSpec",
    "NorthpicError",
    "SchemaError",
    "add_events",
    "export_picture",
    "list_layers",
    "load_layer",
    "load_picture",
    "valid_at",
    "__version__",
]
