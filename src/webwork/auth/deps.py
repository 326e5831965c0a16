"""FastAPI dependencies that authenticate the caller and resolve their workspace role.

Routes declare what they need with the ``Annotated`` aliases at the bottom; a route with
none of them is public on purpose (docs, health)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2AuthorizationCodeBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import api_keys
from webwork.auth.principal import Actor, Principal
from webwork.auth.roles import ADMINS, MANAGERS, Role
from webwork.kit.bodies import parse_json
from webwork.kit.clock import utcnow
from webwork.kit.db import get_session
from webwork.kit.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from webwork.kit.schemas import query_or_body
from webwork.models import ApiKey, Membership, User, Workspace

SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

# Both schemes read the same header; declaring them documents both in OpenAPI.
_api_key_scheme = HTTPBearer(scheme_name="apiKey", description="Personal API key (wwk_...)", auto_error=False)
_oauth2_scheme = OAuth2AuthorizationCodeBearer(
    authorizationUrl="/oauth/authorize",
    tokenUrl="/oauth/token",
    scheme_name="oauth2",
    scopes={"read": "Read access", "write": "Write access", "admin": "Administrative access"},
    auto_error=False,
)
LAST_USED_RESOLUTION = timedelta(minutes=1)


async def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_api_key_scheme)],
    _oauth: Annotated[str | None, Depends(_oauth2_scheme)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("Unauthenticated.")
    token = credentials.credentials.strip()
    if token.startswith(api_keys.PREFIX):
        return await _principal_from_api_key(session, token)
    raise Unauthenticated("Invalid or expired token.", code="invalid_token")


async def _principal_from_api_key(session: AsyncSession, token: str) -> Principal:
    row = (
        await session.execute(
            select(ApiKey, User)
            .join(User, User.id == ApiKey.user_id)
            .where(ApiKey.digest == api_keys.digest(token), ApiKey.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        raise Unauthenticated("Invalid or expired token.", code="invalid_token")
    key, user = row
    now = utcnow()
    # Record use at minute resolution so reads do not turn into a write per request.
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        key.last_used_at = now
    return Principal(user=user, kind="api_key", credential_id=key.id)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def _body_workspace_id(request: Request) -> Any:
    """Routes with a body model have parsed it already (FastAPI reports bad JSON first);
    for the others, such as a GET with a body, this is the only reader."""
    raw = await request.body()
    if not raw:
        return None
    body = parse_json(raw)
    return body.get("workspace_id") if isinstance(body, dict) else None


def _as_workspace_id(value: Any) -> int:
    if isinstance(value, bool):
        raise ValidationFailed({"workspace_id": ["The workspace id field must be an integer."]})
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationFailed({"workspace_id": ["The workspace id field must be an integer."]}) from None
    if number < 1:
        raise ValidationFailed({"workspace_id": ["The selected workspace id is invalid."]})
    return number


async def get_workspace_id(
    request: Request,
    workspace_id: Annotated[
        str | None, Query(description="ID of the workspace (may be sent in the body instead)")
    ] = None,
) -> int:
    """The hosted API reads workspace_id from the query for some verbs and the body for
    others; we take it from either and refuse two different values."""
    from_query = None if workspace_id in (None, "") else _as_workspace_id(workspace_id)
    body_value = await _body_workspace_id(request)
    from_body = None if body_value in (None, "") else _as_workspace_id(body_value)
    resolved = query_or_body("workspace_id", from_query, from_body)
    if resolved is None:
        raise ValidationFailed({"workspace_id": ["The workspace id field is required."]})
    return resolved


WorkspaceIdDep = Annotated[int, Depends(get_workspace_id)]


async def get_actor(principal: PrincipalDep, workspace_id: WorkspaceIdDep, session: SessionDep) -> Actor:
    row = (
        await session.execute(
            select(Workspace, Membership)
            .join(Membership, Membership.workspace_id == Workspace.id)
            .where(
                Workspace.id == workspace_id,
                Workspace.status == "active",
                Membership.user_id == principal.user_id,
            )
        )
    ).first()
    if row is None:
        raise NotFound("Workspace not found.")
    workspace, membership = row
    if membership.status != "active":
        raise Forbidden("Your membership in this workspace is not active.", code="membership_inactive")
    return Actor(principal=principal, workspace=workspace, membership=membership)


ActorDep = Annotated[Actor, Depends(get_actor)]


def require(*roles: Role) -> Callable[[Actor], Awaitable[Actor]]:
    """A dependency that lets through only the given roles (403 otherwise)."""
    allowed = frozenset(roles)

    async def dependency(actor: ActorDep) -> Actor:
        if actor.role not in allowed:
            raise Forbidden()
        return actor

    return dependency


AdminActor = Annotated[Actor, Depends(require(*ADMINS))]
ManagerActor = Annotated[Actor, Depends(require(*MANAGERS))]
