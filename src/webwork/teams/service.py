"""Teams: named groups of members; a team's managers see its members (visibility)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions
from webwork.auth.principal import Actor
from webwork.kit.clock import utcnow
from webwork.kit.errors import ValidationFailed
from webwork.kit.pagination import Page, PageParams, paginate
from webwork.members import service as members
from webwork.models import Team, TeamMember
from webwork.teams import repository as repo
from webwork.teams.schemas import TeamCreate, TeamUpdate


@dataclass(frozen=True)
class TeamWithRows:
    team: Team
    rows: list[TeamMember]


async def list_teams(session: AsyncSession, actor: Actor, params: PageParams) -> Page[TeamWithRows]:
    page = await paginate(session, repo.readable(actor).order_by(Team.id), params)
    rows = await repo.rows_by_team(session, (t.id for t in page.items))
    return Page([TeamWithRows(t, rows[t.id]) for t in page.items], page.pagination)


async def get_team(session: AsyncSession, actor: Actor, team_id: int) -> TeamWithRows:
    team = await repo.find(session, actor, team_id)
    return TeamWithRows(team, (await repo.rows_by_team(session, [team.id]))[team.id])


async def manages_member(session: AsyncSession, actor: Actor, user_id: int) -> bool:
    """Whether ``user_id`` is in one of the teams the actor manages."""
    return await repo.manages_member(session, actor, user_id)


async def create(session: AsyncSession, actor: Actor, data: TeamCreate) -> TeamWithRows:
    members, managers = set(data.member_ids), set(data.manager_ids)
    await _require_active(session, actor, member_ids=members, manager_ids=managers)
    team = Team(workspace_id=actor.workspace_id, name=data.name)
    session.add(team)
    await session.flush()
    return TeamWithRows(team, await repo.replace_rows(session, team, [], managers, members))


async def update(session: AsyncSession, actor: Actor, team_id: int, data: TeamUpdate) -> TeamWithRows:
    """A list sent replaces the current one; a list not sent is kept. Managers are
    always members, so a manager dropped from ``manager_ids`` stays a plain member
    unless ``member_ids`` leaves them out too."""
    current = await get_team(session, actor, team_id)
    changes = data.provided()
    given_members = set(data.member_ids) if data.member_ids is not None else set()
    given_managers = set(data.manager_ids) if data.manager_ids is not None else set()
    await _require_active(session, actor, member_ids=given_members, manager_ids=given_managers)
    members = given_members if data.member_ids is not None else {r.user_id for r in current.rows}
    managers = (
        given_managers if data.manager_ids is not None else {r.user_id for r in current.rows if r.is_manager}
    )
    if data.name is not None:
        current.team.name = data.name
    rows = current.rows
    if data.member_ids is not None or data.manager_ids is not None:
        rows = await repo.replace_rows(session, current.team, current.rows, managers, members)
    if changes:
        current.team.updated_at = utcnow()
    await session.flush()
    return TeamWithRows(current.team, rows)


async def delete(session: AsyncSession, actor: Actor, team_id: int) -> TeamWithRows:
    current = await get_team(session, actor, team_id)
    await repo.remove(session, current.team)
    return current


async def _require_active(
    session: AsyncSession, actor: Actor, *, member_ids: Iterable[int], manager_ids: Iterable[int]
) -> None:
    """Every id must be an active member of the workspace, and no manager a project
    viewer; the errors name the others."""
    errors: dict[str, list[str]] = {}
    for field, ids in (("member_ids", set(member_ids)), ("manager_ids", set(manager_ids))):
        roles = await members.active_roles(session, actor.workspace_id, ids)
        bad = ids - roles.keys()
        if bad:
            errors[field] = [f"These ids are not active members of the workspace: {_listed(bad)}."]
        viewers = {i for i, role in roles.items() if not permissions.may_be_manager(role)}
        if field == "manager_ids" and viewers:
            errors.setdefault(field, []).append(
                f"These ids are project viewers, who cannot manage teams: {_listed(viewers)}."
            )
    if errors:
        raise ValidationFailed(errors)


def _listed(ids: set[int]) -> str:
    return ", ".join(str(i) for i in sorted(ids))
