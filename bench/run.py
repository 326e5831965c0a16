"""The project's benchmarks (issue 10, "Speed"), against real ``webwork serve`` processes.

From the project root (``make bench`` runs ``all``)::

    python -m bench.run [--venv .venv] [--src src] [--pg-url URL] COMMAND [options]

- ``peer``: the peer workload of ``../shared/perf/run`` on SQLite over loopback: N
  ``POST /time-entries`` then R ``GET /time-entries`` of one user-day by C clients, on ours
  and on the bare ceiling app (bench/ceiling.py, same SQL schema, least SQL); prints
  writes/s, reads/s and the ours/ceiling ratios.
- ``mix``: an executive manager's mix of lists, reads, updates and ``POST /time-entries``
  at 1, 16 and 64 clients, on SQLite and PostgreSQL; per level requests/s, p50, p99,
  p99/p50, 5xx and other non-2xx, and the issue's criteria.
- ``workers``: a read-only and a write mix against ``webwork serve --workers 1`` and ``2``;
  prints the throughput ratio.
- ``bulk``: bench/time_entries.py (100,000 entries on PostgreSQL, through the ASGI app).
- ``all``: peer, mix on both databases, workers (skipped with a note while ``webwork serve``
  has no ``--workers``).

``--workers N`` on ``peer`` and ``mix`` passes ``--workers N`` to ``webwork serve``; without
it the server runs as ``webwork serve`` does by default. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench import harness
from bench.harness import Server, Target, Workspace
from bench.load import Call, Outcome, drive, percentile

DAY0 = date(2026, 1, 1)
SLOTS_PER_DAY = 16  # 25-minute entries every 30 minutes from 08:00
DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def slot(k: int) -> tuple[str, str, str]:
    """The k-th free slot of one member: (date, start, end), 25 minutes long."""
    start = 8 * 60 + (k % SLOTS_PER_DAY) * 30
    day = DAY0 + timedelta(days=k // SLOTS_PER_DAY)
    return (
        day.isoformat(),
        f"{start // 60:02d}:{start % 60:02d}",
        f"{(start + 25) // 60:02d}:{(start + 25) % 60:02d}",
    )


def saved_25(body: bytes) -> bool:
    return bool(json.loads(body).get("saved_minutes") == 25)


def has_data(body: bytes) -> bool:
    return bool(json.loads(body).get("data"))


def machine(target: Target) -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    load = Path("/proc/loadavg").read_text().split()[:3]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=target.src, capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores ({model}), "
        f"load average {' '.join(load)}, commit {commit or '?'}"
    )


def report_server(server: Server) -> None:
    if server.problems:
        print(f"  {server.name} log: {len(server.problems)} lines about errors/locks/timeouts, first:")
        for line in server.problems[:3]:
            print(f"    {line[:300]}")


def report_evidence(outcome: Outcome) -> None:
    for line in outcome.evidence:
        print(f"    e.g. {line}")


# --- peer -------------------------------------------------------------------------------


def peer_plans(ws: Workspace, n: int) -> tuple[Callable[[int], Call], Callable[[int], Call]]:
    """Exactly the shared peer workload: the owner's own time, 16 entries a day."""
    user, contract = ws.member_ids[0], ws.contract_ids[0]
    days = max(1, n // SLOTS_PER_DAY)

    def write(i: int) -> Call:
        day, start, end = slot(i)
        body = {"workspace_id": ws.id, "user_id": user, "contract_id": contract, "date": day}
        body |= {"start_time": start, "end_time": end, "notes": f"entry {i}"}
        return Call("POST /time-entries", "POST", "/time-entries", json=body, ok=saved_25)

    def read(i: int) -> Call:
        day = (DAY0 + timedelta(days=i % days)).isoformat()
        params = {"workspace_id": ws.id, "user_id": user, "date": day, "per_page": 100}
        return Call("GET /time-entries", "GET", "/time-entries", params=params, ok=has_data)

    return write, read


def peer_load(server: Server, ws: Workspace, args: argparse.Namespace) -> tuple[Outcome, Outcome]:
    write, read = peer_plans(ws, args.n)
    headers = {"Authorization": f"Bearer {ws.owner_key}"}
    writes = drive(server.api, headers, write, count=args.n, clients=args.clients)
    reads = drive(server.api, headers, read, count=args.reads, clients=args.clients)
    return writes, reads


def peer_ours(target: Target, args: argparse.Namespace) -> tuple[Outcome, Outcome]:
    with harness.database("sqlite", target) as db:
        boot = harness.prepare(target, db)
        print(f"  ours: code in {harness.code_location(target, db)}")
        with harness.ours(target, db, args.workers) as server:
            ws = harness.seed(server, boot, members=0, projects=1)
            result = peer_load(server, ws, args)
        report_server(server)
    return result


def peer_ceiling(target: Target, args: argparse.Namespace) -> tuple[Outcome, Outcome]:
    with harness.database("sqlite", target) as db:
        boot = harness.prepare(target, db)
        ws = harness.seed_ceiling(db, boot)
        with harness.ceiling(target, db) as server:
            result = peer_load(server, ws, args)
        report_server(server)
    return result


def peer(target: Target, args: argparse.Namespace) -> None:
    print(f"== peer on sqlite: {args.n} POST then {args.reads} GET /time-entries, {args.clients} clients ==")
    runners = {"ceiling": peer_ceiling, "ours": peer_ours}
    rates: dict[str, tuple[float, float]] = {}
    for name in args.only:
        writes, reads = runners[name](target, args)
        rates[name] = (writes.rate, reads.rate)
        failed = writes.server_errors + writes.other_failures + reads.server_errors + reads.other_failures
        print(
            f"{name:8} writes {writes.rate:7.1f}/s  reads {reads.rate:7.1f}/s  failed calls {failed}",
            flush=True,
        )
        report_evidence(writes)
        report_evidence(reads)
    if len(rates) == 2:
        (ow, orr), (cw, cr) = rates["ours"], rates["ceiling"]
        print(f"ours/ceiling writes {ow / cw:.2f}  reads {orr / cr:.2f}")


# --- mixes ------------------------------------------------------------------------------

# (operation, share out of 20)
MANAGER_MIX = [
    ("GET /projects", 3),
    ("GET /members", 3),
    ("GET /contracts/{id}", 3),
    ("GET /time-entries", 5),
    ("PUT /projects/{id}", 2),
    ("POST /time-entries", 4),
]
READ_MIX = [("GET /time-entries", 2), ("GET /projects", 1), ("GET /members", 1), ("GET /contracts/{id}", 1)]
WRITE_MIX = [("POST /time-entries", 3), ("PUT /projects/{id}", 1)]
MIXES = {"manager": MANAGER_MIX, "read": READ_MIX, "write": WRITE_MIX}


class MixPlan:
    """Numbered calls of a mix. POSTs take the next free slot of the next member, counted
    across every run on the same server, so no POST ever overlaps earlier time."""

    def __init__(self, ws: Workspace, mix: list[tuple[str, int]]) -> None:
        self.ws = ws
        self.schedule = [op for op, share in mix for _ in range(share)]
        random.Random(10).shuffle(self.schedule)
        self.posts = itertools.count()

    def __call__(self, i: int) -> Call:
        ws, op = self.ws, self.schedule[i % len(self.schedule)]
        params = {"workspace_id": ws.id}
        if op == "GET /projects":
            return Call(op, "GET", "/projects", params=params)
        if op == "GET /members":
            return Call(op, "GET", "/members", params=params)
        if op == "GET /contracts/{id}":
            return Call(op, "GET", f"/contracts/{ws.contract_ids[i % len(ws.contract_ids)]}", params=params)
        if op == "PUT /projects/{id}":
            project = ws.project_ids[i % len(ws.project_ids)]
            return Call(op, "PUT", f"/projects/{project}", params=params, json={"notes": f"revision {i}"})
        if op == "GET /time-entries":
            member = ws.member_ids[i % len(ws.member_ids)]
            day = (DAY0 + timedelta(days=i % 3)).isoformat()
            return Call(op, "GET", "/time-entries", params={**params, "user_id": member, "date": day})
        # The executive manager records the members' time: the owner's is the owner's alone.
        k = next(self.posts)
        recorded = len(ws.member_ids) - 1
        member = 1 + k % recorded
        day, start, end = slot(k // recorded)
        body = {
            "workspace_id": ws.id,
            "user_id": ws.member_ids[member],
            "contract_id": ws.contract_ids[member],
        }
        body |= {"date": day, "start_time": start, "end_time": end, "notes": f"mix {k}"}
        return Call(op, "POST", "/time-entries", json=body, ok=saved_25)


@dataclass
class Level:
    clients: int
    outcome: Outcome

    @property
    def p50(self) -> float:
        return percentile(self.outcome.all_latencies(), 50) * 1000

    @property
    def p99(self) -> float:
        return percentile(self.outcome.all_latencies(), 99) * 1000


def seeded(server: Server, boot: dict[str, object], args: argparse.Namespace) -> Workspace:
    return harness.seed(server, boot, members=args.members, projects=args.projects)


def run_levels(
    server: Server, ws: Workspace, mix: list[tuple[str, int]], args: argparse.Namespace
) -> list[Level]:
    plan = MixPlan(ws, mix)
    headers = {"Authorization": f"Bearer {ws.manager_key}"}
    drive(server.api, headers, plan, count=args.warmup, clients=4)
    return [
        Level(clients, drive(server.api, headers, plan, count=args.requests, clients=clients))
        for clients in args.clients
    ]


def print_levels(levels: list[Level], by_op: bool) -> None:
    print(f"{'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99/p50':>8} {'5xx':>5} {'other':>5}")
    for level in levels:
        o = level.outcome
        ratio = level.p99 / level.p50
        line = f"{level.clients:7d} {o.rate:8.1f} {level.p50:8.1f} {level.p99:8.1f} {ratio:8.1f}"
        print(f"{line} {o.server_errors:5d} {o.other_failures:5d}")
        if by_op:
            for op, values in sorted(o.latencies.items()):
                p50, p99 = percentile(values, 50) * 1000, percentile(values, 99) * 1000
                print(f"{'':7} {len(values):8d} {p50:8.1f} {p99:8.1f} {p99 / p50:8.1f}   {op}")
        report_evidence(o)


def print_criteria(levels: list[Level]) -> None:
    """The issue's criteria, as figures to read (not assertions)."""
    errors = sum(level.outcome.server_errors for level in levels)
    spread = ", ".join(f"{lv.p99 / lv.p50:.1f}x at {lv.clients}" for lv in levels if lv.clients > 1)
    by_clients = {level.clients: level.outcome.rate for level in levels}
    parts = [f"5xx: {errors}", f"p99/p50 (<= 10): {spread}"]
    if 1 in by_clients and len(by_clients) > 1:
        top = max(by_clients)
        parts.append(f"req/s at {top} / at 1 (>= 1): {by_clients[top] / by_clients[1]:.2f}")
    print("criteria: " + "; ".join(parts))


def mix(target: Target, args: argparse.Namespace) -> None:
    for kind in args.db:
        workers = "default workers" if args.workers is None else f"--workers {args.workers}"
        chosen = MIXES[args.mix]
        print(f"== {args.mix} mix on {kind} ({args.server}): {args.requests} calls per level, {workers} ==")
        total = sum(share for _, share in chosen)
        print("   " + ", ".join(f"{op} {100 * share // total}%" for op, share in chosen))
        with harness.database(kind, target) as db:
            boot = harness.prepare(target, db)
            with harness.ours(target, db, args.workers, args.server) as server:
                levels = run_levels(server, seeded(server, boot, args), chosen, args)
            report_server(server)
        print_levels(levels, args.by_op)
        print_criteria(levels)
        sys.stdout.flush()


def workers(target: Target, args: argparse.Namespace) -> None:
    with harness.database("sqlite", target) as db:
        if not harness.serves_workers(target, db):
            print("== workers: skipped, `webwork serve` has no --workers option in this checkout ==")
            return
    for kind in args.db:
        if kind == "sqlite" and max(args.counts) > 1:
            print("== workers on sqlite: skipped, SQLite is served by one process ==")
            continue
        print(f"== workers on {kind}: {args.requests} calls per mix at {args.clients[0]} clients ==")
        rates: dict[str, dict[int, float]] = {"read mix": {}, "write mix": {}}
        for count in args.counts:
            with harness.database(kind, target) as db:
                boot = harness.prepare(target, db)
                with harness.ours(target, db, count) as server:
                    ws = seeded(server, boot, args)
                    for name, chosen in (("read mix", READ_MIX), ("write mix", WRITE_MIX)):
                        (level,) = run_levels(server, ws, chosen, args)
                        rates[name][count] = level.outcome.rate
                        o = level.outcome
                        print(
                            f"  --workers {count} {name:9} {o.rate:8.1f} req/s  p50 {level.p50:6.1f} ms"
                            f"  p99 {level.p99:6.1f} ms  5xx {o.server_errors}  other {o.other_failures}"
                        )
                        report_evidence(o)
                report_server(server)
        base, top = args.counts[0], args.counts[-1]
        ratios = ", ".join(f"{name} {r[top] / r[base]:.2f}" for name, r in rates.items())
        print(f"req/s with --workers {top} / --workers {base}: {ratios}")
        sys.stdout.flush()


def bulk(target: Target, _args: argparse.Namespace) -> None:
    os.environ.setdefault("WEBWORK_BENCH_DATABASE_URL", target.pg_url)
    from bench import time_entries

    time_entries.main()


def everything(target: Target, args: argparse.Namespace) -> None:
    defaults = parser().parse_args(["peer"])
    peer(target, defaults)
    mix(target, parser().parse_args(["mix"]))
    workers(target, parser().parse_args(["workers"]))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    top.add_argument("--venv", type=Path, default=harness.REPO / ".venv", help="venv with webwork installed")
    top.add_argument(
        "--src",
        type=Path,
        default=harness.REPO / "src",
        help="the webwork code to measure (default: this checkout's src)",
    )
    top.add_argument(
        "--pg-url",
        default=os.environ.get("WEBWORK_BENCH_DATABASE_URL", DEFAULT_PG_URL),
        help="PostgreSQL server: bench databases are created next to this one and dropped",
    )
    commands = top.add_subparsers(dest="command", required=True)

    p = commands.add_parser("peer", help="ours vs the ceiling app on the shared peer workload")
    p.add_argument("--n", type=int, default=2000, help="POST /time-entries calls")
    p.add_argument("--reads", type=int, default=1000, help="GET /time-entries calls")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--only", nargs="+", choices=["ceiling", "ours"], default=["ceiling", "ours"])
    p.add_argument("--workers", type=int, help="pass --workers N to webwork serve")
    p.set_defaults(run=peer)

    for name, run, clients, help_text in (
        ("mix", mix, [1, 16, 64], "a manager's mix at several client counts"),
        ("workers", workers, [16], "read and write mixes with --workers 1 and 2"),
    ):
        m = commands.add_parser(name, help=help_text)
        m.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
        m.add_argument("--clients", nargs="+", type=int, default=clients)
        m.add_argument("--requests", type=int, default=600, help="calls per level")
        m.add_argument("--warmup", type=int, default=40, help="calls before the first level, not counted")
        m.add_argument("--members", type=int, default=8, help="members with a contract, besides the owner")
        m.add_argument("--projects", type=int, default=4)
        m.add_argument("--by-op", action="store_true", help="also print p50/p99 per operation")
        m.set_defaults(run=run)
    commands.choices["mix"].add_argument("--workers", type=int, help="pass --workers N to webwork serve")
    commands.choices["mix"].add_argument(
        "--server", choices=harness.SERVERS, default="uvicorn", help="the process supervisor to measure"
    )
    commands.choices["mix"].add_argument(
        "--mix", choices=list(MIXES), default="manager", help="or the mixes of `workers`"
    )
    commands.choices["workers"].add_argument("--counts", nargs="+", type=int, default=[1, 2])

    commands.add_parser("bulk", help="bench/time_entries.py: 100,000 entries on PostgreSQL").set_defaults(
        run=bulk
    )
    commands.add_parser("all", help="peer, mix, workers with their defaults").set_defaults(run=everything)
    return top


def main() -> None:
    args = parser().parse_args()
    target = Target(args.venv.resolve(), args.pg_url, args.src.resolve())
    sys.path.insert(0, str(target.src))  # the measured webwork, for bulk and the ceiling seed
    if not target.exe("webwork").exists():
        raise SystemExit(f"{target.exe('webwork')} not found: run `make setup` or pass --venv")
    print(f"# {machine(target)}", flush=True)
    args.run(target, args)


if __name__ == "__main__":
    main()
