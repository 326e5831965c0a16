from __future__ import annotations

from typing import Any

import pytest

from tests.assertions import assert_page_bounds, assert_pagination, assert_query_count_flat, err, ok
from tests.factories import Factory, QueryCounter, Space

PROJECT_FIELDS = {
    "id",
    "name",
    "owner_id",
    "start_date",
    "deadline",
    "estimation",
    "budget_estimation",
    "notes",
    "icon",
    "is_billable",
    "rate",
    "weekly_hours_limit",
    "screenshots",
    "tags",
    "contracts_count",
    "status",
    "manager_ids",
    "created_at",
    "updated_at",
    "deleted_at",
}
SCREENSHOT_MODES = [
    "full",
    "blurred",
    "no_preview",
    "no_screenshot",
    "background_blurred",
    "video_full",
    "video_blurred",
    "video_full_silent",
    "video_blurred_silent",
]


def ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["data"]]


# ---------------------------------------------------------------- create


async def test_create_project_with_every_field(factory: Factory) -> None:
    space = await factory.space()
    pm = await factory.person(space, "project_manager")
    payload = {
        "name": "Website",
        "start_date": "2024-01-01",
        "deadline": "2024-03-31",
        "estimation": 320.5,
        "budget": 5000,
        "notes": "Redesign",
        "icon": "globe",
        "is_billable": False,
        "rate": 150.5,
        "weekly_hours_limit": 40,
        "screenshots": "blurred",
        "tags": ["web", "client"],
        "manager_ids": [pm.id],
    }
    body = ok(await space.owner.api.post("/projects", params=space.ws, json=payload), 201)
    assert body["message"] == "Project created successfully"
    data = body["data"]
    assert set(data) == PROJECT_FIELDS
    assert data["name"] == "Website"
    assert data["owner_id"] == space.owner.id
    assert data["start_date"] == "2024-01-01" and data["deadline"] == "2024-03-31"
    assert data["estimation"] == 320.5
    assert data["budget_estimation"] == 5000 and isinstance(data["budget_estimation"], int)
    assert data["rate"] == 150.5
    assert data["weekly_hours_limit"] == 40
    assert data["is_billable"] is False
    assert data["screenshots"] == "blurred"
    assert data["tags"] == ["web", "client"]
    assert data["manager_ids"] == [pm.id]
    assert data["contracts_count"] == 0
    assert data["status"] == 1
    assert data["deleted_at"] is None
    assert data["created_at"].endswith("+00:00")
    again = ok(await space.owner.api.get(f"/projects/{data['id']}", params=space.ws))["data"]
    assert again == data


async def test_create_defaults_and_owner_is_workspace_owner(factory: Factory) -> None:
    space = await factory.space()
    executive = await factory.person(space, "executive_manager")
    body = ok(await executive.api.post("/projects", params=space.ws, json={"name": "Minimal"}), 201)
    data = body["data"]
    assert data["owner_id"] == space.owner.id
    assert data["is_billable"] is True
    assert data["screenshots"] == "full"
    assert data["tags"] == [] and data["manager_ids"] == []
    assert data["estimation"] is None and data["budget_estimation"] is None and data["rate"] is None


async def test_create_accepts_workspace_id_in_body_and_form(factory: Factory) -> None:
    space = await factory.space()
    ok(await space.owner.api.post("/projects", json={"workspace_id": space.id, "name": "Json"}), 201)
    body = ok(
        await space.owner.api.post(
            "/projects",
            data={"workspace_id": str(space.id), "name": "Form", "budget": "12.5", "tags[]": ["a", "b"]},
        ),
        201,
    )
    assert body["data"]["budget_estimation"] == 12.5 and body["data"]["tags"] == ["a", "b"]


async def test_form_blank_numbers_mean_null(factory: Factory) -> None:
    """A form sends "" for an empty number field; it reads as null, as in a JSON body."""
    space = await factory.space()
    blanks = {"estimation": "", "budget": "", "rate": "", "weekly_hours_limit": ""}
    body = ok(await space.owner.api.post("/projects", params=space.ws, data={"name": "Form", **blanks}), 201)
    data = body["data"]
    assert data["estimation"] is None and data["budget_estimation"] is None
    assert data["rate"] is None and data["weekly_hours_limit"] is None
    url = f"/projects/{data['id']}"
    filled = {"estimation": 10, "budget": 100, "rate": 20, "weekly_hours_limit": 30}
    ok(await space.owner.api.put(url, params=space.ws, json=filled))
    cleared = ok(await space.owner.api.put(url, params=space.ws, data=blanks))["data"]
    assert cleared["estimation"] is None and cleared["budget_estimation"] is None
    assert cleared["rate"] is None and cleared["weekly_hours_limit"] is None


