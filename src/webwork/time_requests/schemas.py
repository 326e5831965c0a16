from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from webwork.kit.schemas import RequestBody, required_value
from webwork.kit.types import Id, Text, Timestamp
from webwork.models import TimeRequest
from webwork.time_entries.bounds import DAY_RANGE, check_day
from webwork.time_entries.schemas import Notes


class TimeRequestCreate(RequestBody):
    user_id: Id
    contract_id: Id | None = None
    task_id: Id | None = None
    start: datetime = Field(description=f"ISO-8601 timestamp with offset, {DAY_RANGE}")
    end: datetime = Field(
        description="ISO-8601 timestamp with offset, after start, within 24 hours of it, not in the future"
    )
    activity_description: Notes | None = None
    notes: Notes | None = Field(None, description="Alias of activity_description")

    @field_validator("start", "end")
    @classmethod
    def _with_offset(cls, value: datetime, info: ValidationInfo) -> datetime:
        """A timestamp without offset would be read in some unknown zone; its UTC date
        must lie in the recordable range."""
        if value.tzinfo is None:
            raise ValueError("The timestamp must include a UTC offset (e.g. 2024-01-15T09:00:00+00:00).")
        field = info.field_name or "timestamp"
        try:
            utc = value.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"The {field} must be {DAY_RANGE}.") from None
        check_day(utc.date(), field)
        return utc

    @property
    def description(self) -> str | None:
        return self.activity_description or self.notes or None


class TimeRequestDecision(RequestBody):
    """Body of approve: only the workspace."""


class TimeRequestReject(RequestBody):
    comment: Annotated[Text, Field(max_length=1000)] = Field(description="Why the request is rejected")

    not_null = ("comment",)
    _required = field_validator(*not_null, mode="before")(required_value)


class TimeRequestOut(BaseModel):
    model_config = ConfigDict(title="TimeRequest")

    id: str
    user_id: int
    contract_id: int | None
    project_id: int | None
    task_id: int | None
    start: Timestamp
    end: Timestamp
    duration_minutes: int
    activity_description: str | None
    status: str
    comment: str | None
    updated_by: int | None
    saved_minutes: int | None = Field(description="Minutes recorded when the request was approved")
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, request: TimeRequest) -> TimeRequestOut:
        return cls(
            id=str(request.id),
            user_id=request.user_id,
            contract_id=request.contract_id,
            project_id=request.project_id,
            task_id=request.task_id,
            start=request.start_at,
            end=request.end_at,
            duration_minutes=int((request.end_at - request.start_at).total_seconds()) // 60,
            activity_description=request.activity_description,
            status=request.status,
            comment=request.comment,
            updated_by=request.updated_by,
            saved_minutes=request.saved_minutes,
            created_at=request.created_at,
            updated_at=request.updated_at,
        )
