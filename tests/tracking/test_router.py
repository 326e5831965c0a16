"""``/time-tracking`` through HTTP: start, stop (cut like manual time), current data."""

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

NOW = datetime(2026, 1, 28, 12, 0, tzinfo=UTC)  # a Wednesday noon: far from day and week boundaries


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    frozen_clock(NOW)


def start_body(space: Space, person: Person, **fields: Any) -> dict[str, Any]:
    return {"workspace_id": space.id, "user_id": person.id, **fields}


async def rows(session: AsyncSession, person: Person) -> list[TimeEntry]:
    stmt = select(TimeEntry).where(TimeEntry.user_id == person.id).order_by(TimeEntry.start_at)
    return list(await session.scalars(stmt.execution_options(populate_existing=True)))


async def add_finished(
    session: AsyncSession, space: Space, person: Person, start: datetime, end: datetime
) -> None:
    """A finished manual entry of ``person`` from ``start`` to ``end``."""
    seconds = int((end - start).total_seconds())
    session.add(
        TimeEntry(
            workspace_id=space.id,
            user_id=person.id,
            start_at=start,
            end_at=end,
            duration_seconds=seconds,
            method="manual",
        )
    )
    await session.commit()


async def backdate_timer(session: AsyncSession, person: Person, minutes: int) -> datetime:
    """Move the running timer's start ``minutes`` before :data:`NOW`."""
    [timer] = [e for e in await rows(session, person) if e.end_at is None]
    timer.start_at = NOW - timedelta(minutes=minutes)
    await session.commit()
    return timer.start_at


async def test_start_returns_the_timer_and_a_chat_message(factory: Factory, session: AsyncSession) -> None:
    space, john, project, contract, task = await factory.john_at_work()
    payload = start_body(
        space,
        john,
        contract_id=contract.id,
        task_id=task.id,
        activity_description="Working on feature implementation",
    )
    body = ok(await space.owner.api.post("/time-tracking/start", json=payload))
    data = body["data"]
    assert set(data) == {
        "start_time",
        "user_id",
        "user_name",
        "user_email",
        "contract_id",
        "project_id",
        "project_name",
        "task_id",
        "task_title",
        "activity_description",
    }
    assert (
        data["user_id"] == john.id
        and data["user_name"] == "John Doe"
        and data["user_email"] == john.user.email
    )
    assert (data["contract_id"], data["project_id"], data["task_id"]) == (contract.id, project.id, task.id)
    assert data["project_name"] == "Website Redesign" and data["task_title"] == "Update homepage design"
    assert data["start_time"] == "2026-01-28T12:00:00Z"
    assert body["message"] == (
        "John Doe started tracking at 12:00 (UTC) on Website Redesign / "
        "Update homepage design: Working on feature implementation"
    )
    [timer] = await rows(session, john)
    assert timer.end_at is None and timer.method == "tracked"


async def test_member_starts_own_timer_without_project(factory: Factory) -> None:
    space, john, *_ = await factory.john_at_work(timezone="Asia/Tokyo")
    body = ok(await john.api.post("/time-tracking/start", json=start_body(space, john)))
    assert body["data"]["project_id"] is None and body["data"]["contract_id"] is None
    assert "(Asia/Tokyo) without a project" in body["message"]


async def test_second_start_is_409_with_the_running_timer(factory: Factory) -> None:
    space, john, _, contract, _ = await factory.john_at_work()
    ok(await john.api.post("/time-tracking/start", json=start_body(space, john, contract_id=contract.id)))
    body = err(
        await john.api.post("/time-tracking/start", json=start_body(space, john)), 409, "timer_running"
    )
    assert body["message"] == "A timer is already running for this user; stop it first."
    assert body["data"]["contract_id"] == contract.id and body["data"]["user_id"] == john.id


async def test_permissions(factory: Factory) -> None:
    space, john, *_ = await factory.john_at_work()
    other = await factory.person(space)
    manager = await factory.person(space, Role.TEAM_MANAGER)
    err(await factory.anonymous.post("/time-tracking/start", json=start_body(space, john)), 401)
    err(await other.api.post("/time-tracking/start", json=start_body(space, john)), 403)
    err(await manager.api.post("/time-tracking/start", json=start_body(space, john)), 403)
    err(await other.api.post("/time-tracking/stop", json=start_body(space, john)), 403)
    err(await factory.anonymous.post("/time-tracking/stop", json=start_body(space, john)), 401)
    err(
        await factory.anonymous.get("/time-tracking/current-data", params={**space.ws, "user_id": john.id}),
        401,
    )
    err(await other.api.get("/time-tracking/current-data", params={**space.ws, "user_id": john.id}), 403)
    err(await manager.api.get("/time-tracking/current-data", params={**space.ws, "user_id": john.id}), 403)
    # an id that is nobody's here is refused like a member one may not see
    stranger = await factory.person(await factory.space())
    err(await other.api.get("/time-tracking/current-data", params={**space.ws, "user_id": stranger.id}), 403)
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    ok(await executive.api.post("/time-tracking/start", json=start_body(space, john)))
    ok(await executive.api.post("/time-tracking/stop", json=start_body(space, john)))


