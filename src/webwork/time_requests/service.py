"""Time requests: manual time a member asks for, recorded only once a manager approves.

Approval records the time through the recording engine (method "time_request"), so the
same rules hold as for manual entries: locked periods (409), time already recorded is
not saved twice, weekly limits cut what does not fit; ``saved_minutes`` says what was
kept. Only pending requests can be decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions
from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.kit.days import check_date_range, range_bounds
from webwork.kit.errors import Forbidden, NotFound, ensure_pending, invalid
from webwork.kit.ids import parse_uuid
from webwork.kit.pagination import Page, PageParams
from webwork.models import TimeRequest
from webwork.models.statuses import TimeRequestStatus
from webwork.projects import service as projects
from webwork.teams import service as teams
from webwork.time_entries import assignment, messages
from webwork.time_entries.bounds import Fields
from webwork.time_entries.recording import Recording, check_interval, record_time
from webwork.time_requests import repository
from webwork.time_requests.schemas import TimeRequestCreate
from webwork.webhooks import service as webhooks

STATUSES = tuple(TimeRequestStatus)
NOT_FOUND = "Time request not found."
# A request's times are its `start` and `end`, not a manual entry's start_time/end_time.
FIELDS = Fields(start="start", end="end")


async def list_page(
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
    check_date_range(date_from, date_to)
    if status is not None and status not in STATUSES:
        raise invalid("status", "The selected status is invalid (pending, approved, rejected).")
    window = range_bounds(date_from, date_to, "UTC")
    return await repository.list_page(session, actor, window, status, user_id, params)


async def get(session: AsyncSession, actor: Actor, request_id: str, *, lock: bool = False) -> TimeRequest:
    key = parse_uuid(request_id)
    request = await repository.get(session, actor, key, lock=lock) if key else None
    if request is None:
        raise NotFound(NOT_FOUND)
    return request


async def create(session: AsyncSession, actor: Actor, body: TimeRequestCreate) -> TimeRequest:
    """Members ask for themselves; owners and executive managers for anyone active in
    the workspace. The contract and task must be usable by that member now."""
    permissions.ensure_may_record_time(actor, body.user_id, "You may only request time for yourself.")
    member = await assignment.load_member(session, actor, body.user_id)
    wanted = check_interval(body.start, body.end, FIELDS)
    chosen = await assignment.load_assignment(session, actor, member.id, body.contract_id, body.task_id)
    request = TimeRequest(
        workspace_id=actor.workspace_id,
        user_id=member.id,
        **chosen.row(),
        start_at=wanted.start,
        end_at=wanted.end,
        activity_description=body.description,
        status=TimeRequestStatus.PENDING,
        created_by=actor.user_id,
    )
    await repository.add(session, request)
    webhooks.emit(session, actor.workspace, "time_request.created", _event(request))
    return request


def _event(request: TimeRequest) -> dict[str, Any]:
    """What a time request's webhook events carry."""
    return {
        "id": request.id,
        "user_id": request.user_id,
        "project_id": request.project_id,
        "task_id": request.task_id,
        "start": request.start_at,
        "end": request.end_at,
        "status": request.status,
    }


async def _may_decide(session: AsyncSession, actor: Actor, request: TimeRequest) -> bool:
    """A team manager decides on requests of their teams' members, a project manager on
    requests on the projects they manage (a request without a project is on none)."""
    if not permissions.may_act(actor, request.user_id):
        return False
    if actor.is_admin:
        return True
    member = await assignment.load_member(session, actor, request.user_id, active=False)
    reach = permissions.Reach(
        in_managed_team=await teams.manages_member(session, actor, request.user_id),
        within_managed_projects=request.project_id is not None
        and await projects.is_project_manager_of(session, actor, request.project_id),
    )
    return permissions.may_act_on(actor, request.user_id, Role(member.membership.role), reach)


async def _pending_for_decision(
    session: AsyncSession, actor: Actor, request_id: str, verb: str, past: str
) -> TimeRequest:
    """The request, locked, if the actor may decide on it (``permissions``) and it is
    still pending."""
    request = await get(session, actor, request_id, lock=True)
    if not await _may_decide(session, actor, request):
        raise Forbidden(f"You may not {verb} this time request.")
    ensure_pending(request.status, TimeRequestStatus.PENDING, "time requests", past)
    return request


@dataclass(frozen=True)
class Approved:
    request: TimeRequest
    saved_minutes: int
    message: str


async def approve(session: AsyncSession, actor: Actor, request_id: str) -> Approved:
    """Record the requested time for its member; the message says what of it could not
    be saved, and why."""
    request = await _pending_for_decision(session, actor, request_id, "approve", "approved")
    member = await assignment.load_member(session, actor, request.user_id, active=False)
    chosen = await assignment.load_assignment(session, actor, member.id, request.contract_id, request.task_id)
    recording = Recording(
        description=request.activity_description,
        method="time_request",
        created_by=actor.user_id,
        fields=FIELDS,
    )
    recorded = await record_time(
        session, actor, member, chosen, (request.start_at, request.end_at), recording
    )
    request.status = TimeRequestStatus.APPROVED
    request.updated_by = actor.user_id
    request.saved_minutes = recorded.saved_minutes
    await session.flush()
    message = messages.done("Time request approved successfully", recorded, member.user.fullname)
    webhooks.emit(session, actor.workspace, "time_request.approved", _event(request))
    if recorded.entries:
        # The approval added time as a manual entry would: announced the same way.
        webhooks.emit(
            session,
            actor.workspace,
            "time_entry.created",
            {"user_id": member.id, "time_entries": recorded.entries},
        )
    return Approved(request, recorded.saved_minutes, message)


async def reject(session: AsyncSession, actor: Actor, request_id: str, comment: str) -> TimeRequest:
    request = await _pending_for_decision(session, actor, request_id, "reject", "rejected")
    request.status = TimeRequestStatus.REJECTED
    request.comment = comment
    request.updated_by = actor.user_id
    await session.flush()
    webhooks.emit(session, actor.workspace, "time_request.rejected", _event(request))
    return request