async def test_every_screenshot_mode_is_accepted(factory: Factory) -> None:
    space = await factory.space()
    for mode in SCREENSHOT_MODES:
        body = ok(
            await space.owner.api.post(
                "/projects", params=space.ws, json={"name": mode, "screenshots": mode}
            ),
            201,
        )
        assert body["data"]["screenshots"] == mode


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": "P", "start_date": "2024-02-01", "deadline": "2024-01-31"}, "deadline"),
        ({"name": "P", "deadline": "31/01/2024"}, "deadline"),
        ({"name": "P", "estimation": -1}, "estimation"),
        ({"name": "P", "budget": -5}, "budget"),
        ({"name": "P", "budget": "lots"}, "budget"),
        ({"name": "P", "rate": -0.01}, "rate"),
        ({"name": "P", "weekly_hours_limit": 169}, "weekly_hours_limit"),
        ({"name": "P", "weekly_hours_limit": -1}, "weekly_hours_limit"),
        ({"name": "P", "screenshots": "sometimes"}, "screenshots"),
        ({"name": "P", "tags": "web"}, "tags"),
        ({"name": "P", "is_billable": "maybe"}, "is_billable"),
        ({"name": "P", "manager_ids": ["abc"]}, "manager_ids.0"),
    ],
)
async def test_create_validation(factory: Factory, payload: dict[str, Any], field: str) -> None:
    space = await factory.space()
    body = err(
        await space.owner.api.post("/projects", params=space.ws, json=payload), 422, "validation_error"
    )
    assert field in body["errors"], body["errors"]


async def test_create_messages(factory: Factory) -> None:
    space = await factory.space()
    api = space.owner.api
    body = err(await api.post("/projects", params=space.ws, json={}), 422)
    assert body["errors"]["name"] == ["The name field is required."]
    body = err(
        await api.post(
            "/projects",
            params=space.ws,
            json={"name": "P", "start_date": "2024-02-01", "deadline": "2024-01-01"},
        ),
        422,
    )
    assert body["errors"] == {"deadline": ["The deadline must be a date after or equal to start_date."]}
    body = err(await api.post("/projects", params=space.ws, json={"name": "P", "screenshots": "x"}), 422)
    assert body["errors"]["screenshots"][0].startswith("The selected screenshots is invalid.")
    same_day = {"name": "P", "start_date": "2024-02-01", "deadline": "2024-02-01"}
    ok(await api.post("/projects", params=space.ws, json=same_day), 201)


async def test_manager_ids_must_be_active_members_of_the_workspace(factory: Factory) -> None:
    a, b = await factory.space(), await factory.space()
    active = await factory.person(a, "project_manager")
    archived = await factory.person(a, "project_manager", status="inactive")
    invited = await factory.person(a, "member", status="invited")
    foreign = await factory.person(b, "project_manager")
    for bad in (archived, invited, foreign):
        body = err(
            await a.owner.api.post(
                "/projects", params=a.ws, json={"name": "P", "manager_ids": [active.id, bad.id]}
            ),
            422,
        )
        assert body["errors"] == {"manager_ids": ["The selected manager_ids.1 is invalid."]}
    body = err(
        await a.owner.api.post("/projects", params=a.ws, json={"name": "P", "manager_ids": [999999]}), 422
    )
    assert "manager_ids" in body["errors"]
    data = ok(
        await a.owner.api.post(
            "/projects", params=a.ws, json={"name": "P", "manager_ids": [active.id, active.id]}
        ),
        201,
    )["data"]
    assert data["manager_ids"] == [active.id]


