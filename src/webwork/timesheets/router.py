"""`/timesheets`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.deps import ActorDep, SessionDep
from webwork.auth.principal import Actor
from webwork.kit.envelope import Envelope, respond
from webwork.kit.pagination import PageDep
from webwork.kit.types import OptionalDate
from webwork.timesheets import service
from webwork.timesheets.schemas import TimesheetAction, TimesheetDecision, TimesheetOut, TimesheetReject

router = APIRouter(prefix="/timesheets", tags=["Timesheets"])


def id_salt(request: Request) -> str:
    return str(request.app.state.settings.id_salt)


SaltDep = Annotated[str, Depends(id_salt)]


@router.get("", response_model=Envelope[list[TimesheetOut]])
async def list_timesheets(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    salt: SaltDep,
    id: Annotated[str | None, Query(description="A timesheet id")] = None,
    status: Annotated[
        str | None, Query(description='open | submitted ("pending") | rejected | approved')
    ] = None,
    date_from: Annotated[
        OptionalDate, Query(description="First day (inclusive); default: the current period")
    ] = None,
    date_to: Annotated[OptionalDate, Query(description="Last day (inclusive)")] = None,
    user_id: Annotated[int | None, Query()] = None,
    order_by: Annotated[
        str | None, Query(description="asc | desc (default) by period start, then member")
    ] = None,
) -> JSONResponse:
    query = service.ListQuery(
        id=id, status=status, date_from=date_from, date_to=date_to, user_id=user_id, order_by=order_by
    )
    result = await service.list_timesheets(session, actor, query, page, salt)
    return respond(result.items, "Timesheets retrieved successfully", pagination=result.pagination)


async def _act(
    session: AsyncSession, actor: Actor, timesheet_id: str, action: str, salt: str, reason: str | None = None
) -> JSONResponse:
    decided = await service.transition(session, actor, timesheet_id, action, salt, reason)
    return respond(decided.data, decided.message)


Action = Annotated[TimesheetAction | None, Body()]


@router.put("/{timesheet_id}/submit", response_model=Envelope[TimesheetDecision])
async def submit_timesheet(
    timesheet_id: str, actor: ActorDep, session: SessionDep, salt: SaltDep, body: Action = None
) -> JSONResponse:
    return await _act(session, actor, timesheet_id, "submit", salt)


@router.put("/{timesheet_id}/unsubmit", response_model=Envelope[TimesheetDecision])
async def unsubmit_timesheet(
    timesheet_id: str, actor: ActorDep, session: SessionDep, salt: SaltDep, body: Action = None
) -> JSONResponse:
    return await _act(session, actor, timesheet_id, "unsubmit", salt)


@router.put("/{timesheet_id}/approve", response_model=Envelope[TimesheetDecision])
async def approve_timesheet(
    timesheet_id: str, actor: ActorDep, session: SessionDep, salt: SaltDep, body: Action = None
) -> JSONResponse:
    return await _act(session, actor, timesheet_id, "approve", salt)


@router.put("/{timesheet_id}/reject", response_model=Envelope[TimesheetDecision])
async def reject_timesheet(
    timesheet_id: str, actor: ActorDep, session: SessionDep, salt: SaltDep, body: TimesheetReject
) -> JSONResponse:
    return await _act(session, actor, timesheet_id, "reject", salt, body.reason)


@router.put(
    "/{timesheet_id}/reopen",
    response_model=Envelope[TimesheetDecision],
    summary="Reopen an approved timesheet (owner/executive manager), unlocking its time",
)
async def reopen_timesheet(
    timesheet_id: str, actor: ActorDep, session: SessionDep, salt: SaltDep, body: Action = None
) -> JSONResponse:
    return await _act(session, actor, timesheet_id, "reopen", salt)
