"""`/reports`: time totals computed in SQL over members' local days, as JSON or as a
CSV / XLSX file. Open to every role (project viewers included); what each counts is the
one rule ``visibility.visible_report_time``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from webwork.auth.deps import AnyRoleDep, SessionDep
from webwork.auth.principal import Actor
from webwork.kit.db import LONG_READS, streamed_read
from webwork.kit.envelope import Envelope, respond, respond_page, respond_streamed
from webwork.kit.pagination import UsersPageDep
from webwork.kit.types import Day, Id, OptionalDate
from webwork.reports import service, sheets
from webwork.reports.exports import EXPORT_RESPONSES, ExportFormat, FormatQuery, export, export_stream
from webwork.reports.filters import id_filter, text_filter
from webwork.reports.schemas import (
    DescriptionTime,
    TrackedHours,
    UserActivity,
    UserAttendance,
    UserTasks,
    UserTimeline,
)

router = APIRouter(prefix="/reports", tags=["Reports"], dependencies=[LONG_READS])


def _serve_under_two_paths(endpoint: Callable[..., Any], model: Any, *paths: tuple[str, str, str]) -> None:
    """The hosted API serves some reports under two paths: one handler, an operation
    (path, operation id, summary) for each."""
    for path, operation_id, summary in paths:
        router.add_api_route(
            path,
            endpoint,
            methods=["GET"],
            response_model=model,
            operation_id=operation_id,
            summary=summary,
            responses=EXPORT_RESPONSES,
        )


StartDate = Annotated[OptionalDate, Query(description="First local day (YYYY-MM-DD)")]
EndDate = Annotated[OptionalDate, Query(description="Last local day (YYYY-MM-DD), inclusive")]
Users = Annotated[list[int] | None, id_filter("users", "user_ids", description="Members")]
Projects = Annotated[list[int] | None, id_filter("projects", "project_ids", description="Projects")]
OneDay = Annotated[Day, Query(description="The local day (within a year of today)")]
FirstDay = Annotated[Day, Query(description="First local day")]
LastDay = Annotated[Day, Query(description="Last local day (at most 31 days after start_date)")]
Teams = Annotated[list[int] | None, id_filter("teams", description="Teams (their members' time)")]


TRACKED_HOURS_MESSAGE = "Tracked hours retrieved successfully"


@router.get(
    "/tracked-hours",
    response_model=TrackedHours,
    operation_id="getTrackedHours",
    summary="Tracked hours report",
    responses=EXPORT_RESPONSES,
)
async def get_tracked_hours(
    request: Request,
    actor: AnyRoleDep,
    session: SessionDep,
    users: Users,
    projects: Projects,
    teams: Teams,
    titles: Annotated[list[str] | None, text_filter("titles", description="Task titles (exact)")],
    currencies: Annotated[
        list[str] | None, text_filter("currencies", description="Currencies of the amounts (rate permission)")
    ],
    group_by: Annotated[
        list[str] | None,
        text_filter(
            "group_by",
            description="One or two of day, week, month, user, project, task, contract",
            choices=tuple(service.GroupBy),
            max_items=service.MAX_GROUP_LEVELS,
            blank=False,
        ),
    ],
    start_date: StartDate = None,
    end_date: EndDate = None,
    user_id: Annotated[Id | None, Query(description="One member (the range is then at most 31 days)")] = None,
    format: FormatQuery = ExportFormat.JSON,
) -> JSONResponse | StreamingResponse:
    """Minutes per local day (of each member's timezone; an entry across midnight
    counts on both days), member and project/contract over ``start_date``..``end_date``
    (default: the current week, Monday to Sunday, in the caller's timezone; at most 366
    days), with amounts per currency only for callers who may see rates; with
    ``group_by`` the same time as groups with totals instead. ``meta.totals`` holds the
    totals of the whole answer. An export without ``group_by`` is read from the
    database a day at a time while it is sent (in a read transaction of its own)."""
    query = service.TrackedHoursQuery(
        start_date=start_date,
        end_date=end_date,
        user_id=user_id,
        users=users,
        projects=projects,
        teams=teams,
        titles=titles,
        currencies=currencies,
        group_by=group_by,
    )
    if format is not ExportFormat.JSON and not group_by:
        plan = await service.plan_tracked_hours(session, actor, query)
        return export_stream(
            sheets.tracked_hours_stream(plan, *streamed_days(request, actor, plan)),
            format,
            f"tracked-hours-{plan.first}-{plan.last}",
        )
    report = await service.tracked_hours(session, actor, query, request.app.state.offload)
    if format is not ExportFormat.JSON:
        return export(sheets.tracked_hours(report), format, f"tracked-hours-{report.first}-{report.last}")
    meta = {
        "start_date": report.first.isoformat(),
        "end_date": report.last.isoformat(),
        "totals": report.totals,
    }
    if report.levels:
        return respond(report.groups, TRACKED_HOURS_MESSAGE, extra_meta=meta)
    # Every member's every day can be tens of megabytes: sent a day at a time.
    return respond_streamed(report.days, TRACKED_HOURS_MESSAGE, extra_meta=meta)


def streamed_days(
    request: Request, actor: Actor, plan: service.TrackedHoursPlan
) -> tuple[AsyncIterator[list[service.MemberDay]], service.RunningTotals]:
    """The report's days, read while the answer is sent, and the totals they add up to."""
    totals = service.RunningTotals()

    async def days() -> AsyncIterator[list[service.MemberDay]]:
        async with streamed_read(request) as reading:
            async for day in service.tracked_hours_days(reading, actor, plan, totals):
                yield day

    return days(), totals


