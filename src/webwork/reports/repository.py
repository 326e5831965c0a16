"""All SQL of the reports: every statement starts from :func:`readable`, the finished
time entries of the workspace that the actor's role may count
(``visibility.visible_report_time``), and cuts them at the members' local midnights by
joining the windows of :mod:`webwork.reports.localdays`. Each report aggregates in one
statement (``GROUP BY``, sums of seconds); a report paged by users reads its page of
users first, in one statement more."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import CTE, Subquery
from sqlalchemy.types import NullType

from webwork.auth.prebuilt import Scope
from webwork.auth.principal import Actor
from webwork.auth.visibility import restrict, visible_report_time, visible_report_user_ids
from webwork.kit.db import UTCDateTime, column_rows, driver_rows
from webwork.kit.money import priced_cents_sql
from webwork.kit.offload import emptied
from webwork.kit.pagination import Page, Paged, PageParams, Pagination, fetch_page
from webwork.models import (
    Contract,
    Membership,
    Project,
    Task,
    TaskAssignee,
    Team,
    TeamMember,
    TimeEntry,
    User,
)
from webwork.models.statuses import MembershipStatus
from webwork.reports.localdays import (
    DayWindow,
    day_number_of,
    day_of_number,
    epoch_seconds,
    overlaps,
    seconds_within,
    span,
    whole_day,
    windows_table,
)
from webwork.time_entries import repository as time_entries_repository
from webwork.time_entries.bounds import MAX_SPAN


def readable(actor: Scope) -> Select[TimeEntry]:
    """The finished entries of the workspace that reports count for the actor (running
    timers are counted once stopped)."""
    return select(TimeEntry).where(
        TimeEntry.workspace_id == actor.workspace_id,
        visible_report_time(actor),
        TimeEntry.end_at.is_not(None),
    )


@dataclass(frozen=True)
class TimeFilters:
    """Which entries a report counts, beyond the actor's scope: each list is "any of"
    (None: not filtered); ``titles`` are task titles, exactly (time without a task has
    none); ``include_no_task`` adds time without a task to a ``task_ids`` filter, or
    (False) leaves it out."""

    user_ids: list[int] | None = None
    project_ids: list[int] | None = None
    team_ids: list[int] | None = None
    task_ids: list[int] | None = None
    titles: list[str] | None = None
    include_no_task: bool = True
    contract_ids: list[int] | None = None

    def for_users(self, user_ids: list[int]) -> TimeFilters:
        return replace(self, user_ids=user_ids)


class Cell(NamedTuple):
    """The seconds of one member on one local day, project, contract and task: the
    grain every total of the time reports is summed from."""

    user_id: int
    firstname: str
    lastname: str
    email: str
    day: date
    project_id: int | None
    project_name: str | None
    contract_id: int | None
    rate: Decimal | None
    billable: bool | None
    task_id: int | None
    task_title: str | None
    task_status: int | None
    task_completed_at: datetime | None
    seconds: int


class ReportUser(NamedTuple):
    id: int
    firstname: str
    lastname: str
    email: str


class DescriptionRow(NamedTuple):
    user_id: int
    firstname: str
    lastname: str
    email: str
    project_id: int | None
    project_name: str | None
    activity_description: str | None
    seconds: int


def _team_members(actor: Scope, team_ids: list[int]) -> Select[int]:
    return (
        select(TeamMember.user_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(Team.workspace_id == actor.workspace_id, TeamMember.team_id.in_(team_ids))
    )


def _member_conditions(actor: Scope, user: Any, filters: TimeFilters) -> list[ColumnElement[bool]]:
    """The filters that name members, on the column ``user`` holding a user id."""
    found = []
    if filters.user_ids is not None:
        found.append(user.in_(filters.user_ids))
    if filters.team_ids is not None:
        found.append(user.in_(_team_members(actor, filters.team_ids)))
    return found


def _conditions(actor: Scope, filters: TimeFilters) -> list[ColumnElement[bool]]:
    found = _member_conditions(actor, TimeEntry.user_id, filters)
    if filters.project_ids is not None:
        found.append(TimeEntry.project_id.in_(filters.project_ids))
    if filters.contract_ids is not None:
        found.append(TimeEntry.contract_id.in_(filters.contract_ids))
    if filters.task_ids is not None:
        tasks = TimeEntry.task_id.in_(filters.task_ids)
        found.append(tasks | TimeEntry.task_id.is_(None) if filters.include_no_task else tasks)
    elif not filters.include_no_task:
        found.append(TimeEntry.task_id.is_not(None))
    if filters.titles is not None:
        found.append(
            TimeEntry.task_id.in_(
                select(Task.id).where(Task.workspace_id == actor.workspace_id, Task.title.in_(filters.titles))
            )
        )
    return found


def _cut(
    actor: Scope, filters: TimeFilters, windows: list[DayWindow], table: CTE, *columns: Any
) -> Select[Any]:
    """``columns`` of the actor's entries under ``filters``, each joined to the windows
    (``table``, of ``windows``) of its member's local days that it shares time with: one
    row per entry and local day."""
    start, end = span(windows)
    return (
        readable(actor)
        .with_only_columns(*columns)
        .select_from(TimeEntry)
        .join(
            Membership,
            and_(Membership.workspace_id == TimeEntry.workspace_id, Membership.user_id == TimeEntry.user_id),
        )
        .join(
            table,
            and_(
                table.c.timezone == Membership.timezone, overlaps(TimeEntry.start_at, TimeEntry.end_at, table)
            ),
        )
        .where(time_entries_repository.finished_touching(start, end), *_conditions(actor, filters))
    )


def _seconds(session: AsyncSession, table: CTE) -> Any:
    """The seconds of an entry inside its window, summed (an integer on both databases)."""
    dialect = session.get_bind().dialect.name
    return cast(func.sum(seconds_within(TimeEntry.start_at, TimeEntry.end_at, table, dialect)), BigInteger)


async def member_timezones(session: AsyncSession, actor: Actor, filters: TimeFilters) -> list[str]:
    """The timezones of the workspace's members the filters name (all members' when
    none): the zones whose local days a report needs."""
    stmt = (
        select(Membership.timezone)
        .where(
            Membership.workspace_id == actor.workspace_id,
            *_member_conditions(actor, Membership.user_id, filters),
        )
        .distinct()
    )
    return [row[0] for row in await column_rows(session, stmt)]


_NAMES = (User.firstname, User.lastname, User.email)


class AskedMember(NamedTuple):
    id: int
    firstname: str
    lastname: str
    email: str
    timezone: str


async def members_asked(session: AsyncSession, actor: Actor, filters: TimeFilters) -> list[AskedMember]:
    """The workspace's members the filters name (all members when none), with their
    names and timezones: the zones whose local days a report needs, and the names of
    every member its sums can name (they join the same memberships under the same
    member filters), read here rather than beside the sums."""
    stmt = (
        select(User.id, *_NAMES, Membership.timezone)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.workspace_id == actor.workspace_id,
            *_member_conditions(actor, Membership.user_id, filters),
        )
    )
    return [AskedMember(*row) for row in await column_rows(session, stmt)]


# Members' (firstname, lastname, email) by user id.
Names = dict[int, tuple[str, str, str]]

# A sum: (user_id, local day as localdays.day_number, project_id, contract_id, task_id,
# seconds), a plain tuple (a month of 1,000 members is 40,000 of them).
Sum = tuple[int, int, int | None, int | None, int | None, int]


@dataclass
class Cells:
    """The sums of :func:`cells` and, once each, what they name: the members' names,
    the projects' names and billing, the contracts' rates, the tasks' titles and states
    (rather than joined to every sum: decoding them 40,000 times cost more than the
    summing)."""

    sums: list[Sum] = field(default_factory=list)
    users: Names = field(default_factory=dict)
    projects: dict[int, tuple[str, bool]] = field(default_factory=dict)
    rates: dict[int, Decimal | None] = field(default_factory=dict)
    tasks: dict[int, tuple[str, int, datetime | None]] = field(default_factory=dict)

    def named(self, sums: list[Sum]) -> Cells:
        """``sums`` (some of these) with the same names."""
        return Cells(sums, self.users, self.projects, self.rates, self.tasks)

    def expanded(self) -> list[Cell]:
        """Each sum as a :class:`Cell`, its names and rate beside it: the reports that
        group the cells their own ways."""
        days: dict[int, date] = {}
        no_project, no_task = (None, None), (None, None, None)
        found = []
        for user_id, number, project_id, contract_id, task_id, seconds in self.sums:
            day = days.get(number)
            if day is None:
                day = days[number] = day_of_number(number)
            name, billable = no_project if project_id is None else self.projects[project_id]
            title, status, completed_at = no_task if task_id is None else self.tasks[task_id]
            found.append(
                Cell(
                    user_id,
                    *self.users[user_id],
                    day,
                    project_id,
                    name,
                    contract_id,
                    None if contract_id is None else self.rates[contract_id],
                    billable,
                    task_id,
                    title,
                    status,
                    completed_at,
                    seconds,
                )
            )
        return found


# What a row of the cells' statement is: a sum, or what it names of a project, contract
# or task (lookups first, so that a stream ordered by kind has them all before the first
# sum).
PROJECT, CONTRACT, TASK, SUM, PACKED = range(5)


# A cell's time, as the days of tracked hours add it up: (user_id, local day as
# localdays.day_number, project_id, contract_id, whole minutes, cents), its cents its
# whole minutes priced (``kit.money``: rounded to the cent), none where it has no rate or
# its project does not bill. A project's time on a member's day is its cells' (one per
# task), summed.
DayRow = tuple[int, int, int | None, int | None, int, int]


@dataclass
class ProjectDays:
    """The rows of :func:`project_days`: each member's day's cells, in one order (by
    member, day, project and contract, none last: a member's day together, a project's
    cells together, the projects in the order the answer lists them), the members' and
    projects' names beside them."""

    rows: list[DayRow] = field(default_factory=list)
    users: Names = field(default_factory=dict)
    projects: dict[int, str] = field(default_factory=dict)
    # The rows as :func:`project_days` read them ``packed``: (day number, text) per day.
    packed: list[tuple[int, str]] = field(default_factory=list)

    def unpacked(self) -> ProjectDays:
        """The rows of the packed texts (:func:`_packed_row`), if any, in their order."""
        if not self.packed:
            return self
        rows: list[DayRow] = []
        for number, text in self.packed:
            for item in text.split(";"):
                user_id, project_id, contract_id, minutes, cents = item.split(",")
                rows.append(
                    (
                        int(user_id),
                        number,
                        int(project_id) if project_id else None,
                        int(contract_id) if contract_id else None,
                        int(minutes),
                        int(cents),
                    )
                )
        return ProjectDays(rows, self.users, self.projects)


