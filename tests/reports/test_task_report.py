"""`/reports/task-report` (and its alias `/reports/tasks`): paged by members, time per
task and per task and local day, with each task's state."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from tests.assertions import err, ok
from tests.factories import Factory, Person, Space
from webwork.auth.roles import Role

RANGE = {"start_date": "2024-01-15", "end_date": "2024-01-21"}


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    frozen_clock(datetime(2024, 1, 17, 10, 30, tzinfo=UTC))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, minute, tzinfo=UTC)


async def report(
    caller: Person, space: Space, path: str = "/reports/task-report", **params: Any
) -> dict[str, Any]:
    return ok(await caller.api.get(path, params={**space.ws, **RANGE, **params}))


async def test_breakdowns_per_task_and_day(factory: Factory) -> None:
    space = await factory.space()
    ann = await factory.person(space, firstname="Ann", lastname="A", timezone="Europe/Berlin")
    ben = await factory.person(space, firstname="Ben", lastname="B")
    project = await factory.project(space, name="Site")
    contract = await factory.contract(project, ann)
    done = await factory.task(
        project,
        title="Done",
        assignees=[ann, ben],
        status=1,
        completed_at=at(16, 12),
        estimation=Decimal("1.5"),
    )
    open_task = await factory.task(project, title="Open")
    # 23:30-00:30 in Berlin: half an hour on each of two days
    await factory.entry(ann, at(15, 22, 30), at(15, 23, 30), contract=contract, task=done)
    await factory.entry(ann, at(16, 9), at(16, 11), contract=contract, task=open_task)
    await factory.entry(ann, at(17, 9), at(17, 9, 45), contract=contract)
    await factory.entry(ben, at(17, 9), at(17, 10), task=done)

    body = await report(space.owner, space)
    assert [u["user_id"] for u in body["data"]] == [ann.id, ben.id]
    assert body["meta"]["pagination"]["per_page"] == 30
    first = body["data"][0]
    assert first["total_minutes"] == 60 + 120 + 45
    assert first["tasks_breakdown"] == [
        {
            "task_id": done.id,
            "task_title": "Done",
            "project_id": project.id,
            "project_name": "Site",
            "status": 1,
            "completed_at": "2024-01-16T12:00:00+00:00",
            "assignee_ids": sorted([ann.id, ben.id]),
            "total_minutes": 60,
            "estimated_minutes": 90,
            "estimate_percent": 66.7,
        },
        {
            "task_id": open_task.id,
            "task_title": "Open",
            "project_id": project.id,
            "project_name": "Site",
            "status": 0,
            "completed_at": None,
            "assignee_ids": [],
            "total_minutes": 120,
            "estimated_minutes": None,
            "estimate_percent": None,
        },
        {
            "task_id": None,
            "task_title": None,
            "project_id": project.id,
            "project_name": "Site",
            "status": None,
            "completed_at": None,
            "assignee_ids": [],
            "total_minutes": 45,
            "estimated_minutes": None,
            "estimate_percent": None,
        },
    ]
    assert {
        day: [(t["task_id"], t["total_minutes"]) for t in tasks]
        for day, tasks in first["daily_breakdown"].items()
    } == {
        "2024-01-15": [(done.id, 30)],
        "2024-01-16": [(done.id, 30), (open_task.id, 120)],
        "2024-01-17": [(None, 45)],
    }

    without = await report(space.owner, space, include_no_task="false")
    assert without["data"][0]["total_minutes"] == 180
    only = await report(space.owner, space, task_id=f"[{open_task.id}]", include_no_task="false")
    assert [u["user_id"] for u in only["data"]] == [ann.id]
    assert only["data"][0]["total_minutes"] == 120
    by_project = await report(space.owner, space, project_id=str(project.id))
    assert [u["user_id"] for u in by_project["data"]] == [ann.id, ben.id]
    assert (await report(space.owner, space, project_id=str(project.id + 1000)))["data"] == []
    alias = await report(space.owner, space, path="/reports/tasks")
    assert alias["data"] == body["data"]


async def test_paged_by_members_and_scoped(factory: Factory) -> None:
    space = await factory.space()
    people = [await factory.person(space, firstname=f"P{n}", lastname="X") for n in range(3)]
    for person in people:
        await factory.entry(person, at(16, 9), at(16, 10))
    page = await report(space.owner, space, per_page=2, page=2)
    assert [u["user_id"] for u in page["data"]] == [people[2].id]
    assert page["meta"]["pagination"] == {
        "current_page": 2,
        "last_page": 2,
        "per_page": 2,
        "total": 3,
        "from": 3,
        "to": 3,
    }
    mine = await report(people[1], space)
    assert [u["user_id"] for u in mine["data"]] == [people[1].id]
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    assert (await report(viewer, space))["data"] == []
    assert (await report(space.owner, space, users=f"{people[0].id}"))["meta"]["pagination"]["total"] == 1


async def test_export_holds_one_row_per_member_day_and_task(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, firstname="Ann", lastname="A")
    project = await factory.project(space)
    task = await factory.task(project, title="T")
    await factory.entry(member, at(15, 9), at(15, 10), task=task)
    await factory.entry(member, at(16, 9), at(16, 9, 30))
    response = await space.owner.api.get(
        "/reports/task-report", params={**space.ws, **RANGE, "format": "xlsx"}
    )
    assert response.headers["content-disposition"] == 'attachment; filename="task-report.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("date", "user_id", "user_name", "project_id", "task_id", "task_title", "total_minutes")
    assert [(r[0].date().isoformat(), r[4], r[6]) for r in rows[1:-1]] == [  # type: ignore[union-attr]
        ("2024-01-15", task.id, 60),
        ("2024-01-16", None, 30),
    ]
    assert rows[-1][0] == "Total" and rows[-1][-1] == 90


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": None},
        {"end_date": None},
        {"start_date": "2024-01-01", "end_date": "2024-02-01"},
        {"task_id": "a"},
        {"project_id": "[1,"},
        {"include_no_task": "maybe"},
    ],
)
async def test_bad_values_are_422(factory: Factory, params: dict[str, Any]) -> None:
    space = await factory.space()
    query = {k: v for k, v in {**space.ws, **RANGE, **params}.items() if v is not None}
    err(await space.owner.api.get("/reports/task-report", params=query), 422)
