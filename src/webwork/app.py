"""Application factory: middleware, error handlers, docs and the v2 routers."""

from __future__ import annotations

import asyncio
import gc
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.middleware.sessions import SessionMiddleware

from webwork import __version__
from webwork.api_keys.router import router as api_keys_router
from webwork.config import Settings, get_settings
from webwork.contracts.router import router as contracts_router
from webwork.expenses.router import router as expenses_router
from webwork.idempotency.http import install_replays
from webwork.kit.admission import AdmissionMiddleware
from webwork.kit.bodies import BodyLimitMiddleware
from webwork.kit.db import Database, long_reads
from webwork.kit.docs import STATIC_URL, SWAGGER_UI_PARAMETERS, DocsPolicyMiddleware, docs_paths, install_docs
from webwork.kit.envelope import ERROR_RESPONSES, FastJSONResponse
from webwork.kit.errors import Unavailable, install_error_handlers
from webwork.kit.forms import FormAsJsonMiddleware
from webwork.kit.mail import mailer_from
from webwork.kit.methods import MethodsMiddleware
from webwork.kit.observe import EXPOSED_HEADERS, Metrics, RequestMiddleware, install_metrics
from webwork.kit.offload import Offload
from webwork.kit.openapi import install_openapi
from webwork.kit.proxies import ForwardedClientMiddleware, TrustedProxies
from webwork.kit.ratelimit import RateLimiter, RateLimitHeadersMiddleware, limit_by_address
from webwork.kit.routes import mount
from webwork.leaves.router import router as leaves_router
from webwork.members.invitations import router as invitations_router
from webwork.members.router import router as members_router
from webwork.oauth import openapi as oauth_openapi
from webwork.oauth.endpoints import router as oauth_endpoints
from webwork.oauth.router import router as oauth_clients_router
from webwork.pages import web
from webwork.pages.views import router as pages_router
from webwork.project_viewers.router import router as project_viewers_router
from webwork.projects.router import router as projects_router
from webwork.reports.router import router as reports_router
from webwork.tasks.router import router as tasks_router
from webwork.teams.router import router as teams_router
from webwork.time_entries.router import router as time_entries_router
from webwork.time_requests.router import router as time_requests_router
from webwork.timesheets.router import router as timesheets_router
from webwork.tracking.router import router as tracking_router
from webwork.webhooks.router import router as webhooks_router
from webwork.webhooks.worker import Worker
from webwork.workspaces.router import router as workspaces_router

# Routes are matched in this order, one by one: the hottest (recording and reading
# time) first, which measured 4% more requests per second than the documentation's
# order. The documentation keeps its own order (TAG_ORDER).
DOMAIN_ROUTERS = (
    time_entries_router,
    tracking_router,
    workspaces_router,
    members_router,
    teams_router,
    projects_router,
    contracts_router,
    tasks_router,
    project_viewers_router,
    time_requests_router,
    timesheets_router,
    leaves_router,
    expenses_router,
    reports_router,
    webhooks_router,
    api_keys_router,
    oauth_clients_router,
)

TAG_ORDER = (
    "Workspaces",
    "Members",
    "Teams",
    "Projects",
    "Contracts",
    "Tasks",
    "Project Viewers",
    "Time Tracking",
    "Time Entries",
    "Time Requests",
    "Timesheets",
    "Leaves",
    "Expenses",
    "Reports",
    "Webhooks",
    "API Keys",
    "OAuth Clients",
)

API_PREFIX = "/api/v2"

log = logging.getLogger(__name__)

# GET /ready: how long the database gets to answer, and when a refused caller asks again.
READY_TIMEOUT = 2.0
READY_RETRY_AFTER = "5"

# Routes without authentication: limited per client address.
PUBLIC_ROUTERS = (invitations_router,)
# Outside /api/v2, for browsers and OAuth clients; also limited per client address.
WEB_ROUTERS = (oauth_endpoints, pages_router)

DESCRIPTION = """Self-hostable implementation of the WebWork Time Tracker REST API v2.

Authenticate with `Authorization: Bearer <api key>`, or with an OAuth 2 access token
(authorization code flow with PKCE at `/oauth/authorize` and `/oauth/token`; the
scopes each operation needs are listed on it). Every response is wrapped in the
`{success, data, message, meta}` envelope; errors carry `error` and, for 422, `errors`.

Every answer carries `X-Request-ID` (send your own, up to 128 of `A-Z a-z 0-9 . _ -`, to
find the request in the server's logs; errors repeat it in `meta.request_id`) and, when
rate limits are on, `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
(`Retry-After` on a 429). A POST may carry an `Idempotency-Key` header (up to 255
characters): its first answer is kept for 24 hours and replayed, with
`Idempotent-Replayed: true`, for the same key and body; the same key with another body
or path is a 422, and while the first request still runs a 409."""