def _pieces(actor: Actor, filters: TimeFilters, windows: list[DayWindow], bounds: CTE | None) -> CTE:
    """The actor's counted entries under ``filters`` that may touch the windows, each
    with its member's timezone and ``day``: with ``bounds`` (PostgreSQL,
    :func:`bounds_table`) the day number of the one local day holding it whole
    (:func:`localdays.whole_day`), else NULL (SQLite: always).
    ``start_at`` bounds the scan as ``finished_touching`` does, without its ``end_at >
    start``: the windows drop an entry ending before them anyway, and that condition,
    correlated with the start's, made PostgreSQL expect 2,000 entries of a month's
    40,000 and join the members by nested loops."""
    start, end = span(windows)
    stmt = (
        readable(actor)
        .with_only_columns(
            TimeEntry.user_id,
            TimeEntry.project_id,
            TimeEntry.contract_id,
            TimeEntry.task_id,
            TimeEntry.start_at,
            TimeEntry.end_at,
            Membership.timezone,
        )
        .select_from(TimeEntry)
        .join(
            Membership,
            and_(Membership.workspace_id == TimeEntry.workspace_id, Membership.user_id == TimeEntry.user_id),
        )
        .where(TimeEntry.start_at < end, TimeEntry.start_at > start - MAX_SPAN, *_conditions(actor, filters))
    )
    if bounds is None:
        return stmt.add_columns(cast(null(), Integer).label("day")).cte("pieces")
    held = whole_day(TimeEntry.start_at, TimeEntry.end_at, bounds, min(w.day for w in windows))
    return (
        stmt.join(bounds, bounds.c.timezone == Membership.timezone)
        .add_columns(held.label("day"))
        .cte("pieces")
    )


