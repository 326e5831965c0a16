"""The rules of the reports: date ranges and their bounds, who sees amounts, and how the
cells the repository sums (seconds per member, local day, project, contract and task)
become each report's totals.

Minutes: each cell counts its whole minutes (``seconds // 60``); every total is the sum
of the cells it covers, so a day, a project, a group, the totals row and the export all
add up. Amounts: a cell's amount is its minutes times its contract's hourly rate,
rounded half to even to the cent (``kit.money``, in Python or in the statement), when
the caller may see that rate (``visibility.may_see_rate``:
owners and executive managers, or members with rate permission for their own time; a
project that does not bill shows none); totals sum the amounts the caller may see."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import visibility
from webwork.auth.principal import Actor
from webwork.kit import clock
from webwork.kit.days import week_bounds
from webwork.kit.envelope import render
from webwork.kit.errors import Forbidden, invalid
from webwork.kit.money import priced
from webwork.kit.offload import Offload, collector, emptied
from webwork.kit.pagination import Page, PageParams, Pagination
from webwork.kit.types import decimal_to_number
from webwork.leaves import service as leaves
from webwork.members import service as members
from webwork.members.schedules import NO_SCHEDULE, resolve
from webwork.reports import repository
from webwork.reports.attendance import STATUS_KEYS, Span, Status, evaluate, gaps, percent
from webwork.reports.localdays import DayWindow, day_number, day_of_number, day_windows, zone_of
from webwork.reports.repository import (
    ActivityDay,
    AskedMember,
    Cell,
    Cells,
    EntryPiece,
    Names,
    ProjectDays,
    ScopeMember,
    TaskState,
    TimeFilters,
)
from webwork.reports.schemas import (
    ActivityDayLevel,
    ActivityStats,
    Amounts,
    DescriptionTime,
    IdleGap,
    Named,
    TaskDay,
    TaskTotal,
    TimelineEntry,
    Titled,
    TrackedHoursTotals,
    UserActivity,
    UserAttendance,
    UserTasks,
    UserTimeline,
)
from webwork.time_entries.recording import METHOD_LABELS

# A report reads at most a year (one request must not hold the server), a member's or a
# task report at most a month (as the hosted API).
MAX_DAYS = 366
MAX_MONTH_DAYS = 31
MAX_GROUP_LEVELS = 2


class GroupBy(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    USER = "user"
    PROJECT = "project"
    TASK = "task"
    CONTRACT = "contract"


def full_name(firstname: str, lastname: str, email: str) -> str:
    return f"{firstname} {lastname}".strip() or email


def minutes(cell: Cell) -> int:
    return cell.seconds // 60


# --- date ranges ---------------------------------------------------------------------


def date_range(actor: Actor, start: date | None, end: date | None, *, max_days: int) -> tuple[date, date]:
    """The local dates a report covers. Without dates: the current week (Monday to
    Sunday) in the caller's timezone; with one date only: that date's week's other end.
    422 when the end precedes the start or the range is longer than ``max_days`` (the
    dates themselves are the API's, ``kit.types.Day``)."""
    if start is None or end is None:
        today = clock.utcnow().astimezone(ZoneInfo(actor.membership.timezone)).date()
        monday, sunday = week_bounds(start or end or today)
        start, end = start or monday, end or sunday
    if end < start:
        raise invalid("end_date", "The end date must be a date after or equal to start date.")
    if (end - start).days + 1 > max_days:
        raise invalid("end_date", f"The date range must be at most {max_days} days.")
    return start, end


# --- amounts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Rates:
    """What the caller sees of amounts: in which currency (None: not asked about), and
    whose. ``visibility.may_see_rate`` is asked once per member and billing (a month of
    all members has tens of thousands of cells, and the actor's role is parsed on each
    ask)."""

    actor: Actor
    currencies: frozenset[str] | None
    seen: dict[tuple[int, bool], bool] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, actor: Actor, currencies: list[str] | None) -> Rates:
        """``currencies`` filters the amounts shown; asking it needs rate permission
        (403 otherwise)."""
        if currencies is not None and not visibility.may_see_rate(actor, actor.user_id):
            raise Forbidden("You are not allowed to see rates.", code="rates_forbidden")
        return cls(actor, None if currencies is None else frozenset(c.upper() for c in currencies))

    @property
    def caller_sees_rates(self) -> bool:
        return visibility.may_see_rate(self.actor, self.actor.user_id)

    def sees(self, user_id: int, billable: bool = True) -> bool:
        key = (user_id, billable)
        found = self.seen.get(key)
        if found is None:
            found = self.seen[key] = visibility.may_see_rate(self.actor, user_id, project_billable=billable)
        return found

    def of_user(self, user_id: int) -> bool:
        return self.sees(user_id)

    def amount(self, cell: Cell) -> Decimal:
        """The cell's amount, zero when it has no rate or the caller may not see it."""
        return self.amount_of(cell.user_id, cell.rate, cell.billable, minutes(cell))

    def amount_of(self, user_id: int, rate: Decimal | None, billable: bool | None, whole: int) -> Decimal:
        """``whole`` minutes of ``user_id`` at ``rate``, zero when there is no rate or the
        caller may not see it (a project that does not bill hides it)."""
        if rate is None or not self.sees(user_id, billable is not False):
            return Decimal(0)
        return priced(whole, rate)

    def shown(self, amount: Decimal) -> Amounts:
        currency = self.actor.workspace.currency
        if self.currencies is not None and currency.upper() not in self.currencies:
            return {}
        return {currency: amount}


