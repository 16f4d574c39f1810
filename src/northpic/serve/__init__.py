"""``northpic serve``: the shared picture as an OGC API - Features service.

A thin ASGI adapter over the library, like :mod:`northpic.cli`: every route
calls the same functions the commands call (:func:`northpic.load_picture`,
:mod:`northpic.store`, :func:`northpic.events.add_events`), for the
audience of the client that asks (:mod:`northpic.serve.access`).

- :mod:`northpic.serve.config`: the configuration (``serve.toml``): bind
  address, store, size limit, and the clients (bearer tokens, kept hashed).
- :mod:`northpic.serve.access`: who a request comes from, and what it may
  see and write.
- :mod:`northpic.serve.app`: the application; its routes come from one
  module per concern, listed in :data:`northpic.serve.app.ROUTE_MODULES`.
- Reading (OGC API - Features Parts 1-3): :mod:`northpic.serve.features`
  (the routes), :mod:`~northpic.serve.collections` (each collection cut to
  an audience, cached), :mod:`~northpic.serve.query` (parameters),
  :mod:`~northpic.serve.cql` (CQL2 text filters), :mod:`~northpic.serve.html`
  (pages), :mod:`~northpic.serve.openapi` (``/api``) and
  :mod:`~northpic.serve.conformance` (the classes declared, which every
  concern extends).
- :mod:`northpic.serve.intake`: adding, replacing and removing events over
  HTTP (OGC API - Features Part 4), with the validation of ``events add``.
- :mod:`northpic.serve.live`: the live map (``/map``) and its change feed.

Starlette and uvicorn are imported only here, never by ``import northpic``.
"""

from __future__ import annotations

from northpic.serve.config import ClientAccount, ServeConfig, read_serve_config

__all__ = ["ClientAccount", "ServeConfig", "read_serve_config"]
