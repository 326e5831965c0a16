"""Rules of live timers.

One running timer per person per workspace: the partial unique index on
``time_entries(workspace_id, user_id) WHERE end_at IS NULL`` is the guard, not a Python
check, so concurrent starts cannot both succeed; the loser's insert fails and becomes a
409. A timer in another workspace neither blocks a start here nor shows in the answer.
Stopping a timer records its interval through the recording engine, so overlaps and
weekly limits cut tracked time exactly as they cut manual time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions
from webwork.auth.principal import Actor
from webwork.kit.clock import as_utc, utcnow
from webwork.kit.days import day_bounds
from webwork.kit.errors import Conflict, Forbidden, ValidationFailed
from webwork.models import Contract, Membership, Task, TimeEntry, User
from webwork.time_entries import repository as entries
from webwork.time_entries.bounds import MAX_SPAN
from webwork.time_entries.recording import (
    NothingSaved,
    Recorded,
    check_assignment,
    describe,
    record_time,
    whole_minutes,
)
from webwork.timesheets.locks import ensure_unlocked
from webwork.tracking import repository
from webwork.tracking.schemas import CurrentData, TimerOut, TimerStart, TimerStop

OVERRUN_REASON = f"a timer saves at most {int(MAX_SPAN.total_seconds()) // 3600} hours"


@dataclass(frozen=True)
class Timer:
    """A timer with what its output names."""

    entry: TimeEntry
    user: User
    membership: Membership
    project_name: str | None
    task_title: str | None

    def out(self) -> TimerOut:
        return TimerOut(
            start_time=self.entry.start_at,
            user_id=self.user.id,
            user_name=self.user.fullname,
            user_email=self.user.email,
            contract_id=self.entry.contract_id,
            project_id=self.entry.project_id,
            project_name=self.project_name,
            task_id=self.entry.task_id,
            task_title=self.task_title,
            activity_description=self.entry.activity_description,
        )

    def started_message(self) -> str:
        """A line meant to be posted to chat as is: user, time, project, task, activity."""
        zone = self.membership.timezone
        clock = as_utc(self.entry.start_at).astimezone(ZoneInfo(zone)).strftime("%H:%M")
        message = f"{self.user.fullname} started tracking at {clock} ({zone})"
        if self.project_name:
            message += f" on {self.project_name}"
            if self.task_title:
                message += f" / {self.task_title}"
        else:
            message += " without a project"
        if self.entry.activity_description:
            message += f": {self.entry.activity_description}"
        return message


@dataclass(frozen=True)
class Stopped:
    timer: Timer
    end: datetime
    recorded: Recorded | None  # None when nothing could be saved
    reasons: list[str]

    @property
    def elapsed_minutes(self) -> int:
        return whole_minutes(int((self.end - as_utc(self.timer.entry.start_at)).total_seconds()))

    @property
    def saved_minutes(self) -> int:
        return self.recorded.saved_minutes if self.recorded else 0

    def message(self) -> str:
        if self.recorded is None:
            return f"Timer stopped successfully. Nothing was saved: {'; '.join(self.reasons)}."
        if not self.recorded.reasons:
            return "Timer stopped successfully"
        return f"Timer stopped successfully. {describe(self.recorded, self.timer.user)}"


async def _target(session: AsyncSession, actor: Actor, user_id: int | None) -> tuple[Membership, User]:
    """The member whose timer is meant (the caller when none is named). Owners and
    executive managers act for any active member; others for themselves; project
    viewers for nobody."""
    target = actor.user_id if user_id is None else user_id
    permissions.ensure_may_record_time(actor, target, "You may only start or stop your own timer.")
    return await entries.member(session, actor, target)


async def _timer(session: AsyncSession, entry: TimeEntry, user: User, membership: Membership) -> Timer:
    project_name, task_title = await repository.names(session, entry)
    return Timer(entry, user, membership, project_name, task_title)


async def _already_running(
    session: AsyncSession, actor: Actor, user: User, membership: Membership
) -> Conflict:
    running = await repository.running_timer(session, user.id, workspace_id=actor.workspace_id)
    data: dict[str, Any] | None = None
    if running is not None:
        data = (await _timer(session, running, user, membership)).out().model_dump(mode="json")
    return Conflict(
        "A timer is already running for this user; stop it first.", code="timer_running", data=data
    )


async def start(session: AsyncSession, actor: Actor, body: TimerStart) -> Timer:
    membership, user = await _target(session, actor, body.user_id)
    contract = await entries.contract(session, actor, body.contract_id) if body.contract_id else None
    task = await entries.task(session, actor, body.task_id) if body.task_id else None
    project = await check_assignment(
        session, workspace=actor.workspace, user=user, contract=contract, task=task
    )
    now = utcnow()
    await ensure_unlocked(session, workspace_id=actor.workspace_id, user_id=user.id, start=now, end=now)
    entry = TimeEntry(
        workspace_id=actor.workspace_id,
        user_id=user.id,
        contract_id=contract.id if contract else None,
        project_id=project.id if project else None,
        task_id=task.id if task else None,
        start_at=now,
        end_at=None,
        activity_description=body.activity_description,
        method="tracked",
        created_by=actor.user_id,
    )
    try:
        async with session.begin_nested():
            session.add(entry)
            await session.flush()
    except IntegrityError:
        raise await _already_running(session, actor, user, membership) from None
    return Timer(entry, user, membership, project.name if project else None, task.title if task else None)


async def _record(
    session: AsyncSession, actor: Actor, entry: TimeEntry, membership: Membership, user: User, end: datetime
) -> tuple[Recorded | None, list[str]]:
    """Record the timer's first :data:`MAX_SPAN` up to ``end`` through the recording
    engine; time it ran beyond that is not saved, and the reasons say so. ``None`` and
    the reasons when nothing can be saved."""
    start = as_utc(entry.start_at)
    kept = min(end, start + MAX_SPAN)
    overrun = [OVERRUN_REASON] if kept < end else []
    contract = await session.get(Contract, entry.contract_id) if entry.contract_id else None
    task = await session.get(Task, entry.task_id) if entry.task_id else None
    try:
        recorded = await record_time(
            session,
            workspace=actor.workspace,
            membership=membership,
            user=user,
            contract=contract,
            task=task,
            start=start,
            end=kept,
            description=entry.activity_description,
            method="tracked",
            created_by=entry.created_by or actor.user_id,
            exclude=[entry.id],
        )
    except NothingSaved as refused:
        return None, [*refused.reasons, *overrun]
    except ValidationFailed as unusable:
        return None, [unusable.message[:1].lower() + unusable.message[1:].rstrip(".")]
    if overrun:
        ran = int((end - start).total_seconds())
        recorded = replace(recorded, requested_seconds=ran, reasons=[*recorded.reasons, *overrun])
    return recorded, recorded.reasons


async def stop(session: AsyncSession, actor: Actor, body: TimerStop) -> Stopped:
    """Finalise the running timer through the recording engine. When nothing of it can
    be saved (all overlapping, limits reached, contract no longer usable) the timer is
    removed and the answer says so; a locked period refuses the stop (409). A timer
    left running longer than :data:`MAX_SPAN` saves its first :data:`MAX_SPAN`."""
    membership, user = await _target(session, actor, body.user_id)
    entry = await repository.running_timer(session, user.id, workspace_id=actor.workspace_id, for_update=True)
    if entry is None:
        raise Conflict("No timer is running for this user.", code="timer_not_running")
    timer = await _timer(session, entry, user, membership)
    end = max(utcnow(), as_utc(entry.start_at))
    recorded: Recorded | None = None
    reasons = ["the timer ran for less than a second"]
    if end > as_utc(entry.start_at):
        recorded, reasons = await _record(session, actor, entry, membership, user, end)
    await session.delete(entry)
    await session.flush()
    return Stopped(timer, end, recorded, reasons)


async def current(session: AsyncSession, actor: Actor, user_id: int | None) -> CurrentData | None:
    """The running timer of ``user_id`` (default: the caller) in this workspace and the
    member's day so far."""
    if user_id is None:
        user_id = actor.user_id
    if not (actor.is_admin or user_id == actor.user_id) and not (
        actor.is_manager and await repository.may_see(session, actor, user_id)
    ):
        raise Forbidden("You may not see this member's tracker.")
    membership, _ = await entries.member(session, actor, user_id, active=False)
    entry = await repository.running_timer(session, user_id, workspace_id=actor.workspace_id)
    if entry is None:
        return None
    now = max(utcnow(), as_utc(entry.start_at))
    zone = membership.timezone
    today = now.astimezone(ZoneInfo(zone)).date()
    day_start, day_end = day_bounds(today, zone)
    seconds = 0
    for begin, finish in await repository.day_intervals(session, actor, user_id, (day_start, day_end)):
        # clipped to today: the cost never depends on how long an entry is
        clipped = min(as_utc(finish) if finish else now, day_end) - max(as_utc(begin), day_start)
        seconds += max(0, int(clipped.total_seconds()))
    _, task_title = await repository.names(session, entry)
    elapsed = int((now - as_utc(entry.start_at)).total_seconds())
    return CurrentData(
        contract_id=entry.contract_id,
        user_id=user_id,
        activity_description=entry.activity_description,
        task_id=entry.task_id,
        task_title=task_title,
        total_seconds=elapsed % 60,
        total_minutes=whole_minutes(seconds),
        date=today,
    )
