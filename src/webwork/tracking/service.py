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
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions
from webwork.auth.principal import Actor
from webwork.kit import clock
from webwork.kit.days import day_bounds
from webwork.kit.errors import Conflict
from webwork.models import TimeEntry
from webwork.time_entries import assignment, messages
from webwork.time_entries.assignment import Member, Unusable
from webwork.time_entries.bounds import MAX_SPAN
from webwork.time_entries.recording import (
    NothingSaved,
    Recorded,
    Recording,
    known_entries,
    record_time,
    whole_minutes,
)
from webwork.time_entries.splitter import Interval
from webwork.time_locks.service import ensure_unlocked
from webwork.tracking import repository
from webwork.tracking.schemas import CurrentData, TimerOut, TimerStart, TimerStop
from webwork.webhooks import service as webhooks

STOPPED = "Timer stopped successfully"


@dataclass(frozen=True)
class Timer:
    """A timer with what its output names."""

    entry: TimeEntry
    member: Member
    project_name: str | None
    task_title: str | None

    def out(self) -> TimerOut:
        user = self.member.user
        return TimerOut(
            start_time=self.entry.start_at,
            user_id=user.id,
            user_name=user.fullname,
            user_email=user.email,
            contract_id=self.entry.contract_id,
            project_id=self.entry.project_id,
            project_name=self.project_name,
            task_id=self.entry.task_id,
            task_title=self.task_title,
            activity_description=self.entry.activity_description,
        )

    def started_message(self) -> str:
        """A line meant to be posted to chat as is: user, time, project, task, activity."""
        zone = self.member.timezone
        started = clock.as_utc(self.entry.start_at).astimezone(ZoneInfo(zone)).strftime("%H:%M")
        message = f"{self.member.user.fullname} started tracking at {started} ({zone})"
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
        return whole_minutes(int((self.end - clock.as_utc(self.timer.entry.start_at)).total_seconds()))

    @property
    def saved_minutes(self) -> int:
        return self.recorded.saved_minutes if self.recorded else 0

    def message(self) -> str:
        if self.recorded is None:
            return messages.done_saving_nothing(STOPPED, self.reasons)
        return messages.done(STOPPED, self.recorded, self.timer.member.user.fullname)


async def _target(session: AsyncSession, actor: Actor, user_id: int | None) -> Member:
    """The member whose timer is meant (the caller when none is named). Owners and
    executive managers act for any active member; others for themselves; project
    viewers for nobody."""
    target = actor.user_id if user_id is None else user_id
    permissions.ensure_may_record_time(actor, target, "You may only start or stop your own timer.")
    return await assignment.load_member(session, actor, target)


async def _already_running(session: AsyncSession, actor: Actor, member: Member) -> Conflict:
    running = await repository.running(session, actor, member.id)
    data = None
    if running is not None:
        timer = Timer(running.entry, member, running.project_name, running.task_title)
        data = timer.out().model_dump(mode="json")
    return Conflict(
        "A timer is already running for this user; stop it first.", code="timer_running", data=data
    )


async def start(session: AsyncSession, actor: Actor, body: TimerStart) -> Timer:
    member = await _target(session, actor, body.user_id)
    chosen = await assignment.load_assignment(session, actor, member.id, body.contract_id, body.task_id)
    now = clock.utcnow()
    await ensure_unlocked(session, actor, member.id, start=now, end=now)
    entry = TimeEntry(
        workspace_id=actor.workspace_id,
        user_id=member.id,
        **chosen.row(),
        start_at=now,
        end_at=None,
        activity_description=body.activity_description,
        method="tracked",
        created_by=actor.user_id,
    )
    if not await repository.add(session, entry):
        raise await _already_running(session, actor, member)
    started = {
        "user_id": member.id,
        "project_id": entry.project_id,
        "task_id": entry.task_id,
        "started_at": now,
    }
    webhooks.emit(session, actor.workspace, "tracker.started", started)
    return Timer(entry, member, chosen.project_name, chosen.task_title)


