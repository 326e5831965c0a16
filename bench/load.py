"""The load client: C concurrent aiohttp clients working through a numbered plan of calls.

aiohttp costs the client side less CPU than httpx, which matters when the client and the
server share two cores. Every call is timed from just before it is sent to its last body
byte; nothing is asserted: statuses are counted and the first few failures kept as
evidence. A run stops after ``count`` calls or ``max_seconds``, whichever comes first.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

TRANSPORT_ERROR = 0  # the status recorded for a call that got no HTTP answer


@dataclass(frozen=True)
class Call:
    """One request of a plan; ``ok`` may look at a 2xx body (e.g. saved_minutes)."""

    op: str
    method: str
    path: str
    params: dict[str, Any] | None = None
    json: dict[str, Any] | None = None
    ok: Callable[[bytes], bool] | None = None


@dataclass
class Outcome:
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[int] = field(default_factory=Counter)
    unexpected: int = 0  # 2xx answers whose body ``ok`` refused
    evidence: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def other_failures(self) -> int:
        """Non-2xx answers below 500, calls with no answer, and refused 2xx bodies."""
        bad = sum(n for status, n in self.statuses.items() if status < 200 or 300 <= status < 500)
        return bad + self.unexpected

    def all_latencies(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile, in the unit of ``values``."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


async def _one(session: aiohttp.ClientSession, base: str, call: Call, outcome: Outcome) -> None:
    started = time.perf_counter()
    try:
        async with session.request(call.method, base + call.path, params=call.params, json=call.json) as r:
            body = await r.read()
            status = r.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        body, status = repr(exc).encode(), TRANSPORT_ERROR
    outcome.latencies[call.op].append(time.perf_counter() - started)
    outcome.statuses[status] += 1
    refused = 200 <= status < 300 and call.ok is not None and not call.ok(body)
    outcome.unexpected += refused
    if (refused or not 200 <= status < 300) and len(outcome.evidence) < 5:
        outcome.evidence.append(f"{call.op} -> {status}: {body[:300].decode(errors='replace')}")


async def _drive(
    base: str,
    headers: dict[str, str],
    plan: Callable[[int], Call],
    count: int,
    clients: int,
    max_seconds: float,
) -> Outcome:
    outcome = Outcome()
    numbers = iter(range(count))
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(headers=headers, connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        deadline = started + max_seconds

        async def client() -> None:
            for i in numbers:
                if time.perf_counter() > deadline:
                    return
                await _one(session, base, plan(i), outcome)

        await asyncio.gather(*(client() for _ in range(clients)))
        outcome.seconds = time.perf_counter() - started
    return outcome


def drive(
    base: str,
    headers: dict[str, str],
    plan: Callable[[int], Call],
    *,
    count: int,
    clients: int,
    max_seconds: float = 300,
) -> Outcome:
    """Run ``plan(0) .. plan(count - 1)`` over ``clients`` concurrent connections."""
    return asyncio.run(_drive(base, headers, plan, count, clients, max_seconds))
