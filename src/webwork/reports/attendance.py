"""The attendance rules: one member's local day against their work schedule
(``members.service.schedule_for``), from the parts of their counted entries on that day.

The schedule's hours are read on the date itself in the member's timezone, so a DST day
keeps its 09:00 and 17:00 local (the UTC instants move). With ``start`` and ``end`` the
scheduled instants, ``grace`` the schedule's grace minutes, ``first``/``last`` the first
start and last end of the day's time (entries cut at local midnight), and ``tracked``
the whole minutes of that time:

1. A holiday of the workspace: "Holiday" (and "Present" with any time); nothing is
   scheduled, nobody is late.
2. Else approved leave covering the date (leave the actor may see): "On leave" (and
   "Present" with any time); nothing scheduled.
3. Else not one of the schedule's work days: "Present" with any time, else no status;
   nothing scheduled.
4. Else (a work day, ``scheduled`` = end - start in minutes) without time: "Absent".
5. Else "Present", and each that holds:
   - "Late": ``first > start + grace``; ``late_minutes`` = first - start;
   - "Left early": ``last < end - grace``; ``left_early_minutes`` = end - last;
   - "Tracked less": ``tracked < scheduled``.

``breaks`` are the gaps of at least a minute between consecutive entries (overlapping
entries merged) within start..end, whatever the case; ``productivity`` is tracked /
scheduled in percent (null when nothing is scheduled)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from webwork.members.schedules import Schedule

HUNDREDTH = Decimal("0.01")


class Status(StrEnum):
    PRESENT = "Present"
    LATE = "Late"
    LEFT_EARLY = "Left early"
    TRACKED_LESS = "Tracked less"
    ABSENT = "Absent"
    ON_LEAVE = "On leave"
    HOLIDAY = "Holiday"


# The ``status`` filter's values.
STATUS_KEYS = {status.name.lower(): status for status in Status}


@dataclass(frozen=True)
class Span:
    """Part of an entry within the day, UTC."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> int:
        return int(self.end.timestamp()) - int(self.start.timestamp())


@dataclass(frozen=True)
class AttendanceDay:
    statuses: list[Status]
    is_work_day: bool
    scheduled_minutes: int
    tracked_minutes: int
    late_minutes: int
    left_early_minutes: int
    first_start: datetime | None
    last_end: datetime | None
    breaks: list[Span]
    productivity: float | None


def percent(part: int, whole: int) -> float | None:
    """``part / whole`` in percent to the hundredth (half up), null for a zero whole."""
    if whole == 0:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, ROUND_HALF_UP))


def scheduled_span(schedule: Schedule, day: date, zone: ZoneInfo) -> Span:
    start = datetime.combine(day, schedule.work_start, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day, schedule.work_end, tzinfo=zone).astimezone(UTC)
    return Span(start, end)


def gaps(spans: Sequence[Span]) -> list[Span]:
    """The gaps between consecutive spans (by start, overlapping ones merged)."""
    found = []
    ordered = sorted(spans, key=lambda s: s.start)
    reached = ordered[0].end if ordered else None
    for span in ordered[1:]:
        assert reached is not None
        if span.start > reached:
            found.append(Span(reached, span.start))
        reached = max(reached, span.end)
    return found


def evaluate(
    schedule: Schedule, day: date, zone: ZoneInfo, spans: Sequence[Span], *, holiday: bool, on_leave: bool
) -> AttendanceDay:
    """The member's statuses and figures of ``day`` (the module's rules)."""
    window = scheduled_span(schedule, day, zone)
    tracked = sum(s.seconds for s in spans) // 60
    first = min((s.start for s in spans), default=None)
    last = max((s.end for s in spans), default=None)
    is_work_day = day.isoweekday() in schedule.work_days
    breaks = [
        Span(max(gap.start, window.start), min(gap.end, window.end))
        for gap in gaps(spans)
        if min(gap.end, window.end) - max(gap.start, window.start) >= timedelta(minutes=1)
    ]
    present = [Status.PRESENT] if spans else []
    statuses: list[Status]
    scheduled = late = early = 0
    if holiday:
        statuses = [Status.HOLIDAY, *present]
    elif on_leave:
        statuses = [Status.ON_LEAVE, *present]
    elif not is_work_day:
        statuses = present
    else:
        scheduled = window.seconds // 60
        if first is None or last is None:
            statuses = [Status.ABSENT]
        else:
            statuses = [Status.PRESENT]
            grace = timedelta(minutes=schedule.grace_minutes)
            if first > window.start + grace:
                statuses.append(Status.LATE)
                late = Span(window.start, first).seconds // 60
            if last < window.end - grace:
                statuses.append(Status.LEFT_EARLY)
                early = Span(last, window.end).seconds // 60
            if tracked < scheduled:
                statuses.append(Status.TRACKED_LESS)
    return AttendanceDay(
        statuses=statuses,
        is_work_day=is_work_day,
        scheduled_minutes=scheduled,
        tracked_minutes=tracked,
        late_minutes=late,
        left_early_minutes=early,
        first_start=first,
        last_end=last,
        breaks=breaks,
        productivity=percent(tracked, scheduled),
    )
