"""Approval under real concurrency: a request is recorded once, however many approve it."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from tests.assertions import ok
from tests.factories import Factory
from webwork.models import TimeEntry


async def test_concurrent_approvals_record_the_time_once(committed_factory: Factory) -> None:
    factory = committed_factory
    space = await factory.space()
    member = await factory.person(space)
    body = {
        **space.ws,
        "user_id": member.id,
        "start": "2024-01-15T09:00:00Z",
        "end": "2024-01-15T11:00:00Z",
    }
    request_id = ok(await member.api.post("/time-requests", json=body), 201)["data"]["id"]

    responses = await asyncio.gather(
        *(space.owner.api.post(f"/time-requests/{request_id}/approve", json=space.ws) for _ in range(8))
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 7, [r.text for r in responses if r.status_code not in (200, 409)]
    entries = (await factory.session.scalars(select(TimeEntry).where(TimeEntry.user_id == member.id))).all()
    assert sum(e.duration_seconds or 0 for e in entries) == 7200
