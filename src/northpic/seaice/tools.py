"""The guts of ``northpic seaice ...``: open files, analyse, write. One function per command."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def open_any(paths: Sequence[str | Path], progress: Progress = _quiet):
    """Open one file eagerly, or several as one lazy Dataset (:mod:`northpic.seaice.many`)."""
    from northpic.seaice.many import open_daily_files
    from northpic.seaice.products import open_concentration

    if len(paths) == 1:
        return open_concentration(paths[0])
    return open_daily_files(paths, progress=progress)


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
    from northpic.seaice.analysis import (
        MIN_VALID_FRACTION,
        extent_anomaly,
        extent_area_dataset,
        stats_table,
    )
    from northpic.seaice.many import compute_with_progress

    ds = open_any(paths, progress)
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
        from northpic.seaice.climatology import median_extent_mkm2

        table = extent_anomaly(table, median_extent_mkm2())
    return table


def edge_of_file(
    path: str | Path,
    out: str | Path,
    threshold: float = 15,
    date: str | None = None,
    overwrite: bool = False,
) -> gpd.GeoDataFrame:
    """Trace the ice edge of a file and write it (GeoJSON or GeoPackage by extension)."""
    from northpic.errors import UnsupportedFormatError
    from northpic.export.atomic import refuse_existing
    from northpic.seaice.edge import ice_edge
    from northpic.seaice.export import EDGE_FORMATS, write_edge
    from northpic.seaice.products import open_concentration

    out = Path(out)
    if out.suffix.lower() not in EDGE_FORMATS:  # fail before the work
        raise UnsupportedFormatError(
            f"{out}: cannot write the ice edge as {out.suffix or '(none)'}; "
            f"use one of {', '.join(EDGE_FORMATS)}"
        )
    refuse_existing(out, overwrite)
    frame = ice_edge(open_concentration(path), threshold=threshold, date=date)
    write_edge(frame, out, overwrite=overwrite)
    return frame


def routes_of_file(
    path: str | Path, threshold: float = 15, date: str | None = None
) -> pd.DataFrame:
    """Share of each catalogue shipping route in ice, most exposed first."""
    from northpic.picture import load_layer
    from northpic.seaice.products import open_concentration
    from northpic.seaice.routes import exposure_table, route_exposure

    routes = load_layer("shipping_routes")
    routes = routes[routes.geom_type.isin(["LineString", "MultiLineString"])]
    return exposure_table(route_exposure(open_concentration(path), routes, threshold, date))


def export_file(path: str | Path, out: str | Path, overwrite: bool = False) -> Path:
    """Write a file's concentration as a COG GeoTIFF (``.tif``) or CF NetCDF (``.nc``)."""
    from northpic.seaice.export import write_concentration
    from northpic.seaice.products import open_concentration

    return write_concentration(open_concentration(path), out, overwrite=overwrite)
