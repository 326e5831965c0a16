"""Benchmark of ``/time-entries`` on PostgreSQL with 100,000 entries for 200 members.

Creates its own database next to ``WEBWORK_BENCH_DATABASE_URL`` (default
``postgresql+asyncpg://postgres@127.0.0.1:5432/test``), migrates it, bulk-inserts the
data with Core inserts, then measures requests per second through the ASGI app with
httpx (no network, one client, sequential requests) for:
- ``POST /time-entries`` (each a free hour of a different member-day, full save), and
- ``GET /time-entries`` (one user-day),
prints the figures and their ratio, and drops the database.

Run: ``python -m bench.run bulk`` (or ``make bench BENCH=bulk``)."""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from webwork.app import create_app
from webwork.auth import api_keys
from webwork.config import Settings
from webwork.kit.db import Database
from webwork.migrations import upgrade
from webwork.models import ApiKey, Contract, Membership, Project, TimeEntry, User, Workspace

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
MEMBERS = 200
ENTRIES = 100_000
REQUESTS = 300
FIRST_DAY = date(2025, 1, 6)  # a Monday; the data fills the following days
BATCH = 5_000


async def admin(url: str, statement: str) -> None:
    engine = create_async_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def seed(engine: AsyncEngine) -> tuple[int, str, list[int], list[int]]:
    """Workspace, owner with an API key, 200 members with a contract each, and
    ENTRIES entries spread over the members' days (two per day: 09-12 and 13-17 UTC)."""
    now = datetime.now(UTC)
    key = api_keys.generate_key()
    async with engine.begin() as conn:
        owner_id = (
            await conn.execute(
                insert(User)
                .values(email="owner@bench.test", firstname="Bench", lastname="Owner")
                .returning(User.id)
            )
        ).scalar_one()
        workspace_id = (
            await conn.execute(
                insert(Workspace).values(name="Bench", owner_id=owner_id).returning(Workspace.id)
            )
        ).scalar_one()
        await conn.execute(
            insert(Membership).values(workspace_id=workspace_id, user_id=owner_id, role="owner")
        )
        await conn.execute(
            insert(ApiKey).values(
                user_id=owner_id,
                name="bench",
                prefix=api_keys.shown_prefix(key),
                digest=api_keys.digest(key),
                created_at=now,
                last_used_at=now,
            )
        )
        project_id = (
            await conn.execute(
                insert(Project)
                .values(workspace_id=workspace_id, name="Bench project", owner_id=owner_id)
                .returning(Project.id)
            )
        ).scalar_one()
        users = [
            {"email": f"member{i}@bench.test", "firstname": "Member", "lastname": str(i)}
            for i in range(MEMBERS)
        ]
        member_ids = list((await conn.execute(insert(User).returning(User.id), users)).scalars())
        await conn.execute(
            insert(Membership),
            [{"workspace_id": workspace_id, "user_id": uid, "role": "member"} for uid in member_ids],
        )
        contract_ids = list(
            (
                await conn.execute(
                    insert(Contract).returning(Contract.id, sort_by_parameter_order=True),
                    [
                        {"workspace_id": workspace_id, "project_id": project_id, "user_id": uid}
                        for uid in member_ids
                    ],
                )
            ).scalars()
        )
        per_member = ENTRIES // MEMBERS
        rows: list[dict[str, Any]] = []
        for uid, cid in zip(member_ids, contract_ids, strict=True):
            for n in range(per_member):
                day = FIRST_DAY + timedelta(days=n // 2)
                start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(
                    hours=9 if n % 2 == 0 else 13
                )
                length = timedelta(hours=3 if n % 2 == 0 else 4)
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "workspace_id": workspace_id,
                        "user_id": uid,
                        "contract_id": cid,
                        "project_id": project_id,
                        "start_at": start,
                        "end_at": start + length,
                        "duration_seconds": int(length.total_seconds()),
                        "activity_description": "bench",
                        "method": "manual",
                        "created_by": owner_id,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                if len(rows) == BATCH:
                    await conn.execute(insert(TimeEntry), rows)
                    rows = []
        if rows:
            await conn.execute(insert(TimeEntry), rows)
        await conn.execute(text("ANALYZE"))
    return workspace_id, key, member_ids, contract_ids


async def rate(name: str, count: int, make: Callable[[int], Awaitable[httpx.Response]], expect: int) -> float:
    started = time.perf_counter()
    for i in range(count):
        response = await make(i)
        if response.status_code != expect:
            raise SystemExit(f"{name}: unexpected {response.status_code} {response.text[:300]}")
    elapsed = time.perf_counter() - started
    per_second = count / elapsed
    print(f"{name:<42} {count} requests in {elapsed:6.2f} s = {per_second:8.1f} req/s")
    return per_second


async def measure(url: str) -> None:
    engine = create_async_engine(url)
    try:
        started = time.perf_counter()
        workspace_id, key, member_ids, contract_ids = await seed(engine)
        print(f"seeded {ENTRIES} entries for {MEMBERS} members in {time.perf_counter() - started:.1f} s")
    finally:
        await engine.dispose()

    settings = Settings(database_url=url, rate_limit="off")
    database = Database.from_url(url)
    app = create_app(settings, database)
    headers = {"Authorization": f"Bearer {key}"}
    days_with_data = ENTRIES // MEMBERS // 2
    picks = random.Random(7)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench/api/v2", headers=headers
        ) as client:

            def post(i: int) -> Awaitable[httpx.Response]:
                member = i % MEMBERS
                day = FIRST_DAY + timedelta(days=i // MEMBERS)  # a day with data: 18:00-19:00 is free
                return client.post(
                    "/time-entries",
                    json={
                        "workspace_id": workspace_id,
                        "user_id": member_ids[member],
                        "contract_id": contract_ids[member],
                        "date": day.isoformat(),
                        "start_time": "18:00",
                        "end_time": "19:00",
                        "notes": "bench",
                    },
                )

            def get(_: int) -> Awaitable[httpx.Response]:
                member = picks.randrange(MEMBERS)
                day = FIRST_DAY + timedelta(days=picks.randrange(days_with_data))
                return client.get(
                    "/time-entries",
                    params={
                        "workspace_id": workspace_id,
                        "user_id": member_ids[member],
                        "date": day.isoformat(),
                    },
                )

            await rate("warm-up GET", 20, get, 200)
            posts = await rate("POST /time-entries", REQUESTS, post, 201)
            gets = await rate("GET /time-entries (one user-day)", REQUESTS, get, 200)
            print(f"ratio GET/POST: {gets / posts:.2f}")
    finally:
        await database.engine.dispose()


def main() -> None:
    base = os.environ.get("WEBWORK_BENCH_DATABASE_URL", DEFAULT_URL)
    name = f"webwork_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(admin(base, f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        asyncio.run(measure(url))
    finally:
        asyncio.run(admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
