"""`/time-tracking`: start and stop live timers, read the running one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, SessionDep
from webwork.kit.envelope import Envelope, respond
from webwork.tracking import service
from webwork.tracking.schemas import CurrentData, TimerOut, TimerStart, TimerStop, TimerStopped

router = APIRouter(prefix="/time-tracking", tags=["Time Tracking"])


@router.post("/start", response_model=Envelope[TimerOut])
async def start_tracking(actor: ActorDep, session: SessionDep, body: TimerStart) -> JSONResponse:
    """409 ``timer_running`` (with the running timer in ``data``) when one already runs."""
    timer = await service.start(session, actor, body)
    return respond(timer.out(), timer.started_message())


@router.post("/stop", response_model=Envelope[TimerStopped])
async def stop_tracking(actor: ActorDep, session: SessionDep, body: TimerStop) -> JSONResponse:
    """``saved_minutes`` may be less than ``duration_minutes``: overlapping time and
    time beyond the weekly limits are not saved (the message says why)."""
    stopped = await service.stop(session, actor, body)
    data = TimerStopped(
        **stopped.timer.out().model_dump(),
        end_time=stopped.end,
        duration_minutes=stopped.elapsed_minutes,
        saved_minutes=stopped.saved_minutes,
        time_entry_ids=[str(e.id) for e in stopped.recorded.entries] if stopped.recorded else [],
    )
    return respond(data, stopped.message(), extra={"saved_minutes": stopped.saved_minutes})


@router.get("/current-data", response_model=Envelope[CurrentData | None])
async def current_data(
    actor: ActorDep,
    session: SessionDep,
    user_id: Annotated[int | None, Query(description="ID of the member (default: the caller)")] = None,
) -> JSONResponse:
    data = await service.current(session, actor, user_id)
    return respond(data, "Current tracker data retrieved successfully")
