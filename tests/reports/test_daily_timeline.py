"""`/reports/daily-timeline` (and `/reports/timeline`): the day's entries of each member
in their UTC offset, cut at local midnight, the idle gaps, amounts only with rate
permission, each role's scope, the exports read back, and the refusals."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest

from tests.assertions import err, ok
from tests.factories import Factory, Person, Space
from webwork.auth.roles import Role
from webwork.models import Project

NOW = datetime(2024, 1, 17, 10, 30, tzinfo=UTC)
DAY = {"date": "2024-01-16"}


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    frozen_clock(NOW)


def invalid_on(response: Any, field: str) -> None:
    assert field in err(response, 422)["errors"]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, minute, tzinfo=UTC)


@dataclass
class Day:
    space: Space
    alice: Person  # New York (UTC-5): three entries on the 16th, the last across midnight
    bob: Person  # UTC, in tm's team: one entry on p2
    pm: Person  # manages p1
    tm: Person
    viewer: Person  # granted p2
    p1: Project
    p2: Project


async def day_at_work(factory: Factory) -> Day:
    space = await factory.space()
    alice = await factory.person(space, firstname="Alice", lastname="A", timezone="America/New_York")
    bob = await factory.person(space, firstname="Bob", lastname="B")
    pm = await factory.person(space, Role.PROJECT_MANAGER, firstname="Pat", lastname="M")
    tm = await factory.person(space, Role.TEAM_MANAGER, firstname="Tom", lastname="M")
    viewer = await factory.person(space, Role.PROJECT_VIEWER, firstname="Vic", lastname="V")
    p1 = await factory.project(space, name="P1", managers=[pm], is_billable=True)
    p2 = await factory.project(space, name="P2", is_billable=True)
    await factory.grant(p2, viewer)
    await factory.team(space, members=[bob], managers=[tm])
    task = await factory.task(p1, title="Design")
    contract = await factory.contract(p1, alice, rate=60)
    # 09:00-10:00, 10:30-12:00 and 23:00-01:00 local (UTC-5).
    await factory.entry(
        alice,
        at(16, 14),
        at(16, 15),
        contract=contract,
        task=task,
        description="Mockups",
        activity_level=80,
        method="tracked",
    )
    await factory.entry(alice, at(16, 15, 30), at(16, 17), activity_level=50)
    await factory.entry(alice, at(17, 4), at(17, 6))
    await factory.entry(alice, at(15, 14), at(15, 15))  # another day
    await factory.entry(bob, at(16, 9), at(16, 9, 45), contract=await factory.contract(p2, bob, rate=20))
    return Day(space, alice, bob, pm, tm, viewer, p1, p2)


async def timeline(person: Person, space: Space, path: str = "/reports/daily-timeline", **params: Any) -> Any:
    return ok(await person.api.get(path, params={**space.ws, **DAY, **params}))


async def test_a_members_day_in_their_offset(factory: Factory) -> None:
    d = await day_at_work(factory)
    body = await timeline(d.space.owner, d.space)
    assert [u["user_name"] for u in body["data"]] == ["Alice A", "Bob B"]
    alice = body["data"][0]
    assert alice["timezone"] == "America/New_York"
    assert alice["total_minutes"] == 60 + 90 + 60
    assert alice["activity_level"] == 62.0  # (80 * 3600 + 50 * 5400) / 9000
    first, second, third = alice["entries"]
    assert first == {
        "id": first["id"],
        "start": "2024-01-16T09:00:00-05:00",
        "end": "2024-01-16T10:00:00-05:00",
        "minutes": 60,
        "clipped": False,
        "project": {"id": d.p1.id, "name": "P1"},
        "task": {"id": first["task"]["id"], "title": "Design"},
        "activity_description": "Mockups",
        "tracking_method": "Tracked",
        "activity_level": 80,
        "amount": 60,
        "currency": "USD",
    }
    assert (second["project"], second["task"], second["tracking_method"]) == (
        None,
        None,
        "Manually added time",
    )
    assert second["amount"] == 0
    assert (third["start"], third["end"], third["minutes"], third["clipped"]) == (
        "2024-01-16T23:00:00-05:00",
        "2024-01-17T00:00:00-05:00",
        60,
        True,
    )
    assert alice["idle"] == [
        {"start": "2024-01-16T10:00:00-05:00", "end": "2024-01-16T10:30:00-05:00", "minutes": 30},
        {"start": "2024-01-16T12:00:00-05:00", "end": "2024-01-16T23:00:00-05:00", "minutes": 660},
    ]
    assert body["meta"]["pagination"]["total"] == 2
    # The next day holds the rest of the entry across midnight.
    next_day = await timeline(d.space.owner, d.space, date="2024-01-17", users=str(d.alice.id))
    assert [(e["start"], e["minutes"]) for e in next_day["data"][0]["entries"]] == [
        ("2024-01-17T00:00:00-05:00", 60)
    ]


async def test_alias_and_paging(factory: Factory) -> None:
    d = await day_at_work(factory)
    main = await timeline(d.space.owner, d.space)
    alias = await timeline(d.space.owner, d.space, path="/reports/timeline")
    assert alias["data"] == main["data"]
    first = await timeline(d.space.owner, d.space, per_page=1)
    second = await timeline(d.space.owner, d.space, per_page=1, page=2)
    assert [u["user_id"] for u in first["data"] + second["data"]] == [d.alice.id, d.bob.id]
    assert first["meta"]["pagination"]["total"] == 2
    only_bob = await timeline(d.space.owner, d.space, user_ids=f"[{d.bob.id}]")
    assert [u["user_id"] for u in only_bob["data"]] == [d.bob.id]


async def test_each_role_sees_its_scope_and_amounts_need_rate_permission(factory: Factory) -> None:
    d = await day_at_work(factory)

    def entries(body: Any) -> dict[int, int]:
        return {u["user_id"]: len(u["entries"]) for u in body["data"]}

    assert entries(await timeline(d.alice, d.space)) == {d.alice.id: 3}
    assert entries(await timeline(d.tm, d.space)) == {d.bob.id: 1}
    assert entries(await timeline(d.pm, d.space)) == {d.alice.id: 1}  # p1 only
    assert entries(await timeline(d.viewer, d.space)) == {d.bob.id: 1}  # p2 only
    for caller in (d.alice, d.tm, d.pm, d.viewer):
        body = await timeline(caller, d.space)
        assert all("amount" not in e and "currency" not in e for u in body["data"] for e in u["entries"])


async def test_refusals(factory: Factory) -> None:
    d = await day_at_work(factory)
    other = await factory.space()
    api = d.space.owner.api
    err(await factory.anonymous.get("/reports/daily-timeline", params={**d.space.ws, **DAY}), 401)
    invalid_on(await api.get("/reports/daily-timeline", params=d.space.ws), "date")
    invalid_on(await api.get("/reports/daily-timeline", params={**d.space.ws, "date": "2022-12-31"}), "date")
    invalid_on(await api.get("/reports/timeline", params={**d.space.ws, "date": "2025-01-18"}), "date")
    invalid_on(await api.get("/reports/daily-timeline", params={**d.space.ws, **DAY, "users": "x"}), "users")
    err(await api.get("/reports/daily-timeline", params={**d.space.ws, **DAY, "per_page": 101}), 422)
    err(await other.owner.api.get("/reports/daily-timeline", params={**d.space.ws, **DAY}), 404)


async def test_exports_hold_the_json(factory: Factory) -> None:
    d = await day_at_work(factory)
    body = await timeline(d.space.owner, d.space)
    expected = [
        [
            "2024-01-16",
            str(u["user_id"]),
            u["user_name"],
            e["id"],
            e["start"],
            e["end"],
            str(e["minutes"]),
            str(e["project"]["id"]) if e["project"] else "",
            e["project"]["name"] if e["project"] else "",
            str(e["task"]["id"]) if e["task"] else "",
            e["task"]["title"] if e["task"] else "",
            e["activity_description"] or "",
            e["tracking_method"],
            "" if e["activity_level"] is None else str(e["activity_level"]),
            str(e["amount"]),
            e["currency"],
        ]
        for u in body["data"]
        for e in u["entries"]
    ]
    response = await d.space.owner.api.get(
        "/reports/daily-timeline", params={**d.space.ws, **DAY, "format": "csv"}
    )
    assert response.status_code == 200
    assert 'filename="daily-timeline-2024-01-16.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["date", "user_id", "user_name"] and rows[0][-2:] == ["amount", "currency"]
    assert rows[1:-1] == expected
    assert rows[-1][0] == "Total" and rows[-1][6] == str(sum(u["total_minutes"] for u in body["data"]))

    xlsx = await d.space.owner.api.get("/reports/timeline", params={**d.space.ws, **DAY, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    assert [[row[3], row[6], row[13]] for row in cells[1:-1]] == [
        [e["id"], e["minutes"], e["activity_level"]] for u in body["data"] for e in u["entries"]
    ]
    # Without rate permission: no amount columns.
    member = await d.alice.api.get("/reports/daily-timeline", params={**d.space.ws, **DAY, "format": "csv"})
    assert "amount" not in next(csv.reader(io.StringIO(member.text)))
