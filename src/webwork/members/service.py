"""Members of a workspace: the rules of who may see, invite, change and archive whom."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.roles import Role
from webwork.models import Membership, User, Workspace


async def add_membership(
    session: AsyncSession, workspace: Workspace, user: User, role: Role, status: str = "active"
) -> Membership:
    """Give ``user`` a ``role`` in ``workspace``, reactivating an earlier membership."""
    membership = await session.scalar(
        select(Membership).where(Membership.workspace_id == workspace.id, Membership.user_id == user.id)
    )
    if membership is None:
        membership = Membership(workspace_id=workspace.id, user_id=user.id, role=role.value, status=status)
        session.add(membership)
    else:
        membership.role = role.value
        membership.status = status
        membership.deleted_at = None
    await session.flush()
    return membership
