"""All SQL of the projects domain; every statement on projects starts from ``readable(actor)``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ScalarSelect, Select, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import visibility
from webwork.auth.prebuilt import PerRole, Scope, viewer_params
from webwork.auth.principal import Actor
from webwork.kit.db import save
from webwork.kit.pagination import Page, Paged, PageParams, fetch_page
from webwork.models import Contract, Project, ProjectManager
from webwork.projects.schemas import ACTIVE, ProjectView


def readable(actor: Scope) -> Select[Project]:
    """Projects of the actor's workspace that the actor's role may see (archived included)."""
    return select(Project).where(
        Project.workspace_id == actor.workspace_id,
        visibility.restrict(Project.id, visibility.visible_project_ids(actor)),
    )


def _contracts_count() -> ScalarSelect[int]:
    """Counted in the same statement as the projects (a correlated subquery)."""
    return (
        select(func.count(Contract.id))
        .where(Contract.project_id == Project.id)
        .correlate(Project)
        .scalar_subquery()
    )


def _counted(stmt: Select[Project]) -> Select[Project, int]:
    return stmt.add_columns(_contracts_count().label("contracts_count"))


def like_pattern(text: str) -> str:
    """A case-insensitive substring pattern with LIKE's wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _listing(viewer: Scope, by_name: bool, by_status: bool) -> Paged:
    stmt = readable(viewer)
    if by_name:
        stmt = stmt.where(func.lower(Project.name).like(bindparam("name_pattern"), escape="\\"))
    if by_status:
        stmt = stmt.where(Project.status == bindparam("status"))
    return Paged.of(_counted(stmt).order_by(Project.id))


_LISTING = PerRole(_listing)
_ONE = PerRole(lambda viewer: _counted(readable(viewer).where(Project.id == bindparam("project_id"))))
_OPEN = PerRole(
    lambda viewer: readable(viewer).where(Project.id == bindparam("project_id"), Project.status == ACTIVE)
)
_MANAGERS = (
    select(ProjectManager.project_id, ProjectManager.user_id)
    .where(ProjectManager.project_id.in_(bindparam("project_ids", expanding=True)))
    .order_by(ProjectManager.user_id)
)


async def list_page(
    session: AsyncSession, actor: Actor, params: PageParams, *, name: str | None, status: int | None
) -> Page[ProjectView]:
    """A page of the projects the actor sees, in two statements whatever its size: the
    projects with their contract counts and total, then their managers."""
    values: dict[str, Any] = viewer_params(actor)
    if name:
        values["name_pattern"] = like_pattern(name)
    if status is not None:
        values["status"] = status
    page: Page[Any] = await fetch_page(
        session, _LISTING(actor, bool(name), status is not None), params, values
    )
    managers = await manager_ids_of(session, [project.id for project, _ in page.items])
    views = [ProjectView(project, int(count), managers.get(project.id, [])) for project, count in page.items]
    return Page(views, page.pagination)


async def get(session: AsyncSession, actor: Actor, project_id: int) -> ProjectView | None:
    row = (await session.execute(_ONE(actor), {**viewer_params(actor), "project_id": project_id})).first()
    if row is None:
        return None
    project, count = row
    managers = await manager_ids_of(session, [project.id])
    return ProjectView(project, int(count), managers.get(project.id, []))


async def get_open(session: AsyncSession, actor: Actor, project_id: int) -> Project | None:
    """The project if the actor sees it and it is not archived."""
    found: Project | None = await session.scalar(
        _OPEN(actor), {**viewer_params(actor), "project_id": project_id}
    )
    return found


async def manager_ids_of(session: AsyncSession, project_ids: Sequence[int]) -> dict[int, list[int]]:
    """One query for the managers of a whole page of projects."""
    if not project_ids:
        return {}
    rows = await session.execute(_MANAGERS, {"project_ids": list(project_ids)})
    result: dict[int, list[int]] = {}
    for project_id, user_id in rows:
        result.setdefault(project_id, []).append(user_id)
    return result


async def manages(session: AsyncSession, actor: Actor, project_id: int) -> bool:
    found = await session.scalar(
        visibility.managed_project_ids(actor).where(ProjectManager.project_id == project_id)
    )
    return found is not None


async def add_managers(session: AsyncSession, project_id: int, user_ids: Sequence[int]) -> None:
    session.add_all(ProjectManager(project_id=project_id, user_id=uid) for uid in user_ids)
    await session.flush()


async def replace_managers(session: AsyncSession, project_id: int, user_ids: Sequence[int]) -> None:
    await session.execute(delete(ProjectManager).where(ProjectManager.project_id == project_id))
    await add_managers(session, project_id, user_ids)


async def add(session: AsyncSession, *rows: Project) -> None:
    await save(session, *rows)
