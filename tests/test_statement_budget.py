"""Upper bounds on SQL statements per request for the hot endpoints outside time
recording (those are in ``test_time_statements.py``), so that a later change cannot
quietly add queries back (BEGIN/COMMIT/SAVEPOINT are not counted). Raising a bound is
a design decision: do it in the same commit, with the reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from tests.assertions import ok
from tests.conftest import Outbox
from tests.factories import Factory, Person, QueryCounter, Space
from webwork.auth.roles import Role
from webwork.models import Contract, Project, ProjectManager, Task
from webwork.timesheets.periods import TimesheetKey


@dataclass
class Scene:
    space: Space
    john: Person
    project: Project
    contract: Contract
    task: Task
    pm: Person  # manages the project

    @property
    def task_scope(self) -> dict[str, int]:
        return {**self.space.ws, "project_id": self.project.id}


LIMIT = {"weekly_hours_limit": 20}


Call = Callable[[Scene], Awaitable[httpx.Response]]

CASES: dict[str, tuple[int, Call]] = {
    "GET /projects": (3, lambda s: s.space.owner.api.get("/projects", params=s.space.ws)),
    "GET /projects/{id}": (
        3,
        lambda s: s.space.owner.api.get(f"/projects/{s.project.id}", params=s.space.ws),
    ),
    "PUT /projects/{id}": (
        4,
        lambda s: s.space.owner.api.put(f"/projects/{s.project.id}", params=s.space.ws, json={"notes": "x"}),
    ),
    "GET /members": (3, lambda s: s.space.owner.api.get("/members", params=s.space.ws)),
    "GET /members/{id}": (3, lambda s: s.space.owner.api.get(f"/members/{s.john.id}", params=s.space.ws)),
    "PUT /members/{id}": (
        4,
        lambda s: s.space.owner.api.put(
            f"/members/{s.john.id}", params=s.space.ws, json={"timezone": "Asia/Tokyo"}
        ),
    ),
    # A member's own work schedule: checked against the workspace's, read with the member.
    "PUT /members/{id} (work schedule)": (
        4,
        lambda s: s.space.owner.api.put(
            f"/members/{s.john.id}",
            params=s.space.ws,
            json={"work_start": "08:00", "work_days": [1, 2, 3], "grace_minutes": 5},
        ),
    ),
    # A new email: is the address taken, the pending change, its new code, and the
    # code's mail written to the outbox (one INSERT: the worker sends it after the commit).
    "PUT /members/{id} (new email)": (
        7,
        lambda s: s.space.owner.api.put(
            f"/members/{s.space.owner.id}", params=s.space.ws, json={"email": "new.owner@example.com"}
        ),
    ),
    # One more for the invitation's mail, written to the outbox with the invitation.
    "POST /members": (
        6,
        lambda s: s.space.owner.api.post(
            "/members",
            params=s.space.ws,
            json={"email": "invited@example.com", "firstname": "In", "lastname": "Vited", "role": "member"},
        ),
    ),
    "GET /contracts": (2, lambda s: s.space.owner.api.get("/contracts", params=s.space.ws)),
    "GET /contracts/{id}": (
        2,
        lambda s: s.space.owner.api.get(f"/contracts/{s.contract.id}", params=s.space.ws),
    ),
    "GET /workspaces": (2, lambda s: s.space.owner.api.get("/workspaces")),
    "PUT /contracts/{id}": (
        3,
        lambda s: s.space.owner.api.put(f"/contracts/{s.contract.id}", params=s.space.ws, json=LIMIT),
    ),
    # The project manager's rank is checked against the member's role: one statement more.
    "PUT /contracts/{id} by a project manager": (
        5,
        lambda s: s.pm.api.put(f"/contracts/{s.contract.id}", params=s.space.ws, json=LIMIT),
    ),
    "POST /tasks/{id}/assign/{userId}": (
        5,
        lambda s: s.space.owner.api.post(f"/tasks/{s.task.id}/assign/{s.john.id}", json=s.task_scope),
    ),
    # As for contracts: the assignee's role, one statement more.
    "POST /tasks/{id}/assign/{userId} by a project manager": (
        6,
        lambda s: s.pm.api.post(f"/tasks/{s.task.id}/assign/{s.john.id}", json=s.task_scope),
    ),
    # the key, the page, the approved periods beside its open ones (where they start or
    # end), the time of every member on it, their approved leave (and the work week and
    # holidays only when there is some)
    "GET /timesheets": (5, lambda s: s.space.owner.api.get("/timesheets", params=s.space.ws)),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_statements_per_request_stay_within_their_bound(
    name: str, factory: Factory, query_counter: QueryCounter
) -> None:
    bound, call = CASES[name]
    space, john, project, contract, task = await factory.john_at_work()
    pm = await factory.person(space, Role.PROJECT_MANAGER)
    factory.session.add(ProjectManager(project_id=project.id, user_id=pm.id))
    await factory.session.commit()
    scene = Scene(space, john, project, contract, task, pm)
    for person in (space.owner, pm):  # the keys' last use noted
        assert (await person.api.get("/workspaces")).status_code == 200
    query_counter.reset()
    response = await call(scene)
    assert response.status_code < 300, response.text
    assert query_counter.count <= bound, "\n".join(
        [f"{query_counter.count} > {bound}", *query_counter.statements]
    )


async def test_email_confirmation_and_resending_an_invitation_stay_within_their_bounds(
    factory: Factory, query_counter: QueryCounter, outbox: Outbox
) -> None:
    """Confirming a new email: the member, the code (read, attempt counted), the email
    written and the change dropped. Resending: the member, the old code dropped, the new
    token written, the mail written to the outbox (the worker, not the request, sends it)."""
    space = await factory.space()
    owner = space.owner.api
    assert (await owner.get("/workspaces")).status_code == 200
    ok(await owner.put(f"/members/{space.owner.id}", params=space.ws, json={"email": "moved@example.com"}))
    invited = ok(
        await owner.post(
            "/members",
            params=space.ws,
            json={"email": "invited@example.com", "firstname": "In", "lastname": "Vited", "role": "member"},
        ),
        201,
    )["data"]
    code = outbox.code_for("moved@example.com")
    outbox.deliver_automatically = False  # the worker's statements are not the request's
    calls = {
        "POST /members/{id}/email/confirm": (
            7,
            owner.post(
                f"/members/{space.owner.id}/email/confirm",
                params=space.ws,
                json={"code": code},
            ),
        ),
        "POST /members/{id}/resend-invitation": (
            6,
            owner.post(f"/members/{invited['id']}/resend-invitation", params=space.ws),
        ),
    }
    for name, (bound, call) in calls.items():
        query_counter.reset()
        ok(await call)
        assert query_counter.count <= bound, "\n".join(
            [name, f"{query_counter.count} > {bound}", *query_counter.statements]
        )


async def test_an_approval_stays_within_its_bound(factory: Factory, query_counter: QueryCounter) -> None:
    """The key, the member, the period's row, the member's lock (a statement on
    PostgreSQL only), the approved periods beside it (where its span starts or ends),
    its time and the update."""
    space, john, _, _, _ = await factory.john_at_work()
    timesheet = TimesheetKey(john.id, date(2024, 1, 15)).encode("webwork")
    ok(await john.api.put(f"/timesheets/{timesheet}/submit", json=space.ws))
    ok(await space.owner.api.get("/workspaces"))  # the key's last use noted
    query_counter.reset()
    ok(await space.owner.api.put(f"/timesheets/{timesheet}/approve", json=space.ws))
    assert query_counter.count <= 7, "\n".join(query_counter.statements)


async def test_expense_operations_stay_within_their_bounds(
    factory: Factory, query_counter: QueryCounter
) -> None:
    """Per operation, after the key: a list is its page and its total; a write reads the
    expense (locked), checks what it names (category, contract, rank) and writes; a
    create for oneself needs no member lookup (the caller came with the key)."""
    space, john, project, _, _ = await factory.john_at_work()
    owner, ws = space.owner.api, space.ws
    category = ok(await owner.post("/expenses/categories", json={**ws, "name": "Travel"}), 201)["data"]
    spare = ok(await owner.post("/expenses/categories", json={**ws, "name": "Spare"}), 201)["data"]
    body = {
        **ws,
        "expense_name": "Taxi",
        "amount": 12.5,
        "category_id": category["id"],
        "project_id": project.id,
    }
    first = ok(await john.api.post("/expenses", json=body), 201)["data"]
    second = ok(await john.api.post("/expenses", json=body), 201)["data"]
    third = ok(await john.api.post("/expenses", json=body), 201)["data"]
    for person in (space.owner, john):  # the keys' last use noted
        ok(await person.api.get("/workspaces"))
    calls: list[tuple[str, int, Callable[[], Awaitable[httpx.Response]]]] = [
        ("GET /expenses/categories", 2, lambda: owner.get("/expenses/categories", params=ws)),
        (
            "POST /expenses/categories",
            4,
            lambda: owner.post("/expenses/categories", json={**ws, "name": "Meals"}),
        ),
        (
            "PUT /expenses/categories/{id}",
            4,
            lambda: owner.put(f"/expenses/categories/{category['id']}", params=ws, json={"name": "Trips"}),
        ),
        (
            "DELETE /expenses/categories/{id}",
            4,
            lambda: owner.delete(f"/expenses/categories/{spare['id']}", params=ws),
        ),
        ("GET /expenses", 3, lambda: owner.get("/expenses", params=ws)),
        ("GET /expenses/{id}", 2, lambda: owner.get(f"/expenses/{first['id']}", params=ws)),
        ("POST /expenses", 5, lambda: john.api.post("/expenses", json=body)),
        (
            "PUT /expenses/{id}",
            5,
            lambda: john.api.put(
                f"/expenses/{first['id']}", json={**ws, "amount": 13, "category_id": category["id"]}
            ),
        ),
        ("PUT /expenses/{id}/approve", 3, lambda: owner.put(f"/expenses/{first['id']}/approve", json=ws)),
        (
            "PUT /expenses/{id}/reject",
            3,
            lambda: owner.put(f"/expenses/{second['id']}/reject", json={**ws, "reason": "No receipt"}),
        ),
        ("DELETE /expenses/{id}", 3, lambda: john.api.delete(f"/expenses/{third['id']}", params=ws)),
    ]
    for name, bound, call in calls:
        query_counter.reset()
        response = await call()
        assert response.status_code < 300, (name, response.text)
        assert query_counter.count <= bound, "\n".join(
            [name, f"{query_counter.count} > {bound}", *query_counter.statements]
        )


async def test_project_viewer_operations_stay_within_their_bounds(
    factory: Factory, query_counter: QueryCounter, outbox: Outbox
) -> None:
    """The key first in each; a viewer read is its row and its projects' (one
    statement for a whole page); creating is the members' invitation; assigning reads
    the project (and its managers) and inserts the grant. Creating writes the invitation's
    mail to the outbox (one statement); the worker sending it is not the request's."""
    space = await factory.space()
    granted, other = await factory.project(space), await factory.project(space)
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    await factory.grant(granted, viewer)
    api, url = space.owner.api, f"/project-viewers/{viewer.id}"
    for person in (space.owner, viewer):  # the keys' last use noted
        ok(await person.api.get("/workspaces"))
    outbox.deliver_automatically = False  # the worker's statements are not the request's
    new = {**space.ws, "email": "viewer@example.com", "firstname": "Vi", "lastname": "Ewer"}
    calls = {
        "GET /project-viewers": (3, api.get("/project-viewers", params=space.ws)),
        "GET /project-viewers/{id}": (3, api.get(url, params=space.ws)),
        "POST /project-viewers": (6, api.post("/project-viewers", json=new)),
        "POST /project-viewers/{id}/assign-project": (
            6,
            api.post(f"{url}/assign-project", json={**space.ws, "project_id": other.id}),
        ),
        "DELETE /project-viewers/{id}/unassign-project": (
            4,
            api.delete(f"{url}/unassign-project", json={**space.ws, "project_id": other.id}),
        ),
        "DELETE /project-viewers/{id}": (4, api.delete(url, json=space.ws)),
        "POST /project-viewers/{id}/restore": (4, api.post(f"{url}/restore", json=space.ws)),
        "GET /projects as a viewer": (3, viewer.api.get("/projects", params=space.ws)),
        "GET /tasks as a viewer": (2, viewer.api.get("/tasks", params=space.ws)),
    }
    for name, (bound, call) in calls.items():
        query_counter.reset()
        response = await call
        assert response.status_code < 300, (name, response.text)
        assert query_counter.count <= bound, "\n".join(
            [name, f"{query_counter.count} > {bound}", *query_counter.statements]
        )


