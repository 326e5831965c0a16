"""Members' local days: the windows computed with zoneinfo, and the SQL that cuts entries
against them, on the database under test (SQLite and PostgreSQL), at DST changes and
across local midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import err, ok
from tests.factories import Factory
from webwork.kit.db import UTCDateTime
from webwork.kit.errors import ValidationFailed
from webwork.reports.localdays import (
    MAX_WINDOWS,
    DayWindow,
    day_number,
    day_number_of,
    day_of_number,
    day_windows,
    epoch_seconds,
    whole_day,
    windows_table,
)
from webwork.reports.repository import TimeFilters, bounds_table, bounds_windows
from webwork.reports.repository import _days_statement as project_days_statement


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/New_York", date(2024, 3, 10), 23),
        ("America/New_York", date(2024, 11, 3), 25),
        ("Europe/Berlin", date(2024, 3, 31), 23),
        ("Europe/Berlin", date(2024, 10, 27), 25),
        ("Europe/Berlin", date(2024, 10, 28), 24),
        ("UTC", date(2024, 2, 29), 24),
    ],
)
def test_windows_are_the_local_days(zone: str, day: date, hours: int) -> None:
    (window,) = day_windows([zone], day, day)
    assert window.end - window.start == timedelta(hours=hours)
    assert window.day == day and window.timezone == zone


def test_windows_follow_each_other_per_zone() -> None:
    windows = day_windows(["Europe/Berlin", "UTC", "Europe/Berlin"], date(2024, 3, 30), date(2024, 4, 1))
    assert [w.timezone for w in windows] == ["Europe/Berlin"] * 3 + ["UTC"] * 3
    assert all(a.end == b.start for a, b in pairwise(windows[:3]))
    assert windows[0].start == utc(3, 29, 23)


def test_too_many_windows_is_a_422() -> None:
    zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"] * 5
    distinct = len(set(zones))
    days = MAX_WINDOWS // distinct + 1
    with pytest.raises(ValidationFailed):
        day_windows(zones, date(2024, 1, 1), date(2024, 1, 1) + timedelta(days=days - 1))


# (timezone, entry start, entry end, range, expected minutes per day)
CASES = [
    # 22:00 EST on 03-09 to 04:00 EDT on 03-10: 2 h, then 3 h (02:00-03:00 does not exist)
    ("America/New_York", utc(3, 10, 3), utc(3, 10, 8), ("2024-03-09", "2024-03-10"), {9: 120, 10: 180}),
    # the whole 23-hour day
    ("America/New_York", utc(3, 10, 5), utc(3, 11, 4), ("2024-03-10", "2024-03-10"), {10: 23 * 60}),
    # the whole 25-hour day in November
    ("America/New_York", utc(11, 3, 4), utc(11, 4, 5), ("2024-11-03", "2024-11-03"), {3: 25 * 60}),
    # 23:30 CET on 03-30 to 04:00 CEST on 03-31
    ("Europe/Berlin", utc(3, 30, 22, 30), utc(3, 31, 2), ("2024-03-30", "2024-03-31"), {30: 30, 31: 180}),
    # 23:00 CEST on 10-26 to 03:00 CET on 10-27 (02:00-03:00 twice): 1 h, then 4 h
    ("Europe/Berlin", utc(10, 26, 21), utc(10, 27, 2), ("2024-10-26", "2024-10-27"), {26: 60, 27: 240}),
    # only the part inside the range counts
    ("UTC", utc(5, 1, 20), utc(5, 2, 6), ("2024-05-02", "2024-05-02"), {2: 360}),
    ("UTC", utc(5, 1, 20), utc(5, 2, 6), ("2024-05-01", "2024-05-01"), {1: 240}),
    # ending at midnight: the one day
    ("UTC", utc(5, 1, 20), utc(5, 2, 0), ("2024-05-01", "2024-05-02"), {1: 240}),
    # half a second past midnight: that second counts nothing, but names the day
    (
        "UTC",
        utc(5, 1, 23, 59),
        utc(5, 2, 0).replace(microsecond=500000),
        ("2024-05-01", "2024-05-02"),
        {1: 1, 2: 0},
    ),
    # an empty entry counts nothing on its day, and one at midnight on none
    ("UTC", utc(5, 1, 10), utc(5, 1, 10), ("2024-05-01", "2024-05-02"), {1: 0}),
    ("Europe/Berlin", utc(5, 1, 22), utc(5, 1, 22), ("2024-05-01", "2024-05-02"), {}),
]


@pytest.mark.parametrize(("zone", "start", "end", "dates", "expected"), CASES)
async def test_sql_cuts_entries_at_local_midnight(
    factory: Factory,
    zone: str,
    start: datetime,
    end: datetime,
    dates: tuple[str, str],
    expected: dict[int, int],
) -> None:
    space = await factory.space()
    member = await factory.person(space, timezone=zone)
    await factory.entry(member, start, end)
    params = {**space.ws, "start_date": dates[0], "end_date": dates[1]}
    days = ok(await space.owner.api.get("/reports/tracked-hours", params=params))["data"]
    found = {date.fromisoformat(d).day: users[0]["total_minutes"] for d, users in days.items() if users}
    assert found == expected


async def test_a_zone_per_member(factory: Factory) -> None:
    """The same instant is a different date for members in different zones."""
    space = await factory.space()
    tokyo = await factory.person(space, timezone="Asia/Tokyo")
    la = await factory.person(space, timezone="America/Los_Angeles")
    for member in (tokyo, la):
        await factory.entry(member, utc(6, 1, 20), utc(6, 1, 21))
    params = {**space.ws, "start_date": "2024-05-31", "end_date": "2024-06-02"}
    days = ok(await space.owner.api.get("/reports/tracked-hours", params=params))["data"]
    assert [u["user_id"] for u in days["2024-06-02"]] == [tokyo.id]
    assert [u["user_id"] for u in days["2024-06-01"]] == [la.id]
    assert days["2024-05-31"] == []


async def test_the_range_is_bounded(factory: Factory) -> None:
    space = await factory.space()
    params = {**space.ws, "start_date": "2024-01-01", "end_date": "2025-01-01"}
    assert (
        "end_date" in err(await space.owner.api.get("/reports/tracked-hours", params=params), 422)["errors"]
    )


async def test_day_numbers_in_sql(session: AsyncSession) -> None:
    """A window's date as days since 1970-01-01, as the database under test counts it."""
    windows = day_windows(["UTC", "America/New_York"], date(2024, 2, 28), date(2024, 3, 1))
    table = windows_table(windows)
    dialect = session.get_bind().dialect.name
    rows = (await session.execute(select(table.c.day, day_number_of(table.c.day, dialect)))).all()
    assert len(rows) == 6
    assert all(number == day_number(day) for day, number in rows)
    assert day_of_number(day_number(date(2024, 2, 29))) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("instant", "seconds"),
    [
        (datetime(2024, 1, 1, tzinfo=UTC), 1704067200),
        (datetime(2024, 1, 1, 0, 0, 0, 500000, tzinfo=UTC), 1704067200),
        (datetime(2099, 12, 31, 23, 59, 59, 999000, tzinfo=UTC), 4102444799),
        (datetime(2000, 1, 1, 0, 0, 1, 1000, tzinfo=UTC), 946684801),
    ],
)
async def test_epoch_seconds_drop_the_fraction(
    session: AsyncSession, instant: datetime, seconds: int
) -> None:
    """Whole seconds, the fraction dropped (SQLite reads timestamps to the millisecond)."""
    dialect = session.get_bind().dialect.name
    found = await session.scalar(select(epoch_seconds(literal(instant, UTCDateTime()), dialect)))
    assert found == seconds


