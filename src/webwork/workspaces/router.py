"""``/workspaces``: the active workspaces the caller is a member of."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from webwork.auth.deps import PrincipalDep, SessionDep
from webwork.kit.envelope import Envelope, respond, respond_page
from webwork.kit.pagination import PageDep
from webwork.kit.types import Id
from webwork.workspaces import service
from webwork.workspaces.schemas import WorkspaceOut

router = APIRouter(prefix="/workspaces", tags=["Workspaces"])


@router.get(
    "", response_model=Envelope[list[WorkspaceOut]], operation_id="getWorkspaces", summary="List workspaces"
)
async def get_workspaces(principal: PrincipalDep, session: SessionDep, page: PageDep) -> JSONResponse:
    """The active workspaces in which the caller is an active member, each with the
    caller's role there (`role` code and `current_role` label). No `workspace_id` needed."""
    result = await service.list_page(session, principal, page)
    return respond_page(result, lambda row: WorkspaceOut.of(*row), "Workspaces retrieved successfully")


@router.get(
    "/{workspace_id}",
    response_model=Envelope[WorkspaceOut],
    operation_id="getWorkspace",
    summary="Get a workspace",
)
async def get_workspace(workspace_id: Id, principal: PrincipalDep, session: SessionDep) -> JSONResponse:
    """One workspace the caller is an active member of, with the caller's role; 404 for
    any other id (another's workspace, an inactive membership, a workspace that is not active)."""
    workspace, membership = await service.get(session, principal, workspace_id)
    return respond(WorkspaceOut.of(workspace, membership), "Workspace retrieved successfully")
