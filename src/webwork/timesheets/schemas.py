from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from webwork.kit.schemas import RequestBody, required_value
from webwork.kit.types import Money, Text, Timestamp, decimal_to_number

Number = Annotated[Decimal, PlainSerializer(decimal_to_number, return_type=int | float, when_used="json")]


class TimesheetAction(RequestBody):
    """Body of submit, unsubmit, approve and reopen: only the workspace."""


class TimesheetReject(RequestBody):
    reason: Annotated[Text, Field(max_length=1000)] = Field(description="Why the timesheet is sent back")

    not_null = ("reason",)
    _required = field_validator(*not_null, mode="before")(required_value)


class DayLeave(BaseModel):
    """A day of approved leave: ``days`` (1, or 0.5 for a half day) and the ``minutes``
    of work it stands for, apart from the time tracked."""

    leave_id: str
    policy_id: str
    policy_name: str
    days: Number
    minutes: int


class DayProjectTotal(BaseModel):
    """Time of one local day on one project/contract. ``total_amount`` is left out
    (not null) for callers who may not see the member's rate. A day of approved leave
    adds an item of its own whose ``leave`` says which (and whose ``total_minutes`` is 0:
    leave is no tracked time); ``leave`` is left out of every other item."""

    project_id: int | None
    project_name: str | None
    contract_id: int | None
    total_minutes: int
    total_amount: Money | None = None
    leave: DayLeave | None = None


class TimesheetOut(BaseModel):
    model_config = ConfigDict(title="Timesheet")

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
