"""Time requests: manual time a member asks for, recorded only once a manager approves.

Approval records the time through the recording engine (method "time_request"), so the
same rules hold as for manual entries: locked periods (409), time already recorded is
not saved twice, weekly limits cut what does not fit; ``saved_minutes`` says what was
kept. Only pending requests can be decided."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions
from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.kit.days import range_bounds
from webwork.kit.errors import Conflict, Forbidden, NotFound, invalid
from webwork.kit.pagination import Page, PageParams, paginate
from webwork.models import TimeRequest
from webwork.projects import service as projects
from webwork.teams import service as teams
from webwork.time_entries import repository as entries
from webwork.time_entries.bounds import Fields, check_span
from webwork.time_entries.recording import check_assignment, format_duration, record_time
from webwork.time_requests import repository
from webwork.time_requests.schemas import TimeRequestCreate

STATUSES = ("pending", "approved", "rejected")
NOT_FOUND = "Time request not found."
# A request's times are its `start` and `end`, not a manual entry's start_time/end_time.
FIELDS = Fields(start="start", end="end")
EARLIEST = date(1970, 1, 1)
LATEST = date(2999, 12, 31)


async def list_requests(
    session: AsyncSession,
    actor: Actor,
    params: PageParams,
    *,
    date_from: date,
    date_to: date,
    status: str | None,
    user_id: int | None,
) -> Page[TimeRequest]:
    """Requests whose start falls on date_from..date_to, both inclusive, as UTC dates
    (one rule for every caller, whatever the members' timezones)."""
    for field, day in (("date_from", date_from), ("date_to", date_to)):
        if not EARLIEST <= day <= LATEST:
            raise invalid(field, f"The {field.replace('_', ' ')} must be between {EARLIEST} and {LATEST}.")
    if date_to < date_from:
        raise invalid("date_to", "The date to must be a date after or equal to date from.")
    if status is not None and status not in STATUSES:
        raise invalid("status", "The selected status is invalid (pending, approved, rejected).")
    start, end = range_bounds(date_from, date_to, "UTC")
    return await paginate(session, repository.in_range(actor, start, end, status, user_id), params)


async def get(session: AsyncSession, actor: Actor, request_id: str, *, lock: bool = False) -> TimeRequest:
    try:
        key = uuid.UUID(request_id)
    except ValueError:
        raise NotFound(NOT_FOUND) from None
    request = await repository.get(session, actor, key, lock=lock)
    if request is None:
        raise NotFound(NOT_FOUND)
    return request


async def create(session: AsyncSession, actor: Actor, body: TimeRequestCreate) -> TimeRequest:
    """Members ask for themselves; owners and executive managers for anyone active in
    the workspace. The contract and task must be usable by that member now."""
    permissions.ensure_may_record_time(actor, body.user_id, "You may only request time for yourself.")
    _, user = await entries.member(session, actor, body.user_id)
    if body.end <= body.start:
        raise invalid("end", "The end must be a date after start.")
    check_span(body.start, body.end, FIELDS)
    contract = await entries.contract(session, actor, body.contract_id) if body.contract_id else None
    task = await entries.task(session, actor, body.task_id) if body.task_id else None
    project = await check_assignment(
        session, workspace=actor.workspace, user=user, contract=contract, task=task
    )
    request = TimeRequest(
        workspace_id=actor.workspace_id,
        user_id=user.id,
        contract_id=contract.id if contract else None,
        project_id=project.id if project else None,
        task_id=task.id if task else None,
        start_at=body.start,
        end_at=body.end,
        activity_description=body.description,
        status="pending",
        created_by=actor.user_id,
    )
    session.add(request)
    await session.flush()
    return request


async def _may_decide(session: AsyncSession, actor: Actor, request: TimeRequest) -> bool:
    """A team manager decides on requests of their teams' members, a project manager on
    requests on the projects they manage (a request without a project is on none)."""
    if actor.is_admin:
        return True
    if not permissions.may_decide(actor, request.user_id):
        return False
    membership, _ = await entries.member(session, actor, request.user_id, active=False)
    reach = permissions.Reach(
        in_managed_team=await teams.manages_member(session, actor, request.user_id),
        within_managed_projects=request.project_id is not None
        and await projects.is_project_manager_of(session, actor, request.project_id),
    )
    return permissions.may_decide_on(actor, request.user_id, Role(membership.role), reach)


async def _pending_for_decision(
    session: AsyncSession, actor: Actor, request_id: str, verb: str, past: str
) -> TimeRequest:
    """The request, locked, if the actor may decide on it (``permissions``) and it is
    still pending."""
    request = await get(session, actor, request_id, lock=True)
    if not await _may_decide(session, actor, request):
        raise Forbidden(f"You may not {verb} this time request.")
    if request.status != "pending":
        raise Conflict(
            f"Only pending time requests can be {past}; this one is {request.status}.",
            code="invalid_transition",
        )
    return request


@dataclass(frozen=True)
class Approved:
    request: TimeRequest
    saved_minutes: int
    message: str


async def approve(session: AsyncSession, actor: Actor, request_id: str) -> Approved:
    request = await _pending_for_decision(session, actor, request_id, "approve", "approved")
    membership, user = await entries.member(session, actor, request.user_id, active=False)
    contract = await entries.contract(session, actor, request.contract_id) if request.contract_id else None
    task = await entries.task(session, actor, request.task_id) if request.task_id else None
    recorded = await record_time(
        session,
        workspace=actor.workspace,
        membership=membership,
        user=user,
        contract=contract,
        task=task,
        start=request.start_at,
        end=request.end_at,
        description=request.activity_description,
        method="time_request",
        created_by=actor.user_id,
        fields=FIELDS,
    )
    request.status = "approved"
    request.updated_by = actor.user_id
    request.saved_minutes = recorded.saved_minutes
    await session.flush()
    message = "Time request approved successfully"
    if recorded.unsaved_seconds > 0:
        message += (
            f". {format_duration(recorded.saved_seconds)} of {format_duration(recorded.requested_seconds)}"
            f" saved: {'; '.join(recorded.reasons)}."
        )
    return Approved(request, recorded.saved_minutes, message)


async def reject(session: AsyncSession, actor: Actor, request_id: str, comment: str) -> TimeRequest:
    request = await _pending_for_decision(session, actor, request_id, "reject", "rejected")
    request.status = "rejected"
    request.comment = comment
    request.updated_by = actor.user_id
    await session.flush()
    return request
