"""The plain-text provenance note that travels inside folder and zip exports."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from northpic.export.prepare import ExportLayer, caveat_for

README_NAME = "README.txt"


def describe_export(layers: list[ExportLayer], metadata: Mapping[str, str]) -> str:
    """Describe an export in plain text: what it is, each layer, its provenance.

    Parameters
    ----------
    layers : list of ExportLayer
        The layers written.
    metadata : mapping
        Export-wide items (title, generator, as-of date...).

    Returns
    -------
    str
        Lines of text; data strings appear as plain text, never markup.
    """
    lines = [str(metadata.get("title", "northpic export")), ""]
    lines += [f"{key}: {value}" for key, value in metadata.items() if key != "title"]
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
    return "\n".join(lines)


def write_readme(
    folder: Path, layers: list[ExportLayer], metadata: Mapping[str, str],
    rasters: list[str] | None = None,
) -> Path:
    """Write :func:`describe_export` as ``README.txt`` in ``folder``, with any rasters beside."""
    text = describe_export(layers, metadata)
    for name in rasters or []:
        text += (f"{name}.tif: sea-ice concentration in percent, a cloud-optimised GeoTIFF in "
                 "EPSG:3413 (NaN over land, coast, pole hole and missing cells)\n")
    path = folder / README_NAME
    path.write_text(text, encoding="utf-8")
    return path