def with_amount(out: Any, rates: Rates, visible: bool, amount: Decimal) -> Any:
    """``out`` with its ``total_amount`` set when the caller may see it (else unset,
    and so left out of the answer)."""
    if visible:
        out.total_amount = rates.shown(amount)
    return out


# --- tracked hours -------------------------------------------------------------------


@dataclass(frozen=True)
class TrackedHoursQuery:
    start_date: date | None = None
    end_date: date | None = None
    user_id: int | None = None
    users: list[int] | None = None
    projects: list[int] | None = None
    teams: list[int] | None = None
    titles: list[str] | None = None
    currencies: list[str] | None = None
    group_by: list[str] | None = None


# A row of the answer as its model documents it (a member's day as ``UserDay``, its
# projects as ``ProjectTime``, a group as ``Group``), in plain values: amounts are JSON
# numbers already (``kit.types.decimal_to_number``, as ``Money`` serialises them).
PlainRow = dict[str, Any]


@dataclass(frozen=True)
class TrackedHours:
    """``days`` (date -> its member rows, rendered: :meth:`SummedDays.json`) without
    ``group_by``, else ``groups``."""

    first: date
    last: date
    levels: list[GroupBy]
    days: dict[date, orjson.Fragment]
    groups: list[PlainRow]
    totals: TrackedHoursTotals
    rates: Rates


def group_levels(values: list[str] | None) -> list[GroupBy]:
    if values is None:
        return []
    allowed = ", ".join(g.value for g in GroupBy)
    if not 1 <= len(values) <= MAX_GROUP_LEVELS:
        raise invalid("group_by", f"The group by field must name one or two of: {allowed}.")
    if any(v not in {g.value for g in GroupBy} for v in values):
        raise invalid("group_by", f"The group by field must name one or two of: {allowed}.")
    return [GroupBy(v) for v in values]


def user_filter(user_id: int | None, users: list[int] | None) -> list[int] | None:
    """``user_id`` (the connector's one member) and ``users`` both narrow the members."""
    if user_id is None:
        return users
    return [user_id] if users is None or user_id in users else []


@dataclass(frozen=True)
class AmountsSeen:
    """What the caller sees of amounts, in plain values (a report process takes them):
    whose (``members``: user id -> whether) and in which currency (``currencies``: the
    workspace's, or none when ``currencies`` asked for others)."""

    members: dict[int, bool]
    currencies: list[str]


@dataclass(frozen=True)
class TrackedHoursPlan:
    """What a tracked hours report reads, checked: its dates, levels, filters, the
    local days' windows and what the caller sees of amounts."""

    first: date
    last: date
    levels: list[GroupBy]
    filters: TimeFilters
    windows: list[DayWindow]
    rates: Rates
    names: Names
    seen: AmountsSeen


async def plan_tracked_hours(
    session: AsyncSession, actor: Actor, query: TrackedHoursQuery
) -> TrackedHoursPlan:
    """The query's checks (422 on dates and levels, 403 on currencies) and the windows
    of the members' timezones, before anything is summed."""
    levels = group_levels(query.group_by)
    max_days = MAX_MONTH_DAYS if query.user_id is not None else MAX_DAYS
    first, last = date_range(actor, query.start_date, query.end_date, max_days=max_days)
    rates = Rates.of(actor, query.currencies)
    filters = TimeFilters(
        user_ids=user_filter(query.user_id, query.users),
        project_ids=query.projects,
        team_ids=query.teams,
        titles=query.titles,
    )
    members = await repository.members_asked(session, actor, filters)
    windows = day_windows({m.timezone for m in members}, first, last)
    seen = AmountsSeen({m.id: rates.of_user(m.id) for m in members}, list(rates.shown(Decimal(0))))
    return TrackedHoursPlan(first, last, levels, filters, windows, rates, names_of(members), seen)


def names_of(members: list[AskedMember]) -> Names:
    return {m.id: (m.firstname, m.lastname, m.email) for m in members}


# Member-days (members asked times days) from which a report's days are read packed
# (``repository.project_days``) and rendered in a process of the app's ``Offload``
# rather than a thread: a year of 1,000 members is 365,000 (500,000 rows: seconds of
# CPU), a month of them 30,000 (a tenth of a second in a thread).
OFFLOAD_MEMBER_DAYS = 100_000


