"""Timesheets: members' periods computed from their time, and the decisions on them.

Totals are never stored: they are summed from finished time entries, cut at the
member's local midnights. A ``timesheets`` row only records the state of a period
once someone acts on it; a period nobody acted on is ``open``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions, visibility
from webwork.auth.principal import Actor, MembershipView, UserView
from webwork.auth.roles import Role
from webwork.kit import clock
from webwork.kit.days import check_date_range, range_bounds, seconds_by_local_day
from webwork.kit.errors import Conflict, Forbidden, NotFound, invalid
from webwork.kit.money import priced
from webwork.kit.pagination import Page, PageParams, Pagination
from webwork.leaves import service as leaves
from webwork.leaves.schemas import DayLeave as LeaveDay
from webwork.models import Timesheet, User
from webwork.models.statuses import TimesheetStatus as Status
from webwork.teams import service as teams
from webwork.time_entries import assignment
from webwork.time_entries.assignment import Member
from webwork.time_locks.service import lock_member
from webwork.timesheets import messages, repository
from webwork.timesheets.periods import EARLIEST, LATEST, TimesheetKey, period_of, periods_overlapping
from webwork.timesheets.schemas import DayLeave, DayProjectTotal, TimesheetDecision, TimesheetOut
from webwork.webhooks import service as webhooks

STATUSES = tuple(Status)
# The hosted API calls a timesheet waiting for a decision "pending".
STATUS_ALIASES = {"pending": Status.SUBMITTED}
# Statuses only a stored row can have: listing them needs no computed periods.
DECIDED = frozenset({Status.SUBMITTED, Status.REJECTED, Status.APPROVED})
MAX_PERIODS = 366
NOT_FOUND = "Timesheet not found."


@dataclass(frozen=True)
class ListQuery:
    id: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    user_id: int | None = None
    order_by: str | None = None


def _status_filter(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    status = STATUS_ALIASES.get(value.lower(), value.lower())
    if status not in STATUSES:
        raise invalid(
            "status", "The selected status is invalid (open, submitted, pending, rejected, approved)."
        )
    return status


def _range(actor: Actor, query: ListQuery, key: TimesheetKey | None, status: str | None) -> tuple[date, date]:
    """The requested dates; one given alone stands for both; none: the key's period, every
    date for a status only stored timesheets have (a manager's queue of submitted ones is
    mostly of past periods), or the period containing the caller's today."""
    if query.date_from is None and query.date_to is None:
        if key is not None:
            return key.date_from, key.date_from
        if status in DECIDED:
            return EARLIEST, LATEST
        today = clock.utcnow().astimezone(ZoneInfo(actor.membership.timezone or "UTC")).date()
        return period_of(today, actor.workspace.timesheet_period)
    first = query.date_from or query.date_to
    last = query.date_to or query.date_from
    assert first is not None and last is not None
    check_date_range(first, last)
    return first, last


def _filters(actor: Actor, query: ListQuery, salt: str) -> repository.ListFilters | None:
    """The SQL filters, or None when the id names no timesheet (empty list)."""
    status = _status_filter(query.status)
    order = (query.order_by or "desc").lower()
    if order not in ("asc", "desc"):
        raise invalid("order_by", "The selected order by is invalid (asc, desc).")
    key = TimesheetKey.decode(query.id, salt) if query.id else None
    if query.id and key is None:
        return None
    first, last = _range(actor, query, key, status)
    stored_only = status in DECIDED
    kind = actor.workspace.timesheet_period
    periods = [] if stored_only else periods_overlapping(first, last, kind, limit=MAX_PERIODS + 1)
    if len(periods) > MAX_PERIODS:
        raise invalid("date_to", f"The date range may not span more than {MAX_PERIODS} timesheet periods.")
    return repository.ListFilters(
        first=first,
        last=last,
        period_starts=[start for start, _ in periods],
        stored_only=stored_only,
        user_id=query.user_id,
        key=key,
        status=status,
        ascending=order == "asc",
    )


