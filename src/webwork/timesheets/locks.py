"""Approved timesheets lock their period: no time may be created, changed or deleted
in it (manually, by an approved time request or by a timer) until it is reopened."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.kit.errors import Conflict
from webwork.models import Membership, Timesheet


async def lock_member(session: AsyncSession, *, workspace_id: int, user_id: int) -> None:
    """Serialise writes of one member's time in one workspace on PostgreSQL (row lock on
    the membership), so two concurrent saves cannot both see the same time as free.
    Another workspace's writes for the same person never wait for it. SQLite serialises
    writers already (BEGIN IMMEDIATE)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.execute(
            select(Membership.id)
            .where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
            .with_for_update()
        )


def local_dates(start: datetime, end: datetime, timezone: str) -> tuple[date, date]:
    """First and last calendar day, in ``timezone``, touched by [start, end)."""
    zone = ZoneInfo(timezone)
    first = start.astimezone(zone).date()
    last_instant = end - timedelta(microseconds=1) if end > start else start
    return first, max(first, last_instant.astimezone(zone).date())


async def ensure_unlocked(
    session: AsyncSession, *, workspace_id: int, user_id: int, start: datetime, end: datetime, timezone: str
) -> None:
    """Raise 409 if [start, end) touches a day of an approved timesheet of the user."""
    first, last = local_dates(start, end, timezone)
    locked = await session.scalar(
        select(Timesheet)
        .where(
            Timesheet.workspace_id == workspace_id,
            Timesheet.user_id == user_id,
            Timesheet.status == "approved",
            Timesheet.date_from <= last,
            Timesheet.date_to >= first,
        )
        .limit(1)
    )
    if locked is not None:
        raise Conflict(
            f"The timesheet for {locked.date_from.isoformat()} to {locked.date_to.isoformat()} is approved; "
            "its time is locked until the timesheet is reopened.",
            code="timesheet_locked",
        )
