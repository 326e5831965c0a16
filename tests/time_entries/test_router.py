"""``/time-entries`` through HTTP: the hosted API's examples, partial saves, overlaps, time
zones and DST, locks, permissions, workspaces and pagination."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import assert_pagination, assert_query_count_flat, err, ok
from tests.factories import Factory, Person, QueryCounter, Space
from webwork.auth.roles import Role
from webwork.models import Contract, TimeEntry
from webwork.time_entries.schemas import TimeEntryCreated, TimeEntryItem

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # after every recorded instant below


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    """Every recording reads now (nothing may end in the future): it is this, not the wall clock."""
    frozen_clock(NOW)


DAY = "2026-01-29"  # a Thursday


def body(space: Space, person: Person, **fields: Any) -> dict[str, Any]:
    return {
        "workspace_id": space.id,
        "user_id": person.id,
        "date": DAY,
        "start_time": "09:00",
        "end_time": "17:00",
        **fields,
    }


async def entries_of(session: AsyncSession, person: Person) -> list[TimeEntry]:
    stmt = select(TimeEntry).where(TimeEntry.user_id == person.id).order_by(TimeEntry.start_at)
    rows = await session.scalars(stmt.execution_options(populate_existing=True))
    return list(rows)


async def test_seed_example(factory: Factory, session: AsyncSession) -> None:
    space, john, project, contract, task = await factory.john_at_work()
    payload = body(
        space, john, contract_id=contract.id, task_id=task.id, notes="Working on feature implementation"
    )
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
        "activity_level": None,
    }
    # Built as plain values in the router; the documenting model must say the same, key order included.
    assert list(TimeEntryCreated.model_validate(data).model_dump(mode="json").items()) == list(data.items())
    [entry] = await entries_of(session, john)
    assert str(entry.id) == data["time_entry_ids"][0]
    assert (
        entry.duration_seconds == 8 * 3600 and entry.method == "manual" and entry.created_by == space.owner.id
    )


async def add_entry(
    session: AsyncSession,
    space: Space,
    person: Person,
    start: str,
    end: str,
    contract: Contract | None = None,
) -> TimeEntry:
    begin, finish = datetime.fromisoformat(start), datetime.fromisoformat(end)
    entry = TimeEntry(
        workspace_id=space.id,
        user_id=person.id,
        contract_id=contract.id if contract else None,
        project_id=contract.project_id if contract else None,
        start_at=begin.replace(tzinfo=UTC),
        end_at=finish.replace(tzinfo=UTC),
        duration_seconds=int((finish - begin).total_seconds()),
        method="manual",
    )
    session.add(entry)
    await session.commit()
    return entry


async def test_partial_save_against_the_member_weekly_limit(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    john = await factory.person(space, firstname="John", lastname="Doe", weekly_hours_limit=10)
    await add_entry(session, space, john, "2026-01-26T09:00", "2026-01-26T15:00")  # Monday, 6 h
    resp = ok(await space.owner.api.post("/time-entries", json=body(space, john)), 201)
    assert resp["saved_minutes"] == 240
    assert resp["message"] == (
        "4 hr successfully added for John Doe. "
        "4 hr were not added: the member's weekly limit of 10 hr is reached."
    )
    assert resp["data"]["start_time"] == "2026-01-29T09:00:00Z"
    assert resp["data"]["end_time"] == "2026-01-29T13:00:00Z"
    assert resp["data"]["duration_minutes"] == 240
    # the week is full now: nothing more fits
    again = err(await space.owner.api.post("/time-entries", json=body(space, john, date="2026-01-30")), 422)
    assert again["errors"] == {
        "end_time": ["The member's weekly limit of 10 hr is reached; nothing was saved."]
    }
    # the next week (Monday 2026-02-02) starts empty
    nxt = ok(await space.owner.api.post("/time-entries", json=body(space, john, date="2026-02-02")), 201)
    assert nxt["saved_minutes"] == 480


async def test_partial_save_against_the_contract_weekly_limit(
    factory: Factory, session: AsyncSession
) -> None:
    space, john, project, contract, _ = await factory.john_at_work()
    contract.weekly_hours_limit = Decimal("5.5")
    await session.commit()
    other = await factory.contract(await factory.project(space), john)
    await add_entry(session, space, john, "2026-01-27T09:00", "2026-01-27T17:00", other)  # another contract
    await add_entry(session, space, john, "2026-01-28T09:00", "2026-01-28T10:00", contract)
    resp = ok(
        await space.owner.api.post("/time-entries", json=body(space, john, contract_id=contract.id)), 201
    )
    assert resp["saved_minutes"] == 270
    assert resp["message"] == (
        "4 hr 30 min successfully added for John Doe. 3 hr 30 min were not added: "
        "the contract's weekly limit of 5 hr 30 min is reached."
    )
    assert resp["data"]["project_id"] == project.id


async def test_overlap_saves_only_the_free_parts(factory: Factory, session: AsyncSession) -> None:
    space, john, *_ = await factory.john_at_work()
    await add_entry(session, space, john, "2026-01-29T12:00", "2026-01-29T13:00")
    resp = ok(await space.owner.api.post("/time-entries", json=body(space, john)), 201)
    assert resp["saved_minutes"] == 420
    assert (
        resp["message"] == "7 hr successfully added for John Doe. 1 hr was not added: overlaps existing time."
    )
    assert len(resp["data"]["time_entry_ids"]) == 2
    assert (resp["data"]["start_time"], resp["data"]["end_time"]) == (
        "2026-01-29T09:00:00Z",
        "2026-01-29T17:00:00Z",
    )
    spans = [(e.start_at.hour, e.end_at.hour if e.end_at else None) for e in await entries_of(session, john)]
    assert spans == [(9, 12), (12, 13), (13, 17)]


async def test_a_part_minute_save_says_what_was_saved(factory: Factory, session: AsyncSession) -> None:
    space, john, *_ = await factory.john_at_work()
    await add_entry(session, space, john, "2026-01-29T09:00:00", "2026-01-29T09:00:30")
    resp = ok(await space.owner.api.post("/time-entries", json=body(space, john, end_time="09:01")), 201)
    assert resp["message"] == (
        "30 sec successfully added for John Doe. 30 sec were not added: overlaps existing time."
    )
    assert resp["saved_minutes"] == 0 and resp["data"]["duration_minutes"] == 0
    assert [e.duration_seconds for e in await entries_of(session, john)] == [30, 30]


async def test_nothing_saved_is_422(factory: Factory, session: AsyncSession) -> None:
    space, john, *_ = await factory.john_at_work()
    await add_entry(session, space, john, "2026-01-29T08:00", "2026-01-29T18:00")
    resp = err(await space.owner.api.post("/time-entries", json=body(space, john)), 422)
    assert resp["message"] == "The time overlaps existing entries; nothing was saved."
    assert resp["errors"] == {"end_time": ["The time overlaps existing entries; nothing was saved."]}
    assert len(await entries_of(session, john)) == 1


async def test_member_timezone_and_utc_midnight(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    john = await factory.person(space, timezone="Asia/Tokyo")
    payload = body(space, john, start_time="07:00", end_time="10:00")  # 22:00Z..01:00Z
    data = ok(await space.owner.api.post("/time-entries", json=payload), 201)["data"]
    assert (data["start_time"], data["end_time"], data["date"]) == (
        "2026-01-28T22:00:00Z",
        "2026-01-29T01:00:00Z",
        DAY,
    )
    listed = ok(
        await space.owner.api.get("/time-entries", params={**space.ws, "user_id": john.id, "date": DAY})
    )
    assert [e["date"] for e in listed["data"]] == [DAY]
    before = ok(
        await space.owner.api.get(
            "/time-entries", params={**space.ws, "user_id": john.id, "date": "2026-01-28"}
        )
    )
    assert before["data"] == []


async def test_entry_crossing_local_midnight_is_listed_on_both_days(
    factory: Factory, session: AsyncSession
) -> None:
    space = await factory.space()
    john = await factory.person(space, timezone="America/New_York")
    # 22:00..02:00 New York time (UTC-5)
    await add_entry(session, space, john, "2026-01-29T03:00", "2026-01-29T07:00")
    for day in ("2026-01-28", "2026-01-29"):
        listed = ok(
            await space.owner.api.get("/time-entries", params={**space.ws, "user_id": john.id, "date": day})
        )
        assert len(listed["data"]) == 1
        assert listed["data"][0]["date"] == "2026-01-28" and listed["data"][0]["duration_minutes"] == 240
    empty = ok(
        await space.owner.api.get(
            "/time-entries", params={**space.ws, "user_id": john.id, "date": "2026-01-30"}
        )
    )
    assert empty["data"] == []


async def test_dst_spring_forward_in_berlin(factory: Factory) -> None:
    space = await factory.space()
    john = await factory.person(space, firstname="John", lastname="Doe", timezone="Europe/Berlin")
    payload = body(space, john, date="2024-03-31", start_time="01:00", end_time="04:00")
    resp = ok(await space.owner.api.post("/time-entries", json=payload), 201)
    assert resp["message"] == "2 hr successfully added for John Doe."
    assert (resp["data"]["start_time"], resp["data"]["end_time"]) == (
        "2024-03-31T00:00:00Z",
        "2024-03-31T02:00:00Z",
    )
    gap = err(
        await space.owner.api.post(
            "/time-entries", json=body(space, john, date="2024-03-31", start_time="02:30", end_time="05:00")
        ),
        422,
    )
    assert gap["errors"] == {
        "start_time": [
            "The start time 02:30 does not exist on 2024-03-31 in Europe/Berlin (the clocks go forward)."
        ]
    }


async def test_dst_fall_back_in_berlin(factory: Factory) -> None:
    space = await factory.space()
    john = await factory.person(space, firstname="John", lastname="Doe", timezone="Europe/Berlin")
    payload = body(space, john, date="2024-10-27", start_time="01:00", end_time="04:00")
    resp = ok(await space.owner.api.post("/time-entries", json=payload), 201)
    assert resp["message"] == "4 hr successfully added for John Doe."
    assert (resp["data"]["start_time"], resp["data"]["end_time"]) == (
        "2024-10-26T23:00:00Z",
        "2024-10-27T03:00:00Z",
    )
    # 02:30 happens twice; the first occurrence (CEST, 00:30Z) is meant, so it overlaps
    ambiguous = body(space, john, date="2024-10-27", start_time="02:30", end_time="05:00")
    resp = ok(await space.owner.api.post("/time-entries", json=ambiguous), 201)
    assert resp["saved_minutes"] == 60  # 04:00..05:00 CET is free
    assert "2 hr 30 min were not added: overlaps existing time" in resp["message"]
    listed = ok(
        await space.owner.api.get(
            "/time-entries", params={**space.ws, "user_id": john.id, "date": "2024-10-27"}
        )
    )
    assert [e["duration_minutes"] for e in listed["data"]] == [240, 60]


async def test_one_entry_covers_at_most_24_hours(factory: Factory) -> None:
    """Berlin's 2024-10-27 has 25 hours: 00:00..23:59 is 24 h 59 min of time."""
    space = await factory.space()
    john = await factory.person(space, timezone="Europe/Berlin")
    long_day = body(space, john, date="2024-10-27", start_time="00:00", end_time="23:59")
    resp = err(await space.owner.api.post("/time-entries", json=long_day), 422)
    assert resp["errors"] == {"end_time": ["The end time must be at most 24 hours after the start time."]}
    ok(await space.owner.api.post("/time-entries", json={**long_day, "end_time": "22:59"}), 201)


