"""`/projects`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, AdminActor, SessionDep
from webwork.auth.principal import Actor
from webwork.kit.envelope import Envelope, respond
from webwork.kit.pagination import PageDep
from webwork.kit.schemas import RequestBody
from webwork.projects import service
from webwork.projects.schemas import ProjectCreate, ProjectOut, ProjectUpdate, ProjectView

router = APIRouter(prefix="/projects", tags=["Projects"])


def _out(view: ProjectView, actor: Actor) -> ProjectOut:
    """Only owners and executive managers see a project's rate."""
    return ProjectOut.of(view, with_rate=actor.is_admin)


@router.get("", response_model=Envelope[list[ProjectOut]])
async def list_projects(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    name: Annotated[str | None, Query(description="Case-insensitive part of the name")] = None,
    status: Annotated[str | None, Query(description="1 active (default), 0 archived, all")] = None,
) -> JSONResponse:
    result = await service.list_projects(session, actor, page, name=name, status=status)
    items = [_out(view, actor) for view in result.items]
    return respond(items, "Projects retrieved successfully", pagination=result.pagination)


@router.get("/{project_id}", response_model=Envelope[ProjectOut])
async def get_project(project_id: int, actor: ActorDep, session: SessionDep) -> JSONResponse:
    view = await service.get_project(session, actor, project_id)
    return respond(_out(view, actor), "Project retrieved successfully")


@router.post("", status_code=201, response_model=Envelope[ProjectOut])
async def create_project(body: ProjectCreate, actor: AdminActor, session: SessionDep) -> JSONResponse:
    view = await service.create_project(session, actor, body)
    return respond(_out(view, actor), "Project created successfully", status_code=201)


@router.put("/{project_id}", response_model=Envelope[ProjectOut])
async def update_project(
    project_id: int, body: ProjectUpdate, actor: ActorDep, session: SessionDep
) -> JSONResponse:
    view = await service.update_project(session, actor, project_id, body)
    return respond(_out(view, actor), "Project updated successfully")


@router.delete("/{project_id}", response_model=Envelope[ProjectOut], summary="Delete (Archive) Project")
async def delete_project(
    project_id: int,
    actor: AdminActor,
    session: SessionDep,
    _body: Annotated[RequestBody | None, Body()] = None,
) -> JSONResponse:
    view = await service.archive_project(session, actor, project_id)
    return respond(_out(view, actor), "Project deleted successfully")
