"""`/project-viewers`: inviting viewers, listing every viewer however added, archiving,
restoring, and the projects assigned to them (which are all a viewer reads)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import assert_page_bounds, assert_pagination, assert_query_count_flat, err, ok
from tests.conftest import Outbox
from tests.factories import ApiClient, Factory, Person, QueryCounter, Space
from webwork.auth.roles import Role
from webwork.bootstrap import bootstrap

VIEWER_FIELDS = {"id", "email", "firstname", "lastname", "status", "member_since", "projects"}
LINK = "http://testserver/api/v2/invitations/"
NEW = {"email": "client@example.com", "firstname": "Cli", "lastname": "Ent"}


async def _viewer(factory: Factory, space: Space, *projects: Any, **fields: Any) -> Person:
    viewer = await factory.person(space, Role.PROJECT_VIEWER, **fields)
    for project in projects:
        await factory.grant(project, viewer)
    return viewer


# --- create ---------------------------------------------------------------------------


async def test_create_invites_a_viewer_who_accepts_with_the_mailed_code(
    factory: Factory, outbox: Outbox
) -> None:
    space = await factory.space()
    body = ok(await space.owner.api.post("/project-viewers", json={**space.ws, **NEW}), 201)
    assert body["message"] == "Project viewer created successfully"
    data = body["data"]
    assert set(data) == VIEWER_FIELDS | {"invitation_link"}
    assert data["email"] == NEW["email"] and data["firstname"] == "Cli" and data["lastname"] == "Ent"
    assert data["status"] == "invited" and data["projects"] == []
    assert data["member_since"].endswith("+00:00")
    assert data["invitation_link"].startswith(LINK)
    assert [m.to for m in outbox.sent] == [NEW["email"]]
    assert "as Project viewer" in outbox.sent[0].body and data["invitation_link"] in outbox.sent[0].body

    member = ok(await space.owner.api.get(f"/members/{data['id']}", params=space.ws))["data"]
    assert member["role"] == "project_viewer" and member["status"] == "invited"

    token = data["invitation_link"][len(LINK) :]
    ok(await factory.anonymous.post(f"/invitations/{token}/accept"), 202)
    accepted = ok(
        await factory.anonymous.post(
            f"/invitations/{token}/accept", json={"code": outbox.code_for(NEW["email"])}
        )
    )["data"]
    shown = ok(await space.owner.api.get(f"/project-viewers/{data['id']}", params=space.ws))["data"]
    assert shown["status"] == "active"
    viewer = ApiClient(factory.http, accepted["api_key"])
    assert ok(await viewer.get("/projects", params=space.ws))["data"] == []


async def test_create_validation(factory: Factory) -> None:
    space = await factory.space()
    taken = await factory.person(space)
    api = space.owner.api

    async def errors(body: dict[str, Any], **params: Any) -> dict[str, list[str]]:
        return dict(err(await api.post("/project-viewers", params=params, json=body), 422)["errors"])

    assert set(await errors(space.ws)) == {"email", "firstname", "lastname"}
    assert "email" in await errors({**space.ws, **NEW, "email": "not-an-email"})
    assert "firstname" in await errors({**space.ws, **NEW, "firstname": "x" * 101})
    assert (await errors({**space.ws, **NEW, "email": taken.user.email})) == {
        "email": ["The email has already been taken."]
    }
    assert "workspace_id" in await errors(NEW)
    assert "workspace_id" in await errors({**NEW, "workspace_id": space.id}, workspace_id=space.id + 1)


# --- list and get ---------------------------------------------------------------------


async def test_every_viewer_is_listed_however_added(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    project = await factory.project(space, name="Shown")
    added = await _viewer(factory, space, project)
    await factory.person(space)  # a member: not listed
    await factory.person(space, Role.PROJECT_MANAGER)
    invited = ok(
        await space.owner.api.post("/members", params=space.ws, json={**NEW, "role": "Project viewer"}), 201
    )["data"]
    booted = await bootstrap(
        session, email="booted@example.com", workspace_id=space.id, role=Role.PROJECT_VIEWER
    )
    await session.commit()
    archived = await _viewer(factory, space, status="inactive")

    body = ok(await space.owner.api.get("/project-viewers", params=space.ws))
    assert body["message"] == "Project viewers retrieved successfully"
    rows = {row["id"]: row for row in body["data"]}
    assert list(rows) == [added.id, invited["id"], booted.user_id, archived.id]
    assert all(set(row) == VIEWER_FIELDS for row in rows.values())
    assert rows[added.id]["projects"] == [{"id": project.id, "name": "Shown"}]
    assert rows[added.id]["status"] == "active"
    assert rows[invited["id"]]["status"] == "invited" and rows[invited["id"]]["firstname"] == "Cli"
    assert rows[booted.user_id]["status"] == "active" and rows[booted.user_id]["projects"] == []
    assert rows[archived.id]["status"] == "archived"
    assert_pagination(body, current_page=1, last_page=1, per_page=20, total=4, first=1, last=4)

    by_email = ok(
        await space.owner.api.get("/project-viewers", params={**space.ws, "email": "CLIENT@example.com"})
    )
    assert [row["id"] for row in by_email["data"]] == [invited["id"]]
    await assert_page_bounds(space.owner.api, "/project-viewers", space.ws, past_page=2, total=4)
    err(await space.owner.api.get("/project-viewers", params={**space.ws, "email": "x" * 255}), 422)


async def test_a_page_costs_the_same_statements_whatever_its_size(
    factory: Factory, query_counter: QueryCounter
) -> None:
    space = await factory.space()
    projects = [await factory.project(space) for _ in range(3)]
    for _ in range(4):
        await _viewer(factory, space, *projects)
    small, large = await assert_query_count_flat(space.owner.api, "/project-viewers", space.ws, query_counter)
    assert len(small["data"]) == 2 and len(large["data"]) == 4
    assert all(len(row["projects"]) == 3 for row in large["data"])


async def test_get_a_viewer_and_nobody_else(factory: Factory, two_spaces: tuple[Space, Space]) -> None:
    a, b = two_spaces
    project = await factory.project(a, name="Granted")
    viewer = await _viewer(factory, a, project)
    member = await factory.person(a)
    rival = await _viewer(factory, b)
    body = ok(await a.owner.api.get(f"/project-viewers/{viewer.id}", params=a.ws))
    assert body["message"] == "Project viewer retrieved successfully"
    assert body["data"]["projects"] == [{"id": project.id, "name": "Granted"}]
    for missing in (member.id, a.owner.id, rival.id, 999999):
        err(await a.owner.api.get(f"/project-viewers/{missing}", params=a.ws), 404, "not_found")
    err(await b.owner.api.get(f"/project-viewers/{viewer.id}", params=b.ws), 404)
    err(await b.owner.api.get(f"/project-viewers/{viewer.id}", params=a.ws), 404)
    err(await a.owner.api.get("/project-viewers/0", params=a.ws), 422)


# --- archive and restore ----------------------------------------------------------------


async def test_archive_and_restore(factory: Factory) -> None:
    space = await factory.space()
    project = await factory.project(space)
    viewer = await _viewer(factory, space, project)
    api, url = space.owner.api, f"/project-viewers/{viewer.id}"

    archived = ok(await api.delete(url, json=space.ws))
    assert archived["message"] == "Project viewer deleted successfully"
    assert archived["data"]["status"] == "archived" and archived["data"]["projects"] != []
    err(await viewer.api.get("/projects", params=space.ws), 403, "membership_inactive")
    again = err(await api.delete(url, json=space.ws), 409)
    assert again["message"] == "The project viewer is already archived."

    restored = ok(await api.post(f"{url}/restore", params=space.ws))
    assert restored["message"] == "Project viewer restored successfully"
    assert restored["data"]["status"] == "active"
    assert [p["id"] for p in ok(await viewer.api.get("/projects", params=space.ws))["data"]] == [project.id]
    err(await api.post(f"{url}/restore", json=space.ws), 409, "conflict")


async def test_an_archived_invitation_is_restored_pending(factory: Factory) -> None:
    space = await factory.space()
    data = ok(await space.owner.api.post("/project-viewers", json={**space.ws, **NEW}), 201)["data"]
    url = f"/project-viewers/{data['id']}"
    ok(await space.owner.api.delete(url, params=space.ws))
    assert ok(await space.owner.api.post(f"{url}/restore", params=space.ws))["data"]["status"] == "invited"


# --- assign and unassign ------------------------------------------------------------------


async def test_assign_and_unassign_projects(factory: Factory, two_spaces: tuple[Space, Space]) -> None:
    a, b = two_spaces
    first = await factory.project(a, name="First")
    second = await factory.project(a, name="Second", status=0)
    theirs = await factory.project(b)
    viewer = await _viewer(factory, a)
    api, url = a.owner.api, f"/project-viewers/{viewer.id}"

    body = ok(await api.post(f"{url}/assign-project", json={**a.ws, "project_id": second.id}))
    assert body["message"] == "Project assigned successfully"
    assert body["data"]["projects"] == [{"id": second.id, "name": "Second"}]
    both = ok(await api.post(f"{url}/assign-project", params={**a.ws, "project_id": first.id}))["data"]
    assert both["projects"] == [{"id": first.id, "name": "First"}, {"id": second.id, "name": "Second"}]
    assert ok(await api.get(url, params=a.ws))["data"] == both
    err(await api.post(f"{url}/assign-project", json={**a.ws, "project_id": first.id}), 409, "conflict")
    err(await api.post(f"{url}/assign-project", json={**a.ws, "project_id": theirs.id}), 404, "not_found")
    err(await api.post(f"{url}/assign-project", json={**a.ws, "project_id": 999999}), 404)

    gone = ok(await api.delete(f"{url}/unassign-project", json={**a.ws, "project_id": second.id}))
    assert gone["message"] == "Project unassigned successfully"
    assert gone["data"]["projects"] == [{"id": first.id, "name": "First"}]
    ok(await api.delete(f"{url}/unassign-project", params={**a.ws, "project_id": first.id}))
    missing = err(await api.delete(f"{url}/unassign-project", json={**a.ws, "project_id": first.id}), 404)
    assert missing["message"] == "The project is not assigned to this project viewer."
    assert ok(await api.get(url, params=a.ws))["data"]["projects"] == []

    member = await factory.person(a)
    err(
        await api.post(f"/project-viewers/{member.id}/assign-project", json={**a.ws, "project_id": first.id}),
        404,
    )


@pytest.mark.parametrize("action", ["assign-project", "unassign-project"])
async def test_assignment_validation(factory: Factory, action: str) -> None:
    space = await factory.space()
    viewer = await _viewer(factory, space)
    url = f"/project-viewers/{viewer.id}/{action}"
    call = space.owner.api.post if action == "assign-project" else space.owner.api.delete
    required = err(await call(url, json=space.ws), 422)
    assert required["errors"] == {"project_id": ["The project id field is required."]}
    differ = err(await call(url, params={**space.ws, "project_id": 1}, json={"project_id": 2}), 422)
    assert "project_id" in differ["errors"]
    for bad in ("abc", 0, True):
        assert "project_id" in err(await call(url, json={**space.ws, "project_id": bad}), 422)["errors"]


# --- who may --------------------------------------------------------------------------------


def _calls(space: Space, viewer_id: int, project_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    url = f"/project-viewers/{viewer_id}"
    scope = {**space.ws, "project_id": project_id}
    return [
        ("GET", "/project-viewers", {"params": space.ws}),
        ("POST", "/project-viewers", {"json": {**space.ws, **NEW}}),
        ("GET", url, {"params": space.ws}),
        ("DELETE", url, {"json": space.ws}),
        ("POST", f"{url}/restore", {"json": space.ws}),
        ("POST", f"{url}/assign-project", {"json": scope}),
        ("DELETE", f"{url}/unassign-project", {"json": scope}),
    ]


@pytest.mark.parametrize("role", ["team_manager", "project_manager", "member", "project_viewer"])
async def test_only_owners_and_executive_managers_manage_viewers(factory: Factory, role: str) -> None:
    space = await factory.space()
    project = await factory.project(space)
    viewer = await _viewer(factory, space, project)
    caller = viewer if role == "project_viewer" else await factory.person(space, role)
    for method, url, kwargs in _calls(space, viewer.id, project.id):
        err(await caller.api.request(method, url, **kwargs), 403, "forbidden")
    err(await factory.anonymous.get("/project-viewers", params=space.ws), 401)
    for method, url, kwargs in _calls(space, viewer.id, project.id):
        err(await factory.anonymous.request(method, url, **kwargs), 401)
    shown = ok(await space.owner.api.get(f"/project-viewers/{viewer.id}", params=space.ws))["data"]
    assert shown["status"] == "active" and [p["id"] for p in shown["projects"]] == [project.id]


async def test_an_executive_manager_manages_viewers(factory: Factory, outbox: Outbox) -> None:
    space = await factory.space()
    project = await factory.project(space)
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    created = ok(await executive.api.post("/project-viewers", json={**space.ws, **NEW}), 201)["data"]
    statuses = {
        "GET /project-viewers": 200,
        "POST /project-viewers": 422,  # the same email again
        f"GET /project-viewers/{created['id']}": 200,
        f"DELETE /project-viewers/{created['id']}": 200,
        f"POST /project-viewers/{created['id']}/restore": 200,
        f"POST /project-viewers/{created['id']}/assign-project": 200,
        f"DELETE /project-viewers/{created['id']}/unassign-project": 200,
    }
    for method, url, kwargs in _calls(space, created["id"], project.id):
        response = await executive.api.request(method, url, **kwargs)
        assert response.status_code == statuses[f"{method} {url}"], (method, url, response.text)