async def test_project_viewers_cannot_be_named_managers(factory: Factory) -> None:
    space = await factory.space()
    pm = await factory.person(space, "project_manager")
    viewer = await factory.person(space, "project_viewer")
    refused = {
        "manager_ids": ["The manager_ids.1 is a project viewer; project viewers cannot manage projects."]
    }
    api = space.owner.api
    body = err(
        await api.post("/projects", params=space.ws, json={"name": "P", "manager_ids": [pm.id, viewer.id]}),
        422,
    )
    assert body["errors"] == refused
    project = ok(
        await api.post("/projects", params=space.ws, json={"name": "P", "manager_ids": [pm.id]}), 201
    )
    url = f"/projects/{project['data']['id']}"
    body = err(await api.put(url, params=space.ws, json={"manager_ids": [pm.id, viewer.id]}), 422)
    assert body["errors"] == refused
    assert ok(await api.get(url, params=space.ws))["data"]["manager_ids"] == [pm.id]


@pytest.mark.parametrize("role", ["member", "project_manager", "team_manager", "project_viewer"])
async def test_create_forbidden_for_non_admins(factory: Factory, role: str) -> None:
    space = await factory.space()
    person = await factory.person(space, role)
    err(await person.api.post("/projects", params=space.ws, json={"name": "Nope"}), 403, "forbidden")


