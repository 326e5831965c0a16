"""All SQL of the time requests domain: every statement starts from :func:`readable`,
so it is scoped to the actor's workspace and to the members the actor may see."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor
from webwork.auth.visibility import restrict, visible_user_ids
from webwork.kit.pagination import Page, Paged, PageParams, fetch_page
from webwork.models import TimeRequest


def readable(actor: Actor) -> Select[TimeRequest]:
    """The requests the actor may see: everyone's for admins, their members' for
    managers, their own for members."""
    return select(TimeRequest).where(
        TimeRequest.workspace_id == actor.workspace_id,
        restrict(TimeRequest.user_id, visible_user_ids(actor)),
    )


async def list_page(
    session: AsyncSession,
    actor: Actor,
    window: tuple[datetime, datetime],
    status: str | None,
    user_id: int | None,
    params: PageParams,
) -> Page[TimeRequest]:
    """Requests starting in [window), newest first."""
    start, end = window
    stmt = readable(actor).where(TimeRequest.start_at >= start, TimeRequest.start_at < end)
    if status is not None:
        stmt = stmt.where(TimeRequest.status == status)
    if user_id is not None:
        stmt = stmt.where(TimeRequest.user_id == user_id)
    return await fetch_page(
        session, Paged.of(stmt.order_by(TimeRequest.start_at.desc(), TimeRequest.id)), params
    )


async def get(
    session: AsyncSession, actor: Actor, request_id: uuid.UUID, *, lock: bool = False
) -> TimeRequest | None:
    stmt = readable(actor).where(TimeRequest.id == request_id)
    request: TimeRequest | None = await session.scalar(stmt.with_for_update() if lock else stmt)
    return request


async def add(session: AsyncSession, request: TimeRequest) -> None:
    session.add(request)
    await session.flush()
