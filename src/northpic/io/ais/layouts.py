"""AIS report columns and CSV header layouts: which header names mean which column.

The *reports frame* every AIS reader returns has the columns of
:data:`REPORT_COLUMNS`. A CSV or Parquet header is mapped to them by the
common spellings of :data:`ALIASES` (compared in lower case, letters and
digits only), and a few named layouts (:data:`LAYOUTS`) are recognised
from the fields that identify them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from northpic.errors import BadInputError, DataFileError

#: The reports frame: canonical column -> value type.
REPORT_COLUMNS: dict[str, str] = {
    "mmsi": "int",
    "time": "time",
    "lat": "float",
    "lon": "float",
    "sog": "float",
    "cog": "float",
    "heading": "float",
    "name": "str",
    "destination": "str",
    "callsign": "str",
    "imo": "float",
    "ship_type": "str",
}
REQUIRED_COLUMNS = ("mmsi", "time", "lat", "lon")
#: Values from which a field means "not available" (heading 511, speed 102.3 kn).
NOT_AVAILABLE_FROM = {"heading": 360.0, "sog": 102.2}

#: Header spellings (lower case, letters and digits only) of each canonical column.
ALIASES: dict[str, tuple[str, ...]] = {
    "mmsi": ("mmsi", "userid", "sourcemmsi", "shipmmsi"),
    "time": (
        "timestamp", "basedatetime", "datetimeutc", "msgtime", "timestamputc", "datetime",
        "time", "timeutc", "snapshotutc", "t",
    ),
    "lat": ("latitude", "lat", "y"),
    "lon": ("longitude", "lon", "long", "lng", "x"),
    "sog": ("sog", "speedoverground", "speed"),
    "cog": ("cog", "courseoverground", "course"),
    "heading": ("heading", "trueheading"),
    "name": ("name", "vesselname", "shipname"),
    "destination": ("destination", "dest"),
    "callsign": ("callsign", "callsignal"),
    "imo": ("imo", "imonr", "imonumber"),
    "ship_type": ("shiptype", "vesseltype", "typeofship"),
}

#: Named layouts and the header fields that identify them.
LAYOUTS: dict[str, frozenset[str]] = {
    "dma": frozenset({"timestamp", "typeofmobile", "mmsi"}),
    "marinecadastre": frozenset({"basedatetime", "mmsi", "vesselname"}),
    "kystverket": frozenset({"datetimeutc", "mmsi"}),
    "barentswatch": frozenset({"msgtime", "speedoverground", "mmsi"}),
    "digitraffic": frozenset({"snapshotutc", "mmsi"}),
}

#: Layouts whose times are when a snapshot of last known reports was taken,
#: an upper bound of each report's own time.
SNAPSHOT_LAYOUTS = frozenset({"digitraffic"})

#: Cell values that mean "no value" in AIS CSV files.
NULL_VALUES = ["", "None", "NULL", "null", "NA", "N/A", "nan", "NaN", "Unknown", "Undefined",
               "Unknown value"]
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def header_key(name: str) -> str:
    """Return a header name as :data:`ALIASES` spells it (``"# Timestamp"`` -> ``"timestamp"``).

    Examples
    --------
    >>> header_key("Ship type"), header_key("# Timestamp")
    ('shiptype', 'timestamp')
    """
    return _NON_ALNUM.sub("", name.lower())


def layout_of(header: Iterable[str]) -> str:
    """Name the AIS CSV layout a header belongs to (``"generic"`` if none).

    Examples
    --------
    >>> layout_of(["MMSI", "BaseDateTime", "LAT", "LON", "SOG", "VesselName"])
    'marinecadastre'
    """
    keys = {header_key(h) for h in header}
    for name, signature in LAYOUTS.items():
        if signature <= keys:
            return name
    return "generic"


def map_columns(
    header: list[str], columns: Mapping[str, str] | None, label: str
) -> dict[str, str]:
    """Map canonical report columns to the header's column names.

    Parameters
    ----------
    header : list of str
        Column names as in the file.
    columns : mapping, optional
        Explicit ``canonical -> file column`` choices (``--columns``);
        they win over the automatic ones.
    label : str
        The file, for error messages.

    Returns
    -------
    dict
        ``canonical -> file column`` for every column found.

    Raises
    ------
    BadInputError
        For an unknown canonical name.
    DataFileError
        When a mapped column is not in the file, or a required one
        (mmsi, time, lat, lon) cannot be found.
    """
    found: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for h in header:
        by_key.setdefault(header_key(h), h)
    for canonical, aliases in ALIASES.items():
        for alias in aliases:
            if alias in by_key:
                found[canonical] = by_key[alias]
                break
    for canonical, name in (columns or {}).items():
        if canonical not in REPORT_COLUMNS:
            raise BadInputError(
                f"unknown AIS column {canonical!r} in the column map; "
                f"valid names: {', '.join(REPORT_COLUMNS)}"
            )
        if name not in header:
            raise DataFileError(
                label, f"column {name!r} (mapped to {canonical}) is not in the header: "
                f"{', '.join(header)}"
            )
        found[canonical] = name
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        raise DataFileError(
            label,
            f"cannot find column(s) for {', '.join(missing)} in the header "
            f"({', '.join(header)}); map them with --columns, e.g. --columns "
            f"{missing[0]}=NAME",
        )
    return found
