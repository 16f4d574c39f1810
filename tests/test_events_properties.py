"""Property-based tests: generated hostile records and files at every intake path.

Whatever the input, the CLI (run in-process through ``main([...])``) answers
0 or 2, never 1 and never a traceback, and a refused batch leaves the store
byte for byte as it was. The same holds for ``northpic layers validate`` and,
at the API, for the catalogue reader (only ``CatalogueError``) and
``add_events`` (only ``BadInputError``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders.events import event, feature
from northpic.catalogue import layers_dir, read_catalogue
from northpic.cli import main
from northpic.errors import BadInputError, CatalogueError
from northpic.events import add_events

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_NASTY = ["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b[31m", "\x7f", "\x85", "\x9b", "\r",
          "\n", "\t", "\ud800", "\udfff", "\ufffe", "\u202e", "\u2028", "\ufeff", "=cmd|'/C'!A0",
          "<script>", "&amp;", "'", '"', "\\", "٣", "🚢", "e\u0301", ""]
hostile_text = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(exclude_categories=()), max_size=12),  # with lone surrogates
    st.lists(st.sampled_from(_NASTY), max_size=5).map("".join),
)
numbers = st.one_of(st.integers(), st.integers(min_value=2**62, max_value=2**70),
                    st.just(10**30), st.just(-(10**400)), st.floats())
scalars = st.one_of(st.none(), st.booleans(), numbers, hostile_text)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(hostile_text, inner, max_size=3)),
    max_leaves=12)
edge_values = st.sampled_from([2**63, 2**63 - 1, -(2**63) - 1, 10**30, -(10**400),
                               float("inf"), float("nan"), -0.0, 1e308, "\x00", "a\x1bb",
                               "\ud800", [[[[[[[[1]]]]]]]], {"k\x00": 1}, "", True])
FIELDS = ["id", "name", "kind", "time", "valid_to", "lat", "lon", "domain", "layer", "source",
          "confidence", "precision_km", "notes"]


@st.composite
def hostile_records(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A few events, each a valid one with some fields (and extra attributes) made hostile."""
    records = []
    for n in range(draw(st.integers(1, 3))):
        record = event(n + 1)
        # half the records are valid but for their extra attributes, so they reach the store
        if draw(st.booleans()):
            for field in draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)):
                record[field] = draw(json_values)
        for name in draw(st.lists(st.one_of(st.sampled_from(
                ["mmsi", "speed", "flag", "fid", "Name", "evidence"]), hostile_text),
                max_size=2)):
            record[name] = draw(st.one_of(edge_values, json_values))
        if draw(st.booleans()):  # a nested value 0..60 levels deep
            depth = draw(st.integers(0, 60))
            record["evidence"] = json.loads("[" * depth + "1" + "]" * depth)
        records.append(record)
    return records


def _geojson(records: list[dict[str, Any]]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [feature(r) for r in records]},
                      default=str).encode("utf-8")


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, default=str) + "\n" for r in records).encode("utf-8")


def _csv(records: list[dict[str, Any]]) -> bytes:
    columns = list(dict.fromkeys(str(k) for r in records for k in r))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows([{str(k): v for k, v in r.items()} for r in records])
    return out.getvalue().encode("utf-8", "surrogatepass")  # lone surrogates: invalid UTF-8


ENCODERS = {".geojson": _geojson, ".jsonl": _jsonl, ".csv": _csv}


@contextlib.contextmanager
def _workspace() -> Iterator[tuple[Path, Path]]:
    """A fresh folder with a store that already holds 3 events."""
    folder = Path(tempfile.mkdtemp(prefix="northpic-hyp-"))
    try:
        store = folder / "events.gpkg"
        add_events([event(i, id=f"seed-{i}") for i in range(3)], store)
        yield folder, store
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(args: list[str], stdin: bytes | None = None) -> tuple[int, str]:
    err = io.StringIO()
    stream = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()), \
            mock.patch("sys.stdin", stream):
        code = main(args)
    return code, err.getvalue()


def _assert_answer(code: int, err: str, store: Path | None = None,
                   before: bytes | None = None) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err and "unexpected error" not in err, err
    if code == 2 and store is not None:
        assert store.read_bytes() == before, "a refused batch changed the store"


@SETTINGS
@given(records=hostile_records(), suffix=st.sampled_from(sorted(ENCODERS)))
def test_hostile_records_in_every_format_exit_0_or_2(records: list[dict[str, Any]],
                                                    suffix: str) -> None:
    with _workspace() as (folder, store):
        path = folder / f"in{suffix}"
        path.write_bytes(ENCODERS[suffix](records))
        before = store.read_bytes()
        code, err = _run(["events", "add", str(path), "--store", str(store)])
        _assert_answer(code, err, store, before)
        if code == 2:
            assert str(path) in err
        code, err = _run(["events", "list", "--store", str(store)])
        assert code == 0, err


@SETTINGS
@given(records=hostile_records(), fmt=st.sampled_from(sorted(ENCODERS)))
def test_hostile_records_on_stdin_exit_0_or_2(records: list[dict[str, Any]], fmt: str) -> None:
    with _workspace() as (_, store):
        before = store.read_bytes()
        code, err = _run(["events", "add", "-", "--store", str(store)],
                         stdin=ENCODERS[fmt](records))
        _assert_answer(code, err, store, before)


