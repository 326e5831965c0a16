"""Request bodies: bounded in size before anything reads them (``WEBWORK_MAX_BODY_BYTES``,
chunked bodies too), and parsed as strict JSON in one place, so that no body (huge,
nested 100,000 deep, not UTF-8) can end as a 500 and none means two things: ``NaN`` and
``Infinity`` (which Python's reader accepts and RFC 8259 does not) and a key given twice
(which one would win?) are refused with 400 ``malformed_json``."""

from __future__ import annotations

import json
from typing import Any, overload

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webwork.kit.errors import MalformedJson, PayloadTooLarge, error_response, malformed_json

MAX_BODY_BYTES = 1024 * 1024


@overload
async def read_body(receive: Receive) -> bytes: ...
@overload
async def read_body(receive: Receive, limit: int) -> bytes | None: ...
async def read_body(receive: Receive, limit: int | None = None) -> bytes | None:
    """The whole body, or None as soon as it grows past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over ``body`` once, then the real one (disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _no_constant(name: str) -> Any:
    raise MalformedJson(f"The request body contains {name}, which JSON does not allow.")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise MalformedJson(f'The request body gives the key "{key}" more than once.')
            seen.add(key)
    return obj


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as exc:
        raise malformed_json(exc) from None


class StrictJsonRequest(Request):
    """The request FastAPI reads a route's JSON body from, with :func:`parse_json`
    (FastAPI's documented way to change how a body is read: a ``Request`` subclass
    handed to the route handler)."""

    async def json(self) -> Any:
        return parse_json(await self.body())


class BodyLimitMiddleware:
    """Refuses a body over ``max_bytes`` with 413, by its Content-Length or once that
    many bytes have arrived, before the form rewriter or a route reads it."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        """``max_bytes``: ``WEBWORK_MAX_BODY_BYTES``."""
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = None if _declared_length(scope) > self.max_bytes else await read_body(receive, self.max_bytes)
        if body is None:
            error = PayloadTooLarge(
                f"The request body must not be greater than {self.max_bytes // 1024} kilobytes."
            )
            await error_response(error)(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)


def _declared_length(scope: Scope) -> int:
    for key, value in scope["headers"]:
        if key == b"content-length":
            return int(value) if value.strip().isdigit() else 0
    return 0
