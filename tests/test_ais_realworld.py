"""AIS read right on real layouts: harbours and lakes are water, every time encoding, snapshot feeds.

The harbour, lake and inland positions are real places (berths, anchorages,
channels and lakes, from public charts and gazetteers, to about 0.5 km);
the time strings are the encodings real feeds use; the shared files are
real public AIS.
"""

from __future__ import annotations

import bz2
import gzip
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from northpic.ais.cleaning import clean_reports
from northpic.ais.gaps import detect_gaps
from northpic.ais.landmask import _on_raster_land, is_on_land
from northpic.cli import main
from northpic.io.ais import read_ais

# name, lat, lon: navigable water where ships berth, anchor or sail
WATER = """
LA main channel,33.735,-118.272
LA outer harbor,33.715,-118.262
Long Beach harbor,33.748,-118.212
Long Beach anchorage,33.725,-118.16
LA Cerritos channel,33.768,-118.245
NY upper bay anchorage,40.665,-74.048
NY Kill Van Kull,40.643,-74.100
NY Newark Bay,40.670,-74.140
NY Port Elizabeth channel,40.683,-74.145
NY East River,40.742,-73.965
NY Hudson midtown,40.765,-74.005
Boston inner harbor,42.360,-71.045
Boston harbor,42.335,-70.985
Boston Reserved Channel,42.343,-71.040
Boston Mystic River,42.385,-71.060
Houston Barbours Cut,29.683,-95.000
Houston Bayport channel,29.615,-94.990
Houston channel Pasadena,29.728,-95.170
Houston turning basin,29.7495,-95.285
Houston channel Baytown,29.740,-95.080
Galveston Bay,29.500,-94.850
San Diego bay,32.705,-117.178
San Diego south bay,32.660,-117.140
San Diego naval station,32.680,-117.125
Lake Superior,47.5,-87.5
Duluth harbor,46.760,-92.100
Lake Michigan,43.0,-87.3
Chicago offshore,41.90,-87.55
Lake Erie,42.2,-81.2
Cleveland harbor,41.51,-81.715
Lake Huron,44.5,-82.4
Lake Ontario,43.6,-77.8
Detroit River,42.30,-83.10
St Clair River,42.90,-82.47
Auckland Waitemata,-36.838,174.770
Auckland Hauraki Gulf,-36.75,174.95
Wellington harbour,-41.280,174.800
Wellington harbour east,-41.30,174.85
Doubtful Sound mouth,-45.300,166.960
Doubtful Sound inner,-45.36,167.05
Deep Cove,-45.455,167.155
Sognefjord,61.12,6.55
Geirangerfjord,62.115,7.10
Oslo harbour,59.902,10.735
Trondheimsfjord,63.45,10.40
Hardangerfjord,60.15,6.05
St Lawrence Quebec,46.805,-71.200
St Lawrence Trois-Rivieres,46.340,-72.530
Montreal harbour,45.515,-73.543
St Lawrence Sorel,46.04,-73.12
Kiel canal Rendsburg,54.300,9.700
Kiel canal Brunsbuettel,53.895,9.150
Kiel Holtenau,54.365,10.140
Rotterdam Maasvlakte,51.955,4.040
Rotterdam Botlek,51.885,4.300
Hamburg Elbe,53.545,9.960
Antwerp Scheldt,51.290,4.310
St Petersburg Neva bay,59.930,30.200
Lake Ladoga,60.8,31.5
Lake Malaren,59.45,17.0
Bosphorus,41.085,29.058
Suez canal Ismailia,30.58,32.33
Panama Gatun Lake,9.20,-79.90
Primorsk,60.355,28.63
Ust-Luga,59.68,28.40
Columbia Portland,45.62,-122.76
Mississippi Baton Rouge,30.44,-91.19
Rhine Duisburg,51.445,6.73
Hudson Albany,42.64,-73.75
Danube Galati,45.43,28.05
St Lawrence seaway Iroquois,44.83,-75.31
St Lawrence seaway Massena,44.99,-74.85
Neva St Petersburg,59.88,30.45
Dvina Arkhangelsk,64.55,40.53
Yenisei Dudinka,69.40,86.15
Yenisei Igarka,67.47,86.57
Pechora Naryan-Mar,67.65,53.0
Lena Yakutsk,62.05,129.8
Kolyma Zyryanka,65.73,150.9
Irtysh Omsk,54.98,73.36
Volga Volgograd,48.72,44.55
Rhine Cologne,50.94,6.97
Elbe Magdeburg,52.13,11.65
Danube Vienna,48.22,16.40
Mississippi St Louis,38.62,-90.18
Ohio Cincinnati,39.09,-84.51
Houston channel Lynchburg,29.761,-95.08
Houston channel Pasadena refineries,29.73,-95.16
Welland canal Port Robinson,43.05,-79.21
Welland canal Thorold locks,43.133,-79.19
Suez canal Ismailia east,30.58,32.34
Suez canal El Qantara,30.85,32.318
Suez canal Deversoir,30.41,32.358
Kiel canal Oldenbuettel,54.17,9.48
Kiel canal Hochdonn,54.028,9.28
Scheldt Lillo,51.305,4.28
Sheksna Volga-Baltic,59.215,38.51
Svir Podporozhye,60.91,34.17
Svir Lodeynoye Pole,60.73,33.55
Corinth canal,37.93,22.985
Manchester ship canal Irlam,53.438,-2.415
Panama Culebra cut,9.04,-79.64
Saimaa canal Nuijamaa,60.955,28.53
White Sea canal Povenets locks,62.92,34.83
Gota alv Lilla Edet,58.13,12.125
Seaway Beauharnois canal,45.28,-74.02
"""
# navigable rivers that neither a shoreline nor a port covers (before the WDBII rivers,
# 13 of these 21 were land: all but the seaway, the Dvina, Yenisei, Pechora, Lena and Volga)
RIVERS = (
    "Columbia", "Mississippi", "Rhine", "Hudson", "Danube", "St Lawrence seaway", "Neva",
    "Dvina", "Yenisei", "Pechora", "Lena", "Kolyma", "Irtysh", "Volga", "Elbe", "Ohio",
)
# ship canals and dredged channels (northpic/io/data/ship_canals.geojson; WDBII has none)
CANALS = (
    "Houston channel", "Welland", "Suez", "Kiel canal", "Scheldt", "Sheksna", "Svir", "Corinth",
    "Manchester", "Panama Culebra", "Saimaa", "White Sea", "Gota", "Seaway",
)
# clearly inland: cities, deserts, ice sheet, and airports where spoofed positions land
LAND = """
Madrid,40.42,-3.70
Denver,39.74,-104.99
Sahara,23.0,12.0
Central Australia,-25.0,133.0
Kansas,38.5,-98.5
Mongolia,47.0,103.0
Greenland ice sheet,72.0,-40.0
Central Siberia,63.0,100.0
Helsinki airport,60.317,24.963
Pulkovo airport,59.800,30.270
Kaliningrad airport,54.890,20.590
Warsaw airport,52.166,20.967
Berlin Tempelhof,52.473,13.403
Munich,48.137,11.575
Salt Lake City airport,40.79,-111.98
Phoenix,33.45,-112.07
Dallas Fort Worth airport,32.90,-97.04
Atlanta airport,33.64,-84.43
Tehran,35.69,51.39
Riyadh,24.71,46.68
Kalahari,-23.0,22.0
Gobi,43.0,105.0
Tibet,32.0,88.0
Alps Jungfrau,46.54,7.96
Greenland ice sheet south,66.0,-44.0
Ural mountains,61.0,59.0
Yakutia taiga,64.0,122.0
Putorana plateau,68.5,94.0
Kola plateau,68.0,35.0
Kiruna airport,67.82,20.34
Rovaniemi airport,66.56,25.83
Moscow Sheremetyevo,55.97,37.41
Frankfurt airport,50.04,8.56
Paris CDG,49.01,2.55
Iowa,42.0,-93.5
Saskatchewan,52.0,-106.0
Las Vegas,36.17,-115.14
Rocky Mountains,40.0,-105.7
Nevada desert,39.5,-117.0
"""


