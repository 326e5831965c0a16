from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import assert_page_bounds, assert_pagination, assert_query_count_flat, err, ok
from tests.factories import Factory, QueryCounter, Space
from webwork.models import TeamMember

TEAM_FIELDS = {"id", "name", "member_ids", "manager_ids", "created_at", "updated_at"}


async def test_create_team(factory: Factory) -> None:
    space = await factory.space()
    executive = await factory.person(space, "executive_manager")
    lead = await factory.person(space, "team_manager")
    dev1, dev2 = await factory.person(space), await factory.person(space)
    body = ok(
        await executive.api.post(
            "/teams",
            params=space.ws,
            json={"name": "Backend", "member_ids": [dev1.id, dev2.id], "manager_ids": [lead.id]},
        ),
        201,
    )
    assert body["message"] == "Team created successfully"
    data = body["data"]
    assert set(data) == TEAM_FIELDS
    assert data["name"] == "Backend"
    assert data["member_ids"] == sorted([dev1.id, dev2.id, lead.id])
    assert data["manager_ids"] == [lead.id]
    assert data["created_at"].endswith("+00:00")

    shown = ok(await space.owner.api.get(f"/teams/{data['id']}", params=space.ws))
    assert shown["message"] == "Team retrieved successfully" and shown["data"] == data
    member = ok(await space.owner.api.get(f"/members/{dev1.id}", params=space.ws))["data"]
    assert member["team_ids"] == [data["id"]]


async def test_create_team_form_encoded_and_empty(factory: Factory) -> None:
    space = await factory.space()
    dev = await factory.person(space)
    body = ok(
        await space.owner.api.post(
            "/teams", data={"workspace_id": str(space.id), "name": "Ops", "member_ids[]": [str(dev.id)]}
        ),
        201,
    )
    assert body["data"]["member_ids"] == [dev.id] and body["data"]["manager_ids"] == []
    empty = ok(await space.owner.api.post("/teams", params=space.ws, json={"name": "Empty"}), 201)["data"]
    assert empty["member_ids"] == [] and empty["manager_ids"] == []


async def test_create_team_validation(factory: Factory) -> None:
    a, b = await factory.space(), await factory.space()
    archived = await factory.person(a, status="inactive")
    invited = await factory.person(a, status="invited")
    active = await factory.person(a)
    api = a.owner.api

    async def errors(body: dict[str, Any]) -> dict[str, list[str]]:
        return dict(err(await api.post("/teams", params=a.ws, json=body), 422)["errors"])

    assert (await errors({})) == {"name": ["The name field is required."]}
    assert "name" in await errors({"name": ""})
    assert (await errors({"name": "X", "member_ids": ["abc"]})) == {
        "member_ids.0": ["The member ids.0 field must be an integer."]
    }
    bad = await errors(
        {
            "name": "X",
            "member_ids": [active.id, archived.id, b.owner.id],
            "manager_ids": [invited.id, 999999],
        }
    )
    listed = ", ".join(str(i) for i in sorted([archived.id, b.owner.id]))
    assert bad == {
        "member_ids": [f"These ids are not active members of the workspace: {listed}."],
        "manager_ids": [f"These ids are not active members of the workspace: {invited.id}, 999999."],
    }


async def test_project_viewers_cannot_be_named_managers(factory: Factory) -> None:
    space = await factory.space()
    lead = await factory.person(space, "team_manager")
    viewer = await factory.person(space, "project_viewer")
    refused = {"manager_ids": [f"These ids are project viewers, who cannot manage teams: {viewer.id}."]}
    api = space.owner.api
    body = err(
        await api.post("/teams", params=space.ws, json={"name": "T", "manager_ids": [lead.id, viewer.id]}),
        422,
    )
    assert body["errors"] == refused
    # A viewer may be a plain member of a team.
    team = ok(await api.post("/teams", params=space.ws, json={"name": "T", "member_ids": [viewer.id]}), 201)[
        "data"
    ]
    body = err(await api.put(f"/teams/{team['id']}", params=space.ws, json={"manager_ids": [viewer.id]}), 422)
    assert body["errors"] == refused
    assert ok(await api.get(f"/teams/{team['id']}", params=space.ws))["data"]["manager_ids"] == []


async def test_team_write_permissions(factory: Factory) -> None:
    space = await factory.space()
    team = await factory.team(space)
    for role in ("team_manager", "project_manager", "member", "project_viewer"):
        person = await factory.person(space, role)
        err(await person.api.post("/teams", params=space.ws, json={"name": "Mine"}), 403)
        err(await person.api.put(f"/teams/{team.id}", params=space.ws, json={"name": "Mine"}), 403)
        err(await person.api.delete(f"/teams/{team.id}", json=space.ws), 403)
    anonymous = factory.anonymous
    err(await anonymous.get("/teams", params=space.ws), 401)
    err(await anonymous.post("/teams", params=space.ws, json={"name": "X"}), 401)
    err(await anonymous.get(f"/teams/{team.id}", params=space.ws), 401)
    err(await anonymous.put(f"/teams/{team.id}", params=space.ws, json={"name": "X"}), 401)
    err(await anonymous.delete(f"/teams/{team.id}", params=space.ws), 401)


