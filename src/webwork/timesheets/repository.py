"""All SQL of the timesheets domain: every statement starts from :func:`readable` (the
timesheets) or from the time entries' own readable statement, so it is scoped to the
actor's workspace and to the members the actor may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Date, Select, and_, exists, literal, or_, select, true, union, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.prebuilt import Scope
from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.auth.visibility import restrict, visible_user_ids
from webwork.kit.db import add_unless_taken
from webwork.kit.pagination import Page, PageParams, paginate
from webwork.models import Contract, Membership, Project, TimeEntry, Timesheet, User
from webwork.models.statuses import MembershipStatus, TimesheetStatus
from webwork.time_entries import repository as time_entries_repository
from webwork.timesheets.periods import TimesheetKey

# Wider than any UTC offset: finds every entry that may touch a local date range.
_ANY_ZONE = timedelta(days=1)


def readable(actor: Scope) -> Select[Timesheet]:
    """The stored timesheets the actor may see: of the workspace, of the members the
    actor's role sees."""
    return select(Timesheet).where(
        Timesheet.workspace_id == actor.workspace_id, restrict(Timesheet.user_id, visible_user_ids(actor))
    )


@dataclass(frozen=True)
class ListFilters:
    first: date
    last: date
    period_starts: list[date]
    user_id: int | None = None
    key: TimesheetKey | None = None
    status: str | None = None
    ascending: bool = False
    # Only stored timesheets can match (a decided status): no computed periods to join.
    stored_only: bool = False


@dataclass(frozen=True)
class EntrySlice:
    """The fields of a finished time entry that a timesheet total needs."""

    user_id: int
    start_at: datetime
    end_at: datetime
    project_id: int | None
    project_name: str | None
    contract_id: int | None
    rate: Decimal | None
    billable: bool


def _period_starts(starts: list[date]) -> Any:
    selects = [select(literal(day, Date).label("date_from")) for day in starts]
    return (selects[0] if len(selects) == 1 else union_all(*selects)).subquery("periods")


def _computed(actor: Actor, filters: ListFilters) -> Select[Any]:
    """(user_id, date_from) of every period of the range for each visible member who is
    active and tracks time, or who has time in the range."""
    periods = _period_starts(filters.period_starts)
    wide_start = datetime.combine(filters.first, time(0), tzinfo=UTC) - _ANY_ZONE
    wide_end = datetime.combine(filters.last, time(0), tzinfo=UTC) + 2 * _ANY_ZONE
    has_time = exists(
        time_entries_repository.readable(actor)
        .with_only_columns(TimeEntry.id)
        .where(
            TimeEntry.user_id == Membership.user_id,
            time_entries_repository.finished_touching(wide_start, wide_end),
        )
    )
    return (
        select(Membership.user_id.label("user_id"), periods.c.date_from)
        .join(periods, true())
        .where(
            Membership.workspace_id == actor.workspace_id,
            restrict(Membership.user_id, visible_user_ids(actor)),
            or_(
                and_(
                    Membership.status == MembershipStatus.ACTIVE, Membership.role != Role.PROJECT_VIEWER.value
                ),
                has_time,
            ),
        )
    )


async def list_page(
    session: AsyncSession, actor: Actor, filters: ListFilters, params: PageParams
) -> Page[tuple[int, date, Timesheet | None, User, str | None]]:
    """One page of :func:`_listing`: a count and the page, in one query."""
    return await paginate(session, _listing(actor, filters), params)


def _listing(actor: Actor, filters: ListFilters) -> Select[Any]:
    """(user_id, date_from, Timesheet | None, User, timezone) for every listed period.

    Listed: each visible member who is active and tracks time (project viewers do not),
    or who has time in the range, for every period of the range; plus every stored
    timesheet of the range (a member archived since still shows the periods someone
    acted on). Pairs are (member, first day), the identity of a timesheet, so a stored
    row and a computed period never both appear."""
    workspace_id = actor.workspace_id
    stored = (
        readable(actor)
        .with_only_columns(Timesheet.user_id.label("user_id"), Timesheet.date_from)
        .where(Timesheet.date_from <= filters.last, Timesheet.date_to >= filters.first)
    )
    pairs = (stored if filters.stored_only else union(_computed(actor, filters), stored)).subquery("pairs")
    stmt = (
        select(pairs.c.user_id, pairs.c.date_from, Timesheet, User, Membership.timezone)
        .join(User, User.id == pairs.c.user_id)
        .outerjoin(
            Timesheet,
            and_(
                Timesheet.workspace_id == workspace_id,
                Timesheet.user_id == pairs.c.user_id,
                Timesheet.date_from == pairs.c.date_from,
            ),
        )
        .outerjoin(
            Membership, and_(Membership.workspace_id == workspace_id, Membership.user_id == pairs.c.user_id)
        )
    )
    if filters.user_id is not None:
        stmt = stmt.where(pairs.c.user_id == filters.user_id)
    if filters.key is not None:
        stmt = stmt.where(pairs.c.user_id == filters.key.user_id, pairs.c.date_from == filters.key.date_from)
    if filters.status == TimesheetStatus.OPEN:
        stmt = stmt.where(or_(Timesheet.id.is_(None), Timesheet.status == TimesheetStatus.OPEN))
    elif filters.status is not None:
        stmt = stmt.where(Timesheet.status == filters.status)
    by_period = pairs.c.date_from.asc() if filters.ascending else pairs.c.date_from.desc()
    return stmt.order_by(by_period, pairs.c.user_id)


