"""Cutting UTC intervals at the member's local midnights.

Days are the member's: an entry from 22:00 to 02:00 local time counts 2 hours on each
of two dates, and a DST day has 23 or 25 hours. Every per-day total goes through here."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from webwork.kit.errors import invalid
from webwork.kit.types import FIRST_DAY, LAST_DAY


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` starts in ``zone``."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, in UTC."""
    zone = ZoneInfo(timezone)
    return local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)


def range_bounds(first: date, last: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC covering the local dates first..last inclusive."""
    zone = ZoneInfo(timezone)
    return local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)


def seconds_by_local_day(start: datetime, end: datetime, timezone: str) -> dict[date, int]:
    """Split [start, end) at local midnights: {local date: seconds}."""
    zone = ZoneInfo(timezone)
    result: dict[date, int] = defaultdict(int)
    cursor = start
    while cursor < end:
        day = cursor.astimezone(zone).date()
        boundary = min(end, local_midnight(day + timedelta(days=1), zone))
        result[day] += int((boundary - cursor).total_seconds())
        cursor = boundary
    return dict(result)


def week_bounds(day: date) -> tuple[date, date]:
    """Monday..Sunday containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def check_date_range(first: date, last: date) -> None:
    """422 unless ``first`` (``date_from``) and ``last`` (``date_to``) lie in
    FIRST_DAY..LAST_DAY and ``last`` is not before ``first``: the range filter of lists."""
    for field, day in (("date_from", first), ("date_to", last)):
        if not FIRST_DAY <= day <= LAST_DAY:
            label = field.replace("_", " ")
            raise invalid(field, f"The {label} must be between {FIRST_DAY} and {LAST_DAY}.")
    if last < first:
        raise invalid("date_to", "The date to must be a date after or equal to date from.")