@router.get(
    "/activity-descriptions",
    response_model=Envelope[list[DescriptionTime]],
    operation_id="getActivityDescriptions",
    summary="Activity descriptions report",
    responses=EXPORT_RESPONSES,
)
async def get_activity_descriptions(
    actor: AnyRoleDep,
    session: SessionDep,
    page: UsersPageDep,
    users: Users,
    projects: Projects,
    teams: Teams,
    start_date: StartDate = None,
    end_date: EndDate = None,
    format: FormatQuery = ExportFormat.JSON,
) -> JSONResponse | StreamingResponse:
    """Minutes per member, project and activity description (the same description text
    is one row) over ``start_date``..``end_date`` (default: the current week; at most 366
    days), paged by rows ordered by member, project and description. An export holds
    the rows of the page asked for."""
    query = service.DescriptionsQuery(
        start_date=start_date, end_date=end_date, users=users, projects=projects, teams=teams
    )
    result = await service.activity_descriptions(session, actor, query, page)
    if format is not ExportFormat.JSON:
        return export(sheets.activity_descriptions(result), format, "activity-descriptions")
    return respond_page(result, lambda item: item, "Activity descriptions retrieved successfully")


async def get_task_report(
    actor: AnyRoleDep,
    session: SessionDep,
    page: UsersPageDep,
    users: Users,
    project_id: Annotated[list[int] | None, id_filter("project_id", description="Projects")],
    task_id: Annotated[list[int] | None, id_filter("task_id", description="Tasks")],
    start_date: FirstDay,
    end_date: LastDay,
    include_no_task: Annotated[bool, Query(description="Count time without a task (default true)")] = True,
    format: FormatQuery = ExportFormat.JSON,
) -> JSONResponse | StreamingResponse:
    """Per member with time in ``start_date``..``end_date`` (at most 31 days), paged by
    members (30 a page by default): ``tasks_breakdown`` (minutes per task, with the
    task's status, completion time and assignees) and ``daily_breakdown`` (minutes per
    local day and task). An export holds one row per member, day and task of the page."""
    query = service.TaskReportQuery(
        start_date=start_date,
        end_date=end_date,
        users=users,
        project_ids=project_id,
        task_ids=task_id,
        include_no_task=include_no_task,
    )
    result = await service.task_report(session, actor, query, page)
    if format is not ExportFormat.JSON:
        return export(sheets.task_report(result), format, "task-report")
    return respond_page(result, lambda item: item, "Task report retrieved successfully")


_serve_under_two_paths(
    get_task_report,
    Envelope[list[UserTasks]],
    ("/task-report", "getTaskReport", "Task report"),
    ("/tasks", "getTasksReport", "Task report (alias of /reports/task-report)"),
)