async def test_leave_endpoints_stay_within_their_bounds(
    factory: Factory, query_counter: QueryCounter
) -> None:
    """Leave: the key (one statement) and then what each operation reads and writes;
    lists page and add up in SQL (balances: the members, then one sum per member and
    policy in one statement), whatever the number of rows."""
    space = await factory.space()
    john = await factory.person(space)
    owner = space.owner.api
    policy = ok(
        await owner.post(
            "/leaves/policies",
            json={
                **space.ws,
                "name": "Vacation",
                "time_unit": "days",
                "duration": 20,
                "member_ids": [john.id],
            },
        ),
        201,
    )["data"]
    leave = ok(
        await john.api.post(
            "/leaves",
            json={
                **space.ws,
                "policy_id": policy["id"],
                "user_id": john.id,
                "start": "2024-01-15",
                "end": "2024-01-16",
            },
        ),
        201,
    )["data"]
    second = ok(
        await john.api.post(
            "/leaves",
            json={
                **space.ws,
                "policy_id": policy["id"],
                "user_id": john.id,
                "start": "2024-01-22",
                "end": "2024-01-22",
            },
        ),
        201,
    )["data"]
    for person in (space.owner, john):
        ok(await person.api.get("/workspaces"))  # the keys' last use noted
    window = {**space.ws, "date_from": "2024-01-01", "date_to": "2024-12-31"}
    calls: list[tuple[str, int, Callable[[], Awaitable[httpx.Response]]]] = [
        ("GET /leaves", 2, lambda: owner.get("/leaves", params=space.ws)),
        ("GET /leaves/{id}", 2, lambda: owner.get(f"/leaves/{leave['id']}", params=space.ws)),
        ("GET /leaves/balances", 3, lambda: owner.get("/leaves/balances", params=window)),
        ("GET /leaves/policies", 3, lambda: owner.get("/leaves/policies", params=space.ws)),
        (
            "GET /leaves/policies/{id}",
            3,
            lambda: owner.get(f"/leaves/policies/{policy['id']}", params=space.ws),
        ),
        ("GET /leaves/holidays", 2, lambda: owner.get("/leaves/holidays", params=space.ws)),
        ("GET /leaves/settings", 2, lambda: owner.get("/leaves/settings", params=space.ws)),
        # the key, the member's lock (PostgreSQL), the approved timesheets, the policy,
        # whether it applies, the overlapping leave, the work week and holidays, the
        # balance, the insert
        (
            "POST /leaves",
            9,
            lambda: john.api.post(
                "/leaves",
                json={
                    **space.ws,
                    "policy_id": policy["id"],
                    "user_id": john.id,
                    "start": "2024-02-05",
                    "end": "2024-02-09",
                },
            ),
        ),
        ("PUT /leaves/{id}/approve", 3, lambda: owner.put(f"/leaves/{leave['id']}/approve", json=space.ws)),
        (
            "PUT /leaves/{id}/reject",
            3,
            lambda: owner.put(f"/leaves/{second['id']}/reject", json={**space.ws, "reason": "no"}),
        ),
        ("PUT /leaves/{id}/cancel", 3, lambda: owner.put(f"/leaves/{leave['id']}/cancel", json=space.ws)),
        (
            "POST /leaves/policies",
            4,
            lambda: owner.post(
                "/leaves/policies",
                json={
                    **space.ws,
                    "name": "Sick",
                    "time_unit": "days",
                    "duration": 5,
                    "member_ids": [john.id],
                },
            ),
        ),
        (
            "PUT /leaves/policies/{id}",
            4,
            lambda: owner.put(f"/leaves/policies/{policy['id']}", json={**space.ws, "duration": 21}),
        ),
        (
            "POST /leaves/holidays",
            3,
            lambda: owner.post(
                "/leaves/holidays", json={**space.ws, "date": "2024-12-25", "name": "Christmas"}
            ),
        ),
        (
            "PUT /leaves/settings",
            4,
            lambda: owner.put("/leaves/settings", json={**space.ws, "hours_per_day": 7}),
        ),
    ]
    for name, bound, call in calls:
        query_counter.reset()
        response = await call()
        assert response.status_code < 300, f"{name}: {response.text}"
        assert query_counter.count <= bound, "\n".join(
            [name, f"{query_counter.count} > {bound}", *query_counter.statements]
        )


