"""Application factory: middleware, error handlers, docs and the v2 routers."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from webwork import __version__
from webwork.api_keys.router import router as api_keys_router
from webwork.config import Settings, get_settings
from webwork.contracts.router import router as contracts_router
from webwork.expenses.router import router as expenses_router
from webwork.kit.admission import AdmissionMiddleware
from webwork.kit.bodies import BodyLimitMiddleware
from webwork.kit.db import Database, long_reads
from webwork.kit.docs import STATIC_URL, SWAGGER_UI_PARAMETERS, install_docs
from webwork.kit.envelope import ERROR_RESPONSES, FastJSONResponse
from webwork.kit.errors import Unavailable, install_error_handlers
from webwork.kit.forms import FormAsJsonMiddleware
from webwork.kit.mail import mailer_from
from webwork.kit.openapi import install_openapi
from webwork.kit.proxies import ForwardedClientMiddleware, TrustedProxies
from webwork.kit.ratelimit import RateLimiter, RateLimitHeadersMiddleware, limit_by_address
from webwork.kit.routes import mount
from webwork.leaves.router import router as leaves_router
from webwork.members.invitations import router as invitations_router
from webwork.members.router import router as members_router
from webwork.project_viewers.router import router as project_viewers_router
from webwork.projects.router import router as projects_router
from webwork.reports.router import router as reports_router
from webwork.tasks.router import router as tasks_router
from webwork.teams.router import router as teams_router
from webwork.time_entries.router import router as time_entries_router
from webwork.time_requests.router import router as time_requests_router
from webwork.timesheets.router import router as timesheets_router
from webwork.tracking.router import router as tracking_router
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
    api_keys_router,
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
    "API Keys",
)

API_PREFIX = "/api/v2"

log = logging.getLogger(__name__)

# GET /ready: how long the database gets to answer, and when a refused caller asks again.
READY_TIMEOUT = 2.0
READY_RETRY_AFTER = "5"

# Routes without authentication: limited per client address.
PUBLIC_ROUTERS = (invitations_router,)

DESCRIPTION = """Self-hostable implementation of the WebWork Time Tracker REST API v2.

Authenticate with `Authorization: Bearer <api key>`. Every response is wrapped in the
`{success, data, message, meta}` envelope; errors carry `error` and, for 422, `errors`."""


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
        yield
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
        redoc_url=None,
        static_url=STATIC_URL,
        swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
    )
    app.state.settings = settings
    app.state.database = db
    app.state.mailer = mailer_from(settings)
    install_error_handlers(app)
    install_docs(app)
    install_openapi(app)
    app.state.rate_limiter = RateLimiter(settings.rate_limit, settings.redis_url)
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(FormAsJsonMiddleware)
    app.add_middleware(AdmissionMiddleware, limit=settings.max_concurrency, long_paths=long_read_paths())
    app.add_middleware(BodyLimitMiddleware)
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

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

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
