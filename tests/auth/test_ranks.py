"""Who may act on whom, through HTTP: every write about a person, by every role, on a
person of every role (the rule: ``may_act`` and ``may_act_on`` in
``webwork.auth.permissions``).

Each case is a new workspace where the actor has a contract on a project (which the
actor manages when a project manager) with everyone, and the owner and one person of
each other role are in a team (which the actor manages when a team manager). The actor
then does the operation once on each of those people."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from tests.assertions import err, ok
from tests.factories import Factory, Person, Space
from webwork.auth.roles import Role
from webwork.models import Contract, Project, Team, TimeEntry
from webwork.timesheets.periods import TimesheetKey

OWNER, EXECUTIVE, TEAM, PROJECT, MEMBER, VIEWER = (
    Role.OWNER,
    Role.EXECUTIVE_MANAGER,
    Role.TEAM_MANAGER,
    Role.PROJECT_MANAGER,
    Role.MEMBER,
    Role.PROJECT_VIEWER,
)
WEEK = date(2024, 1, 15)


@dataclass
class World:
    factory: Factory
    space: Space
    actor: Person
    project: Project
    contracts: dict[int, Contract]  # user id -> their contract on ``project``
    team: Team

    @property
    def owner(self) -> Person:
        return self.space.owner

    def body(self, **fields: Any) -> dict[str, Any]:
        return {**self.space.ws, **fields}

    @property
    def task_scope(self) -> dict[str, Any]:
        return self.body(project_id=self.project.id)


async def make_world(factory: Factory, role: Role) -> tuple[World, dict[Role, Person]]:
    space = await factory.space()
    actor = space.owner if role is OWNER else await factory.person(space, role)
    targets = {OWNER: space.owner}
    for target_role in (EXECUTIVE, TEAM, PROJECT, MEMBER, VIEWER):
        targets[target_role] = await factory.person(space, target_role)
    project = await factory.project(space, managers=[actor] if role is PROJECT else [])
    people = {person.id: person for person in (actor, *targets.values())}
    contracts = {user_id: await factory.contract(project, person) for user_id, person in people.items()}
    team = await factory.team(space, members=list(targets.values()), managers=[actor] if role is TEAM else [])
    return World(factory, space, actor, project, contracts, team), targets


async def add_entry(w: World, person: Person, *, running: bool = False) -> TimeEntry:
    start = datetime(2024, 1, 16, 9, tzinfo=UTC)
    entry = TimeEntry(
        workspace_id=w.space.id,
        user_id=person.id,
        contract_id=w.contracts[person.id].id,
        project_id=w.project.id,
        start_at=start,
        end_at=None if running else start.replace(hour=10),
        duration_seconds=None if running else 3600,
        method="tracked" if running else "manual",
    )
    w.factory.session.add(entry)
    await w.factory.session.commit()
    return entry


def timesheet(person: Person) -> str:
    return TimesheetKey(person.id, WEEK).encode("webwork")


async def submitted(w: World, person: Person) -> str:
    """The person's week, with an hour on the project, submitted (by the owner)."""
    await add_entry(w, person)
    key = timesheet(person)
    ok(await w.owner.api.put(f"/timesheets/{key}/submit", json=w.body()))
    return key


async def requested(w: World, person: Person) -> str:
    """A pending time request of the person on the project (asked by the owner)."""
    body = w.body(
        user_id=person.id,
        contract_id=w.contracts[person.id].id,
        start="2024-01-17T09:00:00Z",
        end="2024-01-17T10:00:00Z",
    )
    return str(ok(await w.owner.api.post("/time-requests", json=body), 201)["data"]["id"])


# --- the operations ----------------------------------------------------------------------

Operation = Callable[[World, Person], Awaitable[httpx.Response]]


async def create_contract(w: World, target: Person) -> httpx.Response:
    other = await w.factory.project(w.space)
    return await w.actor.api.post("/contracts", json=w.body(project_id=other.id, user_id=target.id))


async def update_contract(w: World, target: Person) -> httpx.Response:
    """The finding: a project manager paused the owner's contract on their project."""
    contract = w.contracts[target.id]
    body = w.body(weekly_hours_limit=0, status="paused")
    return await w.actor.api.put(f"/contracts/{contract.id}", json=body)


async def create_assigned_task(w: World, target: Person) -> httpx.Response:
    return await w.actor.api.post("/tasks", json={**w.task_scope, "title": "T", "assignees": [target.id]})


async def assign_task(w: World, target: Person) -> httpx.Response:
    task = await w.factory.task(w.project)
    return await w.actor.api.post(f"/tasks/{task.id}/assign/{target.id}", json=w.task_scope)


async def unassign_task(w: World, target: Person) -> httpx.Response:
    task = await w.factory.task(w.project, assignees=[target])
    return await w.actor.api.request("DELETE", f"/tasks/{task.id}/unassign/{target.id}", json=w.task_scope)


