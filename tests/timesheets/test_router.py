"""`/timesheets`: listing computed from time entries, and the submit/approve workflow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import (
    assert_page_bounds,
    assert_pagination,
    assert_query_count_flat,
    assert_query_rejected,
    err,
    ok,
)
from tests.factories import Factory, Person, QueryCounter, Space
from webwork.auth.roles import Role
from webwork.kit.errors import Conflict
from webwork.models import Contract, TimeEntry, Timesheet
from webwork.time_locks.service import ensure_unlocked
from webwork.timesheets.periods import TimesheetKey

NOW = datetime(2024, 1, 17, 10, 30, tzinfo=UTC)  # a Wednesday; its week is 2024-01-15..21
WEEK = {"date_from": "2024-01-15", "date_to": "2024-01-21"}


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    frozen_clock(NOW)


def at(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=UTC)


async def add_entry(
    factory: Factory, person: Person, start: datetime, end: datetime, contract: Contract | None = None
) -> TimeEntry:
    entry = TimeEntry(
        workspace_id=person.workspace_id,
        user_id=person.id,
        contract_id=contract.id if contract else None,
        project_id=contract.project_id if contract else None,
        start_at=start,
        end_at=end,
        duration_seconds=int((end - start).total_seconds()),
        method="manual",
        created_by=person.id,
    )
    factory.session.add(entry)
    await factory.session.commit()
    return entry


def tid(person: Person, date_from: str) -> str:
    return TimesheetKey(person.id, date.fromisoformat(date_from)).encode("webwork")


async def listing(person: Person, **params: Any) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = ok(
        await person.api.get("/timesheets", params={"workspace_id": person.workspace_id, **params})
    )["data"]
    return data


def of(items: list[dict[str, Any]], person: Person) -> dict[str, Any]:
    mine = [i for i in items if i["user_id"] == person.id]
    assert len(mine) == 1, items
    return mine[0]


async def act(actor: Person, timesheet_id: str, action: str, **body: Any) -> Any:
    return await actor.api.put(
        f"/timesheets/{timesheet_id}/{action}", json={"workspace_id": actor.workspace_id, **body}
    )


# --- listing -------------------------------------------------------------------------


async def test_list_defaults_to_the_current_period_with_exact_fields(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, firstname="John", lastname="Smith", email="john.smith@example.com")
    project = await factory.project(space, name="Website")
    contract = await factory.contract(project, member, rate=Decimal("50"))
    await add_entry(factory, member, at(15, 9), at(15, 17), contract)
    await add_entry(factory, member, at(8, 9), at(8, 10), contract)  # previous week: not counted

    body = ok(await space.owner.api.get("/timesheets", params=space.ws))
    assert body["message"] == "Timesheets retrieved successfully"
    assert {i["user_id"] for i in body["data"]} == {space.owner.id, member.id}
    item = of(body["data"], member)
    assert item == {
        "id": tid(member, "2024-01-15"),
        "status": "open",
        "user_id": member.id,
        "member": "John Smith",
        "user_name": "John Smith",
        "user_email": "john.smith@example.com",
        "date_from": "2024-01-15",
        "date_to": "2024-01-21",
        "total_minutes": 480,
        "submitted_on": None,
        "reject_reason": None,
        "daily_breakdown": {
            "2024-01-15": [
                {
                    "project_id": project.id,
                    "project_name": "Website",
                    "contract_id": contract.id,
                    "total_minutes": 480,
                    "total_amount": 400,
                }
            ]
        },
        "total_amount": 400,
    }
    owner_item = of(body["data"], space.owner)
    assert owner_item["total_minutes"] == 0 and owner_item["daily_breakdown"] == {}
    assert body["meta"]["pagination"]["total"] == 2


async def test_breakdown_splits_at_the_members_local_midnight(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, timezone="Europe/Berlin")
    project = await factory.project(space)
    contract = await factory.contract(project, member)
    # 22:00-02:00 Berlin time, Monday night.
    await add_entry(factory, member, at(15, 21), at(16, 1), contract)
    # Sunday 23:30 to Monday 01:30 Berlin time: 30 min in this week, 90 min in the next.
    await add_entry(factory, member, at(21, 22, 30), at(22, 0, 30))
    # Sunday 23:30 UTC of the previous week is Monday 00:30 in Berlin: this week.
    await add_entry(factory, member, at(14, 23, 30), at(15, 0, 0))

    items = await listing(space.owner, date_from="2024-01-15", date_to="2024-01-22", user_id=member.id)
    this_week, next_week = (
        next(i for i in items if i["date_from"] == d) for d in ("2024-01-15", "2024-01-22")
    )
    minutes = {
        day: [(r["project_id"], r["total_minutes"]) for r in rows]
        for day, rows in this_week["daily_breakdown"].items()
    }
    assert minutes == {
        "2024-01-15": [(None, 30), (project.id, 120)],
        "2024-01-16": [(project.id, 120)],
        "2024-01-21": [(None, 30)],
    }
    assert this_week["total_minutes"] == 300
    assert next_week["daily_breakdown"] == {
        "2024-01-22": [{"project_id": None, "project_name": None, "contract_id": None, "total_minutes": 90}]
    }
    assert next_week["total_minutes"] == 90 and next_week["total_amount"] == 0


async def test_running_timers_are_not_counted(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    factory.session.add(
        TimeEntry(workspace_id=space.id, user_id=member.id, start_at=at(16, 9), end_at=None, method="tracked")
    )
    await factory.session.commit()
    assert of(await listing(space.owner, **WEEK), member)["total_minutes"] == 0


async def test_total_amount_only_for_callers_who_may_see_the_rate(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, rate_status=0)
    seer = await factory.person(space, rate_status=1)
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    billable = await factory.project(space, name="Billable")
    internal = await factory.project(space, name="Internal", is_billable=False)
    unrated = await factory.project(space, name="Unrated")
    for person in (member, seer):
        await add_entry(
            factory,
            person,
            at(15, 9),
            at(15, 10, 30),
            await factory.contract(billable, person, rate=Decimal("40.50")),
        )
        await add_entry(
            factory,
            person,
            at(16, 9),
            at(16, 10),
            await factory.contract(internal, person, rate=Decimal("99")),
        )
        await add_entry(factory, person, at(17, 9), at(17, 10), await factory.contract(unrated, person))

    for admin in (space.owner, executive):
        item = of(await listing(admin, **WEEK), member)
        assert item["total_amount"] == 60.75
        assert item["daily_breakdown"]["2024-01-15"][0]["total_amount"] == 60.75
        assert "total_amount" not in item["daily_breakdown"]["2024-01-16"][0]
        assert "total_amount" not in item["daily_breakdown"]["2024-01-17"][0]

    own = of(await listing(member, **WEEK), member)
    assert "total_amount" not in own
    assert all("total_amount" not in r for rows in own["daily_breakdown"].values() for r in rows)

    seen = of(await listing(seer, **WEEK), seer)
    assert seen["total_amount"] == 60.75
    assert seen["daily_breakdown"]["2024-01-15"][0]["total_amount"] == 60.75


async def test_monthly_periods(factory: Factory) -> None:
    space = await factory.space(timesheet_period="monthly")
    member = await factory.person(space, timezone="America/New_York")
    # 2024-02-29 23:00 New York is 2024-03-01 04:00 UTC: February's last day.
    await add_entry(factory, member, at(1, 4, month=3), at(1, 6, month=3))
    items = await listing(space.owner, date_from="2024-02-10", user_id=member.id)
    assert [(i["date_from"], i["date_to"]) for i in items] == [("2024-02-01", "2024-02-29")]
    assert items[0]["daily_breakdown"] == {
        "2024-02-29": [{"project_id": None, "project_name": None, "contract_id": None, "total_minutes": 60}]
    }
    assert items[0]["id"] == tid(member, "2024-02-01")
    march = await listing(space.owner, date_from="2024-03-01", date_to="2024-03-31", user_id=member.id)
    assert march[0]["total_minutes"] == 60
    # The default is the month of "now".
    assert [i["date_from"] for i in await listing(member)] == ["2024-01-01"]


async def test_biweekly_periods(factory: Factory) -> None:
    space = await factory.space(timesheet_period="biweekly")
    member = await factory.person(space)
    await add_entry(factory, member, at(28, 9), at(28, 10))
    await add_entry(factory, member, at(29, 9), at(29, 11))
    items = await listing(space.owner, date_from="2024-01-20", date_to="2024-01-29", user_id=member.id)
    assert [(i["date_from"], i["date_to"], i["total_minutes"]) for i in items] == [
        ("2024-01-29", "2024-02-11", 120),
        ("2024-01-15", "2024-01-28", 60),
    ]
    assert [i["date_from"] for i in await listing(member)] == ["2024-01-15"]
    ok(await act(member, tid(member, "2024-01-15"), "submit"))
    err(await act(member, tid(member, "2024-01-22"), "submit"), 404, "not_found")


async def test_range_lists_every_overlapping_period_and_orders(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    params = {"date_from": "2024-01-03", "date_to": "2024-01-16", "user_id": member.id}
    desc = [i["date_from"] for i in await listing(space.owner, **params)]
    assert desc == ["2024-01-15", "2024-01-08", "2024-01-01"]
    asc = [i["date_from"] for i in await listing(space.owner, **params, order_by="asc")]
    assert asc == list(reversed(desc))
    only = await listing(space.owner, date_from="2024-01-10")
    assert {i["date_from"] for i in only} == {"2024-01-08"}


async def test_list_filters_status_user_and_id(factory: Factory) -> None:
    space = await factory.space()
    alice = await factory.person(space)
    bob = await factory.person(space)
    ok(await act(alice, tid(alice, "2024-01-15"), "submit"))

    submitted = await listing(space.owner, **WEEK, status="submitted")
    assert [i["user_id"] for i in submitted] == [alice.id]
    assert submitted[0]["submitted_on"] == "2024-01-17T10:30:00+00:00"
    assert [i["user_id"] for i in await listing(space.owner, **WEEK, status="pending")] == [alice.id]
    assert {i["user_id"] for i in await listing(space.owner, **WEEK, status="open")} == {
        space.owner.id,
        bob.id,
    }
    assert await listing(space.owner, **WEEK, status="approved") == []
    assert [i["user_id"] for i in await listing(space.owner, **WEEK, user_id=bob.id)] == [bob.id]

    by_id = await listing(space.owner, id=tid(bob, "2024-01-08"))
    assert [(i["user_id"], i["date_from"]) for i in by_id] == [(bob.id, "2024-01-08")]
    assert await listing(space.owner, id="nonsense") == []


async def test_decided_status_without_dates_lists_every_period(factory: Factory) -> None:
    """A manager's queue: `status=pending` alone finds submitted timesheets of past
    periods too, not only the current one; totals stay those of each period."""
    space = await factory.space()
    alice = await factory.person(space)
    bob = await factory.person(space)
    project = await factory.project(space)
    contract = await factory.contract(project, alice)
    await add_entry(factory, alice, at(2, 9), at(2, 11), contract)
    await add_entry(factory, alice, at(10, 9), at(10, 10), contract)
    for person, day in ((alice, "2024-01-01"), (alice, "2024-01-08"), (bob, "2024-01-15")):
        ok(await act(person, tid(person, day), "submit"))
    ok(await act(space.owner, tid(alice, "2024-01-08"), "approve"))

    pending = await listing(space.owner, status="pending")
    assert [(i["user_id"], i["date_from"], i["total_minutes"]) for i in pending] == [
        (bob.id, "2024-01-15", 0),
        (alice.id, "2024-01-01", 120),
    ]
    approved = await listing(space.owner, status="approved", order_by="asc")
    assert [(i["user_id"], i["date_from"], i["total_minutes"]) for i in approved] == [
        (alice.id, "2024-01-08", 60)
    ]
    assert [i["date_from"] for i in await listing(alice, status="submitted")] == ["2024-01-01"]
    assert await listing(space.owner, status="rejected") == []
    # With no status the default stays the current period.
    assert {i["date_from"] for i in await listing(space.owner)} == {"2024-01-15"}


async def test_archived_member_keeps_decided_timesheets_and_time(
    factory: Factory, session: AsyncSession
) -> None:
    space = await factory.space()
    gone = await factory.person(space)
    with_time = await factory.person(space)
    ok(await act(space.owner, tid(gone, "2024-01-15"), "submit"))
    await add_entry(factory, with_time, at(16, 9), at(16, 10))
    gone.membership.status = "inactive"
    with_time.membership.status = "inactive"
    await session.commit()
    items = await listing(space.owner, **WEEK)
    assert of(items, gone)["status"] == "submitted"
    assert of(items, with_time)["total_minutes"] == 60
    assert not await listing(space.owner, date_from="2024-02-05", user_id=gone.id)


async def test_list_validation(factory: Factory) -> None:
    space = await factory.space()
    cases = [
        ({"status": "done"}, "status"),
        ({"date_from": "2024-01-10", "date_to": "2024-01-09"}, "date_to"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"order_by": "sideways"}, "order_by"),
        ({"date_from": "2000-01-01", "date_to": "2024-01-01"}, "date_to"),
        ({"user_id": "x"}, "user_id"),
        ({"date_from": "9999-12-31"}, "date_from"),
        ({"date_from": "1899-12-31", "date_to": "1900-01-01"}, "date_from"),
    ]
    await assert_query_rejected(space.owner.api, "/timesheets", space.ws, cases)


async def test_visibility_of_lists(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    other = await factory.person(space)
    managed = await factory.person(space)
    pm, tm = await factory.managers(space, contracted=managed, teammate=other)

    assert {i["user_id"] for i in await listing(member, **WEEK)} == {member.id}
    assert {i["user_id"] for i in await listing(pm, **WEEK)} == {pm.id, managed.id}
    assert {i["user_id"] for i in await listing(tm, **WEEK)} == {tm.id, other.id}
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    everyone = {space.owner.id, member.id, other.id, managed.id, pm.id, tm.id}
    assert {i["user_id"] for i in await listing(space.owner, **WEEK)} == everyone
    err(await viewer.api.get("/timesheets", params={**space.ws, **WEEK}), 403, "forbidden")
    assert await listing(member, **WEEK, user_id=other.id) == []


async def test_pagination(factory: Factory) -> None:
    space = await factory.space()
    for _ in range(4):
        await factory.person(space)
    body = ok(await space.owner.api.get("/timesheets", params={**space.ws, **WEEK, "per_page": 2, "page": 2}))
    assert_pagination(body, current_page=2, last_page=3, per_page=2, total=5, first=3, last=4)
    await assert_page_bounds(space.owner.api, "/timesheets", {**space.ws, **WEEK}, past_page=9, total=5)


async def test_list_query_count_does_not_grow_with_page_size(
    factory: Factory, query_counter: QueryCounter
) -> None:
    space = await factory.space()
    project = await factory.project(space)
    for n in range(6):
        person = await factory.person(space, timezone="Asia/Tokyo" if n % 2 else "UTC")
        contract = await factory.contract(project, person, rate=Decimal("10"))
        await add_entry(factory, person, at(15, 9), at(15, 10), contract)
        await add_entry(factory, person, at(9, 9), at(9, 10))
        ok(await act(space.owner, tid(person, "2024-01-08"), "submit"))
    params = {**space.ws, "date_from": "2024-01-08", "date_to": "2024-01-21"}
    small, large = await assert_query_count_flat(space.owner.api, "/timesheets", params, query_counter)
    assert (len(small["data"]), len(large["data"])) == (2, 14)


# --- transitions -----------------------------------------------------------------------


async def test_submit_unsubmit_and_resubmit(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    member = await factory.person(space, firstname="John", lastname="Smith", email="js@example.com")
    timesheet = tid(member, "2024-01-15")
    body = ok(await act(member, timesheet, "submit"))
    assert body["message"] == "Timesheet submitted successfully"
    assert body["data"] == {
        "id": timesheet,
        "status": "submitted",
        "user_id": member.id,
        "user_name": "John Smith",
        "user_email": "js@example.com",
        "date_from": "2024-01-15",
        "date_to": "2024-01-21",
    }
    body = ok(await act(member, timesheet, "unsubmit"))
    assert body["message"] == "Timesheet unsubmitted successfully"
    assert body["data"]["status"] == "open"
    assert of(await listing(member, **WEEK), member)["submitted_on"] is None
    ok(await act(space.owner, timesheet, "submit"))
    rows = (await session.scalars(select(Timesheet).where(Timesheet.user_id == member.id))).all()
    assert len(rows) == 1 and rows[0].status == "submitted"


async def test_approve_message_is_exact(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    approver = await factory.person(space, Role.EXECUTIVE_MANAGER, firstname="Jane", lastname="Doe")
    member = await factory.person(space, firstname="John", lastname="Smith")
    timesheet = tid(member, "2024-01-01")
    ok(await act(member, timesheet, "submit"))
    body = ok(await act(approver, timesheet, "approve"))
    assert body["message"] == (
        "Timesheet approved by Jane Doe at 2024-01-17 10:30:00 | Member: John Smith"
        " | Period: 2024-01-01 to 2024-01-07"
    )
    assert body["data"]["status"] == "approved" and body["data"]["id"] == timesheet
    row = await session.scalar(select(Timesheet).where(Timesheet.user_id == member.id))
    assert row is not None and row.decided_by == approver.id


async def test_reject_message_reason_and_resubmit(factory: Factory) -> None:
    space = await factory.space()
    approver = await factory.person(space, Role.OWNER, firstname="Jane", lastname="Doe")
    member = await factory.person(space, firstname="John", lastname="Smith")
    timesheet = tid(member, "2024-01-15")
    ok(await act(member, timesheet, "submit"))
    body = ok(await act(approver, timesheet, "reject", reason="Please correct the hours for Monday"))
    assert body["message"] == (
        "Timesheet rejected by Jane Doe at 2024-01-17 10:30:00 | Member: John Smith"
        " | Period: 2024-01-15 to 2024-01-21 | Reason: Please correct the hours for Monday"
    )
    assert body["data"]["status"] == "rejected"
    item = of(await listing(member, **WEEK), member)
    assert item["status"] == "rejected" and item["reject_reason"] == "Please correct the hours for Monday"
    ok(await act(member, timesheet, "submit"))
    assert of(await listing(member, **WEEK), member)["reject_reason"] is None


async def test_reject_requires_a_reason(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    timesheet = tid(member, "2024-01-15")
    ok(await act(member, timesheet, "submit"))
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 1001}):
        response = err(await act(space.owner, timesheet, "reject", **body), 422, "validation_error")
        assert "reason" in response["errors"]
    assert err(await act(space.owner, timesheet, "reject"), 422)["errors"]["reason"] == [
        "The reason field is required."
    ]


async def test_reopen_unlocks_an_approved_timesheet(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    timesheet = tid(member, "2024-01-15")
    ok(await act(member, timesheet, "submit"))
    ok(await act(space.owner, timesheet, "approve"))
    body = ok(await act(space.owner, timesheet, "reopen"))
    assert body["message"] == "Timesheet reopened successfully" and body["data"]["status"] == "open"
    ok(await act(member, timesheet, "submit"))


STATES = {
    "open": [],
    "submitted": ["submit"],
    "approved": ["submit", "approve"],
    "rejected": ["submit", "reject"],
}
ALLOWED = {
    ("open", "submit"),
    ("submitted", "unsubmit"),
    ("submitted", "approve"),
    ("submitted", "reject"),
    ("rejected", "submit"),
    ("approved", "reopen"),
}


@pytest.mark.parametrize("state", list(STATES))
async def test_every_transition_from_each_state(factory: Factory, state: str) -> None:
    space = await factory.space()
    member = await factory.person(space)
    for action in ("submit", "unsubmit", "approve", "reject", "reopen"):
        timesheet = tid(member, "2024-01-15")
        for step in STATES[state]:
            ok(await act(space.owner, timesheet, step, reason="r"))
        response = await act(space.owner, timesheet, action, reason="Fix it")
        if (state, action) in ALLOWED:
            ok(response)
        else:
            body = err(response, 409, "invalid_transition")
            assert body["message"].startswith(f"The timesheet is {state}; it cannot be ")
        member = await factory.person(space)


async def test_who_may_act(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    colleague = await factory.person(space)
    pm, tm = await factory.managers(space, contracted=member, teammate=member)
    timesheet = tid(member, "2024-01-15")

    err(await act(colleague, timesheet, "submit"), 404, "not_found")  # not visible to them
    err(await act(pm, timesheet, "submit"), 403, "forbidden")
    ok(await act(member, timesheet, "submit"))
    err(await act(member, timesheet, "approve"), 403, "forbidden")
    err(await act(member, timesheet, "reject", reason="no"), 403, "forbidden")
    err(await act(colleague, timesheet, "approve"), 404, "not_found")
    ok(await act(pm, timesheet, "reject", reason="Fix Monday"))
    ok(await act(member, timesheet, "submit"))
    ok(await act(tm, timesheet, "approve"))
    err(await act(pm, timesheet, "reopen"), 403, "forbidden")
    err(await act(member, timesheet, "reopen"), 403, "forbidden")

    own = tid(pm, "2024-01-15")
    ok(await act(pm, own, "submit"))
    err(await act(pm, own, "approve"), 403, "forbidden")
    owners = tid(space.owner, "2024-01-15")
    ok(await act(space.owner, owners, "submit"))
    ok(await act(space.owner, owners, "approve"))


async def test_project_viewer_submits_nothing(factory: Factory) -> None:
    space = await factory.space()
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    for action in ("submit", "unsubmit"):
        refused = err(await act(viewer, tid(viewer, "2024-01-15"), action), 403, "forbidden")
        assert refused["message"] == "Project viewers may only read the projects assigned to them."
    assert await listing(space.owner, **WEEK, status="submitted") == []


async def test_team_manager_decides_on_no_one_of_an_equal_or_higher_role(factory: Factory) -> None:
    space = await factory.space()
    tm, executive, peer, member = await factory.ranked_team(space)
    for person in (executive, peer, member):
        await add_entry(factory, person, at(15, 9), at(15, 10))
        ok(await act(person, tid(person, "2024-01-15"), "submit"))
    for person in (executive, peer):
        err(await act(tm, tid(person, "2024-01-15"), "reject", reason="No"), 403, "forbidden")
        err(await act(tm, tid(person, "2024-01-15"), "approve"), 403, "forbidden")
    assert {i["user_id"] for i in await listing(space.owner, **WEEK, status="submitted")} == {
        executive.id,
        peer.id,
        member.id,
    }
    ok(await act(tm, tid(member, "2024-01-15"), "reject", reason="No"))


async def test_project_manager_decides_only_when_all_the_time_is_on_their_projects(
    factory: Factory,
) -> None:
    space = await factory.space()
    member = await factory.person(space)
    pm = await factory.person(space, Role.PROJECT_MANAGER)
    managed = await factory.contract(await factory.project(space, managers=[pm]), member)
    other = await factory.contract(await factory.project(space), member)
    weeks = {"2024-01-01": [other], "2024-01-08": [None], "2024-01-15": [managed]}
    weeks["2024-01-22"] = [managed, other]
    for week, contracts in weeks.items():
        day = date.fromisoformat(week).day
        for hour, contract in enumerate(contracts, start=9):
            await add_entry(factory, member, at(day, hour), at(day, hour, 30), contract)
        ok(await act(member, tid(member, week), "submit"))
    for week in ("2024-01-01", "2024-01-08", "2024-01-22"):
        err(await act(pm, tid(member, week), "approve"), 403, "forbidden")
        err(await act(pm, tid(member, week), "reject", reason="No"), 403, "forbidden")
    ok(await act(pm, tid(member, "2024-01-15"), "approve"))
    ok(await act(space.owner, tid(member, "2024-01-22"), "approve"))


ACTIONS = ("submit", "unsubmit", "approve", "reject", "reopen")


async def test_other_workspace_and_unknown_ids_are_404(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    member = await factory.person(a)
    timesheet = tid(member, "2024-01-15")
    for action in ACTIONS:
        err(await act(b.owner, timesheet, action, reason="x"), 404, "not_found")
        response = await b.owner.api.put(
            f"/timesheets/{timesheet}/{action}", json={"workspace_id": a.id, "reason": "x"}
        )
        err(response, 404, "not_found")
        far = TimesheetKey(member.id, date(3000, 1, 6)).encode("webwork")
        for bad in ("nonsense", tid(member, "2024-01-16"), far):
            err(await act(a.owner, bad, action, reason="x"), 404, "not_found")
    assert await listing(b.owner, **WEEK, user_id=member.id) == []
    assert await listing(b.owner, id=timesheet) == []
    err(await b.owner.api.get("/timesheets", params=a.ws), 404, "not_found")


async def test_unauthenticated(factory: Factory) -> None:
    space = await factory.space()
    err(await factory.anonymous.get("/timesheets", params=space.ws), 401)
    for action in ACTIONS:
        err(await factory.anonymous.put(f"/timesheets/x/{action}", json={**space.ws, "reason": "x"}), 401)


async def test_approved_period_locks_time(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    member = await factory.person(space, timezone="Europe/Berlin")
    timesheet = tid(member, "2024-01-15")
    ok(await act(member, timesheet, "submit"))
    ok(await act(space.owner, timesheet, "approve"))
    actor = space.actor()
    with pytest.raises(Conflict):
        await ensure_unlocked(session, actor, member.id, start=at(21, 22, 30), end=at(21, 23))
    # 23:30 UTC on Sunday is Monday in Berlin: the next (open) week.
    await ensure_unlocked(session, actor, member.id, start=at(21, 23, 30), end=at(22, 1))
    # Monday 00:00 in Berlin (Sunday 23:00 UTC) is the first instant after the span.
    await ensure_unlocked(session, actor, member.id, start=at(21, 23), end=at(21, 23))
    with pytest.raises(Conflict):
        await ensure_unlocked(session, actor, member.id, start=at(14, 23), end=at(14, 23))
    ok(await act(space.owner, timesheet, "reopen"))
    await ensure_unlocked(session, actor, member.id, start=at(16, 9), end=at(16, 10))


async def test_what_was_approved_stays_approved_whatever_the_member_s_timezone(
    factory: Factory, session: AsyncSession, frozen_clock: Callable[[datetime], None]
) -> None:
    """Approved at 150 min in UTC; the member then moves to Tokyo (UTC+9), where Sunday
    22:00 UTC is already Monday. The approved span, total and days stay as approved, and
    every write into the span stays refused."""
    frozen_clock(at(24, 12))  # the writes below are of the week after, in the past
    space = await factory.space()
    member = await factory.person(space)
    project = await factory.project(space, name="Website")
    contract = await factory.contract(project, member)
    await add_entry(factory, member, at(15, 9), at(15, 10, 30), contract)
    late = await add_entry(factory, member, at(21, 22), at(21, 23), contract)
    timesheet = tid(member, "2024-01-15")
    ok(await act(member, timesheet, "submit"))
    ok(await act(space.owner, timesheet, "approve"))
    approved = of(await listing(space.owner, **WEEK), member)
    assert approved["total_minutes"] == 150

    moved = await member.api.put(f"/members/{member.id}", params=space.ws, json={"timezone": "Asia/Tokyo"})
    assert ok(moved)["data"]["timezone"] == "Asia/Tokyo"

    after = of(await listing(space.owner, **WEEK), member)
    assert after == approved
    assert after["status"] == "approved" and sorted(after["daily_breakdown"]) == ["2024-01-15", "2024-01-21"]
    api, ws = space.owner.api, space.ws
    err(await api.put(f"/time-entries/{late.id}", json={**ws, "notes": "x"}), 409, "timesheet_locked")
    err(await api.delete(f"/time-entries/{late.id}", json=ws), 409, "timesheet_locked")
    # Monday 06:00..07:00 in Tokyo is Sunday 21:00..22:00 UTC: inside the approved span
    monday = {**ws, "user_id": member.id, "date": "2024-01-22", "start_time": "06:00", "end_time": "07:00"}
    err(await api.post("/time-entries", json=monday), 409, "timesheet_locked")
    asked = {**ws, "user_id": member.id, "start": "2024-01-21T21:00:00Z", "end": "2024-01-21T22:00:00Z"}
    request_id = ok(await member.api.post("/time-requests", json=asked), 201)["data"]["id"]
    err(await api.post(f"/time-requests/{request_id}/approve", json=ws), 409, "timesheet_locked")
    # Monday 09:00 in Tokyo is 00:00 UTC: after the span, free
    ok(await api.post("/time-entries", json={**monday, "start_time": "09:00", "end_time": "10:00"}), 201)
    assert of(await listing(space.owner, **WEEK), member)["total_minutes"] == 150

    row = await session.scalar(
        select(Timesheet).where(Timesheet.user_id == member.id).execution_options(populate_existing=True)
    )
    assert row is not None
    assert (row.locked_from, row.locked_until, row.approved_timezone, row.approved_minutes) == (
        at(15, 0),
        at(22, 0),
        "UTC",
        150,
    )
    ok(await act(space.owner, timesheet, "reopen"))
    # reopened, the period is the member's week again, read in Tokyo
    assert of(await listing(space.owner, **WEEK), member)["total_minutes"] == 90


async def test_a_timer_inside_an_approved_period_stays_locked_after_a_timezone_change(
    factory: Factory, frozen_clock: Any
) -> None:
    frozen_clock(at(21, 21))  # Sunday 21:00 UTC, Monday 06:00 in Tokyo
    space = await factory.space()
    member = await factory.person(space)
    body = {**space.ws, "user_id": member.id}
    ok(await member.api.post("/time-tracking/start", json=body))
    timesheet = tid(member, "2024-01-15")
    ok(await act(member, timesheet, "submit"))
    ok(await act(space.owner, timesheet, "approve"))
    ok(await member.api.put(f"/members/{member.id}", params=space.ws, json={"timezone": "Asia/Tokyo"}))
    frozen_clock(at(21, 21, 30))
    err(await member.api.post("/time-tracking/stop", json=body), 409, "timesheet_locked")


# --- periods beside an approved one ------------------------------------------------------

AUTUMN = {"date_from": "2026-10-19", "date_to": "2026-11-01"}  # two weeks: 10-19..25 and 10-26..11-01


async def approved_week_then_moved(
    factory: Factory, frozen_clock: Callable[[datetime], None], timezone: str
) -> tuple[Space, Person]:
    """A member in UTC with an hour on Sunday 2026-10-25 (20:00..21:00) and one on Monday
    2026-10-26 (01:00..02:00); the week of 2026-10-19 approved at 60 min; then the
    member's timezone changed to ``timezone``."""
    frozen_clock(datetime(2026, 11, 10, 12, tzinfo=UTC))
    space = await factory.space()
    member = await factory.person(space)
    hour = {**space.ws, "user_id": member.id}
    for day, start, end in (("2026-10-25", "20:00", "21:00"), ("2026-10-26", "01:00", "02:00")):
        added = await space.owner.api.post(
            "/time-entries", json={**hour, "date": day, "start_time": start, "end_time": end}
        )
        ok(added, 201)
    ok(await act(member, tid(member, "2026-10-19"), "submit"))
    ok(await act(space.owner, tid(member, "2026-10-19"), "approve"))
    moved = await member.api.put(f"/members/{member.id}", params=space.ws, json={"timezone": timezone})
    assert ok(moved)["data"]["timezone"] == timezone
    return space, member