async def test_report_endpoints_stay_within_their_bounds(
    factory: Factory, query_counter: QueryCounter, frozen_clock: Callable[[datetime], None]
) -> None:
    """Reports: the key, the timezones of the members asked about, and one aggregation
    per report (a report paged by users reads its page of users first; the task report
    then its tasks' assignees; the days of tracked hours then their projects' names),
    whatever the number of members, days and entries."""
    frozen_clock(datetime(2024, 1, 20, tzinfo=UTC))  # the one-day reports' date is within a year
    space, john, project, _, task = await factory.john_at_work(timezone="Europe/Berlin")
    for n in range(4):
        member = await factory.person(space, timezone=("UTC", "America/New_York")[n % 2])
        own = await factory.contract(project, member, rate=10)
        for day in (15, 16, 17):
            start = datetime(2024, 1, day, 20 + n, tzinfo=UTC)
            await factory.entry(member, start, start + timedelta(hours=3), contract=own, task=task)
    await factory.entry(john, datetime(2024, 1, 15, 9, tzinfo=UTC), datetime(2024, 1, 15, 10, tzinfo=UTC))
    ok(await space.owner.api.get("/workspaces"))  # the key's last use noted
    week = {**space.ws, "start_date": "2024-01-15", "end_date": "2024-01-21"}
    day = {**space.ws, "date": "2024-01-16"}
    owner = space.owner.api
    calls: list[tuple[str, int, Callable[[], Awaitable[httpx.Response]]]] = [
        # The key, the timezones, the days' cells, the names of their projects.
        ("GET /reports/tracked-hours", 4, lambda: owner.get("/reports/tracked-hours", params=week)),
        (
            "GET /reports/tracked-hours grouped, as CSV",
            3,
            lambda: owner.get(
                "/reports/tracked-hours", params={**week, "group_by": "project,day", "format": "csv"}
            ),
        ),
        (
            "GET /reports/tracked-hours (connector)",
            4,
            lambda: owner.get("/reports/tracked-hours", params={**week, "user_id": john.id}),
        ),
        (
            "GET /reports/activity-descriptions",
            3,
            lambda: owner.get("/reports/activity-descriptions", params=week),
        ),
        ("GET /reports/task-report", 5, lambda: owner.get("/reports/task-report", params=week)),
        (
            "GET /reports/tasks as XLSX",
            5,
            lambda: owner.get("/reports/tasks", params={**week, "format": "xlsx"}),
        ),
        # The key, the timezones, the page of users, the day's entries.
        ("GET /reports/daily-timeline", 4, lambda: owner.get("/reports/daily-timeline", params=day)),
        (
            "GET /reports/timeline as CSV",
            4,
            lambda: owner.get("/reports/timeline", params={**day, "format": "csv"}),
        ),
        # The key, the members in scope, the day's entries, schedules, leave, holiday.
        ("GET /reports/daily-attendance", 6, lambda: owner.get("/reports/daily-attendance", params=day)),
        (
            "GET /reports/daily-attendance filtered, as XLSX",
            6,
            lambda: owner.get(
                "/reports/daily-attendance", params={**day, "status": "late,absent", "format": "xlsx"}
            ),
        ),
        # The key, the timezones, the page of users, one aggregation.
        ("GET /reports/activity-level", 4, lambda: owner.get("/reports/activity-level", params=week)),
        (
            "GET /reports/activity-level as CSV",
            4,
            lambda: owner.get("/reports/activity-level", params={**week, "format": "csv"}),
        ),
    ]
    for name, bound, call in calls:
        query_counter.reset()
        response = await call()
        assert response.status_code == 200, response.text
        assert query_counter.count <= bound, "\n".join(
            [name, f"{query_counter.count} > {bound}", *query_counter.statements]
        )


