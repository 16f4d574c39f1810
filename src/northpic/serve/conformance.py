"""The conformance classes ``northpic serve`` declares at ``/conformance``.

Each concern appends the classes it implements, once its tests show it
does; the read routes (:mod:`northpic.serve.features`) answer with
:data:`CONFORMANCE`.
"""

from __future__ import annotations

#: Conformance class URIs, in the order declared.
CONFORMANCE: list[str] = []

#: OGC API - Features - Part 4 (draft 20-002): POST, PUT and DELETE on items
#: (:mod:`northpic.serve.intake`, tested in tests/test_serve_intake.py).
PART4_CREATE_REPLACE_DELETE = (
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
)
CONFORMANCE.extend(PART4_CREATE_REPLACE_DELETE)
