"""`/leaves`: policies, holidays and the work week, leave requests and their decisions,
visibility by role, and leave in timesheets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.assertions import err, ok
from tests.factories import Factory, Person, Space
from tests.leaves.helpers import ask, asked, balance_of, decide, make_policy
from webwork.auth.roles import Role

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
MON, FRI, SUN = "2026-03-09", "2026-03-13", "2026-03-15"


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    frozen_clock(NOW)


async def _setup(factory: Factory, **policy: Any) -> tuple[Space, Person, dict[str, Any]]:
    space = await factory.space()
    member = await factory.person(space, firstname="John", lastname="Doe")
    return space, member, await make_policy(space, [member], **policy)


# Policies


async def test_owners_and_executive_managers_keep_policies(factory: Factory) -> None:
    space, member, policy = await _setup(factory, accrual="monthly", carry_over=5, reason_required=True)
    assert policy["time_unit"] == "days" and policy["duration"] == 20 and policy["carry_over"] == 5
    assert policy["member_ids"] == [member.id] and policy["allow_negative_balance"] is False
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    url = f"/leaves/policies/{policy['id']}"
    body = ok(await executive.api.put(url, json={**space.ws, "duration": 25.5, "member_ids": []}))
    assert body["message"] == "Leave policy updated successfully"
    assert body["data"]["duration"] == 25.5 and body["data"]["member_ids"] == []
    assert body["data"]["accrual"] == "monthly"
    err(await executive.api.put(url, json={**space.ws, "time_unit": "hours"}), 422)
    ok(await executive.api.put(url, json={**space.ws, "time_unit": "days"}))
    err(
        await executive.api.post(
            "/leaves/policies", json={**space.ws, "name": "X", "time_unit": "weeks", "duration": 1}
        ),
        422,
    )
    err(
        await executive.api.post(
            "/leaves/policies",
            json={**space.ws, "name": "X", "time_unit": "days", "duration": 1, "accrual": "daily"},
        ),
        422,
    )
    err(
        await executive.api.post(
            "/leaves/policies",
            json={**space.ws, "name": "X", "time_unit": "days", "duration": 1, "member_ids": [999999]},
        ),
        422,
    )
    err(
        await executive.api.post(
            "/leaves/policies", json={**space.ws, "name": "X", "time_unit": "days", "duration": -1}
        ),
        422,
    )
    # only the owner puts the owner in a policy
    err(
        await executive.api.post(
            "/leaves/policies",
            json={
                **space.ws,
                "name": "X",
                "time_unit": "days",
                "duration": 1,
                "member_ids": [space.owner.id],
            },
        ),
        403,
    )
    deleted = ok(await executive.api.delete(url, json=space.ws))
    assert deleted["message"] == "Leave policy deleted successfully"
    err(await executive.api.get(url, params=space.ws), 404)


async def test_others_may_only_read_the_policies_applying_to_them(factory: Factory) -> None:
    space, member, policy = await _setup(factory)
    other = await factory.person(space)
    await make_policy(space, [other], name="Sick")
    tm = await factory.person(space, Role.TEAM_MANAGER)
    await factory.team(space, members=[member], managers=[tm])
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    owner_list = ok(await space.owner.api.get("/leaves/policies", params=space.ws))
    assert [p["name"] for p in owner_list["data"]] == ["Sick", "Vacation"]
    assert owner_list["meta"]["pagination"]["total"] == 2
    mine = ok(await member.api.get("/leaves/policies", params=space.ws))["data"]
    assert [p["id"] for p in mine] == [policy["id"]] and mine[0]["member_ids"] == [member.id]
    assert [p["id"] for p in ok(await tm.api.get("/leaves/policies", params=space.ws))["data"]] == [
        policy["id"]
    ]
    err(await viewer.api.get("/leaves/policies", params=space.ws), 403)  # viewers read projects only
    err(await other.api.get(f"/leaves/policies/{policy['id']}", params=space.ws), 404)
    ok(await member.api.get(f"/leaves/policies/{policy['id']}", params=space.ws))
    url = f"/leaves/policies/{policy['id']}"
    for person in (member, tm, viewer):
        err(
            await person.api.post(
                "/leaves/policies", json={**space.ws, "name": "X", "time_unit": "days", "duration": 1}
            ),
            403,
        )
        err(await person.api.put(url, json={**space.ws, "name": "Y"}), 403)
        err(await person.api.delete(url, json=space.ws), 403)
    err(await factory.anonymous.get("/leaves/policies", params=space.ws), 401)
    err(await member.api.get("/leaves/policies/not-a-uuid", params=space.ws), 404)


async def test_a_policy_with_leave_is_not_deleted(factory: Factory) -> None:
    space, member, policy = await _setup(factory)
    await asked(member, policy, MON, MON)
    err(await space.owner.api.delete(f"/leaves/policies/{policy['id']}", json=space.ws), 409, "policy_in_use")


async def test_policies_of_another_workspace_are_not_found(factory: Factory) -> None:
    _, _, policy = await _setup(factory)
    other = await factory.space()
    url = f"/leaves/policies/{policy['id']}"
    err(await other.owner.api.get(url, params=other.ws), 404)
    err(await other.owner.api.put(url, json={**other.ws, "name": "X"}), 404)
    err(await other.owner.api.delete(url, json=other.ws), 404)


# Holidays and the work week


async def test_holidays_and_the_work_week(factory: Factory) -> None:
    space, member, _ = await _setup(factory)
    api = space.owner.api
    created = ok(
        await api.post("/leaves/holidays", json={**space.ws, "date": "2026-03-11", "name": "Spring Day"}), 201
    )
    assert created["message"] == "Holiday created successfully"
    assert created["data"]["date"] == "2026-03-11"
    err(await api.post("/leaves/holidays", json={**space.ws, "date": "2026-03-11", "name": "Again"}), 422)
    err(await api.post("/leaves/holidays", json={**space.ws, "date": "1999-03-11", "name": "Old"}), 422)
    listed = ok(await member.api.get("/leaves/holidays", params=space.ws))
    assert [h["name"] for h in listed["data"]] == ["Spring Day"]
    err(await member.api.post("/leaves/holidays", json={**space.ws, "date": "2026-03-12", "name": "X"}), 403)
    err(await member.api.delete(f"/leaves/holidays/{created['data']['id']}", json=space.ws), 403)
    other = await factory.space()
    err(await other.owner.api.delete(f"/leaves/holidays/{created['data']['id']}", json=other.ws), 404)
    ok(await api.delete(f"/leaves/holidays/{created['data']['id']}", json=space.ws))
    err(await api.delete(f"/leaves/holidays/{created['data']['id']}", json=space.ws), 404)

    settings = ok(await member.api.get("/leaves/settings", params=space.ws))["data"]
    assert settings == {
        "work_days": [1, 2, 3, 4, 5],
        "hours_per_day": 8,
        "work_start": "09:00",
        "work_end": "17:00",
        "grace_minutes": 10,
    }
    changed = ok(
        await api.put(
            "/leaves/settings", json={**space.ws, "work_days": [1, 2, 3, 4, 6, 6], "hours_per_day": 7.5}
        )
    )
    assert changed["data"] == {
        "work_days": [1, 2, 3, 4, 6],
        "hours_per_day": 7.5,
        "work_start": "09:00",
        "work_end": "17:00",
        "grace_minutes": 10,
    }
    err(await api.put("/leaves/settings", json={**space.ws, "work_days": [0]}), 422)
    err(await api.put("/leaves/settings", json={**space.ws, "hours_per_day": 25}), 422)
    err(await member.api.put("/leaves/settings", json={**space.ws, "hours_per_day": 6}), 403)
    err(await factory.anonymous.get("/leaves/settings", params=space.ws), 401)


# Requests


async def test_leave_counts_working_days_without_weekends_and_holidays(factory: Factory) -> None:
    space, member, policy = await _setup(factory)
    ok(
        await space.owner.api.post(
            "/leaves/holidays", json={**space.ws, "date": "2026-03-11", "name": "Spring Day"}
        ),
        201,
    )
    response = ok(await ask(member, policy, MON, SUN, reason="Trip"), 201)
    assert response["message"] == "Leave requested successfully"
    leave = response["data"]
    assert leave["status"] == "pending" and leave["note"] == "Trip" and leave["is_paid"] == "yes"
    assert leave["total"] == {"days": 4, "hours": 32} and leave["amount"] == 4
    assert leave["created_by"] == member.id and leave["approved_by"] is None
    assert leave["start_date"] == MON and leave["end_date"] == SUN and leave["policy_name"] == "Vacation"
    err(await ask(member, policy, "2026-03-14", "2026-03-15"), 422)  # a weekend only
    err(await ask(member, policy, "2026-03-11", "2026-03-11"), 422)  # overlaps (and a holiday)
    err(await ask(member, policy, SUN, "2026-03-16"), 422)  # overlaps on Sunday
    # a different work week counts differently from now on
    ok(
        await space.owner.api.put(
            "/leaves/settings", json={**space.ws, "work_days": [6, 7], "hours_per_day": 6}
        )
    )
    weekend = await asked(member, policy, "2026-03-21", "2026-03-22")
    assert weekend["total"] == {"days": 2, "hours": 12}


async def test_half_days(factory: Factory) -> None:
    space, member, policy = await _setup(factory)
    first = await asked(member, policy, MON, MON, leave_period=1)
    assert first["total"] == {"days": 0.5, "hours": 4} and first["leave_period"] == 1
    second = await asked(member, policy, MON, MON, leave_period=2)
    assert second["amount"] == 0.5
    err(await ask(member, policy, MON, MON, leave_period=2), 422)  # that half is taken
    err(await ask(member, policy, MON, MON), 422)
    err(await ask(member, policy, "2026-03-10", "2026-03-11", leave_period=1), 422)
    err(await ask(member, policy, "2026-03-10", "2026-03-10", leave_period=3), 422)
    assert (await balance_of(space.owner, member, MON))["leave_information"][0]["pending"] == 1


async def test_refusals_of_a_request(factory: Factory) -> None:
    space, member, policy = await _setup(factory, duration=3, reason_required=True)
    stranger = await factory.person(space)
    err(await ask(member, policy, MON, MON), 422)  # no reason
    err(await ask(member, policy, MON, FRI, reason="x"), 422)  # 5 days of 3
    err(await ask(stranger, policy, MON, MON, reason="x"), 422)  # not in the policy
    err(await ask(member, {"id": "00000000-0000-0000-0000-000000000000"}, MON, MON), 422)
    err(await ask(member, {"id": "nope"}, MON, MON), 422)
    err(await ask(member, policy, FRI, MON, reason="x"), 422)
    err(await ask(member, policy, "2026-01-01", "2027-06-01", reason="x"), 422)
    body = {
        **space.ws,
        "policy_id": policy["id"],
        "user_id": member.id,
        "start": MON,
        "end": MON,
        "reason": "x",
    }
    err(await stranger.api.post("/leaves", json=body), 403)
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    err(await viewer.api.post("/leaves", json={**body, "user_id": viewer.id}), 403)
    err(await factory.anonymous.post("/leaves", json=body), 401)
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    made = ok(await executive.api.post("/leaves", json=body), 201)["data"]
    assert made["user_id"] == member.id and made["created_by"] == executive.id
    owner_policy = await make_policy(space, [space.owner])
    err(
        await executive.api.post(
            "/leaves", json={**body, "user_id": space.owner.id, "policy_id": owner_policy["id"]}
        ),
        403,
    )


async def test_a_negative_balance_when_the_policy_allows_it(factory: Factory) -> None:
    space, member, policy = await _setup(factory, duration=1, allow_negative_balance=True)
    await asked(member, policy, MON, FRI)
    row = await balance_of(space.owner, member, MON)
    assert row["leave_information"][0]["remaining"] == -4
    assert row["leave_information"][0]["balance"] == "-4 days" and row["total_balance"] == "-4 days"


async def test_a_day_in_an_approved_timesheet_is_locked(factory: Factory) -> None:
    _, member, policy = await _setup(factory)
    await factory.approved_timesheet(member, date(2026, 3, 9), date(2026, 3, 15))
    err(await ask(member, policy, "2026-03-13", "2026-03-17"), 409, "timesheet_locked")
    ok(await ask(member, policy, "2026-03-16", "2026-03-17"), 201)


async def test_hour_based_policies(factory: Factory) -> None:
    space, member, policy = await _setup(factory, name="Doctor", time_unit="hours", duration=40)
    times = {"start_time": "09:00", "end_time": "13:00", "hours_per_day": 4}
    leave = await asked(member, policy, MON, "2026-03-10", **times)
    assert leave["total"] == {"days": 2, "hours": 8} and leave["amount"] == 8
    assert leave["start_time"] == "09:00" and leave["hours_per_day"] == 4
    err(await ask(member, policy, "2026-03-11", "2026-03-11", hours_per_day=4), 422)
    err(await ask(member, policy, "2026-03-11", "2026-03-11", **{**times, "end_time": "08:00"}), 422)
    err(await ask(member, policy, "2026-03-11", "2026-03-11", **{**times, "hours_per_day": 5}), 422)
    err(await ask(member, policy, "2026-03-11", "2026-03-11", **{**times, "start_time": "9:00"}), 422)
    err(await ask(member, policy, "2026-03-11", "2026-03-11", **times, leave_period=1), 422)
    err(await ask(member, policy, "2026-03-11", "2026-03-30", **times), 422)  # 14 days x 4 h > 32 h
    row = await balance_of(space.owner, member, MON)
    assert row["leave_information"][0]["balance"] == "32 hours" and row["total_balance"] == "32 hours"


# Decisions


async def test_team_managers_owners_and_executives_decide(factory: Factory) -> None:
    space, member, policy = await _setup(factory)
    tm = await factory.person(space, Role.TEAM_MANAGER)
    await factory.team(space, members=[member], managers=[tm])
    other_tm = await factory.person(space, Role.TEAM_MANAGER)
    pm = await factory.person(space, Role.PROJECT_MANAGER)
    leave = await asked(member, policy, MON, MON)
    for person, status in ((member, 403), (other_tm, 404), (pm, 404)):
        err(await decide(person, leave["id"], "approve"), status)
    approved = ok(await decide(tm, leave["id"], "approve"))
    assert approved["message"] == "Leave approved successfully"
    assert approved["data"]["status"] == "approved" and approved["data"]["approved_by"] == tm.id
    err(await decide(tm, leave["id"], "approve"), 409, "invalid_transition")
    err(await decide(tm, leave["id"], "reject", reason="no"), 409)
    second = await asked(member, policy, "2026-03-10", "2026-03-10")
    err(await decide(space.owner, second["id"], "reject"), 422)
    rejected = ok(await decide(space.owner, second["id"], "reject", reason="Busy week"))
    assert rejected["message"] == "Leave rejected successfully"
    assert (
        rejected["data"]["reject_reason"] == "Busy week" and rejected["data"]["rejected_by"] == space.owner.id
    )
    err(await factory.anonymous.put(f"/leaves/{second['id']}/approve", json=space.ws), 401)
    other = await factory.space()
    err(await decide(other.owner, leave["id"], "approve"), 404)
    err(await decide(space.owner, "not-a-uuid", "approve"), 404)


async def test_a_team_manager_does_not_decide_on_a_peer(factory: Factory) -> None:
    space = await factory.space()
    tm, executive, peer, _ = await factory.ranked_team(space)
    policy = await make_policy(space, [executive, peer])
    for person in (executive, peer):
        leave = await asked(person, policy, MON, MON)
        err(await decide(tm, leave["id"], "approve"), 403)
        ok(await decide(space.owner, leave["id"], "approve"))


async def test_cancelling_gives_the_days_back(factory: Factory) -> None:
    space, member, policy = await _setup(factory, duration=5)
    leave = await asked(member, policy, MON, FRI)
    err(await ask(member, policy, "2026-03-16", "2026-03-16"), 422)  # nothing left
    cancelled = ok(await decide(member, leave["id"], "cancel"))
    assert cancelled["message"] == "Leave cancelled successfully"
    assert cancelled["data"]["status"] == "cancelled" and cancelled["data"]["cancelled_by"] == member.id
    err(await decide(member, leave["id"], "cancel"), 409)
    again = await asked(member, policy, MON, FRI)
    ok(await decide(space.owner, again["id"], "approve"))
    err(await decide(member, again["id"], "cancel"), 403)
    assert (await balance_of(space.owner, member, MON))["leave_information"][0]["remaining"] == 0
    ok(await decide(space.owner, again["id"], "cancel"))
    row = (await balance_of(space.owner, member, MON))["leave_information"][0]
    assert row["remaining"] == 5 and row["used"] == 0
    rejected = await asked(member, policy, MON, MON)
    ok(await decide(space.owner, rejected["id"], "reject", reason="no"))
    err(await decide(space.owner, rejected["id"], "cancel"), 409)
    colleague = await factory.person(space)
    err(await decide(colleague, again["id"], "cancel"), 404)


# Listing


async def test_listing_filters(factory: Factory) -> None:
    space, member, policy = await _setup(factory)
    unpaid = await make_policy(space, [member], name="Unpaid", is_paid=False)
    a = await asked(member, policy, MON, MON)
    b = await asked(member, unpaid, "2026-04-06", "2026-04-07")
    ok(await decide(space.owner, b["id"], "approve"))

    async def ids(**params: Any) -> list[str]:
        response = await space.owner.api.get("/leaves", params={**space.ws, **params})
        return [item["id"] for item in ok(response)["data"]]

    assert await ids() == [b["id"], a["id"]]
    assert await ids(id=a["id"]) == [a["id"]]
    assert await ids(policy_id=unpaid["id"]) == [b["id"]]
    assert await ids(is_paid="no") == [b["id"]] and await ids(is_paid="yes") == [a["id"]]
    assert await ids(status="approved") == [b["id"]]
    assert await ids(date_from="2026-03-10", date_to="2026-04-06") == [b["id"]]
    assert await ids(date_to="2026-03-09") == [a["id"]]
    assert await ids(user_id=space.owner.id) == []
    for params in (
        {"status": "odd"},
        {"is_paid": "maybe"},
        {"id": "x"},
        {"policy_id": "x"},
        {"date_from": "2026-05-01", "date_to": "2026-04-01"},
    ):
        err(await space.owner.api.get("/leaves", params={**space.ws, **params}), 422)
    one = ok(await member.api.get(f"/leaves/{a['id']}", params=space.ws))
    assert one["message"] == "Leave retrieved successfully" and one["data"]["is_paid"] == "yes"
    listed = ok(await member.api.get("/leaves", params=space.ws))
    assert listed["message"] == "Leaves retrieved successfully" and listed["meta"]["pagination"]["total"] == 2
    err(await factory.anonymous.get("/leaves", params=space.ws), 401)


async def test_who_sees_whose_leave(factory: Factory) -> None:
    space, member, policy = await _setup(factory)
    colleague = await factory.person(space)
    tm = await factory.person(space, Role.TEAM_MANAGER)
    await factory.team(space, members=[member], managers=[tm])
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    pm = await factory.person(space, Role.PROJECT_MANAGER)
    ok(
        await space.owner.api.put(
            f"/leaves/policies/{policy['id']}", json={**space.ws, "member_ids": [member.id, colleague.id]}
        )
    )
    mine = await asked(member, policy, MON, MON)
    theirs = await asked(colleague, policy, MON, MON)

    async def seen(person: Person) -> set[str]:
        return {item["id"] for item in ok(await person.api.get("/leaves", params=space.ws))["data"]}

    assert await seen(space.owner) == {mine["id"], theirs["id"]}
    assert await seen(member) == {mine["id"]} and await seen(tm) == {mine["id"]}
    assert await seen(pm) == set()
    err(await viewer.api.get("/leaves", params=space.ws), 403)  # viewers read projects only
    err(await colleague.api.get(f"/leaves/{mine['id']}", params=space.ws), 404)
    other = await factory.space()
    err(await other.owner.api.get(f"/leaves/{mine['id']}", params=other.ws), 404)
    names = [
        row["user_id"]
        for row in ok(
            await tm.api.get("/leaves/balances", params={**space.ws, "date_from": MON, "date_to": MON})
        )["data"]
    ]
    assert sorted(names) == sorted([tm.id, member.id])
    err(await viewer.api.get("/leaves/balances", params={**space.ws, "date_from": MON, "date_to": MON}), 403)


# Timesheets


async def test_approved_leave_shows_in_the_timesheet(factory: Factory) -> None:
    space, member, policy = await _setup(factory)
    half = await asked(member, policy, "2026-03-10", "2026-03-10", leave_period=2)
    week = await asked(member, policy, "2026-03-12", SUN)
    pending = await asked(member, policy, "2026-03-11", "2026-03-11")
    for leave in (half, week):
        ok(await decide(space.owner, leave["id"], "approve"))
    response = await space.owner.api.get(
        "/timesheets", params={**space.ws, "user_id": member.id, "date_from": MON, "date_to": SUN}
    )
    sheet = ok(response)["data"][0]
    breakdown = sheet["daily_breakdown"]
    assert sorted(breakdown) == ["2026-03-10", "2026-03-12", "2026-03-13"]
    assert breakdown["2026-03-10"] == [
        {
            "project_id": None,
            "project_name": None,
            "contract_id": None,
            "total_minutes": 0,
            "leave": {
                "leave_id": half["id"],
                "policy_id": policy["id"],
                "policy_name": "Vacation",
                "days": 0.5,
                "minutes": 240,
            },
        }
    ]
    assert breakdown["2026-03-12"][0]["leave"]["minutes"] == 480
    assert sheet["total_minutes"] == 0
    assert pending["id"] not in str(breakdown)


# Balances


async def test_balances_yearly_monthly_and_carried_over(factory: Factory) -> None:
    space, member, yearly = await _setup(factory, duration=20, carry_over=3)
    monthly = await make_policy(space, [member], name="Monthly", duration=12, accrual="monthly")
    last_year = await asked(member, yearly, "2025-12-01", "2025-12-05")  # 5 days of 2025
    ok(await decide(space.owner, last_year["id"], "approve"))
    this_year = await asked(member, yearly, "2026-02-02", "2026-02-03")
    ok(await decide(space.owner, this_year["id"], "approve"))
    await asked(member, yearly, "2026-06-01", "2026-06-01")  # pending
    await asked(member, monthly, "2026-03-02", "2026-03-02", leave_period=1)
    row = await balance_of(space.owner, member, "2026-03-31", date_from="2026-01-01")
    assert row["user_name"] == "John Doe"
    by_type = {item["leave_type"]: item for item in row["leave_information"]}
    assert by_type["Vacation"] | {"policy_id": None} == {
        "leave_type": "Vacation",
        "balance": "20 days",
        "policy_id": None,
        "time_unit": "days",
        "entitled": 20,
        "carried_over": 3,
        "accrued": 23,
        "used": 2,
        "pending": 1,
        "remaining": 20,
        "taken": 2,
    }
    assert by_type["Monthly"]["entitled"] == 3 and by_type["Monthly"]["remaining"] == 2.5
    assert by_type["Monthly"]["balance"] == "2.5 days"
    assert row["total_balance"] == "22.5 days"
    december = await balance_of(space.owner, member, "2025-12-31")
    vacation = next(i for i in december["leave_information"] if i["leave_type"] == "Vacation")
    assert (
        vacation["used"] == 5 and vacation["remaining"] == 18
    )  # 20 + 3 carried from 2024, nothing used there
    january = next(
        i
        for i in (await balance_of(space.owner, member, "2026-01-31"))["leave_information"]
        if i["leave_type"] == "Monthly"
    )
    assert january["entitled"] == 1


async def test_balances_page_members_and_validate(factory: Factory) -> None:
    space, member, _ = await _setup(factory)
    rows = ok(
        await space.owner.api.get(
            "/leaves/balances", params={**space.ws, "date_from": MON, "date_to": MON, "per_page": 1}
        )
    )
    assert rows["meta"]["pagination"]["total"] == 2 and len(rows["data"]) == 1
    owner_row = await balance_of(space.owner, space.owner, MON)
    assert owner_row["leave_information"] == [] and owner_row["total_balance"] is None
    assert (await balance_of(member, member, MON))["total_balance"] == "20 days"
    err(await space.owner.api.get("/leaves/balances", params={**space.ws, "date_to": MON}), 422)
    err(
        await space.owner.api.get("/leaves/balances", params={**space.ws, "date_from": FRI, "date_to": MON}),
        422,
    )
    err(
        await factory.anonymous.get(
            "/leaves/balances", params={**space.ws, "date_from": MON, "date_to": MON}
        ),
        401,
    )
