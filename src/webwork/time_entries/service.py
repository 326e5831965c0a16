"""Rules of ``/time-entries``: manual time added, corrected and removed by owners and
executive managers (the router), for those they may act on (``permissions``). Creation
goes through the recording engine (overlaps, limits, locks); corrections must fit whole
(they never split an entry)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions
from webwork.auth.principal import Actor
from webwork.kit import clock
from webwork.kit.days import day_bounds
from webwork.kit.errors import Conflict, NotFound, ValidationFailed, invalid
from webwork.kit.ids import parse_uuid
from webwork.kit.pagination import Page, PageParams
from webwork.models import TimeEntry
from webwork.time_entries import assignment, messages, repository
from webwork.time_entries.assignment import Assignment, Member, Unusable
from webwork.time_entries.recording import Recorded, Recording, assess, check_interval, record_time
from webwork.time_entries.schemas import TimeEntryCreate, TimeEntryUpdate
from webwork.time_entries.splitter import Interval
from webwork.time_locks.service import ensure_unlocked
from webwork.webhooks import service as webhooks

NOT_FOUND = "Time entry not found."


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
    return clock.as_utc(instant).astimezone(ZoneInfo(timezone)).date()


async def list_page(
    session: AsyncSession,
    actor: Actor,
    *,
    user_id: int,
    day: date,
    project_id: int | None,
    task_id: int | None,
    params: PageParams,
) -> tuple[Page[Any], Member]:
    """Entries of ``user_id`` touching the member's local ``day``."""
    member = await assignment.load_member(session, actor, user_id, active=False)
    window = day_bounds(day, member.timezone)
    page = await repository.list_for_day(
        session, actor, user_id=user_id, window=window, project_id=project_id, task_id=task_id, params=params
    )
    return page, member


@dataclass(frozen=True)
class Created:
    """A manual save: what the engine saved and what the response names."""

    recorded: Recorded
    member: Member
    day: date
    assignment: Assignment
    description: str | None

    def message(self) -> str:
        return messages.added(self.recorded, self.member.user.fullname)


async def create(session: AsyncSession, actor: Actor, body: TimeEntryCreate) -> Created:
    """Record ``date start_time..end_time`` (member's wall clock) for the member."""
    permissions.ensure_may_act(actor, [body.user_id], "time")
    if body.end_time <= body.start_time:
        raise invalid("end_time", "The end time must be a time after start time.")
    member = await assignment.load_member(session, actor, body.user_id)
    chosen = await assignment.load_assignment(session, actor, member.id, body.contract_id, body.task_id)
    start = local_instant(body.date, body.start_time, member.timezone, "start_time")
    end = local_instant(body.date, body.end_time, member.timezone, "end_time")
    description = body.notes if body.notes is not None else body.activity_description
    recording = Recording(
        description=description, method="manual", created_by=actor.user_id, activity_level=body.activity_level
    )
    recorded = await record_time(session, actor, member, chosen, (start, end), recording)
    webhooks.emit(
        session,
        actor.workspace,
        "time_entry.created",
        {"user_id": member.id, "time_entries": recorded.entries},
    )
    return Created(recorded, member, body.date, chosen, description)


@dataclass(frozen=True)
class Shown:
    """An entry with what its output names: project name, task title, member timezone."""

    entry: TimeEntry
    project_name: str | None
    task_title: str | None
    timezone: str


async def _get(session: AsyncSession, actor: Actor, entry_id: str) -> TimeEntry:
    """The entry, locked for the rest of the transaction (404 if the actor sees none)."""
    key = parse_uuid(entry_id)
    entry = await repository.get(session, actor, key, for_update=True) if key else None
    if entry is None:
        raise NotFound(NOT_FOUND)
    return entry


def _moved(old: datetime, old_day: date, new_day: date, timezone: str, field: str) -> datetime:
    """``old`` moved by whole local days from ``old_day`` to ``new_day`` (same wall time)."""
    zone = ZoneInfo(timezone)
    local = clock.as_utc(old).astimezone(zone)
    shifted = local.date() + (new_day - old_day)
    return local_instant(shifted, local.time().replace(tzinfo=None), timezone, field)


def _new_interval(entry: TimeEntry, body: TimeEntryUpdate, timezone: str) -> Interval:
    """The interval after the update: a missing start or end keeps the old one (moved
    to the new date if a date is given)."""
    assert entry.end_at is not None
    old_start, old_end = clock.as_utc(entry.start_at), clock.as_utc(entry.end_at)
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
    return check_interval(start, end)


async def _new_contract_id(
    session: AsyncSession, actor: Actor, entry: TimeEntry, project_id: int | None
) -> int | None:
    """The contract an entry moved to ``project_id`` is on: none without a project, its
    own when it stays on its contract's project, else the member's contract there (422
    when there is none)."""
    if project_id is None:
        return None
    if entry.contract_id is not None and entry.project_id == project_id:
        return entry.contract_id
    found = await repository.contract_id_on_project(session, actor, project_id, entry.user_id)
    if found is None:
        raise Unusable("project_id", "the user has no contract on the selected project")
    return found


