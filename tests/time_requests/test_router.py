"""`/time-requests`: members ask for manual time; managers approve (recording it through
the same rules as manual entries) or reject it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
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
from webwork.models import TimeEntry, TimeRequest
from webwork.time_entries.splitter import OVERLAP_REASON
from webwork.timesheets.periods import TimesheetKey

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # after every recorded instant below


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    """Every recording reads now (nothing may end in the future): it is this, not the wall clock."""
    frozen_clock(NOW)


JAN_15 = {"date_from": "2024-01-15", "date_to": "2024-01-15"}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, minute, tzinfo=UTC)


async def ask(actor: Person, **fields: Any) -> httpx.Response:
    body = {
        "workspace_id": actor.workspace_id,
        "user_id": actor.id,
        "start": "2024-01-15T09:00:00+00:00",
        "end": "2024-01-15T11:00:00+00:00",
        **fields,
    }
    return await actor.api.post("/time-requests", json=body)


async def asked(actor: Person, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = ok(await ask(actor, **fields), 201)["data"]
    return data


async def approve(actor: Person, request_id: str) -> httpx.Response:
    return await actor.api.post(
        f"/time-requests/{request_id}/approve", json={"workspace_id": actor.workspace_id}
    )


async def reject(actor: Person, request_id: str, **body: Any) -> httpx.Response:
    return await actor.api.post(
        f"/time-requests/{request_id}/reject", json={"workspace_id": actor.workspace_id, **body}
    )


async def listing(actor: Person, **params: Any) -> list[dict[str, Any]]:
    response = await actor.api.get("/time-requests", params={"workspace_id": actor.workspace_id, **params})
    data: list[dict[str, Any]] = ok(response)["data"]
    return data


async def add_entry(factory: Factory, person: Person, start: datetime, end: datetime) -> None:
    factory.session.add(
        TimeEntry(
            workspace_id=person.workspace_id,
            user_id=person.id,
            start_at=start,
            end_at=end,
            duration_seconds=int((end - start).total_seconds()),
            method="manual",
        )
    )
    await factory.session.commit()


# --- create ----------------------------------------------------------------------------


async def test_member_requests_time_for_themselves(factory: Factory) -> None:
    _space, member, project, contract, task = await factory.contracted_task()
    body = ok(
        await ask(
            member,
            contract_id=contract.id,
            task_id=task.id,
            start="2024-01-15T11:00:00+02:00",
            end="2024-01-15T12:30:00+02:00",
            activity_description="Forgot to start the timer",
        ),
        201,
    )
    assert body["message"] == "Time request created successfully"
    data = body["data"]
    assert str(uuid.UUID(data["id"])) == data["id"]
    assert data == {
        "id": data["id"],
        "user_id": member.id,
        "contract_id": contract.id,
        "project_id": project.id,
        "task_id": task.id,
        "start": "2024-01-15T09:00:00+00:00",
        "end": "2024-01-15T10:30:00+00:00",
        "duration_minutes": 90,
        "activity_description": "Forgot to start the timer",
        "status": "pending",
        "comment": None,
        "updated_by": None,
        "saved_minutes": None,
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
    }
    assert data["created_at"].endswith("+00:00")


async def test_notes_is_an_alias_and_owner_may_ask_for_anyone(
    factory: Factory, session: AsyncSession
) -> None:
    space = await factory.space()
    member = await factory.person(space)
    data = await asked(space.owner, user_id=member.id, notes="Client call", start="2024-01-15T09:00:00Z")
    assert data["user_id"] == member.id and data["activity_description"] == "Client call"
    assert data["contract_id"] is None and data["project_id"] is None
    row = await session.get(TimeRequest, uuid.UUID(data["id"]))
    assert row is not None and row.created_by == space.owner.id


async def test_only_admins_ask_for_others(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    other = await factory.person(space)
    pm = await factory.person(space, Role.PROJECT_MANAGER)
    await factory.contract(await factory.project(space, managers=[pm]), other)
    err(await ask(member, user_id=other.id), 403, "forbidden")
    err(await ask(pm, user_id=other.id), 403, "forbidden")
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    ok(await ask(executive, user_id=other.id), 201)


async def test_create_validation(factory: Factory, two_spaces: tuple[Space, Space]) -> None:
    a, b = two_spaces
    member = await factory.person(a)
    other = await factory.person(a)
    inactive = await factory.person(a, status="inactive")
    project = await factory.project(a)
    contract = await factory.contract(project, member)
    others_contract = await factory.contract(project, other)
    paused = await factory.contract(await factory.project(a), member, status="paused")
    archived = await factory.contract(await factory.project(a, status=0), member)
    foreign = await factory.contract(await factory.project(b), b.owner)
    foreign_task = await factory.task(await factory.project(a))
    task = await factory.task(project)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"start": None}, "start"),
        ({"end": "soon"}, "end"),
        ({"end": "2024-01-15T09:00:00+00:00"}, "end"),
        ({"end": "2024-01-15T08:00:00+00:00"}, "end"),
        ({"start": "2024-01-15T09:00:00"}, "start"),
        ({"start": "0001-01-01T00:00:00+05:00"}, "start"),
        ({"end": "9999-12-31T23:59:59-05:00"}, "end"),
        ({"activity_description": "x" * 501}, "activity_description"),
        ({"notes": "x" * 501}, "notes"),
        ({"contract_id": others_contract.id}, "contract_id"),
        ({"contract_id": paused.id}, "contract_id"),
        ({"contract_id": archived.id}, "contract_id"),
        ({"contract_id": foreign.id}, "contract_id"),
        ({"contract_id": 999_999}, "contract_id"),
        ({"task_id": task.id}, "task_id"),
        ({"contract_id": contract.id, "task_id": foreign_task.id}, "task_id"),
        ({"contract_id": contract.id, "task_id": 999_999}, "task_id"),
    ]
    for fields, field in cases:
        body = err(await ask(member, **fields), 422, "validation_error")
        assert field in body["errors"], (fields, body)
    body = err(await member.api.post("/time-requests", json=a.ws), 422)
    assert {"user_id", "start", "end"} <= set(body["errors"])
    assert body["errors"]["start"] == ["The start field is required."]
    for user_id in (inactive.id, b.owner.id, 999_999):
        body = err(await ask(a.owner, user_id=user_id), 422)
        assert body["errors"] == {"user_id": ["The selected user id is invalid."]}


async def test_one_request_covers_at_most_24_hours_of_the_past(factory: Factory, frozen_clock: Any) -> None:
    frozen_clock(datetime(2024, 1, 20, 12, 0, tzinfo=UTC))
    space = await factory.space()
    member = await factory.person(space)
    cases: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
        (
            {"start": "1970-01-01T00:00:00Z", "end": "2999-12-31T00:00:00Z"},
            {
                "start": ["The start must be between 2000-01-01 and 2099-12-31."],
                "end": ["The end must be between 2000-01-01 and 2099-12-31."],
            },
        ),
        (
            {"start": "2024-01-15T09:00:00Z", "end": "2024-01-16T09:00:01Z"},
            {"end": ["The end must be at most 24 hours after the start."]},
        ),
        (
            {"start": "2024-01-20T11:00:00Z", "end": "2024-01-20T12:06:00Z"},
            {"end": ["The end must not be in the future."]},
        ),
        (
            {"start": "2030-01-01T09:00:00Z", "end": "2030-01-01T10:00:00Z"},
            {"end": ["The end must not be in the future."]},
        ),
    ]
    for fields, errors in cases:
        assert err(await ask(member, **fields), 422)["errors"] == errors, fields
    ok(await ask(member, start="2024-01-15T09:00:00Z", end="2024-01-16T09:00:00Z"), 201)
    ok(await ask(member, start="2024-01-20T11:00:00Z", end="2024-01-20T12:05:00Z"), 201)


async def test_a_stored_request_beyond_the_bounds_is_not_approved(
    factory: Factory, session: AsyncSession
) -> None:
    """A request stored before the bounds existed (1970..2999) is refused at approval,
    before any time is computed, and stays pending."""
    space = await factory.space()
    member = await factory.person(space, weekly_hours_limit=Decimal("40"))
    request = TimeRequest(
        workspace_id=space.id,
        user_id=member.id,
        start_at=datetime(1970, 1, 1, tzinfo=UTC),
        end_at=datetime(2999, 12, 31, tzinfo=UTC),
        status="pending",
    )
    session.add(request)
    await session.commit()
    body = err(await approve(space.owner, str(request.id)), 422)
    assert body["errors"] == {"start": ["The start must be on or after 2000-01-01."]}
    request.start_at = datetime(2024, 1, 1, tzinfo=UTC)
    await session.commit()
    body = err(await approve(space.owner, str(request.id)), 422)
    assert body["errors"] == {"end": ["The end must be at most 24 hours after the start."]}
    assert (await listing(space.owner, date_from="2024-01-01", date_to="2024-01-01"))[0][
        "status"
    ] == "pending"
    assert (await session.scalars(select(TimeEntry).where(TimeEntry.user_id == member.id))).all() == []


# --- read ------------------------------------------------------------------------------


async def test_get_one(factory: Factory, two_spaces: tuple[Space, Space]) -> None:
    a, b = two_spaces
    member = await factory.person(a)
    colleague = await factory.person(a)
    created = await asked(member)
    body = ok(await member.api.get(f"/time-requests/{created['id']}", params=a.ws))
    assert body["message"] == "Time request retrieved successfully" and body["data"] == created
    ok(await a.owner.api.get(f"/time-requests/{created['id']}", params=a.ws))
    err(await colleague.api.get(f"/time-requests/{created['id']}", params=a.ws), 404, "not_found")
    err(await b.owner.api.get(f"/time-requests/{created['id']}", params=b.ws), 404, "not_found")
    err(await b.owner.api.get(f"/time-requests/{created['id']}", params=a.ws), 404, "not_found")
    err(await a.owner.api.get("/time-requests/not-a-uuid", params=a.ws), 404, "not_found")
    err(await a.owner.api.get(f"/time-requests/{uuid.uuid4()}", params=a.ws), 404, "not_found")


async def test_list_by_date_status_and_user(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    other = await factory.person(space)
    early = await asked(member, start="2024-01-14T23:59:00+00:00", end="2024-01-15T01:00:00+00:00")
    first = await asked(member, start="2024-01-15T00:00:00+00:00", end="2024-01-15T00:30:00+00:00")
    # 23:30 on the 15th in UTC, although it is already the 16th in Berlin.
    late = await asked(member, start="2024-01-16T00:30:00+01:00", end="2024-01-16T02:00:00+01:00")
    theirs = await asked(other, start="2024-01-16T09:00:00+00:00", end="2024-01-16T10:00:00+00:00")
    ok(await reject(space.owner, late["id"], comment="No"))

    body = ok(await space.owner.api.get("/time-requests", params={**space.ws, **JAN_15}))
    assert body["message"] == "Time requests retrieved successfully"
    assert [r["id"] for r in body["data"]] == [late["id"], first["id"]]
    both_days = await listing(space.owner, date_from="2024-01-14", date_to="2024-01-16")
    assert {r["id"] for r in both_days} == {early["id"], first["id"], late["id"], theirs["id"]}
    assert [r["id"] for r in await listing(space.owner, **JAN_15, status="rejected")] == [late["id"]]
    assert [r["id"] for r in await listing(space.owner, **JAN_15, status="pending")] == [first["id"]]
    assert await listing(space.owner, **JAN_15, status="approved") == []
    mine = await listing(space.owner, date_from="2024-01-14", date_to="2024-01-16", user_id=other.id)
    assert [r["id"] for r in mine] == [theirs["id"]]


async def test_list_validation(factory: Factory) -> None:
    space = await factory.space()
    cases = [
        ({"date_to": "2024-01-15"}, "date_from"),
        ({"date_from": "2024-01-15"}, "date_to"),
        ({"date_from": "2024-01-16", "date_to": "2024-01-15"}, "date_to"),
        ({**JAN_15, "status": "done"}, "status"),
        ({"date_from": "15/01/2024", "date_to": "2024-01-15"}, "date_from"),
        ({"date_from": "2024-01-15", "date_to": "9999-12-31"}, "date_to"),
    ]
    await assert_query_rejected(space.owner.api, "/time-requests", space.ws, cases)


async def test_list_visibility(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    managed = await factory.person(space)
    teammate = await factory.person(space)
    pm, tm = await factory.managers(space, contracted=managed, teammate=teammate)
    owners = {p.id: (await asked(p))["id"] for p in (member, managed, teammate, pm, tm, space.owner)}

    def ids(*people: Person) -> set[str]:
        return {owners[p.id] for p in people}

    assert {r["id"] for r in await listing(member, **JAN_15)} == ids(member)
    assert {r["id"] for r in await listing(pm, **JAN_15)} == ids(pm, managed)
    assert {r["id"] for r in await listing(tm, **JAN_15)} == ids(tm, teammate)
    assert {r["id"] for r in await listing(space.owner, **JAN_15)} == set(owners.values())


async def test_pagination_and_query_count(factory: Factory, query_counter: QueryCounter) -> None:
    space = await factory.space()
    for hour in range(6):
        await asked(space.owner, start=f"2024-01-15T0{hour}:00:00Z", end=f"2024-01-15T0{hour}:30:00Z")
    params = {**space.ws, **JAN_15}
    body = ok(await space.owner.api.get("/time-requests", params={**params, "per_page": 4, "page": 2}))
    assert_pagination(body, current_page=2, last_page=2, per_page=4, total=6, first=5, last=6)
    await assert_page_bounds(space.owner.api, "/time-requests", params, past_page=3, total=6)
    await assert_query_count_flat(space.owner.api, "/time-requests", params, query_counter)


# --- approve ---------------------------------------------------------------------------


async def test_approve_records_the_time(factory: Factory, session: AsyncSession) -> None:
    space, member, project, contract, task = await factory.contracted_task()
    created = await asked(member, contract_id=contract.id, task_id=task.id, notes="Release")
    body = ok(await approve(space.owner, created["id"]))
    assert body["message"] == "Time request approved successfully"
    assert body["saved_minutes"] == 120
    data = body["data"]
    assert data["status"] == "approved" and data["updated_by"] == space.owner.id
    assert data["saved_minutes"] == 120 and data["id"] == created["id"]
    entries = (await session.scalars(select(TimeEntry).where(TimeEntry.user_id == member.id))).all()
    assert [(e.start_at, e.end_at, e.method, e.created_by) for e in entries] == [
        (at(15, 9), at(15, 11), "time_request", space.owner.id)
    ]
    entry = entries[0]
    assert (entry.contract_id, entry.project_id, entry.task_id, entry.activity_description) == (
        contract.id,
        project.id,
        task.id,
        "Release",
    )
    got = ok(await member.api.get(f"/time-requests/{created['id']}", params=space.ws))["data"]
    assert got["status"] == "approved" and got["saved_minutes"] == 120


async def test_partial_approval_says_what_was_saved(factory: Factory) -> None:
    """A partial save is worded as a manual entry's and a stopped timer's are."""
    space = await factory.space()
    member = await factory.person(space, firstname="John", lastname="Doe")
    await add_entry(factory, member, at(15, 10, 30), at(15, 12))
    created = await asked(member)
    body = ok(await approve(space.owner, created["id"]))
    assert body["saved_minutes"] == 90 and body["data"]["saved_minutes"] == 90
    assert body["message"] == (
        "Time request approved successfully. 1 hr 30 min successfully added for John Doe. "
        f"30 min were not added: {OVERLAP_REASON}."
    )


async def test_a_part_minute_approval_says_what_was_saved(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, firstname="John", lastname="Doe")
    await add_entry(factory, member, at(15, 9), datetime(2024, 1, 15, 9, 0, 30, tzinfo=UTC))
    created = await asked(member, end="2024-01-15T09:01:00+00:00")
    body = ok(await approve(space.owner, created["id"]))
    assert body["message"] == (
        "Time request approved successfully. 30 sec successfully added for John Doe. "
        f"30 sec were not added: {OVERLAP_REASON}."
    )
    assert body["saved_minutes"] == 0 and body["data"]["saved_minutes"] == 0


async def test_weekly_limit_cuts_the_approval(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, weekly_hours_limit=Decimal("1"))
    body = ok(await approve(space.owner, (await asked(member))["id"]))
    assert body["saved_minutes"] == 60
    assert body["message"].startswith("Time request approved successfully. 1 hr successfully added for ")
    assert body["message"].endswith(" 1 hr was not added: the member's weekly limit of 1 hr is reached.")


async def test_nothing_saveable_keeps_the_request_pending(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    await add_entry(factory, member, at(15, 8), at(15, 12))
    created = await asked(member)
    body = err(await approve(space.owner, created["id"]), 422, "validation_error")
    assert body["errors"] == {"end": ["The time overlaps existing entries; nothing was saved."]}
    assert (await listing(space.owner, **JAN_15))[0]["status"] == "pending"


async def test_approval_inside_an_approved_timesheet_is_409(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    created = await asked(member)
    timesheet = TimesheetKey(member.id, date(2024, 1, 15)).encode("webwork")
    for action in ("submit", "approve"):
        ok(await space.owner.api.put(f"/timesheets/{timesheet}/{action}", json=space.ws))
    body = err(await approve(space.owner, created["id"]), 409, "timesheet_locked")
    assert "2024-01-15 to 2024-01-21" in body["message"]
    assert (await listing(space.owner, **JAN_15))[0]["status"] == "pending"
    ok(await space.owner.api.put(f"/timesheets/{timesheet}/reopen", json=space.ws))
    assert ok(await approve(space.owner, created["id"]))["saved_minutes"] == 120


async def test_who_may_decide(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    stranger = await factory.person(space)
    pm = await factory.person(space, Role.PROJECT_MANAGER)
    tm = await factory.person(space, Role.TEAM_MANAGER)
    managed = await factory.contract(await factory.project(space, managers=[pm]), member)
    await factory.team(space, members=[member], managers=[tm])
    first = await asked(
        member, start="2024-01-15T09:00:00Z", end="2024-01-15T10:00:00Z", contract_id=managed.id
    )
    second = await asked(member, start="2024-01-16T09:00:00Z", end="2024-01-16T10:00:00Z")

    err(await approve(member, first["id"]), 403, "forbidden")
    err(await reject(member, first["id"], comment="no"), 403, "forbidden")
    err(await approve(stranger, first["id"]), 404, "not_found")
    ok(await approve(pm, first["id"]))
    ok(await reject(tm, second["id"], comment="Not on that day"))

    own = await asked(pm)
    err(await approve(pm, own["id"]), 403, "forbidden")
    err(await reject(pm, own["id"], comment="x"), 403, "forbidden")
    owners = await asked(space.owner, start="2024-01-17T09:00:00Z", end="2024-01-17T10:00:00Z")
    ok(await approve(space.owner, owners["id"]))


async def test_project_viewer_asks_for_no_time(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    refused = err(await ask(viewer), 403, "forbidden")
    assert refused["message"] == "Project viewers may only read the projects assigned to them."
    assert (await session.scalars(select(TimeRequest).where(TimeRequest.user_id == viewer.id))).all() == []


async def test_team_manager_decides_on_no_one_of_an_equal_or_higher_role(factory: Factory) -> None:
    space = await factory.space()
    tm, executive, peer, member = await factory.ranked_team(space)
    for person in (executive, peer):
        request = await asked(person)
        err(await reject(tm, request["id"], comment="No"), 403, "forbidden")
        err(await approve(tm, request["id"]), 403, "forbidden")
        assert (
            ok(await person.api.get(f"/time-requests/{request['id']}", params=space.ws))["data"]["status"]
            == "pending"
        )
    ok(await reject(tm, (await asked(member))["id"], comment="No"))


async def test_project_manager_decides_only_on_requests_on_their_projects(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    pm = await factory.person(space, Role.PROJECT_MANAGER)
    managed = await factory.contract(await factory.project(space, managers=[pm]), member)
    other = await factory.contract(await factory.project(space), member)
    without = await asked(member, start="2024-01-15T09:00:00Z", end="2024-01-15T10:00:00Z")
    elsewhere = await asked(
        member, start="2024-01-16T09:00:00Z", end="2024-01-16T10:00:00Z", contract_id=other.id
    )
    mine = await asked(
        member, start="2024-01-17T09:00:00Z", end="2024-01-17T10:00:00Z", contract_id=managed.id
    )
    for request in (without, elsewhere):
        err(await approve(pm, request["id"]), 403, "forbidden")
        err(await reject(pm, request["id"], comment="No"), 403, "forbidden")
    ok(await approve(pm, mine["id"]))


async def test_only_pending_requests_are_decided(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    approved = await asked(member, start="2024-01-15T09:00:00Z", end="2024-01-15T10:00:00Z")
    rejected = await asked(member, start="2024-01-16T09:00:00Z", end="2024-01-16T10:00:00Z")
    ok(await approve(space.owner, approved["id"]))
    ok(await reject(space.owner, rejected["id"], comment="No"))
    for request_id, state in ((approved["id"], "approved"), (rejected["id"], "rejected")):
        body = err(await approve(space.owner, request_id), 409, "invalid_transition")
        assert body["message"] == f"Only pending time requests can be approved; this one is {state}."
        body = err(await reject(space.owner, request_id, comment="again"), 409, "invalid_transition")
        assert body["message"] == f"Only pending time requests can be rejected; this one is {state}."


# --- reject ----------------------------------------------------------------------------


async def test_reject_stores_the_comment(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    member = await factory.person(space)
    created = await asked(member)
    body = ok(await reject(space.owner, created["id"], comment="You were on leave"))
    assert body["message"] == "Time request rejected successfully"
    data = body["data"]
    assert (data["status"], data["comment"], data["updated_by"]) == (
        "rejected",
        "You were on leave",
        space.owner.id,
    )
    assert data["saved_minutes"] is None
    assert (await session.scalars(select(TimeEntry).where(TimeEntry.user_id == member.id))).all() == []


async def test_reject_requires_a_comment(factory: Factory) -> None:
    space = await factory.space()
    created = await asked(space.owner)
    for body in ({}, {"comment": ""}, {"comment": "  "}, {"comment": "x" * 1001}):
        response = err(await reject(space.owner, created["id"], **body), 422, "validation_error")
        assert "comment" in response["errors"]
    assert err(await reject(space.owner, created["id"]), 422)["errors"]["comment"] == [
        "The comment field is required."
    ]


# --- across workspaces and without a token ---------------------------------------------


async def test_other_workspace_is_404(factory: Factory, two_spaces: tuple[Space, Space]) -> None:
    a, b = two_spaces
    created = await asked(a.owner)
    for action in ("approve", "reject"):
        url = f"/time-requests/{created['id']}/{action}"
        err(await b.owner.api.post(url, json={**b.ws, "comment": "x"}), 404, "not_found")
        err(await b.owner.api.post(url, json={**a.ws, "comment": "x"}), 404, "not_found")
        err(await a.owner.api.post(f"/time-requests/nope/{action}", json={**a.ws, "comment": "x"}), 404)
    assert await listing(b.owner, **JAN_15) == []
    err(await b.owner.api.get("/time-requests", params={**a.ws, **JAN_15}), 404, "not_found")
    err(await ask(b.owner, workspace_id=a.id), 404, "not_found")
    assert (await listing(a.owner, **JAN_15))[0]["status"] == "pending"


async def test_unauthenticated(factory: Factory) -> None:
    space = await factory.space()
    anonymous = factory.anonymous
    request_id = str(uuid.uuid4())
    err(await anonymous.get("/time-requests", params={**space.ws, **JAN_15}), 401)
    err(await anonymous.get(f"/time-requests/{request_id}", params=space.ws), 401)
    err(await anonymous.post("/time-requests", json=space.ws), 401)
    err(await anonymous.post(f"/time-requests/{request_id}/approve", json=space.ws), 401)
    err(await anonymous.post(f"/time-requests/{request_id}/reject", json={**space.ws, "comment": "x"}), 401)
