"""The SQL of the locks on time: the member's row lock and the approved timesheets'
spans. Apart from the timesheets domain, so that time entries, timers and time requests
(which timesheets read) take them without a package cycle; scoped by the workspace."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor
from webwork.kit.db import UTCDateTime, column_rows, serialise_writes
from webwork.models import Membership, Timesheet
from webwork.models.statuses import TimesheetStatus

_LOCKED_MEMBERS = "locked_members"
_LOCK_MEMBER = (
    select(Membership.id)
    .where(Membership.workspace_id == bindparam("workspace_id"), Membership.user_id == bindparam("user_id"))
    .with_for_update()
)


async def lock_member(session: AsyncSession, actor: Actor, user_id: int) -> None:
    """Row-lock the member's membership until the transaction ends, on PostgreSQL,
    once per transaction, however many rules ask for it (the lock check and the
    overlap check of one save both do). SQLite has one writer at a time: the
    transaction becomes it here."""
    transaction = session.get_transaction()
    held: tuple[object, set[tuple[int, int]]] | None = session.info.get(_LOCKED_MEMBERS)
    if held is None or held[0] is not transaction:
        held = session.info[_LOCKED_MEMBERS] = (transaction, set())
    key = (actor.workspace_id, user_id)
    if key in held[1]:
        return
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_LOCK_MEMBER, {"workspace_id": actor.workspace_id, "user_id": user_id})
    else:
        await serialise_writes(session)
    held[1].add(key)


class LockedPeriod(NamedTuple):
    date_from: date
    date_to: date


def approved_touching(start: BindParameter[datetime], end: BindParameter[datetime]) -> ColumnElement[bool]:
    """An approved timesheet of the member (bound as ``workspace_id`` and ``user_id``)
    whose locked span [locked_from, locked_until) shares time with [start, end). The
    one statement of the rule: a save of time reads it with the member's other time
    (:func:`webwork.time_entries.repository.touching`), other writes on its own."""
    return _approved_touching(start, end, instant=False)


def _approved_touching(
    start: BindParameter[datetime], end: BindParameter[datetime], *, instant: bool
) -> ColumnElement[bool]:
    begins_in_time = Timesheet.locked_from <= start if instant else Timesheet.locked_from < end
    return and_(
        Timesheet.workspace_id == bindparam("workspace_id"),
        Timesheet.user_id == bindparam("user_id"),
        Timesheet.status == TimesheetStatus.APPROVED,
        begins_in_time,
        Timesheet.locked_until > start,
    )


def _approved_period(instant: bool) -> Select[date, date]:
    start, end = bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime())
    return (
        select(Timesheet.date_from, Timesheet.date_to)
        .where(_approved_touching(start, end, instant=instant))
        .limit(1)
    )


# Every save of time asks: built once, for a span and for an instant.
_APPROVED_PERIOD = {instant: _approved_period(instant) for instant in (False, True)}


async def approved_period(
    session: AsyncSession, actor: Actor, user_id: int, start: datetime, end: datetime
) -> LockedPeriod | None:
    """The period of an approved timesheet of the member whose locked span
    [locked_from, locked_until) shares time with [start, end), or contains the instant
    ``start`` when ``end == start``."""
    values = {"workspace_id": actor.workspace_id, "user_id": user_id, "start": start, "end": end}
    rows = await column_rows(session, _APPROVED_PERIOD[end <= start], values)
    return LockedPeriod(rows[0][0], rows[0][1]) if rows else None