def _reassigned(entry: TimeEntry, contract_id: int | None, task_id: int | None) -> bool:
    return (contract_id, task_id) != (entry.contract_id, entry.task_id)


async def _new_assignment(
    session: AsyncSession, actor: Actor, entry: TimeEntry, body: TimeEntryUpdate
) -> Assignment:
    """What the entry is on after the correction. Changing the project picks the user's
    contract on it; the task is kept while the contract is, and dropped otherwise unless
    one is given. Only a changed assignment is checked for use (a correction of the
    times or notes of an entry whose contract was paused since stays possible)."""
    sent = body.provided()
    contract_id = entry.contract_id
    if "project_id" in sent:
        contract_id = await _new_contract_id(session, actor, entry, body.project_id)
    kept = contract_id is not None and contract_id == entry.contract_id
    task_id = body.task_id if "task_id" in sent else entry.task_id if kept else None
    check = _reassigned(entry, contract_id, task_id)
    return await assignment.load_assignment(session, actor, entry.user_id, contract_id, task_id, check=check)


async def _ensure_fits(
    session: AsyncSession, actor: Actor, member: Member, entry: TimeEntry, chosen: Assignment, new: Interval
) -> None:
    """Both the old and the new period must be unlocked (409; the new one is checked
    by ``assess`` when the entry moves or is reassigned, as the old one otherwise); a
    moved or reassigned entry must not overlap the member's other time and must fit the
    weekly limits whole (422 with the reasons)."""
    assert entry.end_at is not None
    old = Interval(clock.as_utc(entry.start_at), clock.as_utc(entry.end_at))
    await ensure_unlocked(session, actor, member.id, start=old.start, end=old.end)
    row = chosen.row()
    if new == old and not _reassigned(entry, row["contract_id"], row["task_id"]):
        return
    result = await assess(session, actor, member, chosen.contract, new, exclude=[entry.id])
    if result.saved_seconds < result.requested_seconds:
        raise ValidationFailed({"end_time": messages.refused(result.reasons, messages.NOT_CHANGED)})


def _apply(entry: TimeEntry, body: TimeEntryUpdate, chosen: Assignment, new: Interval) -> None:
    entry.start_at, entry.end_at, entry.duration_seconds = new.start, new.end, new.seconds
    for column, value in chosen.row().items():
        setattr(entry, column, value)
    sent = body.provided()
    if "activity_level" in sent:
        entry.activity_level = body.activity_level
    if "notes" in sent:
        entry.activity_description = body.notes
    elif "activity_description" in sent:
        entry.activity_description = body.activity_description


def _event(entry: TimeEntry) -> dict[str, Any]:
    """What an updated time entry's webhook event carries."""
    return {
        "id": entry.id,
        "user_id": entry.user_id,
        "project_id": entry.project_id,
        "task_id": entry.task_id,
        "start": entry.start_at,
        "end": entry.end_at,
        "activity_description": entry.activity_description,
    }


async def update(session: AsyncSession, actor: Actor, entry_id: str, body: TimeEntryUpdate) -> Shown:
    """Change an entry's times, project/contract, task or notes (a running timer is
    changed only by stopping it: 409)."""
    entry = await _get(session, actor, entry_id)
    permissions.ensure_may_act(actor, [entry.user_id], "time")
    if entry.end_at is None:
        raise Conflict("The time entry is a running timer; stop it first.", code="timer_running")
    member = await assignment.load_member(session, actor, entry.user_id, active=False)
    new = _new_interval(entry, body, member.timezone)
    chosen = await _new_assignment(session, actor, entry, body)
    await _ensure_fits(session, actor, member, entry, chosen, new)
    _apply(entry, body, chosen, new)
    await session.flush()
    webhooks.emit(session, actor.workspace, "time_entry.updated", _event(entry))
    return Shown(entry, chosen.project_name, chosen.task_title, member.timezone)


async def delete(session: AsyncSession, actor: Actor, entry_id: str) -> None:
    """Remove an entry (or discard a running timer) unless its period is locked."""
    entry = await _get(session, actor, entry_id)
    permissions.ensure_may_act(actor, [entry.user_id], "time")
    start = clock.as_utc(entry.start_at)
    end = clock.as_utc(entry.end_at) if entry.end_at is not None else max(start, clock.utcnow())
    await ensure_unlocked(session, actor, entry.user_id, start=start, end=end)
    await repository.delete(session, entry)
    webhooks.emit(session, actor.workspace, "time_entry.deleted", {"id": entry.id, "user_id": entry.user_id})
