"""``activity_level`` (0..100, as a desktop client measured it) through HTTP: sent on a
timer's stop and with manual time, stored on every entry the save creates, answered in
the time-entry items (null when absent), bounded (422)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import err, ok
from tests.factories import Factory, Person, Space
from webwork.auth.roles import Role
from webwork.models import TimeEntry
from webwork.time_entries.schemas import TimeEntryItem

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday noon
DAY = "2026-01-29"


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    frozen_clock(NOW)


def manual(space: Space, person: Person, **fields: Any) -> dict[str, Any]:
    return {
        "workspace_id": space.id,
        "user_id": person.id,
        "date": DAY,
        "start_time": "09:00",
        "end_time": "12:00",
        **fields,
    }


async def levels(session: AsyncSession, person: Person) -> list[int | None]:
    stmt = select(TimeEntry).where(TimeEntry.user_id == person.id).order_by(TimeEntry.start_at)
    return [e.activity_level for e in await session.scalars(stmt.execution_options(populate_existing=True))]


async def listed(space: Space, person: Person) -> list[dict[str, Any]]:
    params = {**space.ws, "user_id": person.id, "date": DAY}
    items: list[dict[str, Any]] = ok(await space.owner.api.get("/time-entries", params=params))["data"]
    # Items are built as JSON directly; the documenting model must say the same.
    assert all(TimeEntryItem.model_validate(item).model_dump(mode="json") == item for item in items)
    return items


async def test_manual_entry_round_trip_on_every_part_saved(factory: Factory, session: AsyncSession) -> None:
    space, john, _project, contract, _task = await factory.john_at_work()
    api = space.owner.api
    # 10:00-11:00 already taken: the request is saved as two parts, both with the level.
    ok(await api.post("/time-entries", json=manual(space, john, start_time="10:00", end_time="11:00")), 201)
    created = ok(
        await api.post("/time-entries", json=manual(space, john, contract_id=contract.id, activity_level=73)),
        201,
    )
    assert created["data"]["activity_level"] == 73 and len(created["data"]["time_entry_ids"]) == 2
    assert await levels(session, john) == [73, None, 73]
    assert [item["activity_level"] for item in await listed(space, john)] == [73, None, 73]


async def test_update_sets_keeps_and_clears_it(factory: Factory, session: AsyncSession) -> None:
    space, john, *_ = await factory.john_at_work()
    api = space.owner.api
    created = ok(await api.post("/time-entries", json=manual(space, john, activity_level=0)), 201)
    assert created["data"]["activity_level"] == 0
    entry_id = created["data"]["time_entry_ids"][0]
    changed = ok(await api.put(f"/time-entries/{entry_id}", json={**space.ws, "activity_level": 100}))
    assert changed["data"]["activity_level"] == 100
    kept = ok(await api.put(f"/time-entries/{entry_id}", json={**space.ws, "notes": "n"}))
    assert kept["data"]["activity_level"] == 100
    cleared = ok(await api.put(f"/time-entries/{entry_id}", json={**space.ws, "activity_level": None}))
    assert cleared["data"]["activity_level"] is None and await levels(session, john) == [None]


@pytest.mark.parametrize("level", [-1, 101, 1.5, "high", True])
async def test_out_of_bounds_is_422_and_nothing_changes(
    factory: Factory, session: AsyncSession, level: Any
) -> None:
    space, john, *_ = await factory.john_at_work()
    api = space.owner.api
    resp = err(await api.post("/time-entries", json=manual(space, john, activity_level=level)), 422)
    assert "activity_level" in resp["errors"]
    created = ok(await api.post("/time-entries", json=manual(space, john, activity_level=5)), 201)
    entry_id = created["data"]["time_entry_ids"][0]
    resp = err(await api.put(f"/time-entries/{entry_id}", json={**space.ws, "activity_level": level}), 422)
    assert "activity_level" in resp["errors"]
    ok(await john.api.post("/time-tracking/start", json={**space.ws}))
    stop = {**space.ws, "activity_level": level}
    assert "activity_level" in err(await john.api.post("/time-tracking/stop", json=stop), 422)["errors"]
    assert await levels(session, john) == [5, None]  # the timer still runs


async def test_timer_stop_round_trip(factory: Factory, session: AsyncSession) -> None:
    space, john, _project, contract, _task = await factory.john_at_work()
    ok(await john.api.post("/time-tracking/start", json={**space.ws, "contract_id": contract.id}))
    [timer] = (await session.scalars(select(TimeEntry).where(TimeEntry.user_id == john.id))).all()
    timer.start_at = NOW - timedelta(minutes=30)
    await session.commit()
    stopped = ok(await john.api.post("/time-tracking/stop", json={**space.ws, "activity_level": 42}))
    assert stopped["data"]["activity_level"] == 42 and stopped["saved_minutes"] == 30
    assert await levels(session, john) == [42]
    params = {**space.ws, "user_id": john.id, "date": NOW.date().isoformat()}
    [item] = ok(await space.owner.api.get("/time-entries", params=params))["data"]
    assert item["activity_level"] == 42 and item["method"] == "Tracked"


async def test_stop_without_it_stores_null(factory: Factory, session: AsyncSession) -> None:
    space, john, *_ = await factory.john_at_work()
    ok(await john.api.post("/time-tracking/start", json=space.ws))
    [timer] = (await session.scalars(select(TimeEntry).where(TimeEntry.user_id == john.id))).all()
    timer.start_at = NOW - timedelta(minutes=5)
    await session.commit()
    stopped = ok(await john.api.post("/time-tracking/stop", json=space.ws))
    assert stopped["data"]["activity_level"] is None and await levels(session, john) == [None]


async def test_who_may_send_it(factory: Factory, session: AsyncSession) -> None:
    """Manual time stays an owner's and executive manager's (the level changes nothing
    of who may record); another workspace's entry is a 404."""
    space, john, *_ = await factory.john_at_work()
    created = ok(await space.owner.api.post("/time-entries", json=manual(space, john, activity_level=9)), 201)
    entry_id = created["data"]["time_entry_ids"][0]
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    ok(await executive.api.put(f"/time-entries/{entry_id}", json={**space.ws, "activity_level": 10}))
    for role in (Role.MEMBER, Role.TEAM_MANAGER, Role.PROJECT_MANAGER):
        person = await factory.person(space, role)
        err(await person.api.put(f"/time-entries/{entry_id}", json={**space.ws, "activity_level": 11}), 403)
        err(await person.api.post("/time-entries", json=manual(space, john, activity_level=11)), 403)
    err(
        await factory.anonymous.put(f"/time-entries/{entry_id}", json={**space.ws, "activity_level": 11}), 401
    )
    other = await factory.space()
    err(await other.owner.api.put(f"/time-entries/{entry_id}", json={**other.ws, "activity_level": 11}), 404)
    assert await levels(session, john) == [10]
