"""`/tasks` through HTTP: seed messages and fields, rules, roles, workspaces, paging."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.assertions import assert_page_bounds, assert_pagination, assert_query_count_flat, err, ok
from tests.factories import ApiClient, Factory, Person, QueryCounter, Space
from webwork.auth.roles import Role
from webwork.models import Project, ProjectManager, Task
from webwork.tasks import repository

TASK_FIELDS = [
    "id",
    "title",
    "description",
    "project_id",
    "owner_id",
    "creator_id",
    "status",
    "status_name",
    "status_color",
    "priority",
    "priority_name",
    "start_date",
    "end_date",
    "completed_at",
    "estimation",
    "assignees",
    "parent_id",
    "created_at",
    "updated_at",
    "deleted_at",
]
ASSIGNEE_FIELDS = ["id", "user_id", "firstname", "lastname", "fullname", "email"]
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


@dataclass
class World:
    """A workspace with a project, its project manager, a contracted member and a
    member with no contract on it."""

    space: Space
    project: Project
    pm: Person
    member: Person
    outsider: Person

    @property
    def owner(self) -> Person:
        return self.space.owner

    @property
    def q(self) -> dict[str, int]:
        return {"workspace_id": self.space.id, "project_id": self.project.id}


async def make_world(factory: Factory, space: Space | None = None) -> World:
    space = space or await factory.space()
    pm = await factory.person(space, Role.PROJECT_MANAGER)
    member = await factory.person(space, Role.MEMBER, firstname="Ada", lastname="Lovelace")
    outsider = await factory.person(space, Role.MEMBER)
    project = await factory.project(space, managers=[pm])
    await factory.contract(project, member)
    return World(space, project, pm, member, outsider)


def assert_task_shape(task: dict[str, Any]) -> None:
    assert list(task) == TASK_FIELDS
    for key in ("created_at", "updated_at"):
        assert TIMESTAMP.match(task[key]), task[key]
    for person in task["assignees"]:
        assert list(person) == ASSIGNEE_FIELDS


# --- create -------------------------------------------------------------------------


async def test_create_task_seed_example(factory: Factory) -> None:
    w = await make_world(factory)
    body = ok(
        await w.pm.api.post(
            "/tasks",
            json={
                **w.q,
                "title": "Implement user authentication",
                "description": "Add OAuth2 authentication support",
                "status": 0,
                "priority": 30,
                "start_date": "2024-01-15",
                "end_date": "2024-01-30",
                "assignees": [w.member.id],
            },
        ),
        201,
    )
    assert body["message"] == "Task created successfully"
    task = body["data"]
    assert_task_shape(task)
    assert task == {
        **task,
        "title": "Implement user authentication",
        "description": "Add OAuth2 authentication support",
        "project_id": w.project.id,
        "owner_id": w.project.owner_id,
        "creator_id": w.pm.id,
        "status": 0,
        "status_name": "Open",
        "status_color": "#9E9E9E",
        "priority": 30,
        "priority_name": "Normal",
        "start_date": "2024-01-15",
        "end_date": "2024-01-30",
        "completed_at": None,
        "parent_id": None,
        "deleted_at": None,
    }
    assert task["assignees"] == [
        {
            "id": w.member.id,
            "user_id": w.member.id,
            "firstname": "Ada",
            "lastname": "Lovelace",
            "fullname": "Ada Lovelace",
            "email": w.member.user.email,
        }
    ]


async def test_create_minimal_defaults(factory: Factory) -> None:
    w = await make_world(factory)
    task = ok(await w.owner.api.post("/tasks", json={**w.q, "title": "Bare"}), 201)["data"]
    assert task["status"] == 0 and task["status_name"] == "Open"
    assert task["priority"] is None and task["priority_name"] is None
    assert task["description"] is None and task["start_date"] is None and task["end_date"] is None
    assert task["assignees"] == [] and task["creator_id"] == w.owner.id
    assert task["estimation"] is None


async def test_estimation_is_set_changed_and_cleared(factory: Factory) -> None:
    """Ours: a task's estimated hours, as a project's ``estimation``."""
    w = await make_world(factory)
    task = ok(await w.owner.api.post("/tasks", json={**w.q, "title": "Sized", "estimation": 2.5}), 201)[
        "data"
    ]
    assert task["estimation"] == 2.5
    path = f"/tasks/{task['id']}"
    assert ok(await w.owner.api.put(path, json={**w.q, "estimation": 8}))["data"]["estimation"] == 8
    assert ok(await w.owner.api.put(path, json={**w.q, "title": "Renamed"}))["data"]["estimation"] == 8
    assert ok(await w.owner.api.put(path, json={**w.q, "estimation": None}))["data"]["estimation"] is None


async def test_create_owner_id_is_the_projects(factory: Factory) -> None:
    space = await factory.space()
    other = await factory.person(space, Role.EXECUTIVE_MANAGER)
    project = await factory.project(space, owner_id=other.id)
    task = ok(
        await space.owner.api.post("/tasks", json={**space.ws, "project_id": project.id, "title": "T"}),
        201,
    )["data"]
    assert task["owner_id"] == other.id and task["creator_id"] == space.owner.id


async def test_create_form_encoded(factory: Factory) -> None:
    w = await make_world(factory)
    form = {
        **{k: str(v) for k, v in w.q.items()},
        "title": "From form",
        "priority": "",
        "assignees[]": str(w.member.id),
    }
    task = ok(await w.owner.api.post("/tasks", data=form), 201)["data"]
    assert task["title"] == "From form" and task["priority"] is None
    assert [a["id"] for a in task["assignees"]] == [w.member.id]


@pytest.mark.parametrize(
    ("status", "name", "color"), [(0, "Open", "#9E9E9E"), (10, "In Progress", "#FFC107")]
)
async def test_create_open_statuses_have_no_completion(
    factory: Factory, status: int, name: str, color: str
) -> None:
    w = await make_world(factory)
    task = ok(await w.owner.api.post("/tasks", json={**w.q, "title": "T", "status": status}), 201)["data"]
    assert (task["status_name"], task["status_color"], task["completed_at"]) == (name, color, None)


@pytest.mark.parametrize(("status", "name", "color"), [(20, "Done", "#4CAF50"), (30, "Closed", "#607D8B")])
async def test_create_done_sets_completed_at(factory: Factory, status: int, name: str, color: str) -> None:
    w = await make_world(factory)
    task = ok(await w.owner.api.post("/tasks", json={**w.q, "title": "T", "status": status}), 201)["data"]
    assert (task["status_name"], task["status_color"]) == (name, color)
    assert TIMESTAMP.match(task["completed_at"])


async def test_create_through_contract_id(factory: Factory) -> None:
    w = await make_world(factory)
    contract = await factory.contract(await factory.project(w.space), w.outsider)
    task = ok(
        await w.owner.api.post(
            "/tasks", json={**w.space.ws, "contract_id": contract.id, "title": "Via contract"}
        ),
        201,
    )["data"]
    assert task["project_id"] == contract.project_id
    mismatch = err(
        await w.owner.api.post("/tasks", json={**w.q, "contract_id": contract.id, "title": "Via contract"}),
        422,
    )
    assert "contract_id" in mismatch["errors"]
    # The member cannot see another member's contract.
    body = err(
        await w.member.api.post("/tasks", json={**w.space.ws, "contract_id": contract.id, "title": "X"}),
        404,
    )
    assert body["message"] == "Contract not found."


async def test_create_project_id_in_query(factory: Factory) -> None:
    w = await make_world(factory)
    ok(await w.owner.api.post("/tasks", params=w.q, json={"title": "Q"}), 201)
    body = err(
        await w.owner.api.post("/tasks", params=w.q, json={"title": "Q", "project_id": w.project.id + 1000}),
        422,
    )
    assert "project_id" in body["errors"]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"title": None}, "title", "The title field is required."),
        ({"title": ""}, "title", "The title field is required."),
        ({"title": "   "}, "title", "The title field is required."),
        ({"title": "x" * 256}, "title", "The title field must not be greater than 255 characters."),
        ({"status": 11}, "status", None),
        ({"status": 5}, "status", None),
        ({"status": "abc"}, "status", None),
        ({"priority": 50}, "priority", None),
        ({"priority": 0}, "priority", None),
        ({"estimation": -1}, "estimation", None),
        ({"estimation": "1.234"}, "estimation", None),
        ({"estimation": 1e11}, "estimation", None),
        (
            {"start_date": "2024-01-30", "end_date": "2024-01-15"},
            "end_date",
            "The end date must be a date after or equal to start date.",
        ),
        ({"start_date": "2024-13-01"}, "start_date", None),
        ({"assignees": "x"}, "assignees", None),
        ({"project_id": None}, "project_id", "The project id field is required."),
    ],
)
async def test_create_validation(
    factory: Factory, payload: dict[str, Any], field: str, message: str | None
) -> None:
    w = await make_world(factory)
    body = err(
        await w.owner.api.post("/tasks", json={**w.q, "title": "T", **payload}), 422, "validation_error"
    )
    assert field in body["errors"], body
    if message:
        assert body["errors"][field] == [message]


async def test_create_missing_title(factory: Factory) -> None:
    w = await make_world(factory)
    body = err(await w.owner.api.post("/tasks", json=w.q), 422)
    assert body["errors"]["title"] == ["The title field is required."]


async def test_create_assignee_needs_contract(factory: Factory) -> None:
    w = await make_world(factory)
    stranger = await factory.space()
    body = err(
        await w.owner.api.post(
            "/tasks",
            json={**w.q, "title": "T", "assignees": [w.member.id, w.outsider.id, stranger.owner.id]},
        ),
        422,
    )
    assert list(body["errors"]) == ["assignees"]
    assert str(w.outsider.id) in body["errors"]["assignees"][0]
    assert str(w.member.id) not in body["errors"]["assignees"][0].split(":")[1]


async def test_create_parent_rules(factory: Factory) -> None:
    w = await make_world(factory)
    parent = await factory.task(w.project)
    child = ok(await w.owner.api.post("/tasks", json={**w.q, "title": "Sub", "parent_id": parent.id}), 201)
    assert child["data"]["parent_id"] == parent.id

    elsewhere = await factory.task(await factory.project(w.space))
    deleted = await factory.task(w.project, deleted_at=datetime(2024, 1, 1, tzinfo=UTC))
    foreign = await factory.task(await factory.project(await factory.space()))
    for bad in (elsewhere.id, deleted.id, foreign.id, 999_999):
        body = err(await w.owner.api.post("/tasks", json={**w.q, "title": "Sub", "parent_id": bad}), 422)
        assert body["errors"] == {"parent_id": ["The parent task must be a task of the same project."]}


async def test_create_permissions(factory: Factory) -> None:
    w = await make_world(factory)
    # A contracted member may create, assigning at most themselves.
    own = ok(
        await w.member.api.post("/tasks", json={**w.q, "title": "Mine", "assignees": [w.member.id]}), 201
    )
    assert own["data"]["creator_id"] == w.member.id
    colleague = await factory.person(w.space, Role.MEMBER)
    await factory.contract(w.project, colleague)
    err(
        await w.member.api.post("/tasks", json={**w.q, "title": "X", "assignees": [colleague.id]}),
        403,
        "forbidden",
    )
    # No contract: the project is invisible.
    err(await w.outsider.api.post("/tasks", json={**w.q, "title": "X"}), 404)
    # A paused contract shows the project but allows no writes.
    paused = await factory.person(w.space, Role.MEMBER)
    await factory.contract(w.project, paused, status="paused")
    err(await paused.api.post("/tasks", json={**w.q, "title": "X"}), 403, "forbidden")
    # A project viewer is read-only even with a contract.
    viewer = await factory.person(w.space, Role.PROJECT_VIEWER)
    await factory.contract(w.project, viewer)
    err(await viewer.api.post("/tasks", json={**w.q, "title": "X"}), 403, "forbidden")
    # A team manager sees the projects of their team but does not manage them.
    lead = await factory.person(w.space, Role.TEAM_MANAGER)
    await factory.team(w.space, members=[w.member], managers=[lead])
    err(await lead.api.post("/tasks", json={**w.q, "title": "X"}), 403, "forbidden")
    # A project manager of another project does not see this one.
    other_pm = await factory.person(w.space, Role.PROJECT_MANAGER)
    await factory.project(w.space, managers=[other_pm])
    err(await other_pm.api.post("/tasks", json={**w.q, "title": "X"}), 404)


async def test_create_in_project_of_other_workspace(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    project = await factory.project(a)
    body = err(
        await b.owner.api.post("/tasks", json={**b.ws, "project_id": project.id, "title": "X"}),
        404,
        "not_found",
    )
    assert body["message"] == "Project not found."
    err(await b.owner.api.post("/tasks", json={**a.ws, "project_id": project.id, "title": "X"}), 404)


# --- read ---------------------------------------------------------------------------


async def test_get_task(factory: Factory) -> None:
    w = await make_world(factory)
    task = await factory.task(w.project, assignees=[w.member], status=10, priority=10)
    body = ok(await w.member.api.get(f"/tasks/{task.id}", params=w.q))
    assert body["message"] == "Task retrieved successfully"
    data = body["data"]
    assert_task_shape(data)
    assert (
        data["id"] == task.id and data["status_name"] == "In Progress" and data["status_color"] == "#FFC107"
    )
    assert data["priority_name"] == "Urgent" and [a["id"] for a in data["assignees"]] == [w.member.id]
    # project_id is optional; a different one is a 404.
    ok(await w.member.api.get(f"/tasks/{task.id}", params=w.space.ws))
    other = await factory.project(w.space)
    err(await w.owner.api.get(f"/tasks/{task.id}", params={**w.q, "project_id": other.id}), 404)
    err(await w.outsider.api.get(f"/tasks/{task.id}", params=w.q), 404)


async def test_custom_status_is_shown_as_custom(factory: Factory) -> None:
    w = await make_world(factory)
    task = await factory.task(w.project, status=11)
    data = ok(await w.owner.api.get(f"/tasks/{task.id}", params=w.q))["data"]
    assert (data["status"], data["status_name"], data["status_color"]) == (11, "Custom", None)


async def test_deleted_task_is_not_found(factory: Factory) -> None:
    w = await make_world(factory)
    task = await factory.task(w.project, deleted_at=datetime(2024, 1, 1, tzinfo=UTC))
    body = err(await w.owner.api.get(f"/tasks/{task.id}", params=w.q), 404)
    assert body["message"] == "Task not found."
    err(await w.owner.api.put(f"/tasks/{task.id}", json={**w.q, "title": "X"}), 404)
    err(await w.owner.api.delete(f"/tasks/{task.id}", json=w.q), 404)


async def test_task_in_deleted_project_is_not_found(factory: Factory) -> None:
    w = await make_world(factory)
    project = await factory.project(w.space, deleted_at=datetime(2024, 1, 1, tzinfo=UTC))
    task = await factory.task(project)
    err(await w.owner.api.get(f"/tasks/{task.id}", params=w.space.ws), 404)
    err(await w.owner.api.post("/tasks", json={**w.space.ws, "project_id": project.id, "title": "X"}), 404)


async def test_get_assignees(factory: Factory) -> None:
    w = await make_world(factory)
    second = await factory.person(w.space, Role.MEMBER)
    await factory.contract(w.project, second)
    task = await factory.task(w.project, assignees=[w.member, second])
    body = ok(await w.member.api.get(f"/tasks/{task.id}/assignees", params=w.q))
    assert body["message"] == "Task assignees retrieved successfully"
    assert body["data"] == [
        {
            "id": w.member.id,
            "user_id": w.member.id,
            "firstname": "Ada",
            "lastname": "Lovelace",
            "fullname": "Ada Lovelace",
            "email": w.member.user.email,
        },
        {
            "id": second.id,
            "user_id": second.id,
            "firstname": second.user.firstname,
            "lastname": second.user.lastname,
            "fullname": second.user.fullname,
            "email": second.user.email,
        },
    ]
    empty = await factory.task(w.project)
    assert ok(await w.owner.api.get(f"/tasks/{empty.id}/assignees", params=w.q))["data"] == []
    err(await w.outsider.api.get(f"/tasks/{task.id}/assignees", params=w.q), 404)


async def test_assignees_are_paginated_like_every_list(factory: Factory, query_counter: QueryCounter) -> None:
    w = await make_world(factory)
    people = [w.member]
    for _ in range(4):
        person = await factory.person(w.space, Role.MEMBER)
        await factory.contract(w.project, person)
        people.append(person)
    task = await factory.task(w.project, assignees=people)
    url = f"/tasks/{task.id}/assignees"
    body = ok(await w.owner.api.get(url, params={**w.q, "per_page": 2, "page": 2}))
    assert [a["id"] for a in body["data"]] == [people[2].id, people[3].id]
    assert_pagination(body, current_page=2, last_page=3, per_page=2, total=5, first=3, last=4)
    await assert_page_bounds(w.owner.api, url, {**w.q, "per_page": 2}, past_page=9, total=5)
    await assert_query_count_flat(w.owner.api, url, w.q, query_counter)


# --- update -------------------------------------------------------------------------


async def test_update_seed_example_is_partial(factory: Factory) -> None:
    w = await make_world(factory)
    task = await factory.task(
        w.project, title="Old", description="Keep me", priority=30, assignees=[w.member]
    )
    body = ok(
        await w.pm.api.put(
            f"/tasks/{task.id}",
            json={**w.q, "title": "Implement user authentication", "status": 10, "priority": 20},
        )
    )
    assert body["message"] == "Task updated successfully"
    data = body["data"]
    assert_task_shape(data)
    assert data["title"] == "Implement user authentication" and data["description"] == "Keep me"
    assert (data["status"], data["status_name"], data["status_color"]) == (10, "In Progress", "#FFC107")
    assert (data["priority"], data["priority_name"]) == (20, "High")
    assert [a["id"] for a in data["assignees"]] == [w.member.id]

    cleared = ok(await w.pm.api.put(f"/tasks/{task.id}", json={**w.q, "description": None, "priority": None}))
    assert cleared["data"]["description"] is None and cleared["data"]["priority_name"] is None
    assert cleared["data"]["title"] == "Implement user authentication"


async def test_completed_at_follows_status(factory: Factory) -> None:
    w = await make_world(factory)
    task = await factory.task(w.project)
    url, api = f"/tasks/{task.id}", w.owner.api

    done = ok(await api.put(url, json={**w.q, "status": 20}))["data"]
    assert TIMESTAMP.match(done["completed_at"])
    # Within Done/Closed the completion time stays.
    task_row = await factory.session.get(Task, task.id)
    assert task_row is not None
    stamp = datetime(2024, 1, 25, 14, 30, tzinfo=UTC)
    task_row.completed_at = stamp
    await factory.session.commit()
    closed = ok(await api.put(url, json={**w.q, "status": 30}))["data"]
    assert closed["completed_at"] == "2024-01-25T14:30:00+00:00"
    ok(await api.put(url, json={**w.q, "title": "Renamed"}))
    assert ok(await api.get(url, params=w.q))["data"]["completed_at"] == "2024-01-25T14:30:00+00:00"
    # Back to In Progress clears it; Closed again sets a fresh one.
    assert ok(await api.put(url, json={**w.q, "status": 10}))["data"]["completed_at"] is None
    again = ok(await api.put(url, json={**w.q, "status": 30}))["data"]["completed_at"]
    assert again is not None and again != "2024-01-25T14:30:00+00:00"
    assert ok(await api.put(url, json={**w.q, "status": 0}))["data"]["completed_at"] is None


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"title": ""}, "title", "The title field is required."),
        ({"title": None}, "title", "The title field is required."),
        ({"title": "x" * 256}, "title", None),
        ({"status": 21}, "status", None),
        ({"status": None}, "status", "The status field must be an integer."),
        ({"priority": 5}, "priority", None),
        ({"end_date": "2024-01-09"}, "end_date", "The end date must be a date after or equal to start date."),
        (
            {"start_date": "2024-02-01"},
            "end_date",
            "The end date must be a date after or equal to start date.",
        ),
        ({"project_id": None}, "project_id", "The project id field is required."),
    ],
)
async def test_update_validation(
    factory: Factory, payload: dict[str, Any], field: str, message: str | None
) -> None:
    w = await make_world(factory)
    task = await factory.task(
        w.project, start_date=datetime(2024, 1, 10).date(), end_date=datetime(2024, 1, 20).date()
    )
    body = err(await w.owner.api.put(f"/tasks/{task.id}", json={**w.q, **payload}), 422)
    assert field in body["errors"], body
    if message:
        assert body["errors"][field] == [message]


async def test_update_parent_rules(factory: Factory) -> None:
    w = await make_world(factory)
    a = await factory.task(w.project)
    b = await factory.task(w.project, parent_id=a.id)
    c = await factory.task(w.project, parent_id=b.id)
    api = w.owner.api

    body = err(await api.put(f"/tasks/{a.id}", json={**w.q, "parent_id": a.id}), 422)
    assert body["errors"] == {"parent_id": ["A task cannot be its own parent."]}
    for descendant in (b, c):
        body = err(await api.put(f"/tasks/{a.id}", json={**w.q, "parent_id": descendant.id}), 422)
        assert body["errors"] == {"parent_id": ["The parent task cannot be one of this task's subtasks."]}
    elsewhere = await factory.task(await factory.project(w.space))
    body = err(await api.put(f"/tasks/{a.id}", json={**w.q, "parent_id": elsewhere.id}), 422)
    assert body["errors"] == {"parent_id": ["The parent task must be a task of the same project."]}

    # Moving c under a (its grandparent) and detaching b are fine.
    assert ok(await api.put(f"/tasks/{c.id}", json={**w.q, "parent_id": a.id}))["data"]["parent_id"] == a.id
    assert ok(await api.put(f"/tasks/{b.id}", json={**w.q, "parent_id": None}))["data"]["parent_id"] is None
    # Now b is a root: a may go under b.
    assert ok(await api.put(f"/tasks/{a.id}", json={**w.q, "parent_id": b.id}))["data"]["parent_id"] == b.id


async def test_update_permissions(factory: Factory) -> None:
    w = await make_world(factory)
    created = await factory.task(w.project, creator_id=w.member.id)
    assigned = await factory.task(w.project, assignees=[w.member])
    foreign = await factory.task(w.project)
    ok(await w.member.api.put(f"/tasks/{created.id}", json={**w.q, "status": 20}))
    ok(await w.member.api.put(f"/tasks/{assigned.id}", json={**w.q, "status": 10}))
    err(await w.member.api.put(f"/tasks/{foreign.id}", json={**w.q, "status": 10}), 403, "forbidden")
    ok(await w.pm.api.put(f"/tasks/{foreign.id}", json={**w.q, "status": 10}))
    err(await w.outsider.api.put(f"/tasks/{foreign.id}", json={**w.q, "status": 10}), 404)
    # A member whose contract is paused loses write access to their own task.
    paused = await factory.person(w.space, Role.MEMBER)
    await factory.contract(w.project, paused, status="paused")
    theirs = await factory.task(w.project, creator_id=paused.id)
    err(await paused.api.put(f"/tasks/{theirs.id}", json={**w.q, "title": "X"}), 403)


async def test_update_with_wrong_project_is_404(factory: Factory) -> None:
    w = await make_world(factory)
    task = await factory.task(w.project)
    other = await factory.project(w.space)
    err(
        await w.owner.api.put(f"/tasks/{task.id}", json={**w.space.ws, "project_id": other.id, "title": "X"}),
        404,
    )


# --- delete -------------------------------------------------------------------------


async def test_delete_task(factory: Factory) -> None:
    w = await make_world(factory)
    task = await factory.task(w.project, assignees=[w.member])
    body = ok(await w.pm.api.delete(f"/tasks/{task.id}", json=w.q))
    assert body["message"] == "Task deleted successfully"
    assert_task_shape(body["data"])
    assert body["data"]["id"] == task.id and TIMESTAMP.match(body["data"]["deleted_at"])
    err(await w.owner.api.get(f"/tasks/{task.id}", params=w.q), 404)
    assert ok(await w.owner.api.get("/tasks", params=w.q))["data"] == []
    err(await w.owner.api.delete(f"/tasks/{task.id}", json=w.q), 404)


async def test_delete_takes_project_from_query_and_requires_it(factory: Factory) -> None:
    w = await make_world(factory)
    task = await factory.task(w.project)
    body = err(await w.owner.api.delete(f"/tasks/{task.id}", json=w.space.ws), 422)
    assert body["errors"] == {"project_id": ["The project id field is required."]}
    err(await w.owner.api.delete(f"/tasks/{task.id}", params=w.space.ws), 422)
    ok(await w.owner.api.delete(f"/tasks/{task.id}", params=w.q))


async def test_delete_permissions(factory: Factory) -> None:
    w = await make_world(factory)
    task = await factory.task(w.project, creator_id=w.member.id, assignees=[w.member])
    err(await w.member.api.delete(f"/tasks/{task.id}", json=w.q), 403, "forbidden")
    err(await w.outsider.api.delete(f"/tasks/{task.id}", json=w.q), 404)
    executive = await factory.person(w.space, Role.EXECUTIVE_MANAGER)
    ok(await executive.api.delete(f"/tasks/{task.id}", json=w.q))


# --- assign / unassign --------------------------------------------------------------


async def test_assign_and_unassign(factory: Factory) -> None:
    w = await make_world(factory)
    task = await factory.task(w.project)
    url = f"/tasks/{task.id}"
    body = ok(await w.pm.api.post(f"{url}/assign/{w.member.id}", json=w.q))
    assert body["message"] == "Task assigned successfully"
    assert list(body["data"]) == ["id", "user_id", "task_id"]
    assert body["data"]["user_id"] == w.member.id and body["data"]["task_id"] == task.id
    assert isinstance(body["data"]["id"], int)
    assert [a["id"] for a in ok(await w.pm.api.get(f"{url}/assignees", params=w.q))["data"]] == [w.member.id]

    conflict = err(await w.pm.api.post(f"{url}/assign/{w.member.id}", json=w.q), 409, "conflict")
    assert conflict["message"] == "The user is already assigned to this task."

    body = ok(await w.pm.api.delete(f"{url}/unassign/{w.member.id}", json=w.q))
    assert body["message"] == "Task unassigned successfully"
    assert body["data"]["user_id"] == w.member.id and body["data"]["task_id"] == task.id
    assert ok(await w.pm.api.get(f"{url}/assignees", params=w.q))["data"] == []
    missing = err(await w.pm.api.delete(f"{url}/unassign/{w.member.id}", json=w.q), 404)
    assert missing["message"] == "The user is not assigned to this task."


async def test_assign_without_body_uses_query(factory: Factory) -> None:
    w = await make_world(factory)
    task = await factory.task(w.project)
    ok(await w.owner.api.post(f"/tasks/{task.id}/assign/{w.member.id}", params=w.q))
    ok(await w.owner.api.delete(f"/tasks/{task.id}/unassign/{w.member.id}", params=w.space.ws))


async def test_assign_requires_contract(factory: Factory) -> None:
    w = await make_world(factory)
    task = await factory.task(w.project)
    stranger = await factory.space()
    for user_id in (w.outsider.id, stranger.owner.id, 999_999):
        body = err(await w.owner.api.post(f"/tasks/{task.id}/assign/{user_id}", json=w.q), 422)
        assert body["errors"] == {"user_id": ["The user must have a contract on the task's project."]}


async def test_assign_permissions(factory: Factory) -> None:
    w = await make_world(factory)
    colleague = await factory.person(w.space, Role.MEMBER)
    await factory.contract(w.project, colleague)
    task = await factory.task(w.project)
    url = f"/tasks/{task.id}"
    # A contributor may take a task themselves, not hand it to someone else.
    ok(await w.member.api.post(f"{url}/assign/{w.member.id}", json=w.q))
    err(await w.member.api.post(f"{url}/assign/{colleague.id}", json=w.q), 403, "forbidden")
    ok(await w.pm.api.post(f"{url}/assign/{colleague.id}", json=w.q))
    err(await w.member.api.delete(f"{url}/unassign/{colleague.id}", json=w.q), 403, "forbidden")
    ok(await w.member.api.delete(f"{url}/unassign/{w.member.id}", json=w.q))
    err(await w.outsider.api.post(f"{url}/assign/{w.outsider.id}", json=w.q), 404)


async def test_viewer_named_a_manager_by_an_old_row_writes_nothing(factory: Factory) -> None:
    """A project viewer listed in the project's managers (a row from before the rule, or
    a manager who became a viewer) still only reads its tasks."""
    w = await make_world(factory)
    viewer = await factory.person(w.space, Role.PROJECT_VIEWER)
    await factory.contract(w.project, viewer)
    await factory._save(ProjectManager(project_id=w.project.id, user_id=viewer.id))
    await factory.grant(w.project, viewer)
    task = await factory.task(w.project, assignees=[w.member])
    url = f"/tasks/{task.id}"
    ok(await viewer.api.get(url, params=w.q))
    for response in (
        await viewer.api.post("/tasks", json={**w.q, "title": "X"}),
        await viewer.api.put(url, json={**w.q, "title": "Renamed"}),
        await viewer.api.post(f"{url}/assign/{viewer.id}", json=w.q),
        await viewer.api.delete(f"{url}/unassign/{w.member.id}", json=w.q),
        await viewer.api.delete(url, json=w.q),
    ):
        err(response, 403, "forbidden")
    after = ok(await w.owner.api.get(url, params=w.q))["data"]
    assert after["title"] == task.title and after["deleted_at"] is None
    assert [a["id"] for a in after["assignees"]] == [w.member.id]


# --- list ---------------------------------------------------------------------------


async def test_list_tasks(factory: Factory) -> None:
    w = await make_world(factory)
    first = await factory.task(w.project, assignees=[w.member])
    second = await factory.task(w.project)
    body = ok(await w.member.api.get("/tasks", params=w.q))
    assert body["message"] == "Tasks retrieved successfully"
    assert [t["id"] for t in body["data"]] == [first.id, second.id]
    for task in body["data"]:
        assert_task_shape(task)
    assert [a["id"] for a in body["data"][0]["assignees"]] == [w.member.id]
    assert body["data"][1]["assignees"] == []
    assert_pagination(body, current_page=1, last_page=1, per_page=20, total=2, first=1, last=2)


async def test_list_without_project_shows_visible_projects_only(factory: Factory) -> None:
    w = await make_world(factory)
    mine = await factory.task(w.project)
    hidden = await factory.task(await factory.project(w.space))
    await factory.task(await factory.project(await factory.space()))
    await factory.task(w.project, deleted_at=datetime(2024, 1, 1, tzinfo=UTC))
    member_ids = [t["id"] for t in ok(await w.member.api.get("/tasks", params=w.space.ws))["data"]]
    assert member_ids == [mine.id]
    owner_ids = [t["id"] for t in ok(await w.owner.api.get("/tasks", params=w.space.ws))["data"]]
    assert owner_ids == [mine.id, hidden.id]
    assert ok(await w.outsider.api.get("/tasks", params=w.space.ws))["data"] == []
    err(await w.outsider.api.get("/tasks", params=w.q), 404)


async def test_list_by_contract_id(factory: Factory) -> None:
    w = await make_world(factory)
    project = await factory.project(w.space)
    contract = await factory.contract(project, w.outsider)
    await factory.task(w.project)
    task = await factory.task(project)
    params = {**w.space.ws, "contract_id": contract.id}
    assert [t["id"] for t in ok(await w.owner.api.get("/tasks", params=params))["data"]] == [task.id]
    assert [t["id"] for t in ok(await w.outsider.api.get("/tasks", params=params))["data"]] == [task.id]
    body = err(await w.member.api.get("/tasks", params=params), 404)
    assert body["message"] == "Contract not found."
    mismatch = err(await w.owner.api.get("/tasks", params={**params, "project_id": w.project.id}), 422)
    assert "contract_id" in mismatch["errors"]


async def test_list_filters(factory: Factory) -> None:
    w = await make_world(factory)
    parent = await factory.task(w.project, status=0, priority=10)
    custom = await factory.task(w.project, status=11, priority=30, parent_id=parent.id)
    done = await factory.task(w.project, status=20, parent_id=parent.id)

    async def ids(**params: Any) -> list[int]:
        return [t["id"] for t in ok(await w.owner.api.get("/tasks", params={**w.q, **params}))["data"]]

    assert await ids(status=11) == [custom.id]
    assert await ids(status=20) == [done.id]
    assert await ids(status=0) == [parent.id]
    assert await ids(status=21) == []
    assert await ids(priority=10) == [parent.id]
    assert await ids(parent_id=parent.id) == [custom.id, done.id]
    assert await ids(parent_id=parent.id, priority=30) == [custom.id]
    body = err(await w.owner.api.get("/tasks", params={**w.q, "priority": 50}), 422)
    assert "priority" in body["errors"]
    err(await w.owner.api.get("/tasks", params={**w.q, "status": "open"}), 422)


async def test_list_order_by(factory: Factory) -> None:
    w = await make_world(factory)
    d = datetime(2024, 1, 1).date()
    t1 = await factory.task(w.project, title="b", priority=20, start_date=d.replace(day=3))
    t2 = await factory.task(w.project, title="a", priority=None, start_date=None)
    t3 = await factory.task(w.project, title="c", priority=10, start_date=d.replace(day=1))

    async def ids(**params: Any) -> list[int]:
        return [t["id"] for t in ok(await w.owner.api.get("/tasks", params={**w.q, **params}))["data"]]

    assert await ids() == [t1.id, t2.id, t3.id]
    assert await ids(order_by="-id") == [t3.id, t2.id, t1.id]
    assert await ids(order_by="id", order="desc") == [t3.id, t2.id, t1.id]
    assert await ids(order_by="title") == [t2.id, t1.id, t3.id]
    assert await ids(order_by="title", order="DESC") == [t3.id, t1.id, t2.id]
    # Missing values last in both directions, on both databases.
    assert await ids(order_by="priority") == [t3.id, t1.id, t2.id]
    assert await ids(order_by="-priority") == [t1.id, t3.id, t2.id]
    assert await ids(order_by="start_date") == [t3.id, t1.id, t2.id]
    assert await ids(order_by="-created_at") == [t3.id, t2.id, t1.id]
    for params in ({"order_by": "secret"}, {"order_by": "-workspace_id"}, {"order": "sideways"}):
        body = err(await w.owner.api.get("/tasks", params={**w.q, **params}), 422)
        assert list(body["errors"]) == [next(iter(params))]


async def test_list_pagination(factory: Factory) -> None:
    w = await make_world(factory)
    tasks = [await factory.task(w.project) for _ in range(5)]
    body = ok(await w.owner.api.get("/tasks", params={**w.q, "per_page": 2, "page": 2}))
    assert [t["id"] for t in body["data"]] == [tasks[2].id, tasks[3].id]
    assert_pagination(body, current_page=2, last_page=3, per_page=2, total=5, first=3, last=4)
    await assert_page_bounds(w.owner.api, "/tasks", {**w.q, "per_page": 2}, past_page=9, total=5)
    ok(await w.owner.api.get("/tasks", params={**w.q, "per_page": 100}))
    err(await w.owner.api.get("/tasks", params={**w.q, "page": 0}), 422)


async def test_list_query_count_does_not_grow_with_page_size(
    factory: Factory, query_counter: QueryCounter
) -> None:
    w = await make_world(factory)
    second = await factory.person(w.space, Role.MEMBER)
    await factory.contract(w.project, second)
    for _ in range(6):
        await factory.task(w.project, assignees=[w.member, second])
    for body in await assert_query_count_flat(w.owner.api, "/tasks", w.q, query_counter):
        assert all(len(t["assignees"]) == 2 for t in body["data"])


# --- every operation: 401 and other workspaces ----------------------------------------

Call = Callable[[ApiClient, dict[str, int], int, int], Awaitable[httpx.Response]]


async def _list(api: ApiClient, q: dict[str, int], task_id: int, user_id: int) -> httpx.Response:
    return await api.get("/tasks", params=q)


async def _create(api: ApiClient, q: dict[str, int], task_id: int, user_id: int) -> httpx.Response:
    return await api.post("/tasks", json={**q, "title": "X"})


async def _get(api: ApiClient, q: dict[str, int], task_id: int, user_id: int) -> httpx.Response:
    return await api.get(f"/tasks/{task_id}", params=q)


async def _update(api: ApiClient, q: dict[str, int], task_id: int, user_id: int) -> httpx.Response:
    return await api.put(f"/tasks/{task_id}", json={**q, "title": "X"})


async def _delete(api: ApiClient, q: dict[str, int], task_id: int, user_id: int) -> httpx.Response:
    return await api.delete(f"/tasks/{task_id}", json=q)


async def _assignees(api: ApiClient, q: dict[str, int], task_id: int, user_id: int) -> httpx.Response:
    return await api.get(f"/tasks/{task_id}/assignees", params=q)


async def _assign(api: ApiClient, q: dict[str, int], task_id: int, user_id: int) -> httpx.Response:
    return await api.post(f"/tasks/{task_id}/assign/{user_id}", json=q)


async def _unassign(api: ApiClient, q: dict[str, int], task_id: int, user_id: int) -> httpx.Response:
    return await api.delete(f"/tasks/{task_id}/unassign/{user_id}", json=q)


OPERATIONS: list[Call] = [_list, _create, _get, _update, _delete, _assignees, _assign, _unassign]
OPERATION_IDS = ["list", "create", "get", "update", "delete", "assignees", "assign", "unassign"]


@pytest.mark.parametrize("call", OPERATIONS, ids=OPERATION_IDS)
async def test_unauthenticated(factory: Factory, call: Call) -> None:
    w = await make_world(factory)
    task = await factory.task(w.project, assignees=[w.member])
    err(await call(factory.anonymous, w.q, task.id, w.member.id), 401, "unauthenticated")


@pytest.mark.parametrize("call", [op for op in OPERATIONS if op is not _list], ids=OPERATION_IDS[1:])
async def test_other_workspace_is_404(factory: Factory, two_spaces: tuple[Space, Space], call: Call) -> None:
    a, b = two_spaces
    w = await make_world(factory, a)
    task = await factory.task(w.project, assignees=[w.member])
    err(await call(b.owner.api, {**b.ws, "project_id": w.project.id}, task.id, w.member.id), 404, "not_found")
    err(await call(b.owner.api, w.q, task.id, w.member.id), 404, "not_found")
    # Untouched in its own workspace.
    data = ok(await w.owner.api.get(f"/tasks/{task.id}", params=w.q))["data"]
    assert data["title"] == task.title and data["deleted_at"] is None
    assert [x["id"] for x in data["assignees"]] == [w.member.id]


async def test_list_of_other_workspace_shows_nothing(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    w = await make_world(factory, a)
    await factory.task(w.project)
    assert ok(await b.owner.api.get("/tasks", params=b.ws))["data"] == []
    err(await b.owner.api.get("/tasks", params={**b.ws, "project_id": w.project.id}), 404)
    err(await b.owner.api.get("/tasks", params=w.q), 404)


async def test_assign_race_answers_409(factory: Factory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two requests may both pass the "already assigned?" check; the unique constraint
    then decides and the loser gets 409, not 500."""
    w = await make_world(factory)
    task = await factory.task(w.project, assignees=[w.member])

    async def nobody(*_: Any) -> None:
        return None

    monkeypatch.setattr(repository, "assignment", nobody)
    err(await w.owner.api.post(f"/tasks/{task.id}/assign/{w.member.id}", json=w.q), 409, "conflict")
    monkeypatch.undo()
    data = ok(await w.owner.api.get(f"/tasks/{task.id}/assignees", params=w.q))["data"]
    assert [a["id"] for a in data] == [w.member.id]
