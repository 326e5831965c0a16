"""Request and response models of ``/contracts``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from webwork.kit.schemas import QueryScopedBody, required_value
from webwork.kit.types import (
    Hours,
    Id,
    Keyword,
    Money,
    OptionalHours,
    OptionalMoney,
    Text,
    Timestamp,
    choices,
)
from webwork.models import Contract, User
from webwork.models.statuses import ContractStatus
from webwork.projects.schemas import SCREENSHOT_MODES, ScreenshotMode

CONTRACT_STATUSES = tuple(ContractStatus)


def _contract_status(value: str) -> str:
    if value not in CONTRACT_STATUSES:
        raise ValueError("The selected status is invalid. Allowed: active, paused.")
    return value


StatusField = Annotated[
    Keyword, Field(json_schema_extra=choices(*CONTRACT_STATUSES)), AfterValidator(_contract_status)
]
_SCREENSHOTS_HELP = "One of: " + ", ".join(SCREENSHOT_MODES)


class ContractCreate(QueryScopedBody):
    project_id: Id = Field(description="A project of the workspace that is not archived")
    user_id: Id = Field(description="An active member of the workspace")
    weekly_hours_limit: OptionalHours = Field(
        None, description="Absent or null: the project's weekly_hours_limit (none if the project has none)"
    )
    screenshots: ScreenshotMode = Field("full", description=_SCREENSHOTS_HELP)
    rate: OptionalMoney = Field(None, description="Saved only if the caller may see rates")
    notes: Text | None = None


class ContractUpdate(QueryScopedBody):
    weekly_hours_limit: OptionalHours = None
    screenshots: ScreenshotMode | None = Field(None, description=_SCREENSHOTS_HELP)
    rate: OptionalMoney = None
    status: StatusField | None = Field(None, description="active or paused")
    notes: Text | None = None

    not_null = ("screenshots", "status")
    _required = field_validator(*not_null, mode="before")(required_value)


@dataclass(frozen=True)
class ContractFilters:
    """The list's query parameters, as sent."""

    project_id: int | None = None
    user_id: int | None = None
    status: str | None = None


@dataclass(frozen=True)
class ContractView:
    """A contract with the project and user columns its query joined in."""

    contract: Contract
    project_name: str
    project_is_billable: bool
    user: User


class ContractOut(BaseModel):
    model_config = ConfigDict(title="Contract")

    id: int
    user_id: int
    project_id: int
    project_name: str
    user_name: str
    notes: str | None
    weekly_hours_limit: Hours | None
    screenshots: str
    rate: Money | None = None
    currency: str
    status: str
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, view: ContractView, *, currency: str, with_rate: bool) -> ContractOut:
        """``rate`` is left unset (so omitted from the JSON) unless the caller may see it."""
        c = view.contract
        extra: dict[str, Any] = {"rate": c.rate} if with_rate else {}
        return cls(
            id=c.id,
            user_id=c.user_id,
            project_id=c.project_id,
            project_name=view.project_name,
            user_name=view.user.fullname,
            notes=c.notes,
            weekly_hours_limit=c.weekly_hours_limit,
            screenshots=c.screenshots,
            currency=currency,
            status=c.status,
            created_at=c.created_at,
            updated_at=c.updated_at,
            **extra,
        )
