"""The recording engine: the one way time becomes time entries.

Manual entries (``POST /time-entries``), approved time requests and stopped timers all
go through :func:`record_time`, so the same rules hold whichever way time arrives:
locked periods refuse writes (409), a person cannot work twice at once (time that
overlaps any of the member's entries in this workspace, running timers included, is not
saved twice), and member / contract weekly limits cut what does not fit. Every rule reads
only the workspace's own rows: what a person records in another workspace never blocks,
cuts or shows here. The pure part of the computation lives in
:mod:`webwork.time_entries.splitter`, the wording in :mod:`webwork.time_entries.messages`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor
from webwork.kit import clock
from webwork.kit.days import range_bounds, week_bounds
from webwork.kit.errors import ValidationFailed, invalid
from webwork.time_entries import messages, repository
from webwork.time_entries.assignment import Assignment, Member
from webwork.time_entries.bounds import Fields, check_span
from webwork.time_entries.repository import ContractTerms
from webwork.time_entries.splitter import Interval, Limit, Split, WeekBudget, split
from webwork.time_locks.service import lock_member, refuse_locked

METHODS = ("manual", "tracked", "time_request")
METHOD_LABELS = {"manual": "Manually added time", "tracked": "Tracked", "time_request": "Time request"}


@dataclass(frozen=True, slots=True)
class SavedEntry:
    """A time entry as a recording inserted it: the rows are written by one INSERT,
    not as ORM objects through the session's unit of work (which cost more than the
    rest of a save), so this is what the answer is built from."""

    id: UUID
    workspace_id: int
    user_id: int
    contract_id: int | None
    project_id: int | None
    task_id: int | None
    start_at: datetime
    end_at: datetime
    duration_seconds: int
    activity_description: str | None
    activity_level: int | None
    method: str
    created_by: int | None

    def row(self) -> dict[str, Any]:
        """The columns to insert (``asdict`` would deep-copy every value)."""
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True)
class Recorded:
    """What a recording saved; :mod:`~webwork.time_entries.messages` words it. Amounts
    are the stored seconds; the API's ``*_minutes`` fields are their whole minutes."""

    entries: list[SavedEntry]  # rows saved (possibly several, the free parts)
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
class Known:
    """One of the member's entries as far as the rules care."""

    contract_id: int | None
    interval: Interval


async def known_entries(
    session: AsyncSession,
    actor: Actor,
    user_id: int,
    window: Interval,
    exclude: Sequence[UUID] = (),
    *,
    now: datetime | None = None,
) -> list[Known]:
    """The member's entries in this workspace touching ``window``; a running timer
    occupies [its start, ``now``) (default: the clock's now)."""
    found = await repository.touching(session, actor, user_id, (window.start, window.end), exclude)
    return _known(found.entries, now or clock.utcnow())


def _known(entries: list[tuple[int | None, datetime, datetime | None]], now: datetime) -> list[Known]:
    known: list[Known] = []
    for contract_id, start_at, end_at in entries:
        begin = clock.as_utc(start_at)
        finish = clock.as_utc(end_at) if end_at is not None else max(begin, now)
        known.append(Known(contract_id, Interval(begin, finish)))
    return known


def _limit(reason: str, weeks: list[Interval], hours: Decimal, used: list[int]) -> Limit:
    budget = int(hours * 3600)
    return Limit(
        reason=reason,
        weeks=[WeekBudget(window, max(0, budget - spent)) for window, spent in zip(weeks, used, strict=True)],
    )


def _limits(
    member: Member, contract: ContractTerms | None, weeks: list[Interval], known: list[Known]
) -> list[Limit]:
    limits: list[Limit] = []
    member_hours = member.membership.weekly_hours_limit
    if member_hours is not None:
        used = [sum(_clip(k.interval.start, k.interval.end, w) for k in known) for w in weeks]
        limits.append(_limit(messages.limit_reached("member's", member_hours), weeks, member_hours, used))
    if contract is not None and contract.weekly_hours_limit is not None:
        on_contract = [k.interval for k in known if k.contract_id == contract.id]
        used = [sum(_clip(i.start, i.end, w) for i in on_contract) for w in weeks]
        reason = messages.limit_reached("contract's", contract.weekly_hours_limit)
        limits.append(_limit(reason, weeks, contract.weekly_hours_limit, used))
    return limits


