"""Export the picture to GIS formats: one entry point, a registry of formats.

:func:`export_picture` loads the picture (as :func:`northpic.load_picture`
does) and :func:`export_layers` writes any set of layer frames. Both refuse
an unknown format, an output path whose extension does not fit the format,
and an existing output unless ``overwrite`` is given; the output appears
all at once when it is complete (:mod:`northpic.atomic`).

Every export is made for an audience and marked (:mod:`northpic.markings`):
it holds only the records releasable to ``audience``; every record keeps
its marking fields (``classification``, ``releasability``, ``originator``),
and the product's marking (:meth:`~northpic.markings.ProductMarking.as_dict`) goes into the
format's own metadata and into the README.txt. Records no single audience
may see together are refused unless ``audience`` says for whom it is.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd

from northpic.atomic import atomic_output, ensure_parent, refuse_existing
from northpic.catalogue import LayerSpec
from northpic.errors import UnsupportedFormatError
from northpic.export.prepare import ExportLayer, prepare_layer
from northpic.markings import resolve_markings
from northpic.picture import TimeLike, check_markings, mark_picture, releasable_part

if TYPE_CHECKING:
    import xarray as xr

    from northpic.markings import MarkingTable

#: File name (without .tif) of the concentration raster in folder exports.
SEAICE_RASTER = "sea_ice_concentration"


@dataclass(frozen=True)
class ExportFormat:
    """One export format: what it writes and which function writes it.

    Attributes
    ----------
    name : str
        The ``--format`` value.
    title : str
        Human name.
    suffix : str or None
        The file extension the output must have; None for a folder of files.
    writer : str
        ``module:function`` of the writer, imported only when used.
    carries_nul : bool
        Whether text with a NUL character (``\\x00``) reaches the file whole
        (GeoParquet) or visibly replaced (KML, as U+FFFD); formats written
        through GDAL's C strings would cut it, so an export to them refuses.
    """

    name: str
    title: str
    suffix: str | None
    writer: str
    carries_nul: bool = False

    @property
    def is_folder(self) -> bool:
        """True when the export is a folder with one file per layer."""
        return self.suffix is None


#: The vector formats, by ``--format`` name.
FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("gpkg", "GeoPackage (styled for QGIS)", ".gpkg",
                     "northpic.export.gpkg:write_gpkg"),
        ExportFormat("kml", "KML (Google Earth)", ".kml", "northpic.export.kml:write_kml",
                     carries_nul=True),
        ExportFormat("geojson", "GeoJSON (RFC 7946), one file per layer", None,
                     "northpic.export.geojson:write_geojson"),
        ExportFormat("parquet", "GeoParquet 1.1, one file per layer", None,
                     "northpic.export.parquet:write_parquet", carries_nul=True),
        ExportFormat("shp", "Shapefile, one zip per layer", None,
                     "northpic.export.shapefile:write_shapefiles"),
        ExportFormat("csv", "CSV with WKT geometry, one file per layer", None,
                     "northpic.export.csv:write_csv"),
        ExportFormat("nvg", "NATO Vector Graphics 2.0.2", ".nvg", "northpic.export.nvg:write_nvg",
                     carries_nul=True),
        ExportFormat("cot", "Cursor-on-Target events, one .cot file per feature", None,
                     "northpic.export.cot:write_cot", carries_nul=True),
        ExportFormat("takpkg", "TAK data package (zip: manifest, KMZ, CoT events)", ".zip",
                     "northpic.export.takpkg:write_takpkg", carries_nul=True),
    )
}
#: Extensions of single-file outputs: a folder export refuses a name ending in one.
FILE_SUFFIXES = (".gpkg", ".kml", ".kmz", ".geojson", ".json", ".parquet", ".geoparquet",
                 ".shp", ".zip", ".csv", ".tif", ".tiff", ".html", ".png", ".nvg")


def get_format(name: str) -> ExportFormat:
    """Look an export format up by name.

    Raises
    ------
    UnsupportedFormatError
        For an unknown name; the message lists the valid ones.
    """
    try:
        return FORMATS[str(name).lower()]
    except KeyError:
        raise UnsupportedFormatError(
            f"unknown export format {name!r}; valid formats: {', '.join(FORMATS)}"
        ) from None


def check_output(
    out: str | Path, fmt: ExportFormat, *, overwrite: bool = False, mkdir: bool = False
) -> Path:
    """Check that ``out`` suits ``fmt`` and may be written.

    Parameters
    ----------
    out : str or pathlib.Path
        The output file (``.gpkg``, ``.kml``) or folder (the other formats).
    fmt : ExportFormat
        The format.
    overwrite : bool
        Whether an existing output may be replaced.
    mkdir : bool
        Whether a missing parent folder may be created (else it is an error).

    Returns
    -------
    pathlib.Path
        ``out`` as a path.

    Raises
    ------
    UnsupportedFormatError
        If the extension does not match the format.
    OutputExistsError
        If ``out`` exists and ``overwrite`` is false.
    OutputPathError
        If the parent folder does not exist and ``mkdir`` is false.
    """
    path = Path(out)
    suffix = path.suffix.lower()
    if fmt.suffix is not None and suffix != fmt.suffix:
        raise UnsupportedFormatError(
            f"{path}: a {fmt.title} export is one file ending in {fmt.suffix}, "
            f"not {suffix or 'no extension'}"
        )
    if fmt.suffix is None and suffix in FILE_SUFFIXES:
        raise UnsupportedFormatError(
            f"{path}: a {fmt.title} export is a folder; give a folder name without the "
            f"file extension {suffix}"
        )
    refuse_existing(path, overwrite)
    if not mkdir:
        ensure_parent(path, mkdir=False)
    return path


def export_metadata(at: TimeLike | None = None, **extra: str) -> dict[str, str]:
    """Return the export-wide provenance items written into every format."""
    from northpic._version import __version__

    items = {
        "title": "Northern situational picture",
        "generator": f"northpic {__version__}",
        "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "as_of": str(at) if at is not None else "all dates (every record, whatever its validity)",
        "crs": "EPSG:4326 (WGS 84 longitude/latitude)",
    }
    items.update(extra)
    return items


def export_layers(
    frames: Mapping[str, gpd.GeoDataFrame],
    specs: Mapping[str, LayerSpec],
    out: str | Path,
    format: str,
    *,
    overwrite: bool = False,
    metadata: Mapping[str, str] | None = None,
    rasters: Mapping[str, xr.Dataset] | None = None,
    mkdir: bool = False,
    audience: str | frozenset[str] | None = None,
    markings: MarkingTable | str | Path | None = None,
) -> Path:
    """Write layer frames in one export format, for an audience and marked.

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        Layer name to validated layer frame, in the order wanted.
    specs : mapping of str to LayerSpec
        Layer name to catalogue entry (style, nature, description).
    out : str or pathlib.Path
        The file or folder to write (see :data:`FORMATS`).
    format : str
        A name from :data:`FORMATS`.
    overwrite : bool
        Replace an existing output.
    metadata : mapping, optional
        Export-wide provenance; default :func:`export_metadata`.
    rasters : mapping of str to xarray.Dataset, optional
        Sea-ice concentration days written beside the layers of a folder
        format as ``NAME.tif`` (COG, EPSG:3413); single-file formats hold
        vectors only.
    mkdir : bool
        Create a missing parent folder of ``out``; otherwise it is an error.
    audience : str or frozenset of str, optional
        Write only the records releasable to this audience (``"EU"``,
        ``"NATO,EU"``). Default: every record, for the audiences all of them
        may go to.
    markings : MarkingTable, str or pathlib.Path, optional
        The markings table (or its file); default northpic's own.

    Returns
    -------
    pathlib.Path
        The output written.

    Raises
    ------
    UnsupportedFormatError
        For an unknown format or a mismatched extension.
    OutputExistsError
        If the output exists and ``overwrite`` is false.
    OutputPathError
        If the parent folder is missing and ``mkdir`` is false.
    MarkingsError
        For an audience the table does not hold, or a layer whose records
        carry no marking (none is assumed public).
    MarkingMixError
        If, without ``audience``, the records have no audience in common.
    SchemaError
        If a text cell holds a NUL character and the format cannot carry it
        (see :attr:`ExportFormat.carries_nul`): layer, record and field are named.
    StorageError
        If the machine refuses the write (disk full, read-only...); nothing is
        left behind.
    """
    fmt = get_format(format)
    path = check_output(out, fmt, overwrite=overwrite, mkdir=mkdir)
    codes, table = resolve_markings(audience, markings)
    check_markings(frames, table)  # before filtering: an unmarked layer is refused, not dropped
    frames = {name: releasable_part(frame, codes, table) for name, frame in frames.items()}
    marking = mark_picture(frames, table, codes)
    layers = [ExportLayer(name, specs[name], prepare_layer(frame, specs[name]))
              for name, frame in frames.items()]
    if fmt.name not in ("kml", "nvg"):  # XML replaces what it cannot hold (export.text)
        from northpic.export.text import refuse_nul

        refuse_nul(((layer.name, layer.frame) for layer in layers), fmt.title,
                   nul=not fmt.carries_nul)
    module, function = fmt.writer.split(":")
    writer = getattr(importlib.import_module(module), function)
    items = dict(metadata) if metadata is not None else export_metadata()
    items.update(marking.as_dict())
    with atomic_output(path, directory=fmt.is_folder, overwrite=overwrite, mkdir=mkdir) as tmp:
        writer(layers, tmp, metadata=items, marking=marking)
        if fmt.is_folder:
            from northpic.export.readme import write_readme

            if rasters:
                from northpic.export.seaice import write_concentration_geotiff

                for name, day in rasters.items():
                    write_concentration_geotiff(day, tmp / f"{name}.tif")
            write_readme(tmp, layers, items, rasters=list(rasters or {}), marking=marking)
    return path


def export_picture(
    out: str | Path,
    format: str,
    *,
    layers: Iterable[str] | None = None,
    at: TimeLike | None = None,
    events_store: str | Path | None = None,
    extra_layers: Mapping[str, tuple[gpd.GeoDataFrame, LayerSpec]] | None = None,
    rasters: Mapping[str, xr.Dataset] | None = None,
    overwrite: bool = False,
    mkdir: bool = False,
    audience: str | frozenset[str] | None = None,
    markings: MarkingTable | str | Path | None = None,
    perspective: str | Path | None = None,
) -> Path:
    """Export the northern picture (or some of its layers) to a GIS format, marked.

    Parameters
    ----------
    out : str or pathlib.Path
        ``.gpkg`` or ``.kml`` file; a folder for ``geojson``, ``parquet``,
        ``shp`` and ``csv`` (one file per layer).
    format : {"gpkg", "kml", "geojson", "parquet", "shp", "csv"}
        The format (see :data:`FORMATS`).
    layers : iterable of str, optional
        Layer names; default all. Besides the catalogue's layers, the event
        layers an ``events_store`` adds (``events_military``,
        ``events_economic``, ``events_environmental``, ``events_social``)
        can be named, alone or with others. With a store, its event layers
        join the named catalogue layers, unless ``layers`` names event
        layers: then only the named ones are exported.
    at : str or date, optional
        Only records valid at this moment; default every record.
    events_store : str or pathlib.Path, optional
        An event store whose events are exported too: events of a catalogue
        layer (e.g. ``shadow_fleet``) join it, the others form the
        ``events_<domain>`` layers.
    extra_layers : mapping of str to (GeoDataFrame, LayerSpec), optional
        Layers the caller has already made, exported after the picture's
        (e.g. an observed day's ice edge, layer ``sea_ice_observed``: see
        :func:`northpic.workflows.seaice.export_picture_with_seaice`, which
        ``northpic export --seaice FILE`` runs). Their records must carry
        marking fields (none is assumed public); only those releasable to
        ``audience`` are written.
    rasters : mapping of str to xarray.Dataset, optional
        Sea-ice concentration days that folder formats also get as
        ``NAME.tif`` (a COG in EPSG:3413; see :func:`export_layers`).
    overwrite : bool
        Replace an existing output; otherwise an existing output is an error.
    mkdir : bool
        Create a missing parent folder of ``out``; otherwise it is an error.
    audience : str or frozenset of str, optional
        Make the export for this audience (``"EU"``, ``"NATO,EU"``): it
        holds only records releasable to it; an event layer with none is
        left out unless ``layers`` names it. Default: every record, for the
        audiences all of them may go to (said in the metadata).
    markings : MarkingTable, str or pathlib.Path, optional
        The markings table (or its file); default northpic's own.
    perspective : str or pathlib.Path, optional
        Whose affiliations symbol-bearing formats use (the CoT types of
        ``cot`` and ``takpkg``), as ``northpic build --perspective``: a
        perspective name or file; default ``nato``, as the map's. When
        given, it is named in the export's metadata.

    Returns
    -------
    pathlib.Path
        The output written.

    Raises
    ------
    PerspectiveError
        For a perspective that is neither shipped nor a valid file.
    MarkingsError
        For an audience the table does not hold, or records without marking.
    MarkingMixError
        If, without ``audience``, the records have no audience in common.
    UnsupportedFormatError
        For an unknown format or an extension that does not fit it.
    OutputExistsError
        If ``out`` exists and ``overwrite`` is false.
    OutputPathError
        If the parent folder of ``out`` is missing and ``mkdir`` is false.
    LayerNotFoundError
        For a layer name neither in the catalogue nor an event layer; an
        event layer named without ``events_store`` is refused, saying so.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import northpic
    >>> folder = Path(tempfile.mkdtemp())
    >>> northpic.export_picture(folder / "picture.gpkg", "gpkg").name
    'picture.gpkg'
    >>> out = northpic.export_picture(folder / "picture-geojson", "geojson", at="2026-02-01")
    >>> sorted(p.name for p in out.glob("*.geojson"))[:3]
    ['arctic_council.geojson', 'bases.geojson', 'boundaries.geojson']
    >>> import shutil; shutil.rmtree(folder)
    """
    from northpic.picture import load_picture, spec_for, without_empty_event_layers

    # fail before loading anything
    check_output(out, get_format(format), overwrite=overwrite, mkdir=mkdir)
    codes, table = resolve_markings(audience, markings)
    extra_items = {}
    if perspective is not None:
        from northpic.symbology import read_perspective

        read_perspective(perspective)  # refused before the work
        extra_items["perspective"] = str(perspective)
    wanted = list(layers) if layers is not None else None
    catalogue_names = _catalogue_names(wanted, events_store)
    frames = load_picture(at=at, layers=catalogue_names, events_store=events_store,
                          audience=codes, markings=table)
    named_events = [n for n in wanted or [] if n not in (catalogue_names or [])]
    if named_events:  # event layers named: only the named layers
        frames = {name: frames[name] if name in frames else _no_events(name)
                  for name in wanted or []}
    frames = without_empty_event_layers(frames, keep=named_events)
    specs = {name: spec_for(name) for name in frames}
    for name, (frame, spec) in (extra_layers or {}).items():
        if name in frames:
            from northpic.errors import BadInputError

            raise BadInputError(f"an extra layer is named {name!r}, as a layer of the picture is")
        frames[name], specs[name] = frame, spec
    return export_layers(frames, specs, out, format, overwrite=overwrite,
                         metadata=export_metadata(at, **extra_items), rasters=rasters, mkdir=mkdir,
                         audience=codes, markings=table)


def _catalogue_names(names: list[str] | None, events_store: str | Path | None) -> list[str] | None:
    """Return the catalogue layers among ``--layers``, refusing unknown names.

    An event layer named without a store is refused with the reason.
    """
    if names is None:
        return None
    from northpic.catalogue import read_catalogue
    from northpic.errors import BadInputError, LayerNotFoundError
    from northpic.events.schema import event_layer_names

    catalogue = [spec.name for spec in read_catalogue()]
    events = list(event_layer_names())
    for name in names:
        if name in events and events_store is None:
            raise BadInputError(
                f"layer {name!r} holds reported events: give the event store with --events "
                "STORE (events_store=...) to export it"
            )
        if name not in catalogue and name not in events:
            raise LayerNotFoundError(name, catalogue + events)
    return [n for n in names if n in catalogue]


def _no_events(name: str) -> gpd.GeoDataFrame:
    """Return an empty event layer, for one the store holds no event of."""
    import pandas as pd

    from northpic.schema import COMMON_COLUMNS, MARKING_COLUMNS

    columns = {c: pd.Series(dtype=object) for c in (*COMMON_COLUMNS, *MARKING_COLUMNS)}
    columns["precision_km"] = pd.Series(dtype=float)
    for c in ("valid_from", "valid_to"):
        columns[c] = pd.Series(dtype="datetime64[ns, UTC]")
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs="EPSG:4326"),
                            crs="EPSG:4326")
