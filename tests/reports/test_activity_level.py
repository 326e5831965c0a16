"""`/reports/activity-level`: the duration-weighted activity level per member and local
day, manual minutes, the overall figures, scope, exports, refusals, and (hypothesis)
the SQL sums against a plain Python computation."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.assertions import err, ok
from tests.factories import Factory, Person, Space
from webwork.auth.roles import Role
from webwork.kit.days import seconds_by_local_day

NOW = datetime(2024, 1, 20, tzinfo=UTC)
RANGE = {"start_date": "2024-01-15", "end_date": "2024-01-16"}


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    frozen_clock(NOW)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, minute, tzinfo=UTC)


async def report(person: Person, space: Space, **params: Any) -> Any:
    return ok(await person.api.get("/reports/activity-level", params={**space.ws, **RANGE, **params}))


async def test_levels_per_day_and_overall(factory: Factory) -> None:
    space = await factory.space()
    ann = await factory.person(space, firstname="Ann", lastname="A", timezone="America/New_York")
    ben = await factory.person(space, firstname="Ben", lastname="B")
    project = await factory.project(space)
    contract = await factory.contract(project, ann)
    # Ann (UTC-5): local 15th 09:00-10:00 at 80, 10:00-11:00 at 40, 11:00-11:30 manual;
    # 23:00-01:00 across midnight at 100 (an hour on each day).
    await factory.entry(ann, at(15, 14), at(15, 15), contract=contract, activity_level=80)
    await factory.entry(ann, at(15, 15), at(15, 16), activity_level=40)
    await factory.entry(ann, at(15, 16), at(15, 16, 30))
    await factory.entry(ann, at(16, 4), at(16, 6), activity_level=100)
    await factory.entry(ben, at(16, 9), at(16, 10))  # manual only
    body = await report(space.owner, space)
    ann_row, ben_row = body["data"]
    assert ann_row["days"] == [
        {"date": "2024-01-15", "tracked_minutes": 210, "manual_minutes": 30, "activity_level": 73.33},
        {"date": "2024-01-16", "tracked_minutes": 60, "manual_minutes": 0, "activity_level": 100.0},
    ]
    # (80 * 60 + 40 * 60 + 100 * 120) / 240
    assert ann_row["overall"] == {"tracked_minutes": 270, "manual_minutes": 30, "activity_level": 80.0}
    assert ben_row["overall"] == {"tracked_minutes": 60, "manual_minutes": 60, "activity_level": None}
    assert body["meta"]["overall"] == {"tracked_minutes": 330, "manual_minutes": 90, "activity_level": 80.0}
    only = await report(space.owner, space, contract_id=contract.id)
    assert only["data"][0]["overall"] == {"tracked_minutes": 60, "manual_minutes": 0, "activity_level": 80.0}
    assert [r["user_id"] for r in (await report(space.owner, space, user_ids=str(ben.id)))["data"]] == [
        ben.id
    ]
    paged = await report(space.owner, space, per_page=1, page=2)
    assert [r["user_id"] for r in paged["data"]] == [ben.id]
    assert paged["meta"]["overall"] == ben_row["overall"]

    # Scope: a member sees themselves, a viewer only time on their projects.
    assert [r["user_id"] for r in (await report(ben, space))["data"]] == [ben.id]
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    assert (await report(viewer, space))["data"] == []
    await factory.grant(project, viewer)
    assert [r["overall"]["tracked_minutes"] for r in (await report(viewer, space))["data"]] == [60]

    # Exports: one row per member and day, the page's overall last.
    text = (
        await space.owner.api.get("/reports/activity-level", params={**space.ws, **RANGE, "format": "csv"})
    ).text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["date", "user_id", "user_name", "tracked_minutes", "manual_minutes", "activity_level"]
    expected = [
        [d["date"], str(u["user_id"]), u["user_name"], str(d["tracked_minutes"]), str(d["manual_minutes"])]
        for u in body["data"]
        for d in u["days"]
    ]
    assert [row[:5] for row in rows[1:-1]] == expected
    assert [float(row[5]) if row[5] else None for row in rows[1:-1]] == [
        d["activity_level"] for u in body["data"] for d in u["days"]
    ]
    assert rows[-1][:5] == ["Total", "", "", "330", "90"]
    xlsx = await space.owner.api.get(
        "/reports/activity-level", params={**space.ws, **RANGE, "format": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))[1:-1]
    assert [(c[1], c[3], c[5]) for c in cells] == [
        (u["user_id"], d["tracked_minutes"], d["activity_level"]) for u in body["data"] for d in u["days"]
    ]


async def test_refusals(factory: Factory, two_spaces: tuple[Space, Space]) -> None:
    a, b = two_spaces
    path = "/reports/activity-level"
    err(await factory.anonymous.get(path, params={**a.ws, **RANGE}), 401)
    err(await b.owner.api.get(path, params={**a.ws, **RANGE}), 404)
    api = a.owner.api
    assert "start_date" in err(await api.get(path, params={**a.ws, "end_date": "2024-01-16"}), 422)["errors"]
    long = {**a.ws, "start_date": "2024-01-01", "end_date": "2024-02-01"}
    assert "end_date" in err(await api.get(path, params=long), 422)["errors"]
    assert (
        "contract_id" in err(await api.get(path, params={**a.ws, **RANGE, "contract_id": "x"}), 422)["errors"]
    )


ZONES = ("UTC", "America/New_York", "Asia/Kathmandu")
START = datetime(2024, 3, 9, tzinfo=UTC)  # New York's DST change (the 10th) in the range
FIRST, LAST = date(2024, 3, 9), date(2024, 3, 11)


def weighted(pairs: list[tuple[int, int | None]]) -> float | None:
    """sum(level * seconds) / sum(seconds with a level), to the hundredth (half up)."""
    measured = [(s, lvl) for s, lvl in pairs if lvl is not None]
    seconds = sum(s for s, _ in measured)
    if seconds == 0:
        return None
    exact = Decimal(sum(s * lvl for s, lvl in measured)) / Decimal(seconds)
    return float(exact.quantize(Decimal("0.01"), ROUND_HALF_UP))


planned = st.tuples(
    st.integers(0, 1),  # member
    st.integers(0, 3 * 24 * 3600),  # start, seconds after START
    st.integers(1, 8 * 3600),  # length, seconds
    st.one_of(st.none(), st.integers(0, 100)),
)


@settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(zones=st.lists(st.sampled_from(ZONES), min_size=2, max_size=2), plan=st.lists(planned, max_size=8))
async def test_weighted_average_equals_plain_python(
    factory: Factory, zones: list[str], plan: list[tuple[int, int, int, int | None]]
) -> None:
    space = await factory.space()
    members = [await factory.person(space, timezone=zone, firstname=f"M{n}") for n, zone in enumerate(zones)]
    per_day: dict[tuple[int, date], list[tuple[int, int | None]]] = defaultdict(list)
    for member, offset, length, level in plan:
        start = START + timedelta(seconds=offset)
        end = start + timedelta(seconds=length)
        await factory.entry(members[member], start, end, activity_level=level)
        for day, seconds in seconds_by_local_day(start, end, zones[member]).items():
            if FIRST <= day <= LAST:
                per_day[(members[member].id, day)].append((seconds, level))
    body = ok(
        await space.owner.api.get(
            "/reports/activity-level",
            params={**space.ws, "start_date": FIRST.isoformat(), "end_date": LAST.isoformat()},
        )
    )
    got = {(u["user_id"], date.fromisoformat(d["date"])): d for u in body["data"] for d in u["days"]}
    assert set(got) == set(per_day)
    for key, pairs in per_day.items():
        assert got[key]["activity_level"] == weighted(pairs), key
        assert got[key]["tracked_minutes"] == sum(s for s, _ in pairs) // 60
        assert got[key]["manual_minutes"] == sum(s for s, lvl in pairs if lvl is None) // 60
    for user in body["data"]:
        pairs = [p for (uid, _), ps in per_day.items() if uid == user["user_id"] for p in ps]
        assert user["overall"]["activity_level"] == weighted(pairs)
    assert body["meta"]["overall"]["activity_level"] == weighted([p for ps in per_day.values() for p in ps])
