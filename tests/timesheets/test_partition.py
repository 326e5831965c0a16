"""Every recorded minute lies in exactly one timesheet period, whatever the member's
timezone does between approvals: the periods listed over a range add up to the time
recorded in it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.assertions import ok
from tests.factories import Factory, Person, Space
from webwork.models import TimeEntry
from webwork.timesheets.periods import KINDS, TimesheetKey, period_of, periods_overlapping

# The periods decided on start in October 2026 (Berlin's DST ends on 10-25, St John's
# on 11-01); the listing range holds every period an entry can fall in.
OCTOBER = date(2026, 10, 1)
LISTED = {"date_from": "2026-08-01", "date_to": "2027-01-31"}
ZONES = (
    "UTC",
    "Pacific/Kiritimati",  # UTC+14
    "Pacific/Pago_Pago",  # UTC-11
    "Asia/Kathmandu",  # UTC+5:45
    "America/St_Johns",  # UTC-3:30, then -2:30
    "Europe/Berlin",
    "Australia/Lord_Howe",  # a 30-minute DST
)
DAY = 24 * 60


@dataclass(frozen=True)
class Entry:
    """Time around where two periods meet: ``edge`` picks the meeting day, ``offset``
    the minutes from its UTC midnight (as far as any timezone's midnight lies)."""

    edge: int
    offset: int
    minutes: int


@dataclass(frozen=True)
class Round:
    """New time, then approvals (or reopenings) of periods, then a timezone change."""

    entries: list[Entry]
    decisions: list[int]
    timezone: str


entries = st.builds(Entry, st.integers(0, 4), st.integers(-27 * 60, 27 * 60), st.integers(1, 12 * 60))
rounds = st.builds(
    Round,
    st.lists(entries, max_size=3),
    st.lists(st.integers(0, 3), max_size=2),
    st.sampled_from(ZONES),
)


def decidable(kind: str) -> list[date]:
    """The first days of four periods in a row, from October on."""
    first = period_of(OCTOBER, kind)[0]
    return [start for start, _ in periods_overlapping(first, first + timedelta(days=100), kind)][:4]


async def add_entry(space: Space, member: Person, timezone: str, start: datetime, minutes: int) -> None:
    """Whole minutes from ``start``, up to the end of its local day (an entry is on one
    local day); refused (409) where approved, trimmed where the member has time."""
    local = start.astimezone(ZoneInfo(timezone))
    begin = local.hour * 60 + local.minute
    end = min(begin + minutes, DAY - 1)
    if end <= begin:
        return
    body = {
        **space.ws,
        "user_id": member.id,
        "date": local.date().isoformat(),
        "start_time": f"{begin // 60:02d}:{begin % 60:02d}",
        "end_time": f"{end // 60:02d}:{end % 60:02d}",
    }
    response = await space.owner.api.post("/time-entries", json=body)
    assert response.status_code in (201, 409, 422), response.text


async def decide(space: Space, member: Person, first: date) -> None:
    """Approve the period, or reopen it if it is approved."""
    path = f"/timesheets/{TimesheetKey(member.id, first).encode('webwork')}"
    if (await member.api.put(f"{path}/submit", json=space.ws)).status_code == 409:
        ok(await space.owner.api.put(f"{path}/reopen", json=space.ws))
        return
    ok(await space.owner.api.put(f"{path}/approve", json=space.ws))


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    # Each example builds its own workspace; the test's transaction rolls all of them back.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    kind=st.sampled_from(KINDS),
    timezone=st.sampled_from(ZONES),
    plan=st.lists(rounds, min_size=1, max_size=4),
)
async def test_the_periods_add_up_to_the_time_recorded(
    factory: Factory, frozen_clock: Callable[[datetime], None], kind: str, timezone: str, plan: list[Round]
) -> None:
    frozen_clock(datetime(2027, 1, 1, tzinfo=UTC))
    space = await factory.space(timesheet_period=kind)
    member = await factory.person(space, timezone=timezone)
    firsts = decidable(kind)
    # where periods meet: each first day, and the day after the last period
    edges = [*firsts, period_of(firsts[-1], kind)[1] + timedelta(days=1)]
    for step in plan:
        for entry in step.entries:
            midnight = datetime.combine(edges[entry.edge], time(0), tzinfo=UTC)
            await add_entry(
                space, member, timezone, midnight + timedelta(minutes=entry.offset), entry.minutes
            )
        for which in step.decisions:
            await decide(space, member, firsts[which])
        timezone = step.timezone
        moved = {"timezone": timezone}
        ok(await space.owner.api.put(f"/members/{member.id}", params=space.ws, json=moved))

    params = {**space.ws, **LISTED, "user_id": member.id, "per_page": 100}
    listed = ok(await space.owner.api.get("/timesheets", params=params))["data"]
    recorded = await factory.session.scalar(
        select(func.coalesce(func.sum(TimeEntry.duration_seconds), 0)).where(TimeEntry.user_id == member.id)
    )
    assert sum(item["total_minutes"] for item in listed) * 60 == recorded
