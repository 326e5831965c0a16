"""``/time-entries`` through HTTP: the seed's examples, partial saves, overlaps, time
zones and DST, locks, permissions, workspaces and pagination."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import err, ok
from tests.factories import Factory, Person, Space
from webwork.auth.roles import Role
from webwork.models import Contract, Project, Task, TimeEntry, Timesheet

DAY = "2026-01-29"  # a Thursday


async def seed_setup(factory: Factory) -> tuple[Space, Person, Project, Contract, Task]:
    space = await factory.space()
    john = await factory.person(space, firstname="John", lastname="Doe")
    project = await factory.project(space, name="Website Redesign")
    contract = await factory.contract(project, john)
    task = await factory.task(project, title="Update homepage design")
    return space, john, project, contract, task


def body(space: Space, person: Person, **fields: Any) -> dict[str, Any]:
    return {"workspace_id": space.id, "user_id": person.id, "date": DAY, "start_time": "09:00", "end_time": "17:00", **fields}


async def entries_of(session: AsyncSession, person: Person) -> list[TimeEntry]:
    stmt = select(TimeEntry).where(TimeEntry.user_id == person.id).order_by(TimeEntry.start_at)
    rows = await session.scalars(stmt.execution_options(populate_existing=True))
    return list(rows)


async def test_seed_example(factory: Factory, session: AsyncSession) -> None:
    space, john, project, contract, task = await seed_setup(factory)
    payload = body(space, john, contract_id=contract.id, task_id=task.id, notes="Working on feature implementation")
    resp = ok(await space.owner.api.post("/time-entries", json=payload), 201)
    assert resp["message"] == "8 hr successfully added for John Doe."
    assert resp["saved_minutes"] == 480
    data = resp["data"]
    assert {k: v for k, v in data.items() if k != "time_entry_ids"} == {
        "user_id": john.id,
        "contract_id": contract.id,
        "project_id": project.id,
        "project_name": "Website Redesign",
        "task_id": task.id,
        "task_title": "Update homepage design",
        "activity_description": "Working on feature implementation",
        "method": "Manually added time",
        "date": DAY,
        "start_time": "2026-01-29T09:00:00Z",
        "end_time": "2026-01-29T17:00:00Z",
        "duration_minutes": 480,
    }
    [entry] = await entries_of(session, john)
    assert str(entry.id) == data["time_entry_ids"][0]
    assert entry.duration_seconds == 8 * 3600 and entry.method == "manual" and entry.created_by == space.owner.id
