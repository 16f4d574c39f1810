"""The guts of ``northpic seaice ...`` and ``export --seaice``: open files, analyse, write.

One function per command. Files are opened through :mod:`northpic.io.seaice`,
analysed by :mod:`northpic.seaice` and written by :mod:`northpic.export`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

if TYPE_CHECKING:
    import xarray as xr

    from northpic.catalogue import LayerSpec
    from northpic.markings import MarkingTable
    from northpic.picture import TimeLike

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def stats_of_files(
    paths: Sequence[str | Path], anomaly: bool = False, progress: Progress = _quiet
) -> pd.DataFrame:
    """Extent and area (million km2) per date of one or many files, with ``valid_fraction``.

    A day whose ``valid_fraction`` is under
    :data:`~northpic.seaice.analysis.MIN_VALID_FRACTION` has NaN (no data)
    extent and area; when no day has data, :class:`~northpic.errors.NoDataError`.
    With ``anomaly``, add the 1981-2010 median of each date's month and the
    difference (see :func:`northpic.seaice.climatology.median_extent_mkm2`).
    """
    from northpic.errors import NoDataError
    from northpic.io.seaice.many import open_concentration_files
    from northpic.seaice.analysis import (
        MIN_VALID_FRACTION,
        extent_anomaly,
        extent_area_dataset,
        stats_table,
    )
    from northpic.seaice.many import compute_with_progress

    ds = open_concentration_files(paths, progress)
    both = extent_area_dataset(ds)
    done = compute_with_progress(both, progress) if len(paths) > 1 else both.compute()
    table = stats_table(done)
    if table["extent_mkm2"].isna().all() and len(table):
        where = str(paths[0]) if len(paths) == 1 else f"{len(paths)} files ({paths[0]} ...)"
        raise NoDataError(
            f"{where}: no data: at most {100 * table['valid_fraction'].max():.1f} % of the ocean "
            f"cells of any day hold a concentration (at least {100 * MIN_VALID_FRACTION:g} % are "
            "needed); missing cells are not open water, so no extent or area is reported"
        )
    if anomaly:
        from northpic.picture import load_layer
        from northpic.seaice.climatology import median_extent_mkm2

        table = extent_anomaly(table, median_extent_mkm2(load_layer("sea_ice")))
    return table


def edge_of_file(
    path: str | Path,
    out: str | Path,
    threshold: float = 15,
    date: str | None = None,
    overwrite: bool = False,
) -> gpd.GeoDataFrame:
    """Trace the ice edge of a file and write it (GeoJSON or GeoPackage by extension)."""
    from northpic.export.seaice import check_edge_output, write_edge
    from northpic.io.seaice import open_concentration
    from northpic.seaice.edge import ice_edge

    out = check_edge_output(out, overwrite)  # fail before the work
    frame = ice_edge(open_concentration(path), threshold=threshold, date=date)
    write_edge(frame, out, overwrite=overwrite)
    return frame


def routes_of_file(
    path: str | Path, threshold: float = 15, date: str | None = None
) -> pd.DataFrame:
    """Share of each catalogue shipping route in ice, most exposed first."""
    from northpic.io.seaice import open_concentration
    from northpic.picture import load_layer
    from northpic.seaice.routes import exposure_table, route_exposure

    routes = load_layer("shipping_routes")
    routes = routes[routes.geom_type.isin(["LineString", "MultiLineString"])]
    return exposure_table(route_exposure(open_concentration(path), routes, threshold, date))


def export_file(path: str | Path, out: str | Path, overwrite: bool = False) -> Path:
    """Write a file's concentration as a COG GeoTIFF (``.tif``) or CF NetCDF (``.nc``)."""
    from northpic.export.seaice import write_concentration
    from northpic.io.seaice import open_concentration

    return write_concentration(open_concentration(path), out, overwrite=overwrite)