async def test_entries_never_end_in_the_future(factory: Factory, frozen_clock: Any) -> None:
    frozen_clock(datetime(2026, 1, 29, 12, 0, tzinfo=UTC))
    space = await factory.space()
    john = await factory.person(space)
    future = {"end_time": ["The end time must not be in the future."]}
    api = space.owner.api
    for late in (body(space, john, end_time="12:06"), body(space, john, date="2030-01-01")):
        assert err(await api.post("/time-entries", json=late), 422)["errors"] == future
    # a few minutes of clock skew are allowed
    entry_id = ok(await api.post("/time-entries", json=body(space, john, end_time="12:05")), 201)["data"][
        "time_entry_ids"
    ][0]
    moved = await api.put(f"/time-entries/{entry_id}", json={**space.ws, "date": "2026-01-30"})
    assert err(moved, 422)["errors"] == future


async def test_dates_lie_in_the_documented_range(factory: Factory) -> None:
    space = await factory.space()
    john = await factory.person(space, timezone="America/New_York")
    api = space.owner.api
    for day in ("1999-12-31", "2100-01-01", "9999-12-31"):
        resp = err(await api.post("/time-entries", json=body(space, john, date=day)), 422)
        assert resp["errors"] == {"date": ["The date must be between 2000-01-01 and 2099-12-31."]}
    entry_id = ok(await api.post("/time-entries", json=body(space, john)), 201)["data"]["time_entry_ids"][0]
    for day in ("1999-12-31", "9999-12-31"):
        resp = err(await api.put(f"/time-entries/{entry_id}", json={**space.ws, "date": day}), 422)
        assert resp["errors"] == {"date": ["The date must be between 2000-01-01 and 2099-12-31."]}


