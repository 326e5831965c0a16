"""Per-principal request limits (``WEBWORK_RATE_LIMIT``, e.g. ``600/minute`` or ``off``).

Counted per credential (the bearer token's digest), or per client address for
anonymous calls, in memory on one node or in Redis when ``WEBWORK_REDIS_URL`` is set so
that every node shares the same counters. Answers carry the ``RateLimit-*`` headers; a
refused call gets 429 with ``Retry-After``."""

from __future__ import annotations

import hashlib
import json
import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webwork.kit.envelope import error_body


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: str = "600/minute", redis_url: str | None = None) -> None:
        self.app = app
        self.item: RateLimitItem | None = (
            None if limit.strip().lower() in ("off", "", "0", "none") else parse(limit)
        )
        storage = storage_from_string(f"async+{redis_url}") if redis_url else MemoryStorage()
        if not isinstance(storage, Storage):
            raise ValueError(f"not an async rate-limit storage: {redis_url}")
        self.limiter = FixedWindowRateLimiter(storage)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.item is None or scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        item = self.item
        key = _identity(scope)
        allowed = await self.limiter.hit(item, key)
        stats = await self.limiter.get_window_stats(item, key)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        headers = [
            (b"ratelimit-limit", str(item.amount).encode()),
            (b"ratelimit-remaining", str(stats.remaining).encode()),
            (b"ratelimit-reset", str(reset).encode()),
            (b"x-ratelimit-limit", str(item.amount).encode()),
            (b"x-ratelimit-remaining", str(stats.remaining).encode()),
        ]
        if not allowed:
            body = json.dumps(error_body("Too many requests. Please slow down.", "rate_limited")).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", str(max(1, reset)).encode()),
                        *headers,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _identity(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return "token:" + hashlib.sha256(value).hexdigest()[:32]
    client = scope.get("client")
    return "ip:" + (client[0] if client else "unknown")
