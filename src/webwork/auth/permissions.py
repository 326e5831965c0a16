"""What each role may do with what it sees: the write rules of the role table.

``visibility`` decides which rows a role reads; this module decides which of those it
may change or decide on. Services ask these functions instead of comparing roles, and
fetch the facts a decision needs (is the member in a team the actor manages, does the
time lie in projects the actor manages) through their repositories.

- Project viewers are read-only everywhere, and cannot be named managers.
- Time (timers, requests, timesheet submissions) is written by its member, or by an
  owner or executive manager for anyone.
- Owners and executive managers decide on any time. Team and project managers decide
  only on members ranked below them, never on their own time, and only on time inside
  what they manage: all of a member's time for a team manager of the member's team,
  time on the projects they manage for a project manager (time without a project lies
  outside every project, so a project manager never decides on it)."""

from __future__ import annotations

from dataclasses import dataclass

from webwork.auth.principal import Actor
from webwork.auth.roles import Role
from webwork.kit.errors import Forbidden

RANK = {
    Role.OWNER: 5,
    Role.EXECUTIVE_MANAGER: 4,
    Role.TEAM_MANAGER: 3,
    Role.PROJECT_MANAGER: 3,
    Role.MEMBER: 2,
    Role.PROJECT_VIEWER: 1,
}
READ_ONLY = "Project viewers have read-only access."


def outranks(role: Role, other: Role) -> bool:
    """Strictly higher: equal roles do not outrank each other."""
    return RANK[role] > RANK[other]


def may_write(role: Role) -> bool:
    return role is not Role.PROJECT_VIEWER


def may_be_manager(role: Role) -> bool:
    """Whether someone of ``role`` may be listed in a project's or a team's managers."""
    return may_write(role)


def ensure_may_write(actor: Actor) -> None:
    if not may_write(actor.role):
        raise Forbidden(READ_ONLY)


def may_record_time(actor: Actor, user_id: int) -> bool:
    """Start or stop a timer, ask for time, submit or unsubmit a timesheet for ``user_id``."""
    return may_write(actor.role) and (actor.is_admin or user_id == actor.user_id)


def ensure_may_record_time(actor: Actor, user_id: int, refusal: str) -> None:
    """403: the read-only message for viewers, ``refusal`` for anyone else refused."""
    ensure_may_write(actor)
    if not may_record_time(actor, user_id):
        raise Forbidden(refusal)


@dataclass(frozen=True)
class Reach:
    """What the actor manages of the time being decided on."""

    in_managed_team: bool = False  # its member is in a team the actor manages
    within_managed_projects: bool = False  # all of it lies on projects the actor manages


def may_decide(actor: Actor, user_id: int) -> bool:
    """Whether the actor may decide on ``user_id``'s time at all, before the facts of
    :class:`Reach` are looked up."""
    return actor.is_admin or (
        actor.role in (Role.TEAM_MANAGER, Role.PROJECT_MANAGER) and user_id != actor.user_id
    )


def may_decide_on(actor: Actor, user_id: int, role: Role, reach: Reach) -> bool:
    """Approve or reject time of ``user_id`` (whose role is ``role``)."""
    if actor.is_admin:
        return True
    if not may_decide(actor, user_id) or not outranks(actor.role, role):
        return False
    if actor.role is Role.TEAM_MANAGER:
        return reach.in_managed_team
    return reach.within_managed_projects