def observed_ice_day(
    path: str | Path, at: TimeLike | None = None, markings: MarkingTable | None = None,
) -> tuple[gpd.GeoDataFrame, LayerSpec, xr.Dataset]:
    """Open a concentration file and trace the ice edge of its day, as a picture layer.

    Parameters
    ----------
    path : str or pathlib.Path
        Any file :func:`northpic.io.seaice.open_concentration` reads.
    at : str or date, optional
        The day to take when the file holds several; default its only day.
    markings : MarkingTable, optional
        The table whose lowest level marks the (public) edge.

    Returns
    -------
    tuple
        The edge frame (layer :data:`~northpic.seaice.edge.LAYER`, marked
        by :func:`marked_ice_edge`), its
        :class:`~northpic.catalogue.LayerSpec`, and the day's Dataset.
    """
    from northpic.io.seaice import open_concentration
    from northpic.seaice.edge import ice_edge, observed_edge_spec, select_day
    from northpic.times import parse_time

    moment = parse_time(at, option="at")  # the file's day at --at; else its only day
    day = select_day(open_concentration(path),
                     None if moment is None else moment.date().isoformat())
    return marked_ice_edge(ice_edge(day), markings), observed_edge_spec(path), day


#: Who contributed an ice edge traced from a public sea-ice file.
SEAICE_ORIGINATOR = "northpic (traced from public sea-ice data, NSIDC / OSI SAF)"


def marked_ice_edge(edge: gpd.GeoDataFrame, markings: MarkingTable | None = None
                    ) -> gpd.GeoDataFrame:
    """Mark an ice edge traced from a public sea-ice file: ``PUBLIC``, the lowest level.

    The products northpic reads (NSIDC, OSI SAF) are openly published, so
    what is traced from them is too; the marking is given here, explicitly.
    """
    from northpic.markings import PUBLIC, default_markings, with_marking_defaults

    table = markings or default_markings()
    marked = with_marking_defaults(edge, releasability=PUBLIC, originator=SEAICE_ORIGINATOR,
                                   classification=table.lowest.code)
    return gpd.GeoDataFrame(marked, geometry=edge.geometry.name, crs=edge.crs)


def export_picture_with_seaice(
    out: str | Path,
    format: str,
    *,
    layers: Iterable[str] | None = None,
    at: TimeLike | None = None,
    events_store: str | Path | None = None,
    seaice_file: str | Path | None = None,
    overwrite: bool = False,
    mkdir: bool = False,
    audience: str | frozenset[str] | None = None,
    markings: MarkingTable | str | Path | None = None,
    perspective: str | Path | None = None,
) -> Path:
    """Export the picture (:func:`northpic.export.api.export_picture`), with an observed ice day.

    Parameters
    ----------
    out, format, layers, at, events_store, overwrite, mkdir, audience, markings, perspective
        As for :func:`~northpic.export.api.export_picture`. The ice edge and
        concentration come from public files: ``PUBLIC``, the lowest level.
    seaice_file : str or pathlib.Path, optional
        A sea-ice concentration file (any product
        :func:`~northpic.io.seaice.open_concentration` reads): its 15 % ice
        edge becomes layer ``sea_ice_observed``, and folder formats also get
        its concentration as ``sea_ice_concentration.tif`` (a COG in
        EPSG:3413). The day is the file's only one, or the one at ``at``.

    Returns
    -------
    pathlib.Path
        The output written.
    """
    from northpic.export import check_output, export_picture, get_format
    from northpic.export.api import SEAICE_RASTER
    from northpic.markings import resolve_markings

    codes, table = resolve_markings(audience, markings)  # before the work
    extra_layers, rasters = {}, {}
    if seaice_file is not None:
        check_output(out, get_format(format), overwrite=overwrite, mkdir=mkdir)  # before the work
        edge, spec, day = observed_ice_day(seaice_file, at, table)
        extra_layers[spec.name], rasters[SEAICE_RASTER] = (edge, spec), day
    return export_picture(out, format, layers=layers, at=at, events_store=events_store,
                          extra_layers=extra_layers, rasters=rasters, overwrite=overwrite,
                          mkdir=mkdir, audience=codes, markings=table, perspective=perspective)