def bounds_table(windows: list[DayWindow]) -> CTE:
    """PostgreSQL: each timezone of ``windows`` with its local midnights in order, the
    start of every window and the end of the last (``WITH zone_bounds(timezone, bounds)
    AS (SELECT ...)``, an array of timestamps per zone): what
    :func:`localdays.whole_day` searches. A SELECT of bound parameters per zone, not a
    VALUES table: SQLAlchemy caches no statement that holds ``values().data()``, so a
    report's statement was compiled again at every call (10 ms of the event loop)."""
    per_zone: dict[str, list[datetime]] = {}
    for window in windows:
        per_zone.setdefault(window.timezone, [window.start]).append(window.end)
    rows = [
        select(
            literal(zone, String(64)).label("timezone"), literal(bounds, ARRAY(UTCDateTime())).label("bounds")
        )
        for zone, bounds in per_zone.items()
    ]
    table = rows[0] if len(rows) == 1 else union_all(*rows)
    return table.cte("zone_bounds")


def _local_days(session: AsyncSession, windows: list[DayWindow]) -> CTE:
    """The windows as a table (:func:`localdays.windows_table`'s columns): on PostgreSQL
    made from the zones' midnights (:func:`bounds_windows`), bound parameters that let
    SQLAlchemy cache the statement (it caches none that holds a VALUES table); on SQLite
    that VALUES table."""
    if session.get_bind().dialect.name == "postgresql":
        return bounds_windows(bounds_table(windows), min(w.day for w in windows))
    return windows_table(windows)


