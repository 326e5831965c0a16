"""Rules of ``/time-entries``: manual time added, corrected and removed by owners and
executive managers. Creation goes through the recording engine (overlaps, limits,
locks); updates must fit whole (they never split an entry)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor
from webwork.kit.clock import as_utc, utcnow
from webwork.kit.days import day_bounds
from webwork.kit.errors import Conflict, ValidationFailed, invalid
from webwork.kit.pagination import Page, PageParams
from webwork.models import Contract, Membership, Project, Task, TimeEntry, User
from webwork.time_entries import repository
from webwork.time_entries.bounds import check_span
from webwork.time_entries.recording import (
    Recorded,
    assess,
    check_assignment,
    record_time,
    refusal,
)
from webwork.time_entries.schemas import TimeEntryCreate, TimeEntryUpdate
from webwork.time_entries.splitter import Interval
from webwork.timesheets.locks import ensure_unlocked


def local_instant(day: date, wall: time, timezone: str, field: str) -> datetime:
    """``day`` at ``wall`` o'clock in ``timezone``, as UTC. An ambiguous time (the hour
    repeated when clocks go back) means its first occurrence; a time skipped when
    clocks go forward does not exist (422 on ``field``)."""
    zone = ZoneInfo(timezone)
    local = datetime.combine(day, wall, tzinfo=zone)  # fold=0: the first occurrence
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        label = field.replace("_", " ")
        raise invalid(
            field,
            f"The {label} {wall.strftime('%H:%M')} does not exist on {day.isoformat()} in {timezone} "
            "(the clocks go forward).",
        )
    return instant


def local_date(instant: datetime, timezone: str) -> date:
    return as_utc(instant).astimezone(ZoneInfo(timezone)).date()


@dataclass(frozen=True)
class Created:
    """A manual save: what the engine saved and what the response names."""

    recorded: Recorded
    user: User
    membership: Membership
    day: date
    contract: Contract | None
    project: Project | None
    task: Task | None
    description: str | None


async def list_entries(
    session: AsyncSession,
    actor: Actor,
    *,
    user_id: int,
    day: date,
    project_id: int | None,
    task_id: int | None,
    params: PageParams,
) -> tuple[Page[Any], Membership]:
    """Entries of ``user_id`` touching the member's local ``day``."""
    membership, _ = await repository.member(session, actor, user_id, active=False)
    window = day_bounds(day, membership.timezone)
    page = await repository.list_for_day(
        session, actor, user_id=user_id, window=window, project_id=project_id, task_id=task_id, params=params
    )
    return page, membership


async def create_entry(session: AsyncSession, actor: Actor, body: TimeEntryCreate) -> Created:
    """Record ``date start_time..end_time`` (member's wall clock) for the member."""
    if body.end_time <= body.start_time:
        raise invalid("end_time", "The end time must be a time after start time.")
    membership, user = await repository.member(session, actor, body.user_id)
    contract = await repository.contract(session, actor, body.contract_id) if body.contract_id else None
    task = await repository.task(session, actor, body.task_id) if body.task_id else None
    start = local_instant(body.date, body.start_time, membership.timezone, "start_time")
    end = local_instant(body.date, body.end_time, membership.timezone, "end_time")
    description = body.notes if body.notes is not None else body.activity_description
    recorded = await record_time(
        session,
        workspace=actor.workspace,
        membership=membership,
        user=user,
        contract=contract,
        task=task,
        start=start,
        end=end,
        description=description,
        method="manual",
        created_by=actor.user_id,
    )
    project = await session.get(Project, contract.project_id) if contract is not None else None
    return Created(recorded, user, membership, body.date, contract, project, task, description)


def _moved(old: datetime, old_day: date, new_day: date, timezone: str, field: str) -> datetime:
    """``old`` moved by whole local days from ``old_day`` to ``new_day`` (same wall time)."""
    zone = ZoneInfo(timezone)
    local = as_utc(old).astimezone(zone)
    shifted = local.date() + (new_day - old_day)
    return local_instant(shifted, local.time().replace(tzinfo=None), timezone, field)


