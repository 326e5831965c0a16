"""At most so many API requests run at once in a process; the others wait their turn
at the door, in arrival order (``WEBWORK_MAX_CONCURRENCY``, 0 for no limit).

Every request in flight shares one event loop, which serves them round-robin: with 64
in flight, a request advances one step per 64 others' steps. A writer holding the
database's write lock (SQLite's, or a row lock on PostgreSQL) then holds it 64 times
longer, everyone behind it waits that much longer, and the slowest answers take
seconds while the median takes milliseconds. Admitted a few at a time, requests finish
in about the order they came, at the same throughput (the CPU is just as busy).

Long reads (routes marked ``LONG_READS``: a year's report, an export streamed for half a
minute) wait at a door of their own, as wide: holding places at the main door for
seconds each, a few of them would leave the small requests one place, or none."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, limit: int, long_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.gate = asyncio.Semaphore(limit) if limit > 0 else None
        self.long_gate = asyncio.Semaphore(limit) if limit > 0 else None
        self.long_paths = long_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.gate is None or scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        gate = self.long_gate if scope["path"] in self.long_paths and self.long_gate else self.gate
        async with gate:
            await self.app(scope, receive, send)
