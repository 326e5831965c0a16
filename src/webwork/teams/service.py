"""Teams: named groups of members; a team's managers see its members (visibility)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import permissions
from webwork.auth.principal import Actor
from webwork.kit import clock
from webwork.kit.errors import ValidationFailed, found
from webwork.kit.pagination import Page, PageParams
from webwork.members import service as members
from webwork.models import Team
from webwork.teams import repository
from webwork.teams.schemas import TeamCreate, TeamUpdate, TeamView


async def list_page(session: AsyncSession, actor: Actor, params: PageParams) -> Page[TeamView]:
    return await repository.list_page(session, actor, params)


async def get(session: AsyncSession, actor: Actor, team_id: int) -> TeamView:
    return found(await repository.get(session, actor, team_id), "Team not found.")


async def manages_member(session: AsyncSession, actor: Actor, user_id: int) -> bool:
    """Whether ``user_id`` is in one of the teams the actor manages."""
    return await repository.manages_member(session, actor, user_id)


async def create(session: AsyncSession, actor: Actor, data: TeamCreate) -> TeamView:
    """Owners and executive managers (the router) create teams of those they may act on."""
    members, managers = set(data.member_ids), set(data.manager_ids)
    permissions.ensure_may_act(actor, members | managers, "teams")
    await _require_active(session, actor, member_ids=members, manager_ids=managers)
    team = Team(workspace_id=actor.workspace_id, name=data.name)
    await repository.add(session, team)
    return TeamView(team, await repository.replace_rows(session, team, [], managers, members))


async def update(session: AsyncSession, actor: Actor, team_id: int, data: TeamUpdate) -> TeamView:
    """A list sent replaces the current one; a list not sent is kept. Managers are
    always members, so a manager dropped from ``manager_ids`` stays a plain member
    unless ``member_ids`` leaves them out too. Whoever joins, leaves, becomes or stops
    being a manager must be someone the actor may act on."""
    current = await get(session, actor, team_id)
    changes = data.provided()
    given_members = set(data.member_ids) if data.member_ids is not None else set()
    given_managers = set(data.manager_ids) if data.manager_ids is not None else set()
    members = given_members if data.member_ids is not None else {r.user_id for r in current.rows}
    managers = (
        given_managers if data.manager_ids is not None else {r.user_id for r in current.rows if r.is_manager}
    )
    before = {row.user_id: row.is_manager for row in current.rows}
    after = {user_id: user_id in managers for user_id in members | managers}
    moved = {user_id for user_id in before.keys() | after.keys() if before.get(user_id) != after.get(user_id)}
    permissions.ensure_may_act(actor, moved, "teams")
    await _require_active(session, actor, member_ids=given_members, manager_ids=given_managers)
    if data.name is not None:
        current.team.name = data.name
    rows = current.rows
    if data.member_ids is not None or data.manager_ids is not None:
        rows = await repository.replace_rows(session, current.team, current.rows, managers, members)
    if changes:
        current.team.updated_at = clock.utcnow()
    await session.flush()
    return TeamView(current.team, rows)


async def delete(session: AsyncSession, actor: Actor, team_id: int) -> TeamView:
    """Deleting a team takes everyone out of it: they must all be people the actor may
    act on."""
    current = await get(session, actor, team_id)
    permissions.ensure_may_act(actor, [row.user_id for row in current.rows], "teams")
    await repository.remove(session, current.team)
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
