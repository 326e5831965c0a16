"""All SQL of signing in and password resets: users are reached by id or email (never
listed), reset tokens by their digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.kit.db import save
from webwork.models import PasswordReset, User


async def user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def replace_reset(session: AsyncSession, user_id: int, digest: str, expires_at: datetime) -> None:
    """The user's one live reset token becomes this one (an older link stops working)."""
    await session.execute(delete(PasswordReset).where(PasswordReset.user_id == user_id))
    await save(session, PasswordReset(user_id=user_id, digest=digest, expires_at=expires_at))


async def live_reset(session: AsyncSession, digest: str, now: datetime) -> tuple[PasswordReset, User] | None:
    row = (
        await session.execute(
            select(PasswordReset, User)
            .join(User, User.id == PasswordReset.user_id)
            .where(PasswordReset.digest == digest, PasswordReset.expires_at > now)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def drop_reset(session: AsyncSession, reset: PasswordReset) -> None:
    await session.delete(reset)
    await session.flush()
