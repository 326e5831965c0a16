"""`/invitations/{token}`: public on purpose, the token in the link identifies the
invitation. The inviter sees the link too, so accepting it never hands over an account
on the link alone (see ``service.accept_invitation``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from webwork.auth.deps import SessionDep, get_principal
from webwork.auth.principal import Principal
from webwork.auth.roles import Role
from webwork.kit.envelope import Envelope, respond
from webwork.members import service
from webwork.members.router import PublicAddressDep
from webwork.members.schemas import InvitationAccept, InvitationAccepted, InvitationCodeSent, InvitationOut

router = APIRouter(prefix="/invitations", tags=["Members"])

# Same scheme as the authenticated routes (same name, so OpenAPI shows one), optional here.
_optional_api_key = HTTPBearer(
    scheme_name="apiKey", description="Personal API key (wwk_...)", auto_error=False
)

ACCEPT_DESCRIPTION = """Accepts the invitation. The inviter holds the link too, so the
answers never tell whether the invited address already had an account.

- **Signed in as the invited account** (`Authorization: Bearer wwk_...`): accepted at
  once; the answer's `api_key` is null.
- **Anyone else** proves that they control the invited address:
  1. POST without a body: a confirmation code (10 characters, e.g. `7KQ4M-9XT2B`) is
     mailed to the address, valid 15 minutes; the answer is **202** and holds no key.
     A new code can be asked for once a minute (429 before that), also when the mail
     did not arrive (it leaves after the answer; a failure is logged, not answered).
  2. POST `{"code": "7KQ4M-9XT2B"}` (case, spaces and dashes do not matter): the
     membership becomes active. The answer holds the account's first API key (shown
     once) if nobody held the account yet (no API key, password or active membership
     elsewhere); an account already held gets none (`api_key` null: sign in with what
     you have). A wrong, expired or used-up code is a 422 on `code`; 5 wrong codes use
     a code up. With the code, `password` sets the password of an account nobody held
     yet (for signing in to OAuth apps and the web pages, e.g. `/invite/{token}`).
"""


async def optional_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_api_key)],
) -> Principal | None:
    """An existing account accepts signed in; a new one has nothing to sign in with."""
    if credentials is None or not credentials.credentials:
        return None
    return await get_principal(request, session, credentials)


@router.get(
    "/{token}",
    response_model=Envelope[InvitationOut],
    operation_id="getInvitation",
    summary="Get an invitation",
)
async def get_invitation(token: str, session: SessionDep) -> JSONResponse:
    """What a pending invitation is for: the workspace, the invited address and the role.
    Public: the token of the link identifies the invitation; an accepted, archived or
    unknown one is a 404."""
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


@router.post(
    "/{token}/accept",
    response_model=Envelope[InvitationAccepted],
    responses={202: {"model": Envelope[InvitationCodeSent], "description": "A confirmation code was mailed"}},
    operation_id="acceptInvitation",
    summary="Accept an invitation",
    description=ACCEPT_DESCRIPTION,
    # The key is optional ({}: no credentials), as the description says.
    openapi_extra={"security": [{}]},
)
async def accept_invitation(
    token: str,
    session: SessionDep,
    principal: Annotated[Principal | None, Depends(optional_principal)],
    address: PublicAddressDep,
    body: Annotated[InvitationAccept | None, Body()] = None,
) -> JSONResponse:
    code, password = (body.code, body.password) if body is not None else (None, None)
    result = await service.accept_invitation(session, token, principal, code, address, password)
    if isinstance(result, service.CodeSent):
        sent = InvitationCodeSent(
            user_id=result.user_id,
            workspace_id=result.workspace_id,
            email=result.email,
            code_expires_at=result.code_expires_at,
        )
        return respond(sent, "A confirmation code was sent to the invited address.", status_code=202)
    out = InvitationAccepted(user_id=result.user_id, workspace_id=result.workspace_id, api_key=result.api_key)
    return respond(out, "Invitation accepted successfully")
