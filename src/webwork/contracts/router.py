"""`/contracts`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, AdminActor, SessionDep
from webwork.auth.principal import Actor
from webwork.contracts import service
from webwork.contracts.schemas import (
    ContractCreate,
    ContractFilters,
    ContractOut,
    ContractUpdate,
    ContractView,
)
from webwork.kit.envelope import Envelope, respond, respond_page
from webwork.kit.pagination import PageDep
from webwork.kit.types import Id, Keyword, choices
from webwork.models.statuses import ContractStatus

router = APIRouter(prefix="/contracts", tags=["Contracts"])


def _out(actor: Actor, view: ContractView) -> ContractOut:
    return ContractOut.of(view, currency=actor.workspace.currency, with_rate=service.shows_rate(actor, view))


@router.get(
    "", response_model=Envelope[list[ContractOut]], operation_id="getContracts", summary="List contracts"
)
async def get_contracts(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    project_id: Annotated[Id | None, Query(description="Only contracts on this project")] = None,
    user_id: Annotated[Id | None, Query(description="Only contracts of this member")] = None,
    status: Annotated[
        Keyword | None,
        Query(description="active or paused", json_schema_extra=choices(*ContractStatus, blank=True)),
    ] = None,
) -> JSONResponse:
    """The contracts (member-project assignments) the caller's role sees: all for owners
    and executive managers, those on the projects they manage for project managers, those
    of their teams' members for team managers, their own for others. `rate` is present
    only if the caller may see the member's rate and the project is billable."""
    result = await service.list_page(session, actor, ContractFilters(project_id, user_id, status), page)
    return respond_page(result, lambda view: _out(actor, view), "Contracts retrieved successfully")


@router.get(
    "/{contract_id}",
    response_model=Envelope[ContractOut],
    operation_id="getContract",
    summary="Get a contract",
)
async def get_contract(contract_id: Id, actor: ActorDep, session: SessionDep) -> JSONResponse:
    """One contract, if the caller's role sees it (404 otherwise)."""
    view = await service.get(session, actor, contract_id)
    return respond(_out(actor, view), "Contract retrieved successfully")


@router.post(
    "",
    status_code=201,
    response_model=Envelope[ContractOut],
    operation_id="createContract",
    summary="Create a contract",
)
async def create_contract(body: ContractCreate, actor: AdminActor, session: SessionDep) -> JSONResponse:
    """Assigns an active member to a project that is not archived (owners and executive
    managers; only the owner gives the owner a contract: 403); one contract per member
    and project (422 for a second). Without a `weekly_hours_limit` the contract takes the
    project's `weekly_hours_limit`."""
    view = await service.create(session, actor, body)
    return respond(_out(actor, view), "Contract created successfully", status_code=201)


@router.put(
    "/{contract_id}",
    response_model=Envelope[ContractOut],
    operation_id="updateContract",
    summary="Update a contract",
)
async def update_contract(
    contract_id: Id, body: ContractUpdate, actor: ActorDep, session: SessionDep
) -> JSONResponse:
    """Only the fields sent change. Owners and executive managers change anything (on
    the owner's contracts, only the owner); a project manager the contracts of members
    ranked below them (members, project viewers) on the projects they manage, not their
    own or another manager's, and not the rate (403)."""
    view = await service.update(session, actor, contract_id, body)
    return respond(_out(actor, view), "Contract updated successfully")
