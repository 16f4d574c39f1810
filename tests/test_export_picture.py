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
