"""All SQL of the contracts domain. Contracts a caller reads start from
``readable(actor)``; the two checks of a new contract (is its member active here, does
the pair already have one) look at the workspace as a whole, as a uniqueness rule must."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import visibility
from webwork.auth.principal import Actor
from webwork.contracts.schemas import ContractFilters, ContractView
from webwork.kit.pagination import Page, Paged, PageParams, fetch_page
from webwork.models import Contract, Membership, Project, User


def readable(actor: Actor) -> Select[Contract, str, bool, User]:
    """Contracts of the workspace the actor may see, with their project's name and
    billability and their user, joined in so that a page costs one query."""
    return (
        select(Contract, Project.name, Project.is_billable, User)
        .join(Project, Project.id == Contract.project_id)
        .join(User, User.id == Contract.user_id)
        .where(Contract.workspace_id == actor.workspace_id, visibility.contract_is_visible(actor))
    )


def _view(row: Any) -> ContractView:
    contract, project_name, is_billable, user = row
    return ContractView(contract, project_name, bool(is_billable), user)


async def list_page(
    session: AsyncSession, actor: Actor, filters: ContractFilters, params: PageParams
) -> Page[ContractView]:
    stmt = readable(actor)
    if filters.project_id is not None:
        stmt = stmt.where(Contract.project_id == filters.project_id)
    if filters.user_id is not None:
        stmt = stmt.where(Contract.user_id == filters.user_id)
    if filters.status:
        stmt = stmt.where(Contract.status == filters.status)
    page: Page[Any] = await fetch_page(session, Paged.of(stmt.order_by(Contract.id)), params)
    return Page([_view(row) for row in page.items], page.pagination)


async def get(session: AsyncSession, actor: Actor, contract_id: int) -> ContractView | None:
    row = (await session.execute(readable(actor).where(Contract.id == contract_id))).first()
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


async def holds(session: AsyncSession, workspace_id: int, project_id: int, user_id: int) -> bool:
    """Whether the member holds a contract (in any status) on the project in this
    workspace: a project id of another workspace names none."""
    found = await session.scalar(
        select(Contract.id).where(
            Contract.workspace_id == workspace_id,
            Contract.project_id == project_id,
            Contract.user_id == user_id,
        )
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