async def tracked_hours(
    session: AsyncSession, actor: Actor, query: TrackedHoursQuery, offload: Offload
) -> TrackedHours:
    """Time per local day and member (or per ``group_by``) over the range, in the
    actor's scope (``visibility.visible_report_time``). Tens of thousands of rows (a
    year of every member) take the CPU for a while: rendered in a worker thread, or a
    process of ``offload`` for the largest, so the event loop keeps serving other
    requests; the collector waits until they are freed (``kit.offload.collector``)."""
    plan = await plan_tracked_hours(session, actor, query)
    with collector.paused():
        if plan.levels:
            cells = await repository.cells(session, actor, plan.filters, plan.windows, plan.names)
            report = await asyncio.to_thread(grouped_report, plan, cells)
            del cells  # freed while the collector waits
            return report
        days = (plan.last - plan.first).days + 1
        found = await repository.project_days(
            session,
            actor,
            plan.filters,
            plan.windows,
            plan.names,
            packed=len(plan.names) * days >= OFFLOAD_MEMBER_DAYS,
        )
        return await summed(plan, found, offload)


async def summed(plan: TrackedHoursPlan, found: ProjectDays, offload: Offload) -> TrackedHours:
    """The report of the days: rendered in a process of ``offload`` when the statement
    packed them, else in a thread."""
    job = DaysJob(found, plan.seen, plan.first, plan.last)
    if found.packed:
        rendered = await offload.run(render_days, job)
    else:
        rendered = await asyncio.to_thread(render_days, job)
    days = {plan.first + timedelta(days=n): orjson.Fragment(day) for n, day in enumerate(rendered.days)}
    totals = rendered.totals
    return TrackedHours(plan.first, plan.last, [], days, [], report_totals(plan.rates, totals), plan.rates)


def grouped_report(plan: TrackedHoursPlan, cells: Cells) -> TrackedHours:
    """The report of the cells as ``group_by`` groups them, with their totals."""
    rates = plan.rates
    found = cells.expanded()
    if GroupBy.CONTRACT in plan.levels:
        # Time without a contract is one group per project (each named by it), in the
        # order the cells first name them: the order the cells were read in before
        # (by member, day, project, contract and task, none last).
        found.sort(key=read_order)
    groups = grouped(found, plan.levels, rates)
    totals = RunningTotals(sum(minutes(c) for c in found), sum((rates.amount(c) for c in found), Decimal(0)))
    return TrackedHours(plan.first, plan.last, plan.levels, {}, groups, report_totals(rates, totals), rates)


def report_totals(rates: Rates, totals: RunningTotals) -> TrackedHoursTotals:
    shown: TrackedHoursTotals = with_amount(
        TrackedHoursTotals(total_minutes=totals.minutes), rates, rates.caller_sees_rates, totals.amount
    )
    return shown


@dataclass
class RunningTotals:
    """The totals of the days summed so far: complete once the last day is out."""

    minutes: int = 0
    amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class DaysJob:
    """A report's days to render, as a process takes them: the rows (packed, when they
    cross to a process), what the caller sees of amounts, the range."""

    days: ProjectDays
    seen: AmountsSeen
    first: date
    last: date


@dataclass(frozen=True)
class RenderedDays:
    """Each date's members as JSON (:meth:`SummedDays.json`), from the first, and the
    totals they add up to."""

    days: list[bytes]
    totals: RunningTotals


def render_days(job: DaysJob) -> RenderedDays:
    """The days rendered, then their rows freed a chunk at a time in this thread
    (``kit.offload.emptied``): a year's half a million rows, freed at once on the event
    loop, would hold it for tens of milliseconds."""
    totals = RunningTotals()
    found = job.days.unpacked()
    days = SummedDays(found, job.seen, job.first, job.last, totals).json()
    emptied(found.rows)
    return RenderedDays(days, totals)


class MemberDay(NamedTuple):
    """A member's row of an export's day: the member's minutes, and the amount shown
    (None where the caller may not see it)."""

    day: date
    user_id: int
    user_name: str
    total_minutes: int
    total_amount: dict[str, int | float] | None


async def tracked_hours_days(
    session: AsyncSession, actor: Actor, plan: TrackedHoursPlan, totals: RunningTotals
) -> AsyncIterator[list[MemberDay]]:
    """The members' rows of each local day with time, in order, read a day at a time
    (an export of a year without ``group_by``: memory holds one day, not the year);
    the same members, order and numbers as :func:`tracked_hours`' ``days``."""
    found = repository.member_days_by_day(session, actor, plan.filters, plan.windows, plan.names)
    async for days in found:
        day = day_of_number(days.rows[0][1])
        yield SummedDays(days, plan.seen, day, day, totals).members()


T = TypeVar("T")

# A project of a member's day: (project, contract).
ProjectKey = tuple[int | None, int | None]

