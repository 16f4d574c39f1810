"""The live map: ``GET /map`` and its change feed ``GET /map/events``.

``/map`` serves the polar offline picture page (:func:`northpic.build.picture_page`)
made for the client's audience, with every asset inlined (no request leaves
the page but the feed's, to this server). ``/map/events`` is a
Server-Sent Events stream: the server notices writes cheaply with
:func:`northpic.store.last_change`, works out what changed among the events
the client may see, and sends only that (new and replaced events as
GeoJSON, removed ids, the page's new marking). A write the client may not
see sends nothing at all; the version the page and the feed use is a digest
of what the client may see, never a count of the store's writes.

Browsers cannot set an ``Authorization`` header on a page load, so the
token may be given once as ``/map?token=...``: the server checks it, puts
it in an ``HttpOnly``, ``SameSite=Strict`` cookie for ``/map`` and answers
with a redirect to ``/map``, so that the token leaves the address bar and
never appears in the page. Only ``/map`` and ``/map/events`` read that
cookie; writing always needs the ``Authorization`` header.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from northpic.errors import StoreError
from northpic.serve.access import Client, client_for
from northpic.serve.app import client_of, error_response, state_of

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from northpic.serve.config import ServeConfig

#: The cookie that carries a browser's token for the map.
TOKEN_COOKIE = "northpic_token"
#: How often the feed looks at the store (seconds); a look costs one small query.
POLL_SECONDS = 0.2
#: How often an idle feed sends a comment, so proxies keep it open (seconds).
KEEPALIVE_SECONDS = 15.0
#: The page's title.
TITLE = "Northern situational picture (live)"
#: Pages and views kept, per audience and store state.
_CACHE_SIZE = 8
#: What the page may load: only itself, inline code and data, and the feed.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'unsafe-inline'; "
                           "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
                           "connect-src 'self'; base-uri 'none'; form-action 'none'")


@dataclass(frozen=True)
class AudienceView:
    """What one audience may see of the store at one moment."""

    features: dict[str, dict[str, Any]]
    marking: dict[str, str]
    version: str
    digests: dict[str, int]


_LOCK = threading.Lock()
_VIEWS: dict[tuple[str, int, frozenset[str]], AudienceView] = {}
#: The latest view of each (store, audience): what the next one reuses.
_LATEST: dict[tuple[str, frozenset[str]], AudienceView] = {}
_PAGES: dict[tuple[str, int, frozenset[str]], str] = {}


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    with _LOCK:
        cache[key] = value
        while len(cache) > _CACHE_SIZE:
            cache.pop(next(iter(cache)))


def _store_key(config: ServeConfig) -> tuple[str, int]:
    from northpic.store import last_change

    return str(config.store_target()), last_change(config.store)


def audience_view(config: ServeConfig, audience: frozenset[str]) -> AudienceView:
    """Return the events ``audience`` may see now, the page marking, and their version."""
    from northpic.markings import for_audience
    from northpic.picture import load_picture, mark_picture
    from northpic.render.live import marking_message, snapshot_version, update_live_features
    from northpic.store import read_events

    store, change = _store_key(config)
    key = (store, change, audience)
    with _LOCK:
        cached = _VIEWS.get(key)
    if cached is not None:
        return cached
    table = config.markings
    frames = load_picture(audience=audience, markings=table)
    features: dict[str, dict[str, Any]] = {}
    digests: dict[str, int] = {}
    if change:
        events = for_audience(read_events(config.store), audience, table)
        frames["events"] = events
        with _LOCK:
            latest = _LATEST.get((store, audience))
        features, digests = update_live_features(
            events, table, latest.features if latest else None,
            latest.digests if latest else None)
    marking = marking_message(mark_picture(frames, table, audience))
    view = AudienceView(features, marking, snapshot_version(digests, marking["banner"]), digests)
    _remember(_VIEWS, key, view)
    _remember(_LATEST, (store, audience), view)
    return view


def live_map_page(config: ServeConfig, audience: frozenset[str], feed: str) -> str:
    """Return the live picture page for ``audience`` (cached until the store changes)."""
    from northpic.build import picture_page
    from northpic.render.live import live_page

    store, change = _store_key(config)
    key = (store, change, audience)
    with _LOCK:
        cached = _PAGES.get(key)
    if cached is not None:
        return cached
    view = audience_view(config, audience)  # first: a write while rendering makes it stale
    events_store = config.store_location() if change else None
    page = picture_page(events_store=events_store, audience=audience,
                        markings=config.markings, title=TITLE)
    html = live_page(page, feed, view.version)
    _remember(_PAGES, key, html)
    return html


def map_client(request: Request) -> Client:
    """Return the client of a map request: its bearer token, else its cookie, else anonymous.

    Raises
    ------
    Unauthorized
        For an unknown token in either.
    """
    if request.headers.get("authorization"):
        return client_of(request)
    cookie = request.cookies.get(TOKEN_COOKIE)
    config = state_of(request).config
    return client_for(f"Bearer {cookie}" if cookie else None, config)


def _security_headers() -> dict[str, str]:
    return {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff", "Content-Security-Policy":
            CONTENT_SECURITY_POLICY}


async def map_page(request: Request) -> Response:
    """``GET /map``: the picture for the client's audience, following the feed."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse, RedirectResponse

    token = request.query_params.get("token")
    if token is not None:
        client_for(f"Bearer {token}", state_of(request).config)  # 401 if unknown
        answer = RedirectResponse(request.url_for("live_map").path, status_code=303,
                                  headers=_security_headers())
        answer.set_cookie(TOKEN_COOKIE, token, path="/map", httponly=True, samesite="strict",
                          secure=request.url.scheme == "https")
        return answer
    client = map_client(request)
    try:
        html = await run_in_threadpool(live_map_page, state_of(request).config,
                                       client.audience, str(request.url_for("live_feed").path))
    except StoreError as exc:
        return error_response(503, "ServiceUnavailable",
                              f"the event store cannot be read now: {exc}")
    return HTMLResponse(html, headers=_security_headers())


