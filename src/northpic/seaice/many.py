"""Many days of sea ice: compute a lazy (dask-backed) result and report progress.

The daily files are opened lazily by :func:`northpic.io.seaice.many.open_daily_files`;
every analysis of :mod:`northpic.seaice.analysis` works on the lazy Dataset
unchanged, and :func:`compute_with_progress` computes the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Progress = Callable[[str], None]


def compute_with_progress(obj: Any, progress: Progress | None = None, every: float = 0.1) -> Any:
    """Compute a dask-backed xarray object, reporting the share of tasks done.

    Parameters
    ----------
    obj : xarray.Dataset or xarray.DataArray
        A lazy result (e.g. :func:`~northpic.seaice.analysis.extent_area_dataset`).
    progress : callable, optional
        Called with ``"NN % computed"`` each time another ``every`` of the tasks is done;
        without it, ``obj`` is simply computed.
    every : float
        The share of tasks between two messages.

    Returns
    -------
    xarray.Dataset or xarray.DataArray
        The computed object.

    Examples
    --------
    >>> import dask.array as da
    >>> import xarray as xr
    >>> lazy = xr.DataArray(da.ones((4, 3), chunks=(1, 3)), dims=("time", "x")).sum("x")
    >>> said = []
    >>> compute_with_progress(lazy, said.append, every=0.5).values.tolist()
    [3.0, 3.0, 3.0, 3.0]
    >>> bool(said) and all(s.endswith(" % computed") for s in said)
    True
    """
    if progress is None:
        return obj.compute()
    from dask.callbacks import Callback

    report = progress

    class _Report(Callback):
        def _start_state(self, dsk: Any, state: Any) -> None:
            self._total = max(1, len(state["ready"]) + len(state["waiting"]))
            self._done, self._next = 0, every

        def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
            self._done += 1
            share = self._done / self._total
            if share >= self._next:
                report(f"{100 * share:.0f} % computed")
                self._next = share + every

    with _Report():
        return obj.compute()
