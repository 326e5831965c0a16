"""SQL of live timers: the running entry of a user and the user's entries of one day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor
from webwork.auth.visibility import restrict, visible_user_ids
from webwork.models import Membership, Project, Task, TimeEntry


async def running_timer(
    session: AsyncSession, user_id: int, *, workspace_id: int, for_update: bool = False
) -> TimeEntry | None:
    """The member's running timer in the workspace (there is at most one)."""
    stmt = select(TimeEntry).where(
        TimeEntry.workspace_id == workspace_id, TimeEntry.user_id == user_id, TimeEntry.end_at.is_(None)
    )
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def names(session: AsyncSession, entry: TimeEntry) -> tuple[str | None, str | None]:
    """Project name and task title of an entry."""
    project_name = (
        await session.scalar(select(Project.name).where(Project.id == entry.project_id))
        if entry.project_id
        else None
    )
    task_title = (
        await session.scalar(select(Task.title).where(Task.id == entry.task_id)) if entry.task_id else None
    )
    return project_name, task_title


async def day_intervals(
    session: AsyncSession, actor: Actor, user_id: int, window: tuple[datetime, datetime]
) -> list[tuple[datetime, datetime | None]]:
    """(start, end) of the user's entries in the workspace touching ``window``; end is
    None for the running timer."""
    start, end = window
    rows = await session.execute(
        select(TimeEntry.start_at, TimeEntry.end_at).where(
            TimeEntry.workspace_id == actor.workspace_id,
            TimeEntry.user_id == user_id,
            TimeEntry.start_at < end,
            or_(TimeEntry.end_at.is_(None), TimeEntry.end_at > start),
        )
    )
    return [(row[0], row[1]) for row in rows.all()]


async def may_see(session: AsyncSession, actor: Actor, user_id: int) -> bool:
    """Whether ``user_id`` is a member of the workspace the actor's role lets them see."""
    found = await session.scalar(
        select(Membership.user_id).where(
            Membership.workspace_id == actor.workspace_id,
            Membership.user_id == user_id,
            restrict(Membership.user_id, visible_user_ids(actor)),
        )
    )
    return found is not None
