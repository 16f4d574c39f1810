"""northpic: a shared northern situational picture of the Arctic and High North.

The public API loads the validated layers of the picture::

    >>> import northpic
    >>> names = [layer.name for layer in northpic.list_layers()]
    >>> bases = northpic.load_layer("bases")

Rendering, export and the analytics live in their own modules and import
their heavy dependencies (folium, dask, playwright) only when called.
"""

from __future__ import annotations

from typing import Any

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


def add_events(source: Any, store: Any = None, **options: Any) -> Any:
    """Add a batch of events to the event store; see :func:`northpic.events.add_events`.

    All or nothing: one bad record refuses the batch with a
    :class:`SchemaError` naming the record and the reason.

    Examples
    --------
    >>> import northpic
    >>> northpic.add_events("reports.geojson", store="events.gpkg")  # doctest: +SKIP
    AddReport(added=3, updated=0, ...)
    """
    from northpic.events import add_events as _add_events

    return _add_events(source, store, **options)


def export_picture(out: Any, format: str, **options: Any) -> Any:
    """Export the picture to GIS formats; see :func:`northpic.export.api.export_picture`.

    Imports the writers (GDAL, pyarrow) only when called.

    Examples
    --------
    >>> import northpic
    >>> northpic.export_picture("picture.gpkg", "gpkg")  # doctest: +SKIP
    PosixPath('picture.gpkg')
    """
    from northpic.export import export_picture as _export_picture

    return _export_picture(out, format, **options)


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
