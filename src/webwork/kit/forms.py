"""Accept form-encoded bodies everywhere the API (``/api/``) reads a JSON body; the
OAuth endpoints and the web pages read their forms as forms.

The hosted API documents ``application/x-www-form-urlencoded`` for some writes; rather
than teaching every handler two parsers, this ASGI middleware rewrites such bodies to
JSON before routing. ``key[]=1&key[]=2``, ``key[0]=1`` and repeated keys become lists.
A body that is not UTF-8, as bytes or percent-encoded, is refused as a JSON one would be
(400 ``malformed_json``): replacement characters would be stored in its place."""

from __future__ import annotations

import json
import re
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from webwork.kit.bodies import read_body, replaying
from webwork.kit.errors import MalformedJson, error_response, malformed_json

# Whether the request's body came as a form: its values are all strings, numbers too.
_FORM_BODY: ContextVar[bool] = ContextVar("form_body", default=False)


def body_was_form() -> bool:
    return _FORM_BODY.get()


_INDEXED = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d*)\]$")


def form_to_dict(raw: bytes) -> dict[str, Any]:
    """The fields of a form body; MalformedJson if it is not UTF-8."""
    try:
        pairs = parse_qsl(raw.decode(), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise malformed_json(exc) from None
    result: dict[str, Any] = {}
    for key, value in pairs:
        match = _INDEXED.match(key)
        if match:
            result.setdefault(match["name"], [])
            if isinstance(result[match["name"]], list):
                result[match["name"]].append(value)
            continue
        if key in result:
            existing = result[key]
            result[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            result[key] = value
    return result


class FormAsJsonMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or not _is_form(scope):
            await self.app(scope, receive, send)
            return
        try:
            fields = form_to_dict(await read_body(receive))
        except MalformedJson as error:
            await error_response(error)(scope, receive, send)
            return
        body = json.dumps(fields).encode()
        headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-type", b"content-length")]
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        token = _FORM_BODY.set(True)
        try:
            await self.app({**scope, "headers": headers}, replaying(body, receive), send)
        finally:
            _FORM_BODY.reset(token)


def _is_form(scope: Scope) -> bool:
    for key, value in scope["headers"]:
        if key == b"content-type":
            media_type: bytes = value.split(b";")[0].strip().lower()
            return media_type == b"application/x-www-form-urlencoded"
    return False
