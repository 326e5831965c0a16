"""Each report as one export table (:class:`~webwork.reports.exports.Sheet`): the same
numbers as its JSON answer, one row per member and day (or per group, or per listed
row), an integer ``total_minutes`` column, and one totals row last.

Amount columns (``total_amount_<CURRENCY>``) appear only for a caller with rate
permission, as in the JSON answer; a row whose amount the caller may not see leaves its
cell empty."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from typing import Any

from webwork.kit.pagination import Page
from webwork.reports.exports import Column, Kind, RowStream, Sheet
from webwork.reports.schemas import Amounts, DescriptionTime, UserAttendance, UserTasks
from webwork.reports.service import (
    ActivityReport,
    MemberDay,
    PlainRow,
    RunningTotals,
    Timeline,
    TrackedHours,
    TrackedHoursPlan,
)

TOTAL = "Total"


def amount_columns(report: TrackedHours) -> list[str]:
    """The currencies shown to the caller (none without rate permission)."""
    if "total_amount" not in report.totals.model_fields_set:
        return []
    return sorted(report.totals.total_amount)


def amounts_of(shown: Amounts, set_fields: set[str], currencies: Sequence[str]) -> list[Any]:
    if "total_amount" not in set_fields:
        return [None for _ in currencies]
    return [shown.get(currency, Decimal(0)) for currency in currencies]


def tracked_hours(report: TrackedHours) -> Sheet:
    """The sheet of a report with ``group_by`` (without, the days are streamed:
    :func:`tracked_hours_stream`)."""
    currencies = amount_columns(report)
    totals_amounts = amounts_of(report.totals.total_amount, report.totals.model_fields_set, currencies)
    money = [Column(f"total_amount_{c}", Kind.MONEY) for c in currencies]
    return grouped_sheet(report, currencies, money, totals_amounts)


def day_columns(currencies: Sequence[str]) -> list[Column]:
    return [
        Column("date", Kind.DATE),
        Column("user_id", Kind.INTEGER),
        Column("user_name"),
        Column("total_minutes", Kind.INTEGER),
        *[Column(f"total_amount_{c}", Kind.MONEY) for c in currencies],
    ]


def row_amounts(row: PlainRow, currencies: Sequence[str]) -> list[Any]:
    """A row's amount per currency column; empty cells when the caller may not see it."""
    return shown_amounts(row.get("total_amount"), currencies)


def shown_amounts(shown: dict[str, Any] | None, currencies: Sequence[str]) -> list[Any]:
    """An amount per currency column (none shown: empty cells)."""
    return [None if shown is None else shown.get(currency, 0) for currency in currencies]


def day_row(row: MemberDay, currencies: Sequence[str]) -> list[Any]:
    amounts = shown_amounts(row.total_amount, currencies)
    return [row.day, row.user_id, row.user_name, row.total_minutes, *amounts]


def tracked_hours_stream(
    plan: TrackedHoursPlan, days: AsyncIterator[list[MemberDay]], totals: RunningTotals
) -> RowStream:
    """The sheet of :func:`tracked_hours` without ``group_by``, its rows a day at a
    time as ``days`` yields them, the totals row once they are all out."""
    rates = plan.rates
    currencies = sorted(rates.shown(Decimal(0))) if rates.caller_sees_rates else []

    async def batches() -> AsyncIterator[list[list[Any]]]:
        async for rows in days:
            yield [day_row(row, currencies) for row in rows]

    def totals_row() -> list[Any]:
        shown = rates.shown(totals.amount)
        amounts = [shown.get(currency, Decimal(0)) for currency in currencies]
        return [TOTAL, None, None, totals.minutes, *amounts]

    return RowStream("Tracked hours", day_columns(currencies), batches(), totals_row)


def grouped_sheet(
    report: TrackedHours, currencies: list[str], money: list[Column], totals_amounts: list[Any]
) -> Sheet:
    """One row per group of the last level, led by the key and name of each level."""
    lead = [
        column
        for level in report.levels
        for column in (Column(f"{level.value}_key"), Column(f"{level.value}_name"))
    ]
    columns = [*lead, Column("total_minutes", Kind.INTEGER), *money]
    rows: list[list[Any]] = []

    def walk(groups: list[PlainRow], prefix: list[Any]) -> None:
        for group in groups:
            keys = [*prefix, group["key"], group["name"]]
            if group["groups"]:
                walk(group["groups"], keys)
            else:
                rows.append([*keys, group["total_minutes"], *row_amounts(group, currencies)])

    walk(report.groups, [])
    totals = [TOTAL, *[None] * (len(lead) - 1), report.totals.total_minutes, *totals_amounts]
    return Sheet("Tracked hours", columns, rows, totals)


