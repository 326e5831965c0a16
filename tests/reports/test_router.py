"""`/reports`: who sees which time and which amounts, the list filters, the exports read
back, and the refusals (401, 403, 404 across workspaces, 422)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import pytest

from tests.assertions import err, ok
from tests.factories import Factory, Person, Space
from webwork.auth.roles import Role
from webwork.models import Project

NOW = datetime(2024, 1, 17, 10, 30, tzinfo=UTC)  # a Wednesday; its week is 2024-01-15..21
WEEK = {"start_date": "2024-01-15", "end_date": "2024-01-21"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    frozen_clock(NOW)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, minute, tzinfo=UTC)


@dataclass
class Office:
    space: Space
    alice: Person  # member, time on p1 (60 min)
    carol: Person  # member with rate permission, time on p1 (120) and p2 (180)
    bob: Person  # member of tm's team, time without a project (30)
    pm: Person  # manages p1, own time on p2 (240)
    tm: Person  # manages bob's team
    viewer: Person  # granted p2
    p1: Project
    p2: Project


async def office(factory: Factory) -> Office:
    space = await factory.space()
    alice = await factory.person(space, firstname="Alice", lastname="A")
    carol = await factory.person(space, firstname="Carol", lastname="C", rate_status=1)
    bob = await factory.person(space, firstname="Bob", lastname="B")
    pm = await factory.person(space, Role.PROJECT_MANAGER, firstname="Pat", lastname="M")
    tm = await factory.person(space, Role.TEAM_MANAGER, firstname="Tom", lastname="M")
    viewer = await factory.person(space, Role.PROJECT_VIEWER, firstname="Vic", lastname="V")
    p1 = await factory.project(space, name="P1", managers=[pm], is_billable=True)
    p2 = await factory.project(space, name="P2", is_billable=True)
    await factory.grant(p2, viewer)
    await factory.team(space, members=[bob], managers=[tm])
    await factory.entry(alice, at(15, 9), at(15, 10), contract=await factory.contract(p1, alice, rate=60))
    await factory.entry(carol, at(16, 9), at(16, 11), contract=await factory.contract(p1, carol, rate=30))
    await factory.entry(carol, at(16, 12), at(16, 15), contract=await factory.contract(p2, carol, rate=10))
    await factory.entry(pm, at(17, 9), at(17, 13), contract=await factory.contract(p2, pm, rate=20))
    await factory.entry(bob, at(18, 9), at(18, 9, 30))
    return Office(space, alice, carol, bob, pm, tm, viewer, p1, p2)


async def tracked(person: Person, space: Space, **params: Any) -> dict[str, Any]:
    return ok(await person.api.get("/reports/tracked-hours", params={**space.ws, **WEEK, **params}))


def minutes_by_user_project(body: dict[str, Any]) -> dict[tuple[int, int | None], int]:
    return {
        (user["user_id"], project["project_id"]): project["total_minutes"]
        for users in body["data"].values()
        for user in users
        for project in user["projects"]
    }


async def test_each_role_counts_the_time_it_may_see(factory: Factory) -> None:
    o = await office(factory)
    everyone = {
        (o.alice.id, o.p1.id): 60,
        (o.carol.id, o.p1.id): 120,
        (o.carol.id, o.p2.id): 180,
        (o.pm.id, o.p2.id): 240,
        (o.bob.id, None): 30,
    }
    expected = {
        "owner": everyone,
        "alice": {(o.alice.id, o.p1.id): 60},
        "tm": {(o.bob.id, None): 30},
        "pm": {k: v for k, v in everyone.items() if k[1] == o.p1.id or k[0] == o.pm.id},
        "viewer": {k: v for k, v in everyone.items() if k[1] == o.p2.id},
    }
    callers = {"owner": o.space.owner, "alice": o.alice, "tm": o.tm, "pm": o.pm, "viewer": o.viewer}
    for name, caller in callers.items():
        body = await tracked(caller, o.space)
        assert minutes_by_user_project(body) == expected[name], name
        assert body["meta"]["totals"]["total_minutes"] == sum(expected[name].values())


async def test_amounts_only_with_rate_permission(factory: Factory) -> None:
    o = await office(factory)
    owner = await tracked(o.space.owner, o.space)
    day = {u["user_id"]: u for u in owner["data"]["2024-01-16"]}
    assert day[o.carol.id]["total_amount"] == {"USD": 90}  # 2 h at 30 and 3 h at 10
    assert [p["total_amount"] for p in day[o.carol.id]["projects"]] == [{"USD": 60}, {"USD": 30}]
    assert owner["meta"]["totals"]["total_amount"] == {"USD": 60 + 90 + 80}

    carol = await tracked(o.carol, o.space)
    assert carol["data"]["2024-01-16"][0]["total_amount"] == {"USD": 90}
    for caller in (o.alice, o.viewer, o.pm):
        body = await tracked(caller, o.space)
        assert "total_amount" not in body["meta"]["totals"]
        assert all(
            "total_amount" not in user and all("total_amount" not in p for p in user["projects"])
            for users in body["data"].values()
            for user in users
        )


async def test_currencies_filter_needs_rate_permission(factory: Factory) -> None:
    o = await office(factory)
    shown = await tracked(o.space.owner, o.space, currencies="EUR")
    assert shown["meta"]["totals"]["total_amount"] == {}
    assert (await tracked(o.space.owner, o.space, currencies='["usd"]'))["meta"]["totals"][
        "total_amount"
    ] == {"USD": 230}
    err(
        await o.alice.api.get("/reports/tracked-hours", params={**o.space.ws, **WEEK, "currencies": "USD"}),
        403,
    )


async def test_list_filters_take_every_spelling(factory: Factory) -> None:
    o = await office(factory)
    pair = sorted([o.alice.id, o.carol.id])
    spellings: list[Any] = [
        {"users": f"{pair[0]},{pair[1]}"},
        {"users": f"[{pair[0]}, {pair[1]}]"},
        {"users": [str(pair[0]), str(pair[1])]},
        {"user_ids": f"{pair[0]}", "users": f"{pair[1]}"},
    ]
    for spelling in spellings:
        body = await tracked(o.space.owner, o.space, **spelling)
        assert sorted({user for user, _ in minutes_by_user_project(body)}) == pair, spelling
    projects = await tracked(o.space.owner, o.space, project_ids=f"[{o.p2.id}]")
    assert {project for _, project in minutes_by_user_project(projects)} == {o.p2.id}
    team = await tracked(
        o.space.owner, o.space, teams=str((await factory.team(o.space, members=[o.alice])).id)
    )
    assert set(minutes_by_user_project(team)) == {(o.alice.id, o.p1.id)}
    empty = await tracked(o.space.owner, o.space, users="[]")
    assert minutes_by_user_project(empty) == {}


async def test_titles_filter_task_titles(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    project = await factory.project(space)
    contract = await factory.contract(project, member)
    design = await factory.task(project, title="Design, phase 1")
    build = await factory.task(project, title="Build")
    await factory.entry(member, at(15, 9), at(15, 10), contract=contract, task=design)
    await factory.entry(member, at(15, 11), at(15, 13), contract=contract, task=build)
    await factory.entry(member, at(15, 14), at(15, 18), contract=contract)
    body = await tracked(space.owner, space, titles='["Design, phase 1"]')
    assert body["meta"]["totals"]["total_minutes"] == 60
    body = await tracked(space.owner, space, titles=["Build", "Nothing"])
    assert body["meta"]["totals"]["total_minutes"] == 120


async def test_the_connectors_call(factory: Factory) -> None:
    """``GET /reports/tracked-hours?workspace_id&user_id&start_date&end_date`` exactly."""
    o = await office(factory)
    params = {
        "workspace_id": o.space.id,
        "user_id": o.carol.id,
        "start_date": "2024-01-01",
        "end_date": "2024-01-31",
    }
    body = ok(await o.space.owner.api.get("/reports/tracked-hours", params=params))
    assert len(body["data"]) == 31
    assert body["data"]["2024-01-16"] == [
        {
            "user_id": o.carol.id,
            "user_name": "Carol C",
            "total_minutes": 300,
            "total_amount": {"USD": 90},
            "projects": [
                {
                    "project_id": o.p1.id,
                    "project_name": "P1",
                    "contract_id": body["data"]["2024-01-16"][0]["projects"][0]["contract_id"],
                    "total_minutes": 120,
                    "total_amount": {"USD": 60},
                },
                {
                    "project_id": o.p2.id,
                    "project_name": "P2",
                    "contract_id": body["data"]["2024-01-16"][0]["projects"][1]["contract_id"],
                    "total_minutes": 180,
                    "total_amount": {"USD": 30},
                },
            ],
        }
    ]
    assert body["message"] == "Tracked hours retrieved successfully"
    too_long = {**params, "end_date": "2024-02-01"}
    assert (
        "end_date"
        in err(await o.space.owner.api.get("/reports/tracked-hours", params=too_long), 422)["errors"]
    )


async def test_default_range_is_the_callers_week(
    factory: Factory, frozen_clock: Callable[[datetime], None]
) -> None:
    space = await factory.space()
    body = ok(await space.owner.api.get("/reports/tracked-hours", params=space.ws))
    assert (body["meta"]["start_date"], body["meta"]["end_date"]) == ("2024-01-15", "2024-01-21")
    # Sunday noon in UTC is Monday in Kiritimati (UTC+14): the next week there
    frozen_clock(datetime(2024, 1, 21, 12, tzinfo=UTC))
    far = await factory.person(space, Role.EXECUTIVE_MANAGER, timezone="Pacific/Kiritimati")
    body = ok(await far.api.get("/reports/tracked-hours", params=space.ws))
    assert (body["meta"]["start_date"], body["meta"]["end_date"]) == ("2024-01-22", "2024-01-28")
    body = ok(await space.owner.api.get("/reports/tracked-hours", params=space.ws))
    assert (body["meta"]["start_date"], body["meta"]["end_date"]) == ("2024-01-15", "2024-01-21")
    body = ok(await far.api.get("/reports/tracked-hours", params={**space.ws, "start_date": "2024-01-22"}))
    assert (body["meta"]["start_date"], body["meta"]["end_date"]) == ("2024-01-22", "2024-01-28")


async def test_group_by_two_levels(factory: Factory) -> None:
    o = await office(factory)
    body = await tracked(o.space.owner, o.space, group_by="project,user")
    projects = {g["key"]: g for g in body["data"]}
    assert list(projects) == [o.p1.id, o.p2.id, None]
    assert projects[o.p1.id]["total_minutes"] == 180
    assert projects[o.p1.id]["total_amount"] == {"USD": 120}
    assert [(g["key"], g["total_minutes"]) for g in projects[o.p2.id]["groups"]] == [
        (o.carol.id, 180),
        (o.pm.id, 240),
    ]
    weeks = await tracked(o.space.owner, o.space, group_by="week")
    assert weeks["data"] == [
        {
            "group_by": "week",
            "key": "2024-01-15",
            "name": "2024-W03",
            "total_minutes": 630,
            "total_amount": {"USD": 230},
            "groups": [],
        }
    ]
    months = await tracked(o.alice, o.space, group_by=["month", "task"])
    assert [(g["key"], g["total_minutes"], "total_amount" in g) for g in months["data"]] == [
        ("2024-01", 60, False)
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"users": "1,x"},
        {"users": "0"},
        {"users": ",".join(str(n) for n in range(1, 1002))},
        {"projects": "[1.5]"},
        {"start_date": "2024-01-20", "end_date": "2024-01-19"},
        {"start_date": "1999-12-31"},
        {"group_by": "day,user,project"},
        {"group_by": "year"},
        {"format": "pdf"},
        {"user_id": "abc"},
    ],
)
async def test_bad_values_are_422(factory: Factory, params: dict[str, str]) -> None:
    space = await factory.space()
    err(await space.owner.api.get("/reports/tracked-hours", params={**space.ws, **params}), 422)


async def test_401_and_404_across_workspaces(factory: Factory, two_spaces: tuple[Space, Space]) -> None:
    a, b = two_spaces
    for path in (
        "/reports/tracked-hours",
        "/reports/activity-descriptions",
        "/reports/task-report",
        "/reports/tasks",
    ):
        err(await factory.anonymous.get(path, params={**a.ws, **WEEK}), 401)
        err(await b.owner.api.get(path, params={**a.ws, **WEEK}), 404)
        err(await b.owner.api.get(path, params=WEEK), 422)


async def test_inactive_member_is_refused(factory: Factory) -> None:
    space = await factory.space()
    gone = await factory.person(space, status="inactive")
    err(await gone.api.get("/reports/tracked-hours", params=space.ws), 403)


async def test_csv_and_xlsx_hold_the_json(factory: Factory) -> None:
    o = await office(factory)
    body = await tracked(o.space.owner, o.space)
    expected = [
        (
            date.fromisoformat(day),
            user["user_id"],
            user["user_name"],
            user["total_minutes"],
            user["total_amount"]["USD"],
        )
        for day, users in body["data"].items()
        for user in users
    ]
    total = body["meta"]["totals"]

    response = await o.space.owner.api.get(
        "/reports/tracked-hours", params={**o.space.ws, **WEEK, "format": "csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="tracked-hours-2024-01-15-2024-01-21.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["date", "user_id", "user_name", "total_minutes", "total_amount_USD"]
    assert [
        (date.fromisoformat(r[0]), int(r[1]), r[2], int(r[3]), float(r[4])) for r in rows[1:-1]
    ] == expected
    assert rows[-1] == ["Total", "", "", str(total["total_minutes"]), str(total["total_amount"]["USD"])]

    response = await o.space.owner.api.get(
        "/reports/tracked-hours", params={**o.space.ws, **WEEK, "format": "xlsx"}
    )
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("date", "user_id", "user_name", "total_minutes", "total_amount_USD")
    assert [(r[0].date(), r[1], r[2], r[3], r[4]) for r in values[1:-1]] == expected  # type: ignore[union-attr]
    assert values[-1] == ("Total", None, None, total["total_minutes"], total["total_amount"]["USD"])
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and sheet.cell(row=len(values), column=1).font.b
    assert isinstance(values[1][3], int)


async def test_exports_of_groups_and_without_rates(factory: Factory) -> None:
    o = await office(factory)
    params = {**o.space.ws, **WEEK, "group_by": "user,project", "format": "csv"}
    rows = list(csv.reader(io.StringIO((await o.pm.api.get("/reports/tracked-hours", params=params)).text)))
    assert rows[0] == ["user_key", "user_name", "project_key", "project_name", "total_minutes"]
    assert rows[-1] == ["Total", "", "", "", "420"]
    assert sum(int(r[4]) for r in rows[1:-1]) == 420


async def test_text_cells_are_not_formulas_in_csv(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, firstname="=HYPERLINK(1)", lastname="")
    await factory.entry(member, at(15, 9), at(15, 10))
    params = {**space.ws, **WEEK, "format": "csv"}
    rows = list(
        csv.reader(io.StringIO((await space.owner.api.get("/reports/tracked-hours", params=params)).text))
    )
    assert rows[1][2] == "'=HYPERLINK(1)"


async def test_activity_descriptions(factory: Factory) -> None:
    o = await office(factory)
    await factory.entry(o.alice, at(15, 11), at(15, 11, 45), description="Standup")
    await factory.entry(o.alice, at(16, 11), at(16, 11, 15), description="Standup")
    await factory.entry(o.alice, at(16, 12), at(16, 12, 10), description="Review")
    path = "/reports/activity-descriptions"
    body = ok(await o.alice.api.get(path, params={**o.space.ws, **WEEK}))
    assert [(r["project_id"], r["activity_description"], r["total_minutes"]) for r in body["data"]] == [
        (None, "Review", 10),
        (None, "Standup", 60),
        (o.p1.id, None, 60),
    ]
    assert body["meta"]["pagination"]["total"] == 3
    paged = ok(await o.space.owner.api.get(path, params={**o.space.ws, **WEEK, "per_page": 2, "page": 3}))
    assert paged["meta"]["pagination"]["total"] == 7 and len(paged["data"]) == 2
    viewer = ok(await o.viewer.api.get(path, params={**o.space.ws, **WEEK}))
    assert {r["project_id"] for r in viewer["data"]} == {o.p2.id}
    exported = await o.alice.api.get(path, params={**o.space.ws, **WEEK, "format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert [int(r[5]) for r in rows[1:-1]] == [10, 60, 60] and rows[-1][-1] == "130"
