"""Timesheet periods and the opaque ids that name them.

A timesheet is one member's period in local dates: weekly (Monday..Sunday), biweekly
(two weeks starting on a Monday whose distance from 2024-01-01, itself a Monday, is a
multiple of 14 days) or monthly (calendar month), per ``Workspace.timesheet_period``.

Ids name the pair (member, first day of the period) rather than a table row, because a
period is listed (and may be submitted) before anyone has acted on it and so before a
``timesheets`` row exists. The id is two keyed base-62 permutations (kit/ids) of the
user id and of the first day's ordinal, 7 characters each: stable, not guessable by
counting, and the same whether or not the row exists yet."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from webwork.kit.days import week_bounds
from webwork.kit.ids import decode_id, encode_id
from webwork.kit.types import FIRST_DAY, INT_MAX, LAST_DAY

KINDS = ("weekly", "biweekly", "monthly")
BIWEEKLY_ANCHOR = date(2024, 1, 1)
# Dates outside the API's range name no timesheet.
EARLIEST, LATEST = FIRST_DAY, LAST_DAY
_PART = 7


def period_of(day: date, kind: str) -> tuple[date, date]:
    """First and last day of the period of ``kind`` that contains ``day``."""
    if kind == "monthly":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    if kind == "biweekly":
        start = BIWEEKLY_ANCHOR + timedelta(days=(day - BIWEEKLY_ANCHOR).days // 14 * 14)
        return start, start + timedelta(days=13)
    return week_bounds(day)


def periods_overlapping(
    first: date, last: date, kind: str, limit: int | None = None
) -> list[tuple[date, date]]:
    """Every period of ``kind`` that shares at least one day with first..last, in order;
    with ``limit``, only the first ``limit`` of them (so a caller refusing long ranges
    never walks one)."""
    periods: list[tuple[date, date]] = []
    cursor = first
    while cursor <= last and (limit is None or len(periods) < limit):
        period = period_of(cursor, kind)
        periods.append(period)
        cursor = period[1] + timedelta(days=1)
    return periods


@dataclass(frozen=True)
class TimesheetKey:
    """What a timesheet id names: a member and the first day of their period."""

    user_id: int
    date_from: date

    def encode(self, salt: str) -> str:
        return encode_id(self.user_id, kind="timesheet-user", salt=salt) + encode_id(
            self.date_from.toordinal(), kind="timesheet-period", salt=salt
        )

    @classmethod
    def decode(cls, text: str, salt: str) -> TimesheetKey | None:
        if len(text) != 2 * _PART:
            return None
        user_id = decode_id(text[:_PART], kind="timesheet-user", salt=salt)
        ordinal = decode_id(text[_PART:], kind="timesheet-period", salt=salt)
        if user_id is None or user_id > INT_MAX:  # no user has an id past the integer column
            return None
        if ordinal is None or not EARLIEST.toordinal() <= ordinal <= LATEST.toordinal():
            return None
        return cls(user_id, date.fromordinal(ordinal))
