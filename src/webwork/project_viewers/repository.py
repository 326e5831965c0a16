"""All SQL of the project viewers domain: the workspace's members whose role is project
viewer (``readable``), and the projects granted to them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, Select, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.prebuilt import PerRole, Scope, viewer_params
from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.auth.visibility import restrict, visible_user_ids
from webwork.kit.db import add_unless_taken
from webwork.kit.pagination import Page, Paged, PageParams, fetch_page
from webwork.models import Membership, Project, ProjectViewerProject, User
from webwork.project_viewers.schemas import ViewerView


def readable(actor: Scope) -> Select[Membership, User]:
    """The project viewers of the actor's workspace (in any status) that the actor sees."""
    return (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.workspace_id == actor.workspace_id,
            Membership.role == Role.PROJECT_VIEWER.value,
            restrict(Membership.user_id, visible_user_ids(actor)),
        )
    )


def _listing(viewer: Scope, by_email: bool) -> Paged:
    stmt = readable(viewer)
    if by_email:
        stmt = stmt.where(func.lower(User.email) == bindparam("email"))
    return Paged.of(stmt.order_by(Membership.id))


_LISTING = PerRole(_listing)
_ONE = PerRole(lambda viewer: readable(viewer).where(Membership.user_id == bindparam("user_id")))
_PROJECTS = (
    select(ProjectViewerProject.user_id, Project.id, Project.name)
    .join(Project, Project.id == ProjectViewerProject.project_id)
    .where(
        ProjectViewerProject.workspace_id == bindparam("workspace_id"),
        ProjectViewerProject.user_id.in_(bindparam("user_ids", expanding=True)),
    )
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
    projects = await projects_of(session, actor.workspace_id, (user.id for _, user in page.items))
    return Page([ViewerView(m, u, projects.get(u.id, [])) for m, u in page.items], page.pagination)


async def get(session: AsyncSession, actor: Actor, user_id: int) -> ViewerView | None:
    row = (await session.execute(_ONE(actor), {**viewer_params(actor), "user_id": user_id})).first()
    if row is None:
        return None
    membership, user = row
    projects = await projects_of(session, actor.workspace_id, [user.id])
    return ViewerView(membership, user, projects.get(user.id, []))


async def projects_of(
    session: AsyncSession, workspace_id: int, user_ids: Iterable[int]
) -> dict[int, list[tuple[int, str]]]:
    """One query for any number of viewers: user id -> (id, name) of their projects here."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = await session.execute(_PROJECTS, {"workspace_id": workspace_id, "user_ids": ids})
    result: dict[int, list[tuple[int, str]]] = {}
    for user_id, project_id, name in rows:
        result.setdefault(user_id, []).append((project_id, name))
    return result


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
