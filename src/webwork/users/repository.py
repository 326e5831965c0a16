"""All SQL of the users domain. Users exist once per installation, outside every
workspace: they are reached by email (invitations, the operator's bootstrap), never
listed to a caller, so there is no caller to scope by."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.kit.db import save
from webwork.models import User


async def by_email(session: AsyncSession, normalized_email: str) -> User | None:
    return await session.scalar(select(User).where(func.lower(User.email) == normalized_email))


async def first_email(session: AsyncSession) -> str | None:
    """The email of the oldest user."""
    return await session.scalar(select(User.email).order_by(User.id).limit(1))


async def exists_any(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(User)))


async def add(session: AsyncSession, *rows: User) -> None:
    await save(session, *rows)