async def test_locked_period_refuses_every_write(factory: Factory, session: AsyncSession) -> None:
    space, john, *_ = await factory.john_at_work()
    inside = await add_entry(session, space, john, "2026-01-27T09:00", "2026-01-27T10:00")
    outside = await add_entry(session, space, john, "2026-02-03T09:00", "2026-02-03T10:00")
    await factory.approved_timesheet(john, date(2026, 1, 26), date(2026, 2, 1))
    api = space.owner.api
    resp = err(await api.post("/time-entries", json=body(space, john)), 409, "timesheet_locked")
    assert "2026-01-26 to 2026-02-01" in resp["message"]
    err(await api.put(f"/time-entries/{inside.id}", json={**space.ws, "notes": "x"}), 409, "timesheet_locked")
    err(await api.delete(f"/time-entries/{inside.id}", json=space.ws), 409, "timesheet_locked")
    # moving an unlocked entry into the locked period is refused too
    moved = {**space.ws, "date": "2026-01-29"}
    err(await api.put(f"/time-entries/{outside.id}", json=moved), 409, "timesheet_locked")
    ok(await api.put(f"/time-entries/{outside.id}", json={**space.ws, "end_time": "11:00"}))


async def test_an_approved_day_beside_the_save_locks_only_itself(
    factory: Factory, session: AsyncSession
) -> None:
    """A weekly limit makes the save read the whole week's time; the approved-timesheet
    check read in the same statement still looks at the saved time only."""
    space = await factory.space()
    john = await factory.person(space, weekly_hours_limit=40)
    await factory.approved_timesheet(john, date(2026, 1, 30), date(2026, 1, 30))  # the Friday of DAY's week
    api = space.owner.api
    saved = ok(await api.post("/time-entries", json=body(space, john)), 201)  # DAY: Thursday 2026-01-29
    assert saved["saved_minutes"] == 480
    friday = body(space, john, date="2026-01-30")
    err(await api.post("/time-entries", json=friday), 409, "timesheet_locked")
    crossing = body(space, john, start_time="20:00", end_time="23:59", date="2026-01-29")
    ok(await api.post("/time-entries", json=crossing), 201)
    assert len(await entries_of(session, john)) == 2