async def assess(
    session: AsyncSession,
    actor: Actor,
    member: Member,
    contract: ContractTerms | None,
    interval: Interval,
    exclude: Sequence[UUID] = (),
) -> Split:
    """What of ``interval`` may be recorded for ``member`` now, and why the rest may
    not; 409 if it touches the locked span of an approved timesheet. Takes the member's
    recording lock first, so the answer holds until the transaction ends."""
    await lock_member(session, actor, member.id)
    # Only overlaps can cut without a limit: the entries touching the interval are all
    # that matter; a limit needs the time of the weeks it falls in.
    weeks = _weeks(interval.start, interval.end, member.timezone) if _has_limit(member, contract) else []
    window = Interval(weeks[0].start, weeks[-1].end) if weeks else interval
    span = (interval.start, interval.end)
    found = await repository.touching(
        session, actor, member.id, (window.start, window.end), exclude, lock=span
    )
    if found.locked:
        await refuse_locked(session, actor, member.id, start=interval.start, end=interval.end)
    known = _known(found.entries, clock.utcnow())
    limits = _limits(member, contract, weeks, known) if weeks else []
    return split(interval, [k.interval for k in known], limits)


def _has_limit(member: Member, contract: ContractTerms | None) -> bool:
    return member.membership.weekly_hours_limit is not None or (
        contract is not None and contract.weekly_hours_limit is not None
    )


class NothingSaved(ValidationFailed):
    """The 422 raised when no second of the request can be saved; ``reasons`` says why
    in the words of :class:`Recorded`."""

    def __init__(self, reasons: list[str], field: str) -> None:
        self.reasons = reasons
        super().__init__({field: messages.refused(reasons, messages.NOTHING_SAVED)})


def check_interval(start: datetime, end: datetime, fields: Fields = Fields()) -> Interval:
    """[start, end) in UTC if it is one recording's worth of time: 422 (on ``fields``)
    when it is empty or outside :func:`~webwork.time_entries.bounds.check_span`."""
    start, end = clock.as_utc(start), clock.as_utc(end)
    if end <= start:
        raise invalid(fields.end, f"The {fields.end_label} must be a time after {fields.start_label}.")
    check_span(start, end, fields)
    return Interval(start, end)


@dataclass(frozen=True)
class Recording:
    """What is to be recorded, besides whose time it is and where."""

    description: str | None
    method: str
    created_by: int
    activity_level: int | None = None  # as a desktop client measured it, on every entry saved
    exclude: Sequence[UUID] = ()  # entries the rules ignore (the timer being stopped)
    fields: Fields = field(default_factory=Fields)  # the request fields a 422 about the interval names


async def record_time(
    session: AsyncSession,
    actor: Actor,
    member: Member,
    assignment: Assignment,
    interval: tuple[datetime, datetime],
    recording: Recording,
) -> Recorded:
    """Save the free, within-limit parts of ``interval`` for ``member`` on
    ``assignment`` (loaded and checked by
    :func:`~webwork.time_entries.assignment.load_assignment`) as time entries.

    Raises 422 (on ``recording.fields``) if the interval is outside the bounds of one
    recording, 409 if it touches an approved timesheet, 422 if nothing at all can be
    saved. The bounds come first, so no rule ever walks more than a day's time."""
    if recording.method not in METHODS:
        raise ValueError(f"unknown method {recording.method!r}")
    wanted = check_interval(*interval, recording.fields)
    result = await assess(session, actor, member, assignment.contract, wanted, recording.exclude)
    if not result.saved:
        raise NothingSaved(result.reasons, recording.fields.end)
    on = assignment.row()
    entries = [
        SavedEntry(
            id=uuid4(),
            workspace_id=actor.workspace_id,
            user_id=member.id,
            contract_id=on["contract_id"],
            project_id=on["project_id"],
            task_id=on["task_id"],
            start_at=part.start,
            end_at=part.end,
            duration_seconds=part.seconds,
            activity_description=recording.description,
            activity_level=recording.activity_level,
            method=recording.method,
            created_by=recording.created_by,
        )
        for part in result.saved
    ]
    await repository.insert_rows(session, [entry.row() for entry in entries])
    return Recorded(
        entries=entries,
        requested_seconds=result.requested_seconds,
        saved_seconds=result.saved_seconds,
        reasons=result.reasons,
    )
