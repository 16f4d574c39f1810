"""Writing events over HTTP: ``POST``, ``PUT`` and ``DELETE`` on ``/collections/events/items``.

The write side of OGC API - Features Part 4 ("Create, Replace and Delete"),
a thin adapter over the same functions as ``northpic events add`` and
``northpic events remove``: the body is read by
:func:`northpic.io.event_files.read_event_body` (its media type names the
format), turned into events by :func:`northpic.events.intake.events_from_records`,
validated whole by :func:`northpic.events.validate_events` and stored in one
transaction by :func:`northpic.store.write_events` (which keeps the history).

What the adapter adds is who may write what (:mod:`northpic.serve.access`):

- a bearer token of an organisation that may write (401 without one, 403 otherwise);
- the originator of every record is the token's organisation, whatever the body says;
- each record's releasability within the account's ``grant`` and its
  classification at most ``max_classification`` (403 naming the record);
- a record may be replaced or removed only by a client that may see it: to
  any other, an id it may not see is answered exactly as an unknown id
  (404 for ``PUT`` and ``DELETE``); a ``POST`` that would overwrite such a
  record is refused (409) without saying anything of it.

Bodies are read as they stream, and refused with 413 as soon as they pass
``max_body_bytes`` (or at once when their ``Content-Length`` says so).
What a client may replace is checked inside the write's own transaction,
holding the store's write lock (the ``guard`` of
:func:`northpic.store.write_events`): another writer, in this process or in
another server on the same store, cannot slip a record the client may not
see between the check and the write.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from northpic.errors import BadInputError, DataFileError, StoreError, UnsupportedFormatError
from northpic.serve.access import Forbidden, markings_refused, require_writer, visible_ids
from northpic.serve.app import client_of, error_response, state_of

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from northpic.serve.access import Client
    from northpic.serve.config import ServeConfig

#: Where events are written (the collection's items).
ITEMS_PATH = "/collections/events/items"
#: The label of a request body in messages.
BODY_LABEL = "request body"

#: One write at a time per process (the store's own lock orders writers across processes).
_WRITE_LOCK = threading.Lock()


class TooLarge(BadInputError):
    """A body over the configured size limit: answered with 413."""


class NotFound(BadInputError):
    """An id that is not stored, or that the client may not see: answered with 404."""


class Conflict(BadInputError):
    """A write that would overwrite a record the client may not replace: answered with 409."""


def media_type_of(request: Request) -> str:
    """Return the request's media type (lower case, no parameters).

    Raises
    ------
    UnsupportedFormatError
        Without a ``Content-Type``, or with a charset other than UTF-8.
    """
    header = request.headers.get("content-type", "")
    kind, *params = (part.strip() for part in header.split(";"))
    if not kind:
        raise UnsupportedFormatError("the request has no Content-Type; send application/geo+json, "
                                     "text/csv or application/x-ndjson")
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
                "utf-8", "utf8"):
            raise UnsupportedFormatError(f"charset {value.strip()[:40]!r}: bodies are UTF-8")
    return kind.lower()


async def read_body(request: Request, limit: int) -> bytes:
    """Read the request body as it streams, refusing it once it passes ``limit`` bytes.

    Raises
    ------
    TooLarge
        When ``Content-Length`` says more than ``limit``, or the body grows past it.
    DataFileError
        When the client goes before the body ends.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise TooLarge(f"the body ({int(declared)} bytes) is over this server's limit "
                       f"of {limit} bytes; send smaller batches")
    from starlette.requests import ClientDisconnect

    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"the body is over this server's limit of {limit} bytes; "
                               "send smaller batches")
            chunks.append(chunk)
    except ClientDisconnect:
        raise DataFileError(BODY_LABEL, f"the connection closed after {size} bytes, before "
                                        "the body ended; nothing was stored") from None
    return b"".join(chunks)


@dataclass(frozen=True)
class WriteResult:
    """What one write did: the ids added and updated, in input order."""

    added: tuple[str, ...]
    updated: tuple[str, ...]


