"""Workspaces the caller belongs to, and creating one with its owner."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Principal
from webwork.auth.roles import Role
from webwork.kit.errors import found
from webwork.kit.pagination import Page, PageParams
from webwork.models import Membership, User, Workspace
from webwork.workspaces import repository


async def list_page(
    session: AsyncSession, principal: Principal, params: PageParams
) -> Page[tuple[Workspace, Membership]]:
    return await repository.list_page(session, principal, params)


async def get(session: AsyncSession, principal: Principal, workspace_id: int) -> tuple[Workspace, Membership]:
    return found(await repository.get(session, principal, workspace_id), "Workspace not found.")


async def create(session: AsyncSession, owner: User, name: str, timezone: str = "UTC") -> Workspace:
    """A workspace and its owner's membership, who sees rates (``rate_status`` 1)."""
    workspace = Workspace(name=name, owner_id=owner.id, timezone=timezone)
    await repository.add(session, workspace)
    owner_membership = Membership(
        workspace_id=workspace.id, user_id=owner.id, role=Role.OWNER.value, rate_status=1
    )
    await repository.add(session, owner_membership)
    return workspace


async def get_for_operator(session: AsyncSession, workspace_id: int) -> Workspace:
    """Any workspace by id, whatever its status: the operator's CLI is trusted."""
    return found(await repository.any_by_id(session, workspace_id), f"Workspace {workspace_id} not found.")


async def first_active_owner(session: AsyncSession) -> tuple[str, int] | None:
    """(owner's email, workspace id) of the oldest active workspace, if any."""
    return await repository.first_active_owner(session)
