"""Accept form-encoded bodies everywhere a JSON body is read.

The hosted API documents ``application/x-www-form-urlencoded`` for some writes; rather
than teaching every handler two parsers, this ASGI middleware rewrites such bodies to
JSON before routing. ``key[]=1&key[]=2``, ``key[0]=1`` and repeated keys become lists."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from webwork.kit.bodies import read_body, replaying

_INDEXED = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d*)\]$")


def form_to_dict(raw: bytes) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
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
        if scope["type"] != "http" or not _is_form(scope):
            await self.app(scope, receive, send)
            return
        body = json.dumps(form_to_dict(await read_body(receive))).encode()
        headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-type", b"content-length")]
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await self.app({**scope, "headers": headers}, replaying(body, receive), send)


def _is_form(scope: Scope) -> bool:
    for key, value in scope["headers"]:
        if key == b"content-type":
            media_type: bytes = value.split(b";")[0].strip().lower()
            return media_type == b"application/x-www-form-urlencoded"
    return False
