"""Operator actions outside the HTTP API: first user, workspace and API key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.api_keys import service as api_keys
from webwork.auth.roles import Role
from webwork.kit.errors import NotFound
from webwork.members import service as members
from webwork.models import User, Workspace
from webwork.users import service as users
from webwork.workspaces import service as workspaces


@dataclass(frozen=True)
class Bootstrapped:
    user_id: int
    workspace_id: int
    api_key: str


async def bootstrap(
    session: AsyncSession,
    *,
    email: str,
    firstname: str = "",
    lastname: str = "",
    workspace_name: str | None = None,
    workspace_id: int | None = None,
    role: Role = Role.MEMBER,
    key_name: str = "bootstrap",
) -> Bootstrapped:
    """Create the user if missing; then either a new workspace they own, or a membership
    with ``role`` in an existing one; then a fresh API key."""
    user = await users.get_or_create(session, email, firstname, lastname)
    if workspace_name is not None:
        workspace = await workspaces.create(session, user, workspace_name)
    else:
        found = await session.get(Workspace, workspace_id)
        if found is None:
            raise NotFound(f"Workspace {workspace_id} not found.")
        workspace = found
        await members.add_membership(session, workspace, user, role)
    _, plaintext = await api_keys.issue(session, user, key_name)
    return Bootstrapped(user_id=user.id, workspace_id=workspace.id, api_key=plaintext)


async def has_users(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(User)))