# What a row of ``ProjectDays`` is a part of: its member's day (user_id, day number), its
# project there (project_id, contract_id).
member_day_of = itemgetter(0, 1)
project_of = itemgetter(2, 3)


class SummedDays:
    """Every date of first..last with its members' rows, read from the cells of
    :class:`ProjectDays` (each member's day together, its projects' cells in order: the
    statement priced and sorted them), and ``totals`` adding them up: a project sums its
    cells' minutes and cents, a member's day its projects', the totals every cell's
    minutes and the cents of those whose amounts the caller sees (a member whose amounts
    it may not see adds none and shows none).

    Read two ways, in the same order (members by name, then id; their projects by
    project, then contract, time without a project last): :meth:`json`, the answer's
    days as the bytes orjson makes of the rows ``UserDay`` and ``ProjectTime``
    document, and :meth:`members`, an export's rows. A month of every member is 43,000
    rows: a dict per row, then rendered, cost most of the answer's time, and a year's
    held the GIL from every other request for seconds; here each distinct name, project
    and amount is rendered once and the rows are joined from those pieces.
    ``tests/reports/test_summed_days.py`` holds the bytes to the models' rows."""

    def __init__(
        self, days: ProjectDays, seen: AmountsSeen, first: date, last: date, totals: RunningTotals
    ) -> None:
        rows = days.rows
        visible = seen.members
        totals.minutes += sum(row[4] for row in rows)
        totals.amount += Decimal(sum(row[5] for row in rows if visible[row[0]])).scaleb(-2)
        self.rows = rows
        self.projects = days.projects
        self.first = first
        self.start = day_number(first)
        self.days = (last - first).days + 1
        self.visible = visible
        self.amounts = AmountsShown(seen.currencies)
        # The members with time in the range (the names are of every member asked about).
        self.names = {user_id: full_name(*days.users[user_id]) for user_id in {row[0] for row in rows}}

    def by_name(self, made: dict[int, list[tuple[int, T]]]) -> list[list[T]]:
        """Each day's items (``made``: per member, (day's index from the first, item)),
        the members' in their order: no day sorts its members."""
        names = self.names
        per_day: list[list[T]] = [[] for _ in range(self.days)]
        for user_id in sorted(made, key=lambda user_id: (names[user_id].lower(), user_id)):
            for n, item in made[user_id]:
                per_day[n].append(item)
        return per_day

    def members(self) -> list[MemberDay]:
        """The rows of an export: one per member and day, by day."""
        amount_of = self.amounts.of
        made: dict[int, list[tuple[int, MemberDay]]] = defaultdict(list)
        for (user_id, number), rows in groupby(self.rows, member_day_of):
            whole = cents = 0
            for row in rows:
                whole += row[4]
                cents += row[5]
            shown = amount_of(cents) if self.visible[user_id] else None
            n = number - self.start
            day = self.first + timedelta(days=n)
            made[user_id].append((n, MemberDay(day, user_id, self.names[user_id], whole, shown)))
        return [row for rows in self.by_name(made) for row in rows]

    def json(self) -> list[bytes]:
        """Each day's list of members as JSON, from the first: what
        ``kit.envelope.render`` makes of the rows ``UserDay`` (with ``ProjectTime``)
        dumps to, byte for byte."""
        # Each piece rendered by orjson itself (escaping, numbers): a row's head without
        # its minutes (``...,"total_minutes":0}`` less ``0}``), an amount's member.
        project_names = self.projects
        project_heads: dict[ProjectKey, str] = {}

        def project_head(key: ProjectKey) -> str:
            project_id, contract_id = key
            name = None if project_id is None else project_names[project_id]
            found = project_heads[key] = row_head(
                {
                    "project_id": project_id,
                    "project_name": name,
                    "contract_id": contract_id,
                    "total_minutes": 0,
                }
            )
            return found

        amount_of = self.amounts.of
        amounts: dict[int, str] = {}

        def amount(cents: int) -> str:
            found = amounts.get(cents)
            if found is None:
                found = amounts[cents] = ',"total_amount":' + render(amount_of(cents)).decode()
            return found

        user_heads = {
            user_id: row_head({"user_id": user_id, "user_name": name, "total_minutes": 0})
            for user_id, name in self.names.items()
        }
        made: dict[int, list[tuple[int, str]]] = defaultdict(list)
        visible = self.visible
        start = self.start
        for (user_id, number), rows in groupby(self.rows, member_day_of):
            shown = visible[user_id]
            out = []
            user_minutes = user_cents = 0
            for key, cells in groupby(rows, project_of):
                whole = cents = 0
                for cell in cells:  # one per task, mostly one
                    whole += cell[4]
                    cents += cell[5]
                user_minutes += whole
                user_cents += cents
                head = project_heads.get(key) or project_head(key)
                out.append(f"{head}{whole}{amount(cents) if shown else ''}}}")
            made[user_id].append(
                (
                    number - start,
                    f"{user_heads[user_id]}{user_minutes}{amount(user_cents) if shown else ''}"
                    f',"projects":[{",".join(out)}]}}',
                )
            )
        return [f"[{','.join(rows)}]".encode() for rows in self.by_name(made)]


