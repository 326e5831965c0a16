"""The reports as the API shows them. A field a caller may not see (an amount without
rate permission) is left unset, so the answer leaves it out (``exclude_unset``)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from webwork.kit.types import Money, Timestamp

# {"USD": 12.5}: an amount per currency (the workspace's currency; ``currencies`` may
# leave it out).
Amounts = dict[str, Money]


class ProjectTime(BaseModel):
    project_id: int | None
    project_name: str | None
    contract_id: int | None
    total_minutes: int
    total_amount: Amounts = Field(default_factory=dict, description="Only with rate permission")


class UserDay(BaseModel):
    user_id: int
    user_name: str
    total_minutes: int
    total_amount: Amounts = Field(default_factory=dict, description="Only with rate permission")
    projects: list[ProjectTime]


class Group(BaseModel):
    """One group of ``group_by``: its key (a date ``YYYY-MM-DD`` for day, the Monday for
    week, ``YYYY-MM`` for month, an id for user/project/task/contract, null for time
    without one) and display name, its minutes, and its second-level groups."""

    group_by: str
    key: int | str | None
    name: str | None
    total_minutes: int
    total_amount: Amounts = Field(default_factory=dict, description="Only with rate permission")
    groups: list[Group] = Field(default_factory=list, description="Second level, if asked")


class TrackedHoursTotals(BaseModel):
    total_minutes: int
    total_amount: Amounts = Field(default_factory=dict, description="Only with rate permission")


class DescriptionTime(BaseModel):
    user_id: int
    user_name: str
    project_id: int | None
    project_name: str | None
    activity_description: str | None
    total_minutes: int


class TaskTotal(BaseModel):
    task_id: int | None
    task_title: str | None
    project_id: int | None
    project_name: str | None
    status: int | None
    completed_at: Timestamp | None
    assignee_ids: list[int]
    total_minutes: int


class TaskDay(BaseModel):
    task_id: int | None
    task_title: str | None
    project_id: int | None
    total_minutes: int


class UserTasks(BaseModel):
    user_id: int
    user_name: str
    total_minutes: int
    tasks_breakdown: list[TaskTotal]
    daily_breakdown: dict[date, list[TaskDay]]