def _places(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text.strip()), names=["name", "lat", "lon"])


def _reports(places: pd.DataFrame, sog: float) -> pd.DataFrame:
    """One report of a distinct vessel at each place."""
    n = len(places)
    return pd.DataFrame({
        "mmsi": 257_000_000 + np.arange(n), "time": pd.Timestamp("2026-01-10T12:00Z"),
        "lat": places["lat"], "lon": places["lon"], "sog": sog, "cog": 90.0,
    })


def test_no_moving_report_in_a_harbour_or_lake_is_removed() -> None:
    water = _places(WATER)
    cleaned = clean_reports(_reports(water, sog=8.0))
    assert cleaned.counts["on_land"] == 0 and cleaned.counts["kept"] == len(water)


def test_harbours_and_lakes_are_water_where_the_raster_says_land() -> None:
    water = _places(WATER)
    lon, lat = water["lon"].to_numpy(), water["lat"].to_numpy()
    raster = _on_raster_land(lon, lat, 2.0)  # the 1 km raster alone (the old test)
    land = is_on_land(lon, lat, 2.0)
    assert raster.sum() >= 25  # the raster calls the Great Lakes and many harbours land
    # GSHHG's lakes and harbours, the ports table, the WDBII rivers and the authored ship
    # canals: none of these stationary positions is land (measured 0 of 106; without the
    # canals 14: two reaches of the Houston Ship Channel, the Scheldt below Antwerp, the
    # Suez canal, and 10 of the 20 canal places, e.g. the Welland and Kiel canals)
    assert not land.any(), list(water["name"][land])
    canals = water["name"].str.startswith(CANALS).to_numpy()
    assert canals.sum() == 25
    rivers = water["name"].str.startswith(RIVERS).to_numpy()
    assert rivers.sum() == 21 and not land[rivers].any(), list(water["name"][land & rivers])
    great_lakes = water["name"].isin(
        ["Lake Superior", "Lake Michigan", "Lake Huron", "Lake Erie", "Lake Ontario"]
    )
    assert not land[great_lakes.to_numpy()].any()


