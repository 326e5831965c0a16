"""Requests beyond the limit wait at the door and are let in in arrival order."""

from __future__ import annotations

import asyncio

from starlette.types import Receive, Scope, Send

from webwork.kit.admission import AdmissionMiddleware


async def test_requests_beyond_the_limit_wait_their_turn_in_order() -> None:
    running: list[str] = []
    peak = 0
    finished: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal peak
        running.append(scope["path"])
        peak = max(peak, len(running))
        await asyncio.sleep(0)  # one turn of the loop: the others arrive meanwhile
        running.remove(scope["path"])
        finished.append(scope["path"])

    gate = AdmissionMiddleware(app, limit=2)

    async def call(path: str) -> None:
        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b""}

        async def send(_: object) -> None:
            return None

        await gate({"type": "http", "path": path}, receive, send)  # type: ignore[arg-type]

    paths = [f"/api/v2/r{i}" for i in range(8)]
    await asyncio.gather(*(call(p) for p in paths))
    assert peak == 2
    assert finished == paths


async def test_no_limit_and_paths_outside_the_api_pass_straight_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["path"])

    for gate, path in (
        (AdmissionMiddleware(app, limit=0), "/api/v2/x"),
        (AdmissionMiddleware(app, 1), "/docs"),
    ):
        assert gate.gate is None or path == "/docs"
        await gate({"type": "http", "path": path}, None, None)  # type: ignore[arg-type]
    assert seen == ["/api/v2/x", "/docs"]
