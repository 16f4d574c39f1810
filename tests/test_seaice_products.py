"""Sea-ice readers on files in each product's exact layout, and the real G10010 file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from pyproj import Geod, Transformer

from builders import seaice as b
from northpic.errors import DataFileError, UnsupportedFormatError
from northpic.io.seaice import open_concentration
from northpic.io.seaice.grid import PSN25, geographic_cell_area, projected_cell_area, zone_area
from northpic.io.seaice.standard import LAND, POLE_HOLE
from northpic.seaice.analysis import extent_and_area, extent_anomaly, monthly_means


@pytest.fixture(scope="session")
def truth() -> tuple[float, float]:
    return b.truth_extent_area()


WRITERS = {
    "G02202 v04r00": lambda d: b.write_g02202_v4(d / "seaice_conc_daily_nh_20230915_f17_v04r00.nc"),
    "G02202 v05r00": lambda d: b.write_g02202_v5(d / "sic_psn25_20230915_F17_v05r00.nc"),
    "G02202 v06r00": lambda d: b.write_g02202_v5(
        d / "sic_psn25_20230915_F17_v06r00.nc", version="v06r00"
    ),
    "NSIDC-0051": lambda d: b.write_nsidc0051(d / "NSIDC0051_SEAICE_PS_N25km_20230915_v2.0.nc"),
    "NSIDC-0081": lambda d: b.write_nsidc0051(
        d / "NSIDC0081_SEAICE_PS_N25km_20230915_v2.0.nc", near_real_time=True
    ),
    "OSI SAF": lambda d: b.write_osisaf(d / "ice_conc_nh_polstere-100_multi_202309151200.nc"),
    "G02135": lambda d: b.write_sii_geotiff(d),
}


@pytest.mark.parametrize("product", list(WRITERS))
def test_each_product_gives_the_true_extent_and_area(
    product: str, tmp_path: Path, truth: tuple[float, float]
) -> None:
    ds = open_concentration(WRITERS[product](tmp_path))
    assert ds.attrs["product"] == product
    assert ds.attrs["crs"] == "EPSG:3413"
    assert ds["sic"].dims == ("time", "y", "x") and ds["sic"].shape == (1, 448, 304)
    assert float(ds["sic"].max()) == pytest.approx(1.0)  # fractions, whatever the packing
    assert str(ds["time"].values[0])[:10] == "2023-09-15"
    row = extent_and_area(ds).iloc[0]
    extent, area = truth
    assert row["date"] == "2023-09-15"
    assert row["extent_mkm2"] == pytest.approx(extent, rel=0.01)
    if product == "OSI SAF":  # OSI SAF fills the pole hole: its area includes it
        hole = b._cap_area(b.POLE_HOLE_LAT) / 1e12
        assert row["area_mkm2"] == pytest.approx(area + hole, rel=0.01)
    else:
        assert row["area_mkm2"] == pytest.approx(area, rel=0.01)


def test_flags_are_read_as_nsidc_codes(tmp_path: Path) -> None:
    lon, lat = b.grid_lonlat()
    codes = b.surface_codes(lon, lat)
    for writer in ("G02202 v04r00", "NSIDC-0051"):
        ds = open_concentration(WRITERS[writer](tmp_path))
        flag = ds["flag"].values[0]
        assert (flag == POLE_HOLE).sum() == (codes == 251).sum() > 0
        assert (flag == LAND).sum() == (codes == 254).sum() > 0
        assert (flag == 253).sum() == (codes == 253).sum() > 0
        assert np.isnan(ds["sic"].values[0][flag > 0]).all()
        assert not np.isnan(ds["sic"].values[0][flag == 0]).any()


def test_scaled_flag_forms_in_an_already_decoded_file(tmp_path: Path) -> None:
    """A G02202 file someone saved after xarray decoded it: flags became 2.51 ... 2.54."""
    pct, code = b.raw_percent()
    values = pct.astype(np.float32) / 100
    values[code > 0] = code[code > 0] / 100.0
    ds = xr.Dataset(
        {"cdr_seaice_conc": (("time", "y", "x"), values[None])},
        coords={"x": b.X, "y": b.Y, "time": [np.datetime64("2023-09-15")]},
    )
    path = tmp_path / "decoded.nc"
    ds.to_netcdf(path)
    out = open_concentration(path)
    assert (out["flag"].values[0] == POLE_HOLE).sum() == (code == 251).sum()
    assert (out["flag"].values[0] == LAND).sum() == (code == 254).sum()
    assert float(out["sic"].max()) == pytest.approx(1.0)


def test_regular_latlon_grid_in_percent_with_land_120(tmp_path: Path, truth) -> None:
    ds = open_concentration(b.write_latlon(tmp_path / "g10010_like.nc"))
    assert ds.attrs["product"] == "G10010" and ds.attrs["crs"] == "EPSG:4326"
    assert float(ds["x"].min()) > -180 and float(ds["x"].max()) < 180
    assert (ds["flag"] == LAND).sum() > 0 and float(ds["sic"].max()) == pytest.approx(1.0)
    # no pole hole here: extent as NSIDC's within the grid's coarser edge
    assert extent_and_area(ds).iloc[0]["extent_mkm2"] == pytest.approx(truth[0], rel=0.01)


def test_real_g10010_file(shared_data: Path) -> None:
    from truths import netcdf_nan_cells

    path = shared_data / "seaice" / "g10010_sic_mean_1981-2020_north55.nc"
    ds = open_concentration(path)
    assert ds.attrs["product"] == "G10010"
    spot = ds["sic"].sel(y=85.125, x=0.125, method="nearest").values[0]
    assert spot == pytest.approx(0.987, abs=0.001)  # 98.7 % per the provenance notes
    far = ds["sic"].sel(y=75.125, x=-159.875, method="nearest").values[0]  # 200.1 E
    assert far == pytest.approx(0.905, abs=0.01)  # 90.5 % per the provenance notes
    # land and missing cells are the file's NaN cells, as netCDF4 counts them (75,346 per
    # PROVENANCE.md)
    assert int(ds["flag"].values.astype(bool).sum()) == netcdf_nan_cells(path, "seaice_conc")
    row = extent_and_area(ds).iloc[0]
    assert 10 < row["area_mkm2"] < row["extent_mkm2"] < 17


@pytest.mark.parametrize(
    ("name", "content", "error", "match"),
    [
        ("notes.txt", "hello", UnsupportedFormatError, "unsupported sea-ice file type .txt"),
        ("broken.nc", "not netcdf", DataFileError, "cannot read as NetCDF"),
        # xarray's advice to pass ``engine=`` means nothing to a CLI user
        ("zeros.nc", "\0" * 4096, DataFileError,
         r"zeros\.nc: cannot read as NetCDF: it is neither NetCDF-3 nor NetCDF-4/HDF5[^\n]*$"),
        ("missing.nc", None, DataFileError, "no such file"),
    ],
)
def test_bad_files_get_clear_errors(tmp_path: Path, name, content, error, match) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(error, match=match):
        open_concentration(path)


def test_other_netcdf_is_refused_listing_known_products(tmp_path: Path) -> None:
    path = tmp_path / "sst.nc"
    xr.Dataset({"sst": (("y", "x"), np.zeros((3, 3)))}).to_netcdf(path)
    with pytest.raises(
        UnsupportedFormatError, match=r"sst\.nc: not a sea-ice .*variables: sst.*G02202"
    ):
        open_concentration(path)


@pytest.mark.parametrize(("crs", "dtype"), [("EPSG:32633", "uint16"), ("EPSG:3413", "float32")])
def test_a_geotiff_that_is_no_sea_ice_index_is_refused(tmp_path: Path, crs: str, dtype: str):
    import rasterio
    from rasterio.transform import from_origin

    path = tmp_path / "dem.tif"
    with rasterio.open(path, "w", driver="GTiff", width=20, height=20, count=1, dtype=dtype,
                       crs=crs, transform=from_origin(500_000, 7_700_000, 1000, 1000)) as out:
        out.write(np.full((20, 20), 500, dtype=dtype), 1)
    with pytest.raises(UnsupportedFormatError, match="not a Sea Ice Index GeoTIFF"):
        open_concentration(path)


def test_a_g02202_file_without_projected_coordinates_is_refused(tmp_path: Path) -> None:
    path = b.write_g02202_v4(tmp_path / "seaice_conc_daily_nh_20230915_f17_v04r00.nc")
    ds = xr.open_dataset(path, decode_cf=False).drop_vars(["xgrid", "ygrid"])
    stripped = tmp_path / "stripped.nc"
    ds.to_netcdf(stripped)
    with pytest.raises(DataFileError, match="no projected coordinates"):
        open_concentration(stripped)


@pytest.mark.parametrize(("value", "fill"), [(80.0, None), (0.8, 255.0), (0.8, None)])
def test_a_latlon_grid_without_units_is_judged_by_its_values(tmp_path: Path, value, fill):
    lat, lon = np.arange(60.125, 90, 0.25), np.arange(0.125, 360, 0.25)
    conc = np.full((lat.size, lon.size), value)
    if fill is not None:
        conc[:5] = fill  # a fill value far outside 0-1 is not taken for a percentage
    path = tmp_path / "conc.nc"
    encoding = {"concentration": {"_FillValue": fill}} if fill is not None else {}
    xr.Dataset({"concentration": (("lat", "lon"), conc)}, coords={"lat": lat, "lon": lon}
               ).to_netcdf(path, encoding=encoding)
    sic = open_concentration(path)["sic"].values
    assert np.nanmin(sic) == pytest.approx(0.8) and np.nanmax(sic) == pytest.approx(0.8)


def test_real_median_extent_shapes_read_as_valid_pole_enclosing_polygons(shared_data: Path):
    from pyproj import Geod
    from shapely import Point

    from northpic.io.seaice import read_extent_shapes

    shapes = read_extent_shapes(shared_data / "seaice" / "nsidc_median_extent_1981-2010_monthly.geojson")
    assert len(shapes) == 12 and shapes.crs.to_epsg() == 4326
    assert shapes.geometry.is_valid.all() and shapes.geometry.covers(Point(0, 89.9)).all()
    area = [abs(Geod(ellps="WGS84").geometry_area_perimeter(g)[0]) / 1e12 for g in shapes.geometry]
    # land included (see PROVENANCE.md): larger than the sea-ice extent, March above September
    assert all(5 < a < 45 for a in area) and max(area) > 1.5 * min(area)


def test_cell_areas_match_geodesic_polygons() -> None:
    """Scale-factor areas against the geodesic area of the cell outline (independent)."""
    areas = projected_cell_area(PSN25.x, PSN25.y)
    inv = Transformer.from_crs("EPSG:3413", "EPSG:4326", always_xy=True)
    geod = Geod(ellps="WGS84")
    for row, col in [(0, 0), (224, 152), (100, 250), (400, 20), (234, 125)]:
        x0, y0 = PSN25.x[col] - 12_500, PSN25.y[row] - 12_500
        t = np.linspace(0, 25_000, 26)
        xs = np.concatenate([x0 + t, np.full(26, x0 + 25_000), x0 + t[::-1], np.full(26, x0)])
        ys = np.concatenate([np.full(26, y0), y0 + t, np.full(26, y0 + 25_000), y0 + t[::-1]])
        lon, lat = inv.transform(xs, ys)
        true = abs(geod.polygon_area_perimeter(lon, lat)[0])
        assert areas[row, col] == pytest.approx(true, rel=1e-4)
    assert areas.min() < 400e6 < 625e6 < areas.max() * 1.0  # not a flat 625 km2
    cap = abs(
        geod.polygon_area_perimeter(np.linspace(-180, 180, 3601)[:-1], np.full(3600, 70.0))[0]
    )
    assert zone_area(90) - zone_area(70) == pytest.approx(cap, rel=1e-6)
    assert geographic_cell_area(np.array([89.875, 89.625]), np.arange(0.125, 360, 0.25))[
        0
    ].sum() == pytest.approx(zone_area(90) - zone_area(89.75), rel=1e-9)


def test_monthly_means_and_anomaly(tmp_path: Path) -> None:
    from northpic.io.seaice.many import open_daily_files

    paths = b.write_g02202_series(tmp_path, 40, start=date(2023, 1, 10))
    ds = open_daily_files(paths)
    monthly = monthly_means(ds)
    assert [str(t)[:7] for t in monthly["time"].values] == ["2023-01", "2023-02"]
    daily = extent_and_area(ds)
    table = extent_anomaly(daily, __import__("pandas").Series({1: 15.0, 2: 16.0}))
    assert table.loc[0, "anomaly_mkm2"] == pytest.approx(daily.loc[0, "extent_mkm2"] - 15.0)
    assert table.loc[39, "median_mkm2"] == 16.0


@pytest.mark.parametrize("product", ["G02202 v04r00", "G02202 v05r00", "OSI SAF"])
def test_a_cell_at_exactly_15_percent_counts_as_ice(tmp_path: Path, product: str) -> None:
    # packed values times a float32 scale (0.01f) decode to 0.1499999...: still 15 %
    ds = open_concentration(WRITERS[product](tmp_path))
    sic = ds["sic"].isel(time=0).values
    at_15 = np.isclose(sic, 0.15, atol=1e-6)
    assert at_15.sum() > 0
    from northpic.seaice.analysis import ice_mask

    assert bool(ice_mask(ds).isel(time=0).values[at_15].all())


# one file of each NetCDF family in the registry; CF is northpic's own export of a G02202 day
_FAMILY_FILES = {
    "G02202": lambda d: b.write_g02202_v4(d / "seaice_conc_daily_nh_20230915_f17_v04r00.nc"),
    "NSIDC-0051/0081": lambda d: b.write_nsidc0051(d / "NSIDC0051_SEAICE_PS_N25km_20230915_v2.0.nc"),
    "OSI SAF": lambda d: b.write_osisaf(d / "ice_conc_nh_polstere-100_multi_202309151200.nc"),
    "latlon": lambda d: b.write_latlon(d / "G10010_sibt1850_v2.0.nc"),
}


def test_every_registry_entry_has_a_family_file_here() -> None:
    from northpic.io.seaice import PRODUCTS

    assert [p.name for p in PRODUCTS] == ["G02202", "NSIDC-0051/0081", "OSI SAF", "CF", "latlon"]


@pytest.mark.parametrize("name", ["G02202", "NSIDC-0051/0081", "OSI SAF", "CF", "latlon"])
def test_each_family_file_is_recognised_by_its_own_registry_entry(name: str, tmp_path) -> None:
    from northpic.export.seaice import write_concentration_netcdf
    from northpic.io.seaice import open_raw, recognise_product

    if name == "CF":
        day = open_concentration(_FAMILY_FILES["G02202"](tmp_path))
        path = write_concentration_netcdf(day, tmp_path / "northpic_cf.nc")
    else:
        path = _FAMILY_FILES[name](tmp_path)
    raw = open_raw(path)
    try:
        assert recognise_product(raw).name == name
    finally:
        raw.close()
    ds = open_concentration(path)
    assert ds["sic"].dims == ("time", "y", "x") and float(ds["sic"].max()) <= 1.0
