"""``northpic ais detect`` as a library call: read AIS files, clean, detect, write the events.

:func:`detect_files` reads the files (:func:`northpic.io.ais.read_ais`),
marks the reports (:func:`northpic.ais.provenance.report_markings`),
cleans them (:func:`northpic.ais.cleaning.clean_reports`), runs the
detectors (:func:`northpic.ais.pipeline.detect_events`), gives the events
and tracks the marking of their reports
(:func:`northpic.ais.provenance.mark_derived`), writes them as GeoJSON
products (:func:`northpic.export.ais_geojson.write_geojson`, with the
product's marking) and adds them to the event store.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa

from northpic.ais.cleaning import clean_reports
from northpic.ais.events import EVENT_KINDS
from northpic.ais.kinds import check_kinds
from northpic.ais.pipeline import Progress, detect_events
from northpic.ais.provenance import (
    AIS_RELEASABILITY,
    MARKING_CODE,
    ReportMarkings,
    check_marking_options,
    mark_derived,
    report_markings,
    vessel_markings,
)
from northpic.ais.spoofing import SPOOFING_REASONS
from northpic.errors import BadInputError, DataFileError, MarkingMixError
from northpic.markings import (
    MarkingTable,
    ProductMarking,
    for_audience,
    product_marking,
    resolve_markings,
)

#: The report columns the detectors, the cleaning and track lines use: all that
#: :func:`detect_files` reads (heading, call sign and ship type are not). The
#: course is there for cleaning alone: a ``repeated`` report has the same
#: position, speed and course as the one before (a moored ship's course jitters).
DETECTOR_FIELDS = ("mmsi", "time", "lat", "lon", "sog", "cog", "name", "destination", "imo")
#: Track vertices kept at most for --tracks and --add-tracks: the map simplifies them per
#: zoom (:mod:`northpic.render.tracks`), and draws this many usably.
TRACK_VERTICES = 5_000_000
_LARGE_INPUT = 32 << 20  # bytes of input from which the lookups are loaded while reading


def _quiet(_: str) -> None:
    return None


def load_lookups(kinds: Iterable[str], land_check: bool = True) -> None:
    """Load the land mask, shoreline and port indexes the cleaning and ``kinds`` use.

    They take about half a second; :func:`detect_files` loads them in a
    thread while the files are being read.
    """
    from northpic.ais.landmask import load_land_mask
    from northpic.ais.ports import load_ports
    from northpic.ais.shore import load_shoreline

    wanted = set(kinds)
    if land_check:
        load_land_mask()
    if wanted & {"ais_gap", "encounter", "loitering"}:
        load_shoreline()
    if wanted & {"encounter", "diversion"}:
        load_ports(distances="encounter" in wanted)


@dataclass
class DetectionRun:
    """What :func:`detect_files` did."""

    events: gpd.GeoDataFrame
    counts: dict[str, int]
    out: Path | None = None
    tracks_out: Path | None = None
    #: The folder of CoT position reports (last position per vessel), if written.
    cot_out: Path | None = None
    added: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    #: Loud notes for the user: a reason that removed more than 5 % of the input.
    warnings: list[str] = field(default_factory=list)
    #: The marking of the events as a product (what ``out`` says at its top).
    marking: ProductMarking | None = None


def detect_files(
    paths: Sequence[str | Path],
    out: str | Path | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    format: str = "auto",
    time_format: str | None = None,
    tracks_out: str | Path | None = None,
    add: bool = False,
    add_tracks: bool = False,
    store: str | Path | None = None,
    overwrite: bool = False,
    mkdir: bool = False,
    land_check: bool = True,
    kinds: Iterable[str] = EVENT_KINDS,
    releasability: str = AIS_RELEASABILITY,
    originator: str | None = None,
    classification: str | None = None,
    markings: MarkingTable | str | Path | None = None,
    audience: str | frozenset[str] | None = None,
    progress: Progress = _quiet,
    cot_out: str | Path | None = None,
) -> DetectionRun:
    """Read AIS files, clean them, detect events and write them.

    Parameters
    ----------
    paths : sequence of paths
        AIS files (see :func:`northpic.io.ais.read_ais`).
    out : path, optional
        GeoJSON file for the events (written atomically; refused if it
        exists unless ``overwrite``).
    columns, format, time_format
        Passed to :func:`~northpic.io.ais.read_ais`.
    tracks_out : path, optional
        GeoJSON file for the track lines (:func:`~northpic.ais.trajectories.track_lines`).
    add : bool
        Add the events to the event store as layer ``shadow_fleet``
        (:func:`northpic.events.add_events`).
    add_tracks : bool
        Also add the track lines (kind ``track``, thinned to at most
        250,000 vertices) to the store, so that the map draws them.
    store : path, optional
        The event store (default: the event store's default).
    overwrite : bool
        Replace existing output files.
    mkdir : bool
        Create the outputs' missing parent folders (otherwise a missing
        folder is refused before any work).
    land_check : bool
        Remove reports on land (see :func:`~northpic.ais.cleaning.clean_reports`).
    kinds : iterable of str
        Event kinds to detect.
    releasability : str
        Who may receive the reports (``"NATO, EU"``, ``"NOR EYES ONLY"``...),
        for every report of every file; default ``PUBLIC``, since AIS is
        broadcast in the clear. A ``releasability`` column of a CSV or
        Parquet input marks its reports one by one (blank cells take this).
    originator : str, optional
        Who contributed the reports (default ``"AIS feed <file name>"``, per file).
    classification : str, optional
        The reports' level (default the table's lowest); a
        ``classification`` column overrides it per report, as above.
    markings : MarkingTable or path, optional
        The markings table (default northpic's own).
    audience : str or frozenset of str, optional
        Make ``out`` and ``tracks_out`` for this audience (``"EU"``,
        ``"NATO, EU"``): they hold only what it may receive. The event
        store (``add``) takes every event, each with its marking. Without
        it, a GeoJSON product is for the audiences its contents allow, and
        refused when no single audience may see them all.
    progress : callable, optional
        Called with progress messages (counts and rates per stage).
    cot_out : path, optional
        A folder to write, atomically, one Cursor-on-Target position report
        per vessel: its last cleaned position
        (:func:`~northpic.ais.trajectories.last_positions`,
        :func:`~northpic.export.cot.write_position_reports`), marked like its
        tracks and kept to ``audience`` like ``out``.

    Every event and track takes the most restrictive marking of the reports
    of its vessel(s) (:func:`~northpic.ais.provenance.mark_derived`): the
    highest classification, the audiences common to all of them, and their
    originators joined.

    Returns
    -------
    DetectionRun
        With ``warnings`` for every reason that removed more than 5 % of the
        reports (also given to ``progress``), and the events' ``marking``.

    Raises
    ------
    OutputExistsError, OutputPathError, UnsupportedFormatError
        Before any work, for an ``out`` or ``tracks_out`` that exists (without
        ``overwrite``), whose folder is missing (without ``mkdir``) or that is
        no ``.geojson`` name; :class:`~northpic.errors.BadInputError` when both
        name the same file.
    StoreError
        Before any work, with ``add`` or ``add_tracks``, for a store that
        could not take the events (:func:`northpic.store.check_writable`:
        damaged, not writable, a missing folder); its refusal of the batch
        itself names the input files ("events detected from FILE").
    DataFileError
        When the files hold no position report, or cleaning keeps none
        (every time unreadable, every MMSI invalid...): an empty result
        caused by bad input is never reported as "0 events".
    SchemaError, MarkingsError
        For a batch marking or a marking column value the table does not
        hold (the file, the report and the reason), or an unusable table.
    MarkingMixError
        When the reports of one vessel (or of the two of an encounter)
        have no audience in common, or the events of ``out`` (or the
        tracks of ``tracks_out``) have none: nothing is written.
    """
    from northpic.ais.trajectories import track_lines
    from northpic.export.ais_geojson import check_writable, write_geojson
    from northpic.io.ais import read_ais
    from northpic.store import check_writable as check_store_writable

    wanted = list(kinds)
    check_kinds(wanted)
    wanted_audience, table = resolve_markings(audience, markings)
    check_marking_options(table, releasability, originator, classification)
    targets = [Path(t) for t in (out, tracks_out) if t is not None]
    for target in targets:
        check_writable(target, overwrite, mkdir)
    if len(targets) == 2 and targets[0].absolute() == targets[1].absolute():
        raise BadInputError(f"{targets[0]}: --out and --tracks name the same file; give two names")
    if cot_out is not None:
        from northpic.atomic import ensure_parent, refuse_existing

        refuse_existing(Path(cot_out), overwrite)
        if not mkdir:
            ensure_parent(Path(cot_out), mkdir=False)
    if add or add_tracks:  # a store refusal costs no work and leaves no file written
        check_store_writable(store)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with ThreadPoolExecutor(1) as pool:  # the CSV parser lets go of the GIL
        # for large inputs, load the lookups while reading (small ones may not need them)
        large = sum(Path(p).stat().st_size for p in paths if Path(p).is_file()) > _LARGE_INPUT
        lookups = pool.submit(load_lookups, wanted, land_check) if large else None
        reports = read_ais(paths, columns=columns, format=format, fields=DETECTOR_FIELDS,
                           time_format=time_format)
        if lookups is not None:
            lookups.result()
    marked = _mark_reports(reports, paths, format, table, releasability, originator,
                           classification, progress)
    seconds["read"] = time.perf_counter() - started
    layouts = ", ".join(sorted(set(reports.attrs.get("layouts", []))))
    progress(f"read {len(reports):,} reports from {len(reports.attrs['sources'])} input(s) "
             f"({layouts}) in {seconds['read']:.2f} s "
             f"({len(reports) / max(seconds['read'], 1e-9):,.0f} reports/s)")
    nmea = reports.attrs.get("nmea") or {}
    if nmea:
        progress(f"NMEA: {nmea.get('sentences', 0):,} sentences, "
                 f"{nmea.get('undecodable', 0):,} undecodable")
    step = time.perf_counter()
    cleaned = clean_reports(reports, inland_km=2.0 if land_check else None, consume=True,
                            keep_rejected=SPOOFING_REASONS, drop=("cog",))
    seconds["clean"] = time.perf_counter() - step
    progress(f"cleaned in {seconds['clean']:.2f} s: {cleaned.summary()}")
    del reports
    label = ", ".join(str(p) for p in paths)
    if cleaned.counts["input"] == 0:
        raise DataFileError(label, "no position reports in the input")
    if cleaned.counts["kept"] == 0:
        hint = ""
        if cleaned.counts.get("missing_time") == cleaned.counts["input"]:
            hint = ("; no report has a time: NMEA needs tag blocks (\\c:...\\), $PGHP lines "
                    "or a time on each line, CSV a time column (see --columns, --time-format)")
        raise DataFileError(label, f"no usable position reports: {cleaned.summary()}{hint}")
    for warning in cleaned.warnings:
        progress(f"warning: {warning}")
    step = time.perf_counter()
    events = detect_events(cleaned, kinds=wanted, progress=lambda m: progress(f"  {m}"))
    seconds["detect"] = time.perf_counter() - step
    total = time.perf_counter() - started
    seconds["total"] = total
    progress(f"{len(events):,} event(s) from {cleaned.counts['input']:,} reports in {total:.2f} s "
             f"({cleaned.counts['input'] / max(total, 1e-9):,.0f} reports/s)")
    tracks = (
        track_lines(cleaned.reports, max_vertices=TRACK_VERTICES)
        if tracks_out is not None or add_tracks else None
    )
    # every marking is derived (or refused) before anything is written
    vessels = vessel_markings(marked, [cleaned.reports, cleaned.removed(*SPOOFING_REASONS)])
    events = mark_derived(events, marked, vessels, "events")
    if tracks is not None:
        tracks = mark_derived(tracks, marked, vessels, "tracks")
    positions = positions_marking = None
    if cot_out is not None:
        from northpic.ais.trajectories import last_positions

        positions = for_audience(
            mark_derived(last_positions(cleaned.reports), marked, vessels, "tracks"),
            wanted_audience, table)
        positions_marking = _product_marking(positions, table, wanted_audience, cot_out,
                                             "position reports")
    shown = for_audience(events, wanted_audience, table)
    marking = _product_marking(shown, table, wanted_audience, out, "events")
    shown_tracks = None if tracks is None else for_audience(tracks, wanted_audience, table)
    tracks_marking = (None if shown_tracks is None else
                      _product_marking(shown_tracks, table, wanted_audience, tracks_out, "tracks"))
    if marking is not None:
        progress(f"events marked {marking.banner}")
    run = DetectionRun(events, cleaned.counts, seconds=seconds, warnings=list(cleaned.warnings),
                       marking=marking)
    del cleaned  # let go of the cleaned reports before writing (the tracks are made)
    if tracks is None:  # and give their memory back (Arrow's pool keeps it for reuse otherwise)
        pa.default_memory_pool().release_unused()
    for_whom = ("" if wanted_audience is None
                else f" releasable to {table.text(wanted_audience)}")
    if out is not None and marking is not None:
        run.out = write_geojson(shown, Path(out), overwrite=overwrite, mkdir=mkdir,
                                marking=marking.as_dict())
        progress(f"wrote {len(shown):,} of {len(events):,} event(s){for_whom} to {run.out}")
    if tracks_out is not None and shown_tracks is not None and tracks_marking is not None:
        run.tracks_out = write_geojson(shown_tracks, Path(tracks_out), overwrite=overwrite,
                                       mkdir=mkdir, marking=tracks_marking.as_dict())
        progress(f"wrote {len(shown_tracks):,} track segment(s){for_whom} to {run.tracks_out}")
    if cot_out is not None and positions is not None and positions_marking is not None:
        from northpic.export.cot import write_position_reports

        run.cot_out = write_position_reports(positions, cot_out, marking=positions_marking,
                                             overwrite=overwrite, mkdir=mkdir)
        progress(f"wrote {len(positions):,} CoT position report(s){for_whom} to {run.cot_out}")
    if add:
        from northpic.events import add_events

        result = add_events(events, store, layer="shadow_fleet",
                            label=f"events detected from {label}")
        run.added = result.added + result.updated
        progress(f"added {len(events):,} event(s) to {result.store} as layer shadow_fleet")
    if add_tracks and tracks is not None and len(tracks):
        from northpic.events import add_events

        result = add_events(tracks.assign(time=tracks["valid_from"]), store, layer="shadow_fleet",
                            label=f"tracks from {label}")
        progress(f"added {len(tracks):,} track segment(s) to {result.store}")
    return run


def _mark_reports(
    reports: pd.DataFrame, paths: Sequence[str | Path], format: str, table: MarkingTable,
    releasability: str, originator: str | None, classification: str | None,
    progress: Progress,
) -> ReportMarkings:
    """Mark the reports; add the :data:`MARKING_CODE` column when they do not share one marking."""
    from northpic.io.ais.marking_columns import read_marking_columns

    inputs = read_marking_columns(paths, format=format)
    sources = list(reports.attrs.get("sources", []))
    if [i.label for i in inputs] != sources:  # both list the inputs the same way
        raise DataFileError(", ".join(sources), "the inputs changed while they were read")
    for found in inputs:
        if found.columns:
            progress(f"{found.label}: reports marked by their {' and '.join(found.columns)} "
                     "column(s)")
    marked = report_markings(inputs, reports.attrs["source_rows"], table,
                             releasability=releasability, originator=originator,
                             classification=classification)
    if marked.codes is not None:
        reports[MARKING_CODE] = marked.codes
    return marked


def _product_marking(
    frame: pd.DataFrame, table: MarkingTable, audience: frozenset[str] | None,
    target: str | Path | None, what: str,
) -> ProductMarking | None:
    """Return the marking of a GeoJSON product of ``frame``; ``None`` if there is none to write.

    Raises
    ------
    MarkingMixError
        When ``target`` is given and no single audience may see all of ``frame``.
    """
    try:
        return product_marking([frame], table, audience)
    except MarkingMixError:
        if target is None:
            return None
        firsts = frame.drop_duplicates("releasability").head(4)
        restricted = [r for r in firsts["releasability"] if r != "PUBLIC"]
        examples = "; ".join(f"{i} is {r}" for i, r in
                             zip(firsts["id"], firsts["releasability"], strict=True))
        raise MarkingMixError(
            f"{target}: the {what} have no audience in common, so no single audience may "
            f"receive this file ({examples}); run the "
            f"feeds of each marking separately, or say for whom the file is (--audience, e.g. "
            f"--audience {restricted[0].split(',')[0]})"
        ) from None