@dataclass(frozen=True)
class _Span:
    """The UTC instants a period's time is read between, the zone its days are in, and
    its first and last day (time of a gap beside an approved period, read in that zone,
    may fall on the day before or after them)."""

    start: datetime
    end: datetime
    timezone: str
    first: date
    last: date


@dataclass(frozen=True)
class _Period:
    """A member's period as stored (``row``) or computed, and the member's timezone of now."""

    user_id: int
    date_from: date
    date_to: date
    row: Timesheet | None
    timezone: str


async def _spans(session: AsyncSession, actor: Actor, periods: list[_Period]) -> list[_Span]:
    """The span of each period, so that a member's periods never overlap and leave no
    gap, whatever their timezone did between approvals.

    An approved period keeps what approval fixed. Any other period is its local dates in
    the member's timezone of now, except that it starts where an approved period ending
    the day before its first day was locked until, and ends where an approved period
    starting the day after its last day was locked from: the time between two local
    midnights of different timezones (a gap or an overlap, at most about a day, so only
    with the adjacent period) belongs to exactly one period. One query for all of
    ``periods``, none when all are approved."""
    open_periods = [
        (p.user_id, p.date_from, p.date_to)
        for p in periods
        if p.row is None or p.row.status != Status.APPROVED
    ]
    beside = await repository.approved_beside(session, actor, open_periods) if open_periods else []
    ends = {(a.user_id, a.date_to): a.locked_until for a in beside}
    starts = {(a.user_id, a.date_from): a.locked_from for a in beside}
    spans = []
    for period in periods:
        row = period.row
        if row is not None and row.status == Status.APPROVED:
            # ck_timesheets_approved_span: an approved row always has its span
            assert row.locked_from is not None and row.locked_until is not None and row.approved_timezone
            spans.append(
                _Span(
                    row.locked_from, row.locked_until, row.approved_timezone, period.date_from, period.date_to
                )
            )
            continue
        start, end = range_bounds(period.date_from, period.date_to, period.timezone)
        day = timedelta(days=1)
        spans.append(
            _Span(
                ends.get((period.user_id, period.date_from - day), start),
                starts.get((period.user_id, period.date_to + day), end),
                period.timezone,
                period.date_from,
                period.date_to,
            )
        )
    return spans


def _seconds_by_group(
    entries: list[repository.EntrySlice], span: _Span
) -> dict[tuple[date, int | None, int | None], int]:
    """Seconds of ``entries`` inside ``span`` per (local day, project, contract); time
    before the span's first day is on that day, time after its last on the last."""
    seconds: dict[tuple[date, int | None, int | None], int] = defaultdict(int)
    for entry in entries:
        clipped = max(entry.start_at, span.start), min(entry.end_at, span.end)
        for day, secs in seconds_by_local_day(*clipped, span.timezone).items():
            shown = min(max(day, span.first), span.last)
            seconds[(shown, entry.project_id, entry.contract_id)] += secs
    return seconds


@dataclass(frozen=True)
class _Listed:
    key: TimesheetKey
    date_to: date
    row: Timesheet | None
    user: User
    span: _Span