async def create_team(w: World, target: Person) -> httpx.Response:
    return await w.actor.api.post("/teams", json=w.body(name="New", member_ids=[target.id]))


async def add_to_team(w: World, target: Person) -> httpx.Response:
    team = await w.factory.team(w.space)
    return await w.actor.api.put(f"/teams/{team.id}", json=w.body(member_ids=[target.id]))


async def remove_from_team(w: World, target: Person) -> httpx.Response:
    team = await w.factory.team(w.space, members=[target])
    return await w.actor.api.put(f"/teams/{team.id}", json=w.body(member_ids=[]))


async def make_team_manager(w: World, target: Person) -> httpx.Response:
    team = await w.factory.team(w.space, members=[target])
    return await w.actor.api.put(f"/teams/{team.id}", json=w.body(manager_ids=[target.id]))


async def delete_team(w: World, target: Person) -> httpx.Response:
    team = await w.factory.team(w.space, members=[target])
    return await w.actor.api.request("DELETE", f"/teams/{team.id}", json=w.body())


async def create_managed_project(w: World, target: Person) -> httpx.Response:
    return await w.actor.api.post("/projects", json=w.body(name="New", manager_ids=[target.id]))


async def make_project_manager(w: World, target: Person) -> httpx.Response:
    project = await w.factory.project(w.space)
    await w.factory.contract(project, w.actor)  # so that every role sees it
    return await w.actor.api.put(f"/projects/{project.id}", json=w.body(manager_ids=[target.id]))


async def drop_project_manager(w: World, target: Person) -> httpx.Response:
    project = await w.factory.project(w.space, managers=[target])
    await w.factory.contract(project, w.actor)
    return await w.actor.api.put(f"/projects/{project.id}", json=w.body(manager_ids=[]))


async def update_member(w: World, target: Person) -> httpx.Response:
    return await w.actor.api.put(f"/members/{target.id}", json=w.body(timezone="Europe/Kyiv"))


async def archive_member(w: World, target: Person) -> httpx.Response:
    return await w.actor.api.request("DELETE", f"/members/{target.id}", json=w.body())


async def restore_member(w: World, target: Person) -> httpx.Response:
    if target.id != w.owner.id:  # the owner cannot be archived
        ok(await w.owner.api.request("DELETE", f"/members/{target.id}", json=w.body()))
    return await w.actor.api.post(f"/members/{target.id}/restore", json=w.body())


async def add_time_entry(w: World, target: Person) -> httpx.Response:
    body = w.body(
        user_id=target.id,
        contract_id=w.contracts[target.id].id,
        date="2024-01-15",
        start_time="09:00",
        end_time="10:00",
    )
    return await w.actor.api.post("/time-entries", json=body)


async def correct_time_entry(w: World, target: Person) -> httpx.Response:
    entry = await add_entry(w, target)
    return await w.actor.api.put(f"/time-entries/{entry.id}", json=w.body(start_time="08:00"))


async def delete_time_entry(w: World, target: Person) -> httpx.Response:
    entry = await add_entry(w, target)
    return await w.actor.api.request("DELETE", f"/time-entries/{entry.id}", json=w.body())


async def start_timer(w: World, target: Person) -> httpx.Response:
    return await w.actor.api.post("/time-tracking/start", json=w.body(user_id=target.id))


async def stop_timer(w: World, target: Person) -> httpx.Response:
    await add_entry(w, target, running=True)
    return await w.actor.api.post("/time-tracking/stop", json=w.body(user_id=target.id))


async def request_time(w: World, target: Person) -> httpx.Response:
    body = w.body(user_id=target.id, start="2024-01-17T09:00:00Z", end="2024-01-17T10:00:00Z")
    return await w.actor.api.post("/time-requests", json=body)


async def approve_time_request(w: World, target: Person) -> httpx.Response:
    request_id = await requested(w, target)
    return await w.actor.api.post(f"/time-requests/{request_id}/approve", json=w.body())


async def reject_time_request(w: World, target: Person) -> httpx.Response:
    request_id = await requested(w, target)
    return await w.actor.api.post(f"/time-requests/{request_id}/reject", json=w.body(comment="No."))


async def submit_timesheet(w: World, target: Person) -> httpx.Response:
    return await w.actor.api.put(f"/timesheets/{timesheet(target)}/submit", json=w.body())


async def unsubmit_timesheet(w: World, target: Person) -> httpx.Response:
    return await w.actor.api.put(f"/timesheets/{await submitted(w, target)}/unsubmit", json=w.body())


async def approve_timesheet(w: World, target: Person) -> httpx.Response:
    return await w.actor.api.put(f"/timesheets/{await submitted(w, target)}/approve", json=w.body())


async def reject_timesheet(w: World, target: Person) -> httpx.Response:
    key = await submitted(w, target)
    return await w.actor.api.put(f"/timesheets/{key}/reject", json=w.body(reason="No."))


async def reopen_timesheet(w: World, target: Person) -> httpx.Response:
    key = await submitted(w, target)
    ok(await w.owner.api.put(f"/timesheets/{key}/approve", json=w.body()))
    return await w.actor.api.put(f"/timesheets/{key}/reopen", json=w.body())


