"""Personal API keys of the authenticated user: create (shown once), list, revoke."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.api_keys import repository
from webwork.auth import api_keys
from webwork.auth.principal import Principal, UserView
from webwork.kit import clock
from webwork.kit.errors import found
from webwork.kit.pagination import Page, PageParams
from webwork.models import ApiKey


async def create(session: AsyncSession, user: UserView, name: str = "default") -> tuple[ApiKey, str]:
    """Create a key of ``user`` and return it with its plaintext, which is never stored.
    Takes the user, not a principal: invitations and the operator issue first keys."""
    plaintext = api_keys.generate_key()
    key = ApiKey(
        user_id=user.id,
        name=name,
        prefix=api_keys.shown_prefix(plaintext),
        digest=api_keys.digest(plaintext),
        created_at=clock.utcnow(),
    )
    await repository.add(session, key)
    return key, plaintext


async def list_page(session: AsyncSession, principal: Principal, params: PageParams) -> Page[ApiKey]:
    return await repository.list_page(session, principal, params)


async def delete(session: AsyncSession, principal: Principal, key_id: int) -> ApiKey:
    """Revoke one of the principal's keys: it stops authenticating at once."""
    key = found(await repository.get(session, principal, key_id), "API key not found.")
    key.revoked_at = clock.utcnow()
    await session.flush()
    return key
