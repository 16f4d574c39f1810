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
- :mod:`northpic.serve.intake`: adding, replacing and removing events over
  HTTP (OGC API - Features Part 4), with the validation of ``events add``.
- :mod:`northpic.serve.live`: the live map (``/map``) and its change feed.
- :mod:`northpic.serve.conformance`: the conformance classes declared.

Starlette and uvicorn are imported only here, never by ``import northpic``.
"""

from __future__ import annotations

from northpic.serve.config import ClientAccount, ServeConfig, read_serve_config

__all__ = ["ClientAccount", "ServeConfig", "read_serve_config"]
