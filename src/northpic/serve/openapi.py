"""The OpenAPI 3.0 document of the read routes (``/api``, the landing page's ``service-desc``).

Clients read it to learn the parameters and limits (QGIS needs the link to
open the service at all). :data:`PATHS_HOOKS` lets another concern add its
operations to the same document.

Examples
--------
>>> doc = openapi_document("http://127.0.0.1:8000", ["bases", "events"])
>>> doc["openapi"], sorted(doc["paths"])[:3]
('3.0.3', ['/', '/api', '/collections'])
>>> [p["schema"]["maximum"] for p in doc["components"]["parameters"].values()
...  if p["name"] == "limit"]
[10000]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from northpic._version import __version__
from northpic.serve.query import DEFAULT_LIMIT, MAX_LIMIT, SERVED_CRS

#: Its media type.
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
#: Functions that add paths to the document (``paths`` dict in, changed in place).
PATHS_HOOKS: list[Callable[[dict[str, Any]], None]] = []


def _parameter(name: str, description: str, schema: dict[str, Any], *,
               where: str = "query", required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": where, "description": description, "required": required,
            "schema": schema, **extra}


def _answer(description: str, *media: str) -> dict[str, Any]:
    content = {m: {"schema": {"type": "string"} if m == "text/html" else {"type": "object"}}
               for m in media}
    return {"description": description, "content": content}


def _operation(summary: str, operation_id: str, parameters: Sequence[str],
               media: Sequence[str]) -> dict[str, Any]:
    return {"get": {
        "summary": summary, "operationId": operation_id,
        "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in parameters],
        "responses": {
            "200": _answer(summary, *media, "text/html"),
            "400": {"$ref": "#/components/responses/BadRequest"},
            "401": {"$ref": "#/components/responses/Unauthorized"},
            **({"404": {"$ref": "#/components/responses/NotFound"}}
               if "collectionId" in parameters else {}),
        },
    }}


def openapi_document(base: str, collections: Sequence[str]) -> dict[str, Any]:
    """Return the OpenAPI 3.0 document of a service at ``base`` serving ``collections``."""
    crs = {"type": "string", "format": "uri", "enum": list(SERVED_CRS),
           "default": next(iter(SERVED_CRS))}
    parameters = {
        "f": _parameter("f", "Encoding: json (GeoJSON for features) or html.",
                        {"type": "string", "enum": ["json", "geojson", "html"]}),
        "collectionId": _parameter("collectionId", "A collection.",
                                   {"type": "string", "enum": list(collections)},
                                   where="path", required=True),
        "featureId": _parameter("featureId", "A feature's id.", {"type": "string"},
                                where="path", required=True),
        "bbox": _parameter("bbox", "Features meeting this box: min x/lon, min y/lat, max "
                                   "x/lon, max y/lat, in bbox-crs's axis order (a first "
                                   "longitude above the second crosses 180 degrees).",
                           {"type": "array", "minItems": 4, "maxItems": 6,
                            "items": {"type": "number"}}, style="form", explode=False),
        "bbox-crs": _parameter("bbox-crs", "The CRS of bbox.", crs),
        "crs": _parameter("crs", "The CRS of the answer's coordinates.", crs),
        "datetime": _parameter("datetime", "Features valid at this instant or at some moment "
                                           "of this interval (start/end, '..' for open).",
                               {"type": "string"}),
        "limit": _parameter("limit", "Features per page.",
                            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                             "default": DEFAULT_LIMIT}),
        "offset": _parameter("offset", "Matching features to skip (the next link sets it).",
                             {"type": "integer", "minimum": 0, "default": 0}),
        "filter": _parameter("filter", "A CQL2 text filter on the queryables.",
                             {"type": "string"}),
        "filter-lang": _parameter("filter-lang", "The filter's language.",
                                  {"type": "string", "enum": ["cql2-text"],
                                   "default": "cql2-text"}),
        "filter-crs": _parameter("filter-crs", "The CRS of geometries in filter (CRS84).",
                                 {"type": "string", "format": "uri",
                                  "enum": [next(iter(SERVED_CRS))]}),
    }
    exception = {"type": "object", "required": ["code"],
                 "properties": {"code": {"type": "string"},
                                "description": {"type": "string"}}}
    responses = {
        name: {"description": text,
               "content": {"application/json": {"schema": {"$ref": "#/components/schemas/"
                                                                   "exception"}}}}
        for name, text in (("BadRequest", "A parameter is not valid (named)."),
                           ("Unauthorized", "No token, or one the server does not know."),
                           ("NotFound", "No such collection or feature for this client."))
    }
    items = ["collectionId", "f", "bbox", "bbox-crs", "datetime", "limit", "offset", "crs",
             "filter", "filter-lang", "filter-crs"]
    paths: dict[str, Any] = {
        "/": _operation("Landing page", "getLandingPage", ["f"], ["application/json"]),
        "/api": {"get": {"summary": "This document", "operationId": "getApi",
                         "responses": {"200": _answer("The API definition", OPENAPI_JSON)}}},
        "/conformance": _operation("Conformance classes", "getConformance", ["f"],
                                   ["application/json"]),
        "/collections": _operation("Collections", "getCollections", ["f"],
                                   ["application/json"]),
        "/collections/{collectionId}": _operation("A collection", "describeCollection",
                                                  ["collectionId", "f"], ["application/json"]),
        "/collections/{collectionId}/items": _operation("Features", "getFeatures", items,
                                                        ["application/geo+json"]),
        "/collections/{collectionId}/items/{featureId}": _operation(
            "A feature", "getFeature", ["collectionId", "featureId", "f", "crs"],
            ["application/geo+json"]),
        "/collections/{collectionId}/queryables": _operation(
            "Queryables", "getQueryables", ["collectionId", "f"],
            ["application/schema+json"]),
    }
    for hook in PATHS_HOOKS:
        hook(paths)
    return {
        "openapi": "3.0.3",
        "info": {"title": "northpic", "version": __version__,
                 "description": "The shared Arctic picture as OGC API - Features; every "
                                "answer is limited to the audience of the client's token.",
                 "license": {"name": "see the northpic repository"}},
        "servers": [{"url": base}],
        "paths": paths,
        "components": {"parameters": parameters, "responses": responses,
                       "schemas": {"exception": exception},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{}, {"bearer": []}],
    }
