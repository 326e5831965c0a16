"""The one-running-timer rule under real concurrency: separate connections, real commits."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from tests.factories import Factory
from webwork.models import TimeEntry


async def test_twenty_concurrent_starts_yield_one_timer(committed_factory: Factory) -> None:
    factory = committed_factory
    space = await factory.space()
    john = await factory.person(space)
    payload = {"workspace_id": space.id, "user_id": john.id, "activity_description": "race"}

    responses = await asyncio.gather(
        *(john.api.post("/time-tracking/start", json=payload) for _ in range(20))
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 19, [r.text for r in responses if r.status_code not in (200, 409)]
    for conflict in (r.json() for r in responses if r.status_code == 409):
        assert conflict["error"] == "timer_running"
        assert conflict["message"] == "A timer is already running for this user; stop it first."
        assert conflict["data"]["user_id"] == john.id
    running = await factory.session.scalar(
        select(func.count())
        .select_from(TimeEntry)
        .where(TimeEntry.user_id == john.id, TimeEntry.end_at.is_(None))
    )
    assert running == 1
