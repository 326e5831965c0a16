"""Whose time is recorded, and on what: the one loader of the member, contract, project
and task that every path recording time goes through (manual entries and their
corrections, time requests and their approval, timers started and stopped).

An assignment is usable when its contract is the member's, active, on a project that
is not archived, and its task (which needs a contract) belongs to that project. A
refusal is a 422 on the field named (:class:`Unusable`), whose ``reason`` a stopped
timer reports instead of failing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor, MembershipView, UserView
from webwork.auth.visibility import sees_every_member
from webwork.kit.errors import Forbidden, ValidationFailed
from webwork.models import Task
from webwork.models.statuses import ContractStatus, ProjectStatus
from webwork.time_entries import repository
from webwork.time_entries.messages import sentence
from webwork.time_entries.repository import ContractTerms, ProjectState


@dataclass(frozen=True)
class Member:
    """The person time is recorded for, as a member of the actor's workspace."""

    membership: MembershipView
    user: UserView

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def timezone(self) -> str:
        return self.membership.timezone


class Unusable(ValidationFailed):
    """A 422 on ``field``; ``reason`` is its message as a clause ("the contract is not
    active")."""

    def __init__(self, field: str, reason: str) -> None:
        self.reason = reason
        super().__init__({field: [f"{sentence(reason)}."]})


def _not_a_member() -> Unusable:
    return Unusable("user_id", "the selected user id is invalid")


async def find_member(session: AsyncSession, actor: Actor, user_id: int, *, active: bool) -> Member | None:
    """``user_id`` as a member of the workspace whom the actor may see. Callers most
    often name themselves: their membership (active, or the request would have been
    refused) and user came with the request's authentication."""
    if user_id == actor.user_id:
        return Member(actor.membership, actor.user)
    found = await repository.member(session, actor, user_id, active=active)
    return None if found is None else Member(*found)


async def load_member(session: AsyncSession, actor: Actor, user_id: int, *, active: bool = True) -> Member:
    """:func:`find_member`, or 422 on ``user_id`` when there is no such (active) member."""
    member = await find_member(session, actor, user_id, active=active)
    if member is None:
        raise _not_a_member()
    return member


async def visible_member(session: AsyncSession, actor: Actor, user_id: int, refusal: str) -> Member:
    """A member whose time the actor wants to read: 403 (``refusal``) when the actor may
    not see them, which for a role that sees only some members is also the answer for
    an id that is nobody's here (it does not tell members from strangers); 422 for such
    an id when the actor sees every member."""
    member = await find_member(session, actor, user_id, active=False)
    if member is None:
        raise _not_a_member() if sees_every_member(actor) else Forbidden(refusal)
    return member


@dataclass(frozen=True)
class Assignment:
    """What time is recorded on; all None for time without a project."""

    contract: ContractTerms | None = None
    project: ProjectState | None = None
    task: Task | None = None

    def row(self) -> dict[str, int | None]:
        """The columns a time entry or time request stores."""
        return {
            "contract_id": self.contract.id if self.contract else None,
            "project_id": self.project.id if self.project else None,
            "task_id": self.task.id if self.task else None,
        }

    @property
    def project_name(self) -> str | None:
        return self.project.name if self.project else None

    @property
    def task_title(self) -> str | None:
        return self.task.title if self.task else None


async def load_assignment(
    session: AsyncSession,
    actor: Actor,
    user_id: int,
    contract_id: int | None,
    task_id: int | None,
    *,
    check: bool = True,
) -> Assignment:
    """The contract (with its project) and task of the workspace that the ids name,
    checked with :func:`ensure_usable` for ``user_id`` unless ``check`` is off (an
    entry's correction keeps an assignment it does not change as it is)."""
    contract = project = task = None
    if contract_id is not None:
        found = await repository.contract(session, actor, contract_id)
        if found is None:
            raise Unusable("contract_id", "the selected contract id is invalid")
        contract, project = found
    if task_id is not None:
        task = await repository.task(session, actor, task_id)
        if task is None:
            raise Unusable("task_id", "the selected task id is invalid")
    assignment = Assignment(contract, project, task)
    if check:
        ensure_usable(assignment, user_id)
    return assignment


def ensure_usable(assignment: Assignment, user_id: int) -> None:
    """422 unless ``user_id`` may record time on ``assignment`` now."""
    contract, project, task = assignment.contract, assignment.project, assignment.task
    if contract is None or project is None:
        if task is not None:
            raise Unusable("task_id", "a task can only be used with a contract (contract_id)")
        return
    if contract.user_id != user_id:
        raise Unusable("contract_id", "the contract does not belong to this user")
    if contract.status != ContractStatus.ACTIVE:
        raise Unusable("contract_id", "the contract is not active")
    if project.deleted_at is not None or project.status != ProjectStatus.ACTIVE:
        raise Unusable("contract_id", "the contract's project is archived")
    if task is not None and task.project_id != project.id:
        raise Unusable("task_id", "the task does not belong to the contract's project")
