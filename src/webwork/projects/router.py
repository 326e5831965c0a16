"""`/projects`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from webwork.auth import visibility
from webwork.auth.deps import ActorDep, AdminActor, AnyRoleDep, SessionDep
from webwork.auth.principal import Actor
from webwork.kit.envelope import Envelope, respond, respond_page
from webwork.kit.pagination import PageDep
from webwork.kit.schemas import OptionalBody
from webwork.kit.types import Id, Keyword, Line, choices
from webwork.projects import service
from webwork.projects.schemas import ProjectCreate, ProjectFilters, ProjectOut, ProjectUpdate, ProjectView

router = APIRouter(prefix="/projects", tags=["Projects"])


def _out(actor: Actor, view: ProjectView) -> ProjectOut:
    return ProjectOut.of(view, with_rate=visibility.may_see_rate(actor))


@router.get(
    "", response_model=Envelope[list[ProjectOut]], operation_id="getProjects", summary="List projects"
)
async def get_projects(
    actor: AnyRoleDep,
    session: SessionDep,
    page: PageDep,
    name: Annotated[Line | None, Query(description="Case-insensitive part of the name")] = None,
    status: Annotated[
        Keyword | None,
        Query(
            description="1 active (default), 0 archived, all",
            json_schema_extra=choices(*service.STATUS_FILTERS, blank=True),
        ),
    ] = None,
) -> JSONResponse:
    """The projects the caller's role sees: all for owners and executive managers, those
    they manage or are contracted on for project managers, those they or their teams'
    members are contracted on for team managers, those assigned to them for project
    viewers (`/project-viewers`), their own for others. `rate` only for owners and
    executive managers."""
    result = await service.list_page(session, actor, ProjectFilters(name, status), page)
    return respond_page(result, lambda view: _out(actor, view), "Projects retrieved successfully")


@router.get(
    "/{project_id}", response_model=Envelope[ProjectOut], operation_id="getProject", summary="Get a project"
)
async def get_project(project_id: Id, actor: AnyRoleDep, session: SessionDep) -> JSONResponse:
    """One project, archived or not, if the caller's role sees it (404 otherwise)."""
    view = await service.get(session, actor, project_id)
    return respond(_out(actor, view), "Project retrieved successfully")


@router.post(
    "",
    status_code=201,
    response_model=Envelope[ProjectOut],
    operation_id="createProject",
    summary="Create a project",
)
async def create_project(body: ProjectCreate, actor: AdminActor, session: SessionDep) -> JSONResponse:
    """Creates an active project (owners and executive managers); `manager_ids` must be
    active members who are not project viewers (and name the owner only when the owner
    creates it: 403). Its `weekly_hours_limit` is the default limit of the contracts
    later created on it."""
    view = await service.create(session, actor, body)
    return respond(_out(actor, view), "Project created successfully", status_code=201)


@router.put(
    "/{project_id}",
    response_model=Envelope[ProjectOut],
    operation_id="updateProject",
    summary="Update a project",
)
async def update_project(
    project_id: Id, body: ProjectUpdate, actor: ActorDep, session: SessionDep
) -> JSONResponse:
    """Only the fields sent change. Owners and executive managers change anything
    (`status` 0 archives, 1 restores; only the owner adds the owner to `manager_ids` or
    drops them from it); a project manager changes the projects they manage, but not
    their managers, status or rate."""
    view = await service.update(session, actor, project_id, body)
    return respond(_out(actor, view), "Project updated successfully")


@router.delete(
    "/{project_id}",
    response_model=Envelope[ProjectOut],
    operation_id="deleteProject",
    summary="Delete (archive) a project",
)
async def delete_project(
    project_id: Id,
    actor: AdminActor,
    session: SessionDep,
    _body: OptionalBody = None,
) -> JSONResponse:
    """Archives the project (owners and executive managers): it stays readable and takes
    no new time or contracts; `PUT` with `status` 1 restores it. 409 if already archived."""
    view = await service.archive(session, actor, project_id)
    return respond(_out(actor, view), "Project deleted successfully")
