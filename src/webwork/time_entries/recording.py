"""The recording engine: the one way time becomes time entries.

Manual entries (``POST /time-entries``), approved time requests and stopped timers all
go through :func:`record_time`, so the same rules hold whichever way time arrives:
locked periods refuse writes (409), a person cannot work twice at once (time that
overlaps any of the member's entries in this workspace, running timers included, is not
saved twice), and member / contract weekly limits cut what does not fit. Every rule reads
only the workspace's own rows: what a person records in another workspace never blocks,
cuts or shows here. The pure part of the computation lives in
:mod:`webwork.time_entries.splitter`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.kit.clock import as_utc, utcnow
from webwork.kit.days import range_bounds, week_bounds
from webwork.kit.errors import ValidationFailed, invalid
from webwork.models import Contract, Membership, Project, Task, TimeEntry, User, Workspace
from webwork.time_entries.bounds import Fields, check_span
from webwork.time_entries.splitter import OVERLAP_REASON, Interval, Limit, Split, WeekBudget, split
from webwork.timesheets.locks import ensure_unlocked, lock_member

METHODS = ("manual", "tracked", "time_request")
METHOD_LABELS = {"manual": "Manually added time", "tracked": "Tracked", "time_request": "Time request"}


@dataclass(frozen=True)
class Recorded:
    """What a recording saved; ``describe`` turns it into the API's message. Amounts are
    the stored seconds; the API's ``*_minutes`` fields are their whole minutes."""

    entries: list[TimeEntry]  # rows saved (possibly several, the free parts)
    requested_seconds: int
    saved_seconds: int
    reasons: list[str]  # why anything was not saved, human text

    @property
    def unsaved_seconds(self) -> int:
        return self.requested_seconds - self.saved_seconds

    @property
    def saved_minutes(self) -> int:
        return whole_minutes(self.saved_seconds)


def whole_minutes(seconds: int) -> int:
    """Totals are shown in whole minutes, rounded down; seconds are what is stored."""
    return max(0, seconds) // 60


def format_duration(seconds: int) -> str:
    """``28800`` -> "8 hr", ``5400`` -> "1 hr 30 min", ``6`` -> "6 sec", ``0`` -> "0 min".
    Seconds are named only when there are some, so whole minutes read as the hosted API
    writes them and a part minute is never shown as "0 min"."""
    minutes, rest = divmod(max(0, seconds), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{amount} {unit}" for amount, unit in ((hours, "hr"), (minutes, "min"), (rest, "sec")) if amount
    ]
    return " ".join(parts) or "0 min"


def describe(recorded: Recorded, user: User) -> str:
    """The human message of a save, e.g. "8 hr successfully added for John Doe." or
    "6 hr successfully added for John Doe. 2 hr were not added: overlaps existing time."."""
    message = f"{format_duration(recorded.saved_seconds)} successfully added for {user.fullname}."
    if recorded.unsaved_seconds > 0:
        unsaved = format_duration(recorded.unsaved_seconds)
        verb = "was" if unsaved in ("1 hr", "1 min", "1 sec") else "were"
        message += f" {unsaved} {verb} not added: {'; '.join(recorded.reasons)}."
    return message


def _hours(value: Decimal) -> str:
    return format_duration(int(value * 3600))


async def check_assignment(
    session: AsyncSession, *, workspace: Workspace, user: User, contract: Contract | None, task: Task | None
) -> Project | None:
    """The contract must be the user's, active, in this workspace, on a project that is
    not archived; a task needs a contract and must belong to its project (422 otherwise).
    Returns the contract's project."""
    if contract is None:
        if task is not None:
            raise invalid("task_id", "A task can only be used with a contract (contract_id).")
        return None
    if contract.workspace_id != workspace.id:
        raise invalid("contract_id", "The selected contract id is invalid.")
    if contract.user_id != user.id:
        raise invalid("contract_id", "The contract does not belong to this user.")
    if contract.status != "active":
        raise invalid("contract_id", "The contract is not active.")
    project = await session.get(Project, contract.project_id)
    if project is None or project.deleted_at is not None or project.status != 1:
        raise invalid("contract_id", "The contract's project is archived.")
    if task is not None and (task.project_id != project.id or task.deleted_at is not None):
        raise invalid("task_id", "The task does not belong to the contract's project.")
    return project


def _weeks(start: datetime, end: datetime, timezone: str) -> list[Interval]:
    """The member's local weeks (Monday..Sunday) touched by [start, end), in UTC."""
    zone = ZoneInfo(timezone)
    weeks: list[Interval] = []
    day: date = start.astimezone(zone).date()
    while True:
        monday, sunday = week_bounds(day)
        window = Interval(*range_bounds(monday, sunday, timezone))
        weeks.append(window)
        if window.end >= end:
            return weeks
        day = sunday + timedelta(days=1)


def _clip(entry_start: datetime, entry_end: datetime, window: Interval) -> int:
    return max(0, int((min(entry_end, window.end) - max(entry_start, window.start)).total_seconds()))


@dataclass(frozen=True)
class _Known:
    """One of the member's entries as far as the rules care."""

    contract_id: int | None
    interval: Interval