def bounds_windows(bounds: CTE, first: date) -> CTE:
    """PostgreSQL: :func:`localdays.windows_table`'s rows made from
    :func:`bounds_table`'s (the nth window of a zone runs from its nth local
    midnight to the next, on ``first`` + n - 1), with no parameter of their own. As a
    VALUES table, a year of windows is 1,460 parameters, which SQLAlchemy processed on
    the event loop at every call (45 ms, while every other request waited)."""
    windows = func.array_length(bounds.c.bounds, 1) - 1
    series = func.generate_series(1, windows).table_valued("n").render_derived()
    n = series.c.n
    return (
        select(
            bounds.c.timezone.label("timezone"),
            (literal(first, Date()) + n - 1).label("day"),
            bounds.c.bounds[n].label("day_start"),
            bounds.c.bounds[n + 1].label("day_end"),
        )
        .select_from(bounds.join(series, true()))
        .cte("local_days")
    )


def _sums(session: AsyncSession, pieces: CTE, windows: list[DayWindow], bounds: CTE | None) -> CTE:
    """The seconds per member, local day, project, contract and task: an entry held
    whole by one local day counts its own seconds there; the others (across a local
    midnight, or starting before the range) are cut against the windows of their
    member's timezone, as :func:`_cut` cuts them. Seconds are summed as integers (a
    bigint's sum keeps a numeric state per group). On PostgreSQL the windows come from
    the local midnights the pieces were searched in (:func:`bounds_windows`)."""
    dialect = session.get_bind().dialect.name
    entry = pieces.c
    first = min(w.day for w in windows)
    table = windows_table(windows) if bounds is None else bounds_windows(bounds, first)
    ids = (entry.user_id, entry.project_id, entry.contract_id, entry.task_id)
    whole = select(
        *ids,
        entry.day,
        cast(epoch_seconds(entry.end_at, dialect) - epoch_seconds(entry.start_at, dialect), Integer).label(
            "seconds"
        ),
    ).where(entry.day.is_not(None))
    cut = (
        select(
            *ids,
            day_number_of(table.c.day, dialect),
            cast(seconds_within(entry.start_at, entry.end_at, table, dialect), Integer),
        )
        .join(
            table,
            and_(table.c.timezone == entry.timezone, overlaps(entry.start_at, entry.end_at, table)),
        )
        .where(entry.day.is_(None))
    )
    parts = union_all(whole, cut).subquery("parts").c
    keys = (parts.user_id, parts.day, parts.project_id, parts.contract_id, parts.task_id)
    return (
        select(*keys, cast(func.sum(parts.seconds), BigInteger).label("seconds")).group_by(*keys).cte("sums")
    )


def _nothing(type_: Any) -> Any:
    """A NULL of ``type_``: the first part of a UNION types its columns (PostgreSQL
    takes two untyped NULLs for texts)."""
    return cast(null(), type_)


