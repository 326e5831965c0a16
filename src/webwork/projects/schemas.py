"""Request and response models of ``/projects`` (field names as the hosted API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from webwork.kit.schemas import QueryScopedBody, required_value
from webwork.kit.types import (
    BlankNone,
    Flag,
    Hours,
    Icon,
    Ids,
    Integer,
    Keyword,
    Line,
    Money,
    Name,
    OptionalDate,
    OptionalHours,
    OptionalMoney,
    Text,
    Timestamp,
    choices,
    decimal_number,
    decimal_to_number,
)
from webwork.models import Project
from webwork.models.statuses import ProjectStatus

# A project's ``status``: 1 active, 0 archived (archived projects take no new time).
ACTIVE, ARCHIVED = ProjectStatus.ACTIVE.value, ProjectStatus.ARCHIVED.value

SCREENSHOT_MODES = (
    "full",
    "blurred",
    "no_preview",
    "no_screenshot",
    "background_blurred",
    "video_full",
    "video_blurred",
    "video_full_silent",
    "video_blurred_silent",
)


def _screenshot_mode(value: str) -> str:
    if value not in SCREENSHOT_MODES:
        raise ValueError("The selected screenshots is invalid. Allowed: " + ", ".join(SCREENSHOT_MODES) + ".")
    return value


# Shared with contracts: the nine capture modes of the hosted tracker.
ScreenshotMode = Annotated[
    Keyword, Field(json_schema_extra=choices(*SCREENSHOT_MODES)), AfterValidator(_screenshot_mode)
]

# A project's total estimate may exceed a week (Hours caps at 168); the column is NUMERIC(10,2).
EstimatedHours = Annotated[
    Decimal,
    Field(max_digits=10, decimal_places=2, ge=0),
    decimal_number(10, 2),
    PlainSerializer(decimal_to_number, return_type=int | float, when_used="json"),
]


OptionalEstimate = Annotated[EstimatedHours | None, BlankNone]
OptionalIcon = Annotated[Icon | None, BlankNone]
Tags = Annotated[list[Annotated[Line, Field(max_length=100)]], Field(max_length=100)]


def _status_code(value: int) -> int:
    if value not in (ACTIVE, ARCHIVED):
        raise ValueError("The selected status is invalid.")
    return value


WEEKLY_LIMIT_HELP = (
    "Weekly hours limit that contracts created on the project get when their request gives none"
)


class ProjectCreate(QueryScopedBody):
    name: Name
    start_date: OptionalDate = None
    deadline: OptionalDate = None
    estimation: OptionalEstimate = Field(None, description="Estimated hours")
    budget: OptionalMoney = Field(None, description="Budget; returned as budget_estimation")
    notes: Text | None = None
    icon: OptionalIcon = None
    is_billable: Flag = True
    rate: OptionalMoney = None
    weekly_hours_limit: OptionalHours = Field(None, description=WEEKLY_LIMIT_HELP)
    screenshots: ScreenshotMode = Field("full", description="One of: " + ", ".join(SCREENSHOT_MODES))
    tags: Tags = Field(default_factory=list)
    manager_ids: Ids = Field(default_factory=list, description="Active members managing the project")


class ProjectUpdate(QueryScopedBody):
    name: Name | None = None
    start_date: OptionalDate = None
    deadline: OptionalDate = None
    estimation: OptionalEstimate = None
    budget: OptionalMoney = None
    notes: Text | None = None
    icon: OptionalIcon = None
    is_billable: Flag | None = None
    rate: OptionalMoney = None
    weekly_hours_limit: OptionalHours = Field(None, description=WEEKLY_LIMIT_HELP)
    screenshots: ScreenshotMode | None = None
    tags: Tags | None = None
    manager_ids: Ids | None = None
    status: Annotated[Integer, AfterValidator(_status_code)] | None = Field(
        None, description="1 restores an archived project, 0 archives it (owners and executive managers)"
    )

    not_null = ("name", "is_billable", "screenshots", "tags", "manager_ids", "status")
    _required = field_validator(*not_null, mode="before")(required_value)


@dataclass(frozen=True)
class ProjectFilters:
    """The list's query parameters, as sent."""

    name: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class ProjectView:
    """A project with what its list query computed beside it."""

    project: Project
    contracts_count: int
    manager_ids: list[int]


class ProjectOut(BaseModel):
    model_config = ConfigDict(title="Project")

    id: int
    name: str
    owner_id: int
    start_date: date | None
    deadline: date | None
    estimation: EstimatedHours | None
    budget_estimation: Money | None
    notes: str | None
    icon: str | None
    is_billable: bool
    rate: Money | None = None
    weekly_hours_limit: Hours | None
    screenshots: str
    tags: list[str]
    contracts_count: int
    status: int
    manager_ids: list[int]
    created_at: Timestamp
    updated_at: Timestamp
    deleted_at: Timestamp | None

    @classmethod
    def of(cls, view: ProjectView, *, with_rate: bool) -> ProjectOut:
        """``rate`` is left unset (so omitted from the JSON) for callers who may not see rates."""
        p = view.project
        extra: dict[str, Any] = {"rate": p.rate} if with_rate else {}
        return cls(
            id=p.id,
            name=p.name,
            owner_id=p.owner_id,
            start_date=p.start_date,
            deadline=p.deadline,
            estimation=p.estimation,
            budget_estimation=p.budget,
            notes=p.notes,
            icon=p.icon,
            is_billable=p.is_billable,
            weekly_hours_limit=p.weekly_hours_limit,
            screenshots=p.screenshots,
            tags=[str(t) for t in p.tags or []],
            contracts_count=view.contracts_count,
            status=p.status,
            manager_ids=view.manager_ids,
            created_at=p.created_at,
            updated_at=p.updated_at,
            deleted_at=p.deleted_at,
            **extra,
        )
