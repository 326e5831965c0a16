"""What each role may see, as SQL subqueries that repositories put in their WHERE.

One place decides row scoping for every domain (the role table of the reference):
- owner / executive manager: everyone and every project of the workspace;
- team manager: the members of the teams they manage (and themselves);
- project manager: the projects they manage, the members contracted on them, themselves;
- member: themselves and the projects they hold a contract on;
- project viewer: themselves only here (project assignments come with that domain).
``None`` means "no restriction beyond the workspace"."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, literal, select, union
from sqlalchemy.orm import InstrumentedAttribute

from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.models import Contract, Membership, Project, ProjectManager, Team, TeamMember


def managed_team_member_ids(actor: Actor) -> Select[int]:
    managed_teams = (
        select(TeamMember.team_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(
            Team.workspace_id == actor.workspace_id,
            TeamMember.user_id == actor.user_id,
            TeamMember.is_manager.is_(True),
        )
    )
    return select(TeamMember.user_id).where(TeamMember.team_id.in_(managed_teams))


def managed_project_ids(actor: Actor) -> Select[int]:
    return (
        select(ProjectManager.project_id)
        .join(Project, Project.id == ProjectManager.project_id)
        .where(Project.workspace_id == actor.workspace_id, ProjectManager.user_id == actor.user_id)
    )


def contracted_project_ids(actor: Actor, user_ids: Select[int] | None = None) -> Select[int]:
    stmt = select(Contract.project_id).where(Contract.workspace_id == actor.workspace_id)
    if user_ids is None:
        return stmt.where(Contract.user_id == actor.user_id)
    return stmt.where(Contract.user_id.in_(user_ids))


def visible_user_ids(actor: Actor) -> Select[int] | None:
    """Users whose member record, contracts and time the actor may see."""
    if actor.is_admin:
        return None
    me = select(literal(actor.user_id))
    if actor.role is Role.TEAM_MANAGER:
        return select(union(me, managed_team_member_ids(actor)).subquery().c[0])
    if actor.role is Role.PROJECT_MANAGER:
        contracted = select(Contract.user_id).where(
            Contract.workspace_id == actor.workspace_id, Contract.project_id.in_(managed_project_ids(actor))
        )
        return select(union(me, contracted).subquery().c[0])
    return me


def visible_project_ids(actor: Actor) -> Select[int] | None:
    """Projects the actor may see."""
    if actor.is_admin:
        return None
    if actor.role is Role.PROJECT_MANAGER:
        return select(union(managed_project_ids(actor), contracted_project_ids(actor)).subquery().c[0])
    if actor.role is Role.TEAM_MANAGER:
        team = managed_team_member_ids(actor)
        return select(
            union(contracted_project_ids(actor), contracted_project_ids(actor, team)).subquery().c[0]
        )
    return contracted_project_ids(actor)


def restrict(
    column: ColumnElement[int] | InstrumentedAttribute[int], ids: Select[int] | None
) -> ColumnElement[bool]:
    """``column IN ids`` or TRUE when the actor is unrestricted."""
    return column.in_(ids) if ids is not None else literal(True)


def active_member_ids(workspace_id: int) -> Select[int]:
    return select(Membership.user_id).where(
        Membership.workspace_id == workspace_id, Membership.status == "active"
    )


def sees_every_member(actor: Actor) -> bool:
    """Whether nothing but the workspace limits whose time the actor sees: then an id
    that names no member is only a bad id, never someone hidden from them."""
    return visible_user_ids(actor) is None
