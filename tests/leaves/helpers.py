"""Builders of leave through the API, shared by the leave tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.assertions import ok
from tests.factories import Person, Space


async def make_policy(space: Space, members: list[Person], **fields: Any) -> dict[str, Any]:
    body = {
        **space.ws,
        "name": "Vacation",
        "time_unit": "days",
        "duration": 20,
        "member_ids": [m.id for m in members],
        **fields,
    }
    data: dict[str, Any] = ok(await space.owner.api.post("/leaves/policies", json=body), 201)["data"]
    return data


async def ask(actor: Person, policy: dict[str, Any], start: str, end: str, **fields: Any) -> httpx.Response:
    body = {
        "workspace_id": actor.workspace_id,
        "policy_id": policy["id"],
        "user_id": actor.id,
        "start": start,
        "end": end,
        **fields,
    }
    return await actor.api.post("/leaves", json=body)


async def asked(actor: Person, policy: dict[str, Any], start: str, end: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = ok(await ask(actor, policy, start, end, **fields), 201)["data"]
    return data


async def decide(actor: Person, leave_id: str, action: str, **body: Any) -> httpx.Response:
    return await actor.api.put(
        f"/leaves/{leave_id}/{action}", json={"workspace_id": actor.workspace_id, **body}
    )


async def balances(actor: Person, date_from: str, date_to: str, **params: Any) -> list[dict[str, Any]]:
    response = await actor.api.get(
        "/leaves/balances",
        params={"workspace_id": actor.workspace_id, "date_from": date_from, "date_to": date_to, **params},
    )
    data: list[dict[str, Any]] = ok(response)["data"]
    return data


async def balance_of(actor: Person, who: Person, as_of: str, date_from: str | None = None) -> dict[str, Any]:
    rows = await balances(actor, date_from or as_of, as_of, user_id=who.id)
    assert len(rows) == 1, rows
    return rows[0]