async def test_project_viewer_tracks_no_time(factory: Factory, session: AsyncSession) -> None:
    space, _john, project, *_ = await factory.john_at_work()
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    contract = await factory.contract(project, viewer)
    for body in (space.ws, start_body(space, viewer), start_body(space, viewer, contract_id=contract.id)):
        refused = err(await viewer.api.post("/time-tracking/start", json=body), 403, "forbidden")
        assert refused["message"] == "Project viewers may only read the projects assigned to them."
    assert await rows(session, viewer) == []
    err(await viewer.api.post("/time-tracking/stop", json=space.ws), 403, "forbidden")
    err(await viewer.api.get("/time-tracking/current-data", params=space.ws), 403, "forbidden")


async def test_manager_reads_current_data_of_team_member(factory: Factory) -> None:
    space, john, *_ = await factory.john_at_work()
    manager = await factory.person(space, Role.TEAM_MANAGER)
    await factory.team(space, members=[john], managers=[manager])
    ok(await john.api.post("/time-tracking/start", json=start_body(space, john, activity_description="x")))
    data = ok(await manager.api.get("/time-tracking/current-data", params={**space.ws, "user_id": john.id}))[
        "data"
    ]
    assert data["user_id"] == john.id and data["activity_description"] == "x"


async def test_validation(factory: Factory) -> None:
    space, john, _project, contract, task = await factory.john_at_work()
    api = space.owner.api
    errors = err(await api.post("/time-tracking/start", json={**space.ws, "user_id": "x"}), 422)["errors"]
    assert errors == {"user_id": ["The user id field must be an integer."]}
    err(await api.post("/time-tracking/start", json=start_body(space, john, task_id=task.id)), 422)
    stranger = await factory.person(await factory.space())
    err(await api.post("/time-tracking/start", json={"workspace_id": space.id, "user_id": stranger.id}), 422)
    other_project = await factory.project(space)
    other_task = await factory.task(other_project)
    body = err(
        await api.post(
            "/time-tracking/start",
            json=start_body(space, john, contract_id=contract.id, task_id=other_task.id),
        ),
        422,
    )
    assert "task_id" in body["errors"]
    paused = await factory.contract(other_project, await factory.person(space), status="paused")
    err(await api.post("/time-tracking/start", json=start_body(space, john, contract_id=paused.id)), 422)
    archived = await factory.project(space, status=0)
    archived_contract = await factory.contract(archived, john)
    body = err(
        await api.post(
            "/time-tracking/start", json=start_body(space, john, contract_id=archived_contract.id)
        ),
        422,
    )
    assert body["errors"] == {"contract_id": ["The contract's project is archived."]}
    long = "x" * 501
    err(await api.post("/time-tracking/start", json=start_body(space, john, activity_description=long)), 422)
    err(await api.get("/time-tracking/current-data", params={**space.ws, "user_id": "x"}), 422)


async def test_user_id_defaults_to_the_caller(factory: Factory) -> None:
    space, john, _project, contract, _task = await factory.john_at_work()
    started = ok(await john.api.post("/time-tracking/start", json={**space.ws, "contract_id": contract.id}))
    assert started["data"]["user_id"] == john.id
    current = ok(await john.api.get("/time-tracking/current-data", params=space.ws))["data"]
    assert current["user_id"] == john.id and current["contract_id"] == contract.id
    # The owner's own timer is not john's: nothing runs for them.
    assert ok(await space.owner.api.get("/time-tracking/current-data", params=space.ws))["data"] is None
    err(await space.owner.api.post("/time-tracking/stop", json=space.ws), 409, "timer_not_running")
    stopped = ok(await john.api.post("/time-tracking/stop", json=space.ws))
    assert stopped["data"]["user_id"] == john.id
    assert ok(await john.api.get("/time-tracking/current-data", params=space.ws))["data"] is None