def minutes_by_week(items: list[dict[str, Any]]) -> dict[str, tuple[str, int]]:
    return {i["date_from"]: (i["status"], i["total_minutes"]) for i in items}


async def locked_span(session: AsyncSession, person: Person, date_from: str) -> tuple[Any, ...]:
    row = await session.scalar(
        select(Timesheet)
        .where(Timesheet.user_id == person.id, Timesheet.date_from == date.fromisoformat(date_from))
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row.locked_from, row.locked_until, row.approved_minutes


async def test_an_open_week_starts_where_the_approved_one_before_it_ends_kiritimati(
    factory: Factory, session: AsyncSession, frozen_clock: Callable[[datetime], None]
) -> None:
    """In Kiritimati (UTC+14) the week of 10-26 starts on 10-25 at 10:00 UTC, inside the
    week approved in UTC: that overlap stays the approved week's, so the open week holds
    only the Monday hour, and approving it approves that hour alone."""
    space, member = await approved_week_then_moved(factory, frozen_clock, "Pacific/Kiritimati")
    items = await listing(space.owner, **AUTUMN, user_id=member.id)
    assert minutes_by_week(items) == {"2026-10-19": ("approved", 60), "2026-10-26": ("open", 60)}
    # 01:00 UTC on Monday is 15:00 on Monday in Kiritimati
    week = next(i for i in items if i["date_from"] == "2026-10-26")
    assert {day: [r["total_minutes"] for r in rows] for day, rows in week["daily_breakdown"].items()} == {
        "2026-10-26": [60]
    }

    ok(await act(member, tid(member, "2026-10-26"), "submit"))
    ok(await act(space.owner, tid(member, "2026-10-26"), "approve"))
    items = await listing(space.owner, **AUTUMN, user_id=member.id)
    assert minutes_by_week(items) == {"2026-10-19": ("approved", 60), "2026-10-26": ("approved", 60)}
    assert sum(i["total_minutes"] for i in items) == 120
    assert await locked_span(session, member, "2026-10-26") == (
        datetime(2026, 10, 26, tzinfo=UTC),  # where the week before was locked until
        datetime(2026, 11, 1, 10, tzinfo=UTC),  # 11-02 00:00 in Kiritimati
        60,
    )


async def test_an_open_week_covers_the_gap_the_approved_one_before_it_left_pago_pago(
    factory: Factory, session: AsyncSession, frozen_clock: Callable[[datetime], None]
) -> None:
    """In Pago Pago (UTC-11) the week of 10-26 starts on 10-26 at 11:00 UTC, eleven hours
    after the week approved in UTC ends: those hours are the open week's, the Monday hour
    and any new time in them included, until that week is approved too."""
    space, member = await approved_week_then_moved(factory, frozen_clock, "Pacific/Pago_Pago")
    items = await listing(space.owner, **AUTUMN, user_id=member.id)
    assert minutes_by_week(items) == {"2026-10-19": ("approved", 60), "2026-10-26": ("open", 60)}

    # Sunday 15:00..16:00 in Pago Pago: Monday 02:00..03:00 UTC, in the gap
    gap = {**space.ws, "user_id": member.id, "date": "2026-10-25", "start_time": "15:00", "end_time": "16:00"}
    ok(await space.owner.api.post("/time-entries", json=gap), 201)
    items = await listing(space.owner, **AUTUMN, user_id=member.id)
    assert minutes_by_week(items) == {"2026-10-19": ("approved", 60), "2026-10-26": ("open", 120)}
    week = next(i for i in items if i["date_from"] == "2026-10-26")
    # the gap's time lies before the week's first local day: it is shown on that day
    assert {day: [r["total_minutes"] for r in rows] for day, rows in week["daily_breakdown"].items()} == {
        "2026-10-26": [120]
    }

    ok(await act(member, tid(member, "2026-10-26"), "submit"))
    ok(await act(space.owner, tid(member, "2026-10-26"), "approve"))
    items = await listing(space.owner, **AUTUMN, user_id=member.id)
    assert minutes_by_week(items) == {"2026-10-19": ("approved", 60), "2026-10-26": ("approved", 120)}
    assert await locked_span(session, member, "2026-10-26") == (
        datetime(2026, 10, 26, tzinfo=UTC),
        datetime(2026, 11, 2, 11, tzinfo=UTC),
        120,
    )
    # the gap is now the approved week's: locked
    later = {**gap, "start_time": "17:00", "end_time": "18:00"}
    err(await space.owner.api.post("/time-entries", json=later), 409, "timesheet_locked")


async def test_an_open_week_ends_where_the_approved_one_after_it_starts(
    factory: Factory, session: AsyncSession, frozen_clock: Callable[[datetime], None]
) -> None:
    """The week after is approved in UTC, the member moves to Pago Pago (UTC-11): the
    open week before it ends where the approved one starts (10-26 00:00 UTC), not at
    11:00 UTC, which would count the Monday hour twice; approving it fixes that end."""
    frozen_clock(datetime(2026, 11, 10, 12, tzinfo=UTC))
    space = await factory.space()
    member = await factory.person(space)
    hour = {
        **space.ws,
        "user_id": member.id,
        "date": "2026-10-26",
        "start_time": "01:00",
        "end_time": "02:00",
    }
    ok(await space.owner.api.post("/time-entries", json=hour), 201)
    ok(await act(member, tid(member, "2026-10-26"), "submit"))
    ok(await act(space.owner, tid(member, "2026-10-26"), "approve"))
    ok(await member.api.put(f"/members/{member.id}", params=space.ws, json={"timezone": "Pacific/Pago_Pago"}))

    items = await listing(space.owner, **AUTUMN, user_id=member.id)
    assert minutes_by_week(items) == {"2026-10-19": ("open", 0), "2026-10-26": ("approved", 60)}
    ok(await act(member, tid(member, "2026-10-19"), "submit"))
    ok(await act(space.owner, tid(member, "2026-10-19"), "approve"))
    items = await listing(space.owner, **AUTUMN, user_id=member.id)
    assert minutes_by_week(items) == {"2026-10-19": ("approved", 0), "2026-10-26": ("approved", 60)}
    assert await locked_span(session, member, "2026-10-19") == (
        datetime(2026, 10, 19, 11, tzinfo=UTC),
        datetime(2026, 10, 26, tzinfo=UTC),
        0,
    )


async def test_a_project_manager_s_reach_covers_the_gap_an_approved_week_left(
    factory: Factory, frozen_clock: Callable[[datetime], None]
) -> None:
    """The open week holds the time of the gap an approved week left, so a project
    manager decides on it only if that time too is on their projects."""
    frozen_clock(datetime(2026, 11, 10, 12, tzinfo=UTC))
    space = await factory.space()
    member = await factory.person(space)
    pm = await factory.person(space, Role.PROJECT_MANAGER)
    managed = await factory.contract(await factory.project(space, managers=[pm]), member)
    other = await factory.contract(await factory.project(space), member)
    hour = {
        **space.ws,
        "user_id": member.id,
        "date": "2026-10-26",
        "start_time": "12:00",
        "end_time": "13:00",
    }
    ok(await space.owner.api.post("/time-entries", json={**hour, "contract_id": managed.id}), 201)
    ok(await act(member, tid(member, "2026-10-19"), "submit"))
    ok(await act(space.owner, tid(member, "2026-10-19"), "approve"))
    ok(await member.api.put(f"/members/{member.id}", params=space.ws, json={"timezone": "Pacific/Pago_Pago"}))
    # Sunday 15:00..16:00 in Pago Pago (Monday 02:00 UTC): in the gap, on another project
    gap = {**hour, "date": "2026-10-25", "start_time": "15:00", "end_time": "16:00", "contract_id": other.id}
    ok(await space.owner.api.post("/time-entries", json=gap), 201)
    week = tid(member, "2026-10-26")
    ok(await act(member, week, "submit"))
    err(await act(pm, week, "approve"), 403, "forbidden")

    listed = ok(
        await space.owner.api.get(
            "/time-entries", params={**space.ws, "user_id": member.id, "date": "2026-10-25"}
        )
    )["data"]
    (gap_entry,) = [e for e in listed if e["contract_id"] == other.id]
    ok(await space.owner.api.delete(f"/time-entries/{gap_entry['id']}", json=space.ws))
    ok(await act(pm, week, "approve"))
