"""The layer catalogue: which layers exist, where their data lives, how they look.

The catalogue is data (``layers/catalogue.json``, read by
:mod:`northpic.io.catalogue_file`), validated on load. In a
wheel the ``layers/`` folder is installed as ``northpic/_layers``; in a
source checkout it is read from the repository root. A malformed catalogue,
whatever it holds (wrong types, control characters, a data file outside
the catalogue's folder, binary junk, JSON nested too deeply), is a
:class:`~northpic.errors.CatalogueError` naming the file and the entry.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from northpic.errors import CatalogueError, LayerNotFoundError
from northpic.io.catalogue_file import CATALOGUE_FILE, read_catalogue_entries
from northpic.schema import DOMAINS, text_problem
from northpic.symbology import sidc_problem

GEOMETRY_KINDS = ("point", "line", "polygon", "any")
NATURES = ("authored", "schematic", "reported", "climatology", "observed", "modelled", "events")
#: The label and the sentence that mark data of each approximate nature (map and exports).
CAVEATS = {
    "schematic": (
        "schematic",
        "Schematic: an indicative path between authored points, not a surveyed line.",
    ),
    "climatology": (
        "climatology",
        "Climatology: what is typical for the period, not an observation of one date.",
    ),
    "reported": (
        "reported",
        "Reported event: time and place as publicly reported, location approximate.",
    ),
    "modelled": ("modelled", "Modelled data, not an observation."),
    "events": ("events", "Events from the event store or AIS detection; see each event's source."),
}
_LAYER_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class LayerSpec:
    """One catalogue entry.

    Attributes
    ----------
    name : str
        Stable machine name, e.g. ``"bases"``.
    title : str
        Human title for legends and layer controls.
    domain : str
        One of :data:`northpic.schema.DOMAINS`.
    file : pathlib.Path
        The data file.
    geometry : str
        ``point``, ``line``, ``polygon`` or ``any``.
    nature : str
        How the data came to be: ``authored`` facts, ``schematic`` lines,
        ``reported`` events, ``climatology`` and so on; anything but
        ``authored``/``observed`` is labelled as approximate or modelled.
    style : dict
        Colour, symbol, weight, dash... used by the map and the exports.
    description : str
        One or two sentences for the legend and the export metadata.
    reader : str or None
        A special reader for files that are not plain layer files.
    densify_km : float or None
        Maximum segment length for geodesic densification of lines.
    """

    name: str
    title: str
    domain: str
    file: Path
    geometry: str
    nature: str
    style: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    reader: str | None = None
    densify_km: float | None = None

    @property
    def is_approximate(self) -> bool:
        """True when the layer's geometry is schematic, modelled or climatological."""
        return self.nature not in ("authored", "observed")


def layers_dir() -> Path:
    """Return the folder holding the catalogue and the layer data files."""
    packaged = resources.files("northpic") / "_layers"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "layers"
    if checkout.is_dir():
        return checkout
    raise CatalogueError("northpic's layer data is missing: reinstall the package")


def _check_symbol_codes(style: dict[str, Any], where: str) -> None:
    """Check the kinds' symbol codes: each a valid SIDC, and all kinds or none have one."""
    kinds = style.get("kinds", {})
    if not isinstance(kinds, dict) or not all(isinstance(v, dict) for v in kinds.values()):
        raise CatalogueError(f"{where}: style.kinds must map each kind to a JSON object")
    coded = [kind for kind, kstyle in kinds.items() if "sidc" in kstyle]
    for kind in coded:
        problem = sidc_problem(kinds[kind]["sidc"])
        if problem:
            raise CatalogueError(f"{where}: style.kinds.{kind}.sidc {problem}")
    missing = [kind for kind in kinds if kind not in coded]
    if coded and missing:
        raise CatalogueError(f"{where}: style.kinds {', '.join(missing)} need a sidc: the "
                             "layer's other kinds are drawn as standard symbols")