@SETTINGS
@given(data=st.one_of(st.binary(max_size=3000),
                      st.builds(lambda a, b: a + b, st.sampled_from(
                          [b"{", b"[", b"id,lat,lon\n", b'{"type": "Feature"}\n{', b"\xef\xbb\xbf",
                           b"\xff\xfe", b'{"type": "FeatureCollection", "features": [']),
                          st.binary(max_size=500))),
       suffix=st.sampled_from([".geojson", ".json", ".jsonl", ".csv", "-"]))
def test_junk_files_and_stdin_exit_0_or_2(data: bytes, suffix: str) -> None:
    with _workspace() as (folder, store):
        before = store.read_bytes()
        if suffix == "-":
            code, err = _run(["events", "add", "-", "--store", str(store)], stdin=data)
        else:
            path = folder / f"junk{suffix}"
            path.write_bytes(data)
            code, err = _run(["events", "add", str(path), "--store", str(store)])
        _assert_answer(code, err, store, before)


@SETTINGS
@given(source=st.one_of(st.none(), st.booleans(), numbers, hostile_text, st.binary(max_size=50),
                        st.lists(json_values, max_size=3),
                        st.dictionaries(hostile_text, json_values, max_size=3),
                        hostile_records()))
def test_the_api_raises_only_bad_input(source: Any) -> None:
    with _workspace() as (_, store):
        before = store.read_bytes()
        try:
            add_events(source, store)
        except BadInputError:
            assert store.read_bytes() == before


@st.composite
def hostile_layer_features(draw: st.DrawFn) -> list[dict[str, Any]]:
    common = {"id": "a", "name": "A", "layer": "test", "domain": "social", "kind": "town",
              "source": "stats", "confidence": "high", "precision_km": 1,
              "valid_from": "2020-01-01", "notes": ""}
    features = []
    for n in range(draw(st.integers(1, 3))):
        props = dict(common, id=f"f{n}")
        for name in draw(st.lists(st.sampled_from([*common, "extra"]), max_size=3, unique=True)):
            props[name] = draw(json_values)
        geometry: Any = {"type": "Point", "coordinates": [20 + n, 70]}
        if draw(st.booleans()):
            geometry = draw(st.one_of(json_values, st.builds(
                lambda c: {"type": "Point", "coordinates": c}, st.lists(numbers, max_size=3))))
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return features


@SETTINGS
@given(features=hostile_layer_features(), as_csv=st.booleans())
def test_layer_validation_of_hostile_files_exits_0_or_2(features: list[dict[str, Any]],
                                                       as_csv: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="northpic-hyp-layer-"))
    try:
        if as_csv:
            rows = []
            for f in features:
                coords = f["geometry"].get("coordinates") if isinstance(f["geometry"], dict) \
                    else None
                row = dict(f["properties"])
                row["lon"], row["lat"] = (coords + [None, None])[:2] if isinstance(
                    coords, list) else (None, None)
                rows.append(row)
            path = folder / "layer.csv"
            path.write_bytes(_csv(rows))
        else:
            path = folder / "layer.geojson"
            path.write_bytes(json.dumps({"type": "FeatureCollection", "features": features},
                                        default=str).encode("utf-8"))
        code, err = _run(["layers", "validate", str(path)])
        _assert_answer(code, err)
        if code == 2:
            assert str(path) in err
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".geojson", ".csv", ".gpkg"]))
def test_layer_validation_of_junk_exits_0_or_2(data: bytes, suffix: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="northpic-hyp-junk-"))
    try:
        path = folder / f"junk{suffix}"
        path.write_bytes(data)
        code, err = _run(["layers", "validate", str(path)])
        _assert_answer(code, err)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_REAL_CATALOGUE = json.loads((layers_dir() / "catalogue.json").read_text(encoding="utf-8"))
_ENTRY_KEYS = ["name", "title", "domain", "file", "geometry", "nature", "style", "description",
               "reader", "densify_km"]


@st.composite
def hostile_catalogues(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["edited", "json", "binary"]))
    if kind == "binary":
        return draw(st.binary(max_size=1000))
    if kind == "json":
        return json.dumps(draw(json_values), default=str).encode("utf-8", "surrogatepass")
    doc = json.loads(json.dumps(_REAL_CATALOGUE))
    for _ in range(draw(st.integers(1, 3))):
        entry = doc["layers"][draw(st.integers(0, len(doc["layers"]) - 1))]
        key = draw(st.sampled_from(_ENTRY_KEYS))
        if draw(st.booleans()):
            entry.pop(key, None)
        else:
            entry[key] = draw(st.one_of(json_values, st.sampled_from(
                ["../../etc/passwd", "/etc/passwd", "bases.csv", "", "."])))
    if draw(st.booleans()):
        doc["layers"].append(draw(json_values))
    return json.dumps(doc, default=str).encode("utf-8", "surrogatepass")


@SETTINGS
@given(content=hostile_catalogues())
def test_the_catalogue_reader_raises_only_catalogue_errors(content: bytes) -> None:
    folder = Path(tempfile.mkdtemp(prefix="northpic-hyp-cat-"))
    try:
        for entry in _REAL_CATALOGUE["layers"]:
            (folder / entry["file"]).write_text("", encoding="utf-8")  # present, not read
        (folder / "catalogue.json").write_bytes(content)
        try:
            specs = read_catalogue.__wrapped__(folder)
        except CatalogueError as exc:
            assert str(folder / "catalogue.json") in str(exc)
        else:
            assert all(spec.file.resolve().is_relative_to(folder.resolve()) for spec in specs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