async def test_create_needs_authentication_and_membership(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    err(await factory.anonymous.post("/projects", params=a.ws, json={"name": "P"}), 401)
    err(await b.owner.api.post("/projects", params=a.ws, json={"name": "P"}), 404)


# ---------------------------------------------------------------- list


async def test_list_projects_envelope_and_contracts_count(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, "member")
    other = await factory.person(space, "member")
    first = await factory.project(space, name="Alpha", budget=5000, rate=150.5)
    second = await factory.project(space, name="Beta")
    await factory.contract(first, member)
    await factory.contract(first, other)
    body = ok(await space.owner.api.get("/projects", params=space.ws))
    assert body["message"] == "Projects retrieved successfully"
    assert ids(body) == [first.id, second.id]
    by_id = {item["id"]: item for item in body["data"]}
    assert by_id[first.id]["contracts_count"] == 2 and by_id[second.id]["contracts_count"] == 0
    assert by_id[first.id]["budget_estimation"] == 5000 and by_id[first.id]["rate"] == 150.5
    assert set(by_id[first.id]) == PROJECT_FIELDS
    assert_pagination(body, current_page=1, last_page=1, per_page=20, total=2, first=1, last=2)


async def test_list_filters_by_name_case_insensitively_with_literal_wildcards(factory: Factory) -> None:
    space = await factory.space()
    website = await factory.project(space, name="Website Redesign")
    await factory.project(space, name="Mobile App")
    percent = await factory.project(space, name="100% done")
    underscore = await factory.project(space, name="snake_case")
    await factory.project(space, name="snakeXcase")
    api = space.owner.api
    assert ids(ok(await api.get("/projects", params={**space.ws, "name": "WEBSITE"}))) == [website.id]
    assert ids(ok(await api.get("/projects", params={**space.ws, "name": "site red"}))) == [website.id]
    assert ids(ok(await api.get("/projects", params={**space.ws, "name": "%"}))) == [percent.id]
    assert ids(ok(await api.get("/projects", params={**space.ws, "name": "_"}))) == [underscore.id]
    assert ok(await api.get("/projects", params={**space.ws, "name": "zzz"}))["data"] == []


async def test_list_status_filter(factory: Factory) -> None:
    space = await factory.space()
    active = await factory.project(space)
    archived = await factory.project(space, status=0)
    api = space.owner.api
    assert ids(ok(await api.get("/projects", params=space.ws))) == [active.id]
    assert ids(ok(await api.get("/projects", params={**space.ws, "status": 1}))) == [active.id]
    assert ids(ok(await api.get("/projects", params={**space.ws, "status": 0}))) == [archived.id]
    assert ids(ok(await api.get("/projects", params={**space.ws, "status": "all"}))) == [
        active.id,
        archived.id,
    ]
    body = err(await api.get("/projects", params={**space.ws, "status": "deleted"}), 422)
    assert body["errors"] == {"status": ["The selected status is invalid."]}


async def test_visibility_by_role(factory: Factory) -> None:
    space = await factory.space()
    executive = await factory.person(space, "executive_manager")
    pm = await factory.person(space, "project_manager")
    tm = await factory.person(space, "team_manager")
    member = await factory.person(space, "member")
    teammate = await factory.person(space, "member")
    viewer = await factory.person(space, "project_viewer")
    await factory.team(space, members=[teammate], managers=[tm])
    managed = await factory.project(space, managers=[pm])
    pm_contracted = await factory.project(space)
    member_project = await factory.project(space)
    team_project = await factory.project(space)
    tm_own = await factory.project(space)
    hidden = await factory.project(space)
    await factory.contract(pm_contracted, pm)
    await factory.contract(member_project, member)
    await factory.contract(team_project, teammate)
    await factory.contract(tm_own, tm)
    everything = [managed.id, pm_contracted.id, member_project.id, team_project.id, tm_own.id, hidden.id]
    assert ids(ok(await space.owner.api.get("/projects", params=space.ws))) == everything
    assert ids(ok(await executive.api.get("/projects", params=space.ws))) == everything
    assert ids(ok(await pm.api.get("/projects", params=space.ws))) == [managed.id, pm_contracted.id]
    assert ids(ok(await tm.api.get("/projects", params=space.ws))) == [team_project.id, tm_own.id]
    assert ids(ok(await member.api.get("/projects", params=space.ws))) == [member_project.id]
    assert ok(await viewer.api.get("/projects", params=space.ws))["data"] == []
    err(await member.api.get(f"/projects/{hidden.id}", params=space.ws), 404)
    err(await pm.api.get(f"/projects/{member_project.id}", params=space.ws), 404)
    ok(await tm.api.get(f"/projects/{team_project.id}", params=space.ws))


async def test_rate_only_for_admins(factory: Factory) -> None:
    space = await factory.space()
    pm = await factory.person(space, "project_manager", rate_status=1)
    member = await factory.person(space, "member", rate_status=1)
    project = await factory.project(space, managers=[pm], rate=80)
    await factory.contract(project, member)
    assert ok(await space.owner.api.get(f"/projects/{project.id}", params=space.ws))["data"]["rate"] == 80
    for person in (pm, member):
        data = ok(await person.api.get(f"/projects/{project.id}", params=space.ws))["data"]
        assert "rate" not in data
        assert set(data) == PROJECT_FIELDS - {"rate"}
        listed = ok(await person.api.get("/projects", params=space.ws))["data"][0]
        assert "rate" not in listed


async def test_list_pagination(factory: Factory) -> None:
    space = await factory.space()
    for _ in range(5):
        await factory.project(space)
    api = space.owner.api
    body = ok(await api.get("/projects", params={**space.ws, "per_page": 2, "page": 2}))
    assert_pagination(body, current_page=2, last_page=3, per_page=2, total=5, first=3, last=4)
    await assert_page_bounds(api, "/projects", {**space.ws, "per_page": 2}, past_page=9, total=5)
    err(await api.get("/projects", params={**space.ws, "page": 0}), 422)


async def test_list_query_count_does_not_grow_with_page_size(
    factory: Factory, query_counter: QueryCounter
) -> None:
    space = await factory.space()
    pm = await factory.person(space, "project_manager")
    member = await factory.person(space, "member")
    for _ in range(6):
        project = await factory.project(space, managers=[pm])
        await factory.contract(project, member)
    for body in await assert_query_count_flat(space.owner.api, "/projects", space.ws, query_counter):
        assert all(item["contracts_count"] == 1 and item["manager_ids"] == [pm.id] for item in body["data"])


async def test_list_and_get_need_authentication(factory: Factory) -> None:
    space = await factory.space()
    project = await factory.project(space)
    err(await factory.anonymous.get("/projects", params=space.ws), 401)
    err(await factory.anonymous.get(f"/projects/{project.id}", params=space.ws), 401)


async def test_list_of_other_workspace(two_spaces: tuple[Space, Space], factory: Factory) -> None:
    a, b = two_spaces
    mine = await factory.project(b)
    await factory.project(a)
    assert ids(ok(await b.owner.api.get("/projects", params=b.ws))) == [mine.id]
    err(await b.owner.api.get("/projects", params=a.ws), 404)


# ---------------------------------------------------------------- get


async def test_get_project(factory: Factory) -> None:
    space = await factory.space()
    project = await factory.project(space, name="Alpha", start_date=None)
    body = ok(await space.owner.api.get(f"/projects/{project.id}", params=space.ws))
    assert body["message"] == "Project retrieved successfully"
    assert body["data"]["id"] == project.id and body["data"]["name"] == "Alpha"


async def test_get_archived_project_still_readable(factory: Factory) -> None:
    space = await factory.space()
    project = await factory.project(space, status=0)
    assert ok(await space.owner.api.get(f"/projects/{project.id}", params=space.ws))["data"]["status"] == 0


async def test_other_workspace_project_is_404_everywhere(
    two_spaces: tuple[Space, Space], factory: Factory
) -> None:
    a, b = two_spaces
    project = await factory.project(a)
    api = b.owner.api
    for ws in (b.ws, a.ws):
        body = err(await api.get(f"/projects/{project.id}", params=ws), 404, "not_found")
        err(await api.put(f"/projects/{project.id}", params=ws, json={"name": "Stolen"}), 404)
        err(await api.delete(f"/projects/{project.id}", json=ws), 404)
    body = err(await api.get(f"/projects/{project.id}", params=b.ws), 404)
    assert body["message"] == "Project not found."
    err(await api.get("/projects/999999", params=b.ws), 404)
    still = ok(await a.owner.api.get(f"/projects/{project.id}", params=a.ws))["data"]
    assert still["name"] == project.name and still["status"] == 1


# ---------------------------------------------------------------- update


async def test_update_partially(factory: Factory) -> None:
    space = await factory.space()
    project = await factory.project(
        space, name="Old", notes="keep", budget=100, start_date=None, tags=["a"], screenshots="blurred"
    )
    body = ok(
        await space.owner.api.put(
            f"/projects/{project.id}", params=space.ws, json={"name": "New", "budget": 5000, "rate": 150.5}
        )
    )
    assert body["message"] == "Project updated successfully"
    data = body["data"]
    assert data["name"] == "New" and data["budget_estimation"] == 5000 and data["rate"] == 150.5
    assert data["notes"] == "keep" and data["tags"] == ["a"] and data["screenshots"] == "blurred"
    cleared = ok(
        await space.owner.api.put(
            f"/projects/{project.id}", params=space.ws, json={"notes": None, "budget": None, "tags": []}
        )
    )["data"]
    assert cleared["notes"] is None and cleared["budget_estimation"] is None and cleared["tags"] == []
    assert cleared["name"] == "New"


async def test_update_deadline_rule_uses_stored_dates(factory: Factory) -> None:
    from datetime import date

    space = await factory.space()
    project = await factory.project(space, start_date=date(2024, 3, 1), deadline=date(2024, 6, 30))
    api = space.owner.api
    url = f"/projects/{project.id}"
    body = err(await api.put(url, params=space.ws, json={"deadline": "2024-02-01"}), 422)
    assert body["errors"] == {"deadline": ["The deadline must be a date after or equal to start_date."]}
    body = err(await api.put(url, params=space.ws, json={"start_date": "2024-07-01"}), 422)
    assert "deadline" in body["errors"]
    data = ok(
        await api.put(url, params=space.ws, json={"start_date": "2024-07-01", "deadline": "2024-08-01"})
    )["data"]
    assert data["start_date"] == "2024-07-01" and data["deadline"] == "2024-08-01"
    ok(await api.put(url, params=space.ws, json={"start_date": None, "deadline": "2020-01-01"}))


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"screenshots": "sometimes"}, "screenshots"),
        ({"screenshots": None}, "screenshots"),
        ({"is_billable": None}, "is_billable"),
        ({"weekly_hours_limit": 200}, "weekly_hours_limit"),
        ({"budget": -1}, "budget"),
        ({"status": 2}, "status"),
        ({"manager_ids": [999999]}, "manager_ids"),
    ],
)
async def test_update_validation(factory: Factory, payload: dict[str, Any], field: str) -> None:
    space = await factory.space()
    project = await factory.project(space)
    body = err(await space.owner.api.put(f"/projects/{project.id}", params=space.ws, json=payload), 422)
    assert field in body["errors"], body["errors"]


