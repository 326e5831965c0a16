"""At most so many API requests run at once in a process; the others wait their turn
at the door, in arrival order (``WEBWORK_MAX_CONCURRENCY``, 0 for no limit).

Every request in flight shares one event loop, which serves them round-robin: with 64
in flight, a request advances one step per 64 others' steps. A writer holding the
database's write lock (SQLite's, or a row lock on PostgreSQL) then holds it 64 times
longer, everyone behind it waits that much longer, and the slowest answers take
seconds while the median takes milliseconds. Admitted a few at a time, requests finish
in about the order they came, at the same throughput (the CPU is just as busy)."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.gate = asyncio.Semaphore(limit) if limit > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.gate is None or scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        async with self.gate:
            await self.app(scope, receive, send)