def row_head(row: dict[str, Any]) -> str:
    """A row ending in a zero, rendered, less that zero and the closing brace: the
    row's start, its last key's value to follow."""
    return render(row).decode()[:-2]


class AmountsShown:
    """A row's ``total_amount`` of so many cents, in the one currency shown (or none,
    ``{}``), as a JSON number as :func:`kit.types.decimal_to_number` makes it (an
    integer when whole): made once per distinct amount and shared by the rows that
    show it (they are only rendered)."""

    def __init__(self, currencies: list[str]) -> None:
        self.currencies = currencies
        self.made: dict[int, dict[str, int | float]] = {}

    def of(self, cents: int) -> dict[str, int | float]:
        found = self.made.get(cents)
        if found is None:
            number = cents // 100 if cents % 100 == 0 else cents / 100
            found = self.made[cents] = {c: number for c in self.currencies}
        return found


def none_last(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


def read_order(cell: Cell) -> tuple[Any, ...]:
    return (
        cell.user_id,
        cell.day,
        none_last(cell.project_id),
        none_last(cell.contract_id),
        none_last(cell.task_id),
    )


def group_key(level: GroupBy, cell: Cell) -> tuple[int | str | None, str | None]:
    """(key, display name) of the cell's group at ``level``."""
    if level is GroupBy.DAY:
        return cell.day.isoformat(), cell.day.isoformat()
    if level is GroupBy.WEEK:
        monday = week_bounds(cell.day)[0]
        year, week, _ = monday.isocalendar()
        return monday.isoformat(), f"{year}-W{week:02d}"
    if level is GroupBy.MONTH:
        month = cell.day.strftime("%Y-%m")
        return month, month
    if level is GroupBy.USER:
        return cell.user_id, full_name(cell.firstname, cell.lastname, cell.email)
    if level is GroupBy.PROJECT:
        return cell.project_id, cell.project_name
    if level is GroupBy.TASK:
        return cell.task_id, cell.task_title
    return cell.contract_id, cell.project_name


def grouped(found: Iterable[Cell], levels: list[GroupBy], rates: Rates) -> list[PlainRow]:
    """The cells in groups of ``levels[0]``, each split by ``levels[1:]``, by key (time
    without a project, task or contract last): each group as ``Group`` documents it, in
    plain values as :func:`by_day` builds its rows (a month by user and day is 30,000
    groups)."""
    level, rest = levels[0], levels[1:]
    buckets: dict[tuple[int | str | None, str | None], list[Cell]] = defaultdict(list)
    for cell in found:
        buckets[group_key(level, cell)].append(cell)
    visible = rates.caller_sees_rates
    currencies = list(rates.shown(Decimal(0)))
    groups = []
    for (key, name), cells in sorted(buckets.items(), key=lambda kv: none_last(kv[0][0])):
        group: PlainRow = {
            "group_by": level.value,
            "key": key,
            "name": name,
            "total_minutes": sum(minutes(c) for c in cells),
        }
        if visible:
            amount = sum((rates.amount(c) for c in cells), Decimal(0))
            group["total_amount"] = {c: decimal_to_number(amount) for c in currencies}
        group["groups"] = grouped(cells, rest, rates) if rest else []
        groups.append(group)
    return groups


# --- activity descriptions -----------------------------------------------------------


@dataclass(frozen=True)
class DescriptionsQuery:
    start_date: date | None = None
    end_date: date | None = None
    users: list[int] | None = None
    projects: list[int] | None = None
    teams: list[int] | None = None


async def activity_descriptions(
    session: AsyncSession, actor: Actor, query: DescriptionsQuery, params: PageParams
) -> Page[DescriptionTime]:
    """Time per member, project and activity description over the range, a page of it."""
    first, last = date_range(actor, query.start_date, query.end_date, max_days=MAX_DAYS)
    filters = TimeFilters(user_ids=query.users, project_ids=query.projects, team_ids=query.teams)
    zones = await repository.member_timezones(session, actor, filters)
    page = await repository.descriptions_page(
        session, actor, filters, day_windows(zones, first, last), params
    )
    items = [
        DescriptionTime(
            user_id=row.user_id,
            user_name=full_name(row.firstname, row.lastname, row.email),
            project_id=row.project_id,
            project_name=row.project_name,
            activity_description=row.activity_description,
            total_minutes=row.seconds // 60,
        )
        for row in page.items
    ]
    return Page(items, page.pagination)


# --- task report ---------------------------------------------------------------------


@dataclass(frozen=True)
class TaskReportQuery:
    start_date: date
    end_date: date
    users: list[int] | None = None
    project_ids: list[int] | None = None
    task_ids: list[int] | None = None
    include_no_task: bool = True


async def task_report(
    session: AsyncSession, actor: Actor, query: TaskReportQuery, params: PageParams
) -> Page[UserTasks]:
    """A page of the members with time in the range, each with their time per task and
    per task and local day, and each task's state (status, completion, assignees,
    estimate)."""
    first, last = date_range(actor, query.start_date, query.end_date, max_days=MAX_MONTH_DAYS)
    filters = TimeFilters(
        user_ids=query.users,
        project_ids=query.project_ids,
        task_ids=query.task_ids,
        include_no_task=query.include_no_task,
    )
    zones = await repository.member_timezones(session, actor, filters)
    windows = day_windows(zones, first, last)
    page = await repository.users_page(session, actor, filters, windows, params)
    if not page.items:
        return Page([], page.pagination)
    names = {u.id: (u.firstname, u.lastname, u.email) for u in page.items}
    cells = await repository.cells(session, actor, filters.for_users(list(names)), windows, names)
    found = cells.expanded()
    task_ids = sorted({c.task_id for c in found if c.task_id is not None})
    states = await repository.task_states(session, actor, task_ids)
    per_user: dict[int, list[Cell]] = defaultdict(list)
    for cell in found:
        per_user[cell.user_id].append(cell)
    items = [
        user_tasks(user.id, full_name(user.firstname, user.lastname, user.email), per_user[user.id], states)
        for user in page.items
    ]
    return Page(items, page.pagination)


TaskKey = tuple[int | None, int | None]


def task_order(key: TaskKey) -> tuple[tuple[bool, Any], tuple[bool, Any]]:
    """Tasks by id, then project; time without a task last."""
    return none_last(key[0]), none_last(key[1])


NO_STATE = TaskState(None, [])


def against_estimate(tracked: int, estimation: Decimal | None) -> tuple[int | None, float | None]:
    """The estimate in minutes and the share of it that ``tracked`` minutes used, in
    percent to one decimal (None without an estimate; no share of a zero one)."""
    if estimation is None:
        return None, None
    estimated = int(estimation * 60)
    return estimated, round(tracked * 100 / estimated, 1) if estimated else None


def task_total(task_id: int | None, project_id: int | None, group: list[Cell], state: TaskState) -> TaskTotal:
    total = sum(minutes(c) for c in group)
    estimated, percent = against_estimate(total, state.estimation)
    return TaskTotal(
        task_id=task_id,
        task_title=group[0].task_title,
        project_id=project_id,
        project_name=group[0].project_name,
        status=group[0].task_status,
        completed_at=group[0].task_completed_at,
        assignee_ids=state.assignee_ids,
        total_minutes=total,
        estimated_minutes=estimated,
        estimate_percent=percent,
    )


def user_tasks(user_id: int, name: str, cells: list[Cell], states: dict[int, TaskState]) -> UserTasks:
    per_task: dict[tuple[int | None, int | None], list[Cell]] = defaultdict(list)
    per_day: dict[date, dict[tuple[int | None, int | None], list[Cell]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for cell in cells:
        per_task[(cell.task_id, cell.project_id)].append(cell)
        per_day[cell.day][(cell.task_id, cell.project_id)].append(cell)
    tasks = [
        task_total(task_id, project_id, group, states.get(task_id, NO_STATE) if task_id else NO_STATE)
        for (task_id, project_id), group in sorted(per_task.items(), key=lambda kv: task_order(kv[0]))
    ]
    daily = {
        day: [
            TaskDay(
                task_id=task_id,
                task_title=group[0].task_title,
                project_id=project_id,
                total_minutes=sum(minutes(c) for c in group),
            )
            for (task_id, project_id), group in sorted(by_task.items(), key=lambda kv: task_order(kv[0]))
        ]
        for day, by_task in sorted(per_day.items())
    }
    return UserTasks(
        user_id=user_id,
        user_name=name,
        total_minutes=sum(minutes(c) for c in cells),
        tasks_breakdown=tasks,
        daily_breakdown=daily,
    )


# --- one day: timeline and attendance -------------------------------------------------

# A one-day report reads a date at most a year before or after the caller's today.
MAX_DAY_DISTANCE = 366


def one_day(actor: Actor, day: date) -> date:
    """``date``, unless more than a year from today (in the caller's timezone): 422."""
    today = clock.utcnow().astimezone(ZoneInfo(actor.membership.timezone)).date()
    if abs((day - today).days) > MAX_DAY_DISTANCE:
        raise invalid("date", "The date must be within a year of today.")
    return day


def level_of(pieces: Iterable[tuple[int, int | None]]) -> float | None:
    """The duration-weighted average activity level of (seconds, level) pairs, over the
    seconds that have a level (null when none has)."""
    weighted = seconds = 0
    for piece_seconds, level in pieces:
        if level is not None:
            weighted += level * piece_seconds
            seconds += piece_seconds
    return percent(weighted, seconds * 100)


def span_of(piece: EntryPiece) -> Span:
    """The entry's part on its day (cut at the local midnights)."""
    return Span(max(piece.start_at, piece.day_start), min(piece.end_at, piece.day_end))


def local_iso(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat(timespec="seconds")


def local_hhmm(instant: datetime | None, zone: ZoneInfo) -> str | None:
    return None if instant is None else instant.astimezone(zone).strftime("%H:%M")


@dataclass(frozen=True)
class TimelineQuery:
    date: date
    users: list[int] | None = None


@dataclass(frozen=True)
class Timeline:
    day: date
    page: Page[UserTimeline]
    shows_amounts: bool


async def daily_timeline(
    session: AsyncSession, actor: Actor, query: TimelineQuery, params: PageParams
) -> Timeline:
    """A page of the members with counted time on the local date, each with the parts of
    their entries on it (cut at local midnight) and the idle gaps between them."""
    day = one_day(actor, query.date)
    rates = Rates.of(actor, None)
    filters = TimeFilters(user_ids=query.users)
    zones = await repository.member_timezones(session, actor, filters)
    windows = day_windows(zones, day, day)
    page = await repository.users_page(session, actor, filters, windows, params)
    if not page.items:
        return Timeline(day, Page([], page.pagination), rates.caller_sees_rates)
    pieces = await repository.entry_pieces(
        session, actor, filters.for_users([u.id for u in page.items]), windows
    )
    per_user: dict[int, list[EntryPiece]] = defaultdict(list)
    for piece in pieces:
        per_user[piece.user_id].append(piece)
    items = [
        user_timeline(user.id, full_name(user.firstname, user.lastname, user.email), per_user[user.id], rates)
        for user in page.items
    ]
    return Timeline(day, Page(items, page.pagination), rates.caller_sees_rates)


def user_timeline(user_id: int, name: str, pieces: list[EntryPiece], rates: Rates) -> UserTimeline:
    timezone = pieces[0].timezone if pieces else "UTC"
    zone = zone_of(timezone)
    visible = rates.of_user(user_id)
    entries = []
    for piece in pieces:
        span = span_of(piece)
        entry = TimelineEntry(
            id=str(piece.id),
            start=local_iso(span.start, zone),
            end=local_iso(span.end, zone),
            minutes=span.seconds // 60,
            clipped=span.start != piece.start_at or span.end != piece.end_at,
            project=None if piece.project_id is None else Named(id=piece.project_id, name=piece.project_name),
            task=None if piece.task_id is None else Titled(id=piece.task_id, title=piece.task_title),
            activity_description=piece.activity_description,
            tracking_method=METHOD_LABELS.get(piece.method, piece.method),
            activity_level=piece.activity_level,
        )
        if visible:
            entry.amount = rates.amount_of(user_id, piece.rate, piece.billable, entry.minutes)
            entry.currency = rates.actor.workspace.currency
        entries.append(entry)
    spans = [span_of(p) for p in pieces]
    return UserTimeline(
        user_id=user_id,
        user_name=name,
        timezone=timezone,
        total_minutes=sum(e.minutes for e in entries),
        activity_level=level_of((s.seconds, p.activity_level) for s, p in zip(spans, pieces, strict=True)),
        entries=entries,
        idle=[
            IdleGap(start=local_iso(g.start, zone), end=local_iso(g.end, zone), minutes=g.seconds // 60)
            for g in gaps(spans)
        ],
    )


@dataclass(frozen=True)
class AttendanceQuery:
    date: date
    users: list[int] | None = None
    statuses: list[str] | None = None


def wanted_statuses(values: list[str] | None) -> set[Status] | None:
    if values is None:
        return None
    unknown = [v for v in values if v not in STATUS_KEYS]
    if unknown:
        raise invalid("status", f"The status must be one of: {', '.join(STATUS_KEYS)}.")
    return {STATUS_KEYS[v] for v in values}


async def daily_attendance(
    session: AsyncSession, actor: Actor, query: AttendanceQuery, params: PageParams
) -> Page[UserAttendance]:
    """Each active member the actor reports on (``visibility.visible_report_user_ids``)
    on the local date against their schedule (the rules of ``reports/attendance.py``),
    a page of them by name. Without ``status`` only the page's members are evaluated;
    with it, every member in scope is (the same statements), then the matching ones are
    paged."""
    day = one_day(actor, query.date)
    wanted = wanted_statuses(query.statuses)
    everyone = await repository.members_in_scope(session, actor, TimeFilters(user_ids=query.users))
    chosen = everyone if wanted is not None else everyone[params.offset : params.offset + params.per_page]
    evaluated = await attendance_of(session, actor, chosen, day)
    if wanted is None:
        return Page(evaluated, Pagination(params.page, params.per_page, len(everyone), len(evaluated)))
    matching = [row for row in evaluated if wanted & {Status(s) for s in row.statuses}]
    shown = matching[params.offset : params.offset + params.per_page]
    return Page(shown, Pagination(params.page, params.per_page, len(matching), len(shown)))


async def attendance_of(
    session: AsyncSession, actor: Actor, chosen: list[ScopeMember], day: date
) -> list[UserAttendance]:
    """The attendance of ``chosen`` on ``day``: their entries' parts, schedules, leave
    and the holiday, one statement each."""
    if not chosen:
        return []
    ids = [m.id for m in chosen]
    windows = day_windows({m.timezone for m in chosen}, day, day)
    pieces = await repository.entry_pieces(session, actor, TimeFilters(user_ids=ids), windows)
    schedules = await members.schedule_for(session, actor, ids)
    off = await leaves.day_off(session, actor, ids, day)
    per_user: dict[int, list[EntryPiece]] = defaultdict(list)
    for piece in pieces:
        per_user[piece.user_id].append(piece)
    rows = []
    for member in chosen:
        zone = zone_of(member.timezone)
        # A member whose record the actor does not see (a project viewer's) is compared
        # with the workspace-independent default schedule.
        schedule = schedules.get(member.id) or resolve(NO_SCHEDULE, NO_SCHEDULE)
        own = per_user[member.id]
        spans = [span_of(p) for p in own]
        found = evaluate(schedule, day, zone, spans, holiday=off.holiday, on_leave=member.id in off.on_leave)
        rows.append(
            UserAttendance(
                user_id=member.id,
                user_name=full_name(member.firstname, member.lastname, member.email),
                timezone=member.timezone,
                statuses=[s.value for s in found.statuses],
                is_work_day=found.is_work_day,
                work_start=schedule.work_start.strftime("%H:%M"),
                work_end=schedule.work_end.strftime("%H:%M"),
                grace_minutes=schedule.grace_minutes,
                scheduled_minutes=found.scheduled_minutes,
                tracked_minutes=found.tracked_minutes,
                late_minutes=found.late_minutes,
                left_early_minutes=found.left_early_minutes,
                break_minutes=sum(b.seconds for b in found.breaks) // 60,
                first_start=local_hhmm(found.first_start, zone),
                last_end=local_hhmm(found.last_end, zone),
                breaks=[f"{local_hhmm(b.start, zone)} - {local_hhmm(b.end, zone)}" for b in found.breaks],
                productivity=found.productivity,
                activity_level=level_of(
                    (s.seconds, p.activity_level) for s, p in zip(spans, own, strict=True)
                ),
            )
        )
    return rows


# --- activity level --------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityQuery:
    start_date: date
    end_date: date
    users: list[int] | None = None
    contract_ids: list[int] | None = None


@dataclass(frozen=True)
class ActivityReport:
    first: date
    last: date
    page: Page[UserActivity]
    overall: ActivityStats


def stats(days: list[ActivityDay]) -> ActivityStats:
    """Minutes sum the days' whole minutes; the level weighs every second that has one."""
    return ActivityStats(
        tracked_minutes=sum(d.seconds // 60 for d in days),
        manual_minutes=sum((d.seconds - d.level_seconds) // 60 for d in days),
        activity_level=percent(sum(d.weighted for d in days), sum(d.level_seconds for d in days) * 100),
    )


async def activity_level(
    session: AsyncSession, actor: Actor, query: ActivityQuery, params: PageParams
) -> ActivityReport:
    """A page of the members with counted time in the range (at most 31 days), each
    with the weighted activity level per local day and overall; ``overall`` covers the
    page. The sums are SQL (``repository.activity_days``)."""
    first, last = date_range(actor, query.start_date, query.end_date, max_days=MAX_MONTH_DAYS)
    filters = TimeFilters(user_ids=query.users, contract_ids=query.contract_ids)
    zones = await repository.member_timezones(session, actor, filters)
    windows = day_windows(zones, first, last)
    page = await repository.users_page(session, actor, filters, windows, params)
    found = (
        await repository.activity_days(session, actor, filters.for_users([u.id for u in page.items]), windows)
        if page.items
        else []
    )
    per_user: dict[int, list[ActivityDay]] = defaultdict(list)
    for row in found:
        per_user[row.user_id].append(row)
    items = [
        UserActivity(
            user_id=user.id,
            user_name=full_name(user.firstname, user.lastname, user.email),
            overall=stats(per_user[user.id]),
            days=[
                ActivityDayLevel(
                    date=d.day,
                    tracked_minutes=d.seconds // 60,
                    manual_minutes=(d.seconds - d.level_seconds) // 60,
                    activity_level=percent(d.weighted, d.level_seconds * 100),
                )
                for d in per_user[user.id]
            ],
        )
        for user in page.items
    ]
    return ActivityReport(first, last, Page(items, page.pagination), stats(found))
