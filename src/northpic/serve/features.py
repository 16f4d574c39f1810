"""The read side of ``northpic serve``: OGC API - Features Parts 1 (core), 2 (CRS) and 3 (filter).

Routes (each in GeoJSON/JSON, or HTML with ``f=html`` or an ``Accept``
that prefers it):

- ``/``: the landing page; ``/conformance``: the classes declared
  (:mod:`northpic.serve.conformance`);
- ``/collections`` and ``/collections/{id}``: the catalogue layers and
  ``events``, with extents and CRSs;
- ``/collections/{id}/items``: features, with ``bbox`` and ``bbox-crs``,
  ``datetime``, ``filter`` (CQL2 text, :mod:`northpic.serve.cql`),
  ``crs``, ``limit`` and ``offset`` (``next``/``prev`` links);
- ``/collections/{id}/items/{featureId}`` and ``/collections/{id}/queryables``.

Every answer is computed from the collection as the client's audience may
see it (:mod:`northpic.serve.collections`): a record the client may not
receive is not counted, not paged, not in an extent, not matched by a
filter, and asked for by id it is "not found" exactly as an id that does
not exist.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import numpy as np
import pandas as pd

from northpic.export.marking import GEOJSON_MARKING_MEMBER
from northpic.serve import html as pages
from northpic.serve.app import client_of, error_response, state_of
from northpic.serve.collections import (
    EVENTS,
    CollectionCache,
    CollectionFrame,
    StoreUnavailableError,
    collection_specs,
    select,
)
from northpic.serve.conformance import declared
from northpic.serve.cql import bbox_pieces, filter_mask, queryable_kind
from northpic.serve.openapi import OPENAPI_JSON, openapi_document
from northpic.serve.query import (
    CRS84,
    GEOJSON,
    HTML,
    JSON,
    SERVED_CRS,
    check_known,
    parse_bbox,
    parse_crs,
    parse_datetime,
    parse_filter,
    parse_limit,
    parse_offset,
    wants_html,
)

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from northpic.markings import ProductMarking

_TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
_ITEMS_PARAMS = ("f", "bbox", "bbox-crs", "datetime", "limit", "offset", "crs", "filter",
                 "filter-lang", "filter-crs")
_cache_lock = threading.Lock()


def _cache(request: Request) -> CollectionCache:
    state = request.app.state
    with _cache_lock:
        cache = getattr(state, "northpic_collections", None)
        if cache is None:
            cache = CollectionCache()
            state.northpic_collections = cache
    return cache


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _params(request: Request, known: tuple[str, ...]) -> dict[str, str]:
    params = dict(request.query_params)
    check_known(params, known)
    return params


def _not_found(description: str) -> Response:
    return error_response(404, "NotFound", description)


def _links(href: str, title: str, *, json_type: str = JSON) -> list[dict[str, str]]:
    joiner = "&" if "?" in href else "?"
    return [{"href": href, "rel": "self", "type": json_type, "title": title},
            {"href": href + joiner + "f=html", "rel": "alternate", "type": HTML,
             "title": title + " as HTML"}]


def _json(doc: Any, media: str = JSON, headers: dict[str, str] | None = None) -> Response:
    from starlette.responses import Response

    return Response(json.dumps(doc, ensure_ascii=False), media_type=media, headers=headers)


def _html(text: str) -> Response:
    from starlette.responses import HTMLResponse

    return HTMLResponse(text)


def _collection(request: Request, cid: str) -> CollectionFrame | None:
    specs = collection_specs()
    spec = specs.get(cid)
    if spec is None:
        return None
    config = state_of(request).config
    store = None if config.store is None else str(config.store)
    return _cache(request).get(cid, spec, client_of(request).audience, config.markings, store)


def _found(request: Request, cid: str) -> CollectionFrame | Response:
    """Return collection ``cid`` cut to the client's audience, or the answer that it is not."""
    try:
        found = _collection(request, cid)
    except StoreUnavailableError as exc:
        return _unavailable(exc)
    if found is None:
        return _not_found(f"no collection {cid!r}; see /collections")
    return found


def _marking(request: Request, found: CollectionFrame, rows: Any) -> ProductMarking:
    """Return the marking of the records an answer holds, for the client's audience."""
    from northpic.markings import product_marking

    table = state_of(request).config.markings
    shown = found.frame.iloc[np.asarray(rows, dtype=int)]
    return product_marking([shown], table, client_of(request).audience)


def _unavailable(exc: StoreUnavailableError) -> Response:
    return error_response(503, "ServiceUnavailable", str(exc))


