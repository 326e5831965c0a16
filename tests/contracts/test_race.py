"""Two simultaneous requests for the same (member, project) contract, with real commits:
exactly one is created, the other gets the duplicate 422 (from the check or from the
unique constraint, whichever the timing hits)."""

from __future__ import annotations

import asyncio

from tests.assertions import err, ok
from tests.factories import Factory


async def test_concurrent_duplicate_contracts(committed_factory: Factory) -> None:
    factory = committed_factory
    space = await factory.space()
    member = await factory.person(space, "member")
    project = await factory.project(space)
    payload = {"project_id": project.id, "user_id": member.id}
    responses = await asyncio.gather(
        *(space.owner.api.post("/contracts", params=space.ws, json=payload) for _ in range(2))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 422], [r.text for r in responses]
    created = next(r for r in responses if r.status_code == 201)
    refused = next(r for r in responses if r.status_code == 422)
    ok(created, 201)
    body = err(refused, 422)
    assert body["errors"] == {"user_id": ["The member already has a contract on this project."]}
    listed = ok(await space.owner.api.get("/contracts", params=space.ws))
    assert [c["id"] for c in listed["data"]] == [created.json()["data"]["id"]]
