"""What each role may do with what it sees: the write rules of the role table.

``visibility`` decides which rows a role reads; this module decides which of those it
may change or decide on. Services ask these functions instead of comparing roles, and
fetch the facts a decision needs (is the member in a team the actor manages, does the
time lie in projects the actor manages) through their repositories.

- Project viewers read the projects granted to them and those projects' tasks, and
  change nothing but their own member record (and their own API keys, outside any
  workspace); every other operation refuses them (:func:`ensure_beyond_viewing`, which
  ``auth.deps.ActorDep`` applies to every workspace operation not opened to viewers).
  They cannot be named managers.
- Acting on a person: every write about someone (their contracts, task assignments,
  teams, places among a project's managers, member record, time, timers, requests and
  timesheets, and deciding on their time) follows one rank rule, :func:`may_act_on`
  (owner > executive manager > team manager = project manager > member > project
  viewer). Nobody acts on someone ranked above them: owners act on anyone, executive
  managers on anyone but the owner (their equals included: the role table gives them
  "everything but ownership"), so everything about the owner is the owner's alone.
  Team and project managers act only on members ranked strictly below them (never on
  themselves or another manager) and only within what they manage: a team manager on
  the members of their teams, a project manager through the projects they manage (a
  contract or task there, time all of which lies there; time without a project lies
  outside every project). Members act on no one else.
- What each write lets a role do at all stays with its service: owners and executive
  managers alone create contracts, change teams and project managers, archive members
  and write others' time, timers, requests and timesheet submissions; project managers
  change contracts (not their rate) and task assignments on their projects; team and
  project managers decide on time. Everyone writes their own time, and changes their
  own member record (not its role, rates and limits)."""

from __future__ import annotations

from collections.abc import Iterable
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
VIEWING_ONLY = "Project viewers may only read the projects assigned to them."


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


def ensure_beyond_viewing(actor: Actor) -> None:
    """403 for a project viewer: the operation is not one of the few open to viewers."""
    if actor.role is Role.PROJECT_VIEWER:
        raise Forbidden(VIEWING_ONLY)


def may_record_time(actor: Actor, user_id: int) -> bool:
    """Start or stop a timer, ask for time, submit or unsubmit a timesheet for ``user_id``:
    one's own, or as an owner or executive manager for those they may act on."""
    return may_write(actor.role) and (
        user_id == actor.user_id or (actor.is_admin and may_act(actor, user_id))
    )


def ensure_may_record_time(actor: Actor, user_id: int, refusal: str) -> None:
    """403: the read-only message for viewers, the owner-only one for an executive
    manager naming the owner, ``refusal`` for anyone else refused."""
    ensure_may_write(actor)
    if not may_record_time(actor, user_id):
        raise Forbidden(out_of_rank(actor, "time") if actor.is_admin else refusal)


@dataclass(frozen=True)
class Reach:
    """What the actor manages of what is being changed or decided on."""

    in_managed_team: bool = False  # its member is in a team the actor manages
    within_managed_projects: bool = False  # all of it lies on projects the actor manages


def may_act(actor: Actor, user_id: int) -> bool:
    """Whether the actor may act on ``user_id`` at all, before the facts of
    :func:`may_act_on` are looked up. For owners and executive managers this is the
    whole answer (the one person ranked above an executive manager is the workspace's
    owner), so writes only they make need no facts."""
    if not may_write(actor.role):
        return False
    if actor.is_admin:
        return actor.role is Role.OWNER or user_id != actor.workspace.owner_id
    return actor.role in (Role.TEAM_MANAGER, Role.PROJECT_MANAGER) and user_id != actor.user_id


def may_act_on(actor: Actor, user_id: int, role: Role, reach: Reach) -> bool:
    """Change what belongs to ``user_id`` (whose role is ``role``) or decide on their
    time: the rank rule of the module's docstring."""
    if not may_act(actor, user_id):
        return False
    if actor.is_admin:
        return not outranks(role, actor.role)
    if not outranks(actor.role, role):
        return False
    if actor.role is Role.TEAM_MANAGER:
        return reach.in_managed_team
    return reach.within_managed_projects


def out_of_rank(actor: Actor, what: str) -> str:
    """The 403 message when :func:`may_act_on` refuses a change of someone's ``what``
    ("contracts") to an actor who otherwise may make it."""
    if actor.is_admin:
        return f"Only the workspace owner can change the owner's {what}."
    return f"You may only change the {what} of members ranked below you."


def ensure_may_act(actor: Actor, user_ids: Iterable[int], what: str) -> None:
    """For writes only owners and executive managers make, where no fact but the
    person counts: 403 (:func:`out_of_rank`) unless the actor is one of them and may act
    on each of ``user_ids``."""
    if not (actor.is_admin and all(may_act(actor, user_id) for user_id in user_ids)):
        raise Forbidden(out_of_rank(actor, what))
