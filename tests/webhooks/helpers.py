"""What the webhook tests share: a real HTTP receiver on 127.0.0.1 that checks every
signature with the ``standardwebhooks`` package as a subscriber would, settings that let
a webhook point at it, and ways to move the worker's clock without waiting."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook as Verifier

from webwork.config import Settings
from webwork.kit import clock
from webwork.models import Delivery
from webwork.webhooks import repository

# The receiver is on 127.0.0.1 over http: both need the operator's permission.
LOCAL = {"allow_http_webhooks": True, "allow_private_webhooks": True}


def permissive(settings: Settings) -> Settings:
    return settings.model_copy(update=LOCAL)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class Receiver:
    """Answers ``fail_first`` requests with 500, then ``status``. ``hold``, when cleared,
    keeps each request waiting until it is set again (a worker killed mid-send)."""

    fail_first: int = 0
    status: int = 200
    requests: list[Received] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def __post_init__(self) -> None:
        self.hold.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> int:
        self.arrived.set()
        self.hold.wait(timeout=30)
        with self.lock:
            status = 500 if len(self.requests) < self.fail_first else self.status
            self.requests.append(Received(path, headers, body, status))
        return status

    def accepted(self, secret: str, path: str = "/hooks") -> list[dict[str, Any]]:
        """The events answered 2xx at ``path``, each verified with ``secret``,
        deduplicated by ``webhook-id`` (as a subscriber does), in the order they first
        arrived."""
        verifier = Verifier(secret)
        seen: set[str] = set()
        events = []
        with self.lock:
            requests = list(self.requests)
        for request in requests:
            if request.path != path or not 200 <= request.status < 300:
                continue
            event = verifier.verify(request.body, request.headers)
            if request.headers["webhook-id"] not in seen:
                seen.add(request.headers["webhook-id"])
                events.append(event)
        return events

    def wait_for(self, count: int, timeout: float) -> bool:
        """Block (in a thread: ``asyncio.to_thread``) until ``count`` requests were
        answered 2xx; False if ``timeout`` seconds passed first."""
        deadline = time.monotonic() + timeout
        while len(self.ids()) < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def ids(self) -> list[str]:
        with self.lock:
            return [r.headers["webhook-id"] for r in self.requests if 200 <= r.status < 300]


@contextmanager
def receiving(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            status = receiver.answer(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads what arrived from the receiver."""

    class Server(ThreadingHTTPServer):
        # socketserver's default backlog of 5 makes the 6th concurrent delivery wait
        # a second for the kernel's SYN retry.
        request_queue_size = 128
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.hold.set()
        server.shutdown()
        server.server_close()
        thread.join()


async def dispatch_outbox(session: AsyncSession) -> None:
    """Turn the outbox into deliveries (the worker's first step), sending nothing: for
    tests that need a delivery to exist but no receiver."""
    await repository.dispatch(session, clock.utcnow(), 1000)
    await session.commit()


async def make_due(session: AsyncSession) -> None:
    """Every pending delivery due now: the backoff (or a dead worker's lease) passed."""
    await session.execute(
        update(Delivery).where(Delivery.status == "pending").values(next_attempt_at=clock.utcnow())
    )
    await session.commit()


def types(events: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return [(event["type"], event["data"].get("name")) for event in events]


def loads(body: bytes) -> Any:
    return json.loads(body)
