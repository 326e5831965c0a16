"""`/tasks`: tasks of a project, their subtasks (parent_id) and assignees."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, AnyRoleDep, SessionDep
from webwork.kit.envelope import Envelope, respond, respond_page
from webwork.kit.pagination import PageDep
from webwork.kit.types import Id, Integer, Keyword, choices
from webwork.models import TaskAssignee
from webwork.tasks import service
from webwork.tasks.schemas import (
    PRIORITY_NAMES,
    AssigneeOut,
    AssignmentOut,
    TaskCreate,
    TaskFilters,
    TaskOut,
    TaskScope,
    TaskUpdate,
    TaskView,
)

router = APIRouter(prefix="/tasks", tags=["Tasks"])

ProjectQuery = Annotated[
    Id | None, Query(description="ID of the project (may be sent in the body instead for writes)")
]


async def scoped_project_id(
    project_id: ProjectQuery = None, body: Annotated[TaskScope | None, Body()] = None
) -> int | None:
    """``project_id`` of a write without a task body (delete, assign, unassign): from the
    query or the body, like ``workspace_id``."""
    return service.scope_project_id(project_id, body.project_id if body else None)


ScopedProjectId = Annotated[int | None, Depends(scoped_project_id)]


def _task(view: TaskView, message: str, status_code: int = 200) -> JSONResponse:
    return respond(TaskOut.of(view), message, status_code=status_code)


def _assignment(row: TaskAssignee, message: str) -> JSONResponse:
    return respond(AssignmentOut(id=row.id, user_id=row.user_id, task_id=row.task_id), message)


@router.get("", response_model=Envelope[list[TaskOut]], operation_id="getTasks", summary="List tasks")
async def get_tasks(
    actor: AnyRoleDep,
    session: SessionDep,
    page: PageDep,
    project_id: ProjectQuery = None,
    contract_id: Annotated[Id | None, Query(description="Alternative to project_id")] = None,
    status: Annotated[Integer | None, Query(description="Status code (custom codes accepted)")] = None,
    priority: Annotated[
        Integer | None,
        Query(
            description="10 Urgent, 20 High, 30 Normal, 40 Low", json_schema_extra=choices(*PRIORITY_NAMES)
        ),
    ] = None,
    parent_id: Annotated[Id | None, Query(description="Only subtasks of this task")] = None,
    order_by: Annotated[
        Keyword | None,
        Query(
            description=f"One of {', '.join(service.ORDER_COLUMNS)}; '-' prefix = descending",
            json_schema_extra=choices(
                *service.ORDER_COLUMNS, *(f"-{c}" for c in service.ORDER_COLUMNS), blank=True
            ),
        ),
    ] = None,
    order: Annotated[
        Keyword | None, Query(description="asc or desc", json_schema_extra=choices("asc", "desc", blank=True))
    ] = None,
) -> JSONResponse:
    """The tasks of the projects the caller sees that are not archived, optionally of one
    project (named directly or through a contract), filtered by status, priority or
    parent task."""
    filters = TaskFilters(project_id, contract_id, status, priority, parent_id, order_by, order)
    result = await service.list_page(session, actor, filters, page)
    return respond_page(result, TaskOut.of, "Tasks retrieved successfully")


# The hosted documentation's example of a create (``../REFERENCE.md``: Tasks, exact).
NEW_TASK = {
    "workspace_id": 1,
    "project_id": 100,
    "title": "Implement user authentication",
    "description": "Add OAuth2 authentication support",
    "status": 0,
    "priority": 30,
    "start_date": "2024-01-15",
    "end_date": "2024-01-30",
    "assignees": [100, 101],
}
TASK_CREATED = {
    "success": True,
    "data": {
        "id": 1,
        "title": "Implement user authentication",
        "description": "Add OAuth2 authentication support",
        "project_id": 100,
        "owner_id": 10,
        "creator_id": 42,
        "status": 0,
        "status_name": "Open",
        "status_color": "#9E9E9E",
        "priority": 30,
        "priority_name": "Normal",
        "start_date": "2024-01-15",
        "end_date": "2024-01-30",
        "completed_at": None,
        "assignees": [],
        "created_at": "2024-01-15T09:00:00+00:00",
        "updated_at": "2024-01-15T09:00:00+00:00",
        "deleted_at": None,
    },
    "message": "Task created successfully",
    "meta": {"api_version": "2.0.0", "timestamp": "2024-01-15T09:00:00Z"},
}


@router.post(
    "",
    status_code=201,
    response_model=Envelope[TaskOut],
    operation_id="createTask",
    summary="Create a task",
    responses={201: {"content": {"application/json": {"example": TASK_CREATED}}}},
    openapi_extra={"requestBody": {"content": {"application/json": {"example": NEW_TASK}}}},
)
async def create_task(
    actor: ActorDep, session: SessionDep, body: TaskCreate, project_id: ProjectQuery = None
) -> JSONResponse:
    """Creates a task on a project (or a contract's project) by its managers or by members
    with an active contract on it; contributors may assign only themselves, and every
    assignee needs a contract on the project."""
    scoped = service.scope_project_id(project_id, body.project_id)
    return _task(await service.create(session, actor, body, scoped), "Task created successfully", 201)


@router.get("/{task_id}", response_model=Envelope[TaskOut], operation_id="getTask", summary="Get a task")
async def get_task(
    task_id: Id, actor: AnyRoleDep, session: SessionDep, project_id: ProjectQuery = None
) -> JSONResponse:
    """One task, if the caller sees its project (404 otherwise, also when `project_id`
    names another project). Project viewers see the tasks of the projects assigned to
    them that are not archived."""
    return _task(await service.get(session, actor, task_id, project_id), "Task retrieved successfully")


@router.put(
    "/{task_id}", response_model=Envelope[TaskOut], operation_id="updateTask", summary="Update a task"
)
async def update_task(
    task_id: Id, actor: ActorDep, session: SessionDep, body: TaskUpdate, project_id: ProjectQuery = None
) -> JSONResponse:
    """Only the fields sent change. Managers of the project update any task, contributors
    the tasks they created or are assigned to. Moving to Done or Closed stamps
    `completed_at`; moving out clears it."""
    scoped = service.scope_project_id(project_id, body.project_id)
    return _task(await service.update(session, actor, task_id, body, scoped), "Task updated successfully")


@router.delete(
    "/{task_id}", response_model=Envelope[TaskOut], operation_id="deleteTask", summary="Delete a task"
)
async def delete_task(
    task_id: Id, actor: ActorDep, session: SessionDep, project_id: ScopedProjectId
) -> JSONResponse:
    """Soft-deletes the task (`deleted_at`); only managers of the project may."""
    return _task(await service.delete(session, actor, task_id, project_id), "Task deleted successfully")


@router.get(
    "/{task_id}/assignees",
    response_model=Envelope[list[AssigneeOut]],
    operation_id="getTaskAssignees",
    summary="List a task's assignees",
)
async def get_task_assignees(
    task_id: Id, actor: AnyRoleDep, session: SessionDep, page: PageDep, project_id: ProjectQuery = None
) -> JSONResponse:
    """The users assigned to the task, in the order they were assigned (project viewers:
    of the tasks of the projects assigned to them)."""
    result = await service.list_assignees(session, actor, task_id, project_id, page)
    return respond_page(result, AssigneeOut.of, "Task assignees retrieved successfully")


@router.post(
    "/{task_id}/assign/{user_id}",
    response_model=Envelope[AssignmentOut],
    operation_id="assignTask",
    summary="Assign a user to a task",
)
async def assign_task(
    task_id: Id, user_id: Id, actor: ActorDep, session: SessionDep, project_id: ScopedProjectId
) -> JSONResponse:
    """Assigns a user who holds a contract on the task's project. Managers of the project
    assign others within their rank (an executive manager anyone but the owner, a
    project manager members ranked below them), contributors only themselves (403);
    409 if already assigned."""
    row = await service.assign(session, actor, task_id, user_id, project_id)
    return _assignment(row, "Task assigned successfully")


@router.delete(
    "/{task_id}/unassign/{user_id}",
    response_model=Envelope[AssignmentOut],
    operation_id="unassignTask",
    summary="Unassign a user from a task",
)
async def unassign_task(
    task_id: Id, user_id: Id, actor: ActorDep, session: SessionDep, project_id: ScopedProjectId
) -> JSONResponse:
    """Removes an assignment. Managers of the project unassign others within their rank
    (as for assigning), contributors only themselves (403); 404 if the user is not
    assigned."""
    row = await service.unassign(session, actor, task_id, user_id, project_id)
    return _assignment(row, "Task unassigned successfully")