def _new_interval(entry: TimeEntry, body: TimeEntryUpdate, timezone: str) -> tuple[datetime, datetime]:
    """The interval after the update: a missing start or end keeps the old one (moved
    to the new date if a date is given)."""
    assert entry.end_at is not None
    old_start, old_end = as_utc(entry.start_at), as_utc(entry.end_at)
    old_day = local_date(old_start, timezone)
    day = body.date or old_day
    if body.start_time is not None:
        start = local_instant(day, body.start_time, timezone, "start_time")
    else:
        start = _moved(old_start, old_day, day, timezone, "start_time")
    if body.end_time is not None:
        end = local_instant(day, body.end_time, timezone, "end_time")
    else:
        end = _moved(old_end, old_day, day, timezone, "end_time")
    if end <= start:
        raise invalid("end_time", "The end time must be a time after start time.")
    check_span(start, end)
    return start, end


@dataclass(frozen=True)
class Shown:
    """An entry with what its output names: project name, task title, member timezone."""

    entry: TimeEntry
    project_name: str | None
    task_title: str | None
    timezone: str


async def update_entry(session: AsyncSession, actor: Actor, entry_id: str, body: TimeEntryUpdate) -> Shown:
    """Change an entry's times, project/contract, task or notes.

    The new interval must not overlap the user's other time and must fit the weekly
    limits whole (422 with the reason otherwise); both the old and the new period must be
    unlocked (409). Changing the project picks the user's contract on it; the old task
    is dropped unless a task of the new project is given."""
    entry = await repository.get_entry(session, actor, entry_id, for_update=True)
    if entry.end_at is None:
        raise Conflict("The time entry is a running timer; stop it first.", code="timer_running")
    membership, user = await repository.member(session, actor, entry.user_id, active=False)
    sent = body.provided()
    timezone = membership.timezone
    old = Interval(as_utc(entry.start_at), as_utc(entry.end_at))
    start, end = _new_interval(entry, body, timezone)

    contract = await repository.contract(session, actor, entry.contract_id) if entry.contract_id else None
    if "project_id" in sent:
        if body.project_id is None:
            contract = None
        elif contract is None or contract.project_id != body.project_id:
            contract = await repository.contract_on_project(session, actor, body.project_id, entry.user_id)
    task_id = entry.task_id if contract is not None and contract.id == entry.contract_id else None
    if "task_id" in sent:
        task_id = body.task_id
    task = await repository.task(session, actor, task_id) if task_id else None
    changed_assignment = (contract.id if contract else None) != entry.contract_id or task_id != entry.task_id
    project = (
        await check_assignment(session, workspace=actor.workspace, user=user, contract=contract, task=task)
        if changed_assignment
        else (await session.get(Project, contract.project_id) if contract is not None else None)
    )

    for interval in (old, Interval(start, end)):
        await ensure_unlocked(
            session,
            workspace_id=actor.workspace_id,
            user_id=entry.user_id,
            start=interval.start,
            end=interval.end,
        )
    if (start, end) != (old.start, old.end) or changed_assignment:
        result = await assess(
            session,
            workspace=actor.workspace,
            membership=membership,
            user=user,
            contract=contract,
            interval=Interval(start, end),
            exclude=[entry.id],
        )
        if result.saved_seconds < result.requested_seconds:
            raise ValidationFailed(
                {"end_time": [f"{refusal(r)}; the time entry was not changed." for r in result.reasons]}
            )

    entry.start_at, entry.end_at = start, end
    entry.duration_seconds = int((end - start).total_seconds())
    entry.contract_id = contract.id if contract is not None else None
    entry.project_id = project.id if project is not None else None
    entry.task_id = task.id if task is not None else None
    if "notes" in sent:
        entry.activity_description = body.notes
    elif "activity_description" in sent:
        entry.activity_description = body.activity_description
    await session.flush()
    return Shown(entry, project.name if project else None, task.title if task else None, timezone)


async def delete_entry(session: AsyncSession, actor: Actor, entry_id: str) -> None:
    """Remove an entry (or discard a running timer) unless its period is locked."""
    entry = await repository.get_entry(session, actor, entry_id, for_update=True)
    start = as_utc(entry.start_at)
    end = as_utc(entry.end_at) if entry.end_at is not None else max(start, utcnow())
    await ensure_unlocked(
        session, workspace_id=actor.workspace_id, user_id=entry.user_id, start=start, end=end
    )
    await session.delete(entry)
    await session.flush()