async def _record(
    session: AsyncSession, actor: Actor, timer: Timer, end: datetime, activity_level: int | None
) -> tuple[Recorded | None, list[str]]:
    """Record the timer's first :data:`MAX_SPAN` up to ``end`` through the recording
    engine; time it ran beyond that is not saved, and the reasons say so. ``None`` and
    the reasons when nothing can be saved (its contract or task no longer usable
    included)."""
    entry, member = timer.entry, timer.member
    start = clock.as_utc(entry.start_at)
    kept = min(end, start + MAX_SPAN)
    overrun = [messages.longest_timer(MAX_SPAN)] if kept < end else []
    recording = Recording(
        description=entry.activity_description,
        method="tracked",
        created_by=entry.created_by or actor.user_id,
        activity_level=activity_level,
        exclude=[entry.id],
    )
    try:
        chosen = await assignment.load_assignment(session, actor, member.id, entry.contract_id, entry.task_id)
        recorded = await record_time(session, actor, member, chosen, (start, kept), recording)
    except NothingSaved as refused:
        return None, [*refused.reasons, *overrun]
    except Unusable as unusable:
        return None, [unusable.reason]
    if overrun:
        ran = int((end - start).total_seconds())
        recorded = replace(recorded, requested_seconds=ran, reasons=[*recorded.reasons, *overrun])
    return recorded, recorded.reasons


async def stop(session: AsyncSession, actor: Actor, body: TimerStop) -> Stopped:
    """Finalise the running timer through the recording engine. When nothing of it can
    be saved (all overlapping, limits reached, contract no longer usable) the timer is
    removed and the answer says so; a locked period refuses the stop (409). A timer
    left running longer than :data:`MAX_SPAN` saves its first :data:`MAX_SPAN`."""
    member = await _target(session, actor, body.user_id)
    running = await repository.running(session, actor, member.id, for_update=True)
    if running is None:
        raise Conflict("No timer is running for this user.", code="timer_not_running")
    timer = Timer(running.entry, member, running.project_name, running.task_title)
    start = clock.as_utc(running.entry.start_at)
    end = max(clock.utcnow(), start)
    recorded: Recorded | None = None
    reasons = [messages.TOO_SHORT]
    if end > start:
        recorded, reasons = await _record(session, actor, timer, end, body.activity_level)
    await repository.delete(session, running.entry)
    stopped = {
        "user_id": member.id,
        "project_id": running.entry.project_id,
        "task_id": running.entry.task_id,
        "started_at": start,
        "stopped_at": end,
        "time_entries": recorded.entries if recorded is not None else [],
    }
    webhooks.emit(session, actor.workspace, "tracker.stopped", stopped)
    return Stopped(timer, end, recorded, reasons)


async def current(session: AsyncSession, actor: Actor, user_id: int | None) -> CurrentData | None:
    """The running timer of ``user_id`` (default: the caller) in this workspace and the
    member's day so far; 403 for a member the actor may not see."""
    target = actor.user_id if user_id is None else user_id
    member = await assignment.visible_member(session, actor, target, "You may not see this member's tracker.")
    running = await repository.running(session, actor, target)
    if running is None:
        return None
    started = clock.as_utc(running.entry.start_at)
    now = max(clock.utcnow(), started)
    today = now.astimezone(ZoneInfo(member.timezone)).date()
    day = Interval(*day_bounds(today, member.timezone))
    # clipped to today: the cost never depends on how long an entry is
    seconds = sum(
        Interval(max(k.interval.start, day.start), min(k.interval.end, day.end)).seconds
        for k in await known_entries(session, actor, target, day, now=now)
    )
    return CurrentData(
        contract_id=running.entry.contract_id,
        user_id=target,
        activity_description=running.entry.activity_description,
        task_id=running.entry.task_id,
        task_title=running.task_title,
        total_seconds=int((now - started).total_seconds()) % 60,
        total_minutes=whole_minutes(seconds),
        date=today,
    )