def _summarize(
    actor: Actor,
    listed: _Listed,
    entries: list[repository.EntrySlice],
    leave: dict[date, list[LeaveDay]],
    salt: str,
) -> TimesheetOut:
    """The period as listed; an approved one shows the total fixed at approval. Days of
    approved leave add an item each, apart from the time (``DayProjectTotal``)."""
    seconds = _seconds_by_group(entries, listed.span)
    names = {entry.project_id: entry.project_name for entry in entries}
    with_rate = visibility.may_see_rate(actor, listed.user.id)
    rates = {
        entry.contract_id: entry.rate
        if visibility.may_see_rate(actor, listed.user.id, project_billable=entry.billable)
        else None
        for entry in entries
    }
    breakdown: dict[str, list[DayProjectTotal]] = {}
    total_minutes = 0
    total_amount = Decimal(0)
    for (day, project_id, contract_id), secs in sorted(seconds.items(), key=lambda kv: _order(kv[0])):
        minutes = secs // 60
        total_minutes += minutes
        item = DayProjectTotal(
            project_id=project_id,
            project_name=names[project_id],
            contract_id=contract_id,
            total_minutes=minutes,
        )
        rate = rates[contract_id]
        if rate is not None:
            item.total_amount = priced(minutes, rate)
            total_amount += item.total_amount
        breakdown.setdefault(day.isoformat(), []).append(item)
    for day in sorted(d for d in leave if listed.key.date_from <= d <= listed.date_to):
        for off in leave[day]:
            shown = DayLeave(
                leave_id=str(off.leave_id),
                policy_id=str(off.policy_id),
                policy_name=off.policy_name,
                days=off.days,
                minutes=off.minutes,
            )
            breakdown.setdefault(day.isoformat(), []).append(
                DayProjectTotal(
                    project_id=None, project_name=None, contract_id=None, total_minutes=0, leave=shown
                )
            )
    breakdown = dict(sorted(breakdown.items()))
    row = listed.row
    if row is not None and row.approved_minutes is not None:
        total_minutes = row.approved_minutes
    out = TimesheetOut(
        id=listed.key.encode(salt),
        status=row.status if row else Status.OPEN,
        user_id=listed.user.id,
        member=listed.user.fullname,
        user_name=listed.user.fullname,
        user_email=listed.user.email,
        date_from=listed.key.date_from,
        date_to=listed.date_to,
        total_minutes=total_minutes,
        submitted_on=row.submitted_on if row else None,
        reject_reason=row.reject_reason if row else None,
        daily_breakdown=breakdown,
    )
    if with_rate:
        out.total_amount = total_amount
    return out


def _order(group: tuple[date, int | None, int | None]) -> tuple[date, int, int]:
    day, project_id, contract_id = group
    return day, project_id or 0, contract_id or 0


async def list_page(
    session: AsyncSession, actor: Actor, query: ListQuery, params: PageParams, salt: str
) -> Page[TimesheetOut]:
    """One page of timesheets: a count, the page, one query for the approved periods
    beside its open ones, and one for the time of every member on it, whatever the page
    size."""
    filters = _filters(actor, query, salt)
    if filters is None:
        return Page([], Pagination(params.page, params.per_page, 0, 0))
    page = await repository.list_page(session, actor, filters, params)
    kind = actor.workspace.timesheet_period
    periods = [
        _Period(
            user_id, date_from, row.date_to if row else period_of(date_from, kind)[1], row, timezone or "UTC"
        )
        for user_id, date_from, row, _, timezone in page.items
    ]
    spans = await _spans(session, actor, periods)
    listed = [
        _Listed(TimesheetKey(period.user_id, period.date_from), period.date_to, period.row, user, span)
        for period, (_, _, _, user, _), span in zip(periods, page.items, spans, strict=True)
    ]
    windows = [(item.key.user_id, item.span.start, item.span.end) for item in listed]
    entries = await repository.finished_entries(session, actor, windows)
    by_user: dict[int, list[repository.EntrySlice]] = defaultdict(list)
    for entry in entries:
        by_user[entry.user_id].append(entry)
    leave = await leaves.approved_days(
        session,
        actor,
        sorted({item.key.user_id for item in listed}),
        min((item.key.date_from for item in listed), default=date.max),
        max((item.date_to for item in listed), default=date.min),
    )
    items = [
        _summarize(actor, item, by_user[item.key.user_id], leave[item.key.user_id], salt) for item in listed
    ]
    return Page(items, page.pagination)


@dataclass(frozen=True)
class _Transition:
    sources: frozenset[str]
    target: str
    past: str


TRANSITIONS = {
    "submit": _Transition(frozenset({Status.OPEN, Status.REJECTED}), Status.SUBMITTED, "submitted"),
    "unsubmit": _Transition(frozenset({Status.SUBMITTED}), Status.OPEN, "unsubmitted"),
    "approve": _Transition(frozenset({Status.SUBMITTED}), Status.APPROVED, "approved"),
    "reject": _Transition(frozenset({Status.SUBMITTED}), Status.REJECTED, "rejected"),
    "reopen": _Transition(frozenset({Status.APPROVED}), Status.OPEN, "reopened"),
}


