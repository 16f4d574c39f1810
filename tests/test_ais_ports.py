"""The port gazetteer: messy destinations, authored entries, and a hand-labelled real sample.

``tests/data/ais_destination_labels.csv`` is northpic's own labelling, done
before the resolver was written: 200 vessels drawn with
``Series.sample(200, random_state=20251211)`` from the 9,013 vessels of
``../shared/data/ais/digitraffic_baltic_latest_positions_2025-12-11_12.csv``
that declare a destination (each vessel's destination in its latest
snapshot), giving 163 distinct strings. The table keys each string by the
first 16 hex digits of its SHA-256 (``destination_sha256``), so it holds
labels only, never the shared data: the test finds the strings in the real
file. ``sampled_vessels`` is how many of
the 200 carry the string; ``names_port`` is yes, no or unsure (unsure ones
are left out of the measure); ``locodes`` lists the UN/LOCODEs a careful
reader would accept (empty when the labeller knew the port but not its
code); ``country`` is the port's country.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from northpic.ais.ports import (
    distance_to_port_km,
    read_ports,
    resolve_destination,
    resolve_destinations,
)
from northpic.ais.shore import distance_to_shore_km

LABELS = Path(__file__).parent / "data" / "ais_destination_labels.csv"
DIGITRAFFIC = "digitraffic_baltic_latest_positions_2025-12-11_12.csv"


def _code(text: str) -> str | None:
    port = resolve_destination(text)
    return None if port is None else str(port["locode"])


@pytest.mark.parametrize(("text", "locode"), [
    ("EE SLM>DK SKA", "DKSKA"),          # '>' points to the next port
    ("RUULU>EGPSD", "EGPSD"),
    ("RU ULU=>EG PSD", "EGPSD"),
    ("RULED>>TRISK", "TRISK"),
    ("CN TAO<RU ULU", "CNTAO"),          # '<' points the same way: to the port before it
    ("CN TAO <- RU ULU", "CNTAO"),
    ("RU ULU -> CN TAO", "CNTAO"),
    ("SE OER => SE FAG", "SEFAG"),
    ("SEGOT", "SEGOT"),
    ("SE GOT", "SEGOT"),
    ("se got", "SEGOT"),
    ("PORT SAID,EGYPT", "EGPSD"),
    ("PORTSAID", "EGPSD"),
    ("UST LUGA.RUSSIA", "RUULU"),
    ("UST-LUGA", "RUULU"),
    ("USTLUGA", "RUULU"),
    ("PRIMORSK,RUSSIA", "RUPRI"),
    ("RU PRIMORSK", "RUPRI"),
    ("SUEZ", "EGSUZ"),
    ("NLRTM_FOR ORDERS", "NLRTM"),
    ("EESLM-DKSKA", "DKSKA"),            # from-to: the last port named
    ("DK SKA FOR ORDERS", "DKSKA"),
    ("SKAGEN ANCHORAGE", "DKSKA"),
    ("GOTHENBURG ANCHORAGE", "SEGOT"),
    ("Göteborg", "SEGOT"),
    ("ST PETERSBURG", "RULED"),
    ("ST.PETERSBURG", "RULED"),
    ("SAINT-PETERSBURG", "RULED"),
    ("SPB", "RULED"),
    ("RU LED", "RULED"),
    ("BR SPB", "BRSEP"),                 # Sepetiba, Brazil: not St Petersburg's alias
    ("ZEEBRUGGE", "BEZEE"),
    ("GB IMM VIA KIEL", "GBIMM"),        # a waypoint is not the destination
    ("HAMINA TO GDANSK", "PLGDN"),
    ("PORTLAND,UK", "GBPTL"),
    ("CARTAGENA,SPAIN", "ESCAR"),
    ("HAMBURG", "DEHAM"),                # a shared name: the one main port of that name
    ("PORTSMOUTH", "GBPME"),             # ...or the authored choice
    ("SABETTA", "RUSAB"),
    ("ANCHORAGE ALASKA", "USANC"),
    ("US ANC", "USANC"),
])
def test_messy_destination_shapes_resolve(text, locode):
    assert _code(text) == locode


@pytest.mark.parametrize("text", [
    "POLAND ANCHORAGE",      # a generic word never matches alone (Anchorage, Alaska)
    "ANCHORAGE", "PORT", "ROADS", "OPL", "FOR ORDERS", "TO ORDER", "HARBOUR ASSISTANCE",
    "RU ULU > FOR ORDER",    # the next port is 'for orders'
    "GRASO<>OREGRUND",       # a two-way ferry names no one destination
    "RUULU>", "RU ULU -> ", "<EGPSD",  # the arrow points at nothing
    "CN TAO<RU ULU>EG PSD",  # arrows both ways
    "BR LED",                # St Petersburg's code part under Brazil's flag
    "SPB,BRAZIL",
    "GDANSK,GERMANY",        # the country disagrees
    "CARTAGENA",             # Colombia or Spain: two main ports of one name
    "CHINA", "SWEDISH SAR VESSEL", "HOME", "", "   ", "0", "-",
])
def test_no_port_or_wrong_country_resolves_to_nothing(text):
    assert _code(text) is None


def test_not_a_string_is_no_destination():
    assert resolve_destination(None) is None and resolve_destination(float("nan")) is None


def test_many_destinations_resolve_per_distinct_text():
    texts = pd.Series(["SE GOT", None, "UNKNOWN", "SE GOT", "EG PSD"], index=[5, 6, 7, 8, 9])
    out = resolve_destinations(texts)
    assert out.index.tolist() == [5, 6, 7, 8, 9]
    assert out["locode"].tolist() == ["SEGOT", None, None, "SEGOT", "EGPSD"]
    assert np.isnan(out["lon"].iloc[1]) and out["country"].iloc[4] == "EG"
    assert resolve_destinations(pd.Series([], dtype=object)).empty


def test_gazetteer_holds_searoute_ports_and_the_authored_ones():
    import json
    from importlib import resources

    with resources.files("searoute").joinpath("data/ports.geojson").open("rb") as handle:
        searoute = {f["properties"]["port"] for f in json.load(handle)["features"]}
    ports = read_ports()
    assert ports["locode"].is_unique
    valid = {c for c in searoute if len(c) == 5}
    assert valid <= set(ports["locode"])  # every usable searoute code is there
    assert len(ports) > 3900
    assert (ports["country"] == ports["locode"].str[:2]).all()


def test_authored_entries_resolve_and_lie_on_a_coast():
    from importlib import resources

    with resources.files("northpic.io").joinpath("data/ports.csv").open() as handle:
        authored = pd.read_csv(handle, dtype=str)
    ports = read_ports().set_index("locode")
    for row in authored.itertuples():
        assert _code(row.locode) == row.locode
        assert _code(row.name.lower()) == row.locode, row.name
        for alias in row.aliases.split("|"):
            assert _code(alias) == row.locode, alias
        assert row.source.startswith("northpic authored")
    rows = ports.loc[authored["locode"]]
    shore = distance_to_shore_km(rows["lon"].to_numpy(), rows["lat"].to_numpy())
    limit = rows["kind"].map({"port": 40.0, "offshore terminal": 80.0, "river port": 1000.0})
    assert limit.notna().all()
    assert (shore < limit.to_numpy()).all(), rows.index[shore >= limit.to_numpy()].tolist()


def test_every_alias_names_a_gazetteer_port():
    from importlib import resources

    with resources.files("northpic.io").joinpath("data/port_aliases.csv").open() as handle:
        aliases = pd.read_csv(handle, dtype=str, keep_default_na=False)
    for row in aliases.itertuples():
        assert _code(row.alias) == row.locode, row.alias


def test_distance_to_port_uses_the_whole_gazetteer():
    ports = read_ports().set_index("locode")
    here = ports.loc[["EESLM", "FIKTK"]]  # authored Sillamae, searoute's Kotka
    assert distance_to_port_km(here["lon"].to_numpy(), here["lat"].to_numpy()) == \
        pytest.approx([0, 0], abs=1e-3)
    # mid North Atlantic, 30 W 50 N: hundreds of km from any port
    assert distance_to_port_km(np.array([-30.0]), np.array([50.0]))[0] > 500


@pytest.fixture(scope="module")
def labelled(shared_data):
    labels = pd.read_csv(LABELS, dtype=str, keep_default_na=False)
    labels["sampled_vessels"] = labels["sampled_vessels"].astype(int)
    real = pd.read_csv(shared_data / "ais" / DIGITRAFFIC, dtype={"destination": str},
                       keep_default_na=False, na_values=[""])
    by_digest = {_digest(text): text for text in real["destination"].dropna().unique()}
    labels["destination"] = labels["destination_sha256"].map(by_digest)
    return labels, set(by_digest)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def test_labelled_sample_comes_from_the_real_file(labelled):
    labels, real = labelled
    assert set(labels["destination_sha256"]) <= real
    assert labels["destination"].notna().all()
    assert labels["destination"].is_unique and labels["sampled_vessels"].sum() == 200


def test_most_port_naming_vessels_resolve_to_the_right_country(labelled):
    labels, _ = labelled
    ports = labels[labels["names_port"] == "yes"].copy()
    resolved = resolve_destinations(ports["destination"])
    ports["got"], ports["got_country"] = resolved["locode"], resolved["country"]
    hit = ports["got"].notna()
    weight = ports["sampled_vessels"]
    share = weight[hit].sum() / weight.sum()
    assert share >= 0.80, ports.loc[~hit, "destination"].tolist()
    wrong_country = ports[hit & (ports["got_country"] != ports["country"])]
    assert wrong_country.empty, wrong_country[["destination", "got", "country"]]
    coded = ports[hit & (ports["locodes"] != "")]
    right = [got in accepted.split("|")
             for got, accepted in zip(coded["got"], coded["locodes"], strict=True)]
    assert np.mean(right) >= 0.95, coded.loc[~np.array(right), ["destination", "got", "locodes"]]
    # strings that name no port resolve to nothing
    none = labels[labels["names_port"] == "no"]
    assert resolve_destinations(none["destination"])["locode"].isna().all()


def test_cached_gazetteer_is_the_built_one(tmp_path, monkeypatch):
    """The gazetteer loaded from the cache file equals the one built from the tables."""
    from northpic.ais import ports as module

    monkeypatch.setenv("NORTHPIC_CACHE_DIR", str(tmp_path))
    built = module._merged_ports()
    index = module._build_index(built)
    module._gazetteer.cache_clear()
    try:
        first = module._gazetteer()  # built, and written to the cache
        assert (tmp_path / module._gazetteer_name()).exists()
        module._gazetteer.cache_clear()
        loaded, loaded_index = module._gazetteer()  # read from the cache file
        for frame, words in (first, (loaded, loaded_index)):
            pd.testing.assert_frame_equal(frame, built)
            assert words == index
        (tmp_path / module._gazetteer_name()).write_text("{not json", encoding="utf-8")
        module._gazetteer.cache_clear()
        pd.testing.assert_frame_equal(module._gazetteer()[0], built)  # a damaged file: rebuilt
        assert json_format(tmp_path / module._gazetteer_name()) == module._GAZETTEER_FORMAT
    finally:
        module._gazetteer.cache_clear()


def json_format(path: Path) -> int:
    import json

    return int(json.loads(path.read_text(encoding="utf-8"))["format"])
