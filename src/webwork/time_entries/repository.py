"""SQL of time entries and of the rows a recording refers to (member, contract, task).

Every lookup is scoped to the caller's workspace: an id of another workspace is not
found. The tracking domain reuses these loaders."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor
from webwork.auth.visibility import restrict, visible_user_ids
from webwork.kit.errors import NotFound, invalid
from webwork.kit.pagination import Page, PageParams, paginate
from webwork.models import Contract, Membership, Project, Task, TimeEntry, User


def parse_entry_id(raw: str) -> uuid.UUID:
    """Time entry ids are opaque UUIDs; anything else names no entry (404)."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound("Time entry not found.") from None


def scoped(actor: Actor) -> Select[TimeEntry]:
    """The entries of the actor's workspace that the actor's role may see."""
    return select(TimeEntry).where(
        TimeEntry.workspace_id == actor.workspace_id, restrict(TimeEntry.user_id, visible_user_ids(actor))
    )


async def get_entry(
    session: AsyncSession, actor: Actor, entry_id: str, *, for_update: bool = False
) -> TimeEntry:
    stmt = scoped(actor).where(TimeEntry.id == parse_entry_id(entry_id))
    if for_update:
        stmt = stmt.with_for_update()
    entry = await session.scalar(stmt)
    if entry is None:
        raise NotFound("Time entry not found.")
    return entry


async def member(
    session: AsyncSession, actor: Actor, user_id: int, *, active: bool = True
) -> tuple[Membership, User]:
    """The membership and user of ``user_id`` in the actor's workspace (422 if none)."""
    stmt = (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == actor.workspace_id, Membership.user_id == user_id)
    )
    if active:
        stmt = stmt.where(Membership.status == "active")
    row = (await session.execute(stmt)).first()
    if row is None:
        raise invalid("user_id", "The selected user id is invalid.")
    return row[0], row[1]


async def contract(session: AsyncSession, actor: Actor, contract_id: int) -> Contract:
    found = await session.scalar(
        select(Contract).where(Contract.workspace_id == actor.workspace_id, Contract.id == contract_id)
    )
    if found is None:
        raise invalid("contract_id", "The selected contract id is invalid.")
    return found


async def contract_on_project(session: AsyncSession, actor: Actor, project_id: int, user_id: int) -> Contract:
    found = await session.scalar(
        select(Contract).where(
            Contract.workspace_id == actor.workspace_id,
            Contract.project_id == project_id,
            Contract.user_id == user_id,
        )
    )
    if found is None:
        raise invalid("project_id", "The user has no contract on the selected project.")
    return found


async def task(session: AsyncSession, actor: Actor, task_id: int) -> Task:
    found = await session.scalar(
        select(Task).where(
            Task.workspace_id == actor.workspace_id, Task.id == task_id, Task.deleted_at.is_(None)
        )
    )
    if found is None:
        raise invalid("task_id", "The selected task id is invalid.")
    return found


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
    title, in one query per page (plus the count)."""
    start, end = window
    stmt = (
        select(TimeEntry, Project.name, Task.title)
        .outerjoin(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Task, Task.id == TimeEntry.task_id)
        .where(
            TimeEntry.workspace_id == actor.workspace_id,
            restrict(TimeEntry.user_id, visible_user_ids(actor)),
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
