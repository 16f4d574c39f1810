"""Build the picture into one offline HTML map (and optionally a PNG).

An existing page or PNG is replaced only when it carries northpic's mark
or when ``overwrite`` is given, and a missing output folder is refused
unless ``mkdir`` is given (:mod:`northpic.export.page`).

A page is made for an audience (``audience``): it holds only the records
releasable to it, and nothing else of the others (no name, label, count,
layer or legend entry). It is marked top and bottom with the banner its
contents require (:mod:`northpic.markings`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from northpic.errors import BadInputError, UnsupportedFormatError
from northpic.export.page import (
    check_build_output,
    mark_page,
    write_bytes_atomic,
    write_text_atomic,
)
from northpic.markings import resolve_markings
from northpic.picture import (
    TimeLike,
    load_picture,
    mark_picture,
    spec_for,
    without_empty_event_layers,
)
from northpic.symbology import Perspective, read_perspective
from northpic.times import parse_time

if TYPE_CHECKING:
    from northpic.markings import MarkingTable
    from northpic.render.slide import Extent

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def build_map(
    out: str | Path,
    *,
    layers: Iterable[str] | None = None,
    at: TimeLike | None = None,
    projection: str = "polar",
    tiles: bool = False,
    png: str | Path | None = None,
    pdf: str | Path | None = None,
    extent: str | Iterable[str] | None = None,
    size: str | tuple[int, int] = "1920x1080",
    dtg: str | None = None,
    events_store: str | Path | None = None,
    seaice_file: str | Path | None = None,
    tracks_file: str | Path | None = None,
    title: str = "Northern situational picture",
    progress: Progress = _quiet,
    overwrite: bool = False,
    mkdir: bool = False,
    audience: str | frozenset[str] | None = None,
    markings: MarkingTable | str | Path | None = None,
    perspective: Perspective | str | Path | None = None,
) -> Path:
    """Build the northern picture as a self-contained HTML file, marked for its audience.

    Parameters
    ----------
    out : str or pathlib.Path
        HTML file to write. An existing file is replaced only when it is a map
        northpic built or ``overwrite`` is given.
    layers : iterable of str, optional
        Catalogue layers to draw; default all.
    at : str or date, optional
        The picture as of this date: records that begin later are left out
        and the page's time filter starts at this date. Default: now.
    projection : {"polar", "mercator"}
        Polar stereographic north (default) or Web Mercator.
    tiles : bool
        Add online tiles (Web Mercator only).
    png : str or pathlib.Path, optional
        Also render the map as a slide (:mod:`northpic.render.slide`) in
        headless Chromium: marking banners, title block with the date-time
        group, the map fitted to ``extent``, a legend of only the kinds shown,
        north arrow, scale and sources, and no interactive control. With
        several extents, one file each: ``STEM_EXTENT.png``.
    pdf : str or pathlib.Path, optional
        The same slides as one-page PDFs (Chromium's print to PDF).
    extent : str or iterable of str, optional
        What the slides show: named regions (``kola``, ``svalbard``,
        ``greenland``, ``bering``, ``giuk``, ``barents``, ``nsr``, ``arctic``;
        comma-separated names allowed) or bounds ``"S,W,N,E"`` in degrees (west
        greater than east crosses the antimeridian). Default ``arctic``.
    size : str or (int, int)
        Slide size in pixels, ``"1920x1080"`` by default.
    dtg : str, optional
        The slides' date-time group: a DTG (``041230ZDEC26``) or an ISO 8601
        time to write as one. Default: the build time.
    events_store : str or pathlib.Path, optional
        An event store (GeoPackage) whose events are drawn as a layer.
    seaice_file : str or pathlib.Path, optional
        A sea-ice concentration file drawn as an observed day.
    tracks_file : str or pathlib.Path, optional
        Vessel track lines (GeoJSON from ``northpic ais detect --tracks``, or
        GeoParquet; :func:`northpic.io.tracks.read_tracks`) drawn as the track
        layer, simplified per zoom, with a traffic density layer when zoomed
        out (:mod:`northpic.render.tracks`). Track records of the event store
        (``ais detect --add-tracks``) are drawn the same way.
    title : str
        The map's title.
    progress : callable, optional
        Called with short progress messages.
    overwrite : bool
        Replace ``out`` (and ``png``) even when it is not northpic's.
    mkdir : bool
        Create missing parent folders of ``out`` and ``png``; otherwise a
        missing folder is an error.
    audience : str or frozenset of str, optional
        Make the page for this audience (``"EU"``, ``"NATO,EU"``): it holds
        only the records releasable to it; an event layer with none is left
        out. Default: every record, and the page is for the most restrictive
        set of audiences they need.
    markings : MarkingTable, str or pathlib.Path, optional
        The markings table (or its file); default northpic's own.
    perspective : Perspective, str or pathlib.Path, optional
        Whose point of view gives the military symbols their affiliation:
        ``"nato"`` (default: Allies friend, Russia hostile), ``"eu"``,
        ``"none"`` (all unknown) or a perspective file
        (:func:`northpic.symbology.read_perspective`). An installation's
        affiliation is that of the state that operates it.

    Returns
    -------
    pathlib.Path
        The HTML file written.

    Raises
    ------
    OutputExistsError
        If ``out`` or ``png`` is another program's file and ``overwrite`` is false.
    OutputPathError
        If a parent folder is missing and ``mkdir`` is false.
    StorageError
        If the machine refuses the write (disk full, read-only...); the old
        file is kept and no temporary file is left.
    MarkingsError
        For an audience the table does not hold, or records without marking.
    MarkingMixError
        If, without ``audience``, the records have no audience in common.
    PerspectiveError
        For an unknown perspective name or a bad perspective file.
    AssetMissingError
        If the symbol library is not installed (run ``make`` or ``npm ci``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from northpic.build import build_map
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = build_map(Path(folder) / "briefing.html", at="2026-02-02")
    ...     html = page.read_text(encoding="utf-8")
    >>> page.name, html.startswith("<!DOCTYPE html>"), "Northern situational picture" in html
    ('briefing.html', True, True)
    >>> "UNCLASSIFIED // PUBLIC RELEASE" in html
    True
    """
    if png is not None and Path(png).suffix.lower() != ".png":
        raise UnsupportedFormatError(f"{png}: --png writes a PNG image; use a .png name")
    if pdf is not None and Path(pdf).suffix.lower() != ".pdf":
        raise UnsupportedFormatError(f"{pdf}: --pdf writes a PDF document; use a .pdf name")
    if at is not None and parse_time(at, option="--at") is None:
        raise BadInputError("--at needs a date")
    slides = _slide_jobs(png, pdf, extent, size, dtg, built=datetime.now(UTC))
    if Path(out).suffix.lower() not in (".html", ".htm"):
        raise UnsupportedFormatError(f"{out}: the map is an HTML page; use an .html name")
    codes, table = resolve_markings(audience, markings)
    view = read_perspective(perspective)
    check_build_output(Path(out), overwrite, mkdir)  # before any work
    for path in slides.paths:
        check_build_output(path, overwrite, mkdir)
    page = picture_page(layers=layers, at=at, projection=projection, tiles=tiles,
                        events_store=events_store, seaice_file=seaice_file,
                        tracks_file=tracks_file, title=title,
                        progress=progress, audience=codes, markings=table, perspective=view)
    out = Path(out)
    write_text_atomic(out, page, mkdir=mkdir)
    progress(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    if slides.paths:
        from northpic.render.slide import render_slides

        for ext, kind, data in render_slides(page, slides.extents, formats=slides.formats,
                                             size=slides.size, title=title, dtg=slides.dtg):
            path = slides.path(ext, kind)
            write_bytes_atomic(path, data, mkdir=mkdir)
            progress(f"wrote slide {path} ({ext.label}, DTG {slides.dtg})")
    return out


def picture_page(
    *,
    layers: Iterable[str] | None = None,
    at: TimeLike | None = None,
    projection: str = "polar",
    tiles: bool = False,
    events_store: str | Path | None = None,
    seaice_file: str | Path | None = None,
    tracks_file: str | Path | None = None,
    title: str = "Northern situational picture",
    progress: Progress = _quiet,
    audience: str | frozenset[str] | None = None,
    markings: MarkingTable | str | Path | None = None,
    perspective: Perspective | str | Path | None = None,
) -> str:
    """Return the picture as one self-contained, marked HTML page (what :func:`build_map` writes).

    The parameters are those of :func:`build_map`; ``northpic serve``'s
    live map (``GET /map``) serves this page for each client's audience.

    Raises
    ------
    MarkingsError, MarkingMixError, PerspectiveError, AssetMissingError
        As :func:`build_map`.
    """
    from northpic.render.map import render_map

    moment = parse_time(at, option="--at") if at is not None else pd.Timestamp(datetime.now(UTC))
    if moment is None:
        raise BadInputError("--at needs a date")
    codes, table = resolve_markings(audience, markings)
    view = read_perspective(perspective)
    progress("loading layers")
    loaded = load_picture(layers=layers, events_store=events_store, audience=codes,
                          markings=table)
    tracks = _picture_tracks(loaded, tracks_file, codes, table, progress)
    frames = without_empty_event_layers(loaded)
    specs = {name: spec_for(name) for name in frames}
    for name, frame in list(frames.items()):
        if at is not None:  # as of that date: nothing that begins later
            frame = frame[frame["valid_from"].isna() | (frame["valid_from"] <= moment)]
        # monthly climatology keeps all twelve months: the page shows the slider's month
        frames[name] = frame
    if tracks is not None and at is not None:  # as of that date: no track begun later
        tracks = tracks[tracks["valid_from"].isna() | (tracks["valid_from"] <= moment)]
    # from what the page holds; the sea-ice overlay is public (NSIDC, OSI SAF open files)
    held = frames if tracks is None else {**frames, "tracks": tracks}
    marking = mark_picture(held, table, codes)
    progress(f"rendering {sum(len(f) for f in frames.values())} features"
             + ("" if tracks is None else f" and {len(tracks):,} track line(s)")
             + f", marked {marking.banner}")
    fmap = render_map(frames, specs, at=moment, projection=projection, tiles=tiles, title=title,
                      marking=marking, perspective=view, tracks=tracks)
    if seaice_file is not None:
        from northpic.io.seaice import open_concentration
        from northpic.render.seaice import add_seaice_overlay

        progress(f"adding sea ice from {seaice_file}")
        add_seaice_overlay(fmap, open_concentration(seaice_file))
    return mark_page(fmap.get_root().render())


def _picture_tracks(
    frames: dict[str, gpd.GeoDataFrame], tracks_file: str | Path | None,
    audience: frozenset[str] | None, table: MarkingTable, progress: Progress,
) -> gpd.GeoDataFrame | None:
    """Take the track lines out of ``frames`` (stored ``--add-tracks``) and add the file's.

    Both are kept to ``audience``: a track it may not see never reaches the page.
    """
    from northpic.markings import for_audience
    from northpic.render.tracks import split_track_records

    parts = []
    for name, frame in list(frames.items()):
        rest, found = split_track_records(frame)
        if len(found):
            frames[name] = rest
            parts.append(found)
    if tracks_file is not None:
        from northpic.io.tracks import read_tracks

        progress(f"reading tracks from {tracks_file}")
        read = read_tracks(tracks_file)
        kept = for_audience(read, audience, table)
        if audience is not None and len(kept) < len(read):
            progress(f"kept {len(kept):,} of {len(read):,} track line(s) for the audience")
        parts.append(kept)
    if not parts:
        return None
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                            crs="EPSG:4326")


@dataclass(frozen=True)
class _Slides:
    """The slides one build makes: which extents, as what, where."""

    extents: list[Extent]
    outputs: dict[str, list[Path]]  # "png"/"pdf" -> one path per extent
    size: tuple[int, int]
    dtg: str

    @property
    def formats(self) -> list[str]:
        return list(self.outputs)

    @property
    def paths(self) -> list[Path]:
        return [p for paths in self.outputs.values() for p in paths]

    def path(self, extent: Extent, kind: str) -> Path:
        return self.outputs[kind][self.extents.index(extent)]


def _slide_jobs(png: str | Path | None, pdf: str | Path | None,
                extent: str | Iterable[str] | None, size: str | tuple[int, int],
                dtg: str | None, built: datetime) -> _Slides:
    from northpic.render.slide import (
        DEFAULT_EXTENT,
        format_dtg,
        parse_dtg,
        parse_extents,
        parse_size,
        slide_paths,
    )

    names = [DEFAULT_EXTENT] if extent is None else [extent] if isinstance(extent, str) \
        else list(extent)
    extents = parse_extents(names)
    outputs = {kind: slide_paths(target, extents)
               for kind, target in (("png", png), ("pdf", pdf)) if target is not None}
    if extent is not None and not outputs:
        raise BadInputError("--extent chooses what a slide shows: add --png or --pdf")
    stamp = parse_dtg(dtg) if dtg is not None else format_dtg(pd.Timestamp(built))
    return _Slides(extents, outputs, parse_size(size), stamp)
