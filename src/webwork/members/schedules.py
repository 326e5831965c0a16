"""A member's work schedule: when the member is expected at work (the attendance report
compares the first time of a day with it). The workspace's schedule is its work week
(``leave_settings.work_days``, the same days leave is counted on) with its working
hours and grace period; a member may override any part of it, and a null part is the
workspace's. Resolving is pure: the statements that read both sides are the members
repository's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import NamedTuple, TypeVar

from webwork.models.leaves import (
    DEFAULT_GRACE_MINUTES,
    DEFAULT_WORK_DAYS,
    DEFAULT_WORK_END,
    DEFAULT_WORK_START,
)

T = TypeVar("T")

WORK_END_INVALID = "The work end must be a time after work start."

# The membership columns of a schedule, as the members API names its fields.
SCHEDULE_FIELDS = ("work_start", "work_end", "work_days", "grace_minutes")


class StoredSchedule(NamedTuple):
    """A schedule as stored: a membership's parts (null: not overridden), or the
    workspace's (all null when the workspace has no settings row yet)."""

    work_start: time | None
    work_end: time | None
    work_days: str | None
    grace_minutes: int | None


NO_SCHEDULE = StoredSchedule(None, None, None, None)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A member's schedule in effect. ``is_default``: the member overrides none of it."""

    work_start: time
    work_end: time
    work_days: tuple[int, ...]
    grace_minutes: int
    is_default: bool


def days_of(stored: str | None) -> tuple[int, ...]:
    """ISO weekdays from their stored form ("1,2,3,4,5")."""
    return tuple(sorted(int(day) for day in (stored or DEFAULT_WORK_DAYS).split(",") if day))


def stored_days(days: list[int]) -> str:
    return ",".join(str(day) for day in sorted(days))


def resolve(own: StoredSchedule, workspace: StoredSchedule) -> Schedule:
    """The member's parts over the workspace's, over the built-in 09:00-17:00,
    Monday..Friday, 10 minutes."""
    return Schedule(
        work_start=_first(own.work_start, workspace.work_start, DEFAULT_WORK_START),
        work_end=_first(own.work_end, workspace.work_end, DEFAULT_WORK_END),
        work_days=days_of(own.work_days or workspace.work_days),
        grace_minutes=_first(own.grace_minutes, workspace.grace_minutes, DEFAULT_GRACE_MINUTES),
        is_default=own == NO_SCHEDULE,
    )


def _first(*values: T | None) -> T:
    """The first value given (0 minutes of grace is a value, not a missing one)."""
    return next(value for value in values if value is not None)


def hhmm(value: time) -> str:
    return value.strftime("%H:%M")
