"""Request and response shapes of ``/time-entries``, with the hosted API's field names."""

from __future__ import annotations

import datetime as dt
import re
from datetime import time
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
)

from webwork.kit.schemas import RequestBody
from webwork.kit.types import CLOCK_PATTERN, CLOCK_SCHEMA, ActivityLevel, Day, Id, Text, ZuluTimestamp
from webwork.time_entries.bounds import DAY_RANGE

_HHMM = re.compile(CLOCK_PATTERN)


def parse_hhmm(value: object, info: ValidationInfo) -> object:
    """Wall-clock times travel as "HH:mm" (24 h); a ``time`` passes through."""
    if value is None or isinstance(value, time):
        return value
    match = _HHMM.match(str(value).strip())
    if match is None:
        field = (info.field_name or "time").replace("_", " ")
        raise ValueError(f"The {field} field must match the format HH:mm.")
    return time(int(match.group(1)), int(match.group(2)))


WallTime = Annotated[
    time,
    BeforeValidator(parse_hhmm),
    CLOCK_SCHEMA,
]
LocalDay = Annotated[Day, Field(description=f"Y-m-d, the member's local date, {DAY_RANGE}")]
Notes = Annotated[Text, Field(max_length=500)]


class TimeEntryCreate(RequestBody):
    user_id: Id
    contract_id: Id | None = None
    task_id: Id | None = None
    notes: Notes | None = None
    activity_description: Notes | None = Field(None, description="Accepted as a synonym of notes")
    date: LocalDay
    start_time: WallTime = Field(description="HH:mm in the member's timezone")
    end_time: WallTime = Field(description="HH:mm in the member's timezone, after start_time")
    activity_level: ActivityLevel | None = None


class TimeEntryUpdate(RequestBody):
    project_id: Id | None = None
    task_id: Id | None = None
    notes: Notes | None = None
    activity_description: Notes | None = Field(None, description="Accepted as a synonym of notes")
    date: LocalDay | None = None
    start_time: WallTime | None = None
    end_time: WallTime | None = None
    activity_level: ActivityLevel | None = Field(None, description="null clears it")


class TimeEntryDelete(RequestBody):
    pass


class AssignedTime(BaseModel):
    """What recorded time is on, as every answer about an entry or a timer names it."""

    contract_id: int | None
    project_id: int | None
    project_name: str | None
    task_id: int | None
    task_title: str | None
    activity_description: str | None


class _Owner(BaseModel):
    user_id: int


class TimeEntryOut(AssignedTime, _Owner):
    """``user_id``, then what the time is on, then when."""

    method: str
    date: dt.date
    start_time: ZuluTimestamp
    end_time: ZuluTimestamp
    duration_minutes: int
    activity_level: int | None = Field(description="0..100 as the desktop client measured it; null: unknown")


class TimeEntryCreated(TimeEntryOut):
    time_entry_ids: list[str] = Field(description="Ids of the saved entries (several if overlaps split it)")


class _EntryId(BaseModel):
    id: str = Field(description="Opaque UUID of the entry, as PUT and DELETE take it")


class TimeEntryItem(TimeEntryOut, _EntryId):
    """A listed entry: ``id`` first, then the create response's fields."""

    model_config = ConfigDict(title="TimeEntry")