def _cells_statement(
    session: AsyncSession, actor: Actor, filters: TimeFilters, windows: list[DayWindow]
) -> Select[Any]:
    """One statement: the sums (:func:`_sums`), then what they name of projects,
    contracts and tasks, each once, as rows of their own (``kind``: :data:`SUM`,
    :data:`PROJECT`, ...) in the sums' columns: ``id`` (a sum's member, or the
    project, contract or task), ``day`` (a project's billing as 0 or 1, a task's status),
    ``project_id``, ``contract_id``, ``task_id``, ``seconds`` (a contract's rate in
    cents, its column being Numeric(12, 2)), then a ``name`` (a project's, a task's
    title) and a task's completion. Every column a sum does not use costs its 40,000
    NULLs to decode: the lookups share the integer columns, and the members' names come
    with their timezones (:func:`members_asked`)."""
    # PostgreSQL: each zone's local midnights, searched for the day holding an entry.
    bounds = bounds_table(windows) if session.get_bind().dialect.name == "postgresql" else None
    pieces = _pieces(actor, filters, windows, bounds)
    s = _sums(session, pieces, windows, bounds).c
    # What the lookups read: the projects, contracts and tasks the entries name, found
    # once over the entries rather than once per lookup over the sums.
    named = select(pieces.c.project_id, pieces.c.contract_id, pieces.c.task_id).distinct().cte("named").c
    of_sums = select(
        literal(SUM).label("kind"),
        s.user_id.label("id"),
        s.day,
        s.project_id,
        s.contract_id,
        s.task_id,
        s.seconds,
        _nothing(String).label("name"),
        # Typed in SQL, but processed in :func:`_take`, on the tasks' rows only.
        type_coerce(_nothing(UTCDateTime()), NullType()).label("completed_at"),
    )
    none = null()
    of_projects = select(
        literal(PROJECT),
        Project.id,
        cast(Project.is_billable, Integer),
        none,
        none,
        none,
        none,
        Project.name,
        none,
    ).where(Project.id.in_(select(named.project_id)))
    of_contracts = select(
        literal(CONTRACT), Contract.id, none, none, none, none, _rate_cents(), none, none
    ).where(Contract.id.in_(select(named.contract_id)))
    of_tasks = select(
        literal(TASK), Task.id, Task.status, none, none, none, none, Task.title, Task.completed_at
    ).where(Task.id.in_(select(named.task_id)))
    return union_all(of_sums, of_projects, of_contracts, of_tasks)  # type: ignore[return-value]


def _rate_cents() -> ColumnElement[int]:
    """A contract's rate in cents (its column is Numeric(12, 2): exact)."""
    return cast(func.round(Contract.rate * 100), BigInteger)


def _take(cells: Cells, rows: list[Any], completion: Callable[[Any], Any] | None) -> None:
    """The rows of the cells' statement (the driver's: integers and texts, none needs
    processing) into ``cells``: the sums, and the lookups (a task's completion read as
    its column reads it, ``completion``, on the tasks' rows only); then the rows freed a
    chunk at a time (``kit.offload.emptied``)."""
    cells.sums += [row[1:7] for row in rows if row[0] == SUM]
    for kind, found_id, number, _, _, _, cents, name, completed_at in [row for row in rows if row[0] != SUM]:
        if kind == PROJECT:
            cells.projects[found_id] = (name, bool(number))
        elif kind == CONTRACT:
            cells.rates[found_id] = None if cents is None else Decimal(cents).scaleb(-2)
        else:
            cells.tasks[found_id] = (
                name,
                number,
                completed_at if completion is None else completion(completed_at),
            )
    emptied(rows)


def _completion(session: AsyncSession) -> Callable[[Any], Any] | None:
    """How the session's database hands a task's completion over (``UTCDateTime``)."""
    return UTCDateTime().result_processor(session.get_bind().dialect, None)


async def cells(
    session: AsyncSession, actor: Actor, filters: TimeFilters, windows: list[DayWindow], names: Names
) -> Cells:
    """The seconds per member, local day, project, contract and task, with the rates,
    billing and task states they name (one statement) and ``names``, the members'."""
    found = Cells(users=names)
    if windows:
        rows = await driver_rows(session, _cells_statement(session, actor, filters, windows))
        # A year of every member is 500,000 rows: split and freed in a worker thread (as
        # they are summed), so that the event loop keeps serving other requests meanwhile.
        await asyncio.to_thread(_take, found, rows, _completion(session))
    return found


