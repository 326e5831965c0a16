"""All SQL of the contracts domain; every read starts from ``scoped(actor)``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import visibility
from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.contracts.schemas import ContractView
from webwork.kit.pagination import Page, PageParams, paginate
from webwork.models import Contract, Membership, Project, User


def _visible(actor: Actor) -> ColumnElement[bool]:
    """Admins see every contract; project managers those on the projects they manage
    and their own; team managers those of their teams' members and their own; others
    only their own."""
    if actor.role is Role.PROJECT_MANAGER:
        return or_(
            Contract.user_id == actor.user_id,
            Contract.project_id.in_(visibility.managed_project_ids(actor)),
        )
    return visibility.restrict(Contract.user_id, visibility.visible_user_ids(actor))


def scoped(actor: Actor) -> Select[Contract, str, bool, User]:
    """Visible contracts of the workspace with their project's name and billability and
    their user, joined in so that a page costs one query."""
    return (
        select(Contract, Project.name, Project.is_billable, User)
        .join(Project, Project.id == Contract.project_id)
        .join(User, User.id == Contract.user_id)
        .where(Contract.workspace_id == actor.workspace_id, _visible(actor))
    )


def _view(row: Any) -> ContractView:
    contract, project_name, is_billable, user = row
    return ContractView(contract, project_name, bool(is_billable), user)


async def list_contracts(
    session: AsyncSession,
    actor: Actor,
    params: PageParams,
    *,
    project_id: int | None,
    user_id: int | None,
    status: str | None,
) -> Page[ContractView]:
    stmt = scoped(actor)
    if project_id is not None:
        stmt = stmt.where(Contract.project_id == project_id)
    if user_id is not None:
        stmt = stmt.where(Contract.user_id == user_id)
    if status is not None:
        stmt = stmt.where(Contract.status == status)
    page: Page[Any] = await paginate(session, stmt.order_by(Contract.id), params)
    return Page([_view(row) for row in page.items], page.pagination)


async def get(session: AsyncSession, actor: Actor, contract_id: int) -> ContractView | None:
    row = (await session.execute(scoped(actor).where(Contract.id == contract_id))).first()
    return None if row is None else _view(row)


async def is_active_member(session: AsyncSession, workspace_id: int, user_id: int) -> bool:
    found = await session.scalar(
        visibility.active_member_ids(workspace_id).where(Membership.user_id == user_id)
    )
    return found is not None


async def has_contract(session: AsyncSession, project_id: int, user_id: int) -> bool:
    found = await session.scalar(
        select(Contract.id).where(Contract.project_id == project_id, Contract.user_id == user_id)
    )
    return found is not None


async def insert(session: AsyncSession, contract: Contract) -> bool:
    """Insert inside a SAVEPOINT; False when the (project, user) unique constraint
    refused it (another request created the same contract in the meantime)."""
    try:
        async with session.begin_nested():
            session.add(contract)
            await session.flush()
    except IntegrityError:
        if await has_contract(session, contract.project_id, contract.user_id):
            return False
        raise
    return True
