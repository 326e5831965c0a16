"""The practical ceiling for the peer workload: our two time-entry requests with the least code.

A bare Starlette app on aiosqlite, on a database made by ``webwork db upgrade`` and
``webwork bootstrap`` (so the same schema, indexes and API key digests as ours), answering
the same HTTP and JSON shape as ours with only the SQL those two requests need:

- ``POST /api/v2/time-entries``: in one ``BEGIN IMMEDIATE`` transaction, the key's digest
  looked up joined to the caller's and the member's memberships (and the contract and its
  project), the overlap check on ``ix_time_entries_member_start`` (a day's window, and the
  running timer by the partial index), one INSERT, COMMIT;
- ``GET /api/v2/time-entries``: the same key lookup joined to the membership, then one
  indexed SELECT of the member's day (with the total as a window count).

No ORM, no validation beyond what those statements need, no timezones (members are in
UTC), no weekly limits or timesheet locks: whatever ours costs beyond this is its own
code. One connection writes (writes queue on a lock, as SQLite queues them anyway) and
one reads, so reads never wait behind a commit.

Run by ``bench/run.py peer`` as ``uvicorn bench.ceiling:app`` with
``CEILING_DATABASE=<the SQLite file>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiosqlite
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ADMINS = ("owner", "executive_manager")
METHOD_LABEL = "Manually added time"

WRITE_AUTH = """
SELECT me.user_id, me.role, trim(target.firstname || ' ' || target.lastname), target.email,
    c.project_id, p.name
FROM api_keys k
JOIN memberships me ON me.user_id = k.user_id AND me.workspace_id = :ws AND me.status = 'active'
JOIN memberships m ON m.workspace_id = :ws AND m.user_id = :member AND m.status = 'active'
JOIN users target ON target.id = m.user_id
LEFT JOIN contracts c ON c.id = :contract AND c.workspace_id = :ws AND c.user_id = :member
LEFT JOIN projects p ON p.id = c.project_id
WHERE k.digest = :digest AND k.revoked_at IS NULL
"""
OVERLAP = """
SELECT (SELECT count(*) FROM time_entries
        WHERE workspace_id = :ws AND user_id = :member AND start_at < :end AND start_at > :earliest
          AND end_at > :start)
     + (SELECT count(*) FROM time_entries
        WHERE workspace_id = :ws AND user_id = :member AND end_at IS NULL)
"""
INSERT = """
INSERT INTO time_entries (id, workspace_id, user_id, contract_id, project_id, task_id, start_at,
    end_at, duration_seconds, activity_description, method, created_by, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, 'manual', ?, ?, ?)
"""
READ_AUTH = """
SELECT me.user_id, me.role
FROM api_keys k
JOIN memberships me ON me.user_id = k.user_id AND me.workspace_id = ? AND me.status = 'active'
WHERE k.digest = ? AND k.revoked_at IS NULL
"""
DAY = """
SELECT e.id, e.contract_id, e.project_id, p.name, e.task_id, t.title, e.activity_description,
    e.start_at, e.end_at, e.duration_seconds, count(*) OVER ()
