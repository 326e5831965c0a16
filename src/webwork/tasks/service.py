"""Rules of tasks: who may read and change them, status/completion, parents, assignees.

Readers are those who may see the task's project. Managers of the project (owner,
executive manager, those listed among its managers) may do everything, but assign or
unassign someone else only within their rank (``permissions.may_act_on``: an executive
manager anyone but the owner, a project manager the members ranked below them, any
other role no one); members holding an active contract on it ("contributors") may
create tasks, update the tasks they created or are assigned to, and assign or unassign
themselves. Anyone else gets 403 when they can see the project and 404 when they
cannot."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions
from webwork.auth.principal import Actor
from webwork.kit import clock
from webwork.kit.db import add_unless_taken
from webwork.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed, found, invalid
from webwork.kit.pagination import Page, PageParams
from webwork.kit.schemas import query_or_body
from webwork.members import service as members
from webwork.models import Project, Task, TaskAssignee, User
from webwork.tasks import repository
from webwork.tasks.repository import Standing
from webwork.tasks.schemas import (
    PRIORITY_INVALID,
    PRIORITY_NAMES,
    TaskCreate,
    TaskFilters,
    TaskUpdate,
    TaskView,
)

DONE_STATUSES = frozenset({20, 30})
ORDER_COLUMNS = ("id", "title", "status", "priority", "start_date", "end_date", "created_at", "updated_at")
END_BEFORE_START = "The end date must be a date after or equal to start date."
PARENT_INVALID = "The parent task must be a task of the same project."
ASSIGN_REFUSED = "Only managers of the project may assign other members."
UNASSIGN_REFUSED = "Only managers of the project may unassign other members."


def completed_at_after(task_status: int, completed_at: datetime | None, new_status: int) -> datetime | None:
    """Entering Done/Closed stamps the time; moving between Done and Closed keeps it;
    any other status clears it."""
    if new_status not in DONE_STATUSES:
        return None
    if task_status in DONE_STATUSES and completed_at is not None:
        return completed_at
    return clock.utcnow()


def parse_order(order_by: str | None, order: str | None) -> tuple[str, bool]:
    """``order_by`` names a column, optionally prefixed with '-' for descending; without
    the prefix, ``order`` (asc|desc) gives the direction. Default: id ascending."""
    name = (order_by or "id").strip()
    descending = name.startswith("-")
    name = name.removeprefix("-")
    if name not in ORDER_COLUMNS:
        raise invalid("order_by", f"The selected order by is invalid (one of: {', '.join(ORDER_COLUMNS)}).")
    if order is not None and order.strip() != "":
        direction = order.strip().lower()
        if direction not in ("asc", "desc"):
            raise invalid("order", "The order must be asc or desc.")
        if not descending:
            descending = direction == "desc"
    return name, descending


def scope_project_id(from_query: int | None, from_body: int | None) -> int | None:
    """Like workspace_id, a task's project_id may come in the query or the body."""
    return query_or_body("project_id", from_query, from_body)


def _required(project_id: int | None) -> int:
    if project_id is None:
        raise invalid("project_id", "The project id field is required.")
    return project_id


def _may_edit(actor: Actor, standing: Standing, task: Task, assigned: bool) -> bool:
    return standing.manages or (standing.contributes and (task.creator_id == actor.user_id or assigned))


async def _ensure_may_assign(
    session: AsyncSession, actor: Actor, standing: Standing, user_ids: Collection[int], refusal: str
) -> None:
    """Anyone who manages or contributes to the project (un)assigns themselves; a
    manager of it (``refusal`` for anyone else) others within their rank."""
    others = [user_id for user_id in user_ids if user_id != actor.user_id]
    if not (standing.manages or (standing.contributes and not others)):
        raise Forbidden(refusal)
    if not others:
        return
    if actor.is_admin:
        permissions.ensure_may_act(actor, others, "task assignments")
        return
    # An id that names no member here is refused as such later (no contract: 422).
    reach = permissions.Reach(within_managed_projects=True)
    await members.ensure_in_rank(session, actor, others, reach, "task assignments")


async def _project(
    session: AsyncSession, actor: Actor, project_id: int | None, contract_id: int | None
) -> tuple[Project, Standing]:
    """The project named directly or through a visible contract."""
    if contract_id is not None:
        resolved = found(
            await repository.visible_contract_project_id(session, actor, contract_id), "Contract not found."
        )
        if project_id is not None and project_id != resolved:
            raise invalid("contract_id", "The contract does not belong to the given project.")
        project_id = resolved
    project = await repository.project_with_standing(session, actor, _required(project_id))
    return found(project, "Project not found.")


async def _task(
    session: AsyncSession, actor: Actor, task_id: int, project_id: int | None
) -> tuple[Task, Standing, bool]:
    task = await repository.task_with_standing(session, actor, task_id)
    if task is None or (project_id is not None and task[0].project_id != project_id):
        raise NotFound("Task not found.")
    return task


async def _view(session: AsyncSession, task: Task) -> TaskView:
    assignees = await repository.assignees_of(session, [task.id])
    return TaskView(task, assignees.get(task.id, []))


def _date_errors(start: date | None, end: date | None) -> dict[str, list[str]]:
    if start is not None and end is not None and end < start:
        return {"end_date": [END_BEFORE_START]}
    return {}


async def list_page(
    session: AsyncSession, actor: Actor, filters: TaskFilters, params: PageParams
) -> Page[TaskView]:
    if filters.priority is not None and filters.priority not in PRIORITY_NAMES:
        raise invalid("priority", PRIORITY_INVALID)
    order = parse_order(filters.order_by, filters.order)
    project_id = None
    if filters.project_id is not None or filters.contract_id is not None:
        project, _ = await _project(session, actor, filters.project_id, filters.contract_id)
        project_id = project.id
    return await repository.list_page(
        session,
        actor,
        params,
        project_id=project_id,
        status=filters.status,
        priority=filters.priority,
        parent_id=filters.parent_id,
        order=order,
    )