async def test_cross_workspace_is_404(two_spaces: tuple[Space, Space], factory: Factory) -> None:
    a, b = two_spaces
    john = await factory.person(a)
    ok(await john.api.post("/time-tracking/start", json=start_body(a, john)))
    # b's owner naming a's member in b: not a member there
    err(await b.owner.api.post("/time-tracking/stop", json=start_body(b, john)), 422)
    err(await b.owner.api.get("/time-tracking/current-data", params={**b.ws, "user_id": john.id}), 422)
    # b's owner asking in a: not a member of a
    for call in (
        b.owner.api.post("/time-tracking/start", json=start_body(a, john)),
        b.owner.api.post("/time-tracking/stop", json=start_body(a, john)),
        b.owner.api.get("/time-tracking/current-data", params={**a.ws, "user_id": john.id}),
    ):
        err(await call, 404)


async def test_stop_saves_the_tracked_time(factory: Factory, session: AsyncSession) -> None:
    space, john, _project, contract, task = await factory.john_at_work()
    ok(
        await john.api.post(
            "/time-tracking/start", json=start_body(space, john, contract_id=contract.id, task_id=task.id)
        )
    )
    started = await backdate_timer(session, john, 90)
    body = ok(await john.api.post("/time-tracking/stop", json=start_body(space, john)))
    assert body["message"] == "Timer stopped successfully"
    data = body["data"]
    assert data["duration_minutes"] == 90 and data["saved_minutes"] == 90 and body["saved_minutes"] == 90
    assert data["start_time"] == started.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert data["project_name"] == "Website Redesign" and data["task_title"] == "Update homepage design"
    [entry] = await rows(session, john)
    assert entry.end_at is not None and entry.method == "tracked"
    assert 5400 <= (entry.duration_seconds or 0) < 5460
    assert str(entry.id) == data["time_entry_ids"][0]
    err(await john.api.post("/time-tracking/stop", json=start_body(space, john)), 409, "timer_not_running")


async def test_a_stop_under_a_minute_says_what_was_saved(
    factory: Factory, session: AsyncSession, frozen_clock: Any
) -> None:
    """A 6-second timer whose first 5 seconds overlap other time saves 1 second, and says so."""
    now = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)
    frozen_clock(now)
    space, john, *_ = await factory.john_at_work()
    ok(await john.api.post("/time-tracking/start", json=start_body(space, john)))
    [timer] = await rows(session, john)
    timer.start_at = now - timedelta(seconds=6)
    await add_finished(session, space, john, now - timedelta(hours=1), now - timedelta(seconds=1))
    body = ok(await john.api.post("/time-tracking/stop", json=start_body(space, john)))
    assert body["message"] == (
        "Timer stopped successfully. 1 sec successfully added for John Doe. "
        "5 sec were not added: overlaps existing time."
    )
    assert body["saved_minutes"] == 0 and body["data"]["duration_minutes"] == 0
    saved = [e for e in await rows(session, john) if e.method == "tracked"]
    assert [(e.start_at, e.duration_seconds) for e in saved] == [(now - timedelta(seconds=1), 1)]


async def test_a_timer_left_running_for_days_saves_its_first_24_hours(
    factory: Factory, session: AsyncSession, frozen_clock: Any
) -> None:
    now = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)
    frozen_clock(now)
    space, john, *_ = await factory.john_at_work()
    ok(await john.api.post("/time-tracking/start", json=start_body(space, john)))
    [timer] = await rows(session, john)
    timer.start_at = now - timedelta(days=3)
    await session.commit()
    body = ok(await john.api.post("/time-tracking/stop", json=start_body(space, john)))
    assert body["message"] == (
        "Timer stopped successfully. 24 hr successfully added for John Doe. "
        "48 hr were not added: a timer saves at most 24 hours."
    )
    assert body["saved_minutes"] == 1440 and body["data"]["duration_minutes"] == 3 * 1440
    [entry] = await rows(session, john)
    assert (entry.start_at, entry.end_at) == (now - timedelta(days=3), now - timedelta(days=2))


async def test_stop_is_cut_by_the_weekly_limit(factory: Factory, session: AsyncSession) -> None:
    space, john, _, contract, _ = await factory.john_at_work()
    contract.weekly_hours_limit = 1
    await session.commit()
    ok(await john.api.post("/time-tracking/start", json=start_body(space, john, contract_id=contract.id)))
    start = await backdate_timer(session, john, 180)
    body = ok(await john.api.post("/time-tracking/stop", json=start_body(space, john)))
    assert body["saved_minutes"] == 60
    assert body["message"] == (
        "Timer stopped successfully. 1 hr successfully added for John Doe. "
        "2 hr were not added: the contract's weekly limit of 1 hr is reached."
    )
    [entry] = await rows(session, john)
    assert (entry.start_at, entry.end_at) == (start, start + timedelta(hours=1))