def test_wdbii_classes_read_from_the_order_hold_by_their_shapes() -> None:
    from northpic.io.landmask import read_wdbii_rivers

    lines, classes = read_wdbii_rivers()
    # double-lined rivers (class 1) are closed outlines; no single-lined river is
    closed = shapely.is_closed(lines)
    assert closed[classes == 1].all() and not closed[classes > 1].any()
    # each class is listed from north to south: its first line starts in the Arctic
    for level in range(2, 6):
        first = np.flatnonzero(classes == level)[0]
        assert shapely.get_coordinates(lines[first])[:, 1].max() > 65.0


def test_inland_positions_are_land_and_moving_ones_flagged_not_removed() -> None:
    inland = _places(LAND)
    still = clean_reports(_reports(inland, sog=0.0))
    assert still.counts["on_land"] == len(inland) and still.counts["kept"] == 0
    moving = clean_reports(_reports(inland, sog=12.0))
    assert moving.counts["on_land"] == 0 and moving.counts["on_land_flagged"] == len(inland)
    assert moving.reports["on_land"].all()


def test_removing_more_than_5_percent_for_one_reason_warns(tmp_path: Path, capsys) -> None:
    inland = _places(LAND).iloc[:2]
    water = _places(WATER).iloc[:20]
    reports = pd.concat([_reports(inland, 0.0), _reports(water, 5.0)], ignore_index=True)
    reports["mmsi"] = 257_000_000 + np.arange(len(reports))
    cleaned = clean_reports(reports)
    assert cleaned.warnings == ["on_land removed 2 of 22 reports (9.1 %)"]
    path = tmp_path / "feed.csv"
    reports.to_csv(path, index=False)
    assert main(["ais", "detect", str(path), "--out", str(tmp_path / "e.geojson"), "-q"]) == 0
    assert "warning: on_land removed 2 of 22 reports (9.1 %)" in capsys.readouterr().err
    # with a second, clean file the first one is still named: 2 of 22 in it, not of 62
    other = _reports(_places(WATER).iloc[20:60], 5.0)
    other["mmsi"] = 258_000_000 + np.arange(len(other))
    clean = tmp_path / "clean.csv"
    other.to_csv(clean, index=False)
    two = clean_reports(read_ais([path, clean]))
    assert two.warnings == [f"{path}: on_land removed 2 of 22 reports (9.1 %)"]


