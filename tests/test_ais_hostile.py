"""Hostile AIS files: whatever the bytes, ``ais detect`` exits 0 or 2, never 1 or a traceback.

Property-based (hypothesis): generated CSV and NMEA files mixing valid
reports with broken numbers, times, quotes, control characters, huge
values, binary junk and truncated lines, plain or compressed.
"""

from __future__ import annotations

import bz2
import gzip
import tempfile
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from northpic.cli import main

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_junk = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
_mmsi = st.one_of(st.integers(-10**20, 10**20).map(str), st.sampled_from(
    ["257027430", "0", "", "NaN", "9" * 40, "2.5e8", "=1+1"]), _junk)
_time = st.one_of(st.sampled_from([
    "2026-01-10T00:00:00Z", "2026-01-10 00:05:00", "10/01/2026 00:10:00", "20260110_001500",
    "1768003200", "1768003200000", "", "now", "9999-99-99", "2026-02-30T00:00:00Z",
    "-1", "1e400", "T+1h"]), _junk)
_number = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.sampled_from(
    ["", "91", "181", "-0", "1e309", "70,5", "NULL", "Unknown"]), _junk)


@st.composite
def hostile_csv(draw: st.DrawFn) -> bytes:
    header = draw(st.sampled_from([
        "MMSI,BaseDateTime,LAT,LON,SOG,COG,VesselName",
        "mmsi;date_time_utc;lat;lon;sog;cog",
        "mmsi,Time,Latitude,Longitude",
        "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,SOG",
        "snapshot_utc,mmsi,name,lat,lon,sog,cog",
        "a,b,c",
    ]))
    delimiter = ";" if ";" in header else ","
    width = header.count(delimiter) + 1
    rows = draw(st.lists(st.lists(st.one_of(_mmsi, _time, _number), min_size=0,
                                  max_size=width + 2), max_size=30))
    lines = [header] + [delimiter.join(r) for r in rows]
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]  # cut anywhere
    data = text.encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):
        data += draw(st.binary(max_size=64))
    return data


@st.composite
def hostile_nmea(draw: st.DrawFn) -> bytes:
    good = [
        "\\c:1768003200*0B\\!AIVDM,1,1,,A,13RlIW?04F1beOVEFLB9bRvH0L0L,0*6C",
        "!AIVDM,1,1,,B,35VwAv0300QcEQ`EGcpN40jD0PUQ,0*61",
        "$PGHP,1,2026,1,10,0,0,0,0,219,219000001,219000002,1,6C*5B",
        "!AIVDM,2,1,3,B,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E",
        "!AIVDM,2,2,3,B,1@0000000000000,2*55",
        "2026-01-10T00:00:00Z !AIVDM,1,1,,A,13RlIW?04F1beOVEFLB9bRvH0L0L,0*6C",
        "!AIVDM,1,1,,A,13RlIW?04F1beOVEFLB9bRvH0L0L,0*6C,1768003200",
    ]
    pieces = st.one_of(st.sampled_from(good), st.sampled_from(good).map(
        lambda s: s[: len(s) // 2]), _junk.map(lambda j: "!AIVDM,1,1,,A," + j + ",0*00"),
        _junk.map(lambda j: "\\c:" + j + "*00\\!AIVDM,1,1,,A,13RlIW?04F1beOVEFLB9bRvH0L0L,0*6C"),
        _junk.map(lambda j: "$PGHP,1," + j), _junk)
    lines = draw(st.lists(pieces, min_size=1, max_size=30))
    data = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):
        data += draw(st.binary(max_size=64))
    return data


def _run(data: bytes, suffix: str, compress: str, time_format: str | None = None) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"feed{suffix}"
        if compress == "gz":
            data, path = gzip.compress(data), path.with_name(path.name + ".gz")
        elif compress == "bz2":
            data, path = bz2.compress(data), path.with_name(path.name + ".bz2")
        elif compress == "cut-gz":
            packed = gzip.compress(data)
            data, path = packed[: max(len(packed) // 2, 1)], path.with_name(path.name + ".gz")
        path.write_bytes(data)
        extra = [] if time_format is None else ["--time-format", time_format]
        return main(["ais", "detect", str(path), "--out", str(Path(folder) / "e.geojson"),
                     "-q", "--kinds", "ais_gap,spoofing,identity_change", *extra])


_compress = st.sampled_from(["", "", "gz", "bz2", "cut-gz"])
_time_format = st.one_of(st.none(), st.none(), st.sampled_from(
    ["%Y%m%d_%H%M%S", "%d/%m/%Y %H:%M:%S", "%Q", "%", "%Y-%m-%dT%H:%M:%S%z", "plain"]),
    st.text(alphabet="%YmdHMSzbQ-_: x", max_size=10))


@SETTINGS
@given(data=hostile_csv(), compress=_compress, time_format=_time_format)
def test_hostile_csv_exits_0_or_2(data: bytes, compress: str, time_format: str | None) -> None:
    assert _run(data, ".csv", compress, time_format) in (0, 2)


@SETTINGS
@given(data=hostile_nmea(), compress=_compress)
def test_hostile_nmea_exits_0_or_2(data: bytes, compress: str) -> None:
    assert _run(data, ".nmea", compress) in (0, 2)


def test_a_header_that_is_not_utf8_exits_2() -> None:
    # found by test_hostile_csv_exits_0_or_2: pyarrow sees the raw bytes, the sniffer saw U+FFFD
    assert _run(b"MMSI,BaseDateTime,LAT,LON,SOG,COG,VesselName\x80\n", ".csv", "") == 2
