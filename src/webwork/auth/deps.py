"""FastAPI dependencies that authenticate the caller and resolve their workspace role.

Routes declare what they need with the ``Annotated`` aliases at the bottom; a route with
none of them is public on purpose (docs, health)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any, NoReturn

from fastapi import Depends, Query, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import api_keys, oauth_tokens, permissions, repository, scopes
from webwork.auth.principal import Actor, Principal, UserView
from webwork.auth.roles import ADMINS, Role
from webwork.idempotency import http as idempotency
from webwork.kit import clock
from webwork.kit.bodies import parse_json
from webwork.kit.db import defer_write, get_session
from webwork.kit.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed, validation_errors
from webwork.kit.observe import note_principal
from webwork.kit.ratelimit import RateLimiter, limit_by_address, principal_key
from webwork.kit.schemas import query_or_body
from webwork.kit.types import Id, OptionalId
from webwork.models.statuses import MembershipStatus

SessionDep = Annotated[AsyncSession, Depends(get_session)]

_api_key_scheme = HTTPBearer(
    scheme_name="apiKey",
    description="Personal API key (wwk_...) or OAuth access token (wwo_...)",
    auto_error=False,
)
LAST_USED_RESOLUTION = timedelta(minutes=1)
_WORKSPACE_ID: TypeAdapter[int] = TypeAdapter(Id)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_api_key_scheme)]


async def get_principal(
    request: Request,
    session: SessionDep,
    credentials: Credentials,
) -> Principal:
    """The caller, for routes outside any workspace."""
    digest, oauth = await _token_digest(request, credentials)
    if oauth:
        token = await repository.find_token(session, digest, clock.utcnow())
        if token is None:
            await _refuse(request)
        return await _admit_token(request, *token)
    found = await repository.find_key(session, digest)
    if found is None:
        await _refuse(request)
    return await _admit(request, session, *found)


async def _token_digest(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> tuple[str, bool]:
    """The bearer token's digest, and whether it is an OAuth access token (else an API key)."""
    if credentials is None or not credentials.credentials:
        await _refuse(request, Unauthenticated("Unauthenticated."))
    token = credentials.credentials.strip()
    if token.startswith(api_keys.PREFIX):
        return api_keys.digest(token), False
    if token.startswith(oauth_tokens.ACCESS_PREFIX):
        return api_keys.digest(token), True
    await _refuse(request)


async def _refuse(request: Request, error: Unauthenticated | None = None) -> NoReturn:
    """A call that fails to authenticate spends its address's rate-limit bucket, so
    guessing keys is slowed down too."""
    await limit_by_address(request)
    raise error or Unauthenticated("Invalid or expired token.", code="invalid_token")


async def _admit(
    request: Request, session: AsyncSession, key: repository.KeyUse, user: UserView
) -> Principal:
    """Count the call against the caller's own bucket, name the caller in the request's
    log line, claim an ``Idempotency-Key`` if one was sent (webwork/idempotency), and note
    the key's use, at minute resolution and outside the read's transaction (see
    ``defer_write``)."""
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.enforce(request, principal_key(user.id))
    note_principal(request, user.id)
    await idempotency.claim(request, user.id)
    now = clock.utcnow()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        defer_write(session, repository.mark_used(key.id, now))
    return Principal(user=user)


async def _admit_token(request: Request, token: repository.TokenUse, user: UserView) -> Principal:
    """An OAuth token's caller, once the operation's scope is among the token's (403
    ``insufficient_scope`` otherwise, whatever the workspace asked for); named in the
    log line and holding its ``Idempotency-Key`` as an API key's caller does."""
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.enforce(request, principal_key(user.id))
    granted = frozenset(scopes.parse(token.scope))
    route = request.scope.get("route")
    tags = [str(tag) for tag in route.tags] if isinstance(route, APIRoute) else []
    needed = scopes.required(tags, request.method)
    if not scopes.allows(granted, needed):
        raise Forbidden(
            f"The access token lacks the scope {needed} that this operation needs.",
            code="insufficient_scope",
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{needed}"'},
        )
    note_principal(request, user.id)
    await idempotency.claim(request, user.id)
    return Principal(user=user, scopes=granted, workspace_id=token.workspace_id)


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
    """A body's workspace_id, read by the rules of every other id."""
    try:
        return _WORKSPACE_ID.validate_python(value)
    except ValidationError as exc:
        raise ValidationFailed(validation_errors(exc.errors(), loc=("workspace_id",))) from None


