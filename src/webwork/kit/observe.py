"""What every answer carries and what every request leaves behind, in one pure ASGI layer
(no ``BaseHTTPMiddleware``: no extra task or await per request):

- ``X-Request-ID``: the caller's when it is sane (at most 128 of ``A-Z a-z 0-9 . _ -``),
  else a new one; also in the error envelope's ``meta.request_id`` (:data:`REQUEST_ID`);
- security headers: ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``
  and ``Cache-Control: no-store`` on API answers and on any request that carries
  credentials (unless the answer says otherwise itself);
- the Prometheus metrics (:class:`Metrics`) and, with ``WEBWORK_ACCESS_LOG``, one JSON
  line per request through structlog: method, route template (never the raw path, which
  can hold an invitation token), status, duration, principal id and request id; never a
  header, a token or a body.

The principal id is what the auth dependency noted with :func:`note_principal`."""

from __future__ import annotations

import hmac
import logging
import re
import time
import uuid
from collections.abc import Iterable
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webwork.kit.envelope import REQUEST_ID
from webwork.kit.errors import ServerError, Unauthenticated, error_response

log = logging.getLogger(__name__)

PRINCIPAL = "principal_id"
# What a browser's script may read of an answer when CORS is on.
EXPOSED_HEADERS = [
    "X-Request-ID",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
    "Idempotent-Replayed",
]
UNMATCHED = "unmatched"
# Methods a route can have; anything else a client invents is counted as "other", so
# that no client can grow the metrics' label sets.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_SANE_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")
_ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
_NO_STORE = (b"cache-control", b"no-store")

request_log = structlog.wrap_logger(
    logging.getLogger("webwork.access"),
    processors=[
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.JSONRenderer(),
    ],
)


def note_principal(connection: HTTPConnection, user_id: int) -> None:
    """Called by the auth dependency once it knows who calls: the id goes in the log line."""
    connection.scope.setdefault("state", {})[PRINCIPAL] = user_id


def request_id_of(headers: Iterable[tuple[bytes, bytes]]) -> tuple[str, bool]:
    """The caller's ``X-Request-ID`` when sane, else a new one; and whether the request
    carries credentials (an ``Authorization`` header)."""
    caller = None
    credentials = False
    for name, value in headers:
        if name == b"x-request-id":
            caller = value
        elif name == b"authorization":
            credentials = True
    if caller is not None and _SANE_ID.fullmatch(caller):
        return caller.decode(), credentials
    return uuid.uuid4().hex, credentials


class Metrics:
    """``http_requests_total`` and ``http_request_duration_seconds`` by method, route
    template and status, and the database connections in use (read from the engines'
    pools when Prometheus scrapes). Each app has a registry of its own; in a server of
    several processes each process counts its own requests (see docs/operations.md)."""

    def __init__(self, engines: dict[str, AsyncEngine]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time from the request's arrival to its answer's end, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.registry.register(PoolCollector(engines))
        # The children of each label set, looked up once: ``labels()`` takes a lock.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            labels = (method, route, str(status))
            children = self._children[key] = (self.requests.labels(*labels), self.duration.labels(*labels))
        children[0].inc()
        children[1].observe(seconds)


class PoolCollector(Collector):
    """``db_pool_connections_in_use{pool=...}``: connections checked out of each engine's
    pool, asked of the pool (``QueuePool.checkedout``) at scrape time."""

    def __init__(self, engines: dict[str, AsyncEngine]) -> None:
        self.engines = engines

    def collect(self) -> Iterable[Metric]:
        gauge = GaugeMetricFamily(
            "db_pool_connections_in_use", "Database connections checked out of the pool.", labels=["pool"]
        )
        for name, engine in self.engines.items():
            pool = engine.pool
            if isinstance(pool, QueuePool):
                gauge.add_metric([name], pool.checkedout())
        yield gauge


class RequestMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics | None, log_requests: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id, credentials = request_id_of(scope["headers"])
        extra = [*_ALWAYS, (b"x-request-id", request_id.encode())]
        no_store = credentials or scope["path"].startswith("/api/")
        # Created here so that the inner layers that copy the scope still share it.
        state = scope.setdefault("state", {})
        status = 500
        started_answer = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started_answer
            if message["type"] == "http.response.start":
                started_answer = True
                status = message["status"]
                headers = message.get("headers", [])
                # What the answer sets itself (a page's own Referrer-Policy, a public
                # Cache-Control) stays as it is, and is never sent twice.
                present = {name.lower() for name, _ in headers}
                wanted = [*extra, _NO_STORE] if no_store else extra
                added = [(name, value) for name, value in wanted if name not in present]
                message = {**message, "headers": [*headers, *added]}
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Answered here rather than by Starlette's outermost layer, so that the 500
            # carries the request id (header and envelope) like every other answer.
            log.exception("unhandled error")
            if started_answer:
                raise
            await error_response(ServerError())(scope, receive, send_with_headers)
        finally:
            REQUEST_ID.reset(token)
            seconds = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", UNMATCHED) if route is not None else UNMATCHED
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"
            if self.metrics is not None:
                self.metrics.observe(method, template, status, seconds)
            if self.log_requests:
                request_log.info(
                    "request",
                    method=method,
                    route=template,
                    status=status,
                    duration_ms=round(seconds * 1000, 2),
                    principal_id=state.get(PRINCIPAL),
                    request_id=request_id,
                )


def install_metrics(app: FastAPI, metrics: Metrics, token: SecretStr | None) -> None:
    """``GET /metrics`` in Prometheus' text format; with ``WEBWORK_METRICS_TOKEN`` set,
    only for ``Authorization: Bearer <token>`` (compared in constant time)."""
    expected = f"Bearer {token.get_secret_value()}".encode() if token is not None else None

    @app.get("/metrics", include_in_schema=False)
    async def scrape(request: Request) -> Response:
        if expected is not None:
            sent = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(sent, expected):
                code = "invalid_token" if sent else None
                raise Unauthenticated("A valid metrics token is required.", code=code)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
