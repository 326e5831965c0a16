"""Application factory: middleware, error handlers, docs and the v2 routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline

from webwork import __version__
from webwork.api_keys.router import router as api_keys_router
from webwork.config import Settings, get_settings
from webwork.contracts.router import router as contracts_router
from webwork.kit.db import Database
from webwork.kit.envelope import ERROR_RESPONSES
from webwork.kit.errors import install_error_handlers
from webwork.kit.forms import FormAsJsonMiddleware
from webwork.kit.mail import mailer_from
from webwork.kit.ratelimit import RateLimitMiddleware
from webwork.members.invitations import router as invitations_router
from webwork.members.router import router as members_router
from webwork.projects.router import router as projects_router
from webwork.tasks.router import router as tasks_router
from webwork.teams.router import router as teams_router
from webwork.time_entries.router import router as time_entries_router
from webwork.time_requests.router import router as time_requests_router
from webwork.timesheets.router import router as timesheets_router
from webwork.tracking.router import router as tracking_router
from webwork.workspaces.router import router as workspaces_router

DOMAIN_ROUTERS = (
    workspaces_router,
    members_router,
    invitations_router,
    teams_router,
    projects_router,
    contracts_router,
    tasks_router,
    tracking_router,
    time_entries_router,
    time_requests_router,
    timesheets_router,
    api_keys_router,
)

DESCRIPTION = """Self-hostable implementation of the WebWork Time Tracker REST API v2.

Authenticate with `Authorization: Bearer <api key>`. Every response is wrapped in the
`{success, data, message, meta}` envelope; errors carry `error` and, for 422, `errors`."""


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    owned_database = database is None
    db = database or Database.from_url(settings.database_url, echo=settings.echo_sql)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned_database:
            await db.engine.dispose()

    app = FastAPIOffline(
        title="WebWork Time Tracker API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        servers=[{"url": "/", "description": "This server"}],
    )
    app.state.settings = settings
    app.state.database = db
    app.state.mailer = mailer_from(settings)
    install_error_handlers(app)
    app.add_middleware(RateLimitMiddleware, limit=settings.rate_limit, redis_url=settings.redis_url)
    app.add_middleware(FormAsJsonMiddleware)

    v2 = APIRouter(prefix="/api/v2", responses=ERROR_RESPONSES)
    for router in DOMAIN_ROUTERS:
        v2.include_router(router)
    app.include_router(v2)

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
