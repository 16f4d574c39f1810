"""No data is not zero: missing sea-ice cells are never read as open water (issue 12)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from builders import seaice as b
from northpic.cli import main
from northpic.errors import NoDataError, UnsupportedFormatError
from northpic.io.seaice import open_concentration
from northpic.seaice.analysis import MIN_VALID_FRACTION, valid_fraction
from northpic.seaice.edge import ice_edge


@pytest.fixture(scope="module")
def empty_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("nodata")
    return {
        how: b.write_g02202_without_data(folder / f"seaice_conc_daily_nh_2024011{i}_{how}.nc",
                                         how, day=date(2024, 1, 10 + i))
        for i, how in enumerate(("missing", "nan", "partial"))
    }


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("how", ["missing", "nan"])
def test_stats_of_a_file_without_data_exits_2_never_zero(empty_files, capsys, how):
    code, out, err = run(capsys, "seaice", "stats", str(empty_files[how]), "--json")
    assert code == 2, (out, err)
    assert "no data" in err and str(empty_files[how]) in err
    assert "0.000" not in out and "extent" not in out


@pytest.mark.parametrize("how", ["missing", "nan"])
def test_edge_of_a_file_without_data_writes_nothing(empty_files, tmp_path, capsys, how):
    out = tmp_path / "edge.gpkg"
    code, _, err = run(capsys, "seaice", "edge", str(empty_files[how]), "--out", str(out))
    assert code == 2 and "no data" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("how", ["missing", "nan"])
def test_routes_on_a_file_without_data_report_no_route_as_open(empty_files, capsys, how):
    code, out, err = run(capsys, "seaice", "routes", str(empty_files[how]))
    assert code == 2 and "no data" in err
    assert "0.0" not in out


def test_export_with_a_file_without_data_is_refused(empty_files, tmp_path, capsys):
    out = tmp_path / "brief"
    code, _, err = run(capsys, "export", "--format", "geojson", "--out", str(out), "--layers",
                       "bases", "--seaice", str(empty_files["missing"]))
    assert code == 2 and "no data" in err
    assert list(tmp_path.iterdir()) == []


def test_a_partly_missing_day_gives_its_valid_fraction(empty_files):
    ds = open_concentration(empty_files["partial"])
    share = float(valid_fraction(ds).values[0])
    # independent count: the builder's box marks these ocean cells missing
    pct, code = b.raw_percent()
    lon, lat = b.grid_lonlat()
    box = (lat >= 68) & (lat <= 82) & (lon >= 60) & (lon <= 170) & (code == 0)
    ocean = int(((code == 0)).sum())
    assert share == pytest.approx(1 - box.sum() / ocean, abs=1e-6)
    assert MIN_VALID_FRACTION <= share < 1


def test_a_route_across_missing_cells_is_no_data_not_open_water(empty_files, capsys):
    code, out, err = run(capsys, "seaice", "routes", str(empty_files["partial"]), "--json")
    assert code == 0, err
    rows = {r["id"]: r for r in json.loads(out)}
    nsr = rows["route-nsr"]
    assert nsr["share_in_ice"] is None and nsr["ice_km"] is None
    assert nsr["valid_fraction"] < MIN_VALID_FRACTION
    # routes away from the missing box keep their answer (the builder's ice covers them)
    nwp = rows["route-nwp-north"]
    assert nwp["valid_fraction"] == 1.0 and nwp["share_in_ice"] > 0.5
    code, out, _ = run(capsys, "seaice", "routes", str(empty_files["partial"]))
    line = next(row for row in out.splitlines() if row.strip().startswith("route-nsr"))
    assert "no data" in line and " 0.0 " not in line


def test_stats_over_days_with_and_without_data(empty_files, tmp_path, capsys):
    good = b.write_g02202_v4(tmp_path / "seaice_conc_daily_nh_20240120_f17_v04r00.nc",
                             day=date(2024, 1, 20))
    code, out, err = run(capsys, "seaice", "stats", str(empty_files["missing"]), str(good),
                         "--json")
    assert code == 0, err
    rows = {r["date"]: r for r in json.loads(out)}
    assert rows["2024-01-10"]["extent_mkm2"] is None and rows["2024-01-10"]["area_mkm2"] is None
    assert rows["2024-01-10"]["valid_fraction"] == 0
    extent, _ = b.truth_extent_area()
    assert rows["2024-01-20"]["extent_mkm2"] == pytest.approx(extent, rel=0.01)
    code, out, err = run(capsys, "seaice", "stats", str(empty_files["missing"]), str(good))
    line = next(row for row in out.splitlines() if "2024-01-10" in row)
    assert "no data" in line and "0.000" not in line.split("no data")[0]


def test_ice_edge_refuses_a_day_without_data(empty_files):
    with pytest.raises(NoDataError, match=r"no data on 2024-01-10: only 0\.0 %"):
        ice_edge(open_concentration(empty_files["missing"]))


def test_a_random_uint16_geotiff_on_the_polar_grid_is_no_sea_ice_index(tmp_path, capsys):
    path = b.write_random_geotiff(tmp_path / "random.tif")
    with pytest.raises(UnsupportedFormatError, match="not a Sea Ice Index .* neither a"):
        open_concentration(path)
    code, out, err = run(capsys, "seaice", "stats", str(path))
    assert code == 2 and "not a Sea Ice Index" in err and "extent" not in out
    named = b.write_random_geotiff(tmp_path / "N_20230915_concentration_v3.0.tif", seed=1)
    assert main(["seaice", "stats", str(named)]) == 2


def test_random_values_with_land_rows_are_no_sea_ice_index(tmp_path, capsys):
    import rasterio
    from rasterio.transform import from_origin

    # every value in range, the land flag on every 7th row: only the structure is wrong
    data = np.random.default_rng(3).integers(0, 1001, (448, 304), dtype=np.uint16)
    data[::7] = 2540
    path = tmp_path / "N_20230915_concentration_v3.0.tif"
    with rasterio.open(path, "w", driver="GTiff", width=304, height=448, count=1,
                       dtype="uint16", crs="EPSG:3411",
                       transform=from_origin(-3_850_000, 5_850_000, 25_000, 25_000)) as dst:
        dst.write(data, 1)
    with pytest.raises(UnsupportedFormatError, match=r"noise, not a field: .* differ by 3\d %"):
        open_concentration(path)
    code, out, err = run(capsys, "seaice", "stats", str(path))
    assert code == 2 and "no land mask: only 0 %" in err and "Traceback" not in err
    assert "extent" not in out


def test_a_real_layout_sea_ice_index_geotiff_is_still_read(tmp_path):
    for kind in ("concentration", "extent"):
        ds = open_concentration(b.write_sii_geotiff(tmp_path, kind=kind))
        assert float(valid_fraction(ds).values[0]) == 1.0


def test_a_geotiff_on_another_grid_is_refused(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    path = tmp_path / "N_20230915_concentration_v3.0.tif"
    data = np.zeros((100, 100), np.uint16)
    data[:10] = 2540
    with rasterio.open(path, "w", driver="GTiff", width=100, height=100, count=1,
                       dtype="uint16", crs="EPSG:3413",
                       transform=from_origin(-3_850_000, 5_850_000, 25_000, 25_000)) as dst:
        dst.write(data, 1)
    with pytest.raises(UnsupportedFormatError, match="not the Sea Ice Index's 304 x 448"):
        open_concentration(path)


def test_the_real_g10010_file_counts_its_nan_land_as_land(shared_data):
    # the file encodes land as NaN, like missing cells: Natural Earth tells them apart
    ds = open_concentration(shared_data / "seaice" / "g10010_sic_mean_1981-2020_north55.nc")
    nan_share = float(np.isnan(ds["sic"].values).mean())
    assert nan_share > 0.3  # a third of the cells are NaN ...
    assert float(valid_fraction(ds).values[0]) > 0.98  # ... and nearly all of them are land
