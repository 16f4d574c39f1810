"""The ASGI application of ``northpic serve``, and the function that runs it.

:func:`create_app` builds a Starlette application from a
:class:`~northpic.serve.config.ServeConfig`. Its routes come from the
modules in :data:`ROUTE_MODULES`, each with a ``routes()`` function; each
route finds the configuration and store with :func:`state_of` and the
client with :func:`client_of`. Errors are answered as OGC API exceptions
(JSON ``{"code": ..., "description": ...}``): bad input is 400, a missing
or unknown token 401, a refused right 403; only a real bug is a 500.

Examples
--------
>>> from starlette.testclient import TestClient
>>> from northpic.serve.config import ServeConfig
>>> app = create_app(ServeConfig(store="/nonexistent/events.gpkg"))
>>> with TestClient(app) as http:
...     answer = http.get("/no/such/route")
>>> answer.status_code, answer.json()["code"]
(404, 'NotFound')
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from northpic.errors import BadInputError
from northpic.serve.access import Client, Forbidden, Unauthorized, client_for
from northpic.serve.config import ServeConfig

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

#: Modules that each contribute the routes of one concern (a ``routes()`` function).
ROUTE_MODULES = (
    "northpic.serve.features",
    "northpic.serve.intake",
    "northpic.serve.live",
)

logger = logging.getLogger("northpic.serve")


@dataclass
class ServeState:
    """What every route shares: the configuration (and through it the store and markings)."""

    config: ServeConfig


def state_of(request: Request) -> ServeState:
    """Return the application's shared state."""
    state: ServeState = request.app.state.northpic
    return state


def client_of(request: Request) -> Client:
    """Return the client a request comes from (cached on the request).

    Raises
    ------
    Unauthorized
        For an unknown token, or none where anonymous access is off.
    """
    cached = request.scope.get("northpic.client")
    if cached is None:
        cached = client_for(request.headers.get("authorization"), state_of(request).config)
        request.scope["northpic.client"] = cached
    client: Client = cached
    return client


def error_response(status: int, code: str, description: str,
                   headers: dict[str, str] | None = None) -> Response:
    """Return an OGC API exception document."""
    from starlette.responses import JSONResponse

    return JSONResponse({"code": code, "description": description}, status_code=status,
                        headers=headers)


async def _unauthorized(request: Request, exc: Exception) -> Response:
    return error_response(401, "Unauthorized", str(exc),
                          {"WWW-Authenticate": 'Bearer realm="northpic"'})


async def _forbidden(request: Request, exc: Exception) -> Response:
    return error_response(403, "Forbidden", str(exc))


async def _bad_input(request: Request, exc: Exception) -> Response:
    return error_response(400, "InvalidParameterValue", str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    from starlette.exceptions import HTTPException

    assert isinstance(exc, HTTPException)
    names = {404: "NotFound", 405: "MethodNotAllowed", 406: "NotAcceptable",
             413: "PayloadTooLarge", 415: "UnsupportedMediaType"}
    return error_response(exc.status_code, names.get(exc.status_code, "Error"),
                          str(exc.detail), dict(exc.headers or {}))


async def _bug(request: Request, exc: Exception) -> Response:
    logger.exception("internal error on %s %s", request.method, request.url.path)
    return error_response(500, "InternalServerError",
                          "the server failed; the error is in its log")


def create_app(config: ServeConfig) -> Starlette:
    """Build the application for one configuration.

    Parameters
    ----------
    config : ServeConfig
        Bind address, store, limits and clients.

    Returns
    -------
    starlette.applications.Starlette
        The ASGI application.
    """
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException

    routes: list[Any] = []
    for name in ROUTE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # a concern not written yet
            raise
        routes.extend(module.routes())
    app = Starlette(
        routes=routes,
        exception_handlers={
            Unauthorized: _unauthorized,
            Forbidden: _forbidden,
            BadInputError: _bad_input,
            HTTPException: _http_error,
            Exception: _bug,
        },
    )
    app.state.northpic = ServeState(config)
    return app


def run_server(config: ServeConfig) -> None:
    """Serve until interrupted (uvicorn on ``config.host:config.port``)."""
    import uvicorn

    uvicorn.run(create_app(config), host=config.host, port=config.port,
                log_level="info", timeout_keep_alive=5, timeout_graceful_shutdown=5)