# every encoding, of 2021-07-01 18:51:51 UTC
INSTANT = pd.Timestamp("2021-07-01T18:51:51Z")
ENCODINGS = {
    "iso_z": "2021-07-01T18:51:51Z",
    "iso_offset": "2021-07-01T20:51:51+02:00",
    "iso_fraction": "2021-07-01T18:51:51.000+00:00",
    "iso_naive": "2021-07-01T18:51:51",
    "space": "2021-07-01 18:51:51",
    "dma": "01/07/2021 18:51:51",
    "compact": "20210701_185151",
    "epoch_s": "1625165511",
    "epoch_ms": "1625165511000",
}


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_each_time_encoding_keeps_its_rows(tmp_path: Path, name: str) -> None:
    stamp = ENCODINGS[name]
    path = tmp_path / "feed.csv"
    rows = [f"257027430,{stamp},70.5,{20.0 + k / 10},10.0,90" for k in range(3)]
    path.write_text("MMSI,Time,Latitude,Longitude,SOG,COG\n" + "\n".join(rows) + "\n")
    reports = read_ais(path)
    assert len(reports) == 3 and (reports["time"] == INSTANT).all()


def test_a_time_format_reads_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text("MMSI;Zeit;Breite;Laenge\n257027430;01.07.2021 18.51.51;70.5;20.0\n")
    reports = read_ais(path, columns={"time": "Zeit", "lat": "Breite", "lon": "Laenge"},
                       time_format="%d.%m.%Y %H.%M.%S")
    assert reports["time"].tolist() == [INSTANT]


