"""All SQL of the project viewers domain: the workspace's members whose role is project
viewer (``readable``), and the projects granted to them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Select, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.prebuilt import PerRole, Scope, viewer_params
from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.kit.db import add_unless_taken
from webwork.kit.pagination import Page, Paged, PageParams, fetch_page
from webwork.members import repository as members_repository
from webwork.models import Membership, Project, ProjectViewerProject, User
from webwork.project_viewers.schemas import ViewerView


def readable(actor: Scope) -> Select[Membership, User]:
    """The project viewers (in any status) among the members of the actor's workspace
    that the actor sees."""
    return members_repository.readable(actor).where(Membership.role == Role.PROJECT_VIEWER.value)


def _listing(viewer: Scope, by_email: bool) -> Paged:
    stmt = readable(viewer)
    if by_email:
        stmt = stmt.where(func.lower(User.email) == bindparam("email"))
    return Paged.of(stmt.order_by(Membership.id))


_LISTING = PerRole(_listing)
_ONE = PerRole(lambda viewer: readable(viewer).where(User.id == bindparam("user_id")))
# The projects granted to a page of viewers (the key's workspace, user prefix).
_PROJECTS = (
    select(ProjectViewerProject.user_id, Project.id, Project.name)
    .join(Project, Project.id == ProjectViewerProject.project_id)
    .where(ProjectViewerProject.workspace_id == bindparam("workspace_id"))
    .where(ProjectViewerProject.user_id.in_(bindparam("user_ids", expanding=True)))
    .order_by(Project.id)
)


async def list_page(
    session: AsyncSession, actor: Actor, params: PageParams, *, normalized_email: str | None
) -> Page[ViewerView]:
    """A page of viewers with their projects: two statements whatever its size."""
    values: dict[str, Any] = viewer_params(actor)
    if normalized_email:
        values["email"] = normalized_email
    page = await fetch_page(session, _LISTING(actor, bool(normalized_email)), params, values)
    return Page(await _with_projects(session, actor.workspace_id, page.items), page.pagination)


async def get(session: AsyncSession, actor: Actor, user_id: int) -> ViewerView | None:
    row = (await session.execute(_ONE(actor), {**viewer_params(actor), "user_id": user_id})).first()
    return None if row is None else (await _with_projects(session, actor.workspace_id, [row]))[0]


async def _with_projects(session: AsyncSession, workspace_id: int, rows: Sequence[Any]) -> list[ViewerView]:
    """The viewers of ``rows`` (membership, user) with their projects here, read in one
    statement for all of them."""
    granted: defaultdict[int, list[tuple[int, str]]] = defaultdict(list)
    if rows:
        values = {"workspace_id": workspace_id, "user_ids": [user.id for _, user in rows]}
        for user_id, project_id, name in await session.execute(_PROJECTS, values):
            granted[user_id].append((project_id, name))
    return [ViewerView(membership, user, granted[user.id]) for membership, user in rows]


async def grant(session: AsyncSession, workspace_id: int, user_id: int, project_id: int) -> bool:
    """Grant the project; False if it already was (the primary key decides a race)."""
    row = ProjectViewerProject(workspace_id=workspace_id, user_id=user_id, project_id=project_id)
    return await add_unless_taken(session, row)


async def revoke(session: AsyncSession, workspace_id: int, user_id: int, project_id: int) -> bool:
    """Withdraw the project; False if it was not granted."""
    result = await session.execute(
        delete(ProjectViewerProject).where(
            ProjectViewerProject.workspace_id == workspace_id,
            ProjectViewerProject.user_id == user_id,
            ProjectViewerProject.project_id == project_id,
        )
    )
    return cast(CursorResult[Any], result).rowcount == 1
