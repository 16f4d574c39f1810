"""The conformance classes ``northpic serve`` declares at ``/conformance``.

One list, :data:`CONFORMANCE`, that each concern extends with the classes
its tests prove: reading (:mod:`northpic.serve.features`) declares OGC API -
Features Parts 1 to 3 here; intake appends Part 4's class from its own
module.

Examples
--------
>>> CORE in CONFORMANCE
True
"""

from __future__ import annotations

_FEATURES_1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
_FEATURES_2 = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/"
_FEATURES_3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"

CORE = _FEATURES_1 + "core"

#: Every class the server declares, in the order it lists them; extend it, never replace it.
CONFORMANCE: list[str] = [
    CORE,
    _FEATURES_1 + "geojson",
    _FEATURES_1 + "html",
    _FEATURES_1 + "oas30",
    _FEATURES_2 + "crs",
    _FEATURES_3 + "queryables",
    _FEATURES_3 + "filter",
    _FEATURES_3 + "features-filter",
    _CQL2 + "cql2-text",
    _CQL2 + "basic-cql2",
    _CQL2 + "advanced-comparison-operators",
    _CQL2 + "basic-spatial-functions",
    _CQL2 + "basic-spatial-functions-plus",
]


#: OGC API - Features - Part 4 (draft 20-002): POST, PUT and DELETE on items
#: (:mod:`northpic.serve.intake`, tested in tests/test_serve_intake.py).
PART4_CREATE_REPLACE_DELETE = (
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
)
CONFORMANCE.extend(PART4_CREATE_REPLACE_DELETE)


def declared() -> list[str]:
    """Return the declared classes, each once, in order."""
    return list(dict.fromkeys(CONFORMANCE))
