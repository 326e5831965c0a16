"""Leave: policies (allowances per year), the workspace's holidays and work week, and
members' leave requests with the decisions on them.

Who: owners and executive managers keep the policies, holidays and work week (the
router); members ask for their own leave, owners and executive managers for anyone
they may act on (``permissions.ensure_may_record_time``); owners, executive managers
and the member's team managers approve and reject (``permissions.may_act_on``, with the
team as reach); the requester cancels while pending, owners and executive managers
later too (cancelled leave counts nowhere). Project viewers are refused every leave
operation (``auth.deps.ActorDep``).

A leave's working days (the work week minus holidays; a half day is 0.5) and amount in
its policy's unit are counted when it is requested, and balances add those up
(``calendar`` says how)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions
from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.kit import clock
from webwork.kit.days import check_date_range, range_bounds
from webwork.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed, ensure_pending, invalid
from webwork.kit.ids import parse_uuid
from webwork.kit.pagination import Page, PageParams
from webwork.leaves import calendar, repository
from webwork.leaves.calendar import HALF, Sums
from webwork.leaves.schemas import (
    ACCRUALS,
    TIME_UNITS,
    DayLeave,
    HolidayCreate,
    LeaveCreate,
    LeaveView,
    MemberBalance,
    PolicyBalance,
    PolicyCreate,
    PolicyUpdate,
    PolicyView,
    SettingsOut,
    SettingsUpdate,
)
from webwork.members import service as members
from webwork.members.schedules import WORK_END_INVALID, hhmm
from webwork.models import Leave, LeaveHoliday, LeavePolicy, LeaveSettings
from webwork.models.leaves import (
    DEFAULT_GRACE_MINUTES,
    DEFAULT_WORK_DAYS,
    DEFAULT_WORK_END,
    DEFAULT_WORK_START,
)
from webwork.models.statuses import LeaveStatus
from webwork.teams import service as teams
from webwork.time_entries import assignment
from webwork.time_locks.service import ensure_unlocked
from webwork.webhooks import service as webhooks

STATUSES = tuple(LeaveStatus)
DEFAULT_HOURS = Decimal(8)
MAX_LEAVE_DAYS = 366
LEAVE_NOT_FOUND = "Leave not found."
POLICY_NOT_FOUND = "Leave policy not found."


def _choice(field: str, value: str, allowed: tuple[str, ...]) -> str:
    lowered = value.lower()
    if lowered not in allowed:
        label = field.replace("_", " ")
        raise invalid(field, f"The selected {label} is invalid ({', '.join(allowed)}).")
    return lowered


# Policies


async def _views(session: AsyncSession, actor: Actor, policies: list[LeavePolicy]) -> list[PolicyView]:
    rows = await repository.policy_members(session, actor, (p.id for p in policies))
    return [PolicyView(p, rows[p.id]) for p in policies]


async def list_policies(session: AsyncSession, actor: Actor, params: PageParams) -> Page[PolicyView]:
    page = await repository.list_policies(session, actor, params)
    return Page(await _views(session, actor, list(page.items)), page.pagination)


async def _policy(session: AsyncSession, actor: Actor, policy_id: str) -> LeavePolicy:
    key = parse_uuid(policy_id)
    policy = await repository.get_policy(session, actor, key) if key else None
    if policy is None:
        raise NotFound(POLICY_NOT_FOUND)
    return policy


async def get_policy(session: AsyncSession, actor: Actor, policy_id: str) -> PolicyView:
    return (await _views(session, actor, [await _policy(session, actor, policy_id)]))[0]


async def _check_members(session: AsyncSession, actor: Actor, user_ids: set[int]) -> None:
    roles = await members.active_roles(session, actor.workspace_id, user_ids)
    bad = sorted(user_ids - roles.keys())
    if bad:
        listed = ", ".join(str(i) for i in bad)
        raise invalid("member_ids", f"These ids are not active members of the workspace: {listed}.")


async def create_policy(session: AsyncSession, actor: Actor, body: PolicyCreate) -> PolicyView:
    """Owners and executive managers (the router); whoever it applies to must be someone
    they may act on (only the owner gives the owner a policy)."""
    wanted = set(body.member_ids)
    permissions.ensure_may_act(actor, wanted, "leave policies")
    policy = LeavePolicy(
        workspace_id=actor.workspace_id,
        name=body.name,
        time_unit=_choice("time_unit", body.time_unit, TIME_UNITS),
        duration=body.duration,
        is_paid=body.is_paid,
        allow_negative_balance=body.allow_negative_balance,
        reason_required=body.reason_required,
        accrual=_choice("accrual", body.accrual, ACCRUALS),
        carry_over=body.carry_over,
    )
    await _check_members(session, actor, wanted)
    await repository.add(session, policy)
    await repository.replace_policy_members(session, policy, [], wanted)
    return PolicyView(policy, sorted(wanted))


async def update_policy(
    session: AsyncSession, actor: Actor, policy_id: str, body: PolicyUpdate
) -> PolicyView:
    """The fields sent change; ``time_unit`` never does (the amounts of its leave are in
    it): another value is a 422."""
    view = await get_policy(session, actor, policy_id)
    policy = view.policy
    if body.time_unit is not None and body.time_unit.lower() != policy.time_unit:
        raise invalid("time_unit", "The time unit of a policy cannot be changed.")
    members_now = view.member_ids
    if body.member_ids is not None:
        wanted = set(body.member_ids)
        permissions.ensure_may_act(actor, wanted ^ set(members_now), "leave policies")
        await _check_members(session, actor, wanted)
        await repository.replace_policy_members(session, policy, members_now, wanted)
        members_now = sorted(wanted)
    changes = body.provided("member_ids", "time_unit")
    if "accrual" in changes:
        changes["accrual"] = _choice("accrual", changes["accrual"], ACCRUALS)
    for field, value in changes.items():
        setattr(policy, field, value)
    policy.updated_at = clock.utcnow()
    await session.flush()
    return PolicyView(policy, members_now)


async def delete_policy(session: AsyncSession, actor: Actor, policy_id: str) -> PolicyView:
    """A policy with leave (of any status) stays: its leave would lose its meaning (409)."""
    view = await get_policy(session, actor, policy_id)
    if await repository.policy_has_leave(session, view.policy.id):
        raise Conflict("The leave policy has leave requests and cannot be deleted.", code="policy_in_use")
    await repository.remove_policy(session, view.policy)
    return view


# Holidays and the work week


async def list_holidays(session: AsyncSession, actor: Actor, params: PageParams) -> Page[LeaveHoliday]:
    return await repository.list_holidays(session, actor, params)


async def add_holiday(session: AsyncSession, actor: Actor, body: HolidayCreate) -> LeaveHoliday:
    """One holiday a date (422 for a second); leave already requested keeps its count."""
    if await repository.holiday_on(session, actor, body.date):
        raise invalid("date", "The workspace already has a holiday on this date.")
    holiday = LeaveHoliday(workspace_id=actor.workspace_id, date=body.date, name=body.name)
    await repository.add(session, holiday)
    return holiday


async def delete_holiday(session: AsyncSession, actor: Actor, holiday_id: int) -> LeaveHoliday:
    holiday = await repository.get_holiday(session, actor, holiday_id)
    if holiday is None:
        raise NotFound("Holiday not found.")
    await repository.remove(session, holiday)
    return holiday


def _work_days(stored: str | None) -> frozenset[int]:
    return frozenset(int(d) for d in (stored or DEFAULT_WORK_DAYS).split(",") if d)


async def get_settings(session: AsyncSession, actor: Actor) -> SettingsOut:
    return _settings_out(await repository.settings(session, actor))


def _settings_out(row: LeaveSettings | None) -> SettingsOut:
    return SettingsOut(
        work_days=sorted(_work_days(row.work_days if row else None)),
        hours_per_day=row.hours_per_day if row else DEFAULT_HOURS,
        work_start=hhmm(row.work_start if row else DEFAULT_WORK_START),
        work_end=hhmm(row.work_end if row else DEFAULT_WORK_END),
        grace_minutes=row.grace_minutes if row else DEFAULT_GRACE_MINUTES,
    )


async def update_settings(session: AsyncSession, actor: Actor, body: SettingsUpdate) -> SettingsOut:
    """The fields sent change; leave already requested keeps its count. The working
    hours are the default of every member's schedule: a day ends after it starts (422 on
    the time sent, as the settings would then be)."""
    row = await repository.settings(session, actor)
    start = body.work_start or (row.work_start if row else DEFAULT_WORK_START)
    end = body.work_end or (row.work_end if row else DEFAULT_WORK_END)
    if end <= start:
        raise invalid("work_end" if body.work_end else "work_start", WORK_END_INVALID)
    if row is None:
        row = LeaveSettings(
            workspace_id=actor.workspace_id,
            work_days=DEFAULT_WORK_DAYS,
            hours_per_day=DEFAULT_HOURS,
            work_start=DEFAULT_WORK_START,
            work_end=DEFAULT_WORK_END,
            grace_minutes=DEFAULT_GRACE_MINUTES,
        )
        await repository.add(session, row)
    if body.work_days is not None:
        row.work_days = ",".join(str(d) for d in sorted(set(body.work_days)))
    if body.hours_per_day is not None:
        row.hours_per_day = body.hours_per_day
    row.work_start, row.work_end = start, end
    if body.grace_minutes is not None:
        row.grace_minutes = body.grace_minutes
    row.updated_at = clock.utcnow()
    await session.flush()
    return _settings_out(row)


# Leave


def _filter_uuid(field: str, raw: str | None) -> uuid.UUID | None:
    if raw is None or raw == "":
        return None
    key = parse_uuid(raw)
    if key is None:
        raise invalid(field, f"The {field.replace('_', ' ')} must be a valid UUID.")
    return key


async def list_page(
    session: AsyncSession,
    actor: Actor,
    params: PageParams,
    *,
    id: str | None = None,
    user_id: int | None = None,
    policy_id: str | None = None,
    is_paid: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str | None = None,
) -> Page[LeaveView]:
    """Leave touching date_from..date_to (either may be left out)."""
    if date_from is not None and date_to is not None:
        check_date_range(date_from, date_to)
    filters = repository.LeaveFilters(
        id=_filter_uuid("id", id),
        user_id=user_id,
        policy_id=_filter_uuid("policy_id", policy_id),
        is_paid=None if not is_paid else _choice("is_paid", is_paid, ("yes", "no")) == "yes",
        date_from=date_from,
        date_to=date_to,
        status=None if not status else _choice("status", status, STATUSES),
    )
    page = await repository.list_page(session, actor, filters, params)
    return Page([LeaveView(*row) for row in page.items], page.pagination)


async def get(session: AsyncSession, actor: Actor, leave_id: str, *, lock: bool = False) -> LeaveView:
    key = parse_uuid(leave_id)
    row = await repository.get(session, actor, key, lock=lock) if key else None
    if row is None:
        raise NotFound(LEAVE_NOT_FOUND)
    return LeaveView(*row)


def _hours_between(start: str, end: str) -> Decimal:
    begin, finish = time.fromisoformat(start), time.fromisoformat(end)
    return Decimal((finish.hour * 60 + finish.minute) - (begin.hour * 60 + begin.minute)) / 60


def _hour_terms(body: LeaveCreate) -> Decimal:
    """An hour-based leave names its hours each day: 422 on what is missing or wrong."""
    errors: dict[str, list[str]] = {}
    for field in ("start_time", "end_time", "hours_per_day"):
        if getattr(body, field) is None:
            errors[field] = [f"The {field.replace('_', ' ')} field is required for an hour-based policy."]
    if body.leave_period != 0:
        errors["leave_period"] = ["Half days apply to day-based policies only."]
    if errors:
        raise ValidationFailed(errors)
    assert body.start_time is not None and body.end_time is not None and body.hours_per_day is not None
    span = _hours_between(body.start_time, body.end_time)
    if span <= 0:
        raise invalid("end_time", "The end time must be after the start time.")
    if body.hours_per_day > span:
        raise invalid(
            "hours_per_day", "The hours per day must not exceed the time from start time to end time."
        )
    return body.hours_per_day


def _no_overlap(existing: list[tuple[date, date, int]], body: LeaveCreate) -> None:
    """Two halves of one day may both be leave; anything else sharing a date may not."""
    for first, last, period in existing:
        halves = first == last == body.start == body.end and {period, body.leave_period} == {1, 2}
        if not halves:
            raise invalid("start", "The member already has leave (pending or approved) on these dates.")


async def _sums(session: AsyncSession, actor: Actor, user_id: int, policy: LeavePolicy, day: date) -> Sums:
    rows = await repository.balance_sums(session, actor, [user_id], day.year, (day, day), policy.id)
    return rows[0].sums if rows else Sums(calendar.ZERO, calendar.ZERO, calendar.ZERO, calendar.ZERO)


async def create(session: AsyncSession, actor: Actor, body: LeaveCreate) -> LeaveView:
    """Counted in working days (half a day for a one-day leave's half); refused (422)
    when it has none, overlaps the member's pending or approved leave, lacks a reason
    the policy requires, names a policy not applying to the member, or goes beyond the
    balance of its year (unless the policy allows a negative one); 409 when a day of it
    lies in a period an approved timesheet locks."""
    permissions.ensure_may_record_time(actor, body.user_id, "You may only request leave for yourself.")
    member = await assignment.load_member(session, actor, body.user_id)
    if body.end < body.start:
        raise invalid("end", "The end must be a date after or equal to start.")
    if (body.end - body.start).days >= MAX_LEAVE_DAYS:
        raise invalid("end", f"A leave may span at most {MAX_LEAVE_DAYS} days.")
    if body.leave_period and body.start != body.end:
        raise invalid("leave_period", "A half day is a leave of one day (start and end the same).")
    key = parse_uuid(body.policy_id)
    policy = await repository.get_policy(session, actor, key) if key else None
    if policy is None:
        raise invalid("policy_id", "The selected policy id is invalid.")
    if not await repository.applies_to(session, policy.id, member.id):
        raise invalid("policy_id", "The leave policy does not apply to this member.")
    if policy.reason_required and not body.reason:
        raise invalid("reason", "The reason field is required by this leave policy.")
    hours_per_day = _hour_terms(body) if policy.time_unit == "hours" else None
    window = range_bounds(body.start, body.end, member.timezone)
    await ensure_unlocked(session, actor, member.id, start=window[0], end=window[1])
    _no_overlap(list(await repository.overlapping(session, actor, member.id, body.start, body.end)), body)
    found = await repository.calendar(session, actor, body.start, body.end)
    count = len(calendar.working_days(body.start, body.end, _work_days(found.work_days), found.holidays))
    if count == 0:
        raise invalid("start", "The leave has no working days (weekends and holidays are not counted).")
    days = HALF if body.leave_period else Decimal(count)
    hours = days * (hours_per_day or found.hours_per_day or DEFAULT_HOURS)
    amount = hours if policy.time_unit == "hours" else days
    if not policy.allow_negative_balance:
        sums = await _sums(session, actor, member.id, policy, body.start)
        left = calendar.balance(
            policy.duration, policy.accrual, policy.carry_over, body.start, sums
        ).remaining
        if amount > left:
            shown = calendar.spelled(max(left, calendar.ZERO), policy.time_unit)
            raise invalid("end", f"The leave exceeds the remaining balance ({shown}).")
    leave = Leave(
        workspace_id=actor.workspace_id,
        user_id=member.id,
        policy_id=policy.id,
        start_date=body.start,
        end_date=body.end,
        leave_period=body.leave_period,
        start_time=body.start_time if hours_per_day else None,
        end_time=body.end_time if hours_per_day else None,
        hours_per_day=hours_per_day,
        days=days,
        hours=hours,
        amount=amount,
        status=LeaveStatus.PENDING,
        reason=body.reason,
        created_by=actor.user_id,
    )
    await repository.add(session, leave)
    view = LeaveView(leave, policy.name, policy.time_unit, policy.is_paid)
    webhooks.emit(session, actor.workspace, "leave.created", _event(view))
    return view


async def _may_decide(session: AsyncSession, actor: Actor, leave: Leave) -> bool:
    """Owners and executive managers, and a team manager for the members of their teams
    (below them in rank)."""
    if not permissions.may_act(actor, leave.user_id):
        return False
    if actor.is_admin:
        return True
    member = await assignment.load_member(session, actor, leave.user_id, active=False)
    reach = permissions.Reach(in_managed_team=await teams.manages_member(session, actor, leave.user_id))
    return permissions.may_act_on(actor, leave.user_id, Role(member.membership.role), reach)


def _event(view: LeaveView) -> dict[str, Any]:
    """What a leave's webhook events carry."""
    leave = view.leave
    return {
        "id": leave.id,
        "user_id": leave.user_id,
        "policy_id": leave.policy_id,
        "policy_name": view.policy_name,
        "start_date": leave.start_date,
        "end_date": leave.end_date,
        "status": leave.status,
    }


async def _pending_for_decision(session: AsyncSession, actor: Actor, leave_id: str, verb: str) -> LeaveView:
    permissions.ensure_may_write(actor)
    view = await get(session, actor, leave_id, lock=True)
    if not await _may_decide(session, actor, view.leave):
        raise Forbidden(f"You may not {verb} this leave.")
    ensure_pending(view.leave.status, LeaveStatus.PENDING, "leave", f"{verb}d")
    return view


async def approve(session: AsyncSession, actor: Actor, leave_id: str) -> LeaveView:
    view = await _pending_for_decision(session, actor, leave_id, "approve")
    view.leave.status = LeaveStatus.APPROVED
    view.leave.approved_by = actor.user_id
    view.leave.decided_at = clock.utcnow()
    await session.flush()
    webhooks.emit(session, actor.workspace, "leave.approved", _event(view))
    return view


async def reject(session: AsyncSession, actor: Actor, leave_id: str, reason: str) -> LeaveView:
    view = await _pending_for_decision(session, actor, leave_id, "reject")
    view.leave.status = LeaveStatus.REJECTED
    view.leave.rejected_by = actor.user_id
    view.leave.reject_reason = reason
    view.leave.decided_at = clock.utcnow()
    await session.flush()
    webhooks.emit(session, actor.workspace, "leave.rejected", _event(view))
    return view


async def cancel(session: AsyncSession, actor: Actor, leave_id: str) -> LeaveView:
    """Pending leave by its member or whoever asked for it; pending or approved leave by
    an owner or executive manager who may act on the member. Its days count no more."""
    permissions.ensure_may_write(actor)
    view = await get(session, actor, leave_id, lock=True)
    leave = view.leave
    own = actor.user_id in (leave.user_id, leave.created_by)
    admin = actor.is_admin and permissions.may_act(actor, leave.user_id)
    if not (admin or (own and leave.status == LeaveStatus.PENDING)):
        if own and leave.status == LeaveStatus.APPROVED:
            raise Forbidden("Only an owner or executive manager can cancel approved leave.")
        if not own:
            raise Forbidden("You may not cancel this leave.")
    if leave.status not in (LeaveStatus.PENDING, LeaveStatus.APPROVED):
        raise Conflict(
            f"Only pending or approved leave can be cancelled; this one is {leave.status}.",
            code="invalid_transition",
        )
    leave.status = LeaveStatus.CANCELLED
    leave.cancelled_by = actor.user_id
    leave.decided_at = clock.utcnow()
    await session.flush()
    webhooks.emit(session, actor.workspace, "leave.cancelled", _event(view))
    return view


# Balances


async def balances(
    session: AsyncSession,
    actor: Actor,
    params: PageParams,
    *,
    date_from: date,
    date_to: date,
    user_id: int | None,
) -> Page[MemberBalance]:
    """A page of members, each with the balance of every policy applying to them as of
    ``date_to`` (``calendar``): one query for the members, one adding up their leave."""
    check_date_range(date_from, date_to)
    page = await repository.members_page(session, actor, user_id, params)
    ids = [member_id for member_id, _ in page.items]
    rows = await repository.balance_sums(session, actor, ids, date_to.year, (date_from, date_to))
    by_user: dict[int, list[PolicyBalance]] = defaultdict(list)
    for row in rows:
        p = row.policy
        b = calendar.balance(p.duration, p.accrual, p.carry_over, date_to, row.sums)
        by_user[row.user_id].append(
            PolicyBalance(
                leave_type=p.name,
                balance=calendar.spelled(b.remaining, p.time_unit),
                policy_id=str(p.id),
                time_unit=p.time_unit,
                entitled=b.entitled,
                carried_over=b.carried_over,
                accrued=b.accrued,
                used=b.used,
                pending=b.pending,
                remaining=b.remaining,
                taken=b.taken,
            )
        )
    items = [
        MemberBalance(
            user_id=member_id,
            user_name=name,
            leave_information=by_user[member_id],
            total_balance=_total(by_user[member_id]),
        )
        for member_id, name in page.items
    ]
    return Page(items, page.pagination)


def _total(policies: list[PolicyBalance]) -> str | None:
    """Remaining of every policy, per unit: "15 days", "15 days, 8 hours"; null without any."""
    if not policies:
        return None
    totals: dict[str, Decimal] = {}
    for item in policies:
        totals[item.time_unit] = totals.get(item.time_unit, calendar.ZERO) + item.remaining
    return ", ".join(calendar.spelled(totals[unit], unit) for unit in TIME_UNITS if unit in totals)


# Reports


@dataclass(frozen=True)
class DayOff:
    """What the attendance report needs of one date: a holiday of the workspace, and
    which members have approved leave on it (of those whose leave the actor sees)."""

    holiday: bool
    on_leave: set[int]


async def day_off(session: AsyncSession, actor: Actor, user_ids: list[int], day: date) -> DayOff:
    """The holiday and the approved leave of ``day``: two small queries. Leave counts
    whatever the member's work days (the report, not the leave, decides what a work day
    is)."""
    holiday = await repository.holiday_on(session, actor, day)
    return DayOff(holiday, await repository.approved_on(session, actor, user_ids, day))


# Timesheets


async def approved_days(
    session: AsyncSession, actor: Actor, user_ids: list[int], first: date, last: date
) -> dict[int, dict[date, list[DayLeave]]]:
    """Each working day of the members' approved leave within first..last: for the
    timesheets' daily breakdown. One query, and one more only when there is leave."""
    rows = await repository.approved_between(session, actor, user_ids, first, last) if user_ids else []
    result: dict[int, dict[date, list[DayLeave]]] = defaultdict(lambda: defaultdict(list))
    if not rows:
        return result
    found = await repository.calendar(session, actor, first, last)
    work_days = _work_days(found.work_days)
    day_hours = found.hours_per_day or DEFAULT_HOURS
    for leave_id, user_id, policy_id, name, start, end, period, leave_hours, unit in rows:
        days = HALF if period else Decimal(1)
        hours = days * (leave_hours if unit == "hours" and leave_hours else day_hours)
        for day in calendar.working_days(max(start, first), min(end, last), work_days, found.holidays):
            result[user_id][day].append(DayLeave(leave_id, policy_id, name, days, int(hours * 60)))
    return result
