"""Test databases: a migrated SQLite file or a fresh PostgreSQL database per run.

``WEBWORK_TEST_DATABASE_URL`` picks PostgreSQL (e.g.
``postgresql+asyncpg://postgres@127.0.0.1:5432/test``): the run creates its own database
next to that one (so parallel runs never collide), migrates it and drops it at the end.
In CI (``CI=true``) an unreachable PostgreSQL fails the run; elsewhere it is skipped."""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from webwork.migrations import upgrade

TEST_URL_ENV = "WEBWORK_TEST_DATABASE_URL"


def wanted_url() -> str | None:
    return os.environ.get(TEST_URL_ENV) or None


async def _pg_admin(url: str, statement: str) -> None:
    admin = create_async_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


@contextmanager
def test_database_url() -> Iterator[str]:
    """Yield the URL of a freshly migrated database for this test run."""
    url = wanted_url()
    if url is None or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="webwork-test-") as tmp:
            sqlite_url = f"sqlite+aiosqlite:///{Path(tmp) / 'test.db'}"
            upgrade(sqlite_url)
            yield sqlite_url
        return
    name = f"webwork_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_pg_admin(url, f'CREATE DATABASE "{name}"'))
    except (OSError, Exception) as exc:  # any failure to reach the server
        message = f"PostgreSQL at {make_url(url).render_as_string(hide_password=True)} is unreachable: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.exit(message, returncode=1)
        pytest.skip(message, allow_module_level=True)
    run_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(run_url)
        yield run_url
    finally:
        asyncio.run(_pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
