"""Soak test (issue 21): the manager's mix of bench/run.py at 32 clients on PostgreSQL for
10 minutes against ``webwork serve`` as an operator starts it, sampling once a minute the
server's memory (RSS), the connections it holds open on the database
(``pg_stat_activity``) and its pool's connections in use (``/metrics``).

From the project root, outside ``make test``::

    python -m bench.soak [--minutes 10] [--clients 32] [--venv .venv] [--src src] [--pg-url URL]

It prints one row per minute and three verdicts: flat memory (the last minute's RSS
within 10% of the second's: the first minute warms caches up), no leaked connections
(never more open than the pool allows, and none left in use once the load stops), and no
5xx. Nothing asserts a timing; the exit status is 1 when a verdict fails."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from bench import harness
from bench.load import drive, percentile
from bench.run import DEFAULT_PG_URL, MANAGER_MIX, MixPlan

# The pool of kit/db.py: pool_size 10 + max_overflow 20.
POOL_LIMIT = 30
MEMORY_SLACK = 0.10


@dataclass
class Sample:
    minute: int
    calls: int
    rate: float
    p50_ms: float
    p99_ms: float
    server_errors: int
    other: int
    rss_mb: float
    pg_connections: int
    pool_in_use: float


def rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children (uvicorn's workers)."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total_kb = 0
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


def pg_connections(url: str) -> int:
    """Connections open on the server's database, whoever's (the soak opens none)."""
    name = make_url(url).database

    async def count() -> int:
        engine = create_async_engine(make_url(url).set(database="postgres"))
        try:
            async with engine.connect() as conn:
                query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name")
                return int((await conn.execute(query, {"name": name})).scalar_one())
        finally:
            await engine.dispose()

    return asyncio.run(count())


def pool_in_use(base: str) -> float:
    text_format = httpx.get(f"{base}/metrics", timeout=10).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text_format.splitlines()
        if line.startswith("db_pool_connections_in_use{")
    )


def soak(args: argparse.Namespace) -> int:
    target = harness.Target(args.venv.resolve(), args.pg_url, args.src.resolve())
    samples: list[Sample] = []
    with harness.database("postgres", target) as db:
        boot = harness.prepare(target, db)
        with harness.ours(target, db) as server:
            ws = harness.seed(server, boot, members=8, projects=4)
            plan = MixPlan(ws, MANAGER_MIX)
            headers = {"Authorization": f"Bearer {ws.manager_key}"}
            drive(server.api, headers, plan, count=200, clients=4)
            print(f"== soak: manager mix, {args.clients} clients, {args.minutes} min, PostgreSQL ==")
            print(
                f"{'min':>3} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'5xx':>5} {'other':>5}"
                f" {'RSS MB':>7} {'pg conns':>8} {'in use':>6}"
            )
            for minute in range(1, args.minutes + 1):
                outcome = drive(server.api, headers, plan, count=10**9, clients=args.clients, max_seconds=60)
                latencies = outcome.all_latencies()
                sample = Sample(
                    minute,
                    outcome.count,
                    outcome.rate,
                    percentile(latencies, 50) * 1000,
                    percentile(latencies, 99) * 1000,
                    outcome.server_errors,
                    outcome.other_failures,
                    rss_mb(server.proc.pid),
                    pg_connections(db.url),
                    pool_in_use(server.base),
                )
                samples.append(sample)
                print(
                    f"{minute:3d} {sample.rate:7.1f} {sample.p50_ms:7.1f} {sample.p99_ms:7.1f}"
                    f" {sample.server_errors:5d} {sample.other:5d} {sample.rss_mb:7.1f}"
                    f" {sample.pg_connections:8d} {sample.pool_in_use:6.0f}",
                    flush=True,
                )
                for line in outcome.evidence[:2]:
                    print(f"    {line}")
            time.sleep(1)
            idle_in_use = pool_in_use(server.base)
        server.collect_problems()
    return verdicts(samples, idle_in_use, server.problems)


def verdicts(samples: list[Sample], idle_in_use: float, problems: list[str]) -> int:
    base = samples[1] if len(samples) > 1 else samples[0]
    last = samples[-1]
    growth = (last.rss_mb - base.rss_mb) / base.rss_mb
    flat = growth <= MEMORY_SLACK
    most = max(s.pg_connections for s in samples)
    no_leak = most <= POOL_LIMIT and idle_in_use == 0
    errors = sum(s.server_errors for s in samples)
    print(
        f"flat memory: {'yes' if flat else 'NO'} ({base.rss_mb:.1f} MB at minute {base.minute},"
        f" {last.rss_mb:.1f} MB at minute {last.minute}: {growth:+.1%}, allowed +{MEMORY_SLACK:.0%})"
    )
    print(
        f"no leaked connections: {'yes' if no_leak else 'NO'} (at most {most} open on the database,"
        f" pool allows {POOL_LIMIT}; {idle_in_use:.0f} in use once the load stopped)"
    )
    calls = sum(s.calls for s in samples)
    print(f"no 5xx: {'yes' if errors == 0 else 'NO'} ({errors} of {calls} calls)")
    if problems:
        print(f"server log: {len(problems)} lines of errors, e.g. {problems[0][:200]}")
    return 0 if flat and no_leak and errors == 0 else 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--venv", type=Path, default=harness.REPO / ".venv")
    parser.add_argument("--src", type=Path, default=harness.REPO / "src")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    sys.exit(soak(parser.parse_args()))


if __name__ == "__main__":
    main()