def _priced_cells(
    session: AsyncSession, actor: Actor, filters: TimeFilters, windows: list[DayWindow]
) -> tuple[Subquery, CTE]:
    """The cells of :func:`_sums` as :data:`DayRow` columns (``user_id``, ``day``,
    ``project_id``, ``contract_id``, ``minutes``, ``cents``), priced here
    (``kit.money.priced_cents_sql``: each cell's whole minutes at its contract's rate,
    none where its project does not bill), and the pieces they were summed from."""
    bounds = bounds_table(windows) if session.get_bind().dialect.name == "postgresql" else None
    pieces = _pieces(actor, filters, windows, bounds)
    sums = _sums(session, pieces, windows, bounds)
    s = sums.c
    # The workspace's rates in cents, once per contract (as a join's column, PostgreSQL
    # computed the numeric expression again for every cell); not only the contracts the
    # pieces name: finding those scanned the pieces once more (6 ms a month, 50 a year).
    rates = (
        select(Contract.id, _rate_cents().label("cents"))
        .where(Contract.workspace_id == actor.workspace_id)
        .cte("rates")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    rate = rates.c.cents
    whole = s.seconds // 60
    charged = and_(rate.is_not(None), func.coalesce(Project.is_billable, true()))
    cents = case((charged, priced_cents_sql(whole, rate)), else_=0)
    cells = (
        select(s.user_id, s.day, s.project_id, s.contract_id, whole.label("minutes"), cents.label("cents"))
        .select_from(sums)
        .outerjoin(rates, rates.c.id == s.contract_id)
        .outerjoin(Project, Project.id == s.project_id)
        .subquery("priced")
    )
    return cells, pieces


def _days_statement(
    session: AsyncSession,
    actor: Actor,
    filters: TimeFilters,
    windows: list[DayWindow],
    *,
    by_day: bool = False,
) -> Select[Any]:
    """One statement: the rows of :class:`ProjectDays` (:func:`_priced_cells`) in their
    order, or, ``by_day``, by day first (then member, project and contract: a stream
    that yields a day at a time). A month of every member is 43,000 cells: what Python
    did per cell (nesting them per member and day, pricing, sorting) cost more than
    PostgreSQL's pricing and sort. They are not summed per project here: PostgreSQL's
    sums of 43,000 groups cost 40 ms (a bigint's sum keeps a numeric state), while a
    project's cells of a day (one per task) are next to each other, the rare few added
    up as they are read. Nothing else comes in this statement: the sort of the cells
    beside the projects' names (a UNION) took 30 ms, of the cells alone 13."""
    cells = _priced_cells(session, actor, filters, windows)[0]
    c = cells.c
    first = (c.day, c.user_id) if by_day else (c.user_id, c.day)
    return select(cells).order_by(*first, c.project_id.nulls_last(), c.contract_id.nulls_last())


def _packed_statement(
    session: AsyncSession, actor: Actor, filters: TimeFilters, windows: list[DayWindow]
) -> Select[Any]:
    """PostgreSQL: the rows of :func:`_days_statement` as one text per day
    (:data:`PACKED`: ``id`` the day, ``text``), ``user,project,contract,minutes,cents``
    (none as an empty field) joined by ``;`` in their order, and the names of the
    projects they name (:data:`PROJECT`: ``id``, ``text`` the name). A year of every
    member is 500,000 cells: as rows, the driver decodes them on the event loop (1.3 s
    of it, while every other request waits); as 365 texts, the process that renders
    them splits them (:meth:`ProjectDays.unpacked`)."""
    cells, pieces = _priced_cells(session, actor, filters, windows)
    c = cells.c
    order = (c.user_id, c.project_id.nulls_last(), c.contract_id.nulls_last())
    text = func.aggregate_strings(_packed_row(c), ";").aggregate_order_by(*order)
    of_days = select(literal(PACKED).label("kind"), c.day.label("id"), text.label("text")).group_by(c.day)
    of_projects = select(literal(PROJECT), Project.id, Project.name).where(
        Project.id.in_(select(pieces.c.project_id))
    )
    return union_all(of_days, of_projects)  # type: ignore[return-value]


def _packed_row(row: Any) -> ColumnElement[str]:
    """A row as ``user,project,contract,minutes,cents`` (an empty field for none)."""
    text: ColumnElement[str] = cast(row.user_id, String)
    for column in (row.project_id, row.contract_id):
        text = text + "," + func.coalesce(cast(column, String), "")
    return text + "," + cast(row.minutes, String) + "," + cast(row.cents, String)


def _take_packed(found: ProjectDays, rows: list[Any]) -> None:
    """The rows of :func:`_packed_statement` into ``found``."""
    for kind, found_id, text in rows:
        if kind == PACKED:
            found.packed.append((found_id, text))
        else:
            found.projects[found_id] = text


def _project_ids(rows: list[DayRow]) -> list[int]:
    return [project_id for project_id in {row[2] for row in rows} if project_id is not None]


async def project_names(session: AsyncSession, actor: Actor, ids: list[int]) -> dict[int, str]:
    """The names of the workspace's projects ``ids``."""
    if not ids:
        return {}
    stmt = select(Project.id, Project.name).where(
        Project.workspace_id == actor.workspace_id, Project.id.in_(ids)
    )
    return dict(await column_rows(session, stmt))


async def project_days(
    session: AsyncSession,
    actor: Actor,
    filters: TimeFilters,
    windows: list[DayWindow],
    names: Names,
    *,
    packed: bool = False,
) -> ProjectDays:
    """Each member's local days' cells, priced (:func:`_days_statement`), with
    ``names``, the members', and the names of the projects they name (one statement
    more); ``packed`` (PostgreSQL only), as a text per day (:func:`_packed_statement`,
    the names within it)."""
    found = ProjectDays(users=names)
    if not windows:
        return found
    if packed and session.get_bind().dialect.name == "postgresql":
        rows = await driver_rows(session, _packed_statement(session, actor, filters, windows))
        _take_packed(found, rows)
        return found
    # The driver's records, as they are (they index and unpack as tuples).
    found.rows = await driver_rows(session, _days_statement(session, actor, filters, windows))
    ids = await asyncio.to_thread(_project_ids, found.rows)
    found.projects = await project_names(session, actor, ids)
    return found


# Rows fetched at a time when a report streams (a year of 1,000 members: 500,000 rows).
STREAM_ROWS = 5000


async def member_days_by_day(
    session: AsyncSession, actor: Actor, filters: TimeFilters, windows: list[DayWindow], names: Names
) -> AsyncIterator[ProjectDays]:
    """The rows of :func:`project_days` a day at a time, in order (the same cells,
    sorted by day first), fetched :data:`STREAM_ROWS` at a time: an export holds one day
    in memory, never the range. No project is named (an export's rows are the
    members')."""
    if not windows:
        return
    stmt = _days_statement(session, actor, filters, windows, by_day=True)
    result = await session.stream(stmt.execution_options(yield_per=STREAM_ROWS))
    day: list[DayRow] = []
    async for rows in result.partitions():
        for row in rows:
            if day and day[0][1] != row[1]:
                yield ProjectDays(day, names)
                day = []
            day.append(tuple(row))
    if day:
        yield ProjectDays(day, names)


async def users_page(
    session: AsyncSession, actor: Actor, filters: TimeFilters, windows: list[DayWindow], params: PageParams
) -> Page[ReportUser]:
    """A page of the members with counted time in the windows, by name: the rows of a
    report paged by users."""
    if not windows:
        return Page([], _empty(params))
    table = _local_days(session, windows)
    with_time = _cut(actor, filters, windows, table, TimeEntry.user_id)
    stmt = (
        select(User.id, *_NAMES)
        .where(User.id.in_(with_time))
        .order_by(User.firstname, User.lastname, User.id)
    )
    page = await fetch_page(session, Paged.of(stmt, columns_only=True), params)
    return Page([ReportUser(*row) for row in page.items], page.pagination)


async def descriptions_page(
    session: AsyncSession, actor: Actor, filters: TimeFilters, windows: list[DayWindow], params: PageParams
) -> Page[DescriptionRow]:
    """The seconds per member, project and activity description over the windows, a
    page of them (by member name, project name, description): one statement."""
    if not windows:
        return Page([], _empty(params))
    table = _local_days(session, windows)
    groups = (TimeEntry.user_id, *_NAMES, TimeEntry.project_id, Project.name, TimeEntry.activity_description)
    stmt = (
        _cut(actor, filters, windows, table, *groups, _seconds(session, table))
        .join(User, User.id == TimeEntry.user_id)
        .outerjoin(Project, Project.id == TimeEntry.project_id)
        .group_by(*groups)
        .order_by(
            User.firstname,
            User.lastname,
            TimeEntry.user_id,
            func.coalesce(Project.name, ""),
            func.coalesce(TimeEntry.project_id, 0),
            func.coalesce(TimeEntry.activity_description, ""),
        )
    )
    page = await fetch_page(session, Paged.of(stmt, columns_only=True), params)
    return Page([DescriptionRow(*row) for row in page.items], page.pagination)


def _empty(params: PageParams) -> Pagination:
    return Pagination(params.page, params.per_page, 0, 0)


class TaskState(NamedTuple):
    """What the task report shows of a task beside its time: its estimate and who is
    assigned to it."""

    estimation: Decimal | None
    assignee_ids: list[int]


async def task_states(session: AsyncSession, actor: Actor, task_ids: list[int]) -> dict[int, TaskState]:
    """The estimate and the assignees' user ids of each task of the workspace among
    ``task_ids`` (one statement: the tasks, each with its assignments if any)."""
    found: dict[int, TaskState] = {}
    if not task_ids:
        return found
    stmt = (
        select(Task.id, Task.estimation, TaskAssignee.user_id)
        .outerjoin(TaskAssignee, TaskAssignee.task_id == Task.id)
        .where(Task.workspace_id == actor.workspace_id, Task.id.in_(task_ids))
        .order_by(Task.id, TaskAssignee.user_id)
    )
    for task_id, estimation, user_id in await column_rows(session, stmt):
        state = found.setdefault(task_id, TaskState(estimation, []))
        if user_id is not None:
            state.assignee_ids.append(user_id)
    return found


class EntryPiece(NamedTuple):
    """One entry's part on one local day of its member (``day_start``..``day_end``, UTC),
    with what the timeline shows of it: the grain of the timeline and attendance."""

    id: uuid.UUID
    user_id: int
    timezone: str
    day: date
    day_start: datetime
    day_end: datetime
    start_at: datetime
    end_at: datetime
    project_id: int | None
    project_name: str | None
    task_id: int | None
    task_title: str | None
    activity_description: str | None
    method: str
    activity_level: int | None
    rate: Decimal | None
    billable: bool | None


async def entry_pieces(
    session: AsyncSession, actor: Actor, filters: TimeFilters, windows: list[DayWindow]
) -> list[EntryPiece]:
    """The counted entries of the windows, one row per entry and local day it touches,
    by member and start: one statement (a list, not a sum: the timeline shows each)."""
    if not windows:
        return []
    table = _local_days(session, windows)
    shown = (
        TimeEntry.id,
        TimeEntry.user_id,
        Membership.timezone,
        table.c.day,
        table.c.day_start,
        table.c.day_end,
        TimeEntry.start_at,
        TimeEntry.end_at,
        TimeEntry.project_id,
        Project.name,
        TimeEntry.task_id,
        Task.title,
        TimeEntry.activity_description,
        TimeEntry.method,
        TimeEntry.activity_level,
        Contract.rate,
        Project.is_billable,
    )
    stmt = (
        _cut(actor, filters, windows, table, *shown)
        .outerjoin(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Contract, Contract.id == TimeEntry.contract_id)
        .outerjoin(Task, Task.id == TimeEntry.task_id)
        .order_by(TimeEntry.user_id, table.c.day, TimeEntry.start_at, TimeEntry.id)
    )
    return [EntryPiece(*row) for row in await column_rows(session, stmt)]


class ActivityDay(NamedTuple):
    """A member's seconds on one local day: all of them, those with an activity level,
    and the level times the seconds summed (the numerator of the weighted average)."""

    user_id: int
    day: date
    seconds: int
    level_seconds: int
    weighted: int


async def activity_days(
    session: AsyncSession, actor: Actor, filters: TimeFilters, windows: list[DayWindow]
) -> list[ActivityDay]:
    """``SUM(seconds)``, ``SUM(seconds WHERE activity_level IS NOT NULL)`` and
    ``SUM(activity_level * seconds)`` per member and local day: one statement."""
    if not windows:
        return []
    table = _local_days(session, windows)
    dialect = session.get_bind().dialect.name
    seconds = seconds_within(TimeEntry.start_at, TimeEntry.end_at, table, dialect)
    leveled = TimeEntry.activity_level.is_not(None)
    stmt = (
        _cut(
            actor,
            filters,
            windows,
            table,
            TimeEntry.user_id,
            table.c.day,
            cast(func.sum(seconds), BigInteger),
            cast(func.coalesce(func.sum(case((leveled, seconds), else_=0)), 0), BigInteger),
            cast(func.coalesce(func.sum(TimeEntry.activity_level * seconds), 0), BigInteger),
        )
        .group_by(TimeEntry.user_id, table.c.day)
        .order_by(TimeEntry.user_id, table.c.day)
    )
    return [ActivityDay(*row) for row in await column_rows(session, stmt)]


class ScopeMember(NamedTuple):
    id: int
    firstname: str
    lastname: str
    email: str
    timezone: str


async def members_in_scope(session: AsyncSession, actor: Actor, filters: TimeFilters) -> list[ScopeMember]:
    """The workspace's active members whose day the actor may report on
    (``visibility.visible_report_user_ids``) under the member filters, by name: the
    rows of the attendance report, time or none."""
    stmt = (
        select(User.id, *_NAMES, Membership.timezone)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.workspace_id == actor.workspace_id,
            Membership.status == MembershipStatus.ACTIVE,
            restrict(Membership.user_id, visible_report_user_ids(actor)),
            *_member_conditions(actor, Membership.user_id, filters),
        )
        .order_by(User.firstname, User.lastname, User.id)
    )
    return [ScopeMember(*row) for row in await column_rows(session, stmt)]
