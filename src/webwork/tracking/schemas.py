"""Request and response shapes of ``/time-tracking``."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from webwork.kit.envelope import Envelope
from webwork.kit.schemas import RequestBody
from webwork.kit.types import ActivityLevel, Id, ZuluTimestamp
from webwork.time_entries.schemas import AssignedTime, Notes


class TimerStart(RequestBody):
    user_id: Id | None = Field(None, description="The member whose timer starts (default: the caller)")
    contract_id: Id | None = None
    task_id: Id | None = None
    activity_description: Notes | None = None


class TimerStop(RequestBody):
    user_id: Id | None = Field(None, description="The member whose timer stops (default: the caller)")
    activity_level: ActivityLevel | None = Field(
        None, description="How active the member was while it ran (0..100), stored on every entry saved"
    )


class _TimerHead(BaseModel):
    start_time: ZuluTimestamp
    user_id: int
    user_name: str
    user_email: str


class TimerOut(AssignedTime, _TimerHead):
    """When and whose, then what the time is on."""

    model_config = ConfigDict(title="Timer")


class TimerStopped(TimerOut):
    model_config = ConfigDict(title="TimerStopped")

    end_time: ZuluTimestamp
    duration_minutes: int = Field(description="Minutes the timer ran")
    saved_minutes: int = Field(description="Minutes saved after overlaps and weekly limits")
    activity_level: int | None = Field(description="As sent with the stop; null when none was")
    time_entry_ids: list[str]


class CurrentData(BaseModel):
    contract_id: int | None
    user_id: int
    activity_description: str | None
    task_id: int | None
    task_title: str | None
    total_seconds: int = Field(description="Seconds part (0..59) of the running timer's elapsed time")
    total_minutes: int = Field(
        description="Minutes tracked on the member's current day, running timer included"
    )
    date: dt.date


class CurrentTracker(Envelope[CurrentData | None]):
    """The answer of current-data: ``data`` is null while no timer runs."""
