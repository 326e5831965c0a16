"""`/timesheets`: members' periods with their time, and the decisions on them."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.deps import ActorDep, SessionDep
from webwork.auth.principal import Actor
from webwork.kit.db import LONG_READS
from webwork.kit.envelope import Envelope, respond
from webwork.kit.pagination import PageDep
from webwork.kit.types import BlankNone, Id, Keyword, OptionalDate, choices
from webwork.timesheets import service
from webwork.timesheets.schemas import TimesheetAction, TimesheetDecision, TimesheetOut, TimesheetReject

# What ``status`` takes: the statuses, and the hosted API's names for them.
STATUS_CHOICES = (*(str(status) for status in service.STATUSES), *service.STATUS_ALIASES)

router = APIRouter(prefix="/timesheets", tags=["Timesheets"])


async def id_salt(request: Request) -> str:
    return str(request.app.state.settings.id_salt)


SaltDep = Annotated[str, Depends(id_salt)]


@router.get(
    "",
    response_model=Envelope[list[TimesheetOut]],
    operation_id="getTimesheets",
    summary="List timesheets",
    # A page sums up to 100 members' periods of time.
    dependencies=[LONG_READS],
)
async def get_timesheets(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    salt: SaltDep,
    id: Annotated[Keyword | None, Query(description="A timesheet id")] = None,
    status: Annotated[
        Annotated[Keyword, Field(json_schema_extra=choices(*STATUS_CHOICES))] | None,
        BlankNone,
        Query(description='open | submitted ("pending") | rejected | approved'),
    ] = None,
    date_from: Annotated[
        OptionalDate, Query(description="First day (inclusive); default: the current period")
    ] = None,
    date_to: Annotated[OptionalDate, Query(description="Last day (inclusive)")] = None,
    user_id: Annotated[Id | None, Query()] = None,
    order_by: Annotated[
        Keyword | None,
        Query(
            description="asc | desc (default) by period start, then member",
            json_schema_extra=choices("asc", "desc", blank=True),
        ),
    ] = None,
) -> JSONResponse:
    """The periods of the members the caller may see that share a day with
    ``date_from``..``date_to``, with their time per local day and project, computed from
    the time entries (an approved period shows the total fixed at approval). Amounts
    appear only to callers who may see the member's rate."""
    query = service.ListQuery(
        id=id, status=status, date_from=date_from, date_to=date_to, user_id=user_id, order_by=order_by
    )
    result = await service.list_page(session, actor, query, page, salt)
    return respond(result.items, "Timesheets retrieved successfully", pagination=result.pagination)


Transition = Callable[[AsyncSession, Actor, str, str], Awaitable[service.Decided]]


def _transition_route(action: str, transition: Transition, operation_id: str, summary: str) -> None:
    """``PUT /timesheets/{timesheet_id}/<action>``, whose body names only the workspace;
    the description is the service function's docstring."""

    async def route(
        timesheet_id: str,
        actor: ActorDep,
        session: SessionDep,
        salt: SaltDep,
        body: Annotated[TimesheetAction | None, Body()] = None,
    ) -> JSONResponse:
        decided = await transition(session, actor, timesheet_id, salt)
        return respond(decided.data, decided.message)

    router.put(
        f"/{{timesheet_id}}/{action}",
        response_model=Envelope[TimesheetDecision],
        operation_id=operation_id,
        summary=summary,
        description=inspect.cleandoc(transition.__doc__ or ""),
    )(route)


_transition_route("submit", service.submit, "submitTimesheet", "Submit a timesheet")
_transition_route("unsubmit", service.unsubmit, "unsubmitTimesheet", "Take a submitted timesheet back")
_transition_route("approve", service.approve, "approveTimesheet", "Approve a timesheet")


@router.put(
    "/{timesheet_id}/reject",
    response_model=Envelope[TimesheetDecision],
    operation_id="rejectTimesheet",
    summary="Reject a timesheet",
)
async def reject_timesheet(
    timesheet_id: str, actor: ActorDep, session: SessionDep, salt: SaltDep, body: TimesheetReject
) -> JSONResponse:
    """Send a submitted period back to its member with a ``reason``."""
    decided = await service.reject(session, actor, timesheet_id, salt, body.reason)
    return respond(decided.data, decided.message)


_transition_route(
    "reopen", service.reopen, "reopenTimesheet", "Reopen an approved timesheet, unlocking its time"
)