async def test_update_null_name_message(factory: Factory) -> None:
    space = await factory.space()
    project = await factory.project(space)
    body = err(
        await space.owner.api.put(f"/projects/{project.id}", params=space.ws, json={"name": None}), 422
    )
    assert body["errors"] == {"name": ["The name field is required."]}


async def test_update_manager_ids_replaces_managers(factory: Factory) -> None:
    space = await factory.space()
    first = await factory.person(space, "project_manager")
    second = await factory.person(space, "project_manager")
    project = await factory.project(space, managers=[first])
    url = f"/projects/{project.id}"
    data = ok(await space.owner.api.put(url, params=space.ws, json={"manager_ids": [second.id]}))["data"]
    assert data["manager_ids"] == [second.id]
    err(await first.api.get(url, params=space.ws), 404)
    assert ok(await second.api.get(url, params=space.ws))["data"]["manager_ids"] == [second.id]


async def test_project_manager_updates_managed_project_only(factory: Factory) -> None:
    space = await factory.space()
    pm = await factory.person(space, "project_manager")
    managed = await factory.project(space, managers=[pm])
    contracted = await factory.project(space)
    hidden = await factory.project(space)
    await factory.contract(contracted, pm)
    data = ok(await pm.api.put(f"/projects/{managed.id}", params=space.ws, json={"name": "Renamed"}))["data"]
    assert data["name"] == "Renamed" and "rate" not in data
    for field, value in (("manager_ids", [pm.id]), ("status", 0), ("rate", 10)):
        err(
            await pm.api.put(f"/projects/{managed.id}", params=space.ws, json={field: value}),
            403,
            "forbidden",
        )
    err(await pm.api.put(f"/projects/{contracted.id}", params=space.ws, json={"name": "X"}), 403)
    err(await pm.api.put(f"/projects/{hidden.id}", params=space.ws, json={"name": "X"}), 404)


