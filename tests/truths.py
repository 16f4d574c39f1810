"""Independent truths about the real files in ``../shared/data``, made without northpic.

A test of how northpic reads a real file compares with a count made here by another reader
(the standard library, netCDF4, pyais's own stream reader), or with a figure published in
``../shared/data/PROVENANCE.md``, never with a number northpic once printed.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

#: ITU-R M.1371 position reports: Class A (1, 2, 3), Class B (18, 19), long range (27).
POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})

_SENTENCE = re.compile(r"[!$]AIVD[MO],")


def nmea_sentence_lines(path: Path) -> int:
    """Lines holding an ``!AIVDM``/``!AIVDO`` sentence, as ``grep -c 'AIVD[MO],'`` counts them."""
    with open(path, encoding="ascii", errors="replace") as stream:
        return sum(1 for line in stream if _SENTENCE.search(line))


def pyais_position_reports(path: Path) -> int:
    """Position reports that pyais's own file reader assembles and decodes."""
    from pyais.stream import FileReaderStream

    count = 0
    for message in FileReaderStream(str(path)):
        try:
            decoded = message.decode()
        except Exception:  # damaged sentences: not a position report, whatever pyais raises
            continue
        count += decoded.msg_type in POSITION_TYPES
    return count


def csv_counts(path: Path, column: str, delimiter: str = ",") -> Counter[str]:
    """How many rows carry each value of ``column``, read by :mod:`csv`."""
    with open(path, newline="", encoding="utf-8") as stream:
        return Counter(row[column] for row in csv.DictReader(stream, delimiter=delimiter))


def netcdf_nan_cells(path: Path, variable: str) -> int:
    """NaN cells of one variable, read by netCDF4 with masking off (NaN is the file's fill)."""
    import netCDF4
    import numpy as np

    with netCDF4.Dataset(path) as ds:
        values = ds[variable]
        values.set_auto_mask(False)
        return int(np.isnan(values[:]).sum())
