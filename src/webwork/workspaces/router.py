"""``/workspaces``: the active workspaces the caller is a member of."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from webwork.auth.deps import PrincipalDep, SessionDep
from webwork.kit.envelope import Envelope, respond
from webwork.kit.pagination import PageDep
from webwork.workspaces import service
from webwork.workspaces.schemas import WorkspaceOut

router = APIRouter(prefix="/workspaces", tags=["Workspaces"])


@router.get("", response_model=Envelope[list[WorkspaceOut]])
async def list_workspaces(principal: PrincipalDep, session: SessionDep, page: PageDep) -> JSONResponse:
    result = await service.list_mine(session, principal, page)
    items = [WorkspaceOut.of(w, m) for w, m in result.items]
    return respond(items, "Workspaces retrieved successfully", pagination=result.pagination)


@router.get("/{workspace_id}", response_model=Envelope[WorkspaceOut])
async def get_workspace(workspace_id: int, principal: PrincipalDep, session: SessionDep) -> JSONResponse:
    workspace, membership = await service.get_mine(session, principal, workspace_id)
    return respond(WorkspaceOut.of(workspace, membership), "Workspace retrieved successfully")
