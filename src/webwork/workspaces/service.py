"""Workspaces the caller belongs to, and creating one with its owner."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Principal
from webwork.auth.roles import Role
from webwork.kit.errors import NotFound
from webwork.kit.pagination import Page, PageParams, paginate
from webwork.models import Membership, User, Workspace


def _mine(principal: Principal) -> Select[Workspace, Membership]:
    return (
        select(Workspace, Membership)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(
            Membership.user_id == principal.user_id,
            Membership.status == "active",
            Workspace.status == "active",
        )
    )


async def list_mine(
    session: AsyncSession, principal: Principal, params: PageParams
) -> Page[tuple[Workspace, Membership]]:
    return await paginate(session, _mine(principal).order_by(Workspace.id), params)


async def get_mine(
    session: AsyncSession, principal: Principal, workspace_id: int
) -> tuple[Workspace, Membership]:
    row = (await session.execute(_mine(principal).where(Workspace.id == workspace_id))).first()
    if row is None:
        raise NotFound("Workspace not found.")
    workspace, membership = row
    return workspace, membership


async def create(session: AsyncSession, owner: User, name: str, timezone: str = "UTC") -> Workspace:
    workspace = Workspace(name=name, owner_id=owner.id, timezone=timezone)
    session.add(workspace)
    await session.flush()
    session.add(Membership(workspace_id=workspace.id, user_id=owner.id, role=Role.OWNER.value, rate_status=1))
    await session.flush()
    return workspace
