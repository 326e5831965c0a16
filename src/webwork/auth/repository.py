"""The statements that authenticate a request, built once and bound per call: they run
on every request, so building them anew each time would cost more than running them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Update, and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import CallerMembership, CallerUser, CallerWorkspace
from webwork.kit.db import column_rows
from webwork.models import ApiKey, Membership, OAuthToken, User, Workspace
from webwork.models.statuses import WorkspaceStatus

_LIVE_KEY = and_(ApiKey.digest == bindparam("digest"), ApiKey.revoked_at.is_(None))


class KeyUse(NamedTuple):
    """What a request needs of its key: which one it is, and when it was last used (the
    key itself is never changed through the ORM, so it is read as two columns)."""

    id: int
    last_used_at: datetime | None


def _columns(model: Any, shape: Any) -> list[ColumnElement[Any]]:
    """The model's columns named by the fields of ``shape`` (a named tuple), in order."""
    return [getattr(model, name) for name in shape._fields]


_USER = _columns(User, CallerUser)
_MEMBERSHIP = _columns(Membership, CallerMembership)
_WORKSPACE = _columns(Workspace, CallerWorkspace)
_U, _M = 2 + len(_USER), 2 + len(_USER) + len(_MEMBERSHIP)

_KEY = select(ApiKey.id, ApiKey.last_used_at, *_USER).join(User, User.id == ApiKey.user_id).where(_LIVE_KEY)

# The key, its user and, in the same round trip, their membership of the workspace asked
# for (None when they have none, or the workspace is not active).
_KEY_IN_WORKSPACE = (
    select(ApiKey.id, ApiKey.last_used_at, *_USER, *_MEMBERSHIP, *_WORKSPACE)
    .join(User, User.id == ApiKey.user_id)
    .outerjoin(
        Membership,
        and_(Membership.user_id == ApiKey.user_id, Membership.workspace_id == bindparam("workspace_id")),
    )
    .outerjoin(
        Workspace, and_(Workspace.id == Membership.workspace_id, Workspace.status == WorkspaceStatus.ACTIVE)
    )
    .where(_LIVE_KEY)
)


async def find_key(session: AsyncSession, digest: str) -> tuple[KeyUse, CallerUser] | None:
    rows = await column_rows(session, _KEY, {"digest": digest})
    if not rows:
        return None
    row = rows[0]
    return KeyUse(row[0], row[1]), CallerUser(*row[2:_U])


async def find_key_in_workspace(
    session: AsyncSession, digest: str, workspace_id: int
) -> tuple[KeyUse, CallerUser, CallerMembership | None, CallerWorkspace | None] | None:
    rows = await column_rows(session, _KEY_IN_WORKSPACE, {"digest": digest, "workspace_id": workspace_id})
    if not rows:
        return None
    row = rows[0]
    membership = None if row[_U] is None else CallerMembership(*row[_U:_M])
    workspace = None if row[_M] is None else CallerWorkspace(*row[_M:])
    return KeyUse(row[0], row[1]), CallerUser(*row[2:_U]), membership, workspace


def mark_used(key_id: int, at: datetime) -> Update:
    return update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at)


class TokenUse(NamedTuple):
    """What a request needs of its OAuth access token: its scopes and its workspace."""

    scope: str
    workspace_id: int


_LIVE_TOKEN = and_(
    OAuthToken.access_digest == bindparam("digest"),
    OAuthToken.revoked_at.is_(None),
    OAuthToken.access_expires_at > bindparam("now"),
)
_TOKEN = (
    select(OAuthToken.scope, OAuthToken.workspace_id, *_USER)
    .join(User, User.id == OAuthToken.user_id)
    .where(_LIVE_TOKEN)
)
# As _KEY_IN_WORKSPACE, in the token's own workspace: the caller compares it with the
# one asked for.
_TOKEN_IN_WORKSPACE = (
    select(OAuthToken.scope, OAuthToken.workspace_id, *_USER, *_MEMBERSHIP, *_WORKSPACE)
    .join(User, User.id == OAuthToken.user_id)
    .outerjoin(
        Membership,
        and_(Membership.user_id == OAuthToken.user_id, Membership.workspace_id == OAuthToken.workspace_id),
    )
    .outerjoin(
        Workspace, and_(Workspace.id == Membership.workspace_id, Workspace.status == WorkspaceStatus.ACTIVE)
    )
    .where(_LIVE_TOKEN)
)


async def find_token(session: AsyncSession, digest: str, now: datetime) -> tuple[TokenUse, CallerUser] | None:
    rows = await column_rows(session, _TOKEN, {"digest": digest, "now": now})
    if not rows:
        return None
    row = rows[0]
    return TokenUse(row[0], row[1]), CallerUser(*row[2:_U])


async def find_token_in_workspace(
    session: AsyncSession, digest: str, now: datetime
) -> tuple[TokenUse, CallerUser, CallerMembership | None, CallerWorkspace | None] | None:
    rows = await column_rows(session, _TOKEN_IN_WORKSPACE, {"digest": digest, "now": now})
    if not rows:
        return None
    row = rows[0]
    membership = None if row[_U] is None else CallerMembership(*row[_U:_M])
    workspace = None if row[_M] is None else CallerWorkspace(*row[_M:])
    return TokenUse(row[0], row[1]), CallerUser(*row[2:_U]), membership, workspace