def _check_permission(actor: Actor, action: str, user_id: int) -> None:
    """Members submit and unsubmit their own, admins those of whom they may act on;
    approve and reject need a role that may act on the member (what it manages is
    checked once the period is known, :func:`_check_reach`); only admins reopen an
    approved one, of those they may act on. Project viewers do nothing."""
    permissions.ensure_may_write(actor)
    if action in ("submit", "unsubmit"):
        allowed = permissions.may_record_time(actor, user_id)
    elif action in ("approve", "reject"):
        allowed = permissions.may_act(actor, user_id)
    else:
        allowed = actor.is_admin and permissions.may_act(actor, user_id)
    if not allowed:
        raise Forbidden(f"You may not {action} this timesheet.")


async def _check_reach(
    session: AsyncSession, actor: Actor, action: str, membership: MembershipView, span: _Span
) -> None:
    """A team manager decides on the timesheets of their teams' members; a project
    manager only when every entry of the period's span (a running timer included) is on
    a project they manage; neither on a member of an equal or higher role."""
    if actor.is_admin:
        return
    outside = await repository.has_time_outside(
        session, actor, membership.user_id, (span.start, span.end), visibility.managed_project_ids(actor)
    )
    reach = permissions.Reach(
        in_managed_team=await teams.manages_member(session, actor, membership.user_id),
        within_managed_projects=not outside,
    )
    if not permissions.may_act_on(actor, membership.user_id, Role(membership.role), reach):
        raise Forbidden(f"You may not {action} this timesheet.")


async def _decided_span(
    session: AsyncSession, actor: Actor, action: str, row: Timesheet, timezone: str
) -> _Span | None:
    """The span a decision is about: what an approval fixes, and where a manager's
    reach is judged (None when neither is needed). An approval takes the member's lock
    first, so that a neighbour approved concurrently is seen, and no write of time slips
    in between the total and the lock."""
    if action == "approve":
        await lock_member(session, actor, row.user_id)
    elif action != "reject" or actor.is_admin:
        return None
    (span,) = await _spans(session, actor, [_Period(row.user_id, row.date_from, row.date_to, row, timezone)])
    return span


async def _period_row(session: AsyncSession, actor: Actor, key: TimesheetKey) -> Timesheet:
    """The stored row of the period, created on first action (a concurrent creator wins
    the unique constraint and we use its row)."""
    row = await repository.stored(session, actor, key)
    if row is not None:
        return row
    start, end = period_of(key.date_from, actor.workspace.timesheet_period)
    if start != key.date_from:
        raise NotFound(NOT_FOUND)
    row = Timesheet(
        workspace_id=actor.workspace_id,
        user_id=key.user_id,
        date_from=start,
        date_to=end,
        status=Status.OPEN,
    )
    if await repository.add(session, row):
        return row
    stored = await repository.stored(session, actor, key)
    assert stored is not None, "the row that won the unique constraint is there"
    return stored


async def _visible_period(
    session: AsyncSession, actor: Actor, timesheet_id: str, salt: str
) -> tuple[TimesheetKey, Member]:
    """What the id names, if it is the period of a member the actor may see (404 for
    anything else)."""
    key = TimesheetKey.decode(timesheet_id, salt)
    member = await assignment.find_member(session, actor, key.user_id, active=False) if key else None
    if key is None or member is None:
        raise NotFound(NOT_FOUND)
    return key, member


def _record(row: Timesheet, action: str, actor: Actor, now: datetime, reason: str | None) -> None:
    """Write the transition on the row: when it was submitted, who decided and why, or
    (unsubmit, reopen) none of it."""
    row.status = TRANSITIONS[action].target
    if action == "submit":
        row.submitted_on = now
        row.reject_reason = None
    elif action in ("approve", "reject"):
        row.decided_by = actor.user_id
        row.decided_at = now
        row.reject_reason = reason
    else:
        row.submitted_on = None
        row.decided_by = None
        row.decided_at = None
        row.locked_from = row.locked_until = row.approved_timezone = row.approved_minutes = None


