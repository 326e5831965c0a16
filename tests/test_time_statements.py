"""How many SQL statements the paths that record time take: a budget per path and
database that no change may exceed (the auth lookup included; the member's row lock, once per
transaction, is a statement more on PostgreSQL, where SQLite needs none). A save reads the
member's other time and the approved timesheets it could touch in one statement."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import ok
from tests.factories import Factory, QueryCounter

BUDGET = {
    "sqlite": {
        "create own entry": 3,
        "list own entries": 2,
        "create entry": 6,
        "list entries": 3,
        "correct entry": 8,
        "start timer": 6,
        "current timer": 4,
        "stop timer": 9,
        "delete entry": 4,
        "approve request": 8,
    },
    "postgresql": {
        "create own entry": 4,
        "list own entries": 2,
        "create entry": 7,
        "list entries": 3,
        "correct entry": 9,
        "start timer": 7,
        "current timer": 4,
        "stop timer": 10,
        "delete entry": 5,
        "approve request": 9,
    },
}


async def test_recording_paths_stay_within_their_statement_budget(
    factory: Factory,
    session: AsyncSession,
    query_counter: QueryCounter,
    frozen_clock: Callable[[datetime], None],
) -> None:
    frozen_clock(datetime(2024, 1, 17, 10, 0, tzinfo=UTC))
    space, john, _, contract, task = await factory.john_at_work()
    api, ws = space.owner.api, space.ws
    assigned = {"user_id": john.id, "contract_id": contract.id, "task_id": task.id}
    ok(await api.get("/time-entries", params={**ws, "user_id": john.id, "date": "2024-01-15"}))
    ok(await john.api.get("/time-tracking/current-data", params=ws))  # keys' last use noted
    counts: dict[str, int] = {}

    async def count(path: str, call: Awaitable[httpx.Response]) -> dict[str, Any]:
        query_counter.reset()
        body = ok(await call, 201 if path.startswith("create") else 200)
        counts[path] = query_counter.count
        return body

    # The caller's own time: their member row comes with the authentication.
    own = {**ws, "user_id": space.owner.id, "date": "2024-01-15", "start_time": "09:00", "end_time": "10:00"}
    await count("create own entry", api.post("/time-entries", json=own))
    own_day = {**ws, "user_id": space.owner.id, "date": "2024-01-15"}
    await count("list own entries", api.get("/time-entries", params=own_day))
    entry = {**ws, **assigned, "date": "2024-01-15", "start_time": "09:00", "end_time": "10:00"}
    await count("create entry", api.post("/time-entries", json=entry))
    listed = await count(
        "list entries", api.get("/time-entries", params={**ws, "user_id": john.id, "date": "2024-01-15"})
    )
    entry_id = listed["data"][0]["id"]
    await count("correct entry", api.put(f"/time-entries/{entry_id}", json={**ws, "start_time": "08:00"}))
    await count("start timer", api.post("/time-tracking/start", json={**ws, **assigned}))
    await count("current timer", api.get("/time-tracking/current-data", params={**ws, "user_id": john.id}))
    frozen_clock(datetime(2024, 1, 17, 11, 0, tzinfo=UTC))
    await count("stop timer", api.post("/time-tracking/stop", json={**ws, "user_id": john.id}))
    await count("delete entry", api.delete(f"/time-entries/{entry_id}", json=ws))
    asked = {**ws, **assigned, "start": "2024-01-16T09:00:00+00:00", "end": "2024-01-16T10:00:00+00:00"}
    request = ok(await john.api.post("/time-requests", json=asked), 201)["data"]
    await count("approve request", api.post(f"/time-requests/{request['id']}/approve", json=ws))

    budget = BUDGET[session.get_bind().dialect.name]
    assert {path: n for path, n in counts.items() if n > budget[path]} == {}, counts
