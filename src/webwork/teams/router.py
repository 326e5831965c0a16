"""`/teams`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from webwork.auth.deps import ActorDep, AdminActor, SessionDep
from webwork.kit.envelope import Envelope, respond, respond_page
from webwork.kit.pagination import PageDep
from webwork.kit.schemas import OptionalBody
from webwork.kit.types import Id
from webwork.teams import service
from webwork.teams.schemas import TeamCreate, TeamOut, TeamUpdate

router = APIRouter(prefix="/teams", tags=["Teams"])


@router.get("", response_model=Envelope[list[TeamOut]], operation_id="getTeams", summary="List teams")
async def get_teams(actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    """Every team of the workspace for owners and executive managers; for everyone else
    the teams they are in. A team's managers see its members' records and time."""
    result = await service.list_page(session, actor, page)
    return respond_page(result, TeamOut.of, "Teams retrieved successfully")


@router.post(
    "", status_code=201, response_model=Envelope[TeamOut], operation_id="createTeam", summary="Create a team"
)
async def create_team(actor: AdminActor, session: SessionDep, body: TeamCreate) -> JSONResponse:
    """Creates a team (owners and executive managers; only the owner puts the owner in
    a team: 403). Every id must be an active member; managers are members of the team
    too, and project viewers cannot be managers."""
    team = await service.create(session, actor, body)
    return respond(TeamOut.of(team), "Team created successfully", status_code=201)


@router.get("/{team_id}", response_model=Envelope[TeamOut], operation_id="getTeam", summary="Get a team")
async def get_team(team_id: Id, actor: ActorDep, session: SessionDep) -> JSONResponse:
    """One team, if the caller may see it (404 otherwise)."""
    team = await service.get(session, actor, team_id)
    return respond(TeamOut.of(team), "Team retrieved successfully")


@router.put(
    "/{team_id}", response_model=Envelope[TeamOut], operation_id="updateTeam", summary="Update a team"
)
async def update_team(team_id: Id, actor: AdminActor, session: SessionDep, body: TeamUpdate) -> JSONResponse:
    """Only the fields sent change (owners and executive managers); a list sent replaces
    the current one. A manager left out of `manager_ids` stays a member unless
    `member_ids` leaves them out too. Only the owner adds, removes, promotes or demotes
    the owner (403)."""
    team = await service.update(session, actor, team_id, body)
    return respond(TeamOut.of(team), "Team updated successfully")


@router.delete(
    "/{team_id}", response_model=Envelope[TeamOut], operation_id="deleteTeam", summary="Delete a team"
)
async def delete_team(
    team_id: Id,
    actor: AdminActor,
    session: SessionDep,
    _body: OptionalBody = None,
) -> JSONResponse:
    """Deletes the team and its memberships (owners and executive managers; a team the
    owner is in, only the owner: 403); the members themselves stay."""
    team = await service.delete(session, actor, team_id)
    return respond(TeamOut.of(team), "Team deleted successfully")