def test_a_time_column_that_does_not_parse_exits_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "feed.csv"
    rows = [f"257027430,T+{k}h,70.5,20.0" for k in range(9)] + ["257027430,20210701_185151,70,20"]
    path.write_text("MMSI,Time,Latitude,Longitude\n" + "\n".join(rows) + "\n")
    out = tmp_path / "e.geojson"
    assert main(["ais", "detect", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "feed.csv" in err and "'Time'" in err and "only 1 of 10 values" in err
    assert "'T+0h'" in err and "--time-format" in err and "Traceback" not in err
    assert not out.exists()


def test_nmea_tag_blocks_and_pghp_give_times(tmp_path: Path) -> None:
    from pyais.encode import encode_dict
    from pyais.messages import TagBlock

    sentence = encode_dict({"type": 1, "mmsi": 257027430, "lat": 70.5, "lon": 20.0,
                            "speed": 10.0, "course": 90.0}, talker_id="AI")[0]
    seconds = int(INSTANT.timestamp())
    tag = TagBlock.create(receiver_timestamp=seconds, source_station="r1").decode()
    tag_ms = TagBlock.create(receiver_timestamp=seconds * 1000 + 250).decode()
    path = tmp_path / "log.nmea"
    path.write_text(
        f"\\{tag}\\{sentence}\n"
        f"\\{tag_ms}\\{sentence}\n"
        "$PGHP,1,2021,7,1,18,51,52,500,219,219000001,219000002,1,4F*00\n"
        f"{sentence}\n"
        f"{sentence}\n"  # no time of its own, and the $PGHP was for the line before
    )
    times = read_ais(path)["time"]
    assert times.iloc[0] == INSTANT
    assert times.iloc[1] == INSTANT + pd.Timedelta(milliseconds=250)
    assert times.iloc[2] == INSTANT + pd.Timedelta(milliseconds=1500)
    assert pd.isna(times.iloc[3])


def _at_sea(times: list[str], lats: list[float], sogs: list[float]) -> pd.DataFrame:
    # the Norwegian Sea, about 150 nm from the coast
    return pd.DataFrame({"mmsi": 257027430, "time": pd.to_datetime(times, utc=True),
                         "lat": lats, "lon": 4.0, "sog": sogs, "cog": 10.0})


def test_a_report_served_again_is_one_report_and_makes_no_gap() -> None:
    reports = _at_sea(["2025-12-11T05:00Z", "2025-12-11T13:00Z", "2025-12-11T20:36Z"],
                      [68.0, 68.0, 68.0], [0.4, 0.4, 0.4])
    cleaned = clean_reports(reports)
    assert cleaned.counts["repeated"] == 2 and cleaned.counts["kept"] == 1
    assert cleaned.reports["repeats"].tolist() == [2]
    assert detect_gaps(cleaned.reports).empty


def test_a_gap_whose_ends_coincide_is_a_valid_point_with_lower_confidence_on_snapshots() -> None:
    reports = _at_sea(["2025-12-11T05:00Z", "2025-12-11T05:30Z", "2025-12-11T06:00Z",
                       "2025-12-11T21:36Z"], [67.9, 67.95, 68.0, 68.0], [6.0, 6.0, 0.0, 0.2])
    cleaned = clean_reports(reports)
    gaps = detect_gaps(cleaned.reports)
    assert len(gaps) == 1
    geometry = gaps.geometry.iloc[0]
    assert geometry.geom_type == "Point" and geometry.is_valid
    assert gaps["confidence"].iloc[0] == "high"  # hourly reports before, 0 kn across
    cleaned.reports.attrs["layouts"] = ["digitraffic"]  # times are snapshot times
    snap = detect_gaps(cleaned.reports)
    assert snap["confidence"].iloc[0] == "medium" and "snapshot" in snap["evidence"].iloc[0]


def test_digitraffic_repeats_counted_as_an_independent_count_says(shared_data: Path) -> None:
    path = shared_data / "ais" / "digitraffic_baltic_latest_positions_2025-12-11_12.csv"
    raw = pd.read_csv(path)
    raw = raw[(raw["mmsi"] >= 201_000_000) & (raw["mmsi"] <= 775_999_999)]
    raw = raw.assign(t=pd.to_datetime(raw["snapshot_utc"], format="ISO8601"))
    raw = raw.sort_values(["mmsi", "t"], kind="stable")
    keys = ["mmsi", "lat", "lon", "sog", "cog"]
    # NaN == NaN for the comparison: fill with a value no report has
    same = (raw[keys].fillna(-999).shift() == raw[keys].fillna(-999)).all(axis=1)
    expected = int((same & (raw["t"] > raw["t"].shift())).sum())
    cleaned = clean_reports(read_ais(path), inland_km=None)
    assert expected > 10_000 and cleaned.counts["repeated"] == expected


def test_every_shared_file_goes_into_one_store(shared_data: Path, tmp_path: Path,
                                               capsys) -> None:
    import pyogrio

    from northpic.events import read_events

    store = tmp_path / "S.gpkg"
    total = 0
    for path in sorted((shared_data / "ais").iterdir()):
        out = tmp_path / f"{path.stem}.geojson"
        code = main(["ais", "detect", str(path), "--add", "--add-tracks", "--store", str(store),
                     "--out", str(out), "-q"])
        captured = capsys.readouterr()
        if path.name.startswith("nmea"):  # a log without times is refused, with the reason
            assert code == 2 and "no report has a time" in captured.err
            continue
        assert code == 0, captured.err
        events = pyogrio.read_dataframe(out)
        assert shapely.is_valid(events.geometry.values).all()
        lines = events[events.geom_type == "LineString"]
        assert (shapely.length(lines.geometry.values) > 0).all()
        total += len(events)
    stored = read_events(store)
    events = stored[stored["kind"] != "track"]
    assert total > 0 and len(events) == total
    assert (stored["kind"] == "track").any()


@pytest.mark.parametrize("kind", ["gz", "bz2", "zip", "zip_member"])
def test_corrupt_compressed_input_exits_2_naming_it(shared_data: Path, tmp_path: Path,
                                                    kind: str, capsys) -> None:
    data = (shared_data / "ais" / "digitraffic_baltic_latest_positions_2025-12-11_12.csv"
            ).read_bytes()
    if kind == "gz":
        path = tmp_path / "feed.csv.gz"
        path.write_bytes(gzip.compress(data)[:200_000])  # truncated
    elif kind == "bz2":
        path = tmp_path / "feed.csv.bz2"
        packed = bytearray(bz2.compress(data))
        packed[5000:5100] = b"\x00" * 100  # corrupt
        path.write_bytes(bytes(packed))
    else:
        path = tmp_path / "feed.zip"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("feed.csv", data)
        packed = buffer.getvalue()
        if kind == "zip":
            packed = packed[: len(packed) // 2]
        else:
            packed = bytearray(packed)
            packed[20_000:20_100] = b"\xff" * 100
            packed = bytes(packed)
        path.write_bytes(packed)
    code = main(["ais", "detect", str(path), "--out", str(tmp_path / "e.geojson")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "feed." in err and "Traceback" not in err and "unexpected" not in err
    reason = {"gz": "Truncated compressed stream", "bz2": "invalid bz2 data",
              "zip": "not a readable zip archive", "zip_member": "Bad CRC-32"}[kind]
    assert reason in err


def test_time_format_on_the_command_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "feed.csv"
    rows = [f"257027430,01.07.2021 {18 + k}:51,70.5,{20 + k}.0,10,90" for k in range(3)]
    path.write_text("MMSI,Time,Latitude,Longitude,SOG,COG\n" + "\n".join(rows) + "\n")
    out = tmp_path / "e.geojson"
    assert main(["ais", "detect", str(path), "--time-format", "%d.%m.%Y %H:%M",
                 "--out", str(out)]) == 0
    assert "kept 3 of 3 reports" in capsys.readouterr().err
    assert main(["ais", "detect", str(path), "--time-format", "%Q", "--out", str(out),
                 "--overwrite"]) == 2
    assert "--time-format '%Q' is not usable" in capsys.readouterr().err
    assert main(["ais", "detect", str(path), "--time-format", "%Y%m%d", "--out", str(out),
                 "--overwrite"]) == 2
    assert "only 0 of 3 values parse as times (e.g. '01.07.2021 18:51') with --time-format" \
        in capsys.readouterr().err


def test_event_rows_never_carry_a_zero_length_line() -> None:
    from northpic.ais.events import event_frame

    start = [pd.Timestamp("2026-01-10T00:00Z")] * 2
    events = event_frame(
        "spoofing", mmsi=[257027430, 257027431], start=start, end=start,
        geometry=[shapely.LineString([(4, 68), (4, 68)]), shapely.LineString([(4, 68), (5, 68)])],
        confidence=["medium"] * 2, evidence=["", ""], label=["", ""],
    )
    assert list(events.geom_type) == ["Point", "LineString"]
    assert shapely.is_valid(events.geometry.values).all()


US_PLACES = ("LA ", "Long Beach", "NY ", "Boston", "Houston", "Galveston", "San Diego",
             "Lake Superior", "Duluth", "Lake Michigan", "Chicago", "Lake Erie", "Cleveland",
             "Lake Huron", "Lake Ontario", "Detroit", "St Clair")


def test_marinecadastre_day_on_us_coasts_and_great_lakes_keeps_moving_ships(
    tmp_path: Path, capsys
) -> None:
    water = _places(WATER)
    us = water[water["name"].str.startswith(US_PLACES)].reset_index(drop=True)
    header = ("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,"
              "Status,Length,Width,Draft,Cargo,TransceiverClass")
    rows = []
    for k, place in us.iterrows():  # each vessel twice, 10 min apart, at 8-13 kn
        for minute in (0, 10):
            lon = place.lon + minute * 0.0002  # about 200 m east in 10 min
            rows.append(f"{367000000 + k},2023-06-01T12:{minute:02d}:00,{place.lat:.5f},"
                        f"{lon:.5f},{8 + k % 6}.0,90.0,90,VESSEL {k},IMO{9000000 + k},"
                        f"WDA{k},70,0,100,20,6.0,70,A")
    path = tmp_path / "AIS_2023_06_01.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    assert main(["ais", "detect", str(path), "--out", str(tmp_path / "e.geojson")]) == 0
    err = capsys.readouterr().err
    assert "(marinecadastre)" in err and f"kept {len(rows)} of {len(rows)} reports" in err


def test_new_zealand_nmea_in_harbours_and_sounds_keeps_its_ships(tmp_path: Path) -> None:
    from pyais.encode import encode_dict
    from pyais.messages import TagBlock

    water = _places(WATER)
    nz = water[water["name"].str.contains("Auckland|Wellington|Doubtful|Deep Cove")]
    lines = []
    for k, place in enumerate(nz.itertuples()):
        for minute in (0, 6):
            stamp = int(INSTANT.timestamp()) + 60 * minute
            tag = TagBlock.create(receiver_timestamp=stamp, source_station="NZ").decode()
            # at anchor: the position swings a few tens of metres between reports
            sentence = encode_dict({"type": 1, "mmsi": 512000100 + k,
                                    "lat": place.lat + minute * 0.00005, "lon": place.lon,
                                    "speed": 0.0, "course": 0.0},
                                   talker_id="AI")[0]
            lines.append(f"\\{tag}\\{sentence}")
    path = tmp_path / "nz.nmea"
    path.write_text("\n".join(lines) + "\n")
    cleaned = clean_reports(read_ais(path))  # stationary: the strict case
    assert cleaned.counts["on_land"] == 0 and cleaned.counts["kept"] == len(lines)