async def get_daily_timeline(
    actor: AnyRoleDep,
    session: SessionDep,
    page: UsersPageDep,
    users: Users,
    date: OneDay,
    format: FormatQuery = ExportFormat.JSON,
) -> JSONResponse | StreamingResponse:
    """Per member with counted time on the local ``date`` (within a year of today), paged by
    members (30 a page): the entries of that day in order, each cut at the member's
    local midnights (``clipped`` marks one that goes on beyond), with start and end in
    the member's UTC offset, project, task, activity description, tracking method,
    activity level and (rate permission only) amount and currency; the member's weighted
    activity level and the idle gaps between entries. An export holds one row per entry
    of the page."""
    query = service.TimelineQuery(date=date, users=users)
    report = await service.daily_timeline(session, actor, query, page)
    if format is not ExportFormat.JSON:
        return export(sheets.daily_timeline(report), format, f"daily-timeline-{report.day}")
    return respond_page(report.page, lambda item: item, "Daily timeline retrieved successfully")


_serve_under_two_paths(
    get_daily_timeline,
    Envelope[list[UserTimeline]],
    ("/daily-timeline", "getDailyTimeline", "Daily timeline report"),
    ("/timeline", "getTimeline", "Daily timeline report (alias of /reports/daily-timeline)"),
)


@router.get(
    "/daily-attendance",
    response_model=Envelope[list[UserAttendance]],
    operation_id="getDailyAttendance",
    summary="Daily attendance report",
    responses=EXPORT_RESPONSES,
)
async def get_daily_attendance(
    actor: AnyRoleDep,
    session: SessionDep,
    page: UsersPageDep,
    users: Users,
    status: Annotated[
        list[str] | None,
        text_filter(
            "status",
            description="Any of present, late, left_early, tracked_less, absent, on_leave, holiday",
            choices=tuple(service.STATUS_KEYS),
        ),
    ],
    date: OneDay,
    format: FormatQuery = ExportFormat.JSON,
) -> JSONResponse | StreamingResponse:
    """Every active member the caller reports on, on the local ``date`` against their
    work schedule, paged by members (30 a page, by name): ``statuses`` ("Present",
    "Late", "Left early", "Tracked less", "Absent", "On leave", "Holiday"), minutes
    scheduled, tracked, late and left early, first start and last end (HH:mm local),
    the breaks within the working day and productivity (tracked of scheduled, percent).
    ``status`` keeps members having any of the statuses named. An export holds one row
    per member of the page."""
    query = service.AttendanceQuery(date=date, users=users, statuses=status)
    result = await service.daily_attendance(session, actor, query, page)
    if format is not ExportFormat.JSON:
        return export(sheets.daily_attendance(result), format, f"daily-attendance-{date}")
    return respond_page(result, lambda item: item, "Daily attendance retrieved successfully")


@router.get(
    "/activity-level",
    response_model=Envelope[list[UserActivity]],
    operation_id="getActivityLevel",
    summary="Activity level report",
    responses=EXPORT_RESPONSES,
)
async def get_activity_level(
    actor: AnyRoleDep,
    session: SessionDep,
    page: UsersPageDep,
    users: Users,
    contract_id: Annotated[list[int] | None, id_filter("contract_id", description="Contracts")],
    start_date: FirstDay,
    end_date: LastDay,
    format: FormatQuery = ExportFormat.JSON,
) -> JSONResponse | StreamingResponse:
    """Per member with counted time in ``start_date``..``end_date`` (at most 31 days),
    paged by members (30 a page): per local day the tracked minutes, the minutes
    without an activity level (``manual_minutes``) and the activity level (percent,
    weighted by seconds over the time that has one), and the same ``overall``;
    ``meta.overall`` covers the page. An export holds one row per member and day."""
    query = service.ActivityQuery(
        start_date=start_date, end_date=end_date, users=users, contract_ids=contract_id
    )
    report = await service.activity_level(session, actor, query, page)
    if format is not ExportFormat.JSON:
        return export(sheets.activity_level(report), format, f"activity-level-{report.first}-{report.last}")
    return respond_page(
        report.page,
        lambda item: item,
        "Activity level retrieved successfully",
        extra_meta={"overall": report.overall},
    )