async def test_create_validation(factory: Factory) -> None:
    space, john, project, contract, task = await factory.john_at_work()
    api = space.owner.api

    async def errors(**fields: Any) -> dict[str, list[str]]:
        response = await api.post(
            "/time-entries", json={k: v for k, v in body(space, john, **fields).items() if v is not ...}
        )
        return err(response, 422)["errors"]

    assert await errors(end_time="08:00") == {"end_time": ["The end time must be a time after start time."]}
    assert await errors(end_time="09:00") == {"end_time": ["The end time must be a time after start time."]}
    assert await errors(start_time="9am") == {
        "start_time": ["The start time field must match the format HH:mm."]
    }
    assert await errors(end_time="24:00") == {"end_time": ["The end time field must match the format HH:mm."]}
    assert await errors(date=...) == {"date": ["The date field is required."]}
    assert await errors(user_id=...) == {"user_id": ["The user id field is required."]}
    assert "start_time" in await errors(start_time=...)
    assert "date" in await errors(date="29/01/2026")
    assert "notes" in await errors(notes="x" * 501)
    assert await errors(task_id=task.id) == {
        "task_id": ["A task can only be used with a contract (contract_id)."]
    }
    other_task = await factory.task(await factory.project(space))
    assert "task_id" in await errors(contract_id=contract.id, task_id=other_task.id)
    colleague = await factory.person(space)
    theirs = await factory.contract(project, colleague)
    assert await errors(contract_id=theirs.id) == {
        "contract_id": ["The contract does not belong to this user."]
    }
    paused = await factory.contract(await factory.project(space), john, status="paused")
    assert await errors(contract_id=paused.id) == {"contract_id": ["The contract is not active."]}
    archived = await factory.contract(await factory.project(space, status=0), john)
    assert await errors(contract_id=archived.id) == {"contract_id": ["The contract's project is archived."]}
    invited = await factory.person(space, status="invited")
    assert await errors(user_id=invited.id) == {"user_id": ["The selected user id is invalid."]}
    foreign = await factory.space()
    foreign_contract = await factory.contract(await factory.project(foreign), await factory.person(foreign))
    assert await errors(contract_id=foreign_contract.id) == {
        "contract_id": ["The selected contract id is invalid."]
    }
    ok(await api.post("/time-entries", json=body(space, john, notes="x" * 500)), 201)


