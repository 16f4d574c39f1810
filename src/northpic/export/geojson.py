"""Write one RFC 7946 GeoJSON file per layer into a folder.

GDAL's GeoJSON driver writes with ``RFC7946=YES``: longitude/latitude in
WGS 84, seven decimals, a ``bbox`` per feature, and geometries split at the
antimeridian; the frames come already cut and wound counter-clockwise
(:func:`northpic.export.prepare.rfc7946_geometry`). Times are ISO 8601 UTC
strings (``2026-01-15T00:00:00Z``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path

from northpic.export.prepare import ExportLayer, caveat_for


def write_geojson(
    layers: list[ExportLayer], folder: Path, *, metadata: Mapping[str, str] | None = None
) -> list[str]:
    """Write ``NAME.geojson`` for each layer into the new ``folder``.

    Parameters
    ----------
    layers : list of ExportLayer
        Prepared layers.
    folder : pathlib.Path
        An existing, empty folder.
    metadata : mapping, optional
        Export-wide provenance (unused here: :func:`~northpic.export.api.export_layers`
        writes the folder's README.txt).

    Returns
    -------
    list of str
        The file names written, in order.
    """
    import pyogrio

    names = []
    for layer in layers:
        name = f"{layer.name}.geojson"
        description = " ".join(filter(None, [layer.spec.description, caveat_for(layer.spec)]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            pyogrio.write_dataframe(
                layer.frame, folder / name, driver="GeoJSON", layer=layer.name,
                layer_options={"RFC7946": "YES", "WRITE_BBOX": "YES",
                               "DESCRIPTION": description},
            )
        names.append(name)
    return names
