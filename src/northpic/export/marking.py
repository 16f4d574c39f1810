"""The product's marking as the writers store it: metadata items and README lines.

Every export carries the marking of what it holds
(:func:`northpic.picture.mark_picture`): each writer puts
:meth:`~northpic.markings.ProductMarking.as_dict` into its format's own metadata, and the README.txt
of an export opens and ends with the banner (:func:`readme_marking`).
"""

from __future__ import annotations

from northpic.markings import ProductMarking

#: Key of the marking in a GeoParquet file's key-value metadata (JSON of ``as_dict()``).
PARQUET_MARKING_KEY = "northpic:marking"
#: Name of the GeoJSON foreign member holding the marking.
GEOJSON_MARKING_MEMBER = "marking"


def readme_marking(marking: ProductMarking) -> list[str]:
    """Return the README's marking section: for whom, the audiences' names, the table."""
    table = marking.table
    lines = [
        "Marking",
        f"  banner: {marking.banner}",
        f"  prepared for: {marking.prepared_for}",
        f"  releasable to: {table.names(marking.releasable)}",
        f"  highest classification held: {marking.level.code}",
        f"  markings table: {table.label}",
        "  levels (lowest first): " + ", ".join(
            f"{level.code} ({level.banner})" if level.banner != level.code else level.code
            for level in table.levels),
        "  Every record carries its own marking: classification, releasability (the",
        "  audiences it may go to) and originator (who contributed it).",
    ]
    if marking.audience is not None:
        lines.append(f"  Only records releasable to {table.text(marking.audience)} are included.")
    return lines