def long_read_paths() -> frozenset[str]:
    """The paths of the routes marked ``LONG_READS`` (none has a path parameter), which
    the admission middleware lets in at a door of their own."""
    return frozenset(
        API_PREFIX + route.path
        for router in DOMAIN_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and any(d.dependency is long_reads for d in route.dependencies)
    )


GC_YOUNG_THRESHOLD = 50_000


@asynccontextmanager
async def _worker(app: FastAPI, settings: Settings, database: Database) -> AsyncIterator[None]:
    """The webhook and mail worker as a task of the serving process (unless
    ``serve_worker`` is off: ``webwork worker`` runs it apart). Its sending is network
    I/O on the event loop, outside any transaction, like a request's own awaits."""
    if not settings.serve_worker:
        yield
        return
    worker = Worker(database, settings, app.state.mailer)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task
        await worker.aclose()


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    owned_database = database is None
    db = database or Database.from_url(settings.database_url, echo=settings.echo_sql)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # What exists once the app is built (modules, routes, mappers, compiled
        # schemas) lives as long as the process: moved out of the collector's sight, so
        # that the collections the requests' garbage triggers no longer walk it. 6% of
        # a write's instructions (callgrind, the peer's POST /time-entries).
        gc.freeze()
        # A young-generation collection every 50,000 allocations rather than 700: a
        # report that builds a month of every member (200,000 dicts, lists and rows)
        # otherwise set off a dozen collections, and full ones, each walking every row
        # built so far (140 ms of a 650 ms /reports/tracked-hours, bench.reports).
        gc.set_threshold(GC_YOUNG_THRESHOLD)
        try:
            async with _worker(app, settings, db):
                yield
        finally:
            app.state.offload.close()
        if owned_database:
            await db.dispose()

    app = FastAPIOffline(
        title="WebWork Time Tracker API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=[{"name": name} for name in TAG_ORDER],
        lifespan=lifespan,
        servers=[{"url": "/", "description": "This server"}],
        default_response_class=FastJSONResponse,
        docs_url=None,
        redoc_url=None,
        static_url=STATIC_URL,
        swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
    )
    app.state.settings = settings
    app.state.database = db
    app.state.mailer = mailer_from(settings)
    app.state.offload = Offload(settings.report_processes)
    install_error_handlers(app)
    install_docs(app)
    oauth_openapi.install(app)
    install_openapi(app)
    install_replays(app)
    app.state.rate_limiter = RateLimiter(settings.rate_limit, settings.redis_url)
    app.state.login_limiter = RateLimiter(settings.login_rate_limit, settings.redis_url)
    metrics = Metrics(db.engines()) if settings.metrics else None
    # Added innermost first: a request meets them in the reverse order.
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(FormAsJsonMiddleware)
    app.add_middleware(AdmissionMiddleware, limit=settings.max_concurrency, long_paths=long_read_paths())
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    # The pages' signed session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS).
    app.add_middleware(SessionMiddleware, **web.session_options(settings, secrets.token_urlsafe(32)))
    # Inside the HEAD-as-GET layer, so that a HEAD's policy hashes the page's scripts too.
    app.add_middleware(DocsPolicyMiddleware, paths=docs_paths(app))
    app.add_middleware(MethodsMiddleware, routes=app.router.routes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=EXPOSED_HEADERS,
        )
    app.add_middleware(RequestMiddleware, metrics=metrics, log_requests=settings.access_log)
    if settings.trusted_proxies:
        # Outermost, so that every layer (and uvicorn's access log) sees the client.
        app.add_middleware(ForwardedClientMiddleware, proxies=TrustedProxies(settings.trusted_proxies))

    for router in DOMAIN_ROUTERS:
        mount(app, router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    for router in PUBLIC_ROUTERS:
        mount(
            app,
            router,
            prefix=API_PREFIX,
            responses=ERROR_RESPONSES,
            dependencies=[Depends(limit_by_address)],
        )
    for router in WEB_ROUTERS:
        mount(app, router, prefix="", responses={}, dependencies=[Depends(limit_by_address)])

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        """The process answers; nothing else is asked (see /ready)."""
        return {"status": "ok"}

    if metrics is not None:
        install_metrics(app, metrics, settings.metrics_token)

    @app.get("/ready", include_in_schema=False)
    async def ready(request: Request) -> dict[str, str]:
        """Whether this node can serve: its database answers. /health says only that the
        process runs; load balancers and container engines route by this one."""
        database: Database = request.app.state.database
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                await database.answers()
        except Exception as exc:  # whatever the driver raises (refused, timeout, auth): not ready
            log.warning("not ready: the database does not answer (%s)", str(exc) or type(exc).__name__)
            raise Unavailable(
                "The database does not answer.", headers={"Retry-After": READY_RETRY_AFTER}
            ) from exc
        return {"status": "ready"}

    return app
