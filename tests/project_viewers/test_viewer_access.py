"""What a project viewer reaches: the projects assigned to them and those projects'
tasks (not archived), their own member record, and outside any workspace their
workspaces and their own API keys. Everything else of the workspace is a 403; projects
and tasks not assigned to them are 404s.

The matrix test walks the OpenAPI document, so an operation added later (leaves,
expenses, reports...) is checked without an entry here: unless it is one of the few
opened to viewers, it must refuse them."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from tests.assertions import any_operation_body, err, ok
from tests.factories import Factory, Person, Space
from webwork.auth.roles import Role
from webwork.kit.clock import utcnow
from webwork.models import ProjectManager

HIDDEN = "zz-hidden"
API = "/api/v2"
PUBLIC_PATHS = (f"{API}/invitations",)
# Outside any workspace: the caller's workspaces and own API keys.
ACCOUNT_PATHS = (f"{API}/workspaces", f"{API}/api-keys")
# The workspace operations open to viewers (``AnyRoleDep``): reading projects and
# tasks (those assigned to them), and their own member record.
VIEWER_OPERATIONS = {
    ("GET", f"{API}/projects"),
    ("GET", f"{API}/projects/{{project_id}}"),
    ("GET", f"{API}/tasks"),
    ("GET", f"{API}/tasks/{{task_id}}"),
    ("GET", f"{API}/tasks/{{task_id}}/assignees"),
    ("GET", f"{API}/members/{{member_id}}"),
    ("PUT", f"{API}/members/{{member_id}}"),
    ("POST", f"{API}/members/{{member_id}}/email/confirm"),
    # Reports: the time on the granted projects only (tests/reports).
    ("GET", f"{API}/reports/tracked-hours"),
    ("GET", f"{API}/reports/activity-descriptions"),
    ("GET", f"{API}/reports/task-report"),
    ("GET", f"{API}/reports/tasks"),
    ("GET", f"{API}/reports/daily-timeline"),
    ("GET", f"{API}/reports/timeline"),
    ("GET", f"{API}/reports/daily-attendance"),
    ("GET", f"{API}/reports/activity-level"),
}


async def _grant(factory: Factory, viewer: Person, *projects: Any) -> None:
    for project in projects:
        await factory.grant(project, viewer)


def _ids(data: Any, key: str) -> set[int]:
    """Every value under ``key`` anywhere in a JSON answer."""
    if isinstance(data, dict):
        found = {data[key]} if isinstance(data.get(key), int) else set()
        return found.union(*(_ids(v, key) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_ids(v, key) for v in data))
    return set()


async def test_a_viewer_reads_exactly_the_projects_assigned_and_their_tasks(factory: Factory) -> None:
    space = await factory.space()
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    shown = await factory.project(space, name="Shown")
    archived = await factory.project(space, name="Archived", status=0, deleted_at=utcnow())
    hidden = await factory.project(space, name=HIDDEN)
    # Rows that made a viewer see a project before: a contract, a manager's place.
    await factory.contract(hidden, viewer)
    await factory._save(ProjectManager(project_id=hidden.id, user_id=viewer.id))
    task = await factory.task(shown, title="Visible task")
    await factory.task(archived, title=f"{HIDDEN} archived task")
    hidden_task = await factory.task(hidden, title=f"{HIDDEN} task")
    api, ws = viewer.api, space.ws

    def ids(body: dict[str, Any]) -> list[int]:
        return [row["id"] for row in body["data"]]

    assert ok(await api.get("/projects", params=ws))["data"] == []
    assert ok(await api.get("/tasks", params=ws))["data"] == []
    err(await api.get(f"/projects/{shown.id}", params=ws), 404)

    await _grant(factory, viewer, shown, archived)
    assert ids(ok(await api.get("/projects", params=ws))) == [shown.id]
    assert ids(ok(await api.get("/projects", params={**ws, "status": "all"}))) == [shown.id, archived.id]
    ok(await api.get(f"/projects/{archived.id}", params=ws))
    err(await api.get(f"/projects/{hidden.id}", params=ws), 404, "not_found")
    assert ids(ok(await api.get("/tasks", params=ws))) == [task.id]
    assert ids(ok(await api.get("/tasks", params={**ws, "project_id": shown.id}))) == [task.id]
    err(await api.get("/tasks", params={**ws, "project_id": archived.id}), 404)
    err(await api.get("/tasks", params={**ws, "project_id": hidden.id}), 404)
    ok(await api.get(f"/tasks/{task.id}", params=ws))
    ok(await api.get(f"/tasks/{task.id}/assignees", params=ws))
    err(await api.get(f"/tasks/{hidden_task.id}", params=ws), 404)
    err(await api.get(f"/tasks/{hidden_task.id}/assignees", params=ws), 404)

    ok(
        await space.owner.api.delete(
            f"/project-viewers/{viewer.id}/unassign-project", json={**ws, "project_id": shown.id}
        )
    )
    assert ok(await api.get("/projects", params=ws))["data"] == []
    err(await api.get(f"/tasks/{task.id}", params=ws), 404)


async def test_a_viewer_keeps_their_own_record_workspaces_and_keys(factory: Factory) -> None:
    space = await factory.space()
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    member = await factory.person(space)
    api, ws = viewer.api, space.ws
    me = f"/members/{viewer.id}"
    assert ok(await api.get(me, params=ws))["data"]["role"] == "project_viewer"
    changed = ok(await api.put(me, params=ws, json={"timezone": "Europe/Kyiv", "firstname": "Vi"}))["data"]
    assert changed["timezone"] == "Europe/Kyiv" and changed["firstname"] == "Vi"
    err(await api.put(me, params=ws, json={"role": "member"}), 403)
    err(await api.get(f"/members/{member.id}", params=ws), 404)
    err(await api.put(f"/members/{member.id}", params=ws, json={"timezone": "UTC"}), 404)
    err(await api.get("/members", params=ws), 403, "forbidden")
    workspaces = ok(await api.get("/workspaces"))["data"]
    assert [(w["id"], w["role"]) for w in workspaces] == [(space.id, "project_viewer")]
    ok(await api.get(f"/workspaces/{space.id}"))
    key = ok(await api.post("/api-keys", json={"name": "mine"}), 201)["data"]
    ok(await api.delete(f"/api-keys/{key['id']}"))


async def _hidden_world(factory: Factory, space: Space) -> dict[str, Any]:
    """Rows of every kind outside the viewer's projects, each named with ``HIDDEN``."""
    member = await factory.person(space, email=f"{HIDDEN}.member@example.com", rate_status=1)
    project = await factory.project(space, name=f"{HIDDEN} project")
    contract = await factory.contract(project, member, rate=100)
    task = await factory.task(project, title=f"{HIDDEN} task", assignees=[member])
    api = space.owner.api
    team = ok(
        await api.post("/teams", params=space.ws, json={"name": f"{HIDDEN} team", "member_ids": [member.id]}),
        201,
    )["data"]
    ok(
        await api.post(
            "/time-entries",
            json={
                **space.ws,
                "user_id": member.id,
                "contract_id": contract.id,
                "task_id": task.id,
                "notes": HIDDEN,
                "date": "2024-01-15",
                "start_time": "09:00",
                "end_time": "10:00",
            },
        ),
        201,
    )
    entry = ok(
        await api.get("/time-entries", params={**space.ws, "user_id": member.id, "date": "2024-01-15"})
    )
    request = ok(
        await member.api.post(
            "/time-requests",
            json={
                **space.ws,
                "user_id": member.id,
                "contract_id": contract.id,
                "start": "2024-01-16T09:00:00+00:00",
                "end": "2024-01-16T10:00:00+00:00",
                "activity_description": HIDDEN,
            },
        ),
        201,
    )["data"]
    sheets = ok(
        await api.get(
            "/timesheets",
            params={**space.ws, "user_id": member.id, "date_from": "2024-01-15", "date_to": "2024-01-15"},
        )
    )["data"]
    key = ok(await member.api.post("/api-keys", json={"name": HIDDEN}), 201)["data"]
    return {
        "member": member,
        "ids": {
            "member_id": member.id,
            "user_id": member.id,
            "team_id": team["id"],
            "project_id": project.id,
            "contract_id": contract.id,
            "task_id": task.id,
            "time_entry_id": entry["data"][0]["id"],
            "request_id": request["id"],
            "timesheet_id": sheets[0]["id"],
            "key_id": key["id"],
        },
    }