def _message(payload: dict[str, Any], version: str) -> bytes:
    data = json.dumps(payload, separators=(",", ":"), default=str)
    return f"id: {version}\ndata: {data}\n\n".encode()


async def changes(config: ServeConfig, audience: frozenset[str], version: str
                  ) -> AsyncIterator[bytes]:
    """Yield the Server-Sent Events of what changes for ``audience`` after ``version``."""
    from starlette.concurrency import run_in_threadpool

    yield b"retry: 1000\n\n"
    view: AudienceView | None = None
    idle = 0.0
    while True:
        if view is not None or idle:
            await asyncio.sleep(POLL_SECONDS)
        try:
            now = await run_in_threadpool(audience_view, config, audience)
        except StoreError:
            # the store cannot be read now (a database outage): keep the feed open, look again
            idle += POLL_SECONDS
            if idle >= KEEPALIVE_SECONDS:
                idle = POLL_SECONDS
                yield b": keep-alive\n\n"
            continue
        if view is None:
            if now.version != version:  # the page is older: send everything it should hold
                yield _message({"version": now.version, "reset": True,
                                "upsert": list(now.features.values()), "remove": [],
                                "marking": now.marking}, now.version)
            view, idle = now, 0.0
            continue
        if now.version == view.version:
            idle += POLL_SECONDS
            if idle >= KEEPALIVE_SECONDS:
                idle = 0.0
                yield b": keep-alive\n\n"
            continue
        upsert = [f for key, f in now.features.items() if view.features.get(key) != f]
        remove = [key for key in view.features if key not in now.features]
        yield _message({"version": now.version, "reset": False, "upsert": upsert,
                        "remove": remove, "marking": now.marking}, now.version)
        view, idle = now, 0.0


async def map_events(request: Request) -> Response:
    """``GET /map/events``: Server-Sent Events of the events the client may see."""
    from starlette.responses import StreamingResponse

    client = map_client(request)
    version = (request.headers.get("last-event-id") or request.query_params.get("version")
               or "")
    return StreamingResponse(changes(state_of(request).config, client.audience, version[:64]),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def routes() -> list[Route]:
    """Return the live map's routes."""
    from starlette.routing import Route

    return [
        Route("/map", map_page, methods=["GET"], name="live_map"),
        Route("/map/events", map_events, methods=["GET"], name="live_feed"),
    ]
