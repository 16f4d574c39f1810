"""Seeded AIS scenarios: ordinary traffic plus injected shadow-fleet behaviour and bad records.

:func:`build_scenario` sails vessels in the open Norwegian and Barents
Seas (far from shore and ports) and injects, one vessel each: an AIS gap,
an encounter of two vessels, loitering, a diversion (declared Shanghai,
then Hammerfest, turning back west), a spoofed position, a name change
and an MMSI/flag change of one IMO number. ``Scenario.expected`` says
what the detectors must find; ordinary vessels must raise nothing.
Writers produce the DMA and MarineCadastre CSV layouts and NMEA.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
T0 = pd.Timestamp("2026-01-10T00:00:00Z")
HOURS = 48.0
KN = 1852.0 / 3600.0  # metres per second per knot

ORDINARY_MMSI = (257100001, 257100002, 273100003, 273100004, 636100005, 538100006)
GAP_MMSI = 273200001
ENCOUNTER_MMSI = (273300001, 613300002)
LOITER_MMSI = 273400001
DIVERSION_MMSI = 636500001
SPOOF_MMSI = 257600001
RENAME_MMSI = 511700001
REFLAG_MMSI = (273800001, 620800002)
REFLAG_IMO = 9800002


@dataclass
class Scenario:
    """Reports (canonical columns, file order) plus what was injected."""

    reports: pd.DataFrame
    expected: dict[str, set[tuple[int, int | None]]]
    bad: dict[str, int] = field(default_factory=dict)


def _leg(lon: float, lat: float, bearing: float, speed_kn: float, times_s: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    """Positions along a rhumb line (constant course) at constant speed, at times (s)."""
    dist_km = speed_kn * KN * times_s / 1000.0
    b = np.radians(bearing)
    lats = lat + dist_km * np.cos(b) / 111.2
    mid = np.radians((lat + lats) / 2.0)
    lons = lon + dist_km * np.sin(b) / (111.2 * np.cos(mid))
    return lons, lats


def _vessel(mmsi: int, legs: list[tuple[float, float, float]], start: tuple[float, float],
            interval_min: float, *, name: str, destination: str, imo: float = np.nan,
            t_start_h: float = 0.0) -> pd.DataFrame:
    """Sail ``legs`` of (hours, bearing, speed_kn) from ``start``; one report per interval."""
    lon, lat = start
    t_h = t_start_h
    parts = []
    for hours, bearing, speed in legs:
        steps = np.arange(0.0, hours * 3600.0, interval_min * 60.0)
        lons, lats = _leg(lon, lat, bearing, speed, steps)
        parts.append(pd.DataFrame({
            "time": T0 + pd.to_timedelta(t_h * 3600.0 + steps, unit="s"),
            "lon": lons, "lat": lats, "sog": speed, "cog": bearing,
        }))
        end_lon, end_lat = _leg(lon, lat, bearing, speed, np.array([hours * 3600.0]))
        lon, lat, t_h = float(end_lon[0]), float(end_lat[0]), t_h + hours
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "mmsi", mmsi)
    frame["heading"] = frame["cog"].round()
    frame["name"] = name
    frame["destination"] = destination
    frame["callsign"] = f"C{mmsi % 100000:05d}"
    frame["imo"] = imo
    frame["ship_type"] = "Tanker"
    return frame


def build_scenario(seed: int = 5, interval_min: float = 5.0, bad_records: bool = True) -> Scenario:
    """Ordinary traffic plus one vessel (or pair) per injected behaviour; see the module doc."""
    rng = np.random.default_rng(seed)
    vessels: list[pd.DataFrame] = []
    for k, mmsi in enumerate(ORDINARY_MMSI):
        lat = 72.0 + 0.35 * k  # parallel lanes about 39 km apart
        bearing = 90.0 if k % 2 == 0 else 270.0
        lon = 4.0 if bearing == 90 else 14.0
        vessels.append(_vessel(mmsi, [(HOURS, bearing, float(rng.uniform(8, 11)))], (lon, lat),
                               interval_min, name=f"ORDINARY {k}", destination="ROTTERDAM",
                               imo=9100000 + k))
    # AIS gap: silent 14 h in the Norwegian Sea, sailing on at 11 kn
    gap = _vessel(GAP_MMSI, [(HOURS, 85.0, 11.0)], (0.0, 71.5), interval_min,
                  name="DARK STAR", destination="MURMANSK", imo=9200001)
    hours = (gap["time"] - T0).dt.total_seconds() / 3600.0
    vessels.append(gap[(hours < 10) | (hours >= 24)])
    # encounter: two vessels meet in the Barents Sea and lie together 4 h
    meet_lon, meet_lat = 38.0, 73.5
    a = _vessel(ENCOUNTER_MMSI[0], [(8, 0.0, 12.0), (4, 45.0, 0.5), (8, 0.0, 12.0)],
                _start_for(meet_lon, meet_lat, 0.0, 12.0, 8), interval_min,
                name="SEA BRIDGE", destination="FOR ORDERS", imo=9300001, t_start_h=10)
    b = _vessel(ENCOUNTER_MMSI[1], [(8, 180.0, 11.0), (4, 45.0, 0.5), (8, 180.0, 11.0)],
                _start_for(meet_lon + 0.004, meet_lat + 0.001, 180.0, 11.0, 8), interval_min,
                name="NORTHERN LIGHT", destination="FOR ORDERS", imo=9300002, t_start_h=10)
    vessels += [a, b]
    # loitering: 5 h at 0.8 kn in the Norwegian Sea
    vessels.append(_vessel(LOITER_MMSI, [(12, 90.0, 12.0), (5, 120.0, 0.8), (12, 90.0, 12.0)],
                           (6.0, 71.8), interval_min, name="PATIENT", destination="SKAGEN",
                           imo=9400001))
    # diversion: east-bound for Shanghai over the Northern Sea Route, then Hammerfest
    div = _vessel(DIVERSION_MMSI, [(20, 85.0, 12.0), (24, 250.0, 12.0)], (33.0, 72.8),
                  interval_min, name="EAST WIND", destination="CN SHA", imo=9500001)
    div.loc[div["time"] >= T0 + pd.Timedelta(hours=20), "destination"] = "NOHFT HAMMERFEST"
    vessels.append(div)
    # spoofing: one report 300 km off the track
    spoof = _vessel(SPOOF_MMSI, [(HOURS, 100.0, 12.0)], (0.0, 73.5), interval_min,
                    name="TRUE NORTH", destination="MURMANSK", imo=9600001)
    k = len(spoof) // 3
    spoof.loc[k, "lon"], spoof.loc[k, "lat"] = (
        float(v) for v in GEOD.fwd(spoof.loc[k, "lon"], spoof.loc[k, "lat"], 0.0, 300_000)[:2]
    )
    vessels.append(spoof)
    # name change under one MMSI
    rename = _vessel(RENAME_MMSI, [(HOURS, 270.0, 10.0)], (20.0, 74.0), interval_min,
                     name="OCEAN A", destination="MURMANSK", imo=9700001)
    rename.loc[rename["time"] >= T0 + pd.Timedelta(hours=24), "name"] = "OCEAN B"
    vessels.append(rename)
    # one IMO number, new MMSI (new flag) half way
    reflag = _vessel(REFLAG_MMSI[0], [(HOURS, 90.0, 10.0)], (-15.0, 70.0), interval_min,
                     name="SHADOW ONE", destination="MURMANSK", imo=REFLAG_IMO)
    reflag.loc[reflag["time"] >= T0 + pd.Timedelta(hours=24), "mmsi"] = REFLAG_MMSI[1]
    vessels.append(reflag)

    reports = pd.concat(vessels, ignore_index=True)
    reports = reports.sort_values("time", kind="stable").reset_index(drop=True)  # as feeds are
    expected: dict[str, set[tuple[int, int | None]]] = {
        "ais_gap": {(GAP_MMSI, None)},
        "encounter": {(min(ENCOUNTER_MMSI), max(ENCOUNTER_MMSI))},
        "loitering": {(LOITER_MMSI, None)},
        "diversion": {(DIVERSION_MMSI, None)},
        "spoofing": {(SPOOF_MMSI, None)},
        "identity_change": {(RENAME_MMSI, None), (REFLAG_MMSI[1], REFLAG_MMSI[0])},
    }
    scenario = Scenario(reports, expected, {"impossible_jump": 1})
    if bad_records:
        _add_bad_records(scenario, rng)
    return scenario


def _start_for(lon: float, lat: float, bearing: float, speed_kn: float, hours: float
               ) -> tuple[float, float]:
    """Where to start so that ``hours`` at ``speed_kn`` on ``bearing`` ends at lon/lat."""
    back_lon, back_lat = _leg(lon, lat, (bearing + 180.0) % 360.0, speed_kn,
                              np.array([hours * 3600.0]))
    return float(back_lon[0]), float(back_lat[0])


def _add_bad_records(scenario: Scenario, rng: np.random.Generator) -> None:
    """Mix in bad records of every class, and delay some reports (out of order)."""
    reports = scenario.reports
    ordinary = reports[reports["mmsi"] == ORDINARY_MMSI[0]]
    template = ordinary.iloc[10:11]

    def rows(n: int, **changes: object) -> pd.DataFrame:
        out = pd.concat([template] * n, ignore_index=True)
        out["time"] = out["time"] + pd.to_timedelta(np.arange(n) + 7, unit="s")
        for column, value in changes.items():
            out[column] = value
        return out

    invalid = rows(5, mmsi=[12345, 0, 999999999, 111257500, 2570274])
    missing_time = rows(4, time=pd.NaT)
    bad_pos = rows(6, lat=[91.0, np.nan, 70.0, 95.0, 70.0, -91.0],
                   lon=[181.0 if i == 2 else (np.nan if i == 4 else 10.0) for i in range(6)])
    # stationary on land (a moving report on land is flagged and kept, not removed)
    land = rows(3, lat=[65.0, 68.0, 62.0], lon=[27.0, 20.0, 10.0], mmsi=ORDINARY_MMSI[1],
                sog=0.0)
    land["time"] = T0 + pd.to_timedelta([3, 5, 7], unit="h") + pd.Timedelta(seconds=30)
    dupes = reports[reports["mmsi"].isin(ORDINARY_MMSI)].sample(7, random_state=1)
    # one report served again, unchanged, under 4 later times (as snapshot feeds do)
    served = reports[reports["mmsi"] == ORDINARY_MMSI[2]].iloc[[20] * 4].copy()
    served["time"] = served["time"] + pd.to_timedelta([30, 60, 90, 120], unit="s")
    # delayed reports: one mid-track report of each of 8 vessels moved to the end of the file
    delayed_idx = [reports.index[reports["mmsi"] == m][40] for m in
                   [*ORDINARY_MMSI, LOITER_MMSI, RENAME_MMSI]]
    delayed = reports.loc[delayed_idx]
    kept = reports.drop(index=delayed_idx)
    extra = pd.concat([invalid, missing_time, bad_pos, land], ignore_index=True)
    served.index = served.index + np.array([0.3, 0.35, 0.4, 0.45])
    extra.index = rng.integers(0, len(reports), len(extra)) + 0.5
    dupes.index = dupes.index + 0.25  # a second receiver's copy right after the first
    mixed = pd.concat([kept, extra, dupes, served]).sort_index(kind="stable")
    scenario.reports = pd.concat([mixed, delayed], ignore_index=True)
    scenario.reports["time"] = pd.to_datetime(scenario.reports["time"], utc=True)
    scenario.bad.update({
        "invalid_mmsi": 5, "missing_time": 4, "bad_position": 6, "on_land": 3,
        "duplicate": 7, "repeated": 4, "out_of_order": 8,
    })


DMA_HEADER = [
    "# Timestamp", "Type of mobile", "MMSI", "Latitude", "Longitude", "Navigational status",
    "ROT", "SOG", "COG", "Heading", "IMO", "Callsign", "Name", "Ship type", "Cargo type",
    "Width", "Length", "Type of position fixing device", "Draught", "Destination", "ETA",
    "Data source type", "A", "B", "C", "D",
]


def _text(values: pd.Series, missing: str = "") -> pd.Series:
    return values.astype(object).where(values.notna(), missing).astype(str)


def write_dma_csv(reports: pd.DataFrame, path: Path,
                  extra: Mapping[str, Sequence[str]] | None = None) -> Path:
    """Write reports in the Danish Maritime Authority layout (``.gz`` names are gzipped).

    ``extra`` columns (one value per report, such as a ``releasability``
    marking) are written after the layout's own.
    """
    imo = reports["imo"].map(lambda v: "Unknown" if pd.isna(v) else str(int(v)))
    frame = pd.DataFrame({
        "# Timestamp": _text(reports["time"].dt.strftime("%d/%m/%Y %H:%M:%S")),
        "Type of mobile": "Class A",
        "MMSI": reports["mmsi"].astype(str),
        "Latitude": _text(reports["lat"].round(6)),
        "Longitude": _text(reports["lon"].round(6)),
        "Navigational status": "Under way using engine",
        "ROT": "0.0", "SOG": _text(reports["sog"].round(1)), "COG": _text(reports["cog"].round(1)),
        "Heading": _text(reports["heading"]), "IMO": imo,
        "Callsign": _text(reports["callsign"]), "Name": _text(reports["name"]),
        "Ship type": _text(reports["ship_type"]), "Cargo type": "", "Width": "32",
        "Length": "180", "Type of position fixing device": "GPS", "Draught": "9.5",
        "Destination": _text(reports["destination"]), "ETA": "", "Data source type": "AIS",
        "A": "", "B": "", "C": "", "D": "",
    })[DMA_HEADER]
    for name, values in (extra or {}).items():
        frame[name] = list(values)
    text = frame.to_csv(index=False)
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def write_marinecadastre_csv(reports: pd.DataFrame, path: Path) -> Path:
    """Write reports in the NOAA MarineCadastre layout (ISO times, ``IMO`` prefixes)."""
    frame = pd.DataFrame({
        "MMSI": reports["mmsi"], "BaseDateTime": reports["time"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
        "LAT": reports["lat"].round(5), "LON": reports["lon"].round(5),
        "SOG": reports["sog"].round(1), "COG": reports["cog"].round(1),
        "Heading": reports["heading"], "VesselName": reports["name"],
        "IMO": reports["imo"].map(lambda v: "" if pd.isna(v) else f"IMO{int(v)}"),
        "CallSign": reports["callsign"], "VesselType": 80, "Status": 0, "Length": 180,
        "Width": 32, "Draft": 9.5, "Cargo": 80, "TransceiverClass": "A",
    })
    frame.to_csv(path, index=False)
    return path


def write_nmea(reports: pd.DataFrame, path: Path) -> Path:
    """Write position (type 1) and voyage (type 5) reports as NMEA with tag-block times."""
    from pyais.encode import encode_dict
    from pyais.messages import TagBlock

    lines = []
    seen: set[int] = set()
    for row in reports.itertuples():
        stamp = int(row.time.timestamp())
        tag = TagBlock.create(receiver_timestamp=stamp).decode()
        if row.mmsi not in seen:
            seen.add(row.mmsi)
            voyage = encode_dict({
                "type": 5, "mmsi": int(row.mmsi), "shipname": row.name,
                "destination": row.destination, "callsign": row.callsign,
                "imo": 0 if pd.isna(row.imo) else int(row.imo), "ship_type": 80,
            }, radio_channel="A", talker_id="AI", seq_id=1)
            lines += [f"\\{tag}\\{s}" for s in voyage]
        for sentence in encode_dict({
            "type": 1, "mmsi": int(row.mmsi), "lat": row.lat, "lon": row.lon,
            "speed": row.sog, "course": row.cog, "heading": int(row.heading),
        }, talker_id="AI"):
            lines.append(f"\\{tag}\\{sentence}")
    path.write_text("\n".join(lines) + "\n")
    return path


def synthetic_traffic(n_reports: int, n_vessels: int = 2000, seed: int = 1,
                      interval_s: float = 60.0) -> pd.DataFrame:
    """Ordinary traffic for benchmarks: straight tracks with random 6 h+ pauses and stops.

    Reports are vectorised (no per-vessel Python work) and returned in time
    order like a real daily feed, with canonical report columns.
    """
    rng = np.random.default_rng(seed)
    per = n_reports // n_vessels
    mmsi = np.repeat(rng.choice(np.arange(201_000_000, 775_999_999), n_vessels, replace=False), per)
    k = np.tile(np.arange(per), n_vessels)
    t = k * interval_s + np.repeat(rng.uniform(0, interval_s, n_vessels), per)
    # every 200th report starts a 7 h pause; every fifth 100 reports the vessel stops (0.3 kn)
    t = np.floor(t + np.floor(k / 200) * 7 * 3600.0)  # whole seconds, as AIS feeds have
    speed = np.repeat(rng.uniform(8, 16, n_vessels), per)
    stopped = (k // 100) % 5 == 4
    speed = np.where(stopped, 0.3, speed)
    lon0 = np.repeat(rng.uniform(-10, 50, n_vessels), per)
    lat0 = np.repeat(rng.uniform(66, 78, n_vessels), per)
    bearing = np.radians(np.repeat(rng.uniform(0, 360, n_vessels), per))
    dist_km = np.cumsum(speed * 1.852 * interval_s / 3600.0)
    starts = np.arange(n_vessels) * per
    dist_km -= np.repeat(dist_km[starts], per)
    lat = lat0 + dist_km * np.cos(bearing) / 111.2
    lon = lon0 + dist_km * np.sin(bearing) / (111.2 * np.cos(np.radians(lat0)))
    frame = pd.DataFrame({
        "mmsi": mmsi,
        "time": pd.to_datetime((1_767_225_600 + t).astype(np.int64), unit="s", utc=True),
        "lat": np.clip(lat, -89.9, 89.9), "lon": ((lon + 180) % 360) - 180,
        "sog": speed.round(1), "cog": np.degrees(bearing).round(1),
        "heading": np.degrees(bearing).round(), "name": "V" + pd.Series(mmsi).astype(str),
        "destination": "MURMANSK", "callsign": "CALL", "imo": np.nan, "ship_type": "Tanker",
    })
    return frame.sort_values("time", kind="stable").reset_index(drop=True)


#: Share of vessels that fall silent once for 12-20 h (AIS gaps), and for 6-11 h (too short).
SILENT_SHARE, SHORT_SILENT_SHARE = 0.05, 0.05


def _sea_starts(rng: np.random.Generator, n: int, reach_km: np.ndarray,
                bearing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start positions in the Norwegian, Greenland and Barents Seas whose tracks stay at sea.

    A candidate is kept when 17 points along its track (``reach_km`` along
    ``bearing``), its ends included, are all at sea and at least 20 km from shore.
    """
    from northpic.ais.landmask import is_on_land
    from northpic.ais.shore import distance_to_shore_km

    lon = np.empty(n)
    lat = np.empty(n)
    todo = np.arange(n)
    while len(todo):
        m = len(todo)
        cand_lon, cand_lat = rng.uniform(-25, 45, m), rng.uniform(62, 80, m)
        ok = np.ones(m, dtype=bool)
        for share in np.linspace(0.0, 1.0, 17):
            d = share * reach_km[todo]
            lat_k = cand_lat + d * np.cos(bearing[todo]) / 111.2
            lon_k = cand_lon + d * np.sin(bearing[todo]) / (111.2 * np.cos(np.radians(cand_lat)))
            lon_k = ((lon_k + 180) % 360) - 180
            ok &= (np.abs(lat_k) < 89.5) & ~is_on_land(lon_k, np.clip(lat_k, -89.9, 89.9))
            ok &= distance_to_shore_km(lon_k, np.clip(lat_k, -89.9, 89.9)) >= 20.0
        lon[todo[ok]], lat[todo[ok]] = cand_lon[ok], cand_lat[ok]
        todo = todo[~ok]
    return lon, lat


