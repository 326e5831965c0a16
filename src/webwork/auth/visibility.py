"""What each role may see: which rows (as SQL that repositories put in their WHERE) and
whose rates. Every domain asks here; no repository or service decides it on its own.

Rows, after the workspace:
- owner / executive manager: every member, project, contract, task and team;
- team manager: themselves and the members of the teams they manage, the projects those
  people hold contracts on, and the contracts of those people;
- project manager: themselves, the projects they manage or hold a contract on, the
  contracts on the projects they manage (and their own), the members of those contracts;
- member: themselves, the projects they hold a contract on, their own contracts;
- project viewer: themselves and exactly the projects granted to them
  (:func:`viewer_project_ids`), whatever contracts or manager rows name them; every
  route but the few open to viewers refuses them before reading
  (``auth.deps.ActorDep``), so these rows are all a viewer reads.
Tasks are seen on the projects one sees that are not archived; teams by their members
(managers are members too) and by owners and executive managers; expenses as their
members' time is; reports count the time :func:`visible_report_time` names.

The row rules take any :class:`~webwork.auth.prebuilt.Scope`: the actor, or the
placeholder of a role in a statement built once (:mod:`webwork.auth.prebuilt`).

Functions answering ``Select[int] | None`` give the ids the role is limited to, ``None``
meaning "no limit beyond the workspace"; :func:`restrict` turns one into a condition.

Rates: owners and executive managers see every rate; a member whose ``rate_status`` is 1
sees their own; a project's own rate only the former; a contract's rate on a project
that is not billable is shown to no one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, literal, or_, select, union
from sqlalchemy.orm import InstrumentedAttribute

from webwork.auth.roles import Role
from webwork.models import (
    Contract,
    Membership,
    Project,
    ProjectManager,
    ProjectViewerProject,
    Team,
    TeamMember,
    TimeEntry,
)
from webwork.models.statuses import MembershipStatus

if TYPE_CHECKING:
    from webwork.auth.prebuilt import Scope
    from webwork.auth.principal import Actor


def managed_team_member_ids(actor: Scope) -> Select[int]:
    """Everyone in a team of the workspace that the actor manages (the actor included)."""
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


def managed_project_ids(actor: Scope) -> Select[int]:
    """Projects of the workspace listing the actor among their managers (whatever the
    actor's role: callers check the role where it matters)."""
    return (
        select(ProjectManager.project_id)
        .join(Project, Project.id == ProjectManager.project_id)
        .where(Project.workspace_id == actor.workspace_id, ProjectManager.user_id == actor.user_id)
    )


def contracted_project_ids(actor: Scope, user_ids: Select[int] | None = None) -> Select[int]:
    """Projects on which the actor (or any of ``user_ids``) holds a contract."""
    stmt = select(Contract.project_id).where(Contract.workspace_id == actor.workspace_id)
    if user_ids is None:
        return stmt.where(Contract.user_id == actor.user_id)
    return stmt.where(Contract.user_id.in_(user_ids))


def viewer_project_ids(actor: Scope) -> Select[int]:
    """The projects granted to the actor as a project viewer: all a viewer may read of
    the workspace (the projects, their tasks, and anything limited to projects, such as
    reports). Empty for a viewer granted nothing."""
    return select(ProjectViewerProject.project_id).where(
        ProjectViewerProject.workspace_id == actor.workspace_id,
        ProjectViewerProject.user_id == actor.user_id,
    )


def visible_user_ids(actor: Scope) -> Select[int] | None:
    """Users whose member record, contracts and time the actor may see."""
    if actor.is_admin:
        return None
    me = select(_sql(actor.user_id))
    if actor.role is Role.TEAM_MANAGER:
        return select(union(me, managed_team_member_ids(actor)).subquery().c[0])
    if actor.role is Role.PROJECT_MANAGER:
        contracted = select(Contract.user_id).where(
            Contract.workspace_id == actor.workspace_id, Contract.project_id.in_(managed_project_ids(actor))
        )
        return select(union(me, contracted).subquery().c[0])
    return me


def visible_report_time(actor: Scope) -> ColumnElement[bool]:
    """The time entries a report counts for the actor (the one rule of every report):
    owners and executive managers everyone's; team managers their own and their teams'
    members'; project managers their own and all time on the projects they manage;
    project viewers only the time on the projects granted to them; members their own."""
    if actor.role is Role.PROJECT_VIEWER:
        return TimeEntry.project_id.in_(viewer_project_ids(actor))
    if actor.role is Role.PROJECT_MANAGER:
        return or_(TimeEntry.user_id == actor.user_id, TimeEntry.project_id.in_(managed_project_ids(actor)))
    return restrict(TimeEntry.user_id, visible_user_ids(actor))


def visible_report_user_ids(actor: Scope) -> Select[int] | None:
    """Members a report lists even without counted time (the attendance report's
    absent members): whose time the actor sees (``visible_user_ids``), and for a
    project viewer the members holding a contract on a project granted to them. What
    is counted of their time is still :func:`visible_report_time`."""
    if actor.role is Role.PROJECT_VIEWER:
        return select(Contract.user_id).where(
            Contract.workspace_id == actor.workspace_id, Contract.project_id.in_(viewer_project_ids(actor))
        )
    return visible_user_ids(actor)


def visible_leave_user_ids(actor: Scope) -> Select[int] | None:
    """Whose leave the actor sees: everyone's for owners and executive managers, their
    own and their teams' members' for team managers, their own for project managers
    and members (project viewers are refused before any leave is read)."""
    if actor.is_admin:
        return None
    me = select(_sql(actor.user_id))
    if actor.role is Role.TEAM_MANAGER:
        return select(union(me, managed_team_member_ids(actor)).subquery().c[0])
    return me


def visible_project_ids(actor: Scope) -> Select[int] | None:
    """Projects the actor may see, archived ones included."""
    if actor.is_admin:
        return None
    if actor.role is Role.PROJECT_VIEWER:
        return viewer_project_ids(actor)
    if actor.role is Role.PROJECT_MANAGER:
        return select(union(managed_project_ids(actor), contracted_project_ids(actor)).subquery().c[0])
    if actor.role is Role.TEAM_MANAGER:
        team = managed_team_member_ids(actor)
        return select(
            union(contracted_project_ids(actor), contracted_project_ids(actor, team)).subquery().c[0]
        )
    return contracted_project_ids(actor)


def visible_open_project_ids(actor: Scope) -> Select[int]:
    """Projects of the workspace that the actor may see and that are not archived: where
    tasks are read and written."""
    return select(Project.id).where(
        Project.workspace_id == actor.workspace_id,
        Project.deleted_at.is_(None),
        restrict(Project.id, visible_project_ids(actor)),
    )


def contract_is_visible(actor: Scope) -> ColumnElement[bool]:
    """Contracts the actor may see: a project manager's own and those on the projects
    they manage (not those their contractors hold elsewhere); for everyone else, those
    of the users they see."""
    if actor.role is Role.PROJECT_MANAGER:
        return or_(Contract.user_id == actor.user_id, Contract.project_id.in_(managed_project_ids(actor)))
    return restrict(Contract.user_id, visible_user_ids(actor))


def visible_team_ids(actor: Scope) -> Select[int] | None:
    """Teams the actor may see: all for owners and executive managers, else the teams
    the actor is in."""
    if actor.is_admin:
        return None
    return select(TeamMember.team_id).where(TeamMember.user_id == actor.user_id)


def _sql(value: int | ColumnElement[int]) -> ColumnElement[int]:
    """A value for a SELECT list: an actor's id, or a :class:`~webwork.auth.prebuilt.Viewer`'s placeholder."""
    return value if isinstance(value, ColumnElement) else literal(value)


def restrict(
    column: ColumnElement[int] | InstrumentedAttribute[int], ids: Select[int] | None
) -> ColumnElement[bool]:
    """``column IN ids`` or TRUE when the actor is unrestricted."""
    return column.in_(ids) if ids is not None else literal(True)


def active_member_ids(workspace_id: int) -> Select[int]:
    return select(Membership.user_id).where(
        Membership.workspace_id == workspace_id, Membership.status == MembershipStatus.ACTIVE
    )


def may_see_rate(actor: Actor, user_id: int | None = None, *, project_billable: bool = True) -> bool:
    """Whether the actor sees a rate: of ``user_id`` (a member's rate, or their rate on a
    contract or in a timesheet), or of a project itself when ``user_id`` is None.
    ``project_billable=False`` (a contract on a project that is not billable) hides it
    from everyone."""
    if not project_billable:
        return False
    if actor.is_admin:
        return True
    return user_id is not None and user_id == actor.user_id and actor.membership.rate_status == 1


def sees_every_member(actor: Scope) -> bool:
    """Whether nothing but the workspace limits whose time the actor sees: then an id
    that names no member is only a bad id, never someone hidden from them."""
    return visible_user_ids(actor) is None