def activity_descriptions(page: Page[DescriptionTime]) -> Sheet:
    columns = [
        Column("user_id", Kind.INTEGER),
        Column("user_name"),
        Column("project_id", Kind.INTEGER),
        Column("project_name"),
        Column("activity_description"),
        Column("total_minutes", Kind.INTEGER),
    ]
    rows = [
        [r.user_id, r.user_name, r.project_id, r.project_name, r.activity_description, r.total_minutes]
        for r in page.items
    ]
    totals = [TOTAL, None, None, None, None, sum(r.total_minutes for r in page.items)]
    return Sheet("Activity descriptions", columns, rows, totals)


def task_report(page: Page[UserTasks]) -> Sheet:
    """One row per member, local day and task."""
    columns = [
        Column("date", Kind.DATE),
        Column("user_id", Kind.INTEGER),
        Column("user_name"),
        Column("project_id", Kind.INTEGER),
        Column("task_id", Kind.INTEGER),
        Column("task_title"),
        Column("total_minutes", Kind.INTEGER),
    ]
    rows = [
        [
            day,
            user.user_id,
            user.user_name,
            task.project_id,
            task.task_id,
            task.task_title,
            task.total_minutes,
        ]
        for user in page.items
        for day, tasks in user.daily_breakdown.items()
        for task in tasks
    ]
    totals = [TOTAL, None, None, None, None, None, sum(user.total_minutes for user in page.items)]
    return Sheet("Task report", columns, rows, totals)


def daily_timeline(report: Timeline) -> Sheet:
    """One row per entry part of the day (as in ``entries``), the amount and currency
    columns only for a caller who may see rates."""
    money = [Column("amount", Kind.MONEY), Column("currency")] if report.shows_amounts else []
    columns = [
        Column("date", Kind.DATE),
        Column("user_id", Kind.INTEGER),
        Column("user_name"),
        Column("entry_id"),
        Column("start"),
        Column("end"),
        Column("minutes", Kind.INTEGER),
        Column("project_id", Kind.INTEGER),
        Column("project_name"),
        Column("task_id", Kind.INTEGER),
        Column("task_title"),
        Column("activity_description"),
        Column("tracking_method"),
        Column("activity_level", Kind.INTEGER),
        *money,
    ]
    rows = [
        [
            report.day,
            user.user_id,
            user.user_name,
            e.id,
            e.start,
            e.end,
            e.minutes,
            e.project.id if e.project else None,
            e.project.name if e.project else None,
            e.task.id if e.task else None,
            e.task.title if e.task else None,
            e.activity_description,
            e.tracking_method,
            e.activity_level,
            *([e.amount, e.currency] if money else []),
        ]
        for user in report.page.items
        for e in user.entries
    ]
    minutes = sum(user.total_minutes for user in report.page.items)
    totals = [TOTAL, *[None] * 5, minutes, *[None] * (len(columns) - 7)]
    return Sheet("Daily timeline", columns, rows, totals)


def daily_attendance(page: Page[UserAttendance]) -> Sheet:
    """One row per member; ``statuses`` and ``breaks`` joined with ", "."""
    columns = [
        Column("user_id", Kind.INTEGER),
        Column("user_name"),
        Column("statuses"),
        Column("scheduled_minutes", Kind.INTEGER),
        Column("tracked_minutes", Kind.INTEGER),
        Column("late_minutes", Kind.INTEGER),
        Column("left_early_minutes", Kind.INTEGER),
        Column("break_minutes", Kind.INTEGER),
        Column("first_start"),
        Column("last_end"),
        Column("breaks"),
        Column("productivity", Kind.NUMBER),
    ]
    rows = [
        [
            r.user_id,
            r.user_name,
            ", ".join(r.statuses),
            r.scheduled_minutes,
            r.tracked_minutes,
            r.late_minutes,
            r.left_early_minutes,
            r.break_minutes,
            r.first_start,
            r.last_end,
            ", ".join(r.breaks),
            r.productivity,
        ]
        for r in page.items
    ]
    return Sheet("Daily attendance", columns, rows)


def activity_level(report: ActivityReport) -> Sheet:
    """One row per member and local day; the totals row is the page's ``overall``."""
    columns = [
        Column("date", Kind.DATE),
        Column("user_id", Kind.INTEGER),
        Column("user_name"),
        Column("tracked_minutes", Kind.INTEGER),
        Column("manual_minutes", Kind.INTEGER),
        Column("activity_level", Kind.NUMBER),
    ]
    rows = [
        [d.date, user.user_id, user.user_name, d.tracked_minutes, d.manual_minutes, d.activity_level]
        for user in report.page.items
        for d in user.days
    ]
    o = report.overall
    totals = [TOTAL, None, None, o.tracked_minutes, o.manual_minutes, o.activity_level]
    return Sheet("Activity level", columns, rows, totals)
