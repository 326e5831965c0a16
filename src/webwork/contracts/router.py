"""`/contracts`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, AdminActor, SessionDep
from webwork.auth.principal import Actor
from webwork.contracts import service
from webwork.contracts.schemas import ContractCreate, ContractOut, ContractUpdate, ContractView
from webwork.kit.envelope import Envelope, respond
from webwork.kit.pagination import PageDep

router = APIRouter(prefix="/contracts", tags=["Contracts"])


def _out(view: ContractView, actor: Actor) -> ContractOut:
    return ContractOut.of(view, currency=actor.workspace.currency, with_rate=service.shows_rate(actor, view))


@router.get("", response_model=Envelope[list[ContractOut]])
async def list_contracts(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    project_id: Annotated[int | None, Query(description="Only contracts on this project")] = None,
    user_id: Annotated[int | None, Query(description="Only contracts of this member")] = None,
    status: Annotated[str | None, Query(description="active or paused")] = None,
) -> JSONResponse:
    result = await service.list_contracts(
        session, actor, page, project_id=project_id, user_id=user_id, status=status
    )
    items = [_out(view, actor) for view in result.items]
    return respond(items, "Contracts retrieved successfully", pagination=result.pagination)


@router.get("/{contract_id}", response_model=Envelope[ContractOut])
async def get_contract(contract_id: int, actor: ActorDep, session: SessionDep) -> JSONResponse:
    view = await service.get_contract(session, actor, contract_id)
    return respond(_out(view, actor), "Contract retrieved successfully")


@router.post("", status_code=201, response_model=Envelope[ContractOut])
async def create_contract(body: ContractCreate, actor: AdminActor, session: SessionDep) -> JSONResponse:
    view = await service.create_contract(session, actor, body)
    return respond(_out(view, actor), "Contract created successfully", status_code=201)


@router.put("/{contract_id}", response_model=Envelope[ContractOut])
async def update_contract(
    contract_id: int, body: ContractUpdate, actor: ActorDep, session: SessionDep
) -> JSONResponse:
    view = await service.update_contract(session, actor, contract_id, body)
    return respond(_out(view, actor), "Contract updated successfully")
