"""The issue's "done when", on the default picture: exports read back through GDAL."""

from __future__ import annotations

import json

import pyogrio
import pytest
import shapely

from builders.export import layer_sources, max_longitude_jump, ogrinfo_counts, read_table
from northpic.cli import main
from northpic.picture import load_picture


@pytest.fixture(scope="module")
def default_picture():
    return load_picture()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("picture")
    outs = {"gpkg": folder / "picture.gpkg", "kml": folder / "picture.kml",
            "geojson": folder / "geojson", "parquet": folder / "parquet"}
    for fmt, out in outs.items():
        assert main(["export", "--format", fmt, "--out", str(out)]) == 0
    return outs


@pytest.mark.parametrize("fmt", ["gpkg", "kml", "geojson", "parquet"])
def test_default_picture_reads_back_with_the_same_feature_count(default_picture, exported, fmt):
    total = sum(len(f) for f in default_picture.values())
    assert total > 0
    sources = layer_sources(exported[fmt], fmt)
    counted = sum(len(read_table(source)) for source in sources.values())
    assert counted == total
    if fmt == "gpkg":
        assert sum(n for name, n in ogrinfo_counts(str(exported[fmt])).items()
                   if name != "layer_styles") == total


def test_every_default_gpkg_layer_has_a_style(exported):
    gpkg = exported["gpkg"]
    tables = {name for name, _ in pyogrio.list_layers(gpkg) if name != "layer_styles"}
    styled = set(pyogrio.read_dataframe(gpkg, layer="layer_styles")["f_table_name"])
    assert tables and tables == styled


def test_no_default_geojson_segment_crosses_the_antimeridian(exported):
    files = sorted(exported["geojson"].glob("*.geojson"))
    assert files
    for path in files:
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            geom = shapely.geometry.shape(feature["geometry"])
            assert max_longitude_jump(geom) <= 180, (path.name, feature["properties"]["id"])


def test_events_from_a_store_are_exported_with_provenance(tmp_path):
    from builders.events import HOSTILE, batch, write_geojson
    from builders.markings import marked

    records = marked(batch(4, seed=3, prefix="exp"))
    records[0]["name"] = HOSTILE[0]
    store = tmp_path / "events.gpkg"
    assert main(["events", "add", str(write_geojson(tmp_path / "ev.geojson", records)),
                 "--store", str(store)]) == 0
    out = tmp_path / "with-events.gpkg"
    assert main(["export", "--format", "gpkg", "--out", str(out), "--layers", "bases",
                 "--events", str(store)]) == 0
    tables = {name for name, _ in pyogrio.list_layers(out)} - {"layer_styles", "bases"}
    events = [pyogrio.read_dataframe(out, layer=name) for name in sorted(tables)]
    ids = {i for frame in events for i in frame["id"]}
    assert {r["id"] for r in records} <= ids
    exported = next(f for f in events if records[0]["id"] in set(f["id"]))
    row = exported.set_index("id").loc[records[0]["id"]]
    assert row["name"] == HOSTILE[0]
    assert row["source"] and row["confidence"] in ("high", "medium", "low")
    styled = set(pyogrio.read_dataframe(out, layer="layer_styles")["f_table_name"])
    assert tables <= styled


@pytest.mark.parametrize("fmt", ["gpkg", "geojson"])
def test_an_observed_sea_ice_day_is_exported_as_edge_and_raster(tmp_path, fmt):
    import rasterio

    from builders import seaice

    day = seaice.write_g02202_v4(tmp_path / "seaice_conc_daily_nh_20230915_f17_v04r00.nc")
    out = tmp_path / ("p.gpkg" if fmt == "gpkg" else "p")
    assert main(["export", "--format", fmt, "--out", str(out), "--layers", "bases",
                 "--seaice", str(day)]) == 0
    source = str(out) if fmt == "gpkg" else str(out / "sea_ice_observed.geojson")
    edge = pyogrio.read_dataframe(source, layer="sea_ice_observed" if fmt == "gpkg" else None)
    assert len(edge) >= 1 and edge.geometry.is_valid.all() and edge.crs.to_epsg() == 4326
    assert {str(d)[:10] for d in edge["date"]} == {"2023-09-15"}
    assert edge.geometry.covers(shapely.Point(0, 89.9)).any()
    other_day = tmp_path / "other.gpkg"
    code = main(["export", "--format", "gpkg", "--out", str(other_day), "--layers", "bases",
                 "--seaice", str(day), "--at", "2024-01-01"])
    assert code == 2 and not other_day.exists()  # that day is not in the file
    if fmt == "gpkg":
        styled = set(pyogrio.read_dataframe(out, layer="layer_styles")["f_table_name"])
        assert any(name.startswith("sea_ice_observed") for name in styled)
    else:
        with rasterio.open(out / "sea_ice_concentration.tif") as tif:
            assert tif.crs.to_epsg() == 3413 and tif.overviews(1)  # a COG: tiled, with overviews
        readme = (out / "README.txt").read_text(encoding="utf-8")
        assert "sea_ice_observed: " in readme and "sea_ice_concentration.tif: " in readme
