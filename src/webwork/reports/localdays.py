"""Members' local days in SQL, the same on SQLite and PostgreSQL.

A report's day is the member's local day (``memberships.timezone``): an entry from 22:00
to 02:00 local time counts two hours on each of two dates, and a DST day has 23 or 25
hours. SQLite has no timezone database, so the days are computed here, with zoneinfo,
as a small table of windows ``(timezone, day, day_start, day_end)`` (UTC instants, one
row per timezone of the members asked about and local date of the range), which a
report joins on the member's timezone and cuts each entry against:

    seconds of an entry on a local day = its overlap with that day's window

That handles DST exactly (the window of 2024-03-10 in America/New_York is 23 hours long)
and needs nothing of the database but comparing timestamps. The expressions a dialect
writes its own way are a timestamp's whole seconds since the epoch
(:func:`epoch_seconds`; :func:`seconds_within` builds the overlap from it) and a date's
day number (:func:`day_number_of`).

Joining every entry to every window of its timezone costs a comparison per window (a
month of 1,000 members: 1.2 million). On PostgreSQL, the tracked hours find the one
window holding an entry with ``width_bucket`` over the zone's local midnights as an array
(:func:`repository.bounds_table`, :func:`whole_day`): a binary search, no join; only the entries
that cross a local midnight (or start before the range) are cut against the windows.

For the next reports: ``windows = day_windows(zones, first, last)``, then
``table = repository._local_days(session, windows)`` (this VALUES table on SQLite; on
PostgreSQL the same rows from the zones' midnights, which SQLAlchemy can cache) joined as
``join(table, and_(table.c.timezone == Membership.timezone, overlaps(start, end, table)))``
and ``func.sum(seconds_within(start, end, table, dialect))`` grouped by ``table.c.day``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    values,
)
from sqlalchemy.sql.expression import CTE

from webwork.kit.days import local_midnight
from webwork.kit.db import UTCDateTime
from webwork.kit.errors import invalid

# Four bind parameters a window: 6,000 of them (16 timezones over a year) stay well under
# PostgreSQL's 32,767 parameters per statement, with room for the lists of ids.
MAX_WINDOWS = 6000


@dataclass(frozen=True)
class DayWindow:
    """One local date of one timezone, as the UTC instants [start, end)."""

    timezone: str
    day: date
    start: datetime
    end: datetime


def day_windows(timezones: Iterable[str], first: date, last: date) -> list[DayWindow]:
    """The windows of every local date first..last in each of ``timezones``; 422 on
    ``end_date`` when there would be more than :data:`MAX_WINDOWS`."""
    zones = sorted(set(timezones))
    days = (last - first).days + 1
    if len(zones) * days > MAX_WINDOWS:
        raise invalid(
            "end_date",
            f"The members asked about span {len(zones)} timezones: narrow the date range "
            f"to at most {MAX_WINDOWS // max(len(zones), 1)} days or filter the users.",
        )
    windows = []
    for name in zones:
        zone = zone_of(name)
        starts = [local_midnight(first + timedelta(days=n), zone) for n in range(days + 1)]
        windows += [DayWindow(name, first + timedelta(days=n), starts[n], starts[n + 1]) for n in range(days)]
    return windows


def zone_of(name: str) -> ZoneInfo:
    """The rules of a stored timezone; UTC's for a name the tz database does not know
    (every write checks the name, so only rows from before that check could hold one)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def windows_table(windows: list[DayWindow]) -> CTE:
    """The windows as a ``WITH local_days(timezone, day, day_start, day_end) AS (VALUES
    ...)`` table (both databases accept a VALUES common table expression)."""
    rows = values(
        column("timezone", String(64)),
        column("day", Date()),
        column("day_start", UTCDateTime()),
        column("day_end", UTCDateTime()),
        name="local_days",
    ).data([(w.timezone, w.day, w.start, w.end) for w in windows])
    return rows.cte("local_days")


def span(windows: list[DayWindow]) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) covering every window: the range a report reads
    entries in (by the start index) before cutting them."""
    return min(w.start for w in windows), max(w.end for w in windows)


def epoch_seconds(instant: Any, dialect: str) -> ColumnElement[int]:
    """Whole seconds since 1970-01-01 UTC of a stored timestamp (fractions dropped):
    SQLite stores UTC text and reads it with ``strftime('%s')``; PostgreSQL takes
    ``date_part('epoch', ...)`` of its timestamptz, a double (``extract`` gives a
    numeric, several times slower to compute with). The double is exact enough to floor:
    the stored microseconds over 10^6, rounded once, stay under the next whole second for
    any instant before 2106 (the API's dates end in 2099)."""
    if dialect == "sqlite":
        return cast(func.strftime("%s", instant), BigInteger)
    return cast(func.floor(func.date_part(literal_column("'epoch'"), instant)), BigInteger)


EPOCH_DAY = date(1970, 1, 1)
# julianday('1970-01-01') on SQLite.
EPOCH_JULIAN_DAY = 2440587.5


def day_number(day: date) -> int:
    """Days since 1970-01-01: how a report's statement names a local date (an integer
    travels from the database several times cheaper than a date)."""
    return (day - EPOCH_DAY).days


def day_of_number(number: int) -> date:
    return EPOCH_DAY + timedelta(days=number)


def day_number_of(day: Any, dialect: str) -> ColumnElement[int]:
    """:func:`day_number` in SQL, of a window's ``day``: SQLite counts with
    ``julianday``, PostgreSQL subtracts dates."""
    if dialect == "sqlite":
        return cast(func.julianday(day) - EPOCH_JULIAN_DAY, Integer)
    return cast(day - literal(EPOCH_DAY, Date()), Integer)


def whole_day(start: Any, end: Any, bounds: CTE, first: date) -> ColumnElement[int | None]:
    """PostgreSQL: the :func:`day_number` of the one window of ``bounds`` (a row of
    :func:`repository.bounds_table`, its windows from ``first`` on) that holds all of [start,
    end); NULL when it touches another window or none, or is an empty entry at a window's
    start (which the windows' join counts nowhere). ``width_bucket`` finds the window
    the start lies in by binary search (1 for the first, 0 before it, one more than
    the windows after the last)."""
    n = func.width_bucket(start, bounds.c.bounds, type_=Integer)
    # Before the first window (0) or after the last (days + 1), a bound is out of the
    # array, NULL, and so is the comparison: no need to test ``n`` itself.
    holds = and_(end > bounds.c.bounds[n], end <= bounds.c.bounds[n + 1])
    return case((holds, n + (day_number(first) - 1)), else_=None)


def overlaps(start: Any, end: Any, table: CTE) -> ColumnElement[bool]:
    """Whether [start, end) shares time with the window of a row of ``table``."""
    return and_(start < table.c.day_end, end > table.c.day_start)


def seconds_within(start: Any, end: Any, table: CTE, dialect: str) -> ColumnElement[int]:
    """Seconds of [start, end) inside the window of a row of ``table`` (join with
    :func:`overlaps`, so the overlap is never negative)."""
    later_start = case((start > table.c.day_start, start), else_=table.c.day_start)
    earlier_end = case((end < table.c.day_end, end), else_=table.c.day_end)
    return epoch_seconds(earlier_end, dialect) - epoch_seconds(later_start, dialect)
