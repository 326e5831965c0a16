"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import webwork.models


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, webwork.models.Base.metadata))


async def test_migrated_database_matches_models(engine: AsyncEngine) -> None:
    """The session's database was built by ``upgrade head`` from empty."""
    async with engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []
