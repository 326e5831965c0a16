"""`/invitations/{token}`: public on purpose, the token in the link is the credential.

Whoever receives the link an owner or executive manager shared can look at the
invitation and accept it; accepting a new account answers its first API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from webwork.auth.deps import SessionDep, get_principal
from webwork.auth.principal import Principal
from webwork.auth.roles import Role
from webwork.kit.envelope import Envelope, respond
from webwork.members import service
from webwork.members.schemas import InvitationAccepted, InvitationOut

router = APIRouter(prefix="/invitations", tags=["Members"])

# Same scheme as the authenticated routes (same name, so OpenAPI shows one), optional here.
_optional_api_key = HTTPBearer(
    scheme_name="apiKey", description="Personal API key (wwk_...)", auto_error=False
)


async def optional_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_api_key)],
) -> Principal | None:
    """An existing account accepts signed in; a new one has nothing to sign in with."""
    if credentials is None or not credentials.credentials:
        return None
    return await get_principal(request, session, credentials, None)


@router.get("/{token}", response_model=Envelope[InvitationOut])
async def show_invitation(token: str, session: SessionDep) -> JSONResponse:
    invitation = await service.get_invitation(session, token)
    role = Role(invitation.membership.role)
    out = InvitationOut(
        workspace_id=invitation.workspace.id,
        workspace_name=invitation.workspace.name,
        email=invitation.user.email,
        role=role.value,
        current_role=role.label,
        status=invitation.membership.status,
    )
    return respond(out, "Invitation retrieved successfully")


@router.post("/{token}/accept", response_model=Envelope[InvitationAccepted])
async def accept_invitation(
    token: str,
    session: SessionDep,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> JSONResponse:
    accepted = await service.accept_invitation(session, token, principal)
    out = InvitationAccepted(
        user_id=accepted.user_id, workspace_id=accepted.workspace_id, api_key=accepted.api_key
    )
    return respond(out, "Invitation accepted successfully")
