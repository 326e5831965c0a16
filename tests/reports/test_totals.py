"""Every total of the tracked-hours report, on random time around DST changes and local
midnights, equals the independent computation of ``tests/reports/oracle.py``; the
grouped answer and the exports add up to the same numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.assertions import ok
from tests.factories import Factory
from tests.reports.oracle import Recorded, amount, cell_seconds, project_minutes, user_day_minutes

ZONES = ("UTC", "America/New_York", "Europe/Berlin", "Asia/Kathmandu", "Australia/Lord_Howe")
# Ranges holding a DST change (New York 03-10 and 11-03, Berlin 03-31 and 10-27 in 2024;
# Lord Howe's 30-minute change on 04-07).
RANGES = (
    (date(2024, 3, 9), date(2024, 3, 11)),
    (date(2024, 11, 2), date(2024, 11, 4)),
    (date(2024, 3, 30), date(2024, 4, 1)),
    (date(2024, 10, 26), date(2024, 10, 28)),
    (date(2024, 4, 6), date(2024, 4, 8)),
)


@dataclass(frozen=True)
class Planned:
    member: int
    offset_minutes: int  # from the range's first UTC midnight, starting a day before
    length_seconds: int
    project: int  # 0, 1, or 2: no project
    with_task: bool


planned = st.builds(
    Planned,
    st.integers(0, 2),
    st.integers(0, 5 * 24 * 60),
    st.integers(1, 20 * 3600),
    st.integers(0, 2),
    st.booleans(),
)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    zones=st.lists(st.sampled_from(ZONES), min_size=3, max_size=3),
    window=st.sampled_from(RANGES),
    plan=st.lists(planned, max_size=8),
)
async def test_tracked_hours_equal_the_independent_computation(
    factory: Factory,
    frozen_clock: Callable[[datetime], None],
    zones: list[str],
    window: tuple[date, date],
    plan: list[Planned],
) -> None:
    frozen_clock(datetime(2025, 1, 1, tzinfo=UTC))
    space = await factory.space()
    members = [await factory.person(space, timezone=zone) for zone in zones]
    projects = [await factory.project(space, is_billable=True) for _ in range(2)]
    rates = [Decimal("30"), Decimal("47.5")]
    contracts = {
        (m, p): await factory.contract(projects[p], member, rate=rates[p])
        for m, member in enumerate(members)
        for p in range(2)
    }
    tasks = [await factory.task(project) for project in projects]
    first, last = window
    origin = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=1)
    recorded = []
    for item in plan:
        start = origin + timedelta(minutes=item.offset_minutes, seconds=item.offset_minutes % 7)
        end = start + timedelta(seconds=item.length_seconds)
        contract = contracts.get((item.member, item.project))
        task = tasks[item.project] if item.with_task and item.project < 2 else None
        await factory.entry(members[item.member], start, end, contract=contract, task=task)
        recorded.append(
            Recorded(
                members[item.member].id,
                zones[item.member],
                contract.project_id if contract else None,
                contract.id if contract else None,
                task.id if task else None,
                start,
                end,
            )
        )
    cells = cell_seconds(recorded, first, last)
    rate_of = {c.id: c.rate for c in contracts.values() if c.rate is not None}
    params = {**space.ws, "start_date": first.isoformat(), "end_date": last.isoformat()}

    body = ok(await space.owner.api.get("/reports/tracked-hours", params=params))
    days = body["data"]
    assert sorted(days) == [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    got_users = {
        (date.fromisoformat(d), u["user_id"]): u["total_minutes"] for d, us in days.items() for u in us
    }
    assert got_users == user_day_minutes(cells)
    got_projects = {
        (date.fromisoformat(d), u["user_id"], p["project_id"], p["contract_id"]): p["total_minutes"]
        for d, us in days.items()
        for u in us
        for p in u["projects"]
    }
    assert got_projects == project_minutes(cells)
    total = sum(seconds // 60 for seconds in cells.values())
    assert body["meta"]["totals"]["total_minutes"] == total
    assert Decimal(str(body["meta"]["totals"]["total_amount"]["USD"])) == amount(cells, rate_of)

    grouped = ok(
        await space.owner.api.get("/reports/tracked-hours", params={**params, "group_by": "user,day"})
    )
    by_user_day = {
        (date.fromisoformat(g2["key"]), g1["key"]): g2["total_minutes"]
        for g1 in grouped["data"]
        for g2 in g1["groups"]
    }
    assert by_user_day == got_users
    assert sum(g["total_minutes"] for g in grouped["data"]) == total

    exported = await space.owner.api.get("/reports/tracked-hours", params={**params, "format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[-1][0] == "Total" and int(rows[-1][3]) == total
    assert {(date.fromisoformat(r[0]), int(r[1])): int(r[3]) for r in rows[1:-1]} == got_users
