"""Projects: who may see, create, change and archive them, and the rules on their fields."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions
from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.kit import clock
from webwork.kit.errors import Conflict, Forbidden, ValidationFailed, found, invalid
from webwork.kit.pagination import Page, PageParams
from webwork.members import service as members
from webwork.models import Project
from webwork.projects import repository
from webwork.projects.schemas import (
    ACTIVE,
    ARCHIVED,
    ProjectCreate,
    ProjectFilters,
    ProjectUpdate,
    ProjectView,
)
from webwork.webhooks import service as webhooks

_STATUS_FILTER = {"1": ACTIVE, "0": ARCHIVED, "active": ACTIVE, "archived": ARCHIVED, "all": None}
STATUS_FILTERS = tuple(_STATUS_FILTER)
# Fields only owners and executive managers may change, even on a project a PM manages.
_ADMIN_ONLY_FIELDS = ("manager_ids", "status", "rate")


def parse_status_filter(value: str | None) -> int | None:
    """``status`` of the list: 1 (default) active, 0 archived, ``all`` both."""
    if value is None or value == "":
        return ACTIVE
    key = value.strip().lower()
    if key not in _STATUS_FILTER:
        raise invalid("status", "The selected status is invalid.")
    return _STATUS_FILTER[key]


async def list_page(
    session: AsyncSession, actor: Actor, filters: ProjectFilters, params: PageParams
) -> Page[ProjectView]:
    name = (filters.name or "").strip() or None
    return await repository.list_page(
        session, actor, params, name=name, status=parse_status_filter(filters.status)
    )


async def get(session: AsyncSession, actor: Actor, project_id: int) -> ProjectView:
    return found(await repository.get(session, actor, project_id), "Project not found.")


async def get_open(session: AsyncSession, actor: Actor, project_id: int) -> Project | None:
    """The project if the actor sees it and it is not archived (what contracts may use)."""
    return await repository.get_open(session, actor, project_id)


def _check_dates(start_date: date | None, deadline: date | None) -> None:
    if start_date is not None and deadline is not None and deadline < start_date:
        raise invalid("deadline", "The deadline must be a date after or equal to start_date.")


async def _check_managers(session: AsyncSession, actor: Actor, manager_ids: Sequence[int]) -> list[int]:
    """Managers must be active members of the workspace who may manage (not project
    viewers); returns them deduplicated, in order."""
    unique = list(dict.fromkeys(manager_ids))
    roles = await members.active_roles(session, actor.workspace_id, unique)
    errors = []
    for i, user_id in enumerate(manager_ids):
        if user_id not in roles:
            errors.append(f"The selected manager_ids.{i} is invalid.")
        elif not permissions.may_be_manager(roles[user_id]):
            errors.append(f"The manager_ids.{i} is a project viewer; project viewers cannot manage projects.")
    if errors:
        raise ValidationFailed({"manager_ids": errors})
    return unique


async def create(session: AsyncSession, actor: Actor, body: ProjectCreate) -> ProjectView:
    """Owners and executive managers (the router) create projects, managed by those
    they may act on."""
    permissions.ensure_may_act(actor, body.manager_ids, "managed projects")
    _check_dates(body.start_date, body.deadline)
    managers = await _check_managers(session, actor, body.manager_ids)
    project = Project(
        workspace_id=actor.workspace_id,
        owner_id=actor.workspace.owner_id,
        name=body.name,
        start_date=body.start_date,
        deadline=body.deadline,
        estimation=body.estimation,
        budget=body.budget,
        notes=body.notes,
        icon=body.icon,
        is_billable=body.is_billable,
        rate=body.rate,
        weekly_hours_limit=body.weekly_hours_limit,
        screenshots=body.screenshots,
        tags=list(body.tags),
        status=ACTIVE,
    )
    await repository.add(session, project)
    await repository.add_managers(session, project.id, managers)
    webhooks.emit(session, actor.workspace, "project.created", _event(project))
    return ProjectView(project, 0, managers)


async def is_project_manager_of(session: AsyncSession, actor: Actor, project_id: int) -> bool:
    """The actor has the project manager role and manages this project."""
    return actor.role is Role.PROJECT_MANAGER and await repository.manages(session, actor, project_id)


async def _may_update(session: AsyncSession, actor: Actor, project_id: int, changes: dict[str, Any]) -> None:
    """Admins change anything; a project manager changes their own projects, except
    who manages them, their status and their rate."""
    if actor.is_admin:
        return
    if not await is_project_manager_of(session, actor, project_id):
        raise Forbidden("You may only update projects you manage.")
    for field in _ADMIN_ONLY_FIELDS:
        if field in changes:
            raise Forbidden(f"Only owners and executive managers may change the project's {field}.")


async def update(session: AsyncSession, actor: Actor, project_id: int, body: ProjectUpdate) -> ProjectView:
    view = await get(session, actor, project_id)
    project = view.project
    changes = body.provided()
    await _may_update(session, actor, project.id, changes)
    _check_dates(changes.get("start_date", project.start_date), changes.get("deadline", project.deadline))
    managers = view.manager_ids
    if "manager_ids" in changes:
        # Whoever is added or dropped must be someone the actor may act on.
        given = changes.pop("manager_ids")
        permissions.ensure_may_act(actor, set(given) ^ set(view.manager_ids), "managed projects")
        managers = await _check_managers(session, actor, given)
        await repository.replace_managers(session, project.id, managers)
    if "status" in changes:
        _set_status(project, changes.pop("status"))
    if "budget" in changes:
        project.budget = changes.pop("budget")
    for field, value in changes.items():
        setattr(project, field, list(value) if field == "tags" else value)
    await session.flush()
    webhooks.emit(session, actor.workspace, "project.updated", _event(project))
    return ProjectView(project, view.contracts_count, managers)


def _event(project: Project) -> dict[str, Any]:
    """What a project's webhook events carry."""
    return {"id": project.id, "name": project.name, "status": project.status}


def _set_status(project: Project, status: int) -> None:
    if status == project.status:
        return
    project.status = status
    project.deleted_at = clock.utcnow() if status == ARCHIVED else None


async def archive(session: AsyncSession, actor: Actor, project_id: int) -> ProjectView:
    view = await get(session, actor, project_id)
    if view.project.status == ARCHIVED:
        raise Conflict("Project is already archived.", code="already_archived")
    _set_status(view.project, ARCHIVED)
    await session.flush()
    webhooks.emit(session, actor.workspace, "project.deleted", _event(view.project))
    return view
