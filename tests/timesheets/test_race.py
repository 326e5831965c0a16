"""Transitions under real concurrency: separate connections, real commits."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select

from tests.assertions import ok
from tests.factories import Factory
from webwork.models import Timesheet
from webwork.timesheets.periods import TimesheetKey


async def test_concurrent_first_submits_create_one_row(committed_factory: Factory) -> None:
    factory = committed_factory
    space = await factory.space()
    member = await factory.person(space)
    timesheet = TimesheetKey(member.id, date(2024, 1, 15)).encode("webwork")

    responses = await asyncio.gather(
        *(member.api.put(f"/timesheets/{timesheet}/submit", json=space.ws) for _ in range(10))
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 9, [r.text for r in responses if r.status_code not in (200, 409)]
    rows = (await factory.session.scalars(select(Timesheet).where(Timesheet.user_id == member.id))).all()
    assert [(r.status, r.date_from) for r in rows] == [("submitted", date(2024, 1, 15))]


async def test_writes_racing_an_approval_are_in_its_total_or_refused(committed_factory: Factory) -> None:
    """Entries saved while the period is being approved either made it into the approved
    total or were refused (409): nothing slips in between the total and the lock."""
    factory = committed_factory
    space = await factory.space()
    member = await factory.person(space)
    timesheet = TimesheetKey(member.id, date(2024, 1, 15)).encode("webwork")
    ok(await member.api.put(f"/timesheets/{timesheet}/submit", json=space.ws))
    days = [f"2024-01-{day}" for day in range(15, 22)]
    entry = {**space.ws, "user_id": member.id, "start_time": "09:00", "end_time": "10:00"}

    approval, *writes = await asyncio.gather(
        space.owner.api.put(f"/timesheets/{timesheet}/approve", json=space.ws),
        *(space.owner.api.post("/time-entries", json={**entry, "date": day}) for day in days),
    )

    ok(approval)
    assert all(w.status_code in (201, 409) for w in writes), [w.text for w in writes]
    row = await factory.session.scalar(select(Timesheet).where(Timesheet.user_id == member.id))
    assert row is not None
    assert row.approved_minutes == 60 * sum(w.status_code == 201 for w in writes)
