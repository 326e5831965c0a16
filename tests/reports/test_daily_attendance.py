"""`/reports/daily-attendance`: each status on fixed data (members in New York, one in
UTC; a DST day), the ``status`` filter, paging, each role's scope, the exports read back
and the refusals. The rules are ``reports/attendance.py``'s."""

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

NOW = datetime(2024, 3, 12, 12, tzinfo=UTC)
MONDAY = "2024-03-11"  # New York on EDT (UTC-4) since the 10th
DST_SUNDAY = "2024-03-10"  # New York's day of 23 hours


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    frozen_clock(NOW)


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    """A New York local time in March 2024 after the change (UTC-4), as UTC."""
    return datetime(2024, 3, day, hour + 4, minute, tzinfo=UTC)


@dataclass
class Staff:
    space: Space
    pam: Person  # present all day, one break
    larry: Person  # late
    lena: Person  # UTC: left early
    tess: Person  # tracked less, a long break
    abe: Person  # absent (a pending leave does not count)
    olga: Person  # on approved leave
    dot: Person  # works Sundays: the DST day
    tm: Person  # manages tess's team
    viewer: Person  # granted the project larry has a contract on


async def staff(factory: Factory) -> Staff:
    space = await factory.space()
    zone = {"timezone": "America/New_York"}
    pam = await factory.person(space, firstname="Pam", lastname="P", **zone)
    larry = await factory.person(space, firstname="Larry", lastname="L", **zone)
    lena = await factory.person(space, firstname="Lena", lastname="L")
    tess = await factory.person(space, firstname="Tess", lastname="T", **zone)
    abe = await factory.person(space, firstname="Abe", lastname="A", **zone)
    olga = await factory.person(space, firstname="Olga", lastname="O", **zone)
    dot = await factory.person(space, firstname="Dot", lastname="D", work_days="1,2,3,4,5,6,7", **zone)
    tm = await factory.person(space, Role.TEAM_MANAGER, firstname="Tom", lastname="M", **zone)
    viewer = await factory.person(space, Role.PROJECT_VIEWER, firstname="Vic", lastname="V")
    await factory.team(space, members=[tess], managers=[tm])
    project = await factory.project(space, name="Granted")
    await factory.grant(project, viewer)
    granted = await factory.contract(project, larry)
    await factory.entry(pam, ny(11, 9), ny(11, 12), activity_level=90)
    await factory.entry(pam, ny(11, 12, 30), ny(11, 17, 30), activity_level=60)
    await factory.entry(larry, ny(11, 9, 45), ny(11, 12), contract=granted)
    await factory.entry(larry, ny(11, 12), ny(11, 17, 45))
    await factory.entry(lena, datetime(2024, 3, 11, 8, tzinfo=UTC), datetime(2024, 3, 11, 16, tzinfo=UTC))
    await factory.entry(tess, ny(11, 9), ny(11, 11))
    await factory.entry(tess, ny(11, 15), ny(11, 17))
    await factory.leave(abe, date(2024, 3, 11), date(2024, 3, 11), status="pending")
    await factory.leave(olga, date(2024, 3, 8), date(2024, 3, 12))
    # 09:00-17:00 on the DST day is 13:00-21:00 UTC (EDT); read as EST it would be late.
    await factory.entry(dot, ny(10, 9), ny(10, 17))
    await factory.entry(dot, ny(11, 9), ny(11, 17))
    return Staff(space, pam, larry, lena, tess, abe, olga, dot, tm, viewer)


async def attendance(person: Person, space: Space, **params: Any) -> Any:
    return ok(
        await person.api.get("/reports/daily-attendance", params={**space.ws, "date": MONDAY, **params})
    )


def by_name(body: Any) -> dict[str, Any]:
    return {row["user_name"].split()[0]: row for row in body["data"]}


async def test_each_status_on_a_work_day(factory: Factory) -> None:
    s = await staff(factory)
    rows = by_name(await attendance(s.space.owner, s.space))
    owner = s.space.owner.user.firstname
    assert {name: row["statuses"] for name, row in rows.items()} == {
        owner: ["Absent"],
        "Abe": ["Absent"],
        "Dot": ["Present"],
        "Larry": ["Present", "Late"],
        "Lena": ["Present", "Left early"],
        "Olga": ["On leave"],
        "Pam": ["Present"],
        "Tess": ["Present", "Tracked less"],
        "Tom": ["Absent"],
        "Vic": ["Absent"],
    }
    pam = rows["Pam"]
    assert {
        k: pam[k] for k in ("scheduled_minutes", "tracked_minutes", "late_minutes", "left_early_minutes")
    } == {
        "scheduled_minutes": 480,
        "tracked_minutes": 480,
        "late_minutes": 0,
        "left_early_minutes": 0,
    }
    assert (pam["first_start"], pam["last_end"], pam["breaks"], pam["break_minutes"]) == (
        "09:00",
        "17:30",
        ["12:00 - 12:30"],
        30,
    )
    assert pam["productivity"] == 100.0
    assert pam["activity_level"] == 71.25  # (90 * 3 h + 60 * 5 h) / 8 h
    assert (pam["work_start"], pam["work_end"], pam["grace_minutes"]) == ("09:00", "17:00", 10)
    assert rows["Larry"]["late_minutes"] == 45 and rows["Larry"]["first_start"] == "09:45"
    lena = rows["Lena"]
    assert (lena["timezone"], lena["first_start"], lena["last_end"], lena["left_early_minutes"]) == (
        "UTC",
        "08:00",
        "16:00",
        60,
    )
    tess = rows["Tess"]
    assert (tess["tracked_minutes"], tess["productivity"], tess["breaks"]) == (240, 50.0, ["11:00 - 15:00"])
    assert rows["Abe"]["scheduled_minutes"] == 480 and rows["Abe"]["first_start"] is None
    assert rows["Olga"]["scheduled_minutes"] == 0 and rows["Olga"]["productivity"] is None


