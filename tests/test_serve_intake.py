"""Writing events over HTTP (POST, PUT, DELETE on /collections/events/items), in-process.

Every test runs on both backends (``make_store``: a GeoPackage file, a PostGIS database):
the service behaves the same on each.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from builders.events import event, feature
from builders.serving import EU_WRITER, NATO_READER, NATO_WRITER, bearer, serve_app
from northpic.events import read_events, read_history
from northpic.store import count_events

ITEMS = "/collections/events/items"
GEOJSON = {"Content-Type": "application/geo+json"}


@pytest.fixture
def store(make_store: Any) -> Any:
    return make_store()


@pytest.fixture
def http(tmp_path: Path, store: Path) -> Any:
    with TestClient(serve_app(tmp_path, store, extra_server="max_body_bytes = 200000")) as client:
        yield client


def _post(http: Any, body: Any, account: Any = NATO_WRITER, media: str = "application/geo+json"
          ) -> Any:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return http.post(ITEMS, content=data, headers={**bearer(account), "Content-Type": media})


def _collection(*records: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [feature(r) for r in records]}


def _csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def _without_id(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "id"}


def _snapshot(store: Any) -> str:
    return read_events(store).to_wkt().astype(str).to_json()


def _ids(store: Any) -> list[str]:
    return sorted(read_events(store)["id"]) if count_events(store) else []


def test_one_feature_is_created_with_its_location_and_the_tokens_originator(http, store):
    answer = _post(http, feature(event(1, id="tanker-1", originator="someone else")))
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"].endswith(f"{ITEMS}/tanker-1")
    assert answer.json() == {"added": ["tanker-1"], "updated": []}
    stored = read_events(store)
    assert list(stored["id"]) == ["tanker-1"]
    assert list(stored["originator"]) == [NATO_WRITER.organisation]
    entries = read_history("tanker-1", store).entries
    assert [(e.operation, e.originator) for e in entries] == [("add", NATO_WRITER.organisation)]


@pytest.mark.parametrize("media", ["application/geo+json", "application/json", "text/csv",
                                   "application/x-ndjson", "application/jsonl"])
def test_a_batch_in_each_media_type_is_stored_whole(http, store, media):
    records = [event(n, id=f"m-{n}", releasability="NATO, EU") for n in range(3)]
    if media == "text/csv":
        body: Any = _csv(records)
    elif media.endswith(("ndjson", "jsonl")):
        body = "".join(json.dumps(r) + "\n" for r in records)
    else:
        body = _collection(*records)
    answer = _post(http, body, media=media + "; charset=utf-8")
    assert answer.status_code == 201, answer.text
    assert sorted(answer.json()["added"]) == ["m-0", "m-1", "m-2"]
    assert _ids(store) == ["m-0", "m-1", "m-2"]


def test_a_csv_body_is_read_as_csv_even_when_it_looks_like_json(http, store):
    answer = _post(http, "{name},lat,lon\nx,70,20\n", media="text/csv")
    assert answer.status_code == 400
    assert "{name}" not in _ids(store)
    assert "request body" in answer.json()["description"]


def test_duplicate_ids_update(http, store):
    assert _post(http, feature(event(1, id="dup", name="first"))).status_code == 201
    answer = _post(http, _collection(event(1, id="dup", name="second"), event(2, id="new")))
    assert answer.status_code == 201
    assert answer.json() == {"added": ["new"], "updated": ["dup"]}
    again = _post(http, feature(event(1, id="dup", name="third")))
    assert again.status_code == 200 and again.json() == {"added": [], "updated": ["dup"]}
    assert "location" not in again.headers
    assert read_events(store).set_index("id").loc["dup", "name"] == "third"
    assert [e.operation for e in read_history("dup", store).entries] == ["add", "update",
                                                                         "update"]


def test_a_bad_record_refuses_the_whole_batch_naming_it(http, store):
    answer = _post(http, _collection(event(1, id="good"), event(2, id="bad", confidence="sure")))
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "InvalidParameterValue"
    assert "record 'bad'" in body["description"] and "confidence" in body["description"]
    assert _ids(store) == []


@pytest.mark.parametrize("body, media, reason", [
    (b"", "application/geo+json", "empty"),
    (b"\x00\x01\x02" * 100, "text/csv", "binary"),
    (b"\xff\xfe{}", "application/json", "UTF-8"),
    (b'{"type": "Point", "coordinates": [1, 2]}', "application/geo+json", "Feature"),
    (b"name,kind\nx,y\n", "text/csv", "lat and lon"),
    (b'{"a": 1}\n{', "application/x-ndjson", "line 2"),
])
def test_unreadable_bodies_are_400_with_the_reason(http, store, body, media, reason):
    answer = _post(http, body, media=media)
    assert answer.status_code == 400, answer.text
    assert reason in answer.json()["description"]
    assert _ids(store) == []


def test_unknown_media_types_are_415(http, store):
    for media in ("text/plain", "application/xml", "image/png"):
        answer = _post(http, feature(event(1)), media=media)
        assert answer.status_code == 415 and answer.json()["code"] == "UnsupportedMediaType"
    no_type = http.post(ITEMS, content=json.dumps(feature(event(1))), headers=bearer(NATO_WRITER))
    assert no_type.status_code == 415
    latin = _post(http, feature(event(1)), media="application/json; charset=latin-1")
    assert latin.status_code == 415
    assert _ids(store) == []


def test_a_body_over_the_limit_is_413_whether_declared_or_streamed(http, store):
    big = json.dumps(_collection(*[event(n, id=f"big-{n}", notes="x" * 2000) for n in range(100)]))
    assert len(big) > 200_000
    declared = _post(http, big)
    assert declared.status_code == 413 and declared.json()["code"] == "PayloadTooLarge"

    def chunks():  # no Content-Length: chunked, the limit is found while reading
        for start in range(0, len(big), 10_000):
            yield big[start:start + 10_000].encode()

    streamed = http.post(ITEMS, content=chunks(), headers={**bearer(NATO_WRITER), **GEOJSON})
    assert streamed.status_code == 413
    assert _ids(store) == []
    assert _post(http, feature(event(1, id="small"))).status_code == 201


def test_no_token_or_a_wrong_one_is_401_with_a_challenge(http, store):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
        answer = http.post(ITEMS, content=json.dumps(feature(event(1))),
                           headers={**headers, **GEOJSON})
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
    assert _ids(store) == []


def test_readers_and_markings_beyond_the_grant_are_403(http, store):
    assert _post(http, feature(event(1)), account=NATO_READER).status_code == 403
    nato_only = _post(http, _collection(event(1, id="eu-ok", releasability="EU"),
                                        event(2, id="eu-nato", releasability="NATO")),
                      account=EU_WRITER)
    assert nato_only.status_code == 403
    assert "eu-nato" in nato_only.json()["description"]
    assert "NATO" in nato_only.json()["description"]
    secret = _post(http, feature(event(3, id="restricted", classification="NATO RESTRICTED")))
    assert secret.status_code in (400, 403)  # 400 if the table lacks the level, else 403
    assert _ids(store) == []


def test_a_classification_above_the_accounts_ceiling_is_403(http, store):
    from northpic.markings import default_markings

    levels = [level.code for level in default_markings().levels]
    assert len(levels) > 1
    answer = _post(http, feature(event(1, id="high", classification=levels[1],
                                       releasability="NATO")))
    assert answer.status_code == 403, answer.text
    assert "high" in answer.json()["description"] and levels[1] in answer.json()["description"]
    assert _ids(store) == []


def test_put_replaces_a_visible_record(http, store):
    assert _post(http, feature(event(1, id="r", name="before"))).status_code == 201
    answer = http.put(f"{ITEMS}/r", content=json.dumps(feature(_without_id(event(1, name="after")))),
                      headers={**bearer(EU_WRITER), **GEOJSON})
    assert answer.status_code == 200, answer.text
    stored = read_events(store).set_index("id")
    assert stored.loc["r", "name"] == "after"
    assert stored.loc["r", "originator"] == EU_WRITER.organisation
    other_id = http.put(f"{ITEMS}/r", content=json.dumps(feature(event(1, id="s"))),
                        headers={**bearer(EU_WRITER), **GEOJSON})
    assert other_id.status_code == 400
    two = http.put(f"{ITEMS}/r", content=json.dumps(_collection(event(1), event(2))),
                   headers={**bearer(EU_WRITER), **GEOJSON})
    assert two.status_code == 400
    assert _ids(store) == ["r"]


def test_delete_removes_a_visible_record_and_keeps_its_tombstone(http, store):
    assert _post(http, feature(event(1, id="gone"))).status_code == 201
    answer = http.delete(f"{ITEMS}/gone", headers=bearer(EU_WRITER))
    assert answer.status_code == 204 and answer.content == b""
    assert _ids(store) == []
    entries = read_history("gone", store).entries
    assert [(e.operation, e.originator) for e in entries] == [
        ("add", NATO_WRITER.organisation), ("remove", EU_WRITER.organisation)]
    assert http.delete(f"{ITEMS}/gone", headers=bearer(EU_WRITER)).status_code == 404
    assert http.delete(f"{ITEMS}/x", headers=bearer(NATO_READER)).status_code == 403
    assert http.delete(f"{ITEMS}/x").status_code == 401


def _same_as_unknown(hidden: Any, unknown: Any, hidden_id: str, unknown_id: str) -> None:
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.headers.get("content-type") == unknown.headers.get("content-type")
    assert hidden.text.replace(hidden_id, "ID") == unknown.text.replace(unknown_id, "ID")


def test_records_a_client_may_not_see_are_unknown_to_it(http, store):
    secret = feature(event(1, id="nato-only", name="NATO secret", releasability="NATO"))
    assert _post(http, secret).status_code == 201
    before = _snapshot(store)
    eu = {**bearer(EU_WRITER), **GEOJSON}
    body = json.dumps(feature(_without_id(event(1, releasability="EU"))))
    _same_as_unknown(http.put(f"{ITEMS}/nato-only", content=body, headers=eu),
                     http.put(f"{ITEMS}/no-such-id", content=body, headers=eu),
                     "nato-only", "no-such-id")
    _same_as_unknown(http.delete(f"{ITEMS}/nato-only", headers=eu),
                     http.delete(f"{ITEMS}/no-such-id", headers=eu), "nato-only", "no-such-id")
    read_hidden = http.get(f"{ITEMS}/nato-only", headers=eu)
    read_unknown = http.get(f"{ITEMS}/no-such-id", headers=eu)
    assert "NATO secret" not in read_hidden.text
    if read_unknown.status_code != 405:  # the read routes (serve.features) are installed
        _same_as_unknown(read_hidden, read_unknown, "nato-only", "no-such-id")
    overwrite = _post(http, feature(event(1, id="nato-only", releasability="EU")),
                      account=EU_WRITER)
    assert overwrite.status_code == 409
    assert "NATO secret" not in overwrite.text and "NATO" not in overwrite.json()["description"]
    assert _snapshot(store) == before
    assert [e.operation for e in read_history("nato-only", store).entries] == ["add"]


def test_part4_conformance_is_declared():
    from northpic.serve.conformance import CONFORMANCE

    assert "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete" \
        in CONFORMANCE


MEDIA = st.sampled_from(["application/geo+json", "application/json", "text/csv",
                         "application/x-ndjson", "application/jsonl", "text/plain", "",
                         "application/json; charset=utf-16", "text/csv; charset"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "features", "properties", "geometry", "coordinates", "id",
                         "name", "time", "lat", "lon", "releasability", "classification",
                         "kind", "domain", "source", "confidence", "precision_km"]) | st.text(
            max_size=8), inner, max_size=6),
    max_leaves=30)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.binary(max_size=400) | JSON_VALUES.map(lambda v: json.dumps(v).encode()),
       media=MEDIA, method=st.sampled_from(["POST", "PUT"]))
def test_no_bad_input_is_a_server_error(http, data, media, method):
    url = ITEMS if method == "POST" else f"{ITEMS}/fuzz-target"
    headers = {**bearer(NATO_WRITER), **({"Content-Type": media} if media else {})}
    answer = http.request(method, url, content=data, headers=headers)
    assert answer.status_code < 500, answer.text
    assert answer.headers["content-type"].startswith("application/json")


def test_a_hidden_record_written_just_before_the_write_is_not_overwritten(http, store,
                                                                          monkeypatch):
    """Another server on the store slips in a NATO record with an id an EU client is writing.

    The other server's write lands after the EU request was read and validated and just
    before its own write starts (the hook below). The EU write re-checks under the store's
    lock, inside its transaction: it is refused as for any hidden id, and the NATO record
    stays as written, with one history row.
    """
    import northpic.store as store_module
    from northpic.events import add_events

    original_write, original_remove = store_module.write_events, store_module.remove_event
    slipped: list[str] = []

    def slip_in(event_id: str) -> None:  # what another process writes at that moment
        add_events(feature(event(7, id=event_id, name="NATO slipped in",
                                 releasability="NATO")), store, originator="NOR JOC")
        slipped.append(event_id)

    def write_after_another(frame, where, label="<events>", **options):
        slip_in(str(frame["id"].iloc[0]))
        return original_write(frame, where, label, **options)

    def remove_after_another(event_id, where=None, **options):
        slip_in(event_id)
        return original_remove(event_id, where, **options)

    eu = {**bearer(EU_WRITER), **GEOJSON}
    assert _post(http, feature(event(1, id="eu-own", releasability="EU")),
                 account=EU_WRITER).status_code == 201
    monkeypatch.setattr(store_module, "write_events", write_after_another)
    monkeypatch.setattr(store_module, "remove_event", remove_after_another)
    posted = _post(http, feature(event(2, id="race-post", releasability="EU")),
                   account=EU_WRITER)
    assert posted.status_code == 409, posted.text
    assert "NATO" not in posted.text
    put = http.put(f"{ITEMS}/eu-own", headers=eu,
                   content=json.dumps(feature(_without_id(event(3, releasability="EU")))))
    assert put.status_code == 404, put.text
    monkeypatch.setattr(store_module, "write_events", original_write)
    assert _post(http, feature(event(4, id="eu-gone", releasability="EU")),
                 account=EU_WRITER).status_code == 201
    deleted = http.delete(f"{ITEMS}/eu-gone", headers=eu)
    assert deleted.status_code == 404, deleted.text
    assert slipped == ["race-post", "eu-own", "eu-gone"]
    stored = read_events(store).set_index("id")
    for event_id in slipped:
        assert stored.loc[event_id, "name"] == "NATO slipped in"
        assert stored.loc[event_id, "releasability"] == "NATO"
    assert [e.operation for e in read_history("race-post", store).entries] == ["add"]
    assert [e.operation for e in read_history("eu-own", store).entries] == ["add", "update"]
