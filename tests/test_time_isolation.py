"""A person in two workspaces keeps two separate records of time: what one workspace
records (timers, entries, approved requests) never blocks, cuts or shows in the other.
Overlaps, weekly limits and the one running timer are per person per workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import err, ok
from tests.factories import Factory, Person, Space
from webwork.models import TimeEntry

NOW = datetime(2026, 1, 29, 18, 0, tzinfo=UTC)  # a Thursday evening
DAY = "2026-01-29"


@pytest.fixture(autouse=True)
def frozen(frozen_clock: Any) -> None:
    frozen_clock(NOW)


async def shared_john(factory: Factory) -> tuple[Space, Space, Person, Person]:
    """John Doe, a member of workspaces A and B (``john_a``/``john_b``: his two memberships)."""
    a, b = await factory.space(name="A"), await factory.space(name="B")
    john_a = await factory.person(a, firstname="John", lastname="Doe")
    return a, b, john_a, await factory.join(b, john_a)


def entry_body(space: Space, person: Person, **fields: Any) -> dict[str, Any]:
    return {
        **space.ws,
        "user_id": person.id,
        "date": DAY,
        "start_time": "09:00",
        "end_time": "17:00",
        **fields,
    }


def person_body(space: Space, person: Person) -> dict[str, Any]:
    return {**space.ws, "user_id": person.id}


async def running(session: AsyncSession, space: Space, person: Person) -> TimeEntry:
    stmt = select(TimeEntry).where(
        TimeEntry.workspace_id == space.id, TimeEntry.user_id == person.id, TimeEntry.end_at.is_(None)
    )
    timer = await session.scalar(stmt.execution_options(populate_existing=True))
    assert timer is not None
    return timer


def reveals_nothing_of(response: httpx.Response, *instants: str) -> None:
    """The answer names none of the other workspace's times."""
    for instant in instants:
        assert instant not in response.text, response.text


async def test_a_timer_in_one_workspace_never_blocks_the_other(
    factory: Factory, session: AsyncSession
) -> None:
    a, b, john_a, john_b = await shared_john(factory)
    ok(await b.owner.api.post("/time-tracking/start", json=person_body(b, john_b)))
    b_timer = await running(session, b, john_b)
    b_timer.start_at = NOW - timedelta(hours=3)
    await session.commit()

    started = await a.owner.api.post("/time-tracking/start", json=person_body(a, john_a))
    ok(started)
    reveals_nothing_of(started, "15:00:00")
    a_timer = await running(session, a, john_a)
    a_timer.start_at = NOW - timedelta(hours=2)
    await session.commit()

    # each workspace reads and stops only its own timer, and saves all of it
    current = ok(await a.owner.api.get("/time-tracking/current-data", params={**a.ws, "user_id": john_a.id}))
    assert current["data"]["total_minutes"] == 120
    stopped = ok(await a.owner.api.post("/time-tracking/stop", json=person_body(a, john_a)))
    assert stopped["message"] == "Timer stopped successfully" and stopped["saved_minutes"] == 120
    # A's new entry 16:00..18:00 does not cut B's timer 15:00..18:00
    stopped = ok(await b.owner.api.post("/time-tracking/stop", json=person_body(b, john_b)))
    assert stopped["message"] == "Timer stopped successfully" and stopped["saved_minutes"] == 180


async def test_a_second_start_in_the_same_workspace_is_still_409(factory: Factory) -> None:
    a, b, john_a, john_b = await shared_john(factory)
    ok(await a.owner.api.post("/time-tracking/start", json=person_body(a, john_a)))
    ok(await john_b.api.post("/time-tracking/start", json=person_body(b, john_b)))
    body = err(
        await john_b.api.post("/time-tracking/start", json=person_body(b, john_b)), 409, "timer_running"
    )
    assert body["message"] == "A timer is already running for this user; stop it first."
    assert body["data"]["user_id"] == john_b.id


async def test_entries_in_one_workspace_never_cut_or_show_in_the_other(factory: Factory) -> None:
    a, b, john_a, john_b = await shared_john(factory)
    ok(await a.owner.api.post("/time-entries", json=entry_body(a, john_a, end_time="12:00")), 201)

    saved = await b.owner.api.post("/time-entries", json=entry_body(b, john_b))
    assert ok(saved, 201)["message"] == "8 hr successfully added for John Doe."
    assert saved.json()["saved_minutes"] == 480

    # A's own time still counts in A, B's does not
    saved = ok(await a.owner.api.post("/time-entries", json=entry_body(a, john_a)), 201)
    assert (
        saved["message"]
        == "5 hr successfully added for John Doe. 3 hr were not added: overlaps existing time."
    )

    # an update in B is checked against B's time only (A has 09:00..17:00 now)
    b_id = (await b.owner.api.post("/time-entries", json=entry_body(b, john_b, date="2026-01-28"))).json()
    ok(await a.owner.api.post("/time-entries", json=entry_body(a, john_a, date="2026-01-28")), 201)
    entry_id = b_id["data"]["time_entry_ids"][0]
    ok(await b.owner.api.put(f"/time-entries/{entry_id}", json={**b.ws, "end_time": "17:30"}))


async def test_a_running_timer_in_one_workspace_never_cuts_the_other(
    factory: Factory, session: AsyncSession
) -> None:
    a, b, john_a, john_b = await shared_john(factory)
    ok(await a.owner.api.post("/time-tracking/start", json=person_body(a, john_a)))
    timer = await running(session, a, john_a)
    timer.start_at = NOW - timedelta(hours=2)
    await session.commit()
    response = await b.owner.api.post(
        "/time-entries", json=entry_body(b, john_b, start_time="17:00", end_time="18:00")
    )
    assert ok(response, 201)["message"] == "1 hr successfully added for John Doe."


async def test_approved_requests_in_one_workspace_never_cut_the_other(factory: Factory) -> None:
    a, b, john_a, john_b = await shared_john(factory)
    ok(await b.owner.api.post("/time-entries", json=entry_body(b, john_b)), 201)
    request = {**person_body(a, john_a), "start": f"{DAY}T09:00:00Z", "end": f"{DAY}T11:00:00Z"}
    request_id = ok(await john_a.api.post("/time-requests", json=request), 201)["data"]["id"]
    approved = ok(await a.owner.api.post(f"/time-requests/{request_id}/approve", json=a.ws))
    assert approved["message"] == "Time request approved successfully" and approved["saved_minutes"] == 120


async def test_weekly_limits_count_only_the_workspace_s_own_time(factory: Factory) -> None:
    a, b, john_a, john_b = await shared_john(factory)
    john_a.membership.weekly_hours_limit = 8
    await factory.session.commit()
    ok(await b.owner.api.post("/time-entries", json=entry_body(b, john_b, date="2026-01-27")), 201)
    saved = ok(await a.owner.api.post("/time-entries", json=entry_body(a, john_a)), 201)
    assert saved["saved_minutes"] == 480
