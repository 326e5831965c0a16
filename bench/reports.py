"""Benchmark of the report endpoints on a large dataset, against a real ``webwork serve``.

Seeds a database migrated as an operator migrates it (``webwork db upgrade``, then
``webwork bootstrap --json`` for the owner's key): 1,000 members, 200 projects with 5 tasks
each, two contracts per member, and time entries spread over the two years before
``--until`` (PostgreSQL: 1,000,000 entries through COPY, asyncpg's
``copy_records_to_table``; SQLite: 100,000 through multi-row inserts). Then, against
``webwork serve`` on that database:

1. each report endpoint given (``--endpoint``, repeatable; default: ``/reports/tracked-hours``
   for the last whole month of all members, and for the last year of one member) is called
   ``--runs`` times in a row: median and p95 of the answer's time. An endpoint that
   answers 404 is "not served yet", so the benchmark runs before and after the reports
   land; any other non-2xx is printed with its message;
2. "never stalls": the p50/p99 of small GETs (``/projects``, ``/time-tracking/current-data``)
   from 16 clients, alone and while a one-year all-members report runs again and again
   beside them;
3. the peak RSS of the server's processes (``/proc``, sampled every 10 ms) while a year of
   the report is exported as CSV and as XLSX (``format=csv|xlsx``; "not served yet" on 404
   or 422).

Run from the project root::

    python -m bench.reports --db postgres|sqlite [--entries N] [--runs R] [--keep]
        [--endpoint '/reports/tracked-hours?start_date={month_start}&end_date={month_end}']

An endpoint's query may use ``{month_start}``, ``{month_end}``, ``{year_start}``,
``{year_end}`` and ``{member_id}``; ``workspace_id`` is added. The PostgreSQL database is
``webwork_bench_reports`` next to ``--pg-url`` (created afresh, dropped at the end unless
``--keep``); the SQLite file lives in a temporary folder (kept, and its path printed, with
``--keep``). Nothing asserts a timing: the figures are printed."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bench import harness
from bench.harness import Database, Server, Target
from bench.load import Call, drive, percentile

# The seeding writes through this checkout's models (the server runs this checkout's
# code too, through PYTHONPATH): its src comes before any installed webwork.
sys.path.insert(0, str(harness.REPO / "src"))

DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PG_DATABASE = "webwork_bench_reports"
DEFAULT_ENTRIES = {"postgres": 1_000_000, "sqlite": 100_000}
MEMBERS = 1_000
PROJECTS = 200
TASKS_PER_PROJECT = 5
# Two-hour slots of a working day, UTC: 08-10, 10-12, 13-15, 15-17.
SLOT_STARTS = (8, 10, 13, 15)
SLOT = timedelta(hours=2)
BATCH = 20_000
SMALL_GETS = 800
CLIENTS = 16
NOT_SERVED = (404,)
EXPORT_NOT_SERVED = (404, 422)


@dataclass(frozen=True)
class Seeded:
    workspace_id: int
    owner_key: str
    member_ids: list[int]
    entries: int
    seconds: float


def working_days(until: date, years: int = 2) -> list[date]:
    """Monday..Friday of the ``years`` years before ``until`` (excluded)."""
    first = until - timedelta(days=365 * years)
    days = (first + timedelta(days=n) for n in range((until - first).days))
    return [day for day in days if day.isoweekday() <= 5]


def entry_rows(
    workspace_id: int,
    owner_id: int,
    members: list[int],
    contracts: dict[int, list[tuple[int, int, list[int]]]],
    total: int,
    days: list[date],
) -> Iterator[tuple[Any, ...]]:
    """``total`` finished entries, as many per member, spread evenly over the members'
    working slots (never overlapping): (id, workspace, user, contract, project, task,
    start, end, seconds, description, activity level, method, created_by, created,
    updated)."""
    now = datetime.now(UTC)
    slots = len(days) * len(SLOT_STARTS)
    per_member, extra = divmod(total, len(members))
    picks = random.Random(11)
    for index, user_id in enumerate(members):
        count = min(slots, per_member + (1 if index < extra else 0))
        for j in range(count):
            at = j * slots // count
            day, hour = days[at // len(SLOT_STARTS)], SLOT_STARTS[at % len(SLOT_STARTS)]
            start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            end = start + SLOT - timedelta(minutes=picks.randrange(0, 30))
            contract_id, project_id, tasks = contracts[user_id][j % len(contracts[user_id])]
            yield (
                uuid.uuid4(),
                workspace_id,
                user_id,
                contract_id,
                project_id,
                tasks[j % len(tasks)] if j % 4 else None,
                start,
                end,
                int((end - start).total_seconds()),
                f"bench work {j % 7}",
                picks.randrange(0, 101),
                "tracked" if j % 3 else "manual",
                owner_id,
                now,
                now,
            )


ENTRY_COLUMNS = (
    "id",
    "workspace_id",
    "user_id",
    "contract_id",
    "project_id",
    "task_id",
    "start_at",
    "end_at",
    "duration_seconds",
    "activity_description",
    "activity_level",
    "method",
    "created_by",
    "created_at",
    "updated_at",
)


async def _ids(conn: AsyncConnection, stmt: Any, rows: list[dict[str, Any]]) -> list[int]:
    result = await conn.execute(stmt.returning(stmt.table.c.id, sort_by_parameter_order=True), rows)
    return [int(value) for value in result.scalars()]


async def seed(url: str, boot: dict[str, Any], total: int, until: date) -> Seeded:
    """The members, projects, tasks and contracts through Core inserts (the models' own
    defaults apply), the entries by COPY on PostgreSQL and multi-row inserts on SQLite."""
    from sqlalchemy import insert

    from webwork.models import Contract, Membership, Project, Task, TimeEntry, User

    started = time.perf_counter()
    workspace_id, owner_id = int(boot["workspace_id"]), int(boot["user_id"])
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            users = [
                {"email": f"member{i}@bench.test", "firstname": "Member", "lastname": str(i)}
                for i in range(MEMBERS)
            ]
            members = await _ids(conn, insert(User), users)
            await conn.execute(
                insert(Membership),
                [{"workspace_id": workspace_id, "user_id": uid, "role": "member"} for uid in members],
            )
            projects = await _ids(
                conn,
                insert(Project),
                [
                    {"workspace_id": workspace_id, "name": f"Project {i}", "owner_id": owner_id}
                    for i in range(PROJECTS)
                ],
            )
            task_rows = [
                {
                    "workspace_id": workspace_id,
                    "project_id": pid,
                    "title": f"Task {n} of {pid}",
                    "owner_id": owner_id,
                    "creator_id": owner_id,
                }
                for pid in projects
                for n in range(TASKS_PER_PROJECT)
            ]
            task_ids = await _ids(conn, insert(Task), task_rows)
            tasks_of: dict[int, list[int]] = {}
            for row, tid in zip(task_rows, task_ids, strict=True):
                tasks_of.setdefault(row["project_id"], []).append(tid)
            pairs = [
                (uid, projects[(i + shift) % PROJECTS])
                for i, uid in enumerate(members)
                for shift in (0, PROJECTS // 2)
            ]
            contract_ids = await _ids(
                conn,
                insert(Contract),
                [
                    {"workspace_id": workspace_id, "project_id": pid, "user_id": uid, "rate": 20 + uid % 30}
                    for uid, pid in pairs
                ],
            )
            contracts: dict[int, list[tuple[int, int, list[int]]]] = {}
            for (uid, pid), cid in zip(pairs, contract_ids, strict=True):
                contracts.setdefault(uid, []).append((cid, pid, tasks_of[pid]))
            rows = entry_rows(workspace_id, owner_id, members, contracts, total, working_days(until))
            if engine.dialect.name == "postgresql":
                raw = await conn.get_raw_connection()
                await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                    "time_entries", records=rows, columns=list(ENTRY_COLUMNS)
                )
            else:
                batch: list[dict[str, Any]] = []
                for row in rows:
                    batch.append(dict(zip(ENTRY_COLUMNS, row, strict=True)))
                    if len(batch) == BATCH:
                        await conn.execute(insert(TimeEntry), batch)
                        batch = []
                if batch:
                    await conn.execute(insert(TimeEntry), batch)
            count = int((await conn.execute(text("SELECT count(*) FROM time_entries"))).scalar_one())
        # VACUUM on PostgreSQL too: it sets the visibility map that autovacuum keeps in
        # a running database, without which no index-only scan skips the heap.
        async with engine.connect() as conn:
            vacuum = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(text(vacuum))
    finally:
        await engine.dispose()
    return Seeded(workspace_id, str(boot["api_key"]), members, count, time.perf_counter() - started)


def _admin(pg_url: str, statement: str) -> None:
    async def run() -> None:
        engine = create_async_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


@contextmanager
def database(kind: str, target: Target, keep: bool) -> Iterator[Database]:
    """``webwork_bench_reports`` on PostgreSQL (dropped unless ``keep``), or a SQLite file
    in a temporary folder (left in place, and named, with ``keep``)."""
    folder = Path(tempfile.mkdtemp(prefix="webwork-bench-reports-"))
    try:
        if kind == "sqlite":
            yield Database(kind, f"sqlite+aiosqlite:///{folder / 'reports.db'}", folder, target.src)
            return
        _admin(target.pg_url, f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        _admin(target.pg_url, f'CREATE DATABASE "{PG_DATABASE}"')
        url = make_url(target.pg_url).set(database=PG_DATABASE).render_as_string(hide_password=False)
        try:
            yield Database(kind, url, folder, target.src)
        finally:
            if not keep:
                _admin(target.pg_url, f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
    finally:
        if keep:
            print(f"kept: {folder if kind == 'sqlite' else PG_DATABASE}")
        else:
            for path in sorted(folder.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            folder.rmdir()


@dataclass(frozen=True)
class Ranges:
    month_start: date
    month_end: date
    year_start: date
    year_end: date

    @classmethod
    def before(cls, until: date) -> Ranges:
        """The last whole month and the last 365 days before ``until``."""
        month_end = until.replace(day=1) - timedelta(days=1)
        return cls(
            month_end.replace(day=1), month_end, until - timedelta(days=365), until - timedelta(days=1)
        )

    def fill(self, endpoint: str, workspace_id: int, member_id: int) -> str:
        """The endpoint with its placeholders filled and ``workspace_id`` added (in the
        path: a client's own ``params`` would replace the path's query)."""
        path = endpoint.format(member_id=member_id, **{k: v.isoformat() for k, v in vars(self).items()})
        return f"{path}{'&' if '?' in path else '?'}workspace_id={workspace_id}"


def default_endpoints() -> list[str]:
    return [
        "/reports/tracked-hours?start_date={month_start}&end_date={month_end}",
        "/reports/tracked-hours?start_date={year_start}&end_date={year_end}&users={member_id}",
    ]


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message", ""))[:160]
    except ValueError:
        return response.text[:160]


def time_endpoint(client: httpx.Client, path: str, runs: int) -> str:
    """``runs`` calls one after the other: median and p95, or why it was not measured."""
    first = client.get(path)
    if first.status_code in NOT_SERVED:
        return "not served yet (404)"
    if first.status_code >= 300:
        return f"answered {first.status_code}: {_message(first)}"
    seconds: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - started)
        if response.status_code >= 300:
            return f"answered {response.status_code} on a repeat: {_message(response)}"
    ms = [s * 1000 for s in seconds]
    return (
        f"median {statistics.median(ms):8.1f} ms  p95 {percentile(ms, 95):8.1f} ms  "
        f"({runs} runs, {len(first.content):,} bytes)"
    )


class Repeating(threading.Thread):
    """Calls ``path`` again and again until stopped (the report running beside the load)."""

    def __init__(self, base: str, headers: dict[str, str], path: str) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=base, headers=headers, timeout=600)
        self.path = path
        self.done = threading.Event()
        self.statuses: list[int] = []

    def run(self) -> None:
        while not self.done.is_set():
            self.statuses.append(self.client.get(self.path).status_code)

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.client.close()


def small_gets(server: Server, headers: dict[str, str], workspace_id: int, member_id: int) -> str:
    params = {"workspace_id": workspace_id}
    calls = (
        Call("GET /projects", "GET", "/projects", params),
        Call("GET /time-tracking/current-data", "GET", "/time-tracking/current-data", params),
    )
    outcome = drive(server.api, headers, lambda i: calls[i % 2], count=SMALL_GETS, clients=CLIENTS)
    ms = [s * 1000 for s in outcome.all_latencies()]
    bad = outcome.server_errors + outcome.other_failures
    return (
        f"p50 {percentile(ms, 50):7.1f} ms  p99 {percentile(ms, 99):7.1f} ms  "
        f"{outcome.rate:6.1f} req/s  non-2xx {bad}"
    )


def never_stalls(
    server: Server, headers: dict[str, str], workspace_id: int, member_id: int, year: str
) -> None:
    print(
        f"never stalls: {SMALL_GETS} small GETs (/projects, /time-tracking/current-data), {CLIENTS} clients"
    )
    print(f"  alone:                     {small_gets(server, headers, workspace_id, member_id)}")
    beside = Repeating(server.api, headers, year)
    beside.start()
    try:
        figures = small_gets(server, headers, workspace_id, member_id)
    finally:
        beside.stop()
    served = [s for s in beside.statuses if s < 300]
    note = f"{len(served)} report(s) answered meanwhile"
    if not served:
        note = f"report not served yet ({sorted(set(beside.statuses))}): nothing ran beside"
    print(f"  beside a year's report:    {figures}  [{note}]")


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants (``webwork serve --workers N``)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
        kib = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), "0")
        total += int(kib) * 1024
    return total


def export_peak(client: httpx.Client, pid: int, path: str) -> str:
    """The peak RSS of the server while ``path`` is downloaded, sampled every 10 ms."""
    baseline = tree_rss(pid)
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        with client.stream("GET", path) as response:
            size = sum(len(chunk) for chunk in response.iter_bytes())
            status = response.status_code
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    if status in EXPORT_NOT_SERVED:
        return f"not served yet ({status})"
    if status >= 300:
        return f"answered {status}"
    mib = 1024 * 1024
    return (
        f"{size / mib:7.1f} MiB in {seconds:6.2f} s  server RSS {baseline / mib:6.1f} MiB before, "
        f"peak {peak[0] / mib:6.1f} MiB (+{(peak[0] - baseline) / mib:.1f})"
    )


@dataclass(frozen=True)
class Statement:
    seconds: float
    sql: str
    parameters: Any


async def slowest_statement(url: str, key: str, path: str) -> Statement:
    """The slowest SQL statement of one call of ``path``, answered in this process by
    the app itself (``create_app`` on its own ``Database``, through httpx's ASGI
    transport): the engine's cursor events time every statement with its parameters."""
    from sqlalchemy import event

    from webwork.app import create_app
    from webwork.config import Settings
    from webwork.kit.db import Database

    database = Database.from_url(url)
    timed: list[Statement] = []
    engines = {database.engine}
    for maker in (database.reader, database.long_reader):
        bind = maker.kw.get("bind") if maker is not None else None
        if bind is not None:
            engines.add(bind)

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        conn.info["bench.started"] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        timed.append(Statement(time.perf_counter() - conn.info.pop("bench.started"), statement, parameters))

    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", before)
        event.listen(engine.sync_engine, "after_cursor_execute", after)
    app = create_app(Settings(database_url=url, rate_limit="off"), database)
    try:
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {key}"}
        base = "http://bench/api/v2"
        async with httpx.AsyncClient(transport=transport, base_url=base, headers=headers) as client:
            response = await client.get(path, timeout=600)
            response.raise_for_status()
    finally:
        await database.dispose()
    return max(timed, key=lambda s: s.seconds)


