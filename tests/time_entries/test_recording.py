"""The recording engine called directly, as the time-request approval calls it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import Factory, Person, Space
from webwork.kit.errors import Conflict, ValidationFailed
from webwork.models import Contract, Project, Task, TimeEntry
from webwork.time_entries.assignment import Assignment, Member, ensure_usable
from webwork.time_entries.messages import added, format_duration
from webwork.time_entries.recording import NothingSaved, Recorded, Recording, record_time

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # after every recorded instant below


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    """Every recording reads now (nothing may end in the future): it is this, not the wall clock."""
    frozen_clock(NOW)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def record(
    session: AsyncSession,
    space: Space,
    person: Person,
    start: str | datetime,
    end: str | datetime,
    *,
    contract: Contract | None = None,
    task: Task | None = None,
    method: str = "time_request",
) -> Recorded:
    """Record time as an approval does, on ``contract`` and ``task`` once they pass
    the assignment rules."""
    project = await session.get(Project, contract.project_id) if contract else None
    assignment = Assignment(contract, project, task)
    ensure_usable(assignment, person.id)
    recorded = await record_time(
        session,
        space.actor(),
        Member(person.membership, person.user),
        assignment,
        (utc(start) if isinstance(start, str) else start, utc(end) if isinstance(end, str) else end),
        Recording(description="work", method=method, created_by=space.owner.id),
    )
    await session.commit()
    return recorded


def spans(recorded: Recorded) -> list[tuple[str, str]]:
    return [
        (e.start_at.isoformat()[:16], e.end_at.isoformat()[:16] if e.end_at else "") for e in recorded.entries
    ]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (28800, "8 hr"),
        (5400, "1 hr 30 min"),
        (2700, "45 min"),
        (0, "0 min"),
        (3660, "1 hr 1 min"),
        (6, "6 sec"),
        (90, "1 min 30 sec"),
        (3606, "1 hr 6 sec"),
        (3661, "1 hr 1 min 1 sec"),
    ],
)
def test_format_duration_names_seconds_only_of_a_part_minute(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


async def test_a_save_under_a_minute_says_what_was_saved(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    john = await factory.person(space, firstname="John", lastname="Doe")
    await record(session, space, john, "2026-01-29T09:00:00", "2026-01-29T09:00:59")
    recorded = await record(session, space, john, "2026-01-29T09:00:00", "2026-01-29T09:01:00")
    assert (recorded.requested_seconds, recorded.saved_seconds, recorded.saved_minutes) == (60, 1, 0)
    assert added(recorded, john.user.fullname) == (
        "1 sec successfully added for John Doe. 59 sec were not added: overlaps existing time."
    )
    assert [e.duration_seconds for e in recorded.entries] == [1]


async def test_saves_and_reports(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    john = await factory.person(space, firstname="John", lastname="Doe")
    recorded = await record(session, space, john, "2026-01-29T09:00", "2026-01-29T17:00")
    assert (recorded.requested_seconds, recorded.saved_minutes, recorded.reasons) == (28800, 480, [])
    assert added(recorded, john.user.fullname) == "8 hr successfully added for John Doe."
    [entry] = recorded.entries
    assert (
        entry.method == "time_request"
        and entry.duration_seconds == 8 * 3600
        and entry.created_by == space.owner.id
    )


async def test_a_running_timer_occupies_its_time_until_now(
    factory: Factory, session: AsyncSession, frozen_clock: Any
) -> None:
    now = utc("2026-01-29T12:00")
    frozen_clock(now)
    space = await factory.space()
    john = await factory.person(space)
    session.add(
        TimeEntry(workspace_id=space.id, user_id=john.id, start_at=now - timedelta(hours=1), method="tracked")
    )
    await session.commit()
    recorded = await record(session, space, john, now - timedelta(hours=3), now + timedelta(minutes=5))
    assert recorded.saved_minutes == 125 and recorded.reasons == ["overlaps existing time"]
    assert spans(recorded) == [
        ("2026-01-29T09:00", "2026-01-29T11:00"),
        ("2026-01-29T12:00", "2026-01-29T12:05"),
    ]


async def test_member_limit_counts_only_this_workspace(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    john = await factory.person(space, weekly_hours_limit=3)
    elsewhere = await factory.space()
    session.add(
        TimeEntry(
            workspace_id=elsewhere.id,
            user_id=john.id,
            start_at=utc("2026-01-27T09:00"),
            end_at=utc("2026-01-27T17:00"),
            duration_seconds=8 * 3600,
            method="manual",
        )
    )
    await session.commit()
    recorded = await record(session, space, john, "2026-01-29T09:00", "2026-01-29T17:00")
    assert recorded.saved_minutes == 180
    assert recorded.reasons == ["the member's weekly limit of 3 hr is reached"]


async def test_limit_is_checked_per_local_week(factory: Factory, session: AsyncSession) -> None:
    """Sunday 22:00 -> Monday 04:00 in New York: each week has its own 2 h budget."""
    space = await factory.space()
    john = await factory.person(space, timezone="America/New_York", weekly_hours_limit=2)
    # Sunday 2026-02-01 22:00 EST = 2026-02-02 03:00Z; Monday 04:00 EST = 09:00Z
    recorded = await record(session, space, john, "2026-02-02T03:00", "2026-02-02T09:00")
    # 2 h of each week, adjacent at the local week boundary (Monday 00:00 EST = 05:00Z): one entry
    assert spans(recorded) == [("2026-02-02T03:00", "2026-02-02T07:00")]
    assert recorded.saved_minutes == 240
    assert recorded.unsaved_seconds == 7200


async def test_two_free_parts_become_two_entries(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    john = await factory.person(space)
    await record(session, space, john, "2026-01-29T12:00", "2026-01-29T13:00")
    recorded = await record(session, space, john, "2026-01-29T09:00", "2026-01-29T17:00")
    assert spans(recorded) == [
        ("2026-01-29T09:00", "2026-01-29T12:00"),
        ("2026-01-29T13:00", "2026-01-29T17:00"),
    ]


async def test_nothing_saved_raises_with_the_reasons(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    john = await factory.person(space, weekly_hours_limit=1)
    await record(session, space, john, "2026-01-29T09:00", "2026-01-29T10:00")
    with pytest.raises(NothingSaved) as caught:
        await record(session, space, john, "2026-01-29T09:30", "2026-01-29T12:00")
    assert caught.value.reasons == ["overlaps existing time", "the member's weekly limit of 1 hr is reached"]
    assert caught.value.errors == {
        "end_time": [
            "The time overlaps existing entries; nothing was saved.",
            "The member's weekly limit of 1 hr is reached; nothing was saved.",
        ]
    }


async def test_locked_period_is_409(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    john = await factory.person(space)
    await factory.approved_timesheet(john, date(2026, 1, 26), date(2026, 2, 1))
    with pytest.raises(Conflict):
        await record(session, space, john, "2026-01-29T09:00", "2026-01-29T10:00")
    await record(session, space, john, "2026-02-02T09:00", "2026-02-02T10:00")


async def test_assignment_rules(factory: Factory, session: AsyncSession) -> None:
    space, john, project, contract, task = await factory.contracted_task()
    other_task = await factory.task(await factory.project(space))
    recorded = await record(
        session, space, john, "2026-01-29T09:00", "2026-01-29T10:00", contract=contract, task=task
    )
    assert recorded.entries[0].project_id == project.id and recorded.entries[0].task_id == task.id
    cases: list[dict[str, Any]] = [{"task": task}, {"contract": contract, "task": other_task}]
    for case in cases:
        with pytest.raises(ValidationFailed):
            await record(session, space, john, "2026-01-30T09:00", "2026-01-30T10:00", **case)