def realistic_traffic(n_reports: int, n_vessels: int = 6900, seed: int = 1, *,
                      ordered: bool | None = True, day: int = 0, mmsi_offset: int = 0,
                      bad_records: bool = True) -> pd.DataFrame:
    """A day of AIS traffic shaped like a DMA file: thousands of vessels, nearly all at sea.

    Unlike :func:`synthetic_traffic` (2,000 vessels on tracks that cross
    land), every vessel sails a straight track in the open Norwegian,
    Greenland or Barents Sea (17 points along it at sea and at least
    20 km from shore), with its own report interval (its share of the day's reports
    varies twentyfold, as class A and B transponders do), 10 % of them
    drifting under 1 kn. :data:`SILENT_SHARE` of the vessels fall silent
    once for 12-20 h (sailing on while silent), as many for 6-11 h. With
    ``bad_records``, 3 % of the reports come twice (a second receiver's
    exact copy, right after the first), and 0.5 % are copies with an
    invalid MMSI (base stations, aids to navigation) and 0.2 % with a
    position AIS calls "not available" (91, 181). Times are whole
    seconds; ``ordered`` returns the rows in time order as DMA files are,
    ``False`` in a random order (a merged feed), ``None`` vessel by vessel
    (cheapest, for archives partitioned by MMSI). ``day`` shifts the times by
    whole days; ``mmsi_offset`` is added to the MMSIs (a different fleet).
    """
    rng = np.random.default_rng(seed)
    n_clean = int(n_reports / 1.037) if bad_records else n_reports
    weights = rng.lognormal(0.0, 0.8, n_vessels)
    counts = np.maximum(np.floor(weights / weights.sum() * n_clean).astype(np.int64), 2)
    counts[: n_clean - counts.sum()] += 1  # exactly n_clean (when none needed the floor of 2)
    n = int(counts.sum())
    mmsi_v = np.unique(rng.integers(201_000_000, 775_999_999 - mmsi_offset, 2 * n_vessels))
    mmsi_v = rng.permutation(mmsi_v)[:n_vessels] + mmsi_offset
    active_s = 86_400.0 * rng.uniform(0.5, 1.0, n_vessels)
    interval_v = np.maximum(np.round(active_s / counts), 2.0)
    speed_v = np.where(rng.random(n_vessels) < 0.1, rng.uniform(0.2, 1.0, n_vessels),
                       rng.uniform(8, 16, n_vessels))
    bearing_v = np.radians(rng.uniform(0, 360, n_vessels))
    silent_h = np.zeros(n_vessels)
    kind = rng.random(n_vessels)
    silent_h[kind < SILENT_SHARE] = rng.uniform(12.0, 20.0, int((kind < SILENT_SHARE).sum()))
    short = (kind >= SILENT_SHARE) & (kind < SILENT_SHARE + SHORT_SILENT_SHARE)
    silent_h[short] = rng.uniform(6.0, 11.0, int(short.sum()))
    silent_at = rng.uniform(0.2, 0.8, n_vessels)  # share of the reports before the silence
    reach_km = speed_v * 1.852 * (active_s + silent_h * 3600.0) / 3600.0
    lon0, lat0 = _sea_starts(rng, n_vessels, reach_km, bearing_v)

    vessel = np.repeat(np.arange(n_vessels), counts)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    k = np.arange(n) - np.repeat(starts, counts)
    t = np.repeat(rng.uniform(0, 86_400.0 - active_s), counts) + k * interval_v[vessel]
    t += np.where(k >= (silent_at * counts)[vessel], silent_h[vessel] * 3600.0, 0.0)
    t = np.floor(t + day * 86_400.0)
    dist_km = speed_v[vessel] * 1.852 * (t - t[np.repeat(starts, counts)]) / 3600.0
    bearing = bearing_v[vessel]
    lat = lat0[vessel] + dist_km * np.cos(bearing) / 111.2
    lon = lon0[vessel] + dist_km * np.sin(bearing) / (111.2 * np.cos(np.radians(lat0[vessel])))
    mmsi = mmsi_v[vessel]
    frame = pd.DataFrame({
        "mmsi": mmsi,
        "time": pd.to_datetime((1_767_225_600 + t).astype(np.int64), unit="s", utc=True),
        "lat": lat.round(6), "lon": (((lon + 180) % 360) - 180).round(6),
        "sog": speed_v[vessel].round(1), "cog": np.degrees(bearing).round(1),
        "heading": np.degrees(bearing).round(), "name": pd.Categorical(
            "V" + pd.Series(mmsi_v).astype(str))[vessel],
        "destination": "MURMANSK", "callsign": "CALL", "imo": np.nan, "ship_type": "Tanker",
    })
    if bad_records:
        copies = frame.iloc[np.sort(rng.choice(n, int(0.03 * n), replace=False))]
        invalid = frame.iloc[rng.choice(n, int(0.005 * n), replace=False)].assign(
            mmsi=rng.choice([2190001, 992191234, 111219000, 0, 2573456], int(0.005 * n)))
        bad = frame.iloc[rng.choice(n, int(0.002 * n), replace=False)].assign(lat=91.0,
                                                                           lon=181.0)
        order = np.concatenate((np.arange(n), copies.index.to_numpy() + 0.5,
                                invalid.index.to_numpy() + 0.25, bad.index.to_numpy() + 0.75))
        frame = pd.concat([frame, copies, invalid, bad], ignore_index=True)
        frame = frame.iloc[np.argsort(order, kind="stable")]
    if ordered:
        frame = frame.iloc[np.argsort(frame["time"].array.asi8, kind="stable")]
    elif ordered is False:
        frame = frame.iloc[rng.permutation(len(frame))]
    return frame.reset_index(drop=True)
