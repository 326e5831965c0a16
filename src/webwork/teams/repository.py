"""All SQL of the teams domain; teams are always read through ``readable(actor)``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth import visibility
from webwork.auth.principal import Actor
from webwork.kit.db import save
from webwork.kit.pagination import Page, PageParams, paginate
from webwork.models import Team, TeamMember
from webwork.teams.schemas import TeamView


def readable(actor: Actor) -> Select[Team]:
    """Teams of the actor's workspace that the actor's role may see."""
    return select(Team).where(
        Team.workspace_id == actor.workspace_id,
        visibility.restrict(Team.id, visibility.visible_team_ids(actor)),
    )


async def list_page(session: AsyncSession, actor: Actor, params: PageParams) -> Page[TeamView]:
    page = await paginate(session, readable(actor).order_by(Team.id), params)
    rows = await rows_by_team(session, (t.id for t in page.items))
    return Page([TeamView(t, rows[t.id]) for t in page.items], page.pagination)


async def get(session: AsyncSession, actor: Actor, team_id: int) -> TeamView | None:
    team: Team | None = await session.scalar(readable(actor).where(Team.id == team_id))
    if team is None:
        return None
    return TeamView(team, (await rows_by_team(session, [team.id]))[team.id])


async def manages_member(session: AsyncSession, actor: Actor, user_id: int) -> bool:
    """Whether ``user_id`` is in a team the actor manages."""
    found = await session.scalar(
        visibility.managed_team_member_ids(actor).where(TeamMember.user_id == user_id).limit(1)
    )
    return found is not None


async def rows_by_team(session: AsyncSession, team_ids: Iterable[int]) -> dict[int, list[TeamMember]]:
    """One query for any number of teams: team id -> its member rows."""
    ids = list(team_ids)
    if not ids:
        return {}
    rows = await session.scalars(select(TeamMember).where(TeamMember.team_id.in_(ids)))
    result: dict[int, list[TeamMember]] = {team_id: [] for team_id in ids}
    for row in rows:
        result[row.team_id].append(row)
    return result


async def replace_rows(
    session: AsyncSession, team: Team, current: Sequence[TeamMember], managers: set[int], members: set[int]
) -> list[TeamMember]:
    """Make the team's rows exactly ``members | managers``, flagging ``managers``;
    rows that stay are updated in place."""
    wanted = members | managers
    kept: dict[int, TeamMember] = {}
    for row in current:
        if row.user_id in wanted:
            row.is_manager = row.user_id in managers
            kept[row.user_id] = row
        else:
            await session.delete(row)
    for user_id in wanted - kept.keys():
        kept[user_id] = TeamMember(team_id=team.id, user_id=user_id, is_manager=user_id in managers)
        session.add(kept[user_id])
    await session.flush()
    return [kept[user_id] for user_id in sorted(kept)]


async def remove(session: AsyncSession, team: Team) -> None:
    await session.execute(delete(TeamMember).where(TeamMember.team_id == team.id))
    await session.delete(team)
    await session.flush()


async def add(session: AsyncSession, *rows: Team) -> None:
    await save(session, *rows)
