"""All SQL of live timers. A timer is a time entry without an end, so every statement
starts from the time entries' readable statement: the actor's workspace, the members
the actor may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, bindparam
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.prebuilt import PerRole, Scope, viewer_params
from webwork.auth.principal import Actor
from webwork.kit.db import add_unless_taken
from webwork.models import Project, Task, TimeEntry
from webwork.time_entries import repository as time_entries_repository


def readable(actor: Scope) -> Select[TimeEntry]:
    """The running timers the actor may see."""
    return time_entries_repository.readable(actor).where(TimeEntry.end_at.is_(None))


@dataclass(frozen=True)
class Running:
    """A running timer with the names its answers show."""

    entry: TimeEntry
    project_name: str | None
    task_title: str | None


def _running(viewer: Scope, for_update: bool) -> Select[TimeEntry, str | None, str | None]:
    stmt = (
        readable(viewer)
        .add_columns(Project.name, Task.title)
        .outerjoin(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Task, Task.id == TimeEntry.task_id)
        .where(TimeEntry.user_id == bindparam("user_id"))
    )
    return stmt.with_for_update(of=TimeEntry) if for_update else stmt


_RUNNING = PerRole(_running)


async def running(
    session: AsyncSession, actor: Actor, user_id: int, *, for_update: bool = False
) -> Running | None:
    """The member's running timer in the workspace (there is at most one), with its
    project name and task title, in one statement (built once per role: every start,
    stop and current-data asks)."""
    values = {**viewer_params(actor), "user_id": user_id}
    row = (await session.execute(_RUNNING(actor, for_update), values)).first()
    return None if row is None else Running(row[0], row[1], row[2])


async def add(session: AsyncSession, timer: TimeEntry) -> bool:
    """Store a new timer; False when the member already has one running here (the
    partial unique index on ``(workspace_id, user_id) WHERE end_at IS NULL`` decides,
    so of concurrent starts only one can win)."""
    return await add_unless_taken(session, timer)


async def delete(session: AsyncSession, timer: TimeEntry) -> None:
    await session.delete(timer)
    await session.flush()
