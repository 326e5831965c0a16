from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from webwork.kit.schemas import RequestBody, required_value
from webwork.kit.types import Money, Text, Timestamp


class TimesheetAction(RequestBody):
    """Body of submit, unsubmit, approve and reopen: only the workspace."""


class TimesheetReject(RequestBody):
    reason: Annotated[Text, Field(max_length=1000)] = Field(description="Why the timesheet is sent back")

    _required = field_validator("reason", mode="before")(required_value)


class DayProjectTotal(BaseModel):
    """Time of one local day on one project/contract. ``total_amount`` is left out
    (not null) for callers who may not see the member's rate."""

    project_id: int | None
    project_name: str | None
    contract_id: int | None
    total_minutes: int
    total_amount: Money | None = None


class TimesheetOut(BaseModel):
    id: str
    status: str
    user_id: int
    member: str
    user_name: str
    user_email: str
    date_from: date
    date_to: date
    total_minutes: int
    submitted_on: Timestamp | None
    reject_reason: str | None
    daily_breakdown: dict[str, list[DayProjectTotal]]
    total_amount: Money | None = None


class TimesheetDecision(BaseModel):
    id: str
    status: str
    user_id: int
    user_name: str
    user_email: str
    date_from: date
    date_to: date
