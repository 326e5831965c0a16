"""The statements that authenticate a request, built once and bound per call: they run
on every request, so building them anew each time would cost more than running them."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Update, and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.models import ApiKey, Membership, User, Workspace
from webwork.models.statuses import WorkspaceStatus

_LIVE_KEY = and_(ApiKey.digest == bindparam("digest"), ApiKey.revoked_at.is_(None))


class KeyUse(NamedTuple):
    """What a request needs of its key: which one it is, and when it was last used (the
    key itself is never changed through the ORM, so it is read as two columns)."""

    id: int
    last_used_at: datetime | None


_KEY = select(ApiKey.id, ApiKey.last_used_at, User).join(User, User.id == ApiKey.user_id).where(_LIVE_KEY)

# The key, its user and, in the same round trip, their membership of the workspace asked
# for (None when they have none, or the workspace is not active).
_KEY_IN_WORKSPACE = (
    select(ApiKey.id, ApiKey.last_used_at, User, Membership, Workspace)
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


async def find_key(session: AsyncSession, digest: str) -> tuple[KeyUse, User] | None:
    row = (await session.execute(_KEY, {"digest": digest})).first()
    return None if row is None else (KeyUse(row[0], row[1]), row[2])


async def find_key_in_workspace(
    session: AsyncSession, digest: str, workspace_id: int
) -> tuple[KeyUse, User, Membership | None, Workspace | None] | None:
    row = (await session.execute(_KEY_IN_WORKSPACE, {"digest": digest, "workspace_id": workspace_id})).first()
    return None if row is None else (KeyUse(row[0], row[1]), row[2], row[3], row[4])


def mark_used(key_id: int, at: datetime) -> Update:
    return update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at)
