"""All SQL of the leaves domain. Leave is read through :func:`readable` (the workspace,
and whose leave the actor sees: ``visibility.visible_leave_user_ids``), policies through
:func:`readable_policies`, holidays and the work week by the workspace alone."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor
from webwork.auth.visibility import restrict, visible_leave_user_ids
from webwork.kit.db import column_rows, save
from webwork.kit.pagination import Page, Paged, PageParams, fetch_page
from webwork.leaves.calendar import Sums, cents
from webwork.models import (
    Leave,
    LeaveHoliday,
    LeavePolicy,
    LeavePolicyMember,
    LeaveSettings,
    Membership,
    User,
)
from webwork.models.statuses import LeaveStatus, MembershipStatus

LeaveRow = tuple[Leave, str, str, bool]


def readable(actor: Actor) -> Select[Leave, str, str, bool]:
    """The leave the actor may see, with its policy's name, unit and pay."""
    return (
        select(Leave, LeavePolicy.name, LeavePolicy.time_unit, LeavePolicy.is_paid)
        .join(LeavePolicy, LeavePolicy.id == Leave.policy_id)
        .where(
            Leave.workspace_id == actor.workspace_id,
            restrict(Leave.user_id, visible_leave_user_ids(actor)),
        )
    )


def readable_policies(actor: Actor) -> Select[LeavePolicy]:
    """Every policy of the workspace for owners and executive managers; for others those
    that apply to someone whose leave they see."""
    stmt = select(LeavePolicy).where(LeavePolicy.workspace_id == actor.workspace_id)
    visible = visible_leave_user_ids(actor)
    if visible is None:
        return stmt
    applying = select(LeavePolicyMember.policy_id).where(LeavePolicyMember.user_id.in_(visible))
    return stmt.where(LeavePolicy.id.in_(applying))


# Policies


async def list_policies(session: AsyncSession, actor: Actor, params: PageParams) -> Page[LeavePolicy]:
    stmt = readable_policies(actor).order_by(LeavePolicy.name, LeavePolicy.id)
    return await fetch_page(session, Paged.of(stmt), params)


async def get_policy(session: AsyncSession, actor: Actor, policy_id: uuid.UUID) -> LeavePolicy | None:
    policy: LeavePolicy | None = await session.scalar(
        readable_policies(actor).where(LeavePolicy.id == policy_id)
    )
    return policy


async def policy_members(
    session: AsyncSession, actor: Actor, policy_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[int]]:
    """policy id -> the members it applies to whom the actor sees, in one query."""
    ids = list(policy_ids)
    result: dict[uuid.UUID, list[int]] = {policy_id: [] for policy_id in ids}
    if not ids:
        return result
    stmt = (
        select(LeavePolicyMember.policy_id, LeavePolicyMember.user_id)
        .where(
            LeavePolicyMember.policy_id.in_(ids),
            restrict(LeavePolicyMember.user_id, visible_leave_user_ids(actor)),
        )
        .order_by(LeavePolicyMember.user_id)
    )
    for policy_id, user_id in await column_rows(session, stmt):
        result[policy_id].append(user_id)
    return result


async def applies_to(session: AsyncSession, policy_id: uuid.UUID, user_id: int) -> bool:
    found = await session.scalar(
        select(LeavePolicyMember.user_id).where(
            LeavePolicyMember.policy_id == policy_id, LeavePolicyMember.user_id == user_id
        )
    )
    return found is not None


async def replace_policy_members(
    session: AsyncSession, policy: LeavePolicy, current: Iterable[int], wanted: set[int]
) -> None:
    """Make the policy's members exactly ``wanted``."""
    gone = set(current) - wanted
    if gone:
        await session.execute(
            delete(LeavePolicyMember).where(
                LeavePolicyMember.policy_id == policy.id, LeavePolicyMember.user_id.in_(gone)
            )
        )
    await save(session, *(LeavePolicyMember(policy_id=policy.id, user_id=u) for u in wanted - set(current)))


async def policy_has_leave(session: AsyncSession, policy_id: uuid.UUID) -> bool:
    found = await session.scalar(select(Leave.id).where(Leave.policy_id == policy_id).limit(1))
    return found is not None


async def remove_policy(session: AsyncSession, policy: LeavePolicy) -> None:
    await session.execute(delete(LeavePolicyMember).where(LeavePolicyMember.policy_id == policy.id))
    await session.delete(policy)
    await session.flush()


# Holidays and the work week


def _holidays(workspace_id: int) -> Select[LeaveHoliday]:
    return select(LeaveHoliday).where(LeaveHoliday.workspace_id == workspace_id)


