"""All SQL of the tasks domain. Tasks are read through ``readable(actor)``; the project
a task is written on, and a contract naming it, through the same visibility rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions, visibility
from webwork.auth.principal import Actor
from webwork.kit.db import save
from webwork.kit.pagination import Page, PageParams, paginate
from webwork.models import Contract, Project, Task, TaskAssignee, User
from webwork.models.statuses import ContractStatus
from webwork.tasks.schemas import TaskView


@dataclass(frozen=True)
class Standing:
    """What the actor is on one project: a manager of it (owner, executive manager or
    one of its project managers) or a contributor (holds an active contract on it)."""

    manages: bool
    contributes: bool


def readable(actor: Actor) -> Select[Task]:
    """Tasks of the workspace that are not deleted, on the projects the actor sees that
    are not archived."""
    return select(Task).where(
        Task.workspace_id == actor.workspace_id,
        Task.deleted_at.is_(None),
        Task.project_id.in_(visibility.visible_open_project_ids(actor)),
    )


def _standing_columns(actor: Actor, project_id: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Two boolean SQL expressions (manages, contributes) for ``project_id``. A
    read-only role does neither, whatever rows name it a manager."""
    if not permissions.may_write(actor.role):
        return literal(False).label("manages"), literal(False).label("contributes")
    if actor.is_admin:
        manages: ColumnElement[bool] = literal(True)
    else:
        manages = project_id.in_(visibility.managed_project_ids(actor))
    contributes = exists().where(
        Contract.workspace_id == actor.workspace_id,
        Contract.project_id == project_id,
        Contract.user_id == actor.user_id,
        Contract.status == ContractStatus.ACTIVE,
    )
    return manages.label("manages"), contributes.label("contributes")


async def project_with_standing(
    session: AsyncSession, actor: Actor, project_id: int
) -> tuple[Project, Standing] | None:
    manages, contributes = _standing_columns(actor, Project.id)
    row = (
        await session.execute(
            select(Project, manages, contributes).where(
                Project.id == project_id, Project.id.in_(visibility.visible_open_project_ids(actor))
            )
        )
    ).first()
    if row is None:
        return None
    return row[0], Standing(bool(row[1]), bool(row[2]))


async def visible_contract_project_id(session: AsyncSession, actor: Actor, contract_id: int) -> int | None:
    """The project of a contract the actor may see (as ``/contracts`` shows it) whose
    project is not archived."""
    project_id: int | None = await session.scalar(
        select(Contract.project_id).where(
            Contract.id == contract_id,
            Contract.workspace_id == actor.workspace_id,
            visibility.contract_is_visible(actor),
            Contract.project_id.in_(visibility.visible_open_project_ids(actor)),
        )
    )
    return project_id


