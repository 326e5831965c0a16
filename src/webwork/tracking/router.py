"""`/time-tracking`: start and stop live timers, read the running one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, SessionDep
from webwork.kit.envelope import Envelope, respond
from webwork.kit.types import Id
from webwork.tracking import service
from webwork.tracking.schemas import CurrentTracker, TimerOut, TimerStart, TimerStop, TimerStopped

router = APIRouter(prefix="/time-tracking", tags=["Time Tracking"])


@router.post(
    "/start", response_model=Envelope[TimerOut], operation_id="startTracking", summary="Start a timer"
)
async def start_tracking(actor: ActorDep, session: SessionDep, body: TimerStart) -> JSONResponse:
    """Start a live timer for a member (the caller by default; owners and executive
    managers may name anyone active, only the owner the owner) on a contract and task,
    or without a project. One
    timer runs per person per workspace: a second start is a 409 ``timer_running`` with
    the running timer in ``data``. The message names the user, time, project, task and
    activity, ready to post to a chat."""
    timer = await service.start(session, actor, body)
    return respond(timer.out(), timer.started_message())


@router.post(
    "/stop",
    response_model=Envelope[TimerStopped],
    operation_id="stopTracking",
    summary="Stop the running timer and save its time",
)
async def stop_tracking(actor: ActorDep, session: SessionDep, body: TimerStop) -> JSONResponse:
    """Stop a member's running timer and save its time as manual time is saved:
    ``saved_minutes`` may be less than ``duration_minutes``, since time overlapping other
    entries, time beyond the weekly limits and time past the first 24 hours is not saved
    (the message says why). A stop inside an approved timesheet's period is a 409. A
    desktop client sends the ``activity_level`` (0..100) it measured; every entry saved
    keeps it."""
    stopped = await service.stop(session, actor, body)
    data = TimerStopped(
        **stopped.timer.out().model_dump(),
        end_time=stopped.end,
        duration_minutes=stopped.elapsed_minutes,
        saved_minutes=stopped.saved_minutes,
        activity_level=body.activity_level,
        time_entry_ids=[str(e.id) for e in stopped.recorded.entries] if stopped.recorded else [],
    )
    return respond(data, stopped.message(), extra={"saved_minutes": stopped.saved_minutes})


@router.get(
    "/current-data",
    response_model=CurrentTracker,
    operation_id="getCurrentTrackerData",
    summary="Get the running timer and today's tracked minutes",
)
async def current_data(
    actor: ActorDep,
    session: SessionDep,
    user_id: Annotated[Id | None, Query(description="ID of the member (default: the caller)")] = None,
) -> JSONResponse:
    """The member's running timer in this workspace (``data`` is null when none runs):
    the seconds part of its elapsed time and the minutes tracked on the member's
    current local day, the running timer included. Managers read the members they
    manage; members read their own."""
    data = await service.current(session, actor, user_id)
    return respond(data, "Current tracker data retrieved successfully")