# --- what each role gets -------------------------------------------------------------


def row(status: int, **others: int) -> dict[Role, int]:
    """``status`` on a person of every role but those named (by role code)."""
    return {role: others.get(role.value, status) for role in Role}


def admins_only(status: int, **others: int) -> dict[Role, dict[Role, int]]:
    """Owners act on anyone, executive managers on anyone but the owner (unless
    ``others`` says otherwise for the owner); the other roles may not do it at all."""
    return {
        OWNER: row(status, **others),
        EXECUTIVE: row(status, **{"owner": 403, **others}),
        **{role: row(403) for role in (TEAM, PROJECT, MEMBER, VIEWER)},
    }


def decided(status: int, *, members: int) -> dict[Role, dict[Role, int]]:
    """Decisions: admins as :func:`admins_only`; a team or project manager on members
    and viewers (ranked below them) in their team or on their project; members see no
    one else's (``members``)."""
    below = {"member": status, "project_viewer": status}
    return {
        **admins_only(status),
        TEAM: row(403, **below),
        PROJECT: row(403, **below),
        MEMBER: row(members),
        VIEWER: row(403),
    }


# A project manager changes the contracts and task assignments of those ranked below
# them on the project they manage; a team manager and a member change none (the member
# and the viewer do not see others' contracts).
PROJECT_MANAGED = {
    **admins_only(200),
    PROJECT: row(403, member=200, project_viewer=200),
}

# Members see no one else's member record, contracts or timesheets; viewers are refused
# before anything is read, but for member records (their own is open to them).
UNSEEN = {MEMBER: row(404), VIEWER: row(403)}

EXPECTED: dict[Operation, dict[Role, dict[Role, int]]] = {
    create_contract: admins_only(201),
    update_contract: {**PROJECT_MANAGED, **UNSEEN},
    create_assigned_task: {
        **admins_only(201),
        PROJECT: row(403, member=201, project_viewer=201),
    },
    assign_task: PROJECT_MANAGED,
    unassign_task: PROJECT_MANAGED,
    create_team: admins_only(201),
    add_to_team: admins_only(200),
    remove_from_team: admins_only(200),
    make_team_manager: admins_only(200, project_viewer=422),
    delete_team: admins_only(200),
    create_managed_project: admins_only(201, project_viewer=422),
    make_project_manager: admins_only(200, project_viewer=422),
    drop_project_manager: admins_only(200),
    update_member: {**admins_only(200), MEMBER: row(404), VIEWER: row(404)},
    archive_member: admins_only(200, owner=403),
    restore_member: admins_only(200, owner=409),  # the owner is never archived
    add_time_entry: admins_only(201),
    correct_time_entry: admins_only(200),
    delete_time_entry: admins_only(200),
    start_timer: admins_only(200),
    stop_timer: admins_only(200),
    request_time: admins_only(201),
    approve_time_request: decided(200, members=404),
    reject_time_request: decided(200, members=404),
    submit_timesheet: {**admins_only(200), **UNSEEN},
    unsubmit_timesheet: {**admins_only(200), **UNSEEN},
    approve_timesheet: decided(200, members=404),
    reject_timesheet: decided(200, members=404),
    reopen_timesheet: {**admins_only(200), **UNSEEN},
}


@pytest.mark.parametrize("actor_role", list(Role), ids=[role.value for role in Role])
@pytest.mark.parametrize("operation", list(EXPECTED), ids=[op.__name__ for op in EXPECTED])
async def test_who_acts_on_whom(factory: Factory, operation: Operation, actor_role: Role) -> None:
    w, targets = await make_world(factory, actor_role)
    got = {role: (await operation(w, target)).status_code for role, target in targets.items()}
    assert got == EXPECTED[operation][actor_role]


async def test_a_project_manager_cannot_pause_the_owners_contract(factory: Factory) -> None:
    """The finding, with what stays unchanged: the owner's contract on a project the
    project manager manages; the member's next to it still changes."""
    w, targets = await make_world(factory, PROJECT)
    owners, members = w.contracts[w.owner.id], w.contracts[targets[MEMBER].id]
    for change in ({"weekly_hours_limit": 0}, {"status": "paused"}):
        body = err(await w.actor.api.put(f"/contracts/{owners.id}", json=w.body(**change)), 403, "forbidden")
        assert body["message"] == "You may only change the contracts of members ranked below you."
        ok(await w.actor.api.put(f"/contracts/{members.id}", json=w.body(**change)))
    shown = ok(await w.owner.api.get(f"/contracts/{owners.id}", params=w.space.ws))["data"]
    assert shown["status"] == "active" and shown["weekly_hours_limit"] != 0
    own = w.contracts[w.actor.id]
    err(await w.actor.api.put(f"/contracts/{own.id}", json=w.body(weekly_hours_limit=80)), 403, "forbidden")