async def test_epoch_seconds_keep_the_last_microsecond_on_postgresql(session: AsyncSession) -> None:
    """PostgreSQL's double of the epoch floors to the second below even a microsecond
    before the next, up to the API's last date."""
    dialect = session.get_bind().dialect.name
    if dialect != "postgresql":
        pytest.skip("SQLite reads timestamps to the millisecond")
    for instant in (
        datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        utc(3, 10, 6).replace(microsecond=999999),
    ):
        found = await session.scalar(select(epoch_seconds(literal(instant, UTCDateTime()), dialect)))
        assert found == int(instant.timestamp())


def holding(windows: list[DayWindow], start: datetime, end: datetime) -> date | None:
    """The window holding all of [start, end) that the windows' join counts it on."""
    found = [w.day for w in windows if w.start <= start < w.end and w.start < end <= w.end]
    return found[0] if found else None


NEW_YORK = day_windows(["America/New_York"], date(2024, 3, 9), date(2024, 3, 11))
# (start, end, the day holding it): 03-10 is 23 hours long (05:00 to 04:00 UTC)
WHOLE_DAYS = [
    (utc(3, 9, 12), utc(3, 9, 13), date(2024, 3, 9)),
    (utc(3, 10, 5), utc(3, 10, 5), None),  # empty, at a midnight
    (utc(3, 10, 6), utc(3, 10, 6), date(2024, 3, 10)),  # empty, within the day
    (utc(3, 10, 20), utc(3, 11, 4), date(2024, 3, 10)),  # ends at the next midnight
    (utc(3, 10, 20), utc(3, 11, 4).replace(microsecond=500000), None),
    (utc(3, 11, 3, 30), utc(3, 11, 4, 30), None),  # across the short day's end
    (utc(3, 9, 3), utc(3, 9, 6), None),  # starts before the range
    (utc(3, 12, 3), utc(3, 12, 3, 30), date(2024, 3, 11)),  # the last day, 23:00 EDT
    (utc(3, 12, 4), utc(3, 12, 5), None),  # after the range
]


