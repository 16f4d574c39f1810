"""The plain-text provenance note that travels inside folder and zip exports.

It opens and ends with the product's banner, says for whom the export is
prepared and lists the markings table (:mod:`northpic.export.marking`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from northpic.export.marking import readme_marking
from northpic.export.prepare import ExportLayer, caveat_for
from northpic.markings import ProductMarking

README_NAME = "README.txt"


def describe_export(layers: list[ExportLayer], metadata: Mapping[str, str],
                    marking: ProductMarking | None = None,
                    rasters: Iterable[str] = ()) -> str:
    """Describe an export in plain text: its marking, what it is, each layer, its provenance.

    Parameters
    ----------
    layers : list of ExportLayer
        The layers written.
    metadata : mapping
        Export-wide items (title, generator, as-of date...).
    marking : ProductMarking, optional
        The export's marking: its banner is the first and the last line.
    rasters : iterable of str
        Names of the sea-ice concentration rasters written beside (public data).

    Returns
    -------
    str
        Lines of text; data strings appear as plain text, never markup.
    """
    marks = set(marking.as_dict()) if marking is not None else set()
    lines = [marking.banner, ""] if marking is not None else []
    lines += [str(metadata.get("title", "northpic export")), ""]
    lines += [f"{key}: {value}" for key, value in metadata.items()
              if key != "title" and key not in marks]
    if marking is not None:
        lines += ["", *readme_marking(marking)]
    lines += ["", "Every feature carries source, confidence (high|medium|low), precision_km",
              "(radius of location uncertainty) and nature (how the data came to be).", ""]
    for layer in layers:
        spec = layer.spec
        lines += [f"{layer.name}: {spec.title}",
                  f"  domain: {spec.domain}; nature: {spec.nature}; features: {len(layer.frame)}",
                  f"  {spec.description}"]
        caveat = caveat_for(spec)
        if caveat:
            lines.append(f"  caveat: {caveat}")
        lines.append("")
    for name in rasters:
        lines.append(f"{name}.tif: sea-ice concentration in percent, a cloud-optimised GeoTIFF "
                     "in EPSG:3413 (NaN over land, coast, pole hole and missing cells; public "
                     "data)")
    if marking is not None:
        lines += ["", marking.banner]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_readme(
    folder: Path, layers: list[ExportLayer], metadata: Mapping[str, str],
    rasters: list[str] | None = None, marking: ProductMarking | None = None,
) -> Path:
    """Write :func:`describe_export` as ``README.txt`` in ``folder``, with any rasters beside."""
    text = describe_export(layers, metadata, marking, rasters or [])
    path = folder / README_NAME
    path.write_text(text, encoding="utf-8")
    return path
