"""Many daily files as one lazy Dataset."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import dask.array as da
import numpy as np
import pytest

from builders import seaice as b
from northpic.errors import BadInputError, DataFileError
from northpic.io.seaice import open_concentration
from northpic.io.seaice.many import date_from_name, open_daily_files
from northpic.seaice.analysis import extent_and_area, monthly_extent


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return b.write_g02202_series(tmp_path_factory.mktemp("season"), 45, start=date(2023, 3, 20))


def test_open_is_lazy_sorted_and_matches_single_reads(season: list[Path]) -> None:
    ds = open_daily_files(list(reversed(season)))
    assert isinstance(ds["sic"].data, da.Array) and isinstance(ds["flag"].data, da.Array)
    assert ds["sic"].shape == (45, 448, 304)
    assert np.all(np.diff(ds["time"].values).astype("timedelta64[D]").astype(int) == 1)
    series = extent_and_area(ds)
    for i in (0, 17, 44):
        single = extent_and_area(open_concentration(season[i])).iloc[0]
        assert series.iloc[i]["date"] == single["date"]
        assert series.iloc[i]["extent_mkm2"] == pytest.approx(single["extent_mkm2"], rel=1e-12)
    assert series["extent_mkm2"].nunique() > 30  # the edge moves day by day
    months = monthly_extent(ds)
    assert list(months["month"]) == ["2023-03", "2023-04", "2023-05"]
    march = series[series["date"] < "2023-04-01"]["extent_mkm2"].mean()
    assert months.loc[0, "extent_mkm2"] == pytest.approx(march)


def test_duplicate_dates_and_mixed_grids_are_refused(season: list[Path], tmp_path: Path) -> None:
    copy = tmp_path / ("v2_" + season[0].name)
    shutil.copy(season[0], copy)
    with pytest.raises(BadInputError, match="a second file for 2023-03-20"):
        open_daily_files([season[0], copy])
    other = b.write_latlon(tmp_path / "seaice_20230321_latlon.nc")
    ds = open_daily_files([season[0], other])
    with pytest.raises(DataFileError, match="not the same product and grid"):
        _ = ds["sic"].values


def test_dates_from_names() -> None:
    assert str(date_from_name("seaice_conc_daily_nh_19790101_n07_v04r00.nc").date()) == "1979-01-01"
    assert date_from_name("NSIDC0081_SEAICE_PS_N25km_20240915_v2.0.nc").month == 9
    assert date_from_name("monthly_mean.nc") is None