def write_body(config: ServeConfig, client: Client, data: bytes, media_type: str,
               replace_id: str | None = None) -> WriteResult:
    """Validate a body and store it for ``client``, all or nothing.

    Parameters
    ----------
    config : ServeConfig
        The store and markings table.
    client : Client
        Who writes (it must be allowed to).
    data : bytes
        The body.
    media_type : str
        Its media type (see :data:`northpic.io.event_files.EVENT_MEDIA_TYPES`).
    replace_id : str, optional
        For ``PUT``: the one record's id, which must be stored and visible to ``client``.

    Raises
    ------
    UnsupportedFormatError, DataFileError, SchemaError
        For a body of another format, unreadable, or holding bad records.
    Forbidden
        For a client that may not write, or markings it may not grant.
    NotFound
        For ``replace_id`` not stored or not visible to the client.
    Conflict
        When a record would overwrite one the client may not see.
    """
    from northpic.events import validate_events
    from northpic.events.intake import events_from_records
    from northpic.io.event_files import read_event_body
    from northpic.store import count_events, write_events

    account = require_writer(client)
    records = read_event_body(data, media_type, BODY_LABEL)
    raw = events_from_records(records)
    if replace_id is not None:
        if len(raw) != 1:
            raise DataFileError(BODY_LABEL, f"a replacement is one record, not {len(raw)}")
        given = raw[0].properties.get("id")
        if given not in (None, "") and str(given) != replace_id:
            raise DataFileError(BODY_LABEL, f"the record's id {str(given)[:80]!r} is not the "
                                            f"id {replace_id[:80]!r} of the address")
        raw[0].properties["id"] = replace_id
    for event in raw:  # the token says who contributes, not the body
        for key in [k for k in event.properties if str(k).lower() == "originator"]:
            del event.properties[key]
        event.properties["originator"] = account.organisation
    frame = validate_events(raw, BODY_LABEL, markings=config.markings)
    refused = markings_refused(frame, account, config.markings)
    if refused:
        raise Forbidden("\n".join(refused))
    if replace_id is not None and not count_events(config.store):
        raise NotFound(f"no event {replace_id[:80]!r}")  # no store yet: make none for a PUT
    ids = [str(i) for i in frame["id"]]
    found: dict[str, str] = {}

    def guard(stored: Mapping[str, str]) -> None:
        """Refuse, under the store's lock, a write over a record ``client`` may not see."""
        seen = visible_ids(stored, client.audience, config.markings)
        if replace_id is not None and replace_id not in seen:
            raise NotFound(f"no event {replace_id[:80]!r}")
        hidden = [i for i in dict.fromkeys(ids) if i in stored and i not in seen]
        if hidden:
            raise Conflict(f"{len(hidden)} id(s) of the batch are taken by records this "
                           f"client may not replace (first {hidden[0][:80]!r}); use other ids")
        found.update(stored)

    with _WRITE_LOCK:
        write_events(frame, config.store, BODY_LABEL, guard=guard)
    unique = list(dict.fromkeys(ids))
    return WriteResult(tuple(i for i in unique if i not in found),
                       tuple(i for i in unique if i in found))


def remove_for(config: ServeConfig, client: Client, event_id: str) -> None:
    """Remove one event for ``client``, which must be allowed to write and to see it.

    Raises
    ------
    Forbidden
        For a client that may not write.
    NotFound
        For an id not stored, or not visible to the client.
    """
    from northpic.errors import EventNotFoundError
    from northpic.store import remove_event

    account = require_writer(client)

    def guard(stored: Mapping[str, str]) -> None:
        """Refuse, under the store's lock, to remove a record ``client`` may not see."""
        if not visible_ids(stored, client.audience, config.markings):
            raise NotFound(f"no event {event_id[:80]!r}")

    with _WRITE_LOCK:
        try:
            remove_event(event_id, config.store, originator=account.organisation, guard=guard)
        except StoreError:
            raise
        except (EventNotFoundError, DataFileError):  # not stored, or no store yet
            raise NotFound(f"no event {event_id[:80]!r}") from None


def _answer(exc: Exception) -> Response | None:
    if isinstance(exc, TooLarge):
        return error_response(413, "PayloadTooLarge", str(exc))
    if isinstance(exc, NotFound):
        return error_response(404, "NotFound", str(exc))
    if isinstance(exc, Conflict):
        return error_response(409, "Conflict", str(exc))
    if isinstance(exc, UnsupportedFormatError):
        return error_response(415, "UnsupportedMediaType", str(exc))
    if isinstance(exc, StoreError):
        return error_response(503, "StoreUnavailable", f"the store cannot take the write now: "
                                                       f"{exc}")
    return None


async def _write(request: Request, replace_id: str | None) -> Response:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    state = state_of(request)
    client = client_of(request)
    require_writer(client)
    try:
        media_type = media_type_of(request)
        data = await read_body(request, state.config.max_body_bytes)
        result = await run_in_threadpool(write_body, state.config, client, data, media_type,
                                         replace_id)
    except (TooLarge, NotFound, Conflict, UnsupportedFormatError, StoreError) as exc:
        answer = _answer(exc)
        if answer is None:  # pragma: no cover - _answer knows every class caught
            raise
        return answer
    base = str(request.url_for("events_intake"))
    if replace_id is not None:
        return JSONResponse({"updated": [replace_id]}, status_code=200)
    body: dict[str, Any] = {"added": list(result.added), "updated": list(result.updated)}
    if len(result.added) == 1 and not result.updated:
        return JSONResponse(body, status_code=201,
                            headers={"Location": f"{base}/{_quote(result.added[0])}"})
    return JSONResponse(body, status_code=201 if result.added else 200)


def _quote(event_id: str) -> str:
    from urllib.parse import quote

    return quote(event_id, safe="")


async def post_items(request: Request) -> Response:
    """``POST /collections/events/items``: add or update a batch of events."""
    return await _write(request, None)


async def put_item(request: Request) -> Response:
    """``PUT /collections/events/items/{id}``: replace one event the client may see."""
    return await _write(request, str(request.path_params["event_id"]))


async def delete_item(request: Request) -> Response:
    """``DELETE /collections/events/items/{id}``: remove one event the client may see."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response as PlainResponse

    state = state_of(request)
    client = client_of(request)
    try:
        await run_in_threadpool(remove_for, state.config, client,
                                str(request.path_params["event_id"]))
    except (NotFound, StoreError) as exc:
        answer = _answer(exc)
        assert answer is not None
        return answer
    return PlainResponse(status_code=204)


def routes() -> list[Route]:
    """Return the write routes (Part 4: create, replace, delete)."""
    from starlette.routing import Route

    return [
        Route(ITEMS_PATH, post_items, methods=["POST"], name="events_intake"),
        Route(ITEMS_PATH + "/{event_id:path}", put_item, methods=["PUT"]),
        Route(ITEMS_PATH + "/{event_id:path}", delete_item, methods=["DELETE"]),
    ]
