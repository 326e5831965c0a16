"""`/project-viewers`: people outside the team who read the projects assigned to them
(owners and executive managers manage them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import AdminActor, SessionDep
from webwork.kit.envelope import Envelope, respond, respond_page
from webwork.kit.pagination import PageDep
from webwork.kit.schemas import OptionalBody, query_or_body
from webwork.kit.types import Id, Line
from webwork.members.router import PublicAddressDep
from webwork.project_viewers import service
from webwork.project_viewers.schemas import ProjectScope, ViewerCreate, ViewerCreated, ViewerOut, ViewerView

router = APIRouter(prefix="/project-viewers", tags=["Project Viewers"])

ProjectQuery = Annotated[Id | None, Query(description="ID of the project (may be sent in the body instead)")]


async def scoped_project_id(
    project_id: ProjectQuery = None, body: Annotated[ProjectScope | None, Body()] = None
) -> int | None:
    """``project_id`` from the query or the body, like ``workspace_id``."""
    return query_or_body("project_id", project_id, body.project_id if body else None)


ScopedProjectId = Annotated[int | None, Depends(scoped_project_id)]


def _viewer(view: ViewerView, message: str) -> JSONResponse:
    return respond(ViewerOut.of(view), message)


@router.get(
    "",
    response_model=Envelope[list[ViewerOut]],
    operation_id="getProjectViewers",
    summary="List project viewers",
)
async def get_project_viewers(
    actor: AdminActor,
    session: SessionDep,
    page: PageDep,
    email: Annotated[Line | None, Query(max_length=254, description="Exact email (case-insensitive)")] = None,
) -> JSONResponse:
    """Every member of the workspace whose role is project viewer, however added (here,
    `POST /members` or `webwork bootstrap`), archived and invited ones included, each
    with the projects assigned to them. `status` is `active`, `archived`, or `invited`
    until the invitation is accepted."""
    result = await service.list_page(session, actor, email, page)
    return respond_page(result, ViewerOut.of, "Project viewers retrieved successfully")


@router.post(
    "",
    status_code=201,
    response_model=Envelope[ViewerCreated],
    operation_id="createProjectViewer",
    summary="Create (invite) a project viewer",
)
async def create_project_viewer(
    actor: AdminActor,
    session: SessionDep,
    body: ViewerCreate,
    address: PublicAddressDep,
) -> JSONResponse:
    """Invites the address as a project viewer, exactly as `POST /members` invites a
    member: status `invited`, the link mailed after the viewer is saved (and shown in
    the answer), accepted with `POST /invitations/{token}/accept`. The viewer sees no
    project until one is assigned. An email already in the workspace is a 422."""
    created = await service.create(session, actor, body, address)
    out = ViewerCreated(**ViewerOut.of(created.viewer).model_dump(), invitation_link=created.link)
    return respond(out, "Project viewer created successfully", status_code=201)


@router.get(
    "/{viewer_id}",
    response_model=Envelope[ViewerOut],
    operation_id="getProjectViewer",
    summary="Get a project viewer",
)
async def get_project_viewer(viewer_id: Id, actor: AdminActor, session: SessionDep) -> JSONResponse:
    """One project viewer by user id; 404 for anyone who is not a project viewer of the
    workspace."""
    return _viewer(await service.get(session, actor, viewer_id), "Project viewer retrieved successfully")


@router.delete(
    "/{viewer_id}",
    response_model=Envelope[ViewerOut],
    operation_id="deleteProjectViewer",
    summary="Delete (archive) a project viewer",
)
async def delete_project_viewer(
    viewer_id: Id, actor: AdminActor, session: SessionDep, _body: OptionalBody = None
) -> JSONResponse:
    """Archives the viewer: they see nothing any more, their assigned projects are kept,
    and `POST /project-viewers/{id}/restore` brings them back. 409 if already archived."""
    return _viewer(await service.archive(session, actor, viewer_id), "Project viewer deleted successfully")


@router.post(
    "/{viewer_id}/restore",
    response_model=Envelope[ViewerOut],
    operation_id="restoreProjectViewer",
    summary="Restore an archived project viewer",
)
async def restore_project_viewer(
    viewer_id: Id, actor: AdminActor, session: SessionDep, _body: OptionalBody = None
) -> JSONResponse:
    """Makes an archived viewer active again, or `invited` again if they never accepted
    their invitation; 409 if they are not archived."""
    return _viewer(await service.restore(session, actor, viewer_id), "Project viewer restored successfully")


@router.post(
    "/{viewer_id}/assign-project",
    response_model=Envelope[ViewerOut],
    operation_id="assignProjectToViewer",
    summary="Assign a project to a project viewer",
)
async def assign_project(
    viewer_id: Id, actor: AdminActor, session: SessionDep, project_id: ScopedProjectId
) -> JSONResponse:
    """Lets the viewer read the project (`project_id` in the body or the query) and its
    tasks; archived projects may be assigned too (read without their tasks, as everyone
    reads them). 404 for a project not in this workspace, 409 if already assigned."""
    view = await service.assign_project(session, actor, viewer_id, project_id)
    return _viewer(view, "Project assigned successfully")


@router.delete(
    "/{viewer_id}/unassign-project",
    response_model=Envelope[ViewerOut],
    operation_id="unassignProjectFromViewer",
    summary="Unassign a project from a project viewer",
)
async def unassign_project(
    viewer_id: Id, actor: AdminActor, session: SessionDep, project_id: ScopedProjectId
) -> JSONResponse:
    """The viewer no longer reads the project (`project_id` in the body or the query);
    404 if it is not assigned to them."""
    view = await service.unassign_project(session, actor, viewer_id, project_id)
    return _viewer(view, "Project unassigned successfully")