async def test_permissions(factory: Factory) -> None:
    space, john, *_ = await factory.john_at_work()
    entry = ok(await space.owner.api.post("/time-entries", json=body(space, john)), 201)["data"][
        "time_entry_ids"
    ][0]
    params = {**space.ws, "user_id": john.id, "date": DAY}
    for client in (factory.anonymous,):
        err(await client.get("/time-entries", params=params), 401)
        err(await client.post("/time-entries", json=body(space, john)), 401)
        err(await client.put(f"/time-entries/{entry}", json={**space.ws, "notes": "x"}), 401)
        err(await client.delete(f"/time-entries/{entry}", json=space.ws), 401)
    for role in (Role.TEAM_MANAGER, Role.PROJECT_MANAGER, Role.MEMBER, Role.PROJECT_VIEWER):
        person = await factory.person(space, role)
        err(await person.api.get("/time-entries", params=params), 403)
        err(await person.api.post("/time-entries", json=body(space, person, date="2026-02-10")), 403)
        err(await person.api.put(f"/time-entries/{entry}", json={**space.ws, "notes": "x"}), 403)
        err(await person.api.delete(f"/time-entries/{entry}", json=space.ws), 403)
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    ok(await executive.api.get("/time-entries", params=params))
    ok(await executive.api.put(f"/time-entries/{entry}", json={**space.ws, "notes": "x"}))
    ok(await executive.api.delete(f"/time-entries/{entry}", json=space.ws))


async def test_cross_workspace_is_404(two_spaces: tuple[Space, Space], factory: Factory) -> None:
    a, b = two_spaces
    john = await factory.person(a)
    entry = ok(await a.owner.api.post("/time-entries", json=body(a, john)), 201)["data"]["time_entry_ids"][0]
    # b's owner with b's workspace: the entry is not there, the user is not b's member
    err(await b.owner.api.put(f"/time-entries/{entry}", json={**b.ws, "notes": "x"}), 404, "not_found")
    err(await b.owner.api.delete(f"/time-entries/{entry}", json=b.ws), 404, "not_found")
    err(await b.owner.api.get("/time-entries", params={**b.ws, "user_id": john.id, "date": DAY}), 422)
    err(await b.owner.api.post("/time-entries", json=body(b, john)), 422)
    # b's owner with a's workspace: not a member of a
    err(await b.owner.api.get("/time-entries", params={**a.ws, "user_id": john.id, "date": DAY}), 404)
    err(await b.owner.api.post("/time-entries", json=body(a, john)), 404)
    err(await b.owner.api.put(f"/time-entries/{entry}", json={**a.ws, "notes": "x"}), 404)
    err(await b.owner.api.delete(f"/time-entries/{entry}", json=a.ws), 404)
    # still there for a
    ok(await a.owner.api.put(f"/time-entries/{entry}", json={**a.ws, "notes": "mine"}))