FROM time_entries e
LEFT JOIN projects p ON p.id = e.project_id
LEFT JOIN tasks t ON t.id = e.task_id
WHERE e.workspace_id = ? AND e.user_id = ? AND e.start_at < ? AND e.start_at > ? AND e.end_at > ?
ORDER BY e.start_at, e.id
LIMIT ? OFFSET ?
"""


class Store:
    """The two connections and the lock that queues writers."""

    writer: aiosqlite.Connection
    reader: aiosqlite.Connection
    write_lock: asyncio.Lock


store = Store()


async def connect(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    for pragma in ("foreign_keys=ON", "busy_timeout=30000", "journal_mode=WAL", "synchronous=NORMAL"):
        await conn.execute(f"PRAGMA {pragma}")
    return conn


def stored(instant: datetime) -> str:
    """Our SQLite form of a UTC instant (see webwork.kit.db.UTCDateTime)."""
    return instant.strftime("%Y-%m-%d %H:%M:%S.%f")


def shown(value: str) -> str:
    return f"{value[:10]}T{value[11:19]}Z"


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def digest(request: Request) -> str:
    token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    return hashlib.sha256(token.encode()).hexdigest()


def answer(body: dict[str, Any], status: int = 200) -> Response:
    body["meta"] = {"api_version": "2.0.0", "timestamp": now_text(), **body.get("meta", {})}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def failure(status: int, message: str) -> Response:
    return answer({"success": False, "message": message, "error": "error", "errors": {}}, status)


async def create(request: Request) -> Response:
    body = orjson.loads(await request.body())
    ws, member, contract = int(body["workspace_id"]), int(body["user_id"]), body.get("contract_id")
    day = date.fromisoformat(body["date"])
    start = datetime.combine(day, datetime.strptime(body["start_time"], "%H:%M").time())
    end = datetime.combine(day, datetime.strptime(body["end_time"], "%H:%M").time())
    if end <= start:
        return failure(422, "The end time must be a time after start time.")
    notes = body.get("notes")
    entry_id = uuid.uuid4()
    async with store.write_lock:
        conn = store.writer
        await conn.execute("BEGIN IMMEDIATE")
        try:
            params = {"ws": ws, "member": member, "contract": contract, "digest": digest(request)}
            found = await (await conn.execute(WRITE_AUTH, params)).fetchone()
            if found is None:
                await conn.rollback()
                return failure(401, "Unauthenticated.")
            caller, role, fullname, email, project_id, project_name = found
            if caller != member and role not in ADMINS:
                await conn.rollback()
                return failure(403, "This action is unauthorized.")
            if contract is not None and project_id is None:
                await conn.rollback()
                return failure(422, "The selected contract id is invalid.")
            window = {
                "ws": ws,
                "member": member,
                "start": stored(start),
                "end": stored(end),
                "earliest": stored(start - timedelta(days=1)),
            }
            (overlaps,) = await (await conn.execute(OVERLAP, window)).fetchone()
            seconds = 0 if overlaps else int((end - start).total_seconds())
            if seconds:
                created = stored(datetime.now(UTC))
                row = (entry_id.hex, ws, member, contract, project_id, stored(start), stored(end), seconds)
                await conn.execute(INSERT, (*row, notes, caller, created, created))
            await conn.commit()
        except BaseException:
            await conn.rollback()
            raise
    minutes = seconds // 60
    data = {
        "user_id": member,
        "contract_id": contract,
        "project_id": project_id,
        "project_name": project_name,
        "task_id": None,
        "task_title": None,
        "activity_description": notes,
        "method": METHOD_LABEL,
        "date": day.isoformat(),
        "start_time": shown(stored(start)),
        "end_time": shown(stored(end)),
        "duration_minutes": minutes,
        "time_entry_ids": [str(entry_id)] if seconds else [],
    }
    message = f"{minutes} min successfully added for {fullname or email}."
    return answer({"success": True, "message": message, "saved_minutes": minutes, "data": data}, 201)


async def list_day(request: Request) -> Response:
    query = request.query_params
    ws, member = int(query["workspace_id"]), int(query["user_id"])
    day = date.fromisoformat(query["date"])
    per_page, page = int(query.get("per_page", 20)), int(query.get("page", 1))
    conn = store.reader
    found = await (await conn.execute(READ_AUTH, (ws, digest(request)))).fetchone()
    if found is None:
        return failure(401, "Unauthenticated.")
    caller, role = found
    if caller != member and role not in ADMINS:
        return failure(403, "This action is unauthorized.")
    first = datetime.combine(day, datetime.min.time())
    window = (
        ws,
        member,
        stored(first + timedelta(days=1)),
        stored(first - timedelta(days=1)),
        stored(first),
        per_page,
        (page - 1) * per_page,
    )
    rows = list(await (await conn.execute(DAY, window)).fetchall())
    total = rows[0][10] if rows else 0
    data = [
        {
            "id": str(uuid.UUID(r[0])),
            "user_id": member,
            "contract_id": r[1],
            "project_id": r[2],
            "project_name": r[3],
            "task_id": r[4],
            "task_title": r[5],
            "activity_description": r[6],
            "method": METHOD_LABEL,
            "date": r[7][:10],
            "start_time": shown(r[7]),
            "end_time": shown(r[8]),
            "duration_minutes": r[9] // 60,
        }
        for r in rows
    ]
    offset = (page - 1) * per_page
    pagination = {
        "current_page": page,
        "last_page": max(1, -(-total // per_page)),
        "per_page": per_page,
        "total": total,
        "from": offset + 1 if rows else None,
        "to": offset + len(rows) if rows else None,
    }
    message = "Time entries retrieved successfully"
    return answer({"success": True, "message": message, "data": data, "meta": {"pagination": pagination}})


@contextlib.asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    path = os.environ["CEILING_DATABASE"]
    store.writer, store.reader = await connect(path), await connect(path)
    store.write_lock = asyncio.Lock()
    try:
        yield
    finally:
        await store.writer.close()
        await store.reader.close()


app = Starlette(
    routes=[
        Route("/api/v2/time-entries", create, methods=["POST"]),
        Route("/api/v2/time-entries", list_day, methods=["GET"]),
    ],
    lifespan=lifespan,
)
