"""All SQL of time entries, and of the rows a recording names: the member, the contract
with its project, the task.

Entries are read through :func:`readable`, so an entry of another workspace, or of a
member the actor may not see, is not found. The rows a recording names are looked up in
the actor's workspace by statements built once, with the ids as parameters."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor
from webwork.auth.visibility import restrict, visible_user_ids
from webwork.kit.pagination import Page, PageParams, paginate
from webwork.models import Contract, Membership, Project, Task, TimeEntry, User
from webwork.models.statuses import MembershipStatus


def readable(actor: Actor) -> Select[TimeEntry]:
    """The entries (running timers included) the actor may see: of the workspace, of the
    members the actor's role sees."""
    return select(TimeEntry).where(
        TimeEntry.workspace_id == actor.workspace_id, restrict(TimeEntry.user_id, visible_user_ids(actor))
    )


async def get(
    session: AsyncSession, actor: Actor, entry_id: uuid.UUID, *, for_update: bool = False
) -> TimeEntry | None:
    stmt = readable(actor).where(TimeEntry.id == entry_id)
    return await session.scalar(stmt.with_for_update() if for_update else stmt)


async def list_for_day(
    session: AsyncSession,
    actor: Actor,
    *,
    user_id: int,
    window: tuple[datetime, datetime],
    project_id: int | None,
    task_id: int | None,
    params: PageParams,
) -> Page[Any]:
    """Finished entries of one user touching [window) with their project name and task
    title, in one query per page."""
    start, end = window
    stmt = (
        readable(actor)
        .add_columns(Project.name, Task.title)
        .outerjoin(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Task, Task.id == TimeEntry.task_id)
        .where(
            TimeEntry.user_id == user_id,
            TimeEntry.end_at.is_not(None),
            TimeEntry.start_at < end,
            TimeEntry.end_at > start,
        )
        .order_by(TimeEntry.start_at, TimeEntry.id)
    )
    if project_id is not None:
        stmt = stmt.where(TimeEntry.project_id == project_id)
    if task_id is not None:
        stmt = stmt.where(TimeEntry.task_id == task_id)
    return await paginate(session, stmt, params)


async def touching(
    session: AsyncSession,
    actor: Actor,
    user_id: int,
    window: tuple[datetime, datetime],
    exclude: Sequence[uuid.UUID] = (),
) -> list[tuple[int | None, datetime, datetime | None]]:
    """(contract_id, start, end) of the member's entries touching [window), but those
    named in ``exclude``; ``end`` is None for a running timer."""
    start, end = window
    stmt = (
        readable(actor)
        .with_only_columns(TimeEntry.contract_id, TimeEntry.start_at, TimeEntry.end_at)
        .where(
            TimeEntry.user_id == user_id,
            TimeEntry.start_at < end,
            or_(TimeEntry.end_at.is_(None), TimeEntry.end_at > start),
        )
    )
    if exclude:
        stmt = stmt.where(TimeEntry.id.not_in(list(exclude)))
    return [(row[0], row[1], row[2]) for row in await session.execute(stmt)]


async def add(session: AsyncSession, *entries: TimeEntry) -> None:
    session.add_all(entries)
    await session.flush()


async def delete(session: AsyncSession, entry: TimeEntry) -> None:
    await session.delete(entry)
    await session.flush()


async def member(
    session: AsyncSession, actor: Actor, user_id: int, *, active: bool
) -> tuple[Membership, User] | None:
    """The membership and user of ``user_id`` in the workspace, if the actor may see
    them (and, with ``active``, if the membership is active)."""
    stmt = (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.workspace_id == actor.workspace_id,
            Membership.user_id == user_id,
            restrict(Membership.user_id, visible_user_ids(actor)),
        )
    )
    if active:
        stmt = stmt.where(Membership.status == MembershipStatus.ACTIVE)
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


_CONTRACT = (
    select(Contract, Project)
    .join(Project, Project.id == Contract.project_id)
    .where(Contract.workspace_id == bindparam("workspace_id"), Contract.id == bindparam("contract_id"))
)
_CONTRACT_ON_PROJECT = select(Contract.id).where(
    Contract.workspace_id == bindparam("workspace_id"),
    Contract.project_id == bindparam("project_id"),
    Contract.user_id == bindparam("user_id"),
)
_TASK = select(Task).where(
    Task.workspace_id == bindparam("workspace_id"), Task.id == bindparam("task_id"), Task.deleted_at.is_(None)
)


async def contract(session: AsyncSession, actor: Actor, contract_id: int) -> tuple[Contract, Project] | None:
    """A contract of the workspace with its project."""
    params = {"workspace_id": actor.workspace_id, "contract_id": contract_id}
    row = (await session.execute(_CONTRACT, params)).first()
    return None if row is None else (row[0], row[1])


async def contract_id_on_project(
    session: AsyncSession, actor: Actor, project_id: int, user_id: int
) -> int | None:
    """The id of the user's contract on a project of the workspace."""
    params = {"workspace_id": actor.workspace_id, "project_id": project_id, "user_id": user_id}
    found: int | None = await session.scalar(_CONTRACT_ON_PROJECT, params)
    return found


async def task(session: AsyncSession, actor: Actor, task_id: int) -> Task | None:
    """A task of the workspace that is not deleted."""
    found: Task | None = await session.scalar(_TASK, {"workspace_id": actor.workspace_id, "task_id": task_id})
    return found
