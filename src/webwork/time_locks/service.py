"""Approved timesheets lock their period: no time may be created, changed or deleted
in it (manually, by an approved time request or by a timer) until it is reopened.

The lock is the UTC span stored when the timesheet was approved, never the period's
dates read again in the member's timezone of now: a timezone changed later moves
neither the lock nor what it protects. Time outside every approved span (a gap a
timezone change left beside one) is free, and is the adjacent open period's."""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor
from webwork.kit.errors import Conflict
from webwork.time_locks import repository


async def lock_member(session: AsyncSession, actor: Actor, user_id: int) -> None:
    """Serialise writes of one member's time in one workspace, and the approval of
    their timesheets: two concurrent saves cannot both see the same time as free, and a
    save cannot slip into a period while it is being approved. Another workspace's
    writes for the same person never wait for it."""
    await repository.lock_member(session, actor, user_id)


async def ensure_unlocked(
    session: AsyncSession, actor: Actor, user_id: int, *, start: datetime, end: datetime
) -> None:
    """Raise 409 if [start, end) (the instant ``start`` when ``end == start``) touches
    the locked span of an approved timesheet of the member. Takes the member's lock
    first, so the answer holds until the transaction ends."""
    await lock_member(session, actor, user_id)
    locked = await repository.approved_period(session, actor, user_id, start, end)
    if locked is not None:
        raise _locked(locked)


async def refuse_locked(
    session: AsyncSession, actor: Actor, user_id: int, *, start: datetime, end: datetime
) -> NoReturn:
    """The 409 of a write into [start, end), which a statement of the caller found
    touching an approved timesheet (:func:`repository.approved_touching`): the period
    is read for the message only then."""
    locked = await repository.approved_period(session, actor, user_id, start, end)
    assert locked is not None, "the member's lock holds the approval that was found"
    raise _locked(locked)


def _locked(period: repository.LockedPeriod) -> Conflict:
    return Conflict(
        f"The timesheet for {period.date_from.isoformat()} to {period.date_to.isoformat()} is approved; "
        "its time is locked until the timesheet is reopened.",
        code="timesheet_locked",
    )
