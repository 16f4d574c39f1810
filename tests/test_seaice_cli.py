"""``northpic seaice`` end to end: stats, edge, export, routes, fetch; and the analytics behind."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
import xarray as xr

from builders import seaice as b
from northpic.cli import main
from northpic.errors import FetchError
from northpic.io.seaice import open_concentration
from northpic.seaice.edge import ice_edge
from northpic.seaice.routes import route_exposure


@pytest.fixture(scope="module")
def v4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("v4")
    return b.write_g02202_v4(folder / "seaice_conc_daily_nh_20230915_f17_v04r00.nc")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_done_when_stats_json_within_one_percent_of_truth(v4: Path, capsys) -> None:
    code, out, err = run(capsys, "seaice", "stats", str(v4), "--json")
    assert code == 0, err
    rows = json.loads(out)
    extent, area = b.truth_extent_area()
    assert [set(r) for r in rows] == [{"date", "extent_mkm2", "area_mkm2", "valid_fraction"}]
    assert rows[0]["valid_fraction"] == 1.0  # the builder leaves no ocean cell missing
    assert rows[0]["date"] == "2023-09-15"
    assert rows[0]["extent_mkm2"] == pytest.approx(extent, rel=0.01)
    assert rows[0]["area_mkm2"] == pytest.approx(area, rel=0.01)
    # a flat 625 km2 per cell is about 2 % off here: it would fail this test
    ds = open_concentration(v4)
    cells = int((ds["sic"] >= 0.15).sum() + (ds["flag"] == 251).sum())
    assert abs(cells * 625e6 / 1e12 - extent) / extent > 0.015


def test_stats_of_many_files_with_anomaly(tmp_path: Path, capsys) -> None:
    paths = b.write_g02202_series(tmp_path, 3)
    code, out, err = run(capsys, "seaice", "stats", *map(str, paths), "--json", "--anomaly")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["date"] for r in rows] == ["2023-01-01", "2023-01-02", "2023-01-03"]
    assert all(r["median_mkm2"] == pytest.approx(rows[0]["median_mkm2"]) for r in rows)
    assert 13 < rows[0]["median_mkm2"] < 16  # January 1981-2010 median, about 14.7
    assert rows[0]["anomaly_mkm2"] == pytest.approx(rows[0]["extent_mkm2"] - rows[0]["median_mkm2"])


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_done_when_edge_writes_valid_polygons(
    v4: Path, tmp_path: Path, capsys, suffix: str
) -> None:
    out = tmp_path / f"edge{suffix}"
    code, _, err = run(capsys, "seaice", "edge", str(v4), "--out", str(out))
    assert code == 0, err
    frame = pyogrio.read_dataframe(out)
    assert frame.crs.to_epsg() == 4326 and len(frame) >= 1
    assert frame.is_valid.all() and frame.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    main_ice = frame.geometry.iloc[0]
    assert main_ice.contains(shapely.Point(100, 89.99))  # encloses the pole
    assert main_ice.bounds[0] == -180 and main_ice.bounds[2] == 180  # cut at 180, not wrapped
    assert main_ice.contains(shapely.Point(179.9, 80)) and main_ice.contains(
        shapely.Point(-179.9, 80)
    )
    assert not main_ice.contains(shapely.Point(20, 81))  # the island is land, not ice
    assert not main_ice.contains(shapely.Point(0, 60))
    assert frame["area_km2"].iloc[0] / 1e6 == pytest.approx(b.truth_extent_area()[0], rel=0.01)
    code, _, err = run(capsys, "seaice", "edge", str(v4), "--out", str(out))
    assert code == 2 and "already exists" in err


def test_edge_of_latlon_grid_closes_seam_and_pole(tmp_path: Path) -> None:
    frame = ice_edge(open_concentration(b.write_latlon(tmp_path / "g.nc")))
    assert frame.is_valid.all() and len(frame) == 1
    assert frame.geometry.iloc[0].contains(shapely.Point(0.0, 89.99))
    assert frame.geometry.iloc[0].contains(shapely.Point(0.01, 75))  # across the 0/360 seam


def test_export_cog_and_cf_netcdf(v4: Path, tmp_path: Path, capsys) -> None:
    tif, nc = tmp_path / "c.tif", tmp_path / "c.nc"
    for out in (tif, nc):
        code, _, err = run(capsys, "seaice", "export", str(v4), "--out", str(out))
        assert code == 0, err
    info = json.loads(
        subprocess.run(
            ["gdalinfo", "-json", str(tif)], capture_output=True, text=True, check=True
        ).stdout
    )
    assert info["metadata"]["IMAGE_STRUCTURE"]["LAYOUT"] == "COG"
    assert "3413" in info["coordinateSystem"]["wkt"].split("ID[")[-1]
    assert info["bands"][0]["overviews"]
    # NSIDC's 25 km north polar stereographic grid: 304 columns x 448 rows, x from -3850 km
    # (NSIDC, "A Guide to NSIDC's Polar Stereographic Projection", grid definitions table)
    assert info["size"] == [304, 448] and info["geoTransform"][0] == -3_850_000
    import rasterio

    with rasterio.open(tif) as src:
        pct = src.read(1)
    assert np.nanmax(pct) == pytest.approx(100) and np.isnan(pct).any()
    ds = xr.open_dataset(nc)
    assert ds.attrs["Conventions"] == "CF-1.8"
    assert ds["sic"].attrs["standard_name"] == "sea_ice_area_fraction"
    assert ds["sic"].attrs["units"] == "1" and ds["sic"].attrs["grid_mapping"] == "crs"
    assert ds["crs"].attrs["grid_mapping_name"] == "polar_stereographic"
    assert ds["cell_area"].attrs["standard_name"] == "cell_area"
    assert ds["x"].attrs["standard_name"] == "projection_x_coordinate"
    again = open_concentration(nc)  # northpic reads its own CF files back
    assert again.attrs["crs"] == "EPSG:3413"
    np.testing.assert_array_equal(again["flag"].values, open_concentration(v4)["flag"].values)
    code, _, err = run(capsys, "seaice", "export", str(v4), "--out", str(tmp_path / "c.png"))
    assert code == 2 and "cannot write concentration as .png" in err


def test_route_exposure_measures_geodesic_share(v4: Path) -> None:
    routes = gpd.GeoDataFrame(
        {"id": ["iced", "open", "half", "seam"], "name": ["a", "b", "c", "d"]},
        geometry=[
            shapely.LineString([(60, 80), (100, 80)]),  # all in 100 % ice
            shapely.LineString([(-170, 55), (-150, 55)]),  # open water
            shapely.LineString([(-150, 60), (-150, 72)]),  # crosses the edge at 66.45 N
            shapely.LineString([(170, 78), (-170, 78)]),
        ],  # across 180 degrees
        crs="EPSG:4326",
    )
    table = route_exposure(open_concentration(v4), routes).set_index("id")
    assert table.loc["iced", "share_in_ice"] == pytest.approx(1.0, abs=0.005)
    assert table.loc["open", "share_in_ice"] == 0
    assert table.loc["half", "share_in_ice"] == pytest.approx((72 - 66.45) / 12, abs=0.02)
    assert table.loc["seam", "share_in_ice"] == pytest.approx(1.0, abs=0.005)
    assert table.loc["seam", "length_km"] == pytest.approx(
        20 * 111.7 * np.cos(np.radians(78)), rel=0.02
    )


def test_routes_command_covers_the_catalogue_routes(v4: Path, capsys) -> None:
    code, out, err = run(capsys, "seaice", "routes", str(v4), "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) >= 2
    assert all(0 <= r["share_in_ice"] <= 1 for r in rows)
    nsr = [r for r in rows if "Northern Sea Route" in r["name"]]
    assert nsr and nsr[0]["share_in_ice"] > 0.5  # the synthetic ice covers the Arctic to 66 N


class _Server:
    def __init__(self, folder: Path) -> None:
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_fetch_downloads_caches_and_says_when_offline(tmp_path: Path, monkeypatch, capsys) -> None:
    remote = tmp_path / "remote" / "2024.09.15"
    remote.mkdir(parents=True)
    b.write_nsidc0051(remote / "NSIDC0081_SEAICE_PS_N25km_20240915_v2.0.nc", near_real_time=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    server = _Server(tmp_path / "remote")
    try:
        monkeypatch.setenv("NORTHPIC_SEAICE_URL", server.url)
        code, out, err = run(capsys, "seaice", "fetch", "--date", "2024-09-15")
        assert code == 0, err
        cached = Path(out.strip())
        assert cached.parent == tmp_path / "cache" / "northpic" / "seaice"
        assert open_concentration(cached).attrs["product"] == "NSIDC-0081"
        code, _, err = run(capsys, "seaice", "fetch", "--date", "2024-09-16")
        assert code == 2 and "404" in err
        # a login page served with 200 OK, or any file that is not sea ice, is not cached
        for day, body in (("2024-09-18", "<!DOCTYPE html><html>Earthdata Login</html>"),
                          ("2024-09-19", "CDF garbage")):
            folder = tmp_path / "remote" / day.replace("-", ".")
            folder.mkdir()
            (folder / f"NSIDC0081_SEAICE_PS_N25km_{day.replace('-', '')}_v2.0.nc").write_text(body)
            code, _, err = run(capsys, "seaice", "fetch", "--date", day)
            assert code == 2 and "Traceback" not in err, err
            assert ("a login page" if "html" in body else "not a sea-ice file") in err
            assert "offline" not in err
        assert sorted(p.name for p in cached.parent.iterdir()) == [cached.name]
    finally:
        server.stop()
    code, out, err = run(capsys, "seaice", "fetch", "--date", "2024-09-15")  # server gone: cache
    assert code == 0 and "cached" in err and Path(out.strip()) == cached
    code, _, err = run(capsys, "seaice", "fetch", "--date", "2024-09-15", "--refresh")
    assert code == 2 and "offline or unreachable" in err and "Traceback" not in err
    assert cached.is_file()  # a failed refresh loses nothing
    from northpic.io.seaice.fetch import fetch_daily

    with pytest.raises(FetchError, match="offline or unreachable"):
        fetch_daily("2024-09-17")


def test_export_picture_takes_the_observed_day_from_its_caller(v4: Path, tmp_path: Path) -> None:
    from northpic.errors import MarkingsError
    from northpic.export import export_picture
    from northpic.seaice.edge import LAYER, observed_edge_spec
    from northpic.workflows.seaice import marked_ice_edge

    day = open_concentration(v4)
    edge = ice_edge(day)
    with pytest.raises(MarkingsError, match="sea_ice_observed.*nothing is assumed public"):
        export_picture(tmp_path / "unmarked.gpkg", "gpkg", layers=["bases"],
                       extra_layers={LAYER: (edge, observed_edge_spec(v4))})
    assert not (tmp_path / "unmarked.gpkg").exists()
    edge = marked_ice_edge(edge)
    out = export_picture(tmp_path / "p.gpkg", "gpkg", layers=["bases"],
                         extra_layers={LAYER: (edge, observed_edge_spec(v4))})
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert {"bases", LAYER} <= layers
    back = pyogrio.read_dataframe(out, layer=LAYER)
    assert len(back) == len(edge) and back.crs.to_epsg() == 4326
    # the areas GDAL reads back are the traced ones
    assert sorted(back["area_km2"]) == pytest.approx(sorted(edge["area_km2"]))


def test_the_export_workflow_refuses_an_existing_output_before_reading_the_ice(
    v4: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import northpic.workflows.seaice as workflow
    from northpic.errors import OutputExistsError

    target = tmp_path / "p.gpkg"
    target.write_bytes(b"someone else's file")

    def must_not_run(*_: object, **__: object) -> None:
        raise AssertionError("the sea-ice file was read before the output was checked")

    monkeypatch.setattr(workflow, "observed_ice_day", must_not_run)
    with pytest.raises(OutputExistsError, match="p.gpkg"):
        workflow.export_picture_with_seaice(target, "gpkg", layers=["bases"], seaice_file=v4)
    assert target.read_bytes() == b"someone else's file"


def test_the_overlay_takes_a_dataset_not_a_path(v4: Path) -> None:
    import folium

    from northpic.render.seaice import add_seaice_overlay

    fmap = add_seaice_overlay(folium.Map(), open_concentration(v4))
    page = fmap.get_root().render()
    assert "northpic.addSeaice(" in page and "data:image/png;base64," in page
    assert "Sea-ice concentration, 2023-09-15 (observed)" in page


def test_an_extra_layer_may_not_replace_a_picture_layer(v4: Path, tmp_path: Path) -> None:
    from northpic.errors import BadInputError
    from northpic.export import export_picture
    from northpic.seaice.edge import observed_edge_spec

    out = tmp_path / "p.gpkg"
    with pytest.raises(BadInputError, match="named 'bases'"):
        export_picture(out, "gpkg", layers=["bases"],
                       extra_layers={"bases": (ice_edge(open_concentration(v4)),
                                               observed_edge_spec(v4))})
    assert not out.exists()
