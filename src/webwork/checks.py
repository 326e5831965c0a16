"""``webwork check``: what an operator asks before starting (or after upgrading) a
server: which database and Redis the settings name, whether they answer, and whether
the schema is at the latest migration. Each check is one line; the command succeeds
only when every one is well."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from webwork.config import Settings, masked
from webwork.kit.db import Database
from webwork.kit.ratelimit import RateLimiter
from webwork.migrations import current_revision, head_revision, pending_revisions

# How long a service may take to answer before it counts as not answering.
TIMEOUT = 5.0


@dataclass(frozen=True)
class Finding:
    ok: bool
    line: str


async def run_checks(settings: Settings) -> list[Finding]:
    """The database first: the schema is only asked of a database that answers."""
    database = await _database(settings.database_url)
    findings = [database]
    if database.ok:
        findings.append(await asyncio.to_thread(_schema, settings.database_url))
    findings.append(await _redis(settings.redis_url))
    return findings


async def _database(url: str) -> Finding:
    name = f"Database {masked(url)}"
    missing = _missing_sqlite_file(url)
    if missing is not None:
        return Finding(False, f"{name}: {missing}")
    database = Database.from_url(url)
    try:
        async with asyncio.timeout(TIMEOUT), database.sessionmaker() as session:
            version = await session.scalar(text(_VERSION_QUERY[database.engine.dialect.name]))
    except Exception as exc:  # any failure to answer is the finding, whatever the driver raises
        return Finding(False, f"{name}: does not answer ({_reason(exc)})")
    finally:
        await database.dispose()
    return Finding(True, f"{name}: answers ({version})")


_VERSION_QUERY = {
    "sqlite": "SELECT 'SQLite ' || sqlite_version()",
    "postgresql": "SELECT 'PostgreSQL ' || current_setting('server_version')",
}


def _missing_sqlite_file(url: str) -> str | None:
    """A SQLite file that does not exist yet, or that the server could not write: said
    before connecting, which would create the file."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    if not path.exists():
        return "the file does not exist yet (`webwork db upgrade` creates it)"
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return f"{path} or its directory is read-only (SQLite writes its journal beside the file)"
    return None


def _schema(url: str) -> Finding:
    current, head = current_revision(url), head_revision()
    if current == head:
        return Finding(True, f"Schema: at {head}, the latest migration")
    pending = ", ".join(pending_revisions(current))
    return Finding(
        False, f"Schema: at {current or 'no migration'}; pending: {pending} (`webwork db upgrade`)"
    )


async def _redis(url: str | None) -> Finding:
    if url is None:
        return Finding(True, "Redis: not configured (rate limits are counted in the one server process)")
    name = f"Redis {masked(url)}"
    try:
        async with asyncio.timeout(TIMEOUT):
            healthy = await RateLimiter(redis_url=url).check_shared()
    except Exception as exc:  # as for the database: not answering is the finding
        return Finding(False, f"{name}: does not answer ({_reason(exc)})")
    return Finding(healthy, f"{name}: {'answers' if healthy else 'does not answer'}")


def _reason(exc: BaseException) -> str:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return reason if not isinstance(exc, TimeoutError) else f"no answer within {TIMEOUT:.0f} s"
