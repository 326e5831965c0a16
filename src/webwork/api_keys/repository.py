"""All SQL of the API keys domain; a caller's keys are read through ``readable(principal)``."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Principal
from webwork.kit.db import save
from webwork.kit.pagination import Page, PageParams, paginate
from webwork.models import ApiKey


def readable(principal: Principal) -> Select[ApiKey]:
    """The principal's own keys that are not revoked."""
    return select(ApiKey).where(ApiKey.user_id == principal.user_id, ApiKey.revoked_at.is_(None))


async def list_page(session: AsyncSession, principal: Principal, params: PageParams) -> Page[ApiKey]:
    return await paginate(session, readable(principal).order_by(ApiKey.id), params)


async def get(session: AsyncSession, principal: Principal, key_id: int) -> ApiKey | None:
    key: ApiKey | None = await session.scalar(readable(principal).where(ApiKey.id == key_id))
    return key


async def add(session: AsyncSession, *rows: ApiKey) -> None:
    await save(session, *rows)
