"""`/teams`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, AdminActor, SessionDep
from webwork.kit.envelope import Envelope, respond
from webwork.kit.pagination import PageDep
from webwork.kit.schemas import RequestBody
from webwork.teams import service
from webwork.teams.schemas import TeamCreate, TeamOut, TeamUpdate
from webwork.teams.service import TeamWithRows

router = APIRouter(prefix="/teams", tags=["Teams"])


def _out(team: TeamWithRows) -> TeamOut:
    return TeamOut.of(team.team, team.rows)


@router.get("", response_model=Envelope[list[TeamOut]])
async def list_teams(actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    result = await service.list_teams(session, actor, page)
    return respond(
        [_out(t) for t in result.items], "Teams retrieved successfully", pagination=result.pagination
    )


@router.post("", status_code=201, response_model=Envelope[TeamOut])
async def create_team(actor: AdminActor, session: SessionDep, body: TeamCreate) -> JSONResponse:
    team = await service.create(session, actor, body)
    return respond(_out(team), "Team created successfully", status_code=201)


@router.get("/{team_id}", response_model=Envelope[TeamOut])
async def get_team(team_id: int, actor: ActorDep, session: SessionDep) -> JSONResponse:
    team = await service.get_team(session, actor, team_id)
    return respond(_out(team), "Team retrieved successfully")


@router.put("/{team_id}", response_model=Envelope[TeamOut])
async def update_team(team_id: int, actor: AdminActor, session: SessionDep, body: TeamUpdate) -> JSONResponse:
    team = await service.update(session, actor, team_id, body)
    return respond(_out(team), "Team updated successfully")


@router.delete("/{team_id}", response_model=Envelope[TeamOut])
async def delete_team(
    team_id: int,
    actor: AdminActor,
    session: SessionDep,
    _body: Annotated[RequestBody | None, Body()] = None,
) -> JSONResponse:
    team = await service.delete(session, actor, team_id)
    return respond(_out(team), "Team deleted successfully")