async def test_malformed_and_unknown_ids_are_404(factory: Factory) -> None:
    space = await factory.space()
    for entry_id in ("not-a-uuid", "123", "a1b2c3d4-e5f6-7890-abcd-ef1234567890"):
        resp = err(
            await space.owner.api.put(f"/time-entries/{entry_id}", json={**space.ws, "notes": "x"}), 404
        )
        assert resp["message"] == "Time entry not found."
        err(await space.owner.api.delete(f"/time-entries/{entry_id}", json=space.ws), 404)


async def test_update(factory: Factory, session: AsyncSession) -> None:
    space, john, _project, contract, task = await factory.john_at_work()
    created = ok(
        await space.owner.api.post(
            "/time-entries", json=body(space, john, contract_id=contract.id, task_id=task.id)
        ),
        201,
    )
    entry_id = created["data"]["time_entry_ids"][0]
    url = f"/time-entries/{entry_id}"
    api = space.owner.api

    resp = ok(
        await api.put(url, json={**space.ws, "end_time": "17:30", "notes": "Updated activity description"})
    )
    assert resp["message"] == "Time entry updated successfully"
    data = resp["data"]
    assert (data["start_time"], data["end_time"]) == ("2026-01-29T09:00:00Z", "2026-01-29T17:30:00Z")
    assert data["duration_minutes"] == 510 and data["activity_description"] == "Updated activity description"
    assert data["task_id"] == task.id and data["id"] == entry_id

    # a new date keeps the old times
    data = ok(await api.put(url, json={**space.ws, "date": "2026-01-30", "start_time": "10:00"}))["data"]
    assert (data["start_time"], data["end_time"], data["date"]) == (
        "2026-01-30T10:00:00Z",
        "2026-01-30T17:30:00Z",
        "2026-01-30",
    )

    resp = err(await api.put(url, json={**space.ws, "start_time": "18:00"}), 422)
    assert resp["errors"] == {"end_time": ["The end time must be a time after start time."]}

    # moving onto other time is refused whole
    await add_entry(session, space, john, "2026-01-31T12:00", "2026-01-31T13:00")
    resp = err(await api.put(url, json={**space.ws, "date": "2026-01-31"}), 422)
    assert resp["errors"] == {
        "end_time": ["The time overlaps existing entries; the time entry was not changed."]
    }

    # another project: the user's contract on it is used, the old task is dropped
    other = await factory.project(space, name="Other")
    other_contract = await factory.contract(other, john)
    data = ok(await api.put(url, json={**space.ws, "project_id": other.id}))["data"]
    assert (data["project_id"], data["contract_id"], data["task_id"], data["project_name"]) == (
        other.id,
        other_contract.id,
        None,
        "Other",
    )
    no_contract = await factory.project(space)
    resp = err(await api.put(url, json={**space.ws, "project_id": no_contract.id}), 422)
    assert resp["errors"] == {"project_id": ["The user has no contract on the selected project."]}
    resp = err(await api.put(url, json={**space.ws, "task_id": task.id}), 422)
    assert "task_id" in resp["errors"]
    data = ok(await api.put(url, json={**space.ws, "project_id": None}))["data"]
    assert (data["project_id"], data["contract_id"]) == (None, None)
    err(await api.put(url, json={**space.ws, "notes": "x" * 501}), 422)
    err(await api.put(url, json={**space.ws, "start_time": "7"}), 422)