async def test_stop_with_everything_overlapping_removes_the_timer(
    factory: Factory, session: AsyncSession
) -> None:
    space, john, *_ = await factory.john_at_work()
    ok(await john.api.post("/time-tracking/start", json=start_body(space, john)))
    start = await backdate_timer(session, john, 60)
    await add_finished(session, space, john, start - timedelta(hours=1), NOW + timedelta(hours=1))
    body = ok(await john.api.post("/time-tracking/stop", json=start_body(space, john)))
    assert body["message"] == "Timer stopped successfully. Nothing was saved: overlaps existing time."
    assert body["saved_minutes"] == 0 and body["data"]["time_entry_ids"] == []
    remaining = await rows(session, john)
    assert len(remaining) == 1 and remaining[0].method == "manual"


async def test_start_in_an_approved_period_is_409(factory: Factory, session: AsyncSession) -> None:
    space, john, *_ = await factory.john_at_work()
    today = NOW.date()
    await factory.approved_timesheet(john, today - timedelta(days=3), today + timedelta(days=3))
    err(await john.api.post("/time-tracking/start", json=start_body(space, john)), 409, "timesheet_locked")


async def test_current_data(factory: Factory, session: AsyncSession) -> None:
    space, john, _, contract, task = await factory.john_at_work()
    params = {**space.ws, "user_id": john.id}
    body = ok(await john.api.get("/time-tracking/current-data", params=params))
    assert body["data"] is None and body["message"] == "Current tracker data retrieved successfully"
    payload = start_body(space, john, contract_id=contract.id, task_id=task.id, activity_description="Coding")
    ok(await john.api.post("/time-tracking/start", json=payload))
    [timer] = await rows(session, john)
    # a running timer started 10 min 7 s ago, and 30 finished minutes earlier today
    timer.start_at = NOW - timedelta(minutes=10, seconds=7)
    earlier = timer.start_at - timedelta(minutes=40)
    await add_finished(session, space, john, earlier, earlier + timedelta(minutes=30))
    data = ok(await space.owner.api.get("/time-tracking/current-data", params=params))["data"]
    assert (
        data["contract_id"] == contract.id and data["task_id"] == task.id and data["task_title"] == task.title
    )
    assert data["activity_description"] == "Coding" and data["user_id"] == john.id
    assert data["date"] == "2026-01-28"
    assert data["total_minutes"] == 40 and data["total_seconds"] == 7
    assert set(data) == {
        "contract_id",
        "user_id",
        "activity_description",
        "task_id",
        "task_title",
        "total_seconds",
        "total_minutes",
        "date",
    }


async def test_current_data_counts_the_member_s_local_day_only(
    factory: Factory, session: AsyncSession, frozen_clock: Callable[[datetime], None]
) -> None:
    """Ten minutes past midnight in Tokyo: of a timer started an hour ago and an entry
    of yesterday evening, only today's ten minutes count, on today's date."""
    now = datetime(2026, 1, 28, 15, 10, tzinfo=UTC)  # 2026-01-29 00:10 in Tokyo
    frozen_clock(now)
    space, john, *_ = await factory.john_at_work(timezone="Asia/Tokyo")
    ok(await john.api.post("/time-tracking/start", json=start_body(space, john)))
    [timer] = await rows(session, john)
    timer.start_at = now - timedelta(hours=1, seconds=5)
    await add_finished(session, space, john, now - timedelta(hours=3), now - timedelta(hours=2))
    data = ok(await john.api.get("/time-tracking/current-data", params=space.ws))["data"]
    assert data["date"] == "2026-01-29"
    assert (data["total_minutes"], data["total_seconds"]) == (10, 5)


async def test_a_timer_whose_contract_was_paused_saves_nothing_and_says_why(
    factory: Factory, session: AsyncSession
) -> None:
    space, john, _, contract, _ = await factory.john_at_work()
    ok(await john.api.post("/time-tracking/start", json=start_body(space, john, contract_id=contract.id)))
    await backdate_timer(session, john, 30)
    contract.status = "paused"
    await session.commit()
    body = ok(await john.api.post("/time-tracking/stop", json=start_body(space, john)))
    assert body["message"] == "Timer stopped successfully. Nothing was saved: the contract is not active."
    assert body["saved_minutes"] == 0 and body["data"]["duration_minutes"] == 30
    assert body["data"]["project_name"] == "Website Redesign"
    assert await rows(session, john) == []