async def _workspace_id(request: Request, from_query: int | None) -> int:
    """The hosted API reads workspace_id from the query for some verbs and the body for
    others; we take it from either and refuse two different values."""
    body_value = await _body_workspace_id(request)
    from_body = None if body_value in (None, "") else _as_workspace_id(body_value)
    resolved = query_or_body("workspace_id", from_query, from_body)
    if resolved is None:
        raise ValidationFailed({"workspace_id": ["The workspace id field is required."]})
    return resolved


WorkspaceIdQuery = Annotated[
    OptionalId, Query(description="ID of the workspace (may be sent in the body instead)")
]


async def _member_actor(
    request: Request,
    session: AsyncSession,
    credentials: HTTPAuthorizationCredentials | None,
    workspace_id: int | None,
) -> Actor:
    """The caller as a member of the workspace asked for: key, user, membership and
    workspace in one statement. A missing credential is reported before a missing
    workspace id, a workspace the caller is not in is a 404."""
    digest, oauth = await _token_digest(request, credentials)
    try:
        wanted = await _workspace_id(request, workspace_id)
    except ValidationFailed:
        known = (
            await repository.find_token(session, digest, clock.utcnow())
            if oauth
            else await repository.find_key(session, digest)
        )
        if known is None:
            await _refuse(request)
        raise
    if oauth:
        token = await repository.find_token_in_workspace(session, digest, clock.utcnow())
        if token is None:
            await _refuse(request)
        use, user, membership, workspace = token
        principal = await _admit_token(request, use, user)
        if use.workspace_id != wanted:
            # A token acts in its client's workspace only; any other is not found.
            membership = workspace = None
    else:
        found = await repository.find_key_in_workspace(session, digest, wanted)
        if found is None:
            await _refuse(request)
        key, user, membership, workspace = found
        principal = await _admit(request, session, key, user)
    if membership is None or workspace is None:
        raise NotFound("Workspace not found.")
    if membership.status != MembershipStatus.ACTIVE:
        raise Forbidden("Your membership in this workspace is not active.", code="membership_inactive")
    return Actor(principal=principal, workspace=workspace, membership=membership)


# The three dependencies below each take the request's parts themselves rather than
# one another's result: FastAPI solves every level of a dependency tree anew per
# request, and the two levels saved are 3% of a list's instructions (callgrind).


async def get_actor_of_any_role(
    request: Request, session: SessionDep, credentials: Credentials, workspace_id: WorkspaceIdQuery = None
) -> Actor:
    return await _member_actor(request, session, credentials, workspace_id)


AnyRoleDep = Annotated[Actor, Depends(get_actor_of_any_role)]
"""The caller in the workspace, project viewers included: only for the few operations
open to them (reading the projects granted to them and those projects' tasks, their own
member record), whose services then see through ``auth.visibility``."""


async def get_actor(
    request: Request, session: SessionDep, credentials: Credentials, workspace_id: WorkspaceIdQuery = None
) -> Actor:
    """The caller in the workspace, unless a project viewer: the one place that keeps
    viewers to what is open to them (``permissions.ensure_beyond_viewing``). Every
    workspace operation takes this by default, so a new one is closed to viewers until
    it chooses :data:`AnyRoleDep`."""
    actor = await _member_actor(request, session, credentials, workspace_id)
    permissions.ensure_beyond_viewing(actor)
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


def require(*roles: Role) -> Callable[..., Awaitable[Actor]]:
    """A dependency that lets through only the given roles (403 otherwise)."""
    allowed = frozenset(roles)

    async def dependency(
        request: Request, session: SessionDep, credentials: Credentials, workspace_id: WorkspaceIdQuery = None
    ) -> Actor:
        actor = await get_actor(request, session, credentials, workspace_id)
        if actor.role not in allowed:
            raise Forbidden()
        return actor

    return dependency


AdminActor = Annotated[Actor, Depends(require(*ADMINS))]