async def get(session: AsyncSession, actor: Actor, task_id: int, project_id: int | None) -> TaskView:
    task, _, _ = await _task(session, actor, task_id, project_id)
    return await _view(session, task)


async def create(session: AsyncSession, actor: Actor, body: TaskCreate, project_id: int | None) -> TaskView:
    project, standing = await _project(session, actor, project_id, body.contract_id)
    if not (standing.manages or standing.contributes):
        raise Forbidden("You may not create tasks in this project.")
    assignee_ids = list(dict.fromkeys(body.assignees))
    await _ensure_may_assign(session, actor, standing, assignee_ids, ASSIGN_REFUSED)

    errors = _date_errors(body.start_date, body.end_date)
    uncontracted = set(assignee_ids) - await repository.contracted_user_ids(
        session, actor, project.id, assignee_ids
    )
    if uncontracted:
        listed = ", ".join(str(user_id) for user_id in assignee_ids if user_id in uncontracted)
        errors["assignees"] = [f"Each assignee must have a contract on the project (no contract: {listed})."]
    if body.parent_id is not None and not await repository.is_live_task_of_project(
        session, actor, body.parent_id, project.id
    ):
        errors["parent_id"] = [PARENT_INVALID]
    if errors:
        raise ValidationFailed(errors)

    status = body.status if body.status is not None else 0
    task = Task(
        workspace_id=actor.workspace_id,
        project_id=project.id,
        parent_id=body.parent_id,
        title=body.title,
        description=body.description,
        status=status,
        priority=body.priority,
        start_date=body.start_date,
        end_date=body.end_date,
        completed_at=completed_at_after(0, None, status),
        estimation=body.estimation,
        owner_id=project.owner_id,
        creator_id=actor.user_id,
    )
    await repository.add(session, task)
    await repository.add(
        session, *(TaskAssignee(task_id=task.id, user_id=user_id) for user_id in assignee_ids)
    )
    return await _view(session, task)


async def update(
    session: AsyncSession, actor: Actor, task_id: int, body: TaskUpdate, project_id: int | None
) -> TaskView:
    task, standing, assigned = await _task(session, actor, task_id, _required(project_id))
    if not _may_edit(actor, standing, task, assigned):
        raise Forbidden("You may not update this task.")
    changes = body.provided("project_id")

    errors = _date_errors(changes.get("start_date", task.start_date), changes.get("end_date", task.end_date))
    if "status" in changes and changes["status"] is None:
        errors["status"] = ["The status field must be an integer."]
    parent_id = changes.get("parent_id")
    if parent_id is not None:
        if parent_id == task.id:
            errors["parent_id"] = ["A task cannot be its own parent."]
        elif not await repository.is_live_task_of_project(session, actor, parent_id, task.project_id):
            errors["parent_id"] = [PARENT_INVALID]
        elif await repository.is_ancestor_or_self(session, actor, task.id, parent_id):
            errors["parent_id"] = ["The parent task cannot be one of this task's subtasks."]
    if errors:
        raise ValidationFailed(errors)

    if "status" in changes:
        task.completed_at = completed_at_after(task.status, task.completed_at, changes["status"])
        task.status = changes["status"]
    for field in ("title", "description", "priority", "start_date", "end_date", "parent_id", "estimation"):
        if field in changes:
            setattr(task, field, changes[field])
    await session.flush()
    return await _view(session, task)


async def delete(session: AsyncSession, actor: Actor, task_id: int, project_id: int | None) -> TaskView:
    task, standing, _ = await _task(session, actor, task_id, _required(project_id))
    if not standing.manages:
        raise Forbidden("Only managers of the project may delete its tasks.")
    task.deleted_at = clock.utcnow()
    await session.flush()
    return await _view(session, task)


async def list_assignees(
    session: AsyncSession, actor: Actor, task_id: int, project_id: int | None, params: PageParams
) -> Page[User]:
    """Paginated like every list of the API."""
    task, _, _ = await _task(session, actor, task_id, project_id)
    return await repository.assignees_page(session, task.id, params)


async def assign(
    session: AsyncSession, actor: Actor, task_id: int, user_id: int, project_id: int | None
) -> TaskAssignee:
    task, standing, _ = await _task(session, actor, task_id, project_id)
    await _ensure_may_assign(session, actor, standing, [user_id], ASSIGN_REFUSED)
    if user_id not in await repository.contracted_user_ids(session, actor, task.project_id, [user_id]):
        raise invalid("user_id", "The user must have a contract on the task's project.")
    if await repository.assignment(session, task.id, user_id) is not None:
        raise Conflict("The user is already assigned to this task.")
    row = TaskAssignee(task_id=task.id, user_id=user_id)
    if not await add_unless_taken(session, row):
        # A concurrent request assigned the same user between our check and insert.
        raise Conflict("The user is already assigned to this task.")
    return row


async def unassign(
    session: AsyncSession, actor: Actor, task_id: int, user_id: int, project_id: int | None
) -> TaskAssignee:
    task, standing, _ = await _task(session, actor, task_id, project_id)
    await _ensure_may_assign(session, actor, standing, [user_id], UNASSIGN_REFUSED)
    row = await repository.assignment(session, task.id, user_id)
    if row is None:
        raise NotFound("The user is not assigned to this task.")
    await repository.remove(session, row)
    return row