@dataclass(frozen=True)
class Decided:
    data: TimesheetDecision
    message: str


# The decisions announced to webhooks (ours: the hosted API has no timesheet events).
EVENTS = {"submit": "timesheet.submitted", "approve": "timesheet.approved", "reject": "timesheet.rejected"}


async def _transition(
    session: AsyncSession, actor: Actor, timesheet_id: str, action: str, salt: str, reason: str | None = None
) -> Decided:
    key, member = await _visible_period(session, actor, timesheet_id, salt)
    _check_permission(actor, action, member.id)
    row = await _period_row(session, actor, key)
    span = await _decided_span(session, actor, action, row, member.timezone)
    if span is not None:
        await _check_reach(session, actor, action, member.membership, span)
    rule = TRANSITIONS[action]
    if row.status not in rule.sources:
        raise Conflict(f"The timesheet is {row.status}; it cannot be {rule.past}.", code="invalid_transition")
    now = clock.utcnow()
    _record(row, action, actor, now, reason)
    if action == "approve" and span is not None:
        await _fix_approved(session, actor, row, span)
    await session.flush()
    user = member.user
    data = TimesheetDecision(
        id=key.encode(salt),
        status=row.status,
        user_id=user.id,
        user_name=user.fullname,
        user_email=user.email,
        date_from=row.date_from,
        date_to=row.date_to,
    )
    if action in EVENTS:
        webhooks.emit(session, actor.workspace, EVENTS[action], data.model_dump(mode="json"))
    return Decided(data, _message(actor, action, user, row, now, reason))


async def submit(session: AsyncSession, actor: Actor, timesheet_id: str, salt: str) -> Decided:
    """Send an open or rejected period of a member for a decision. Members submit their
    own timesheets, owners and executive managers anyone's; project viewers none."""
    return await _transition(session, actor, timesheet_id, "submit", salt)


async def unsubmit(session: AsyncSession, actor: Actor, timesheet_id: str, salt: str) -> Decided:
    """Take a submitted period back to open before anyone decides on it (the member, or
    an owner or executive manager)."""
    return await _transition(session, actor, timesheet_id, "unsubmit", salt)


async def approve(session: AsyncSession, actor: Actor, timesheet_id: str, salt: str) -> Decided:
    """Approve a submitted period. Owners and executive managers approve any; team
    managers those of their teams' members, project managers those whose every entry
    lies on projects they manage, in both cases only of members ranked below them.
    Approval fixes the period's UTC span, its timezone and its total, and locks its
    time: no entry, time request or timer may change it until the timesheet is
    reopened."""
    return await _transition(session, actor, timesheet_id, "approve", salt)


async def reject(session: AsyncSession, actor: Actor, timesheet_id: str, salt: str, reason: str) -> Decided:
    """Send a submitted period back to its member with a reason; who may reject a
    period is who may approve it."""
    return await _transition(session, actor, timesheet_id, "reject", salt, reason)


async def reopen(session: AsyncSession, actor: Actor, timesheet_id: str, salt: str) -> Decided:
    """Open an approved period again (owners and executive managers only): its time is
    unlocked and what approval fixed is cleared."""
    return await _transition(session, actor, timesheet_id, "reopen", salt)


async def _fix_approved(session: AsyncSession, actor: Actor, row: Timesheet, span: _Span) -> None:
    """Fix what is approved so that it stays approved: the period's span (the lock),
    the zone its days are read in, and the total."""
    entries = await repository.finished_entries(session, actor, [(row.user_id, span.start, span.end)])
    row.locked_from, row.locked_until, row.approved_timezone = span.start, span.end, span.timezone
    row.approved_minutes = sum(secs // 60 for secs in _seconds_by_group(entries, span).values())


def _message(
    actor: Actor, action: str, user: UserView, row: Timesheet, now: datetime, reason: str | None
) -> str:
    past = TRANSITIONS[action].past
    if action not in ("approve", "reject"):
        return messages.timesheet_changed(past)
    period = (row.date_from, row.date_to)
    return messages.timesheet_decided(past, actor.user.fullname, now, user.fullname, period, reason)