def landing(request: Request) -> Response:
    """Answer ``/``: what the service is and where to go."""
    params = _params(request, ("f",))
    client_of(request)
    base = _base(request)
    doc = {
        "title": "northpic: the shared Arctic picture",
        "description": "The northern picture's layers and reported events, as OGC API - "
                       "Features, for the audience of the client's token.",
        "links": [
            *_links(base + "/", "This document"),
            {"href": base + "/api", "rel": "service-desc", "type": OPENAPI_JSON,
             "title": "The API definition (OpenAPI 3.0)"},
            {"href": base + "/conformance", "rel": "conformance", "type": JSON,
             "title": "Conformance classes"},
            {"href": base + "/collections", "rel": "data", "type": JSON,
             "title": "Collections"},
        ],
    }
    if wants_html(params, request.headers.get("accept")):
        return _html(pages.landing_page(doc))
    return _json(doc)


def api(request: Request) -> Response:
    """Answer ``/api``: the OpenAPI 3.0 document."""
    _params(request, ("f",))
    client_of(request)
    return _json(openapi_document(_base(request), list(collection_specs())), OPENAPI_JSON)


def conformance(request: Request) -> Response:
    """Answer ``/conformance``: the classes declared."""
    params = _params(request, ("f",))
    client_of(request)
    doc = {"conformsTo": declared(),
           "links": _links(_base(request) + "/conformance", "Conformance classes")}
    if wants_html(params, request.headers.get("accept")):
        return _html(pages.conformance_page(doc))
    return _json(doc)


def _collection_doc(base: str, collection: CollectionFrame) -> dict[str, Any]:
    spec = collection.spec
    href = f"{base}/collections/{quote(collection.name, safe='')}"
    description = spec.description
    if collection.caveat:
        description = f"{description} {collection.caveat}".strip()
    doc: dict[str, Any] = {
        "id": collection.name,
        "title": spec.title,
        "description": description,
        "itemType": "feature",
        "links": [
            *_links(href, spec.title),
            {"href": href + "/items", "rel": "items", "type": GEOJSON,
             "title": f"{spec.title}: features"},
            {"href": href + "/items?f=html", "rel": "items", "type": HTML,
             "title": f"{spec.title}: features as HTML"},
            {"href": href + "/queryables", "rel": "http://www.opengis.net/def/rel/ogc/1.0/"
             "queryables", "type": "application/schema+json", "title": "Queryables"},
        ],
        "crs": list(SERVED_CRS),
        "storageCrs": CRS84,
        "numberOfFeatures": len(collection),
    }
    extent: dict[str, Any] = {}
    if collection.spatial_extent is not None:
        extent["spatial"] = {"bbox": [collection.spatial_extent], "crs": CRS84}
    if collection.temporal_extent is not None:
        extent["temporal"] = {"interval": [collection.temporal_extent], "trs": _TRS}
    if extent:
        doc["extent"] = extent
    return doc


def collections(request: Request) -> Response:
    """Answer ``/collections``: every collection, for the client's audience."""
    params = _params(request, ("f",))
    base = _base(request)
    try:
        built = [_collection(request, name) for name in collection_specs()]
    except StoreUnavailableError as exc:
        return _unavailable(exc)
    doc = {"links": _links(base + "/collections", "Collections"),
           "collections": [_collection_doc(base, c) for c in built if c is not None],
           "crs": list(SERVED_CRS)}
    if wants_html(params, request.headers.get("accept")):
        return _html(pages.collections_page(doc))
    return _json(doc)


def collection(request: Request) -> Response:
    """Answer ``/collections/{id}``: one collection's metadata."""
    params = _params(request, ("f",))
    cid = request.path_params["cid"]
    found = _found(request, cid)
    if not isinstance(found, CollectionFrame):
        return found
    doc = _collection_doc(_base(request), found)
    if wants_html(params, request.headers.get("accept")):
        return _html(pages.collection_page(doc))
    return _json(doc)


def _matching(found: CollectionFrame, params: dict[str, str]) -> np.ndarray:
    bbox_crs = parse_crs(params.get("bbox-crs"), "bbox-crs")
    box = parse_bbox(params.get("bbox"), bbox_crs)
    if box is None and "bbox-crs" in params:
        pass  # a bbox-crs without a bbox changes nothing
    boxes = []
    if box is not None:
        from shapely import box as make_box

        boxes = bbox_pieces(*box) if bbox_crs.geographic else [make_box(*box)]
    interval = parse_datetime(params.get("datetime"))
    text = parse_filter(params)
    mask = filter_mask(text, found.frame) if text is not None else None
    return select(found, boxes=boxes, polar=not bbox_crs.geographic, interval=interval,
                  mask=mask)


def _page_links(request: Request, href: str, params: dict[str, str], offset: int, limit: int,
                matched: int, title: str) -> list[dict[str, str]]:
    def with_offset(value: int) -> str:
        query = {k: v for k, v in params.items() if k not in ("offset", "f")}
        if value:
            query["offset"] = str(value)
        return href + ("?" + urlencode(query) if query else "")

    own = {k: v for k, v in params.items() if k != "f"}
    self_href = href + ("?" + urlencode(own) if own else "")
    links = _links(self_href, title, json_type=GEOJSON)
    if offset + limit < matched:
        links.append({"href": with_offset(offset + limit), "rel": "next", "type": GEOJSON,
                      "title": "Next page"})
    if offset > 0:
        links.append({"href": with_offset(max(0, offset - limit)), "rel": "prev",
                      "type": GEOJSON, "title": "Previous page"})
    links.append({"href": href.rsplit("/items", 1)[0], "rel": "collection", "type": JSON,
                  "title": "The collection"})
    return links