async def test_non_admins_see_only_their_teams(factory: Factory) -> None:
    space = await factory.space()
    lead = await factory.person(space, "team_manager")
    dev = await factory.person(space)
    outsider = await factory.person(space)
    led = await factory.team(space, members=[dev], managers=[lead], name="Led")
    other = await factory.team(space, members=[outsider], name="Other")
    assert [t["id"] for t in ok(await lead.api.get("/teams", params=space.ws))["data"]] == [led.id]
    assert [t["id"] for t in ok(await dev.api.get("/teams", params=space.ws))["data"]] == [led.id]
    assert [t["id"] for t in ok(await outsider.api.get("/teams", params=space.ws))["data"]] == [other.id]
    err(await dev.api.get(f"/teams/{other.id}", params=space.ws), 404, "not_found")
    all_teams = ok(await space.owner.api.get("/teams", params=space.ws))
    assert all_teams["message"] == "Teams retrieved successfully"
    assert [t["id"] for t in all_teams["data"]] == [led.id, other.id]


async def test_team_manager_sees_members_of_team_created_through_api(factory: Factory) -> None:
    space = await factory.space()
    lead = await factory.person(space, "team_manager")
    dev = await factory.person(space)
    await factory.person(space)
    ok(
        await space.owner.api.post(
            "/teams", params=space.ws, json={"name": "T", "member_ids": [dev.id], "manager_ids": [lead.id]}
        ),
        201,
    )
    listed = ok(await lead.api.get("/members", params=space.ws))["data"]
    assert sorted(m["id"] for m in listed) == sorted([lead.id, dev.id])


async def test_update_team_replaces_given_lists(factory: Factory) -> None:
    space = await factory.space()
    lead, dev1, dev2, dev3 = [await factory.person(space) for _ in range(4)]
    team = await factory.team(space, members=[dev1, dev2], managers=[lead])
    url, api = f"/teams/{team.id}", space.owner.api

    renamed = ok(await api.put(url, params=space.ws, json={"name": "Renamed"}))
    assert renamed["message"] == "Team updated successfully"
    assert renamed["data"]["name"] == "Renamed"
    assert renamed["data"]["member_ids"] == sorted([lead.id, dev1.id, dev2.id])
    assert renamed["data"]["manager_ids"] == [lead.id]

    members = ok(await api.put(url, params=space.ws, json={"member_ids": [dev3.id]}))["data"]
    assert members["member_ids"] == sorted([lead.id, dev3.id]) and members["manager_ids"] == [lead.id]

    managers = ok(await api.put(url, params=space.ws, json={"manager_ids": [dev3.id]}))["data"]
    assert managers["member_ids"] == sorted([lead.id, dev3.id]) and managers["manager_ids"] == [dev3.id]

    both = ok(await api.put(url, params=space.ws, json={"member_ids": [dev1.id], "manager_ids": []}))["data"]
    assert both["member_ids"] == [dev1.id] and both["manager_ids"] == []
    assert ok(await api.get(url, params=space.ws))["data"] == both


async def test_update_team_validation(factory: Factory) -> None:
    space = await factory.space()
    team = await factory.team(space)
    archived = await factory.person(space, status="inactive")
    api = space.owner.api
    body = err(await api.put(f"/teams/{team.id}", params=space.ws, json={"manager_ids": [archived.id]}), 422)
    assert body["errors"] == {
        "manager_ids": [f"These ids are not active members of the workspace: {archived.id}."]
    }
    assert (
        "name" in err(await api.put(f"/teams/{team.id}", params=space.ws, json={"name": ""}), 422)["errors"]
    )
    err(await api.put("/teams/999999", params=space.ws, json={"name": "X"}), 404)


async def test_delete_team(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    dev = await factory.person(space)
    team = await factory.team(space, members=[dev])
    body = ok(await space.owner.api.delete(f"/teams/{team.id}", json=space.ws))
    assert body["message"] == "Team deleted successfully"
    assert body["data"]["id"] == team.id and body["data"]["member_ids"] == [dev.id]
    err(await space.owner.api.get(f"/teams/{team.id}", params=space.ws), 404)
    assert (await session.scalars(select(TeamMember).where(TeamMember.team_id == team.id))).all() == []
    assert ok(await space.owner.api.get(f"/members/{dev.id}", params=space.ws))["data"]["team_ids"] == []
    err(await space.owner.api.delete(f"/teams/{team.id}", params=space.ws), 404)


async def test_every_team_endpoint_is_404_across_workspaces(two_spaces: tuple[Space, Space]) -> None:
    a, b = two_spaces
    team_id = ok(await a.owner.api.post("/teams", params=a.ws, json={"name": "Secret"}), 201)["data"]["id"]
    api = b.owner.api
    for ws in (b.ws, a.ws):
        err(await api.get(f"/teams/{team_id}", params=ws), 404)
        err(await api.put(f"/teams/{team_id}", params=ws, json={"name": "Mine"}), 404)
        err(await api.delete(f"/teams/{team_id}", json=ws), 404)
    err(await api.get("/teams", params=a.ws), 404)
    assert ok(await api.get("/teams", params=b.ws))["data"] == []


async def test_list_teams_pagination(factory: Factory) -> None:
    space = await factory.space()
    for n in range(5):
        await factory.team(space, name=f"T{n}")
    api = space.owner.api
    body = ok(await api.get("/teams", params=space.ws | {"per_page": 2, "page": 3}))
    assert_pagination(body, current_page=3, last_page=3, per_page=2, total=5, first=5, last=5)
    await assert_page_bounds(api, "/teams", space.ws | {"per_page": 2}, past_page=4, total=5)


async def test_list_teams_query_count_does_not_grow(factory: Factory, query_counter: QueryCounter) -> None:
    space = await factory.space()
    people = [await factory.person(space) for _ in range(3)]
    for n in range(6):
        await factory.team(space, members=people[:2], managers=people[2:], name=f"T{n}")
    await assert_query_count_flat(space.owner.api, "/teams", space.ws, query_counter)