async def list_holidays(session: AsyncSession, actor: Actor, params: PageParams) -> Page[LeaveHoliday]:
    stmt = _holidays(actor.workspace_id).order_by(LeaveHoliday.date, LeaveHoliday.id)
    return await fetch_page(session, Paged.of(stmt), params)


async def get_holiday(session: AsyncSession, actor: Actor, holiday_id: int) -> LeaveHoliday | None:
    holiday: LeaveHoliday | None = await session.scalar(
        _holidays(actor.workspace_id).where(LeaveHoliday.id == holiday_id)
    )
    return holiday


async def holiday_on(session: AsyncSession, actor: Actor, day: date) -> bool:
    found = await session.scalar(
        select(LeaveHoliday.id).where(
            LeaveHoliday.workspace_id == actor.workspace_id, LeaveHoliday.date == day
        )
    )
    return found is not None


@dataclass(frozen=True)
class Calendar:
    """The work week, the hours of a working day and the holidays of some dates."""

    work_days: str | None
    hours_per_day: Decimal | None
    holidays: frozenset[date]


async def calendar(session: AsyncSession, actor: Actor, first: date, last: date) -> Calendar:
    """The workspace's settings (None without a row) and its holidays first..last, in
    one query."""
    stmt = (
        select(LeaveSettings.work_days, LeaveSettings.hours_per_day, LeaveHoliday.date)
        .select_from(Membership)
        .outerjoin(LeaveSettings, LeaveSettings.workspace_id == Membership.workspace_id)
        .outerjoin(
            LeaveHoliday,
            and_(
                LeaveHoliday.workspace_id == Membership.workspace_id,
                LeaveHoliday.date >= first,
                LeaveHoliday.date <= last,
            ),
        )
        .where(Membership.id == actor.membership.id)
    )
    rows = await column_rows(session, stmt)
    work_days, hours = (rows[0][0], rows[0][1]) if rows else (None, None)
    return Calendar(work_days, hours, frozenset(row[2] for row in rows if row[2] is not None))


async def settings(session: AsyncSession, actor: Actor) -> LeaveSettings | None:
    row: LeaveSettings | None = await session.get(LeaveSettings, actor.workspace_id)
    return row


async def add(session: AsyncSession, *rows: Any) -> None:
    await save(session, *rows)


async def remove(session: AsyncSession, row: Any) -> None:
    await session.delete(row)
    await session.flush()


# Leave


@dataclass(frozen=True)
class LeaveFilters:
    id: uuid.UUID | None = None
    user_id: int | None = None
    policy_id: uuid.UUID | None = None
    is_paid: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: str | None = None


async def list_page(
    session: AsyncSession, actor: Actor, filters: LeaveFilters, params: PageParams
) -> Page[LeaveRow]:
    """Leave touching date_from..date_to, latest first."""
    stmt = readable(actor)
    if filters.id is not None:
        stmt = stmt.where(Leave.id == filters.id)
    if filters.user_id is not None:
        stmt = stmt.where(Leave.user_id == filters.user_id)
    if filters.policy_id is not None:
        stmt = stmt.where(Leave.policy_id == filters.policy_id)
    if filters.is_paid is not None:
        stmt = stmt.where(LeavePolicy.is_paid.is_(filters.is_paid))
    if filters.date_from is not None:
        stmt = stmt.where(Leave.end_date >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(Leave.start_date <= filters.date_to)
    if filters.status is not None:
        stmt = stmt.where(Leave.status == filters.status)
    stmt = stmt.order_by(Leave.start_date.desc(), Leave.id)
    return await fetch_page(session, Paged.of(stmt), params)


async def get(
    session: AsyncSession, actor: Actor, leave_id: uuid.UUID, *, lock: bool = False
) -> LeaveRow | None:
    stmt = readable(actor).where(Leave.id == leave_id)
    row = (await session.execute(stmt.with_for_update(of=Leave) if lock else stmt)).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


async def overlapping(
    session: AsyncSession, actor: Actor, user_id: int, first: date, last: date
) -> Sequence[tuple[date, date, int]]:
    """The member's pending and approved leave sharing a date with first..last."""
    stmt = select(Leave.start_date, Leave.end_date, Leave.leave_period).where(
        Leave.workspace_id == actor.workspace_id,
        Leave.user_id == user_id,
        Leave.status.in_((LeaveStatus.PENDING, LeaveStatus.APPROVED)),
        Leave.start_date <= last,
        Leave.end_date >= first,
    )
    return [(row[0], row[1], row[2]) for row in await column_rows(session, stmt)]


def _amount_when(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, Leave.amount), else_=0)), 0)


