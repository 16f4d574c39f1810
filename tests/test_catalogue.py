"""Every catalogue entry loads and validates; the catalogue itself is checked on load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

import northpic
from northpic.catalogue import read_catalogue
from northpic.errors import CatalogueError, LayerNotFoundError
from northpic.schema import COMMON_COLUMNS, CONFIDENCES, DOMAINS

LAYER_NAMES = [spec.name for spec in read_catalogue()]


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_layer_loads_valid_and_honest(name: str) -> None:
    spec = next(s for s in northpic.list_layers() if s.name == name)
    frame = northpic.load_layer(name)
    assert len(frame) > 0
    assert frame.crs.to_epsg() == 4326
    assert list(frame.columns[: len(COMMON_COLUMNS)]) == list(COMMON_COLUMNS)
    assert frame["id"].is_unique
    assert set(frame["layer"]) == {name} and set(frame["domain"]) == {spec.domain}
    assert set(frame["confidence"]) <= set(CONFIDENCES)
    assert (frame["precision_km"] >= 0).all()
    assert frame["source"].str.len().min() > 3
    assert frame.geometry.is_valid.all() and not frame.geometry.is_empty.any()
    if spec.geometry == "point":
        assert (frame.geom_type == "Point").all()
    if spec.geometry == "line":
        assert frame.geom_type.isin(["LineString", "MultiLineString"]).all()


@pytest.mark.parametrize("name", [s.name for s in read_catalogue() if s.densify_km])
def test_lines_are_densified_and_cut_at_the_antimeridian(name: str) -> None:
    spec = next(s for s in northpic.list_layers() if s.name == name)
    frame = northpic.load_layer(name)
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    for geom in frame.geometry:
        for part in shapely.get_parts(geom):
            xy = np.asarray(part.coords)
            assert np.all(np.abs(np.diff(xy[:, 0])) < 180), "segment jumps across 180"
            if spec.geometry == "line":
                steps = geod.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])[2]
                assert steps.max() <= spec.densify_km * 1000 + 1


def test_the_northern_sea_route_crosses_the_antimeridian_correctly() -> None:
    routes = northpic.load_layer("shipping_routes")
    nsr = routes[routes["name"].str.contains("Northern Sea Route")].geometry.iloc[0]
    assert nsr.geom_type == "MultiLineString"
    ends = [c for part in nsr.geoms for c in (part.coords[0], part.coords[-1])]
    assert any(x == 180 for x, _ in ends) and any(x == -180 for x, _ in ends)
    assert nsr.bounds[1] > 60  # stays in the Arctic, not wrapped round the globe


def test_required_facts_are_present() -> None:
    bases = " | ".join(northpic.load_layer("bases")["name"]).lower()
    for place in ("pituffik", "severomorsk", "gadzhiyevo", "olenya", "nagurskoye", "rogachevo"):
        assert place in bases
    assert len(northpic.load_layer("bases")) >= 30
    assert len(northpic.load_layer("minerals")) >= 25
    fleet = northpic.load_layer("shadow_fleet")
    assert fleet["name"].str.contains("Valera").any()
    assert (fleet["precision_km"] >= 50).all(), "reported diversions cannot be precise"


def test_unknown_layer_lists_the_valid_names() -> None:
    with pytest.raises(LayerNotFoundError, match=r"unknown layer 'unicorns'; valid layers: bases"):
        northpic.load_layer("unicorns")
    with pytest.raises(KeyError):
        northpic.load_layer("unicorns")


def test_picture_as_of_a_date_drops_what_was_not_yet_valid() -> None:
    every = northpic.load_picture()
    early = northpic.load_picture(at="1950-01-01")
    later = sum(len(f) for f in every.values())
    assert sum(len(f) for f in early.values()) < later
    for name, frame in early.items():
        assert (frame["valid_from"].isna() | (frame["valid_from"] <= "1950-01-01")).all(), name


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda doc: doc["layers"][0].pop("domain"), r"missing domain"),
        (lambda doc: doc["layers"][0].update(domain="cosmic"), r"unknown domain 'cosmic'"),
        (lambda doc: doc["layers"][0].update(file="nope.csv"), r"does not exist"),
        (lambda doc: doc["layers"].append(dict(doc["layers"][0])), r"duplicate layer names bases"),
        (lambda doc: doc["layers"][0]["style"]["kinds"]["naval"].update(sidc="SFGPIBN---H****"),
         r"layer #1: style.kinds.naval.sidc must be 20 digits"),
        (lambda doc: doc["layers"][0]["style"]["kinds"]["air"].update(sidc="10019900001208030000"),
         r"style.kinds.air.sidc has symbol set '99'"),
        (lambda doc: doc["layers"][0]["style"]["kinds"]["air"].update(sidc="<svg onload=x>"),
         r"style.kinds.air.sidc must be 20 digits"),
        (lambda doc: doc["layers"][0]["style"]["kinds"]["radar"].pop("sidc"),
         r"style.kinds radar need a sidc"),
    ],
)
def test_malformed_catalogue_is_refused(tmp_path: Path, edit, message: str) -> None:
    source = Path(read_catalogue()[0].file).parent
    doc = json.loads((source / "catalogue.json").read_text())
    edit(doc)
    for path in source.iterdir():
        if path.is_file() and path.name != "catalogue.json":
            (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "catalogue.json").write_text(json.dumps(doc))
    with pytest.raises(CatalogueError, match=message):
        read_catalogue(tmp_path)


def test_domains_cover_the_picture() -> None:
    assert {s.domain for s in northpic.list_layers()} == set(DOMAINS)


def _catalogue_folder(tmp_path: Path, content: str | bytes) -> Path:
    source = Path(read_catalogue()[0].file).parent
    for path in source.iterdir():
        if path.is_file() and path.name != "catalogue.json":
            (tmp_path / path.name).write_bytes(b"")  # present; the catalogue does not read them
    target = tmp_path / "catalogue.json"
    target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return tmp_path


def _edited(edit) -> str:
    doc = json.loads((Path(read_catalogue()[0].file).parent / "catalogue.json").read_text())
    edit(doc)
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_edited(lambda d: d["layers"][0].update(file="../../../etc/passwd")),
         r"layer #1: file '../../../etc/passwd' must name a file inside"),
        (_edited(lambda d: d["layers"][0].update(file="/etc/passwd")), r"must name a file inside"),
        (_edited(lambda d: d["layers"].append("bases")), r"layer #12: an entry must be a JSON "
                                                         r"object, not str"),
        (_edited(lambda d: d["layers"][1].update(title=7)), r"layer #2: title must be text"),
        (_edited(lambda d: d["layers"][0].update(title="Bases\x1b[2J")),
         r"layer #1: title holds a control character \(U\+001B ESC\)"),
        (_edited(lambda d: d["layers"][0].update(name="Bases!")), r"name 'Bases!' must be lower"),
        (_edited(lambda d: d["layers"][0].update(style=[1])), r"style must be a JSON object"),
        (_edited(lambda d: d["layers"][0].update(densify_km=float("nan"))), r"densify_km must be"),
        (_edited(lambda d: d["layers"][0].update(densify_km=True)), r"densify_km must be"),
        (_edited(lambda d: d.update(layers={"a": 1})), r"must be a JSON object with a 'layers' list"),
        ("[]", r"must be a JSON object with a 'layers' list"),
        ("[" * 100_000, r"nested too deeply|not valid JSON"),
        ("{" + '"layers": ' + "1" * 5000 + "}", r"not valid JSON"),
        (bytes(5000), r"binary data, not text"),
        (b"\xff\xfe\xfa{}", r"not UTF-8 text"),
    ],
)
def test_a_hostile_catalogue_is_a_catalogue_error(tmp_path: Path, content: str | bytes,
                                                  message: str) -> None:
    folder = _catalogue_folder(tmp_path, content)
    with pytest.raises(CatalogueError, match=message) as info:
        read_catalogue(folder)
    assert str(folder / "catalogue.json") in str(info.value)


def test_unicode_titles_are_kept(tmp_path: Path) -> None:
    title = "Базы — قواعد — 基地 🛰️"
    folder = _catalogue_folder(tmp_path, _edited(lambda d: d["layers"][0].update(title=title)))
    assert read_catalogue(folder)[0].title == title