async def task_with_standing(
    session: AsyncSession, actor: Actor, task_id: int
) -> tuple[Task, Standing, bool] | None:
    """The task, the actor's standing on its project and whether the actor is one of
    its assignees, in one statement."""
    manages, contributes = _standing_columns(actor, Task.project_id)
    assigned = exists().where(TaskAssignee.task_id == Task.id, TaskAssignee.user_id == actor.user_id)
    stmt = (
        readable(actor)
        .add_columns(manages, contributes, assigned.label("assigned"))
        .where(Task.id == task_id)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return row[0], Standing(bool(row[1]), bool(row[2])), bool(row[3])


async def assignees_of(session: AsyncSession, task_ids: Iterable[int]) -> dict[int, list[User]]:
    """Assignees of many tasks in one query, in assignment order."""
    ids = list(task_ids)
    result: dict[int, list[User]] = defaultdict(list)
    if not ids:
        return result
    rows = await session.execute(
        select(TaskAssignee.task_id, User)
        .join(User, User.id == TaskAssignee.user_id)
        .where(TaskAssignee.task_id.in_(ids))
        .order_by(TaskAssignee.id)
    )
    for task_id, user in rows:
        result[task_id].append(user)
    return result


async def assignees_page(session: AsyncSession, task_id: int, params: PageParams) -> Page[User]:
    """The users assigned to one task (already found through ``readable``), in assignment order."""
    stmt = (
        select(User)
        .join(TaskAssignee, TaskAssignee.user_id == User.id)
        .where(TaskAssignee.task_id == task_id)
        .order_by(TaskAssignee.id)
    )
    return await paginate(session, stmt, params)


async def contracted_user_ids(
    session: AsyncSession, actor: Actor, project_id: int, user_ids: Iterable[int]
) -> set[int]:
    """Which of ``user_ids`` hold a contract on the project."""
    ids = list(user_ids)
    if not ids:
        return set()
    rows = await session.scalars(
        select(Contract.user_id).where(
            Contract.workspace_id == actor.workspace_id,
            Contract.project_id == project_id,
            Contract.user_id.in_(ids),
        )
    )
    return set(rows)


async def is_live_task_of_project(session: AsyncSession, actor: Actor, task_id: int, project_id: int) -> bool:
    found = await session.scalar(
        readable(actor).with_only_columns(Task.id).where(Task.id == task_id, Task.project_id == project_id)
    )
    return found is not None


async def is_ancestor_or_self(session: AsyncSession, actor: Actor, task_id: int, start_id: int) -> bool:
    """Whether ``task_id`` is ``start_id`` or one of its ancestors: one recursive query
    walking up the parent chain (UNION, not UNION ALL, so even a corrupt cycle ends)."""
    in_workspace = Task.workspace_id == actor.workspace_id
    chain = (
        select(Task.id, Task.parent_id).where(Task.id == start_id, in_workspace).cte("chain", recursive=True)
    )
    chain = chain.union(
        select(Task.id, Task.parent_id).join(chain, Task.id == chain.c.parent_id).where(in_workspace)
    )
    found = await session.scalar(select(chain.c.id).where(chain.c.id == task_id).limit(1))
    return found is not None


async def assignment(session: AsyncSession, task_id: int, user_id: int) -> TaskAssignee | None:
    row: TaskAssignee | None = await session.scalar(
        select(TaskAssignee).where(TaskAssignee.task_id == task_id, TaskAssignee.user_id == user_id)
    )
    return row


async def list_page(
    session: AsyncSession,
    actor: Actor,
    params: PageParams,
    *,
    project_id: int | None,
    status: int | None,
    priority: int | None,
    parent_id: int | None,
    order: tuple[str, bool],
) -> Page[TaskView]:
    """A page of tasks with their assignees (two queries whatever the page size)."""
    stmt = readable(actor)
    filters: list[ColumnElement[bool]] = []
    if project_id is not None:
        filters.append(Task.project_id == project_id)
    if status is not None:
        filters.append(Task.status == status)
    if priority is not None:
        filters.append(Task.priority == priority)
    if parent_id is not None:
        filters.append(Task.parent_id == parent_id)
    if filters:
        stmt = stmt.where(and_(*filters))
    page = await paginate(session, _ordered(stmt, *order), params)
    assignees = await assignees_of(session, (task.id for task in page.items))
    return Page([TaskView(task, assignees.get(task.id, [])) for task in page.items], page.pagination)


def _ordered(stmt: Select[Task], column_name: str, descending: bool) -> Select[Task]:
    column = Task.__table__.c[column_name]
    if column_name == "id":
        return stmt.order_by(column.desc() if descending else column.asc())
    # NULLS LAST on both databases (they disagree by default); id breaks ties.
    primary = (column.desc() if descending else column.asc()).nulls_last()
    return stmt.order_by(primary, Task.id.desc() if descending else Task.id.asc())


async def add(session: AsyncSession, *rows: Task | TaskAssignee) -> None:
    await save(session, *rows)


async def remove(session: AsyncSession, row: TaskAssignee) -> None:
    await session.delete(row)
    await session.flush()
