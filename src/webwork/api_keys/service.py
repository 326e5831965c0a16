"""Personal API keys of the authenticated user: issue (shown once), list, revoke."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import api_keys
from webwork.auth.principal import Principal
from webwork.kit.clock import utcnow
from webwork.kit.errors import NotFound
from webwork.kit.pagination import Page, PageParams, paginate
from webwork.models import ApiKey, User


async def issue(session: AsyncSession, user: User, name: str = "default") -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never stored."""
    plaintext = api_keys.generate_key()
    key = ApiKey(
        user_id=user.id,
        name=name,
        prefix=api_keys.shown_prefix(plaintext),
        digest=api_keys.digest(plaintext),
        created_at=utcnow(),
    )
    session.add(key)
    await session.flush()
    return key, plaintext


def _own_keys(principal: Principal) -> Select[ApiKey]:
    return select(ApiKey).where(ApiKey.user_id == principal.user_id, ApiKey.revoked_at.is_(None))


async def list_keys(session: AsyncSession, principal: Principal, params: PageParams) -> Page[ApiKey]:
    return await paginate(session, _own_keys(principal).order_by(ApiKey.id), params)


async def revoke(session: AsyncSession, principal: Principal, key_id: int) -> ApiKey:
    key: ApiKey | None = await session.scalar(_own_keys(principal).where(ApiKey.id == key_id))
    if key is None:
        raise NotFound("API key not found.")
    key.revoked_at = utcnow()
    await session.flush()
    return key