async def test_the_dst_day_and_days_off(factory: Factory) -> None:
    s = await staff(factory)
    rows = by_name(await attendance(s.space.owner, s.space, date=DST_SUNDAY))
    dot = rows["Dot"]
    assert dot["statuses"] == ["Present"] and dot["is_work_day"]
    assert (dot["first_start"], dot["last_end"], dot["late_minutes"], dot["scheduled_minutes"]) == (
        "09:00",
        "17:00",
        0,
        480,
    )
    assert rows["Pam"]["statuses"] == [] and not rows["Pam"]["is_work_day"]  # Sunday: no status
    # A holiday: nobody is absent or late; time is still "Present".
    await factory.holiday(s.space, date(2024, 3, 11))
    rows = by_name(await attendance(s.space.owner, s.space))
    assert rows["Abe"]["statuses"] == ["Holiday"]
    assert rows["Larry"]["statuses"] == ["Holiday", "Present"] and rows["Larry"]["late_minutes"] == 0


async def test_status_filter_and_paging(factory: Factory) -> None:
    s = await staff(factory)
    late = await attendance(s.space.owner, s.space, status="late")
    assert [r["user_id"] for r in late["data"]] == [s.larry.id]
    missing = await attendance(s.space.owner, s.space, status='["absent","on_leave"]')
    owner = s.space.owner.user.firstname
    assert {r["user_name"].split()[0] for r in missing["data"]} == {"Abe", "Olga", "Tom", "Vic", owner}
    assert missing["meta"]["pagination"]["total"] == len(missing["data"])
    paged = await attendance(s.space.owner, s.space, status="absent,on_leave", per_page=2, page=2)
    assert paged["meta"]["pagination"]["total"] == missing["meta"]["pagination"]["total"]
    assert [r["user_id"] for r in paged["data"]] == [r["user_id"] for r in missing["data"][2:4]]
    everyone = await attendance(s.space.owner, s.space)
    second = await attendance(s.space.owner, s.space, per_page=3, page=2)
    assert second["data"] == everyone["data"][3:6]
    assert second["meta"]["pagination"]["total"] == len(everyone["data"])
    only = await attendance(s.space.owner, s.space, users=f"{s.pam.id},{s.abe.id}")
    assert [r["user_id"] for r in only["data"]] == [s.abe.id, s.pam.id]


async def test_each_role_reports_on_its_members(factory: Factory) -> None:
    s = await staff(factory)
    assert [r["user_id"] for r in (await attendance(s.pam, s.space))["data"]] == [s.pam.id]
    assert {r["user_id"] for r in (await attendance(s.tm, s.space))["data"]} == {s.tess.id, s.tm.id}
    # A project viewer: the members contracted on their projects, counting only that time.
    viewed = (await attendance(s.viewer, s.space))["data"]
    assert [(r["user_id"], r["tracked_minutes"]) for r in viewed] == [(s.larry.id, 135)]
    # Leave shows only to whoever sees it: a member sees no one else's anyway.
    assert (await attendance(s.olga, s.space))["data"][0]["statuses"] == ["On leave"]


async def test_refusals(factory: Factory, two_spaces: tuple[Space, Space]) -> None:
    s = await staff(factory)
    api = s.space.owner.api
    path = "/reports/daily-attendance"
    err(await factory.anonymous.get(path, params={**s.space.ws, "date": MONDAY}), 401)
    assert "date" in err(await api.get(path, params=s.space.ws), 422)["errors"]
    assert "date" in err(await api.get(path, params={**s.space.ws, "date": "2022-01-01"}), 422)["errors"]
    assert (
        "status"
        in err(await api.get(path, params={**s.space.ws, "date": MONDAY, "status": "busy"}), 422)["errors"]
    )
    _, b = two_spaces
    err(await b.owner.api.get(path, params={**s.space.ws, "date": MONDAY}), 404)


async def test_exports_hold_the_json(factory: Factory) -> None:
    s = await staff(factory)
    body = await attendance(s.space.owner, s.space)
    expected = [
        [
            str(r["user_id"]),
            r["user_name"],
            ", ".join(r["statuses"]),
            *(str(r[k]) for k in ("scheduled_minutes", "tracked_minutes", "late_minutes")),
            *(str(r[k]) for k in ("left_early_minutes", "break_minutes")),
            r["first_start"] or "",
            r["last_end"] or "",
            ", ".join(r["breaks"]),
            "" if r["productivity"] is None else str(r["productivity"]).removesuffix(".0"),
        ]
        for r in body["data"]
    ]
    response = await s.space.owner.api.get(
        "/reports/daily-attendance", params={**s.space.ws, "date": MONDAY, "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["user_id", "user_name", "statuses"]
    assert [row[:-1] for row in rows[1:]] == [row[:-1] for row in expected]
    assert [float(row[-1]) if row[-1] else None for row in rows[1:]] == [
        r["productivity"] for r in body["data"]
    ]
    xlsx = await s.space.owner.api.get(
        "/reports/daily-attendance", params={**s.space.ws, "date": MONDAY, "format": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))[1:]
    assert [(c[0], c[2], c[4], c[11]) for c in cells] == [
        (r["user_id"], ", ".join(r["statuses"]), r["tracked_minutes"], r["productivity"])
        for r in body["data"]
    ]
