"""`/tasks`: tasks of a project, their subtasks (parent_id) and assignees."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, SessionDep
from webwork.kit.envelope import Envelope, respond
from webwork.kit.pagination import PageDep
from webwork.models import TaskAssignee
from webwork.tasks import service
from webwork.tasks.schemas import (
    AssigneeOut,
    AssignmentOut,
    TaskCreate,
    TaskOut,
    TaskScope,
    TaskUpdate,
)

router = APIRouter(prefix="/tasks", tags=["Tasks"])

ProjectQuery = Annotated[
    int | None, Query(description="ID of the project (may be sent in the body instead for writes)")
]
ScopeBody = Annotated[TaskScope | None, Body()]


def _task(view: service.TaskView, message: str, status_code: int = 200) -> JSONResponse:
    task, assignees = view
    return respond(TaskOut.of(task, assignees), message, status_code=status_code)


def _assignment(row: TaskAssignee, message: str) -> JSONResponse:
    return respond(AssignmentOut(id=row.id, user_id=row.user_id, task_id=row.task_id), message)


def _body_project(project_id: int | None, body: TaskScope | None) -> int | None:
    return service.scope_project_id(project_id, body.project_id if body else None)


@router.get("", response_model=Envelope[list[TaskOut]])
async def list_tasks(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    project_id: ProjectQuery = None,
    contract_id: Annotated[int | None, Query(description="Alternative to project_id")] = None,
    status: Annotated[int | None, Query(description="Status code (custom codes accepted)")] = None,
    priority: Annotated[int | None, Query(description="10 Urgent, 20 High, 30 Normal, 40 Low")] = None,
    parent_id: Annotated[int | None, Query(description="Only subtasks of this task")] = None,
    order_by: Annotated[
        str | None, Query(description=f"One of {', '.join(service.ORDER_COLUMNS)}; '-' prefix = descending")
    ] = None,
    order: Annotated[str | None, Query(description="asc or desc")] = None,
) -> JSONResponse:
    filters = service.TaskFilters(project_id, contract_id, status, priority, parent_id, order_by, order)
    result, assignees = await service.list_tasks(session, actor, filters, page)
    items = [TaskOut.of(task, assignees.get(task.id, [])) for task in result.items]
    return respond(items, "Tasks retrieved successfully", pagination=result.pagination)


@router.post("", status_code=201, response_model=Envelope[TaskOut])
async def create_task(
    actor: ActorDep, session: SessionDep, body: TaskCreate, project_id: ProjectQuery = None
) -> JSONResponse:
    scoped = service.scope_project_id(project_id, body.project_id)
    view = await service.create_task(session, actor, body, scoped)
    return _task(view, "Task created successfully", 201)


@router.get("/{task_id}", response_model=Envelope[TaskOut])
async def get_task(
    task_id: int, actor: ActorDep, session: SessionDep, project_id: ProjectQuery = None
) -> JSONResponse:
    return _task(await service.get_task(session, actor, task_id, project_id), "Task retrieved successfully")


@router.put("/{task_id}", response_model=Envelope[TaskOut])
async def update_task(
    task_id: int, actor: ActorDep, session: SessionDep, body: TaskUpdate, project_id: ProjectQuery = None
) -> JSONResponse:
    scoped = service.scope_project_id(project_id, body.project_id)
    view = await service.update_task(session, actor, task_id, body, scoped)
    return _task(view, "Task updated successfully")


@router.delete("/{task_id}", response_model=Envelope[TaskOut])
async def delete_task(
    task_id: int,
    actor: ActorDep,
    session: SessionDep,
    body: ScopeBody = None,
    project_id: ProjectQuery = None,
) -> JSONResponse:
    view = await service.delete_task(session, actor, task_id, _body_project(project_id, body))
    return _task(view, "Task deleted successfully")


@router.get("/{task_id}/assignees", response_model=Envelope[list[AssigneeOut]])
async def list_assignees(
    task_id: int, actor: ActorDep, session: SessionDep, page: PageDep, project_id: ProjectQuery = None
) -> JSONResponse:
    result = await service.task_assignees(session, actor, task_id, project_id, page)
    items = [AssigneeOut.of(user) for user in result.items]
    return respond(items, "Task assignees retrieved successfully", pagination=result.pagination)


@router.post("/{task_id}/assign/{user_id}", response_model=Envelope[AssignmentOut])
async def assign(
    task_id: int,
    user_id: int,
    actor: ActorDep,
    session: SessionDep,
    body: ScopeBody = None,
    project_id: ProjectQuery = None,
) -> JSONResponse:
    row = await service.assign(session, actor, task_id, user_id, _body_project(project_id, body))
    return _assignment(row, "Task assigned successfully")


@router.delete("/{task_id}/unassign/{user_id}", response_model=Envelope[AssignmentOut])
async def unassign(
    task_id: int,
    user_id: int,
    actor: ActorDep,
    session: SessionDep,
    body: ScopeBody = None,
    project_id: ProjectQuery = None,
) -> JSONResponse:
    row = await service.unassign(session, actor, task_id, user_id, _body_project(project_id, body))
    return _assignment(row, "Task unassigned successfully")
