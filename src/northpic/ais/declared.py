"""Changes in what vessels declare: the reports where a name or destination changes.

Names and destinations repeat (a few thousand distinct values in ten
million reports), so the text is normalised once per distinct value and
the reports are compared by small integer codes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def declared_changes(
    values: pd.Series, mmsi: np.ndarray, normalise: Callable[[pd.Series], pd.Series]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Find where a vessel's declared text differs from what it declared before.

    Parameters
    ----------
    values : pandas.Series
        The text of each report (categorical or strings), sorted by
        ``(mmsi, time)``.
    mmsi : numpy.ndarray
        The vessel of each report.
    normalise : callable
        Maps a series of distinct texts to their comparable form; texts
        normalised to ``""`` count as not declared.

    Returns
    -------
    before_rows, rows : numpy.ndarray of int64
        For each change, the vessel's previous report that declared
        something, and the report declaring something else.
    before_text, text : numpy.ndarray of str
        The normalised texts of those reports.

    Examples
    --------
    >>> names = pd.Series(["ASTRA", None, "astra", "ORION", "VEGA"], dtype="category")
    >>> rows = declared_changes(names, np.array([1, 1, 1, 1, 2]), lambda s: s.str.upper())
    >>> [r.tolist() for r in rows]
    [[2], [3], ['ASTRA'], ['ORION']]
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        uniques = pd.Series(values.cat.categories, dtype="str")
    else:
        codes, found = pd.factorize(values)
        uniques = pd.Series(found, dtype="str")
    empty = np.empty(0, dtype=np.int64)
    if len(uniques) == 0:
        return empty, empty, empty.astype(str), empty.astype(str)
    normalised = normalise(uniques).to_numpy(dtype=object)
    norm_codes, _ = pd.factorize(pd.Series(normalised, dtype=object))
    norm_codes[normalised == ""] = -1
    lookup = np.append(norm_codes, -1).astype(np.int32)  # code -1 (no value) -> -1
    key = lookup[codes]
    if (key < 0).any():
        declared = np.flatnonzero(key >= 0)
        key, vessel = key[declared], mmsi[declared]
    else:
        declared, vessel = None, mmsi
    differ = np.flatnonzero((vessel[1:] == vessel[:-1]) & (key[1:] != key[:-1]))
    before, after = (differ, differ + 1) if declared is None else (
        declared[differ], declared[differ + 1]
    )
    return before, after, normalised[codes[before]], normalised[codes[after]]
