"""AIS readers: every layout, compression, Parquet, NMEA, column maps; real samples end to end."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from builders.ais import (
    build_scenario,
    write_dma_csv,
    write_marinecadastre_csv,
    write_nmea,
)
from northpic.cli.ais import parse_column_map
from northpic.errors import BadInputError, DataFileError, UnsupportedFormatError
from northpic.io.ais import layout_of, read_ais

#: Layout and rows of each real sample: the CSV row counts are those ../shared/data/PROVENANCE.md
#: states (3, 13 and 27,232 rows); the NMEA count (None here) is pyais's own reader's.
SAMPLES = {
    "barentswatch_format_sample.csv": ("barentswatch", 3),
    "kystverket_format_sample_2022-09-01.csv": ("kystverket", 13),
    "digitraffic_baltic_latest_positions_2025-12-11_12.csv": ("digitraffic", 27_232),
    "nmea_aivdm_sample_aegean.txt": ("nmea", None),
}


@pytest.fixture(scope="module")
def scenario():
    return build_scenario(bad_records=False)


@pytest.fixture(scope="module")
def dma_csv(scenario, tmp_path_factory) -> Path:
    return write_dma_csv(scenario.reports, tmp_path_factory.mktemp("dma") / "aisdk.csv")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_shared_sample_is_read_in_its_layout(shared_data: Path, name: str) -> None:
    from truths import pyais_position_reports

    layout, rows = SAMPLES[name]
    reports = read_ais(shared_data / "ais" / name)
    assert reports.attrs["layouts"] == [layout]
    assert len(reports) == (rows if rows is not None else pyais_position_reports(
        shared_data / "ais" / name))
    assert str(reports["time"].dtype) == "datetime64[ns, UTC]"
    if layout != "nmea":  # the NMEA log has no times at all
        assert reports["time"].notna().all()
    assert reports["lat"].between(-90, 91).all()


def test_kystverket_values_are_parsed_exactly(shared_data: Path) -> None:
    reports = read_ais(shared_data / "ais" / "kystverket_format_sample_2022-09-01.csv")
    first = reports.iloc[0]
    assert (first["mmsi"], first["lat"], first["lon"], first["sog"]) == (
        209318000, 59.3159, 5.32934, 12.1)
    assert first["time"] == pd.Timestamp("2022-09-01T12:55:35Z")
    assert first["imo"] == 9754446


def test_barentswatch_none_strings_are_missing(shared_data: Path) -> None:
    reports = read_ais(shared_data / "ais" / "barentswatch_format_sample.csv")
    assert reports["cog"].isna().all() and reports["heading"].isna().all()
    assert set(reports["name"]) == {"SARNES 3"}


def test_nmea_sample_decodes_and_counts_damaged_sentences(shared_data: Path) -> None:
    from truths import nmea_sentence_lines

    path = shared_data / "ais" / "nmea_aivdm_sample_aegean.txt"
    reports = read_ais(path)
    counts = reports.attrs["nmea"]
    # every sentence line is counted (PROVENANCE.md's "897 NMEA lines" is wc -l: no final newline)
    assert counts["sentences"] == nmea_sentence_lines(path) and counts["undecodable"] > 0
    inside = reports[reports["lat"] <= 90]
    assert inside["lat"].between(35.0, 39.0).all()
    assert inside["lon"].between(19.0, 26.0).all()


def test_dma_layout_round_trip(scenario, dma_csv: Path) -> None:
    reports = read_ais(dma_csv)
    assert reports.attrs["layouts"] == ["dma"]
    want = scenario.reports.reset_index(drop=True)
    assert reports["mmsi"].tolist() == want["mmsi"].tolist()
    assert (reports["time"] == want["time"].astype("datetime64[ns, UTC]")).all()
    np.testing.assert_allclose(reports["lat"], want["lat"], atol=1e-6)
    assert reports["destination"].iloc[0] == want["destination"].iloc[0]


@pytest.mark.parametrize("packing", ["gz", "zip"])
def test_compressed_files_read_transparently(dma_csv: Path, tmp_path: Path, packing: str) -> None:
    if packing == "gz":
        target = tmp_path / "aisdk.csv.gz"
        import gzip

        target.write_bytes(gzip.compress(dma_csv.read_bytes()))
    else:
        target = tmp_path / "aisdk.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(dma_csv, "aisdk-2026-01-10.csv")
    packed = read_ais(target)
    plain = read_ais(dma_csv)
    pd.testing.assert_frame_equal(packed, plain)
    assert packed.attrs["sources"][0].startswith(str(target))


def test_marinecadastre_layout(scenario, tmp_path: Path) -> None:
    path = write_marinecadastre_csv(scenario.reports.head(300), tmp_path / "AIS_2026_01_10.csv")
    reports = read_ais(path)
    assert reports.attrs["layouts"] == ["marinecadastre"]
    assert reports["imo"].iloc[0] == scenario.reports["imo"].iloc[0]  # "IMO9100000" -> 9100000
    assert reports["name"].iloc[0] == scenario.reports["name"].iloc[0]


@pytest.mark.parametrize("geo", [False, True])
def test_parquet_and_geoparquet(scenario, tmp_path: Path, geo: bool) -> None:
    frame = scenario.reports.head(500).reset_index(drop=True)
    path = tmp_path / ("reports.geoparquet" if geo else "reports.parquet")
    if geo:
        gpd.GeoDataFrame(
            frame.drop(columns=["lon", "lat"]),
            geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326",
        ).to_parquet(path)
    else:
        frame.to_parquet(path)
    reports = read_ais(path)
    assert reports.attrs["layouts"] == ["geoparquet" if geo else "parquet"]
    np.testing.assert_allclose(reports["lon"], frame["lon"])
    assert reports["mmsi"].tolist() == frame["mmsi"].tolist()


def test_nmea_with_tag_block_times_round_trips(scenario, tmp_path: Path) -> None:
    frame = scenario.reports.head(200).reset_index(drop=True)
    reports = read_ais(write_nmea(frame, tmp_path / "feed.nmea"))
    assert reports.attrs["layouts"] == ["nmea"]
    assert len(reports) == len(frame)
    assert (reports["time"] == frame["time"].dt.floor("s")).all()
    np.testing.assert_allclose(reports["lat"], frame["lat"], atol=1e-5)
    first = reports.iloc[0]
    assert first["name"] == frame["name"].iloc[0]  # from the type 5 voyage report
    assert first["destination"] == frame["destination"].iloc[0]


def test_column_map_for_an_unknown_header(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text("ship,ts,ycoord,xcoord\n257027430,2026-01-01T00:00:00Z,70.1,20.2\n")
    with pytest.raises(DataFileError, match=r"cannot find column\(s\) for mmsi, time, lat, lon"):
        read_ais(path)
    reports = read_ais(path, columns=parse_column_map("mmsi=ship,time=ts,lat=ycoord,lon=xcoord"))
    assert reports.loc[0, "lat"] == 70.1 and reports.loc[0, "mmsi"] == 257027430


def test_column_map_errors_name_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text("mmsi,time,lat,lon\n257027430,2026-01-01T00:00:00Z,70.1,20.2\n")
    with pytest.raises(BadInputError, match="unknown AIS column 'speed'"):
        read_ais(path, columns={"speed": "lat"})
    with pytest.raises(DataFileError, match="column 'nope' .* is not in the header"):
        read_ais(path, columns={"lat": "nope"})
    with pytest.raises(BadInputError, match="not of the form canonical=column"):
        parse_column_map("mmsi")


def test_unparseable_values_are_kept_as_missing(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text("mmsi,time,lat,lon\n257027430,2026-01-01T00:00:00Z,seventy,20.2\n"
                    "257027430,2026-01-01T00:05:00Z,70.2,20.3\n")
    reports = read_ais(path)
    assert np.isnan(reports.loc[0, "lat"]) and reports.loc[1, "lat"] == 70.2


def test_bad_files_and_formats(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no such file"):
        read_ais(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataFileError, match="empty"):
        read_ais(empty)
    with pytest.raises(UnsupportedFormatError, match="unknown AIS format 'kml'"):
        read_ais(empty, format="kml")


def test_a_file_of_nul_bytes_is_binary_not_empty(tmp_path: Path) -> None:
    # issue 12: a (sparse, 2 GB) file of NULs was refused as "the file is empty"
    zeros = tmp_path / "zeros.csv"
    with open(zeros, "wb") as handle:
        handle.truncate(2 << 30)
    with pytest.raises(DataFileError, match=r"zeros\.csv: binary data, not text: 65536 of its"):
        read_ais(zeros)
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("mmsi,time,lat,lon\n257027430,2026-01-01T00:00:00Z,70,20\n".encode("utf-16"))
    with pytest.raises(DataFileError, match="UTF-16"):
        read_ais(utf16)


def test_layout_names() -> None:
    assert layout_of(["# Timestamp", "Type of mobile", "MMSI", "Latitude"]) == "dma"
    assert layout_of(["mmsi", "imo_nr", "date_time_utc", "lon", "lat"]) == "kystverket"
    assert layout_of(["mmsi", "ts", "lat", "lon"]) == "generic"


def test_fields_read_only_the_columns_asked_for(dma_csv: Path) -> None:
    full = read_ais(dma_csv)
    some = read_ais(dma_csv, fields=["destination", "sog"])
    assert list(some.columns) == ["mmsi", "time", "lat", "lon", "sog", "destination"]
    pd.testing.assert_frame_equal(some, full[list(some.columns)])


def test_unknown_fields_are_named(dma_csv: Path) -> None:
    with pytest.raises(BadInputError, match="unknown AIS field.*speed"):
        read_ais(dma_csv, fields=["speed"])


@pytest.fixture()
def small_parts(monkeypatch):
    """Read plain CSV files in parts of 64 KB, as a file of gigabytes is read in parts of 256 MB."""
    from northpic.io.ais import csv_parts

    monkeypatch.setattr(csv_parts, "PART_BYTES", 1 << 16)


def test_reading_in_parts_gives_the_whole_file(scenario, tmp_path: Path, small_parts) -> None:
    from northpic.io.ais.csv_parts import part_ranges

    raw = scenario.reports.copy()
    raw.loc[::7, "sog"] = np.nan  # missing values, in every part
    raw.loc[3, "heading"] = 511.0  # AIS "not available"
    path = write_dma_csv(raw, tmp_path / "aisdk.csv")
    assert len(part_ranges(path, 1 << 16)) > 10
    in_parts = read_ais(path)
    with pytest.MonkeyPatch.context() as patch:
        from northpic.io.ais import csv_parts

        patch.setattr(csv_parts, "PART_BYTES", 1 << 40)
        whole = read_ais(path)
    pd.testing.assert_frame_equal(in_parts, whole)
    assert in_parts["sog"].isna().sum() >= len(raw) // 7 and np.isnan(in_parts["heading"][3])


def test_a_bad_value_late_in_a_file_read_in_parts(scenario, tmp_path: Path, small_parts) -> None:
    path = write_dma_csv(scenario.reports, tmp_path / "aisdk.csv")
    lines = path.read_text().splitlines()
    fields = lines[-10].split(",")
    fields[3] = "north"  # Latitude: text in the last part
    lines[-10] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    reports = read_ais(path)  # read whole as text, the bad value kept as missing
    assert len(reports) == len(scenario.reports) and reports["lat"].isna().sum() == 1
    lines[-5] = "1,2,3"  # too few columns: not CSV of this layout
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFileError, match="not a readable CSV file"):
        read_ais(path)
