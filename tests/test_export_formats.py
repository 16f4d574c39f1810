"""Every export format, read back through GDAL: same features, attributes and CRS."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely
from pyproj import CRS

from builders.export import (
    HOSTILE,
    layer_sources,
    max_longitude_jump,
    ogrinfo_counts,
    read_table,
    small_picture,
)
from northpic.export import export_layers
from northpic.export.prepare import prepare_layer, split_by_geometry
from northpic.export.shapefile import MAX_TEXT_BYTES, shapefile_field_names

OUTPUTS = {"gpkg": "picture.gpkg", "kml": "picture.kml", "geojson": "geojson",
           "parquet": "parquet", "shp": "shp", "csv": "csv"}


@pytest.fixture(scope="module")
def picture():
    return small_picture()


@pytest.fixture(scope="module")
def exports(picture, tmp_path_factory) -> dict[str, Path]:
    frames, specs = picture
    folder = tmp_path_factory.mktemp("exports")
    return {fmt: export_layers(frames, specs, folder / out, fmt) for fmt, out in OUTPUTS.items()}


def _expected_tables(picture, fmt: str) -> dict[str, pd.DataFrame]:
    """Table name -> prepared source records, as the format splits them."""
    frames, specs = picture
    out = {}
    for name, frame in frames.items():
        prepared = prepare_layer(frame, specs[name])
        if fmt in ("gpkg", "shp"):
            for table in split_by_geometry(name, specs[name], prepared):
                out[table.name] = table.frame
        elif fmt == "kml":
            out[specs[name].title] = prepared
        else:
            out[name] = prepared
    return out


def _as_text_time(series: pd.Series) -> list:
    return [None if pd.isna(v) else v.strftime("%Y-%m-%dT%H:%M:%SZ") for v in series]


@pytest.mark.parametrize("fmt", list(OUTPUTS))
def test_export_reads_back_with_same_features_attributes_and_crs(picture, exports, fmt):
    expected = _expected_tables(picture, fmt)
    sources = layer_sources(exports[fmt], fmt)
    if fmt == "kml":  # domain folders are containers without placemarks
        sources = {k: v for k, v in sources.items() if k in expected}
    assert sorted(sources) == sorted(expected)
    for table, source in sources.items():
        want = expected[table].sort_values("id").reset_index(drop=True)
        got = read_table(source)
        if fmt == "shp":
            got = got.rename(columns={v: k for k, v in shapefile_field_names(want.columns).items()})
        if fmt == "kml":  # GDAL's LIBKML driver names the placemark's name "Name", and
            # calls the typed field "id" "id2" because "id" is the placemark's XML id
            got = got.drop(columns="id").rename(columns={"Name": "name", "id2": "id"})
        got = got.sort_values("id").reset_index(drop=True)
        assert len(got) == len(want), table
        if fmt != "csv":
            assert got.crs is not None and got.crs.to_epsg() == 4326, table
        assert list(got["id"]) == list(want["id"])
        for column in ("name", "source", "confidence", "nature", "kind"):
            assert list(got[column]) == list(want[column]), (table, column)
        assert np.allclose(got["precision_km"].astype(float), want["precision_km"])
        for column in ("valid_from", "valid_to"):
            if fmt in ("kml", "shp"):  # ISO 8601 text: these formats have no date-time field
                values = [None if pd.isna(v) or v == "" else v for v in got[column]]
                assert values == _as_text_time(want[column]), (table, column)
            else:
                assert pd.api.types.is_datetime64_any_dtype(got[column]), (table, column)
                assert (got[column].isna() == want[column].isna()).all()
                present = got[column].dropna()  # an all-empty column has no time zone to read
                if len(present):
                    assert (present.dt.tz_convert("UTC") == want[column].dropna()).all()
        own = [c for c in want.columns if c not in got.columns and c != "geometry"]
        assert own == [], f"{table}: fields lost: {own}"
        if "notes" in want.columns:
            notes = [str(v).encode()[:MAX_TEXT_BYTES].decode() if fmt == "shp" else v
                     for v in want["notes"]]
            assert list(got["notes"]) == notes
        for a, b in zip(got.geometry, want.geometry, strict=True):
            assert shapely.hausdorff_distance(a, b) < 1e-5, (table, a.wkt[:80], b.wkt[:80])


@pytest.mark.parametrize("fmt", list(OUTPUTS))
def test_ogrinfo_counts_every_feature(picture, exports, fmt):
    frames, _ = picture
    out = exports[fmt]
    if fmt == "parquet" and "Parquet" not in subprocess.run(
            ["ogrinfo", "--formats"], capture_output=True, text=True, check=True).stdout:
        pytest.skip("this machine's ogrinfo (GDAL) has no Parquet driver")
    paths = {"gpkg": [out], "kml": [out], "shp": sorted(f"/vsizip/{p}" for p in out.glob("*.zip")),
             "geojson": sorted(out.glob("*.geojson")), "csv": sorted(out.glob("*.csv"))}[fmt]
    total = sum(sum(ogrinfo_counts(str(p)).values()) for p in paths)
    if fmt == "gpkg":
        total -= ogrinfo_counts(str(out))["layer_styles"]
    assert total == sum(len(f) for f in frames.values())


def test_geojson_is_rfc7946(exports):
    for path in exports["geojson"].glob("*.geojson"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert "crs" not in doc  # RFC 7946: WGS 84 lon/lat only, no crs member
        for feature in doc["features"]:
            geom = shapely.geometry.shape(feature["geometry"])
            assert geom.is_valid
            assert max_longitude_jump(geom) <= 180, (path.name, feature["properties"]["id"])
            lon, lat = shapely.get_coordinates(geom).T
            assert (np.abs(lon) <= 180).all() and (np.abs(lat) <= 90).all()
            for polygon in shapely.get_parts(geom):
                if polygon.geom_type == "Polygon":
                    assert shapely.is_ccw(polygon.exterior), "right-hand rule: CCW exterior"
                    assert not any(shapely.is_ccw(r) for r in polygon.interiors)


def test_geojson_keeps_the_pole_polygon_whole(picture, exports):
    frames, _ = picture
    doc = json.loads((exports["geojson"] / "ice.geojson").read_text(encoding="utf-8"))
    cap = next(f for f in doc["features"] if f["properties"]["id"] == "ice-0")
    geom = shapely.geometry.shape(cap["geometry"])
    assert geom.covers(shapely.Point(0, 89.9)) and geom.covers(shapely.Point(179.9, 89.9))
    assert geom.area == pytest.approx(frames["ice"].geometry[0].area, rel=1e-6)


def test_geoparquet_metadata_is_version_1_1_with_bbox_covering(exports):
    for path in exports["parquet"].glob("*.parquet"):
        geo = json.loads(pq.read_schema(path).metadata[b"geo"])
        assert geo["version"] == "1.1.0"
        column = geo["columns"][geo["primary_column"]]
        assert column["encoding"] == "WKB"
        assert column["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
        table = pq.read_table(path)
        geoms = shapely.from_wkb(table.column(geo["primary_column"]).to_numpy(zero_copy_only=False))
        bbox = table.column("bbox").to_pylist()
        assert np.allclose([[b["xmin"], b["ymin"], b["xmax"], b["ymax"]] for b in bbox],
                           shapely.bounds(geoms))
        assert {g.geom_type for g in geoms} <= set(column["geometry_types"])
        crs = column.get("crs")
        assert crs is None or CRS.from_json_dict(crs).equals(CRS("OGC:CRS84"), ignore_axis_order=True)


def test_shapefile_zip_documents_its_field_names(exports):
    with zipfile.ZipFile(exports["shp"] / "points.zip") as archive:
        names = set(archive.namelist())
        fields = archive.read("FIELDS.txt").decode("utf-8")
    assert {"points.shp", "points.shx", "points.dbf", "points.prj", "points.cpg"} <= names
    assert "prec_km     precision_km" in fields
    assert "personnel_  personnel_estimate" in fields
    assert "longer than 254 bytes" in fields


def test_shapefile_field_names_are_short_unique_and_stable():
    columns = ["precision_km", "operational_status", "operational_since", "operationa", "id"]
    names = shapefile_field_names(columns)
    assert all(len(v) <= 10 for v in names.values())
    assert len({v.lower() for v in names.values()}) == len(columns)
    assert names == shapefile_field_names(columns)
    assert names["operationa"] == "operationa"  # a name that fits keeps it


def test_csv_reads_back_into_northpic(exports, picture):
    from northpic.io.layer_files import read_layer_file
    from northpic.schema import validate_layer_frame

    frames, _ = picture
    frame = validate_layer_frame(read_layer_file(exports["csv"] / "points.csv"), "csv")
    assert list(frame["id"]) == list(frames["points"]["id"])
    assert frame.loc[0, "name"] == HOSTILE


@pytest.mark.parametrize("fmt", ["geojson", "parquet", "shp", "csv"])
def test_every_folder_export_has_a_readme_naming_each_layer(picture, exports, fmt):
    frames, _ = picture
    text = (exports[fmt] / "README.txt").read_text(encoding="utf-8")
    assert "precision_km" in text
    for name, frame in frames.items():
        assert f"{name}: " in text and f"features: {len(frame)}" in text
