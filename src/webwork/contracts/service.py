"""Contracts: who may see and change them, one per (member, project), rate visibility."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor
from webwork.contracts import repository
from webwork.contracts.schemas import CONTRACT_STATUSES, ContractCreate, ContractUpdate, ContractView
from webwork.kit.errors import Forbidden, NotFound, ValidationFailed, invalid
from webwork.kit.pagination import Page, PageParams
from webwork.models import Contract
from webwork.projects import service as projects

DUPLICATE = "The member already has a contract on this project."


def shows_rate(actor: Actor, view: ContractView) -> bool:
    """Seed rule: the rate is shown only to callers who may see this member's rate, and
    only on billable projects."""
    return actor.may_see_rate_of(view.contract.user_id) and view.project_is_billable


def parse_status_filter(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value not in CONTRACT_STATUSES:
        raise invalid("status", "The selected status is invalid.")
    return value


async def list_contracts(
    session: AsyncSession,
    actor: Actor,
    params: PageParams,
    *,
    project_id: int | None,
    user_id: int | None,
    status: str | None,
) -> Page[ContractView]:
    return await repository.list_contracts(
        session, actor, params, project_id=project_id, user_id=user_id, status=parse_status_filter(status)
    )


async def get_contract(session: AsyncSession, actor: Actor, contract_id: int) -> ContractView:
    view = await repository.get(session, actor, contract_id)
    if view is None:
        raise NotFound("Contract not found.")
    return view


async def create_contract(session: AsyncSession, actor: Actor, body: ContractCreate) -> ContractView:
    errors: dict[str, list[str]] = {}
    if not await repository.is_active_member(session, actor.workspace_id, body.user_id):
        errors["user_id"] = ["The selected user_id is invalid."]
    if await projects.find_open_project(session, actor.workspace_id, body.project_id) is None:
        errors["project_id"] = ["The selected project_id is invalid."]
    if errors:
        raise ValidationFailed(errors)
    if await repository.has_contract(session, body.project_id, body.user_id):
        raise invalid("user_id", DUPLICATE)
    contract = Contract(
        workspace_id=actor.workspace_id,
        project_id=body.project_id,
        user_id=body.user_id,
        weekly_hours_limit=body.weekly_hours_limit,
        screenshots=body.screenshots,
        rate=body.rate if actor.may_see_rate_of(body.user_id) else None,
        notes=body.notes,
        status="active",
    )
    if not await repository.insert(session, contract):
        raise invalid("user_id", DUPLICATE)
    return await get_contract(session, actor, contract.id)


async def update_contract(
    session: AsyncSession, actor: Actor, contract_id: int, body: ContractUpdate
) -> ContractView:
    """Admins change anything; a project manager changes contracts on the projects they
    manage, but not the rate."""
    view = await get_contract(session, actor, contract_id)
    changes = body.provided()
    if not actor.is_admin:
        if not await projects.is_project_manager_of(session, actor, view.contract.project_id):
            raise Forbidden("You may only update contracts on projects you manage.")
        if "rate" in changes:
            raise Forbidden("Only owners and executive managers may change a contract's rate.")
    for field, value in changes.items():
        setattr(view.contract, field, value)
    await session.flush()
    return view