# Path parameters this test knows no row for, where 1 would not even match the route.
UNKNOWN = {"expense_id": "00000000-0000-4000-8000-000000000001"}


def _url(path: str, ids: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        return str(ids.get(match.group(1), UNKNOWN.get(match.group(1), 1)))

    return re.sub(r"{(\w+)}", value, path.removeprefix(API))


def _operations(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if path.startswith(f"{API}/") and not path.startswith(PUBLIC_PATHS)
    )


async def test_a_viewer_reaches_nothing_outside_the_projects_assigned(factory: Factory, app: FastAPI) -> None:
    """Every operation of the OpenAPI document as a viewer with one project assigned
    and one not, aimed first at the rows outside it (another member's, the hidden
    project's) and then at the viewer's own: no answer shows a hidden row, only the
    operations open to viewers (and their account's own) answer anything but 403, and
    no write succeeds but on the viewer's own record and keys."""
    space = await factory.space()
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    granted = await factory.project(space, name="Granted")
    granted_task = await factory.task(granted, title="Granted task")
    await factory.grant(granted, viewer)
    hidden = await _hidden_world(factory, space)
    # The viewer also holds a contract on the hidden project: grants alone count.
    await factory.contract(await factory.project(space, name=f"{HIDDEN} contracted"), viewer)
    own = {
        **hidden["ids"],
        "member_id": viewer.id,
        "user_id": viewer.id,
        "project_id": granted.id,
        "task_id": granted_task.id,
        "viewer_id": viewer.id,
    }
    aimed = {"at hidden rows": {**hidden["ids"], "viewer_id": viewer.id}, "at own rows": own}
    problems: list[str] = []
    walked = 0
    for method, path in _operations(app):
        for label, ids in aimed.items():
            # A path parameter this test does not know (a later domain's) names no row
            # the viewer may reach: refused before anything is read.
            url = _url(path, ids)
            params = {
                "workspace_id": space.id,
                "project_id": ids["project_id"],
                "user_id": ids["user_id"],
                "date": "2024-01-15",
                "date_from": "2024-01-15",
                "date_to": "2024-01-16",
                "start_date": "2024-01-15",
                "end_date": "2024-01-16",
            }
            kwargs: dict[str, Any] = {"params": params}
            if method != "GET":
                kwargs["json"] = any_operation_body(
                    workspace_id=space.id,
                    project_id=ids["project_id"],
                    user_id=ids["user_id"],
                    contract_id=ids["contract_id"],
                )
            response = await viewer.api.request(method, url, **kwargs)
            status, where = response.status_code, f"{method} {url} ({label})"
            walked += 1
            if status >= 500:
                problems.append(f"{where}: {status}")
            if status < 400 and HIDDEN in response.text:
                problems.append(f"{where}: shows a hidden row: {response.text[:300]}")
            if status < 400 and not _ids(response.json(), "project_id") <= {granted.id}:
                problems.append(f"{where}: shows another project: {response.text[:300]}")
            if path.startswith(ACCOUNT_PATHS):
                continue
            if (method, path) not in VIEWER_OPERATIONS:
                if status != 403:
                    problems.append(f"{where}: expected 403, got {status} {response.text[:200]}")
            elif label == "at hidden rows" and status < 400 and "{" in path:
                problems.append(f"{where}: expected 404, got {status}")
            elif method != "GET" and label == "at own rows" and status < 400 and path.endswith("/confirm"):
                problems.append(f"{where}: confirmed a code nobody sent")
    assert not problems, "\n".join(problems)
    assert walked == 2 * len(_operations(app)) and walked > 100
    projects = ok(await viewer.api.get("/projects", params={**space.ws, "status": "all"}))["data"]
    assert [p["id"] for p in projects] == [granted.id]
    tasks = ok(await viewer.api.get("/tasks", params=space.ws))["data"]
    assert [t["id"] for t in tasks] == [granted_task.id]
    after = ok(await space.owner.api.get(f"/tasks/{hidden['ids']['task_id']}", params=space.ws))["data"]
    assert after["title"] == f"{HIDDEN} task" and after["deleted_at"] is None