async def _known_entries(
    session: AsyncSession,
    workspace_id: int,
    user_id: int,
    window: Interval,
    now: datetime,
    exclude: Sequence[UUID],
) -> list[_Known]:
    """The member's entries in this workspace touching ``window``; a running timer
    occupies [its start, now)."""
    stmt = select(TimeEntry.contract_id, TimeEntry.start_at, TimeEntry.end_at).where(
        TimeEntry.workspace_id == workspace_id,
        TimeEntry.user_id == user_id,
        TimeEntry.start_at < window.end,
        or_(TimeEntry.end_at.is_(None), TimeEntry.end_at > window.start),
    )
    if exclude:
        stmt = stmt.where(TimeEntry.id.not_in(list(exclude)))
    known: list[_Known] = []
    for contract_id, start_at, end_at in (await session.execute(stmt)).all():
        begin = as_utc(start_at)
        finish = as_utc(end_at) if end_at is not None else max(begin, now)
        known.append(_Known(contract_id, Interval(begin, finish)))
    return known


def _limit(reason: str, weeks: list[Interval], hours: Decimal, used: list[int]) -> Limit:
    budget = int(hours * 3600)
    return Limit(
        reason=reason,
        weeks=[WeekBudget(window, max(0, budget - spent)) for window, spent in zip(weeks, used, strict=True)],
    )


def _limits(
    *,
    membership: Membership,
    contract: Contract | None,
    weeks: list[Interval],
    known: list[_Known],
) -> list[Limit]:
    limits: list[Limit] = []
    if membership.weekly_hours_limit is not None:
        used = [sum(_clip(k.interval.start, k.interval.end, w) for k in known) for w in weeks]
        reason = f"the member's weekly limit of {_hours(membership.weekly_hours_limit)} is reached"
        limits.append(_limit(reason, weeks, membership.weekly_hours_limit, used))
    if contract is not None and contract.weekly_hours_limit is not None:
        on_contract = [k.interval for k in known if k.contract_id == contract.id]
        used = [sum(_clip(i.start, i.end, w) for i in on_contract) for w in weeks]
        reason = f"the contract's weekly limit of {_hours(contract.weekly_hours_limit)} is reached"
        limits.append(_limit(reason, weeks, contract.weekly_hours_limit, used))
    return limits


async def assess(
    session: AsyncSession,
    *,
    workspace: Workspace,
    membership: Membership,
    user: User,
    contract: Contract | None,
    interval: Interval,
    exclude: Sequence[UUID] = (),
) -> Split:
    """What of ``interval`` may be recorded for ``user`` in ``workspace`` now, and why the
    rest may not. Takes the member's recording lock first, so the answer holds until the
    transaction ends."""
    await lock_member(session, workspace_id=workspace.id, user_id=user.id)
    weeks = _weeks(interval.start, interval.end, membership.timezone)
    span = Interval(weeks[0].start, weeks[-1].end)
    known = await _known_entries(session, workspace.id, user.id, span, utcnow(), exclude)
    limits = _limits(membership=membership, contract=contract, weeks=weeks, known=known)
    return split(interval, [k.interval for k in known], limits)


def refusal(reason: str) -> str:
    """A reason as a sentence of a 422 message."""
    if reason == OVERLAP_REASON:
        return "The time overlaps existing entries"
    return f"{reason[0].upper()}{reason[1:]}"


class NothingSaved(ValidationFailed):
    """The 422 raised when no second of the request can be saved; ``reasons`` says why
    in the words of :class:`Recorded`."""

    def __init__(self, reasons: list[str], field: str) -> None:
        self.reasons = reasons
        super().__init__({field: [f"{refusal(reason)}; nothing was saved." for reason in reasons]})


async def record_time(
    session: AsyncSession,
    *,
    workspace: Workspace,
    membership: Membership,
    user: User,
    contract: Contract | None,
    task: Task | None,
    start: datetime,
    end: datetime,
    description: str | None,
    method: str,
    created_by: int,
    exclude: Sequence[UUID] = (),
    fields: Fields = Fields(),
) -> Recorded:
    """Save the free, within-limit parts of [start, end) for ``user`` as time entries.

    Raises 422 (on ``fields``) if the interval is outside the bounds of one recording,
    409 if it touches an approved timesheet, 422 if the contract/task are not usable or
    nothing at all can be saved. The bounds come first, so no rule ever walks more than a
    day's time. ``exclude`` names entries the rules must ignore (the entry being replaced)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        raise invalid(fields.end, f"The {fields.end_label} must be a time after {fields.start_label}.")
    check_span(start, end, fields)
    project = await check_assignment(session, workspace=workspace, user=user, contract=contract, task=task)
    await ensure_unlocked(session, workspace_id=workspace.id, user_id=user.id, start=start, end=end)
    result = await assess(
        session,
        workspace=workspace,
        membership=membership,
        user=user,
        contract=contract,
        interval=Interval(start, end),
        exclude=exclude,
    )
    if not result.saved:
        raise NothingSaved(result.reasons, fields.end)

    entries = [
        TimeEntry(
            workspace_id=workspace.id,
            user_id=user.id,
            contract_id=contract.id if contract is not None else None,
            project_id=project.id if project is not None else None,
            task_id=task.id if task is not None else None,
            start_at=part.start,
            end_at=part.end,
            duration_seconds=part.seconds,
            activity_description=description,
            method=method,
            created_by=created_by,
        )
        for part in result.saved
    ]
    session.add_all(entries)
    await session.flush()
    return Recorded(
        entries=entries,
        requested_seconds=result.requested_seconds,
        saved_seconds=result.saved_seconds,
        reasons=result.reasons,
    )
