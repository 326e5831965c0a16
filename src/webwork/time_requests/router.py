"""`/time-requests`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, SessionDep
from webwork.kit.envelope import Envelope, respond
from webwork.kit.pagination import PageDep
from webwork.time_requests import service
from webwork.time_requests.schemas import (
    TimeRequestCreate,
    TimeRequestDecision,
    TimeRequestOut,
    TimeRequestReject,
)

router = APIRouter(prefix="/time-requests", tags=["Time Requests"])


@router.get("", response_model=Envelope[list[TimeRequestOut]])
async def list_time_requests(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    date_from: Annotated[date, Query(description="First UTC date of the requests' start (inclusive)")],
    date_to: Annotated[date, Query(description="Last UTC date of the requests' start (inclusive)")],
    status: Annotated[str | None, Query(description="pending | approved | rejected")] = None,
    user_id: Annotated[int | None, Query()] = None,
) -> JSONResponse:
    result = await service.list_requests(
        session, actor, page, date_from=date_from, date_to=date_to, status=status, user_id=user_id
    )
    items = [TimeRequestOut.of(r) for r in result.items]
    return respond(items, "Time requests retrieved successfully", pagination=result.pagination)


@router.get("/{request_id}", response_model=Envelope[TimeRequestOut])
async def get_time_request(request_id: str, actor: ActorDep, session: SessionDep) -> JSONResponse:
    request = await service.get(session, actor, request_id)
    return respond(TimeRequestOut.of(request), "Time request retrieved successfully")


@router.post("", status_code=201, response_model=Envelope[TimeRequestOut])
async def create_time_request(body: TimeRequestCreate, actor: ActorDep, session: SessionDep) -> JSONResponse:
    request = await service.create(session, actor, body)
    return respond(TimeRequestOut.of(request), "Time request created successfully", status_code=201)


@router.post("/{request_id}/approve", response_model=Envelope[TimeRequestOut])
async def approve_time_request(
    request_id: str,
    actor: ActorDep,
    session: SessionDep,
    body: Annotated[TimeRequestDecision | None, Body()] = None,
) -> JSONResponse:
    approved = await service.approve(session, actor, request_id)
    return respond(
        TimeRequestOut.of(approved.request),
        approved.message,
        extra={"saved_minutes": approved.saved_minutes},
    )


@router.post("/{request_id}/reject", response_model=Envelope[TimeRequestOut])
async def reject_time_request(
    request_id: str, body: TimeRequestReject, actor: ActorDep, session: SessionDep
) -> JSONResponse:
    request = await service.reject(session, actor, request_id, body.comment)
    return respond(TimeRequestOut.of(request), "Time request rejected successfully")
