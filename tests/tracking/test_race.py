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


async def test_concurrent_starts_in_two_workspaces_yield_one_timer_in_each(
    committed_factory: Factory,
) -> None:
    """The rule is per person per workspace: starts in A never make B's start fail."""
    factory = committed_factory
    a, b = await factory.space(), await factory.space()
    john = await factory.person(a)
    await factory.join(b, john)

    responses = await asyncio.gather(
        *(
            john.api.post("/time-tracking/start", json={"workspace_id": space.id, "user_id": john.id})
            for _ in range(10)
            for space in (a, b)
        )
    )

    by_workspace = {
        space.id: sorted(r.status_code for r in responses[i::2]) for i, space in enumerate((a, b))
    }
    assert by_workspace == {a.id: [200] + [409] * 9, b.id: [200] + [409] * 9}, [
        r.text for r in responses if r.status_code not in (200, 409)
    ]
    running = await factory.session.execute(
        select(TimeEntry.workspace_id, func.count())
        .where(TimeEntry.user_id == john.id, TimeEntry.end_at.is_(None))
        .group_by(TimeEntry.workspace_id)
    )
    assert {workspace_id: count for workspace_id, count in running.all()} == {a.id: 1, b.id: 1}