def _parse_entry(entry: dict[str, Any], folder: Path, where: str) -> LayerSpec:
    required = ("name", "title", "domain", "file", "geometry", "nature", "style", "description")
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: an entry must be a JSON object, not "
                             f"{type(entry).__name__}")
    missing = [k for k in required if k not in entry]
    if missing:
        raise CatalogueError(f"{where}: missing {', '.join(missing)}")
    for key in ("name", "title", "domain", "file", "geometry", "nature", "description"):
        value = entry[key]
        if not isinstance(value, str):
            raise CatalogueError(f"{where}: {key} must be text, not {type(value).__name__}")
        problem = text_problem(value, multiline=key == "description")
        if problem:
            raise CatalogueError(f"{where}: {key} {problem}")
    if not _LAYER_NAME.fullmatch(entry["name"]):
        raise CatalogueError(f"{where}: name {entry['name']!r} must be lower-case letters, "
                             "digits and '_'")
    if not isinstance(entry["style"], dict) or not all(isinstance(k, str)
                                                       for k in entry["style"]):
        raise CatalogueError(f"{where}: style must be a JSON object")
    _check_symbol_codes(entry["style"], where)
    if entry.get("reader") is not None and not isinstance(entry["reader"], str):
        raise CatalogueError(f"{where}: reader must be text")
    densify = entry.get("densify_km")
    if densify is not None and (isinstance(densify, bool) or not isinstance(densify, int | float)
                                or not math.isfinite(densify) or densify <= 0):
        raise CatalogueError(f"{where}: densify_km must be a number > 0, not {densify!r}")
    relative = Path(entry["file"])
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise CatalogueError(f"{where}: file {entry['file']!r} must name a file inside "
                             f"{folder}")
    if entry["domain"] not in DOMAINS:
        raise CatalogueError(f"{where}: unknown domain {entry['domain']!r}")
    if entry["geometry"] not in GEOMETRY_KINDS:
        raise CatalogueError(f"{where}: unknown geometry {entry['geometry']!r}")
    if entry["nature"] not in NATURES:
        raise CatalogueError(f"{where}: unknown nature {entry['nature']!r}")
    path = folder / entry["file"]
    if not path.is_file():
        raise CatalogueError(f"{where}: data file {path} does not exist")
    return LayerSpec(
        name=entry["name"],
        title=entry["title"],
        domain=entry["domain"],
        file=path,
        geometry=entry["geometry"],
        nature=entry["nature"],
        style=dict(entry["style"]),
        description=entry["description"],
        reader=entry.get("reader"),
        densify_km=entry.get("densify_km"),
    )


@lru_cache(maxsize=4)
def read_catalogue(folder: Path | None = None) -> tuple[LayerSpec, ...]:
    """Read and validate ``catalogue.json``.

    Parameters
    ----------
    folder : pathlib.Path, optional
        Folder holding ``catalogue.json``; defaults to :func:`layers_dir`.

    Returns
    -------
    tuple of LayerSpec
        In catalogue order.

    Raises
    ------
    CatalogueError
        If the file is malformed, an entry lacks a field, names repeat or a
        data file is missing.
    """
    folder = folder or layers_dir()
    path = folder / CATALOGUE_FILE
    specs = [
        _parse_entry(entry, folder, f"{path}: layer #{i + 1}")
        for i, entry in enumerate(read_catalogue_entries(path))
    ]
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CatalogueError(f"{path}: duplicate layer names {', '.join(duplicates)}")
    return tuple(specs)


def get_layer_spec(name: str) -> LayerSpec:
    """Look a layer up by name.

    Raises
    ------
    LayerNotFoundError
        If ``name`` is not in the catalogue; the message lists valid names.
    """
    specs = read_catalogue()
    for spec in specs:
        if spec.name == name:
            return spec
    raise LayerNotFoundError(name, [s.name for s in specs])
