"""`/time-requests`: manual time members ask for, and managers' decisions on it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, SessionDep
from webwork.kit.envelope import Envelope, respond
from webwork.kit.pagination import PageDep
from webwork.kit.types import Day, Id, Keyword, choices
from webwork.time_requests import service
from webwork.time_requests.schemas import (
    TimeRequestCreate,
    TimeRequestDecision,
    TimeRequestOut,
    TimeRequestReject,
)

router = APIRouter(prefix="/time-requests", tags=["Time Requests"])


@router.get(
    "",
    response_model=Envelope[list[TimeRequestOut]],
    operation_id="getTimeRequests",
    summary="List time requests",
)
async def get_time_requests(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    date_from: Annotated[Day, Query(description="First UTC date of the requests' start (inclusive)")],
    date_to: Annotated[Day, Query(description="Last UTC date of the requests' start (inclusive)")],
    status: Annotated[
        Keyword | None,
        Query(description="pending | approved | rejected", json_schema_extra=choices(*service.STATUSES)),
    ] = None,
    user_id: Annotated[Id | None, Query()] = None,
) -> JSONResponse:
    """The requests the caller may see (everyone's for owners and executive managers,
    their members' for managers, their own for members) whose start falls on
    ``date_from``..``date_to`` as UTC dates, newest first and paginated."""
    result = await service.list_page(
        session, actor, page, date_from=date_from, date_to=date_to, status=status, user_id=user_id
    )
    items = [TimeRequestOut.of(r) for r in result.items]
    return respond(items, "Time requests retrieved successfully", pagination=result.pagination)


@router.get(
    "/{request_id}",
    response_model=Envelope[TimeRequestOut],
    operation_id="getTimeRequest",
    summary="Get a time request",
)
async def get_time_request(request_id: str, actor: ActorDep, session: SessionDep) -> JSONResponse:
    """One request the caller may see, by its UUID."""
    request = await service.get(session, actor, request_id)
    return respond(TimeRequestOut.of(request), "Time request retrieved successfully")


@router.post(
    "",
    status_code=201,
    response_model=Envelope[TimeRequestOut],
    operation_id="createTimeRequest",
    summary="Ask for manual time",
)
async def create_time_request(body: TimeRequestCreate, actor: ActorDep, session: SessionDep) -> JSONResponse:
    """Ask for ``start``..``end`` to be recorded for a member (members for themselves,
    owners and executive managers for anyone active, only the owner for the owner), on
    a contract and task the member
    may use now. Nothing is recorded until the request is approved."""
    request = await service.create(session, actor, body)
    return respond(TimeRequestOut.of(request), "Time request created successfully", status_code=201)


@router.post(
    "/{request_id}/approve",
    response_model=Envelope[TimeRequestOut],
    operation_id="approveTimeRequest",
    summary="Approve a time request and record its time",
)
async def approve_time_request(
    request_id: str,
    actor: ActorDep,
    session: SessionDep,
    body: Annotated[TimeRequestDecision | None, Body()] = None,
) -> JSONResponse:
    """Record a pending request's time as manual time is recorded: time overlapping the
    member's other entries or beyond the weekly limits is not saved (``saved_minutes``
    and the message say so; 422 when nothing can be), and a period locked by an
    approved timesheet refuses it (409)."""
    approved = await service.approve(session, actor, request_id)
    data = TimeRequestOut.of(approved.request)
    return respond(data, approved.message, extra={"saved_minutes": approved.saved_minutes})


@router.post(
    "/{request_id}/reject",
    response_model=Envelope[TimeRequestOut],
    operation_id="rejectTimeRequest",
    summary="Reject a time request",
)
async def reject_time_request(
    request_id: str, body: TimeRequestReject, actor: ActorDep, session: SessionDep
) -> JSONResponse:
    """Turn down a pending request with a ``comment`` saying why; nothing is recorded."""
    request = await service.reject(session, actor, request_id, body.comment)
    return respond(TimeRequestOut.of(request), "Time request rejected successfully")
