"""northpic: a shared northern situational picture of the Arctic and High North.

The public API loads the validated layers of the picture::

    >>> import northpic
    >>> names = [layer.name for layer in northpic.list_layers()]
    >>> bases = northpic.load_layer("bases")

Rendering, export and the analytics live in their own modules and import
their heavy dependencies (folium, dask, playwright) only when called.
"""

from __future__ import annotations

from northpic.catalogue import LayerSpec
from northpic.errors import (
    BadInputError,
    DataFileError,
    LayerNotFoundError,
    NorthpicError,
    SchemaError,
)
from northpic.picture import list_layers, load_layer, load_picture, valid_at

__version__ = "0.1.0"

__all__ = [
    "BadInputError",
    "DataFileError",
    "LayerNotFoundError",
    "LayerSpec",
    "NorthpicError",
    "SchemaError",
    "list_layers",
    "load_layer",
    "load_picture",
    "valid_at",
    "__version__",
]
