"""Transitions under real concurrency: separate connections, real commits."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select

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