async def test_update_respects_the_weekly_limit(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    john = await factory.person(space, weekly_hours_limit=9)
    entry_id = ok(await space.owner.api.post("/time-entries", json=body(space, john)), 201)["data"][
        "time_entry_ids"
    ][0]
    ok(await space.owner.api.put(f"/time-entries/{entry_id}", json={**space.ws, "end_time": "18:00"}))
    resp = err(
        await space.owner.api.put(f"/time-entries/{entry_id}", json={**space.ws, "end_time": "18:30"}), 422
    )
    assert resp["message"] == "The member's weekly limit of 9 hr is reached; the time entry was not changed."


async def test_delete(factory: Factory, session: AsyncSession) -> None:
    space, john, *_ = await factory.john_at_work()
    entry_id = ok(await space.owner.api.post("/time-entries", json=body(space, john)), 201)["data"][
        "time_entry_ids"
    ][0]
    resp = ok(await space.owner.api.delete(f"/time-entries/{entry_id}", json=space.ws))
    assert resp["message"] == "Time entry deleted successfully"
    assert await entries_of(session, john) == []
    err(await space.owner.api.delete(f"/time-entries/{entry_id}", json=space.ws), 404)
    # workspace_id in the query string works as well
    entry_id = ok(await space.owner.api.post("/time-entries", json=body(space, john)), 201)["data"][
        "time_entry_ids"
    ][0]
    ok(await space.owner.api.delete(f"/time-entries/{entry_id}", params=space.ws))
    err(await space.owner.api.delete(f"/time-entries/{entry_id}"), 422)


async def test_list_fields_filters_and_pagination(factory: Factory, session: AsyncSession) -> None:
    space, john, project, contract, task = await factory.john_at_work()
    for hour in range(0, 10):
        await add_entry(
            session, space, john, f"2026-01-29T{hour:02d}:00", f"2026-01-29T{hour:02d}:30", contract
        )
    await add_entry(session, space, john, "2026-01-29T20:00", "2026-01-29T21:00")
    await add_entry(session, space, john, "2026-01-30T20:00", "2026-01-30T21:00")
    api = space.owner.api
    params = {**space.ws, "user_id": john.id, "date": DAY}
    resp = ok(await api.get("/time-entries", params={**params, "per_page": 4}))
    assert resp["message"] == "Time entries retrieved successfully"
    assert_pagination(resp, current_page=1, last_page=3, per_page=4, total=11, first=1, last=4)
    first = resp["data"][0]
    assert list(first) == [
        "id",
        "user_id",
        "contract_id",
        "project_id",
        "project_name",
        "task_id",
        "task_title",
        "activity_description",
        "method",
        "date",
        "start_time",
        "end_time",
        "duration_minutes",
        "activity_level",
    ]
    assert first["method"] == "Manually added time" and first["project_name"] == "Website Redesign"
    assert first["start_time"] == "2026-01-29T00:00:00Z" and first["duration_minutes"] == 30
    # Items are built as JSON directly; the model that documents them must say the same.
    assert all(TimeEntryItem.model_validate(item).model_dump(mode="json") == item for item in resp["data"])
    filtered = ok(await api.get("/time-entries", params={**params, "project_id": project.id}))
    assert filtered["meta"]["pagination"]["total"] == 10
    assert ok(await api.get("/time-entries", params={**params, "task_id": task.id}))["data"] == []
    past = ok(await api.get("/time-entries", params={**params, "page": 9}))
    assert past["data"] == [] and past["meta"]["pagination"]["total"] == 11
    for bad in ({"per_page": 0}, {"per_page": 101}, {"page": 0}, {"date": "nope"}):
        err(await api.get("/time-entries", params={**params, **bad}), 422)
    for missing in ("user_id", "date"):
        resp = err(
            await api.get("/time-entries", params={k: v for k, v in params.items() if k != missing}), 422
        )
        assert missing in resp["errors"]


async def test_list_query_count_does_not_grow_with_page_size(
    factory: Factory, session: AsyncSession, query_counter: QueryCounter
) -> None:
    space, john, _project, contract, task = await factory.john_at_work()
    for minute in range(0, 60, 5):
        entry = await add_entry(
            session, space, john, f"2026-01-29T10:{minute:02d}", f"2026-01-29T10:{minute + 4:02d}", contract
        )
        entry.task_id = task.id
    await session.commit()
    params = {**space.ws, "user_id": john.id, "date": DAY}
    small, large = await assert_query_count_flat(space.owner.api, "/time-entries", params, query_counter)
    assert (len(small["data"]), len(large["data"])) == (2, 12)
