"""The role table as tables: the rule functions for every role, then the same rules
through HTTP (who may record their own time, who may decide on whose time)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from tests.assertions import any_operation_body, err, ok
from tests.factories import Factory, Person, Space
from webwork.auth import permissions
from webwork.auth.permissions import Reach
from webwork.auth.principal import Actor, Principal
from webwork.auth.roles import Role
from webwork.models import Contract, Membership, TimeEntry, User, Workspace
from webwork.timesheets.periods import TimesheetKey

OWNER, EXECUTIVE, TEAM, PROJECT, MEMBER, VIEWER = (
    Role.OWNER,
    Role.EXECUTIVE_MANAGER,
    Role.TEAM_MANAGER,
    Role.PROJECT_MANAGER,
    Role.MEMBER,
    Role.PROJECT_VIEWER,
)
ME, SOMEONE = 1, 2


OWNER_ID = 3  # the workspace's owner when the actor is not


def actor(role: Role) -> Actor:
    user = User(id=ME, email="me@example.com", firstname="Me", lastname="Me")
    workspace = Workspace(id=1, name="W", owner_id=ME if role is OWNER else OWNER_ID)
    membership = Membership(workspace_id=1, user_id=ME, role=role.value)
    return Actor(Principal(user=user), workspace, membership)


# --- the rule functions ----------------------------------------------------------------

# role: (may write, may be named a manager, records own time, records someone else's)
WRITES = {
    OWNER: (True, True, True, True),
    EXECUTIVE: (True, True, True, True),
    TEAM: (True, True, True, False),
    PROJECT: (True, True, True, False),
    MEMBER: (True, True, True, False),
    VIEWER: (False, False, False, False),
}


@pytest.mark.parametrize("role", list(Role))
def test_who_writes(role: Role) -> None:
    me = actor(role)
    facts = (
        permissions.may_write(role),
        permissions.may_be_manager(role),
        permissions.may_record_time(me, ME),
        permissions.may_record_time(me, SOMEONE),
    )
    assert facts == WRITES[role]


def test_rank_is_strict() -> None:
    order = [[OWNER], [EXECUTIVE], [TEAM, PROJECT], [MEMBER], [VIEWER]]
    for higher, lower in itertools.combinations(order, 2):
        for a, b in itertools.product(higher, lower):
            assert permissions.outranks(a, b) and not permissions.outranks(b, a)
    for level in order:
        for a, b in itertools.product(level, level):
            assert not permissions.outranks(a, b)


FULL = Reach(in_managed_team=True, within_managed_projects=True)
TEAM_ONLY = Reach(in_managed_team=True)
PROJECTS_ONLY = Reach(within_managed_projects=True)
NONE = Reach()
BELOW_MANAGERS = {MEMBER, VIEWER}

# (acting role, what it manages of it) -> the roles of the people it may act on
ACTS = {
    (OWNER, NONE): set(Role),
    (EXECUTIVE, NONE): set(Role) - {OWNER},
    (TEAM, FULL): BELOW_MANAGERS,
    (TEAM, TEAM_ONLY): BELOW_MANAGERS,
    (TEAM, PROJECTS_ONLY): set(),
    (TEAM, NONE): set(),
    (PROJECT, FULL): BELOW_MANAGERS,
    (PROJECT, PROJECTS_ONLY): BELOW_MANAGERS,
    (PROJECT, TEAM_ONLY): set(),
    (PROJECT, NONE): set(),
    (MEMBER, FULL): set(),
    (VIEWER, FULL): set(),
}


@pytest.mark.parametrize(("role", "reach"), list(ACTS))
def test_who_acts_on_whom(role: Role, reach: Reach) -> None:
    me = actor(role)
    acted_on = {subject for subject in Role if permissions.may_act_on(me, SOMEONE, subject, reach)}
    assert acted_on == ACTS[(role, reach)]


@pytest.mark.parametrize("role", list(Role))
def test_on_themselves_only_admins_act_as_managers(role: Role) -> None:
    assert permissions.may_act_on(actor(role), ME, role, FULL) is (role in (OWNER, EXECUTIVE))


@pytest.mark.parametrize("role", list(Role))
def test_only_the_owner_acts_on_the_owner(role: Role) -> None:
    """For admins ``may_act`` alone settles it, without any fact looked up."""
    me = actor(role)
    owner_id = me.workspace.owner_id
    assert permissions.may_act_on(me, owner_id, OWNER, FULL) is (role is OWNER)
    if me.is_admin:
        assert permissions.may_act(me, owner_id) is (role is OWNER)


# --- through HTTP ----------------------------------------------------------------------


def at(day: int, hour: int) -> datetime:
    return datetime(2024, 1, day, hour, tzinfo=UTC)


@pytest.mark.parametrize("role", list(Role))
async def test_recording_own_time_by_role(factory: Factory, role: Role) -> None:
    """Start and stop one's timer, ask for time, submit and unsubmit one's timesheet:
    everyone but a project viewer."""
    space = await factory.space()
    me = space.owner if role is OWNER else await factory.person(space, role)
    body = {**space.ws}
    timesheet = TimesheetKey(me.id, date(2024, 1, 15)).encode("webwork")
    request = {**body, "user_id": me.id, "start": "2024-01-15T09:00:00Z", "end": "2024-01-15T10:00:00Z"}
    calls = [
        me.api.post("/time-tracking/start", json=body),
        me.api.post("/time-tracking/stop", json=body),
        me.api.post("/time-requests", json=request),
        me.api.put(f"/timesheets/{timesheet}/submit", json=body),
        me.api.put(f"/timesheets/{timesheet}/unsubmit", json=body),
    ]
    for call in calls:
        response = await call
        if role is VIEWER:
            assert err(response, 403, "forbidden")["message"] == permissions.VIEWING_ONLY
        else:
            assert response.status_code in (200, 201), response.text


@dataclass
class Org:
    """A workspace where every deciding role and every subject role is present: each
    subject has a contract on the project ``pm`` manages and is in the team ``tm``
    manages."""

    space: Space
    deciders: dict[Role, Person]
    subjects: dict[Role, Person]
    contracts: dict[Role, Contract]


async def org(factory: Factory) -> Org:
    space = await factory.space()
    deciders = {OWNER: space.owner}
    for role in (EXECUTIVE, TEAM, PROJECT, MEMBER, VIEWER):
        deciders[role] = await factory.person(space, role)
    project = await factory.project(space, managers=[deciders[PROJECT]])
    subjects = {role: await factory.person(space, role) for role in (EXECUTIVE, TEAM, PROJECT, MEMBER)}
    contracts = {role: await factory.contract(project, person) for role, person in subjects.items()}
    await factory.team(space, members=list(subjects.values()), managers=[deciders[TEAM]])
    return Org(space, deciders, subjects, contracts)


# deciding role -> the subject roles it may approve; 404 where it does not see them
APPROVES = {
    OWNER: {EXECUTIVE, TEAM, PROJECT, MEMBER},
    EXECUTIVE: {EXECUTIVE, TEAM, PROJECT, MEMBER},
    TEAM: {MEMBER},
    PROJECT: {MEMBER},
}
SEES = {OWNER, EXECUTIVE, TEAM, PROJECT}


def expected(decider: Role, subject: Role) -> int:
    if decider is VIEWER:  # refused before anything is read
        return 403
    if decider not in SEES:
        return 404
    return 200 if subject in APPROVES[decider] else 403


async def test_time_request_decisions_by_role(factory: Factory) -> None:
    """Every (decider, subject) pair on a request on the managed project, the subject
    being in the managed team."""
    world = await org(factory)
    hour = itertools.count()
    for (decider, judge), (subject, person) in itertools.product(
        world.deciders.items(), world.subjects.items()
    ):
        start = at(15, 0) + timedelta(hours=next(hour))
        created = ok(
            await world.space.owner.api.post(
                "/time-requests",
                json={
                    **world.space.ws,
                    "user_id": person.id,
                    "contract_id": world.contracts[subject].id,
                    "start": start.isoformat(),
                    "end": (start + timedelta(minutes=30)).isoformat(),
                },
            ),
            201,
        )["data"]
        response = await judge.api.post(f"/time-requests/{created['id']}/approve", json=world.space.ws)
        assert response.status_code == expected(decider, subject), (decider, subject, response.text)


async def add_entry(factory: Factory, person: Person, start: datetime, contract: Contract | None) -> None:
    end = start + timedelta(hours=1)
    factory.session.add(
        TimeEntry(
            workspace_id=person.workspace_id,
            user_id=person.id,
            contract_id=contract.id if contract else None,
            project_id=contract.project_id if contract else None,
            start_at=start,
            end_at=end,
            duration_seconds=3600,
            method="manual",
        )
    )
    await factory.session.commit()


async def test_timesheet_decisions_by_role(factory: Factory) -> None:
    """Every (decider, subject) pair on a submitted week whose time is all on the
    managed project; one week per decider."""
    world = await org(factory)
    weeks = {role: date(2024, 1, 1) + timedelta(weeks=n) for n, role in enumerate(world.deciders)}
    for subject, person in world.subjects.items():
        for week in weeks.values():
            start = datetime(week.year, week.month, week.day, 9, tzinfo=UTC)
            await add_entry(factory, person, start, world.contracts[subject])
            timesheet = TimesheetKey(person.id, week).encode("webwork")
            ok(await person.api.put(f"/timesheets/{timesheet}/submit", json=world.space.ws))
    for (decider, judge), (subject, person) in itertools.product(
        world.deciders.items(), world.subjects.items()
    ):
        timesheet = TimesheetKey(person.id, weeks[decider]).encode("webwork")
        response = await judge.api.put(f"/timesheets/{timesheet}/approve", json=world.space.ws)
        assert response.status_code == expected(decider, subject), (decider, subject, response.text)


async def test_time_outside_the_managed_projects_is_decided_by_who_sees_it_all(factory: Factory) -> None:
    """A request or a week with time on no project: the team manager and the admins
    decide, the project manager does not."""
    world = await org(factory)
    member = world.subjects[MEMBER]
    pm, tm = world.deciders[PROJECT], world.deciders[TEAM]

    def request(day: int) -> dict[str, Any]:
        return {
            **world.space.ws,
            "user_id": member.id,
            "start": at(day, 9).isoformat(),
            "end": at(day, 10).isoformat(),
        }

    first = ok(await member.api.post("/time-requests", json=request(15)), 201)["data"]
    second = ok(await member.api.post("/time-requests", json=request(16)), 201)["data"]
    err(await pm.api.post(f"/time-requests/{first['id']}/approve", json=world.space.ws), 403, "forbidden")
    ok(await tm.api.post(f"/time-requests/{first['id']}/approve", json=world.space.ws))
    ok(await world.space.owner.api.post(f"/time-requests/{second['id']}/approve", json=world.space.ws))

    await add_entry(factory, member, at(22, 9), world.contracts[MEMBER])
    await add_entry(factory, member, at(23, 9), None)
    week = TimesheetKey(member.id, date(2024, 1, 22)).encode("webwork")
    ok(await member.api.put(f"/timesheets/{week}/submit", json=world.space.ws))
    err(await pm.api.put(f"/timesheets/{week}/approve", json=world.space.ws), 403, "forbidden")
    ok(await tm.api.put(f"/timesheets/{week}/approve", json=world.space.ws))


# Writes a project viewer keeps: their own API keys and their own member record (name,
# timezone); invitations are public.
VIEWER_KEEPS = ("/api/v2/api-keys", "/api/v2/invitations", "/api/v2/members/{member_id}")


async def test_a_project_viewer_is_refused_every_write(factory: Factory, app: FastAPI) -> None:
    """Every write of the OpenAPI document, as a viewer who holds a contract on a
    project and is named (by old rows) a manager of that project and of a team, on
    rows the viewer sees: 403, and nothing changes."""
    space = await factory.space()
    viewer = await factory.person(space, VIEWER)
    member = await factory.person(space)
    project = await factory.project(space, managers=[viewer])
    contract = await factory.contract(project, viewer)
    await factory.contract(project, member)
    task = await factory.task(project, assignees=[member])
    team = await factory.team(space, members=[member], managers=[viewer])
    request = ok(
        await space.owner.api.post(
            "/time-requests",
            json={
                **space.ws,
                "user_id": viewer.id,
                "start": "2024-01-15T09:00:00Z",
                "end": "2024-01-15T10:00:00Z",
            },
        ),
        201,
    )["data"]
    policy = ok(
        await space.owner.api.post(
            "/leaves/policies",
            json={
                **space.ws,
                "name": "Vacation",
                "time_unit": "days",
                "duration": 20,
                "member_ids": [viewer.id],
            },
        ),
        201,
    )["data"]
    holiday = ok(
        await space.owner.api.post("/leaves/holidays", json={**space.ws, "date": "2024-12-25", "name": "X"}),
        201,
    )["data"]
    leave = ok(
        await space.owner.api.post(
            "/leaves",
            json={
                **space.ws,
                "policy_id": policy["id"],
                "user_id": viewer.id,
                "start": "2024-01-16",
                "end": "2024-01-16",
            },
        ),
        201,
    )["data"]
    ids = {
        "policy_id": policy["id"],
        "holiday_id": holiday["id"],
        "leave_id": leave["id"],
        "member_id": member.id,
        "team_id": team.id,
        "project_id": project.id,
        "contract_id": contract.id,
        "task_id": task.id,
        "user_id": viewer.id,
        "time_entry_id": "00000000-0000-0000-0000-000000000000",
        "request_id": request["id"],
        "timesheet_id": TimesheetKey(viewer.id, date(2024, 1, 15)).encode("webwork"),
        "key_id": 1,
        "category_id": "00000000-0000-0000-0000-000000000000",
        "expense_id": "00000000-0000-0000-0000-000000000000",
        "viewer_id": viewer.id,
        "client_id": "unknown-client",
        "webhook_id": "0000001",
        "delivery_id": "msg_0000001",
    }
    body = any_operation_body(
        workspace_id=space.id, project_id=project.id, user_id=viewer.id, contract_id=contract.id
    )
    writes = [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method != "get" and path.startswith("/api/v2/") and not path.startswith(VIEWER_KEEPS)
    ]
    allowed = []
    for method, path in writes:
        url = re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path.removeprefix("/api/v2"))
        # leave is asked for by dates, not the timestamps of time requests
        extra = (
            {"policy_id": policy["id"], "start": "2024-01-17", "end": "2024-01-17"}
            if path == "/api/v2/leaves"
            else {}
        )
        response = await viewer.api.request(method, url, params=space.ws, json={**body, **extra})
        if response.status_code != 403:
            allowed.append(f"{method} {url}: {response.status_code} {response.text[:200]}")
    assert not allowed, "\n".join(allowed)
    assert len(writes) > 25
    pending = ok(await space.owner.api.get(f"/time-requests/{request['id']}", params=space.ws))["data"]
    assert pending["status"] == "pending"
    assigned = ok(
        await space.owner.api.get(f"/tasks/{task.id}", params={**space.ws, "project_id": project.id})
    )
    assert [a["id"] for a in assigned["data"]["assignees"]] == [member.id]