async def explain_analyze(url: str, statement: Statement) -> list[str]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of the statement with its own parameters, on
    asyncpg's connection (the statement is the driver's text, ``$n`` placeholders)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            rows = await raw.driver_connection.fetch(  # type: ignore[union-attr]
                f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", *statement.parameters
            )
    finally:
        await engine.dispose()
    return [row[0] for row in rows]


def print_explain(url: str, key: str, path: str) -> None:
    statement = asyncio.run(slowest_statement(url, key, path))
    took = f"{statement.seconds * 1000:.1f} ms in the app"
    print(f"EXPLAIN ANALYZE of the slowest statement of {path} ({took}):")
    for line in asyncio.run(explain_analyze(url, statement)):
        print(f"    {line}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), required=True)
    parser.add_argument(
        "--entries", type=int, help="time entries to seed (1,000,000 PostgreSQL, 100,000 SQLite)"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed calls per endpoint (after one warm-up)")
    parser.add_argument("--endpoint", action="append", help="report path and query (repeatable)")
    parser.add_argument(
        "--until",
        type=date.fromisoformat,
        default=datetime.now(UTC).date(),
        help="the data ends the day before (default: today)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="PostgreSQL: print EXPLAIN ANALYZE of each endpoint's slowest statement",
    )
    parser.add_argument(
        "--skip-load", action="store_true", help="time the endpoints only (no never-stalls, no exports)"
    )
    parser.add_argument("--venv", type=Path, default=Path(sys.executable).parent.parent)
    parser.add_argument("--pg-url", default=os.environ.get("WEBWORK_BENCH_DATABASE_URL", DEFAULT_PG_URL))
    args = parser.parse_args(argv)
    target = Target(args.venv.absolute(), args.pg_url)
    total = args.entries or DEFAULT_ENTRIES[args.db]
    ranges = Ranges.before(args.until)
    endpoints = args.endpoint or default_endpoints()
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"bench.reports on {args.db}: {total:,} entries, {MEMBERS} members, {PROJECTS} projects; "
        f"load {' '.join(load)}; {os.cpu_count()} cores"
    )
    with database(args.db, target, args.keep) as db:
        boot = harness.prepare(target, db)
        seeded = asyncio.run(seed(db.url, boot, total, args.until))
        print(f"seeded {seeded.entries:,} entries in {seeded.seconds:.1f} s")
        member_id = seeded.member_ids[0]
        headers = {"Authorization": f"Bearer {seeded.owner_key}"}
        with harness.ours(target, db) as server:
            client = httpx.Client(base_url=server.api, headers=headers, timeout=600)
            for endpoint in endpoints:
                path = ranges.fill(endpoint, seeded.workspace_id, member_id)
                print(f"{path}\n  {time_endpoint(client, path, args.runs)}")
                if args.explain and args.db == "postgres":
                    print_explain(db.url, seeded.owner_key, path)
            if args.skip_load:
                client.close()
                return
            year = ranges.fill(
                "/reports/tracked-hours?start_date={year_start}&end_date={year_end}",
                seeded.workspace_id,
                member_id,
            )
            never_stalls(server, headers, seeded.workspace_id, member_id, year)
            print("exports of a year, all members (peak RSS of the server's processes):")
            for fmt in ("csv", "xlsx"):
                print(f"  {fmt:<5} {export_peak(client, server.proc.pid, f'{year}&format={fmt}')}")
            client.close()
        if server.problems:
            print(f"server log: {len(server.problems)} problem line(s), first: {server.problems[:3]}")


if __name__ == "__main__":
    main()