async def finished_entries(
    session: AsyncSession, actor: Actor, windows: list[tuple[int, datetime, datetime]]
) -> list[EntrySlice]:
    """Finished entries touching any (user, UTC start, UTC end) window: one query."""
    if not windows:
        return []
    rows = await session.execute(
        time_entries_repository.readable(actor)
        .with_only_columns(
            TimeEntry.user_id,
            TimeEntry.start_at,
            TimeEntry.end_at,
            TimeEntry.project_id,
            Project.name,
            TimeEntry.contract_id,
            Contract.rate,
            Project.is_billable,
        )
        .select_from(TimeEntry)
        .outerjoin(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Contract, Contract.id == TimeEntry.contract_id)
        .where(
            or_(
                *(
                    and_(TimeEntry.user_id == user_id, time_entries_repository.finished_touching(start, end))
                    for user_id, start, end in windows
                )
            ),
        )
        .order_by(TimeEntry.start_at)
    )
    slices = []
    for user_id, start_at, end_at, project_id, name, contract_id, rate, billable in rows:
        assert end_at is not None  # running timers are filtered out above
        slices.append(
            EntrySlice(user_id, start_at, end_at, project_id, name, contract_id, rate, bool(billable))
        )
    return slices


class ApprovedSpan(NamedTuple):
    user_id: int
    date_from: date
    date_to: date
    locked_from: datetime
    locked_until: datetime


async def approved_beside(
    session: AsyncSession, actor: Actor, periods: list[tuple[int, date, date]]
) -> list[ApprovedSpan]:
    """The approved timesheets of the members of ``periods`` (user, first day, last
    day) that end the day before or start the day after one of them: one query, however
    many periods (the caller picks the pairs that match)."""
    day = timedelta(days=1)
    rows = await session.execute(
        readable(actor)
        .with_only_columns(
            Timesheet.user_id,
            Timesheet.date_from,
            Timesheet.date_to,
            Timesheet.locked_from,
            Timesheet.locked_until,
        )
        .where(
            Timesheet.user_id.in_(sorted({user_id for user_id, _, _ in periods})),
            Timesheet.status == TimesheetStatus.APPROVED,
            or_(
                Timesheet.date_to.in_(sorted({first - day for _, first, _ in periods})),
                Timesheet.date_from.in_(sorted({last + day for _, _, last in periods})),
            ),
        )
    )
    spans = []
    for user_id, date_from, date_to, locked_from, locked_until in rows:
        # ck_timesheets_approved_span: an approved row always has its span
        assert locked_from is not None and locked_until is not None
        spans.append(ApprovedSpan(user_id, date_from, date_to, locked_from, locked_until))
    return spans


async def has_time_outside(
    session: AsyncSession,
    actor: Actor,
    user_id: int,
    window: tuple[datetime, datetime],
    project_ids: Select[int],
) -> bool:
    """Whether the member has time touching [window), finished or running, that is not
    on one of ``project_ids`` (time without a project is on none)."""
    start, end = window
    found = await session.scalar(
        time_entries_repository.readable(actor)
        .with_only_columns(TimeEntry.id)
        .where(
            TimeEntry.user_id == user_id,
            or_(
                time_entries_repository.finished_touching(start, end),
                and_(TimeEntry.end_at.is_(None), TimeEntry.start_at < end),
            ),
            or_(TimeEntry.project_id.is_(None), TimeEntry.project_id.not_in(project_ids)),
        )
        .limit(1)
    )
    return found is not None


async def stored(session: AsyncSession, actor: Actor, key: TimesheetKey) -> Timesheet | None:
    """The stored timesheet of the period, locked for the rest of the transaction."""
    stmt = readable(actor).where(Timesheet.user_id == key.user_id, Timesheet.date_from == key.date_from)
    return await session.scalar(stmt.with_for_update())


async def add(session: AsyncSession, row: Timesheet) -> bool:
    """Store a period's first row; False when a concurrent transaction stored it first
    (the unique constraint on member and first day decides)."""
    return await add_unless_taken(session, row)