def _sums(year: int, first: date, last: date) -> tuple[Any, ...]:
    """The four sums of the balance rule (``calendar``), over the leave joined in."""
    y0, y1 = date(year, 1, 1), date(year, 12, 31)
    approved = Leave.status == LeaveStatus.APPROVED
    return (
        _amount_when(and_(approved, Leave.start_date >= y0, Leave.start_date <= y1)),
        _amount_when(
            and_(Leave.status == LeaveStatus.PENDING, Leave.start_date >= y0, Leave.start_date <= y1)
        ),
        _amount_when(and_(approved, Leave.start_date < y0)),
        _amount_when(and_(approved, Leave.start_date >= first, Leave.start_date <= last)),
    )


@dataclass(frozen=True)
class PolicySums:
    user_id: int
    policy: LeavePolicy
    sums: Sums


async def balance_sums(
    session: AsyncSession,
    actor: Actor,
    user_ids: Sequence[int],
    year: int,
    window: tuple[date, date],
    policy_id: uuid.UUID | None = None,
) -> list[PolicySums]:
    """For each of ``user_ids`` and each policy that applies to them: the sums of their
    leave on it, added up in SQL (leave of last year and this year, and of the window,
    joined by the (policy, user) index)."""
    if not user_ids:
        return []
    first, last = window
    earliest = min(date(year - 1, 1, 1), first)
    latest = max(date(year, 12, 31), last)
    stmt = (
        select(LeavePolicyMember.user_id, LeavePolicy, *_sums(year, first, last))
        .join(LeavePolicy, LeavePolicy.id == LeavePolicyMember.policy_id)
        .outerjoin(
            Leave,
            and_(
                Leave.policy_id == LeavePolicyMember.policy_id,
                Leave.user_id == LeavePolicyMember.user_id,
                Leave.start_date >= earliest,
                Leave.start_date <= latest,
            ),
        )
        .where(LeavePolicy.workspace_id == actor.workspace_id, LeavePolicyMember.user_id.in_(user_ids))
        .group_by(LeavePolicyMember.user_id, LeavePolicy.id)
        .order_by(LeavePolicyMember.user_id, LeavePolicy.name, LeavePolicy.id)
    )
    if policy_id is not None:
        stmt = stmt.where(LeavePolicy.id == policy_id)
    rows = (await session.execute(stmt)).all()
    return [
        PolicySums(row[0], row[1], Sums(cents(row[2]), cents(row[3]), cents(row[4]), cents(row[5])))
        for row in rows
    ]


async def members_page(
    session: AsyncSession, actor: Actor, user_id: int | None, params: PageParams
) -> Page[tuple[int, str]]:
    """Active members whose leave the actor sees, with their names, by id."""
    stmt = (
        select(Membership.user_id, User.firstname, User.lastname, User.email)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.workspace_id == actor.workspace_id,
            Membership.status == MembershipStatus.ACTIVE,
            restrict(Membership.user_id, visible_leave_user_ids(actor)),
        )
        .order_by(Membership.user_id)
    )
    if user_id is not None:
        stmt = stmt.where(Membership.user_id == user_id)
    page = await fetch_page(session, Paged.of(stmt, columns_only=True), params)
    names = [(row[0], f"{row[1]} {row[2]}".strip() or row[3]) for row in page.items]
    return Page(names, page.pagination)


async def approved_between(
    session: AsyncSession, actor: Actor, user_ids: Sequence[int], first: date, last: date
) -> Sequence[Any]:
    """Approved leave of ``user_ids`` touching first..last: id, user, policy id and
    name, dates, leave period, days and hours."""
    stmt = (
        select(
            Leave.id,
            Leave.user_id,
            Leave.policy_id,
            LeavePolicy.name,
            Leave.start_date,
            Leave.end_date,
            Leave.leave_period,
            Leave.hours_per_day,
            LeavePolicy.time_unit,
        )
        .join(LeavePolicy, LeavePolicy.id == Leave.policy_id)
        .where(
            Leave.workspace_id == actor.workspace_id,
            Leave.user_id.in_(user_ids),
            Leave.status == LeaveStatus.APPROVED,
            Leave.start_date <= last,
            Leave.end_date >= first,
        )
    )
    return list(await column_rows(session, stmt))


async def approved_on(session: AsyncSession, actor: Actor, user_ids: Sequence[int], day: date) -> set[int]:
    """Which of ``user_ids`` have approved leave the actor sees covering ``day``."""
    if not user_ids:
        return set()
    stmt = (
        readable(actor)
        .with_only_columns(Leave.user_id)
        .where(
            Leave.user_id.in_(user_ids),
            Leave.status == LeaveStatus.APPROVED,
            Leave.start_date <= day,
            Leave.end_date >= day,
        )
        .distinct()
    )
    return {row[0] for row in await column_rows(session, stmt)}
