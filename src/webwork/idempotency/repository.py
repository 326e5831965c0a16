"""The SQL of idempotency keys: each statement names the caller's user id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.kit.db import add_unless_taken
from webwork.models.idempotency import IdempotencyKey


async def purge_expired(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))


async def take(session: AsyncSession, user_id: int, key: str, fingerprint: str, until: datetime) -> bool:
    """Claim ``key`` for ``user_id``; False when the caller holds it already (the unique
    primary key decides a race)."""
    row = IdempotencyKey(user_id=user_id, key=key, fingerprint=fingerprint, expires_at=until)
    return await add_unless_taken(session, row)


async def find(session: AsyncSession, user_id: int, key: str) -> IdempotencyKey | None:
    statement = select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    row: IdempotencyKey | None = (await session.execute(statement)).scalar_one_or_none()
    return row


async def answer(
    session: AsyncSession,
    user_id: int,
    key: str,
    *,
    status_code: int,
    content_type: str | None,
    body: bytes,
    until: datetime,
) -> None:
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .values(status_code=status_code, content_type=content_type, body=body, expires_at=until)
    )


async def release(session: AsyncSession, user_id: int, key: str) -> None:
    await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