async def test_windows_from_the_bounds_are_the_windows(session: AsyncSession) -> None:
    """PostgreSQL makes the windows from each zone's local midnights, with no parameter
    of their own: the same rows as the VALUES table of the windows."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("only PostgreSQL searches the windows (SQLite joins them all)")
    windows = day_windows(["America/New_York", "UTC", "Asia/Kathmandu"], date(2024, 3, 9), date(2024, 3, 12))
    table = bounds_windows(bounds_table(windows), date(2024, 3, 9))
    stmt = select(table.c.timezone, table.c.day, table.c.day_start, table.c.day_end)
    rows = sorted(tuple(row) for row in await session.execute(stmt))
    assert rows == sorted((w.timezone, w.day, w.start, w.end) for w in windows)
    assert len(stmt.compile(session.get_bind()).params) < 4 * len(windows)  # a VALUES row: 4


@pytest.mark.parametrize(("start", "end", "day"), WHOLE_DAYS)
async def test_whole_day_is_the_window_holding_the_entry(
    session: AsyncSession, start: datetime, end: datetime, day: date | None
) -> None:
    """PostgreSQL's search of a zone's midnights (``width_bucket``) finds the window the
    windows' join would count the entry on alone, or none when it counts on several."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("only PostgreSQL searches the windows (SQLite joins them all)")
    assert holding(NEW_YORK, start, end) == day
    bounds = bounds_table(NEW_YORK)
    held = whole_day(literal(start, UTCDateTime()), literal(end, UTCDateTime()), bounds, date(2024, 3, 9))
    found = await session.scalar(select(held).select_from(bounds))
    assert found == (None if day is None else day_number(day))


async def test_the_days_statement_is_compiled_once_on_postgresql(
    factory: Factory, session: AsyncSession
) -> None:
    """The statement of tracked hours' days has a cache key whatever its range and
    zones (bound parameters, no VALUES table that SQLAlchemy would not cache): compiled
    once, not at every call."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's windows are a VALUES table, compiled at each call")
    space = await factory.space()
    cache: dict[Any, Any] = {}
    connection = await (await session.connection()).execution_options(compiled_cache=cache)
    for zones, first, last in (
        (["UTC"], date(2024, 3, 1), date(2024, 3, 31)),
        (["UTC"], date(2024, 4, 1), date(2024, 4, 30)),
        (["Asia/Kathmandu"], date(2024, 1, 1), date(2024, 12, 31)),
    ):
        stmt = project_days_statement(session, space.actor(), TimeFilters(), day_windows(zones, first, last))
        await connection.execute(stmt)
    assert len(cache) == 1