async def test_oauth_client_operations_stay_within_their_bounds(
    factory: Factory, query_counter: QueryCounter
) -> None:
    """After the key (its user, membership and workspace in one statement): a list is
    its page; a read, one statement; a create, its insert; an update or delete reads the
    client then writes it."""
    space = await factory.space()
    owner, ws = space.owner.api, space.ws
    body = {**ws, "name": "Buddy", "redirect_uris": ["https://buddy.example/cb"]}
    first = ok(await owner.post("/oauth/clients", json=body), 201)["data"]["client_id"]
    second = ok(await owner.post("/oauth/clients", json=body), 201)["data"]["client_id"]
    ok(await owner.get("/workspaces"))  # the key's last use noted
    calls: list[tuple[str, int, Callable[[], Awaitable[httpx.Response]]]] = [
        ("GET /oauth/clients", 2, lambda: owner.get("/oauth/clients", params=ws)),
        ("POST /oauth/clients", 2, lambda: owner.post("/oauth/clients", json=body)),
        ("GET /oauth/clients/{id}", 2, lambda: owner.get(f"/oauth/clients/{first}", params=ws)),
        (
            "PUT /oauth/clients/{id}",
            3,
            lambda: owner.put(f"/oauth/clients/{first}", json={**ws, "name": "Buddy 2"}),
        ),
        ("DELETE /oauth/clients/{id}", 3, lambda: owner.delete(f"/oauth/clients/{second}", json=ws)),
    ]
    for name, bound, call in calls:
        query_counter.reset()
        response = await call()
        assert response.status_code < 300, (name, response.text)
        assert query_counter.count <= bound, "\n".join(
            [name, f"{query_counter.count} > {bound}", *query_counter.statements]
        )