async def test_members_may_not_update_visible_projects(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, "member")
    tm = await factory.person(space, "team_manager")
    project = await factory.project(space)
    await factory.contract(project, member)
    await factory.contract(project, tm)
    for person in (member, tm):
        err(await person.api.put(f"/projects/{project.id}", params=space.ws, json={"name": "X"}), 403)
    err(await factory.anonymous.put(f"/projects/{project.id}", params=space.ws, json={"name": "X"}), 401)


async def test_archived_project_can_be_updated_and_restored(factory: Factory) -> None:
    space = await factory.space()
    project = await factory.project(space)
    api = space.owner.api
    url = f"/projects/{project.id}"
    archived = ok(await api.delete(url, json=space.ws))["data"]
    assert archived["status"] == 0 and archived["deleted_at"] is not None
    renamed = ok(await api.put(url, params=space.ws, json={"name": "Still editable"}))["data"]
    assert renamed["name"] == "Still editable" and renamed["status"] == 0
    restored = ok(await api.put(url, params=space.ws, json={"status": 1}))["data"]
    assert restored["status"] == 1 and restored["deleted_at"] is None
    assert ids(ok(await api.get("/projects", params=space.ws))) == [project.id]


# ---------------------------------------------------------------- delete


async def test_delete_archives(factory: Factory) -> None:
    space = await factory.space()
    project = await factory.project(space)
    api = space.owner.api
    body = ok(await api.delete(f"/projects/{project.id}", params=space.ws))
    assert body["message"] == "Project deleted successfully"
    assert body["data"]["status"] == 0 and body["data"]["deleted_at"].endswith("+00:00")
    assert ok(await api.get("/projects", params=space.ws))["data"] == []
    assert ids(ok(await api.get("/projects", params={**space.ws, "status": 0}))) == [project.id]
    body = err(await api.delete(f"/projects/{project.id}", json=space.ws), 409, "already_archived")
    assert body["message"] == "Project is already archived."


async def test_delete_forbidden_for_non_admins(factory: Factory) -> None:
    space = await factory.space()
    pm = await factory.person(space, "project_manager")
    project = await factory.project(space, managers=[pm])
    executive = await factory.person(space, "executive_manager")
    err(await pm.api.delete(f"/projects/{project.id}", json=space.ws), 403)
    err(await factory.anonymous.delete(f"/projects/{project.id}", json=space.ws), 401)
    ok(await executive.api.delete(f"/projects/{project.id}", json=space.ws))
