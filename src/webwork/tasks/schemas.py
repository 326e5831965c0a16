"""Request and response shapes of `/tasks` (field names exactly as the hosted API's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from webwork.kit.schemas import SCOPE, QueryOrBodyId, RequestBody
from webwork.kit.types import (
    NAME_PATTERN,
    BlankNone,
    Ids,
    Integer,
    Line,
    OptionalDate,
    OptionalId,
    Text,
    Timestamp,
    choices,
)
from webwork.models import Task, User
from webwork.projects.schemas import EstimatedHours, OptionalEstimate

# Base statuses with the hosted API's names and colors; other codes are custom ones a
# workspace configured there, which filters accept and we show as "Custom".
STATUS_NAMES = {0: "Open", 10: "In Progress", 20: "Done", 30: "Closed"}
STATUS_COLORS = {0: "#9E9E9E", 10: "#FFC107", 20: "#4CAF50", 30: "#607D8B"}
CUSTOM_STATUS_NAME = "Custom"
PRIORITY_NAMES = {10: "Urgent", 20: "High", 30: "Normal", 40: "Low"}


STATUS_INVALID = "The selected status is invalid (0 Open, 10 In Progress, 20 Done, 30 Closed)."
PRIORITY_INVALID = "The selected priority is invalid (10 Urgent, 20 High, 30 Normal, 40 Low)."


def _check_status(value: int | None) -> int | None:
    if value is not None and value not in STATUS_NAMES:
        raise ValueError(STATUS_INVALID)
    return value


def _check_priority(value: int | None) -> int | None:
    if value is not None and value not in PRIORITY_NAMES:
        raise ValueError(PRIORITY_INVALID)
    return value


def _null_to_blank(value: object) -> object:
    """A null title reads as a missing one (Laravel's "required" covers both)."""
    return "" if value is None else value


# A title, when given, says something (null and blank are refused as missing).
TITLE_SCHEMA = WithJsonSchema(
    {"type": "string", "maxLength": 255, "pattern": NAME_PATTERN}, mode="validation"
)


def _check_title(value: str | None) -> str:
    if not value:
        raise ValueError("The title field is required.")
    return value


BaseStatus = Annotated[
    Annotated[Integer, Field(json_schema_extra=choices(*STATUS_NAMES))] | None,
    BlankNone,
    AfterValidator(_check_status),
]
Priority = Annotated[
    Annotated[Integer, Field(json_schema_extra=choices(*PRIORITY_NAMES))] | None,
    BlankNone,
    AfterValidator(_check_priority),
]


class TaskWrite(RequestBody):
    """Fields shared by create and update."""

    project_id: OptionalId = Field(None, description="ID of the project")
    description: Text | None = Field(None, description="Task description")
    status: BaseStatus = Field(None, description="0 = Open, 10 = In Progress, 20 = Done, 30 = Closed")
    priority: Priority = Field(None, description="10 = Urgent, 20 = High, 30 = Normal, 40 = Low")
    start_date: OptionalDate = None
    end_date: OptionalDate = Field(None, description="Must be after or equal to start_date")
    parent_id: OptionalId = Field(None, description="ID of the parent task (same project)")
    estimation: OptionalEstimate = Field(None, description="Ours: estimated hours")


class TaskCreate(TaskWrite):
    contract_id: OptionalId = Field(None, description="Alternative to project_id: the contract's project")
    title: Annotated[Line, BeforeValidator(_null_to_blank), AfterValidator(_check_title), TITLE_SCHEMA]
    assignees: Ids = Field(default_factory=list, description="User ids; each needs a contract")


class TaskUpdate(TaskWrite):
    needed = (SCOPE, "project_id")

    title: Annotated[Line | None, AfterValidator(_check_title), TITLE_SCHEMA] = None


class TaskScope(RequestBody):
    """Body of DELETE and of the assign/unassign actions."""

    needed = (SCOPE, "project_id")

    project_id: QueryOrBodyId = Field(None, description="ID of the task's project")


@dataclass(frozen=True)
class TaskFilters:
    """The list's query parameters, as sent."""

    project_id: int | None = None
    contract_id: int | None = None
    status: int | None = None
    priority: int | None = None
    parent_id: int | None = None
    order_by: str | None = None
    order: str | None = None


@dataclass(frozen=True)
class TaskView:
    """A task with its assignees, in assignment order."""

    task: Task
    assignees: list[User]


class AssigneeOut(BaseModel):
    model_config = ConfigDict(title="Assignee")

    id: int = Field(description="The user id")
    user_id: int
    firstname: str
    lastname: str
    fullname: str
    email: str

    @classmethod
    def of(cls, user: User) -> AssigneeOut:
        return cls(
            id=user.id,
            user_id=user.id,
            firstname=user.firstname,
            lastname=user.lastname,
            fullname=user.fullname,
            email=user.email,
        )


class AssignmentOut(BaseModel):
    model_config = ConfigDict(title="Assignment")

    id: int = Field(description="The assignment's id")
    user_id: int
    task_id: int


class TaskOut(BaseModel):
    model_config = ConfigDict(title="Task")

    id: int
    title: str
    description: str | None
    project_id: int
    owner_id: int
    creator_id: int
    status: int
    status_name: str
    status_color: str | None
    priority: int | None
    priority_name: str | None
    start_date: date | None
    end_date: date | None
    completed_at: Timestamp | None
    estimation: EstimatedHours | None
    assignees: list[AssigneeOut]
    parent_id: int | None
    created_at: Timestamp
    updated_at: Timestamp
    deleted_at: Timestamp | None

    @classmethod
    def of(cls, view: TaskView) -> TaskOut:
        task = view.task
        return cls(
            id=task.id,
            title=task.title,
            description=task.description,
            project_id=task.project_id,
            owner_id=task.owner_id,
            creator_id=task.creator_id,
            status=task.status,
            status_name=STATUS_NAMES.get(task.status, CUSTOM_STATUS_NAME),
            status_color=STATUS_COLORS.get(task.status),
            priority=task.priority,
            priority_name=PRIORITY_NAMES.get(task.priority) if task.priority is not None else None,
            start_date=task.start_date,
            end_date=task.end_date,
            completed_at=task.completed_at,
            estimation=task.estimation,
            assignees=[AssigneeOut.of(user) for user in view.assignees],
            parent_id=task.parent_id,
            created_at=task.created_at,
            updated_at=task.updated_at,
            deleted_at=task.deleted_at,
        )
