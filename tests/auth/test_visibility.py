"""Who sees what: each role against one workspace holding every kind of row, read
straight through the repositories' ``readable`` statements (which apply
``auth.visibility``) and ``visibility.may_see_rate``.

The workspace: a team manager manages team A (with a teammate); a project manager
manages P1, where a contractor holds a contract (the contractor also works on P3); a
member works on P2 and on the archived P4, and is in team B with the contractor; the
teammate works on P3. Each project but P4 has a live task (P4's task is on an archived
project). A viewer belongs to nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import Factory, Person
from webwork.auth import visibility
from webwork.auth.principal import Actor, Principal
from webwork.auth.roles import Role
from webwork.contracts import repository as contracts
from webwork.kit import clock
from webwork.members import repository as members
from webwork.models import Contract, Membership, Project, Task, Team, Workspace
from webwork.projects import repository as projects
from webwork.tasks import repository as tasks
from webwork.teams import repository as teams

ROLES = [role.value for role in Role]
EVERYONE = {
    "owner",
    "executive_manager",
    "team_manager",
    "project_manager",
    "member",
    "project_viewer",
    "teammate",
    "contractor",
}
ALL_CONTRACTS = {"contractor@P1", "contractor@P3", "member@P2", "member@P4", "teammate@P3"}
ADMIN_SEES: dict[str, set[str]] = {
    "members": EVERYONE,
    "projects": {"P1", "P2", "P3", "P4"},
    "contracts": ALL_CONTRACTS,
    "tasks": {"T1", "T2", "T3"},
    "teams": {"A", "B"},
}
SEES: dict[str, dict[str, set[str]]] = {
    "owner": ADMIN_SEES,
    "executive_manager": ADMIN_SEES,
    "team_manager": {
        "members": {"team_manager", "teammate"},
        "projects": {"P3"},
        "contracts": {"teammate@P3"},
        "tasks": {"T3"},
        "teams": {"A"},
    },
    "project_manager": {
        "members": {"project_manager", "contractor"},
        "projects": {"P1"},
        "contracts": {"contractor@P1"},
        "tasks": {"T1"},
        "teams": set(),
    },
    "member": {
        "members": {"member"},
        "projects": {"P2", "P4"},
        "contracts": {"member@P2", "member@P4"},
        "tasks": {"T2"},
        "teams": {"B"},
    },
    "project_viewer": {
        "members": {"project_viewer"},
        "projects": set(),
        "contracts": set(),
        "tasks": set(),
        "teams": set(),
    },
}
# (own rate, another member's rate, a project's own rate, own rate on a non-billable project)
RATES: dict[str, tuple[bool, bool, bool, bool]] = {
    "owner": (True, True, True, False),
    "executive_manager": (True, True, True, False),
    "team_manager": (False, False, False, False),  # rate_status 0
    "project_manager": (True, False, False, False),
    "member": (True, False, False, False),
    "project_viewer": (True, False, False, False),
}


@dataclass
class World:
    workspace: Workspace
    people: dict[str, Person]
    names: dict[tuple[str, int], str]  # (kind, id) -> label

    def actor(self, role: str) -> Actor:
        person = self.people[role]
        principal = Principal(user=person.user)
        return Actor(principal=principal, workspace=self.workspace, membership=person.membership)

    def labels(self, kind: str, ids: list[int]) -> set[str]:
        return {self.names[(kind, i)] for i in ids}


async def _world(factory: Factory) -> World:
    space = await factory.space()
    people = {"owner": space.owner}
    for role in ROLES[1:]:
        people[role] = await factory.person(space, role, rate_status=0 if role == "team_manager" else 1)
    people["teammate"] = await factory.person(space)
    people["contractor"] = await factory.person(space)
    names = {("members", p.id): label for label, p in people.items()}

    project_rows = {
        "P1": await factory.project(space, managers=[people["project_manager"]]),
        "P2": await factory.project(space),
        "P3": await factory.project(space),
        "P4": await factory.project(space, status=0, deleted_at=clock.utcnow()),
    }
    names |= {("projects", p.id): label for label, p in project_rows.items()}
    for label in sorted(ALL_CONTRACTS):
        who, project = label.split("@")
        contract = await factory.contract(project_rows[project], people[who], rate=10)
        names[("contracts", contract.id)] = label
    for n in range(1, 5):
        task = await factory.task(project_rows[f"P{n}"])
        names[("tasks", task.id)] = f"T{n}"
    team_a = await factory.team(space, members=[people["teammate"]], managers=[people["team_manager"]])
    team_b = await factory.team(space, members=[people["member"], people["contractor"]])
    names |= {("teams", team_a.id): "A", ("teams", team_b.id): "B"}
    return World(space.workspace, people, names)


async def _ids(session: AsyncSession, stmt: Select[Any], column: Any) -> list[int]:
    return list((await session.scalars(stmt.with_only_columns(column))).all())


@pytest.mark.parametrize("role", ROLES)
async def test_rows_each_role_sees(factory: Factory, session: AsyncSession, role: str) -> None:
    world = await _world(factory)
    actor = world.actor(role)
    seen = {
        "members": await _ids(session, members.readable(actor), Membership.user_id),
        "projects": await _ids(session, projects.readable(actor), Project.id),
        "contracts": await _ids(session, contracts.readable(actor), Contract.id),
        "tasks": await _ids(session, tasks.readable(actor), Task.id),
        "teams": await _ids(session, teams.readable(actor), Team.id),
    }
    assert {kind: world.labels(kind, ids) for kind, ids in seen.items()} == SEES[role]


@pytest.mark.parametrize("role", ROLES)
async def test_rates_each_role_sees(factory: Factory, role: str) -> None:
    world = await _world(factory)
    actor = world.actor(role)
    other = world.people["teammate"].id
    seen = (
        visibility.may_see_rate(actor, actor.user_id),
        visibility.may_see_rate(actor, other),
        visibility.may_see_rate(actor),
        visibility.may_see_rate(actor, actor.user_id, project_billable=False),
    )
    assert seen == RATES[role]