def items(request: Request) -> Response:
    """Answer ``/collections/{id}/items``: a page of the features that match."""
    params = _params(request, _ITEMS_PARAMS)
    cid = request.path_params["cid"]
    as_html = wants_html(params, request.headers.get("accept"))
    crs = parse_crs(params.get("crs"))
    limit, offset = parse_limit(params.get("limit")), parse_offset(params.get("offset"))
    found = _found(request, cid)
    if not isinstance(found, CollectionFrame):
        return found
    rows = _matching(found, params)
    page_rows = rows[offset:offset + limit]
    href = f"{_base(request)}/collections/{quote(cid, safe='')}/items"
    head = {
        "type": "FeatureCollection",
        "numberMatched": int(len(rows)),
        "numberReturned": int(len(page_rows)),
        "timeStamp": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": _page_links(request, href, params, offset, limit, len(rows),
                             f"{found.spec.title}: features"),
    }
    marking = _marking(request, found, page_rows)
    head[GEOJSON_MARKING_MEMBER] = marking.as_dict()  # as every GeoJSON export carries it
    features = ",".join(found.feature_json(int(pos), crs) for pos in page_rows)
    text = json.dumps(head, ensure_ascii=False)[:-1] + ',"features":[' + features + "]}"
    if as_html:
        return _html(pages.items_page(json.loads(text), f"{found.spec.title}: features",
                                      marking.banner))
    from starlette.responses import Response

    return Response(text, media_type=GEOJSON, headers={"Content-Crs": f"<{crs.uri}>"})


def item(request: Request) -> Response:
    """Answer one feature (404 if the client may not see it)."""
    params = _params(request, ("f", "crs"))
    cid, fid = request.path_params["cid"], request.path_params["fid"]
    as_html = wants_html(params, request.headers.get("accept"))
    crs = parse_crs(params.get("crs"))
    found = _found(request, cid)
    if not isinstance(found, CollectionFrame):
        return found
    pos = found.positions.get(fid)
    if pos is None:
        # the same answer for an id that does not exist and one the client may not see
        return _not_found(f"no such feature in collection {cid!r}")
    href = f"{_base(request)}/collections/{quote(cid, safe='')}/items/{quote(fid, safe='')}"
    links = [*_links(href, "This feature", json_type=GEOJSON),
             {"href": href.rsplit("/items/", 1)[0], "rel": "collection", "type": JSON,
              "title": "The collection"}]
    text = found.feature_json(pos, crs)[:-1] + ',"links":' + json.dumps(links) + "}"
    if as_html:
        title = f"{found.spec.title}: {fid}"
        return _html(pages.item_page(json.loads(text), title,
                                     _marking(request, found, [pos]).banner))
    from starlette.responses import Response

    return Response(text, media_type=GEOJSON, headers={"Content-Crs": f"<{crs.uri}>"})


_JSON_TYPES = {"text": {"type": "string"}, "number": {"type": "number"},
               "boolean": {"type": "boolean"},
               "time": {"type": "string", "format": "date-time"}}


def queryables(request: Request) -> Response:
    """Answer ``/collections/{id}/queryables``: the properties a filter may use, and their types."""
    params = _params(request, ("f",))
    cid = request.path_params["cid"]
    found = _found(request, cid)
    if not isinstance(found, CollectionFrame):
        return found
    href = f"{_base(request)}/collections/{quote(cid, safe='')}/queryables"
    properties: dict[str, Any] = {"geometry": {"title": "geometry", "format": "geometry-any"}}
    for name in found.property_columns:
        kind = queryable_kind(found.frame[name])
        properties[str(name)] = {"title": str(name), **_JSON_TYPES[kind]}
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": href,
           "type": "object", "title": f"{found.spec.title}: queryables",
           "properties": properties, "additionalProperties": False,
           "links": _links(href, "Queryables", json_type="application/schema+json")}
    if wants_html(params, request.headers.get("accept")):
        return _html(pages.queryables_page(doc))
    return _json(doc, media="application/schema+json")


def routes() -> list[Any]:
    """Return the read routes, for :func:`northpic.serve.app.create_app`."""
    from starlette.routing import Route

    return [
        Route("/", landing),
        Route("/api", api),
        Route("/conformance", conformance),
        Route("/collections", collections),
        Route("/collections/{cid}", collection),
        Route("/collections/{cid}/items", items),
        Route("/collections/{cid}/queryables", queryables),
        Route("/collections/{cid}/items/{fid:path}", item),
    ]


__all__ = ["EVENTS", "routes"]
