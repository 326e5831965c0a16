"""Contracts: who may see and change them, one per (member, project), rate visibility."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions, visibility
from webwork.auth.principal import Actor
from webwork.contracts import repository
from webwork.contracts.schemas import (
    CONTRACT_STATUSES,
    ContractCreate,
    ContractFilters,
    ContractUpdate,
    ContractView,
)
from webwork.kit.errors import Forbidden, ValidationFailed, found, invalid
from webwork.kit.pagination import Page, PageParams
from webwork.members import service as members
from webwork.models import Contract, Project
from webwork.models.statuses import ContractStatus
from webwork.projects import service as projects

DUPLICATE = "The member already has a contract on this project."


def shows_rate(actor: Actor, view: ContractView) -> bool:
    """A contract's rate is shown to those who may see its member's rate, and only on a
    billable project."""
    return visibility.may_see_rate(actor, view.contract.user_id, project_billable=view.project_is_billable)


def parse_status_filter(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value not in CONTRACT_STATUSES:
        raise invalid("status", "The selected status is invalid.")
    return value


async def list_page(
    session: AsyncSession, actor: Actor, filters: ContractFilters, params: PageParams
) -> Page[ContractView]:
    checked = dataclasses.replace(filters, status=parse_status_filter(filters.status))
    return await repository.list_page(session, actor, checked, params)


async def get(session: AsyncSession, actor: Actor, contract_id: int) -> ContractView:
    return found(await repository.get(session, actor, contract_id), "Contract not found.")


async def holds_contract(session: AsyncSession, actor: Actor, user_id: int, project_id: int) -> bool:
    """Whether ``user_id`` holds a contract (active or paused) on ``project_id`` in the
    actor's workspace: what puts a member's expense on a project."""
    return await repository.holds(session, actor.workspace_id, project_id, user_id)


async def create(session: AsyncSession, actor: Actor, body: ContractCreate) -> ContractView:
    """An active contract of an active member on a project that is not archived; without
    a ``weekly_hours_limit`` of its own it takes the project's. The rate is saved only if
    the actor may see that member's rate. Only the owner gives the owner a contract."""
    permissions.ensure_may_act(actor, [body.user_id], "contracts")
    project = await _check_parties(session, actor, body)
    if await repository.has_contract(session, body.project_id, body.user_id):
        raise invalid("user_id", DUPLICATE)
    contract = Contract(
        workspace_id=actor.workspace_id,
        project_id=project.id,
        user_id=body.user_id,
        weekly_hours_limit=_weekly_limit(body, project),
        screenshots=body.screenshots,
        rate=body.rate if visibility.may_see_rate(actor, body.user_id) else None,
        notes=body.notes,
        status=ContractStatus.ACTIVE,
    )
    if not await repository.insert(session, contract):
        raise invalid("user_id", DUPLICATE)
    return await get(session, actor, contract.id)


async def _check_parties(session: AsyncSession, actor: Actor, body: ContractCreate) -> Project:
    """The member and the project of a new contract, both checked (one 422 naming both)."""
    errors: dict[str, list[str]] = {}
    if not await repository.is_active_member(session, actor.workspace_id, body.user_id):
        errors["user_id"] = ["The selected user_id is invalid."]
    project = await projects.get_open(session, actor, body.project_id)
    if project is None:
        errors["project_id"] = ["The selected project_id is invalid."]
    if errors or project is None:
        raise ValidationFailed(errors)
    return project


def _weekly_limit(body: ContractCreate, project: Project) -> Decimal | None:
    if body.weekly_hours_limit is not None:
        return body.weekly_hours_limit
    return project.weekly_hours_limit


async def update(session: AsyncSession, actor: Actor, contract_id: int, body: ContractUpdate) -> ContractView:
    """Owners and executive managers change anything on the contracts of those they may
    act on; a project manager as :func:`_ensure_project_manager_may_update` says."""
    view = await get(session, actor, contract_id)
    changes = body.provided()
    if actor.is_admin:
        permissions.ensure_may_act(actor, [view.contract.user_id], "contracts")
    else:
        await _ensure_project_manager_may_update(session, actor, view.contract, changes)
    for field, value in changes.items():
        setattr(view.contract, field, value)
    await session.flush()
    return view


async def _ensure_project_manager_may_update(
    session: AsyncSession, actor: Actor, contract: Contract, changes: dict[str, Any]
) -> None:
    """A project manager changes the contracts of members ranked below them on the
    projects they manage (``permissions.may_act_on``), but not their rate."""
    if not await projects.is_project_manager_of(session, actor, contract.project_id):
        raise Forbidden("You may only update contracts on projects you manage.")
    reach = permissions.Reach(within_managed_projects=True)
    await members.ensure_in_rank(session, actor, [contract.user_id], reach, "contracts")
    if "rate" in changes:
        raise Forbidden("Only owners and executive managers may change a contract's rate.")
