"""All SQL of the workspaces domain. The caller's workspaces are read through
``readable(principal)``; the operator's lookups (bootstrap, no principal) are the two
functions at the end."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Principal
from webwork.kit.db import save
from webwork.kit.pagination import Page, Paged, PageParams, fetch_page
from webwork.models import Membership, User, Workspace
from webwork.models.statuses import MembershipStatus, WorkspaceStatus


def readable(principal: Principal) -> Select[Workspace, Membership]:
    """The active workspaces in which the principal has an active membership, with it;
    an OAuth token's caller sees its app's workspace only."""
    stmt = (
        select(Workspace, Membership)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(
            Membership.user_id == principal.user_id,
            Membership.status == MembershipStatus.ACTIVE,
            Workspace.status == WorkspaceStatus.ACTIVE,
        )
    )
    if principal.workspace_id is not None:
        stmt = stmt.where(Workspace.id == principal.workspace_id)
    return stmt


async def list_page(
    session: AsyncSession, principal: Principal, params: PageParams
) -> Page[tuple[Workspace, Membership]]:
    return await fetch_page(session, Paged.of(readable(principal).order_by(Workspace.id)), params)


async def get(
    session: AsyncSession, principal: Principal, workspace_id: int
) -> tuple[Workspace, Membership] | None:
    row = (await session.execute(readable(principal).where(Workspace.id == workspace_id))).first()
    return None if row is None else (row[0], row[1])


async def any_by_id(session: AsyncSession, workspace_id: int) -> Workspace | None:
    """A workspace in any status: the operator names it by id."""
    return await session.get(Workspace, workspace_id)


async def first_active_owner(session: AsyncSession) -> tuple[str, int] | None:
    """The email of the owner of the oldest active workspace, and that workspace's id."""
    row = (
        await session.execute(
            select(User.email, Workspace.id)
            .join(Workspace, Workspace.owner_id == User.id)
            .where(Workspace.status == WorkspaceStatus.ACTIVE)
            .order_by(Workspace.id)
            .limit(1)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def add(session: AsyncSession, *rows: Workspace | Membership) -> None:
    await save(session, *rows)
