"""Request limits (``WEBWORK_RATE_LIMIT``, e.g. ``600/minute`` or ``off``).

Counted per resolved principal (the authenticated user), never per spelling of a header:
whoever authenticates spends their own bucket, however the ``Authorization`` header is
written. Anonymous calls and failed authentications spend the client address's bucket,
which also slows key guessing. Counters live in memory on one node, or in Redis when
``WEBWORK_REDIS_URL`` is set so that every node shares them; when Redis cannot be
reached the node falls back to its own counters with a warning instead of failing the
request, and tries Redis again after a pause.

The auth dependency calls :meth:`RateLimiter.enforce`; answers carry the ``RateLimit-*``
headers through :class:`RateLimitHeadersMiddleware`; a refused call is a 429 with
``Retry-After``."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webwork.kit.errors import RateLimited

log = logging.getLogger(__name__)

# A Redis that does not answer within this many seconds counts as down ...
REDIS_TIMEOUT = 0.25
# ... and is left alone for this long before the next attempt.
REDIS_RETRY_AFTER = 30.0
STATE_KEY = "ratelimit_headers"


def parse_limit(limit: str) -> RateLimitItem | None:
    """``None`` when limits are off; raises ``ValueError`` for a malformed limit."""
    if limit.strip().lower() == "off":
        return None
    return parse(limit)


@dataclass(frozen=True)
class Window:
    allowed: bool
    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
        }


class RateLimiter:
    def __init__(self, limit: str = "600/minute", redis_url: str | None = None) -> None:
        self.item = parse_limit(limit)
        self.local = FixedWindowRateLimiter(MemoryStorage())
        self.shared: FixedWindowRateLimiter | None = None
        if redis_url:
            storage = storage_from_string(
                f"async+{redis_url}", connect_timeout=REDIS_TIMEOUT, stream_timeout=REDIS_TIMEOUT
            )
            if not isinstance(storage, Storage):
                raise ValueError(f"not an async rate-limit storage: {redis_url}")
            self.shared = FixedWindowRateLimiter(storage)
        self._shared_down_until = 0.0

    async def check_shared(self) -> bool:
        """Whether the shared (Redis) storage answers; True when there is none."""
        return self.shared is None or await self.shared.storage.check()

    async def hit(self, key: str) -> Window | None:
        """Count one call against ``key``; ``None`` when limits are off."""
        if self.item is None:
            return None
        limiter = self._current()
        try:
            return await self._hit(limiter, self.item, key)
        except Exception as exc:
            if limiter is self.local:
                raise
            self._shared_down_until = time.monotonic() + REDIS_RETRY_AFTER
            log.warning(
                "Redis rate-limit storage unreachable (%s); counting on this node for %.0f s",
                exc,
                REDIS_RETRY_AFTER,
            )
            return await self._hit(self.local, self.item, key)

    async def enforce(self, connection: HTTPConnection, key: str) -> None:
        """Count the call; refuse it with 429 when the bucket is empty. The headers of the
        window go on the answer either way."""
        window = await self.hit(key)
        if window is None:
            return
        connection.scope.setdefault("state", {})[STATE_KEY] = window.headers()
        if not window.allowed:
            raise RateLimited(headers={**window.headers(), "Retry-After": str(max(1, window.reset))})

    def _current(self) -> FixedWindowRateLimiter:
        if self.shared is not None and time.monotonic() >= self._shared_down_until:
            return self.shared
        return self.local

    @staticmethod
    async def _hit(limiter: FixedWindowRateLimiter, item: RateLimitItem, key: str) -> Window:
        allowed = await limiter.hit(item, key)
        stats = await limiter.get_window_stats(item, key)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return Window(allowed, item.amount, stats.remaining, reset)


def principal_key(user_id: int) -> str:
    return f"user:{user_id}"


def address_key(connection: HTTPConnection) -> str:
    client = connection.client
    return "ip:" + (client.host if client else "unknown")


async def limit_by_address(connection: HTTPConnection) -> None:
    """Dependency of public routes and of calls whose authentication failed."""
    limiter: RateLimiter = connection.app.state.rate_limiter
    await limiter.enforce(connection, address_key(connection))


class RateLimitHeadersMiddleware:
    """Copies the window that the auth dependency counted onto the answer's headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Created here so that inner layers that copy the scope still share this dict.
        state = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                window = state.get(STATE_KEY)
                if window:
                    present = {name.lower() for name, _ in message.get("headers", [])}
                    extra = [
                        (name.lower().encode(), value.encode())
                        for name, value in window.items()
                        if name.lower().encode() not in present
                    ]
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
