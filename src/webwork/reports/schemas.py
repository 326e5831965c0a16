"""The reports as the API shows them. A field a caller may not see (an amount without
rate permission) is left unset, so the answer leaves it out (``exclude_unset``)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, RootModel

from webwork.kit.envelope import Envelope
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


class TrackedHoursByDay(RootModel[dict[str, list[UserDay]]]):
    """The tracked-hours report without ``group_by``: each day's members and their time."""


class TrackedHours(Envelope[TrackedHoursByDay | list[Group]]):
    """By day (``YYYY-MM-DD`` -> members), or the groups of ``group_by``."""


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
    estimated_minutes: int | None = Field(description="Ours: the task's estimation, in minutes")
    estimate_percent: float | None = Field(
        description="Ours: total_minutes as a percentage of estimated_minutes (one decimal)"
    )


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


class Named(BaseModel):
    model_config = ConfigDict(title="TimelineProject")

    id: int
    name: str | None


class Titled(BaseModel):
    model_config = ConfigDict(title="TimelineTask")

    id: int
    title: str | None


class TimelineEntry(BaseModel):
    """One entry's part on the day: ``start`` and ``end`` in the member's UTC offset,
    cut at the day's local midnights (``clipped``: the entry goes on beyond them)."""

    id: str
    start: str
    end: str
    minutes: int
    clipped: bool
    project: Named | None
    task: Titled | None
    activity_description: str | None
    tracking_method: str
    activity_level: int | None
    amount: Money | None = Field(default=None, description="Only with rate permission")
    currency: str | None = Field(default=None, description="Only with rate permission")


class IdleGap(BaseModel):
    start: str
    end: str
    minutes: int


class UserTimeline(BaseModel):
    user_id: int
    user_name: str
    timezone: str
    total_minutes: int
    activity_level: float | None = Field(description="Weighted by seconds over entries that have one")
    entries: list[TimelineEntry]
    idle: list[IdleGap]


class UserAttendance(BaseModel):
    user_id: int
    user_name: str
    timezone: str
    statuses: list[str]
    is_work_day: bool
    work_start: str
    work_end: str
    grace_minutes: int
    scheduled_minutes: int
    tracked_minutes: int
    late_minutes: int
    left_early_minutes: int
    break_minutes: int
    first_start: str | None = Field(description="HH:mm local")
    last_end: str | None = Field(description="HH:mm local")
    breaks: list[str] = Field(description='Gaps within the working day, "14:30 - 15:25"')
    productivity: float | None = Field(
        description="tracked / scheduled minutes, percent (null: none scheduled)"
    )
    activity_level: float | None


class ActivityDayLevel(BaseModel):
    date: date
    tracked_minutes: int
    manual_minutes: int = Field(description="Minutes without an activity level")
    activity_level: float | None = Field(description="Percent, weighted by seconds; null: none measured")


class ActivityStats(BaseModel):
    tracked_minutes: int
    manual_minutes: int
    activity_level: float | None


class UserActivity(BaseModel):
    user_id: int
    user_name: str
    overall: ActivityStats
    days: list[ActivityDayLevel]
