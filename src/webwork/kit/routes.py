"""Mounting the domain routers on the app as one flat list of routes.

``include_router`` keeps each included router as a nested branch that is matched
level by level (twice per level) on every request; copied onto the app's own router,
the same routes are matched in one pass. Each runs in a unit of work
(:class:`~webwork.kit.db.UnitOfWorkRoute`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.params import Depends
from fastapi.routing import APIRoute

from webwork.kit.db import UnitOfWorkRoute


def mount(
    app: FastAPI,
    router: APIRouter,
    *,
    prefix: str,
    responses: dict[int | str, dict[str, Any]],
    dependencies: Sequence[Depends] = (),
) -> None:
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"only API routes can be mounted flat, not {route!r}")
        app.router.add_api_route(
            prefix + route.path,
            route.endpoint,
            methods=route.methods,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=[*dependencies, *route.dependencies],
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses={**responses, **route.responses},
            deprecated=route.deprecated,
            operation_id=route.operation_id,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            openapi_extra=route.openapi_extra,
            route_class_override=UnitOfWorkRoute,
        )
