from __future__ import annotations

from typing import Any

import pytest

from tests.assertions import assert_page_bounds, assert_pagination, assert_query_count_flat, err, ok
from tests.factories import Factory, QueryCounter, Space
from webwork.contracts import repository

CONTRACT_FIELDS = {
    "id",
    "user_id",
    "project_id",
    "project_name",
    "user_name",
    "notes",
    "weekly_hours_limit",
    "screenshots",
    "rate",
    "currency",
    "status",
    "created_at",
    "updated_at",
}
DUPLICATE = {"user_id": ["The member already has a contract on this project."]}


def ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["data"]]


# ---------------------------------------------------------------- create


async def test_create_contract(factory: Factory) -> None:
    space = await factory.space(currency="EUR")
    member = await factory.person(space, "member", firstname="John", lastname="Doe")
    project = await factory.project(space, name="Website")
    payload = {
        "project_id": project.id,
        "user_id": member.id,
        "weekly_hours_limit": 20,
        "screenshots": "video_blurred",
        "rate": 150.5,
        "notes": "Frontend",
    }
    body = ok(await space.owner.api.post("/contracts", params=space.ws, json=payload), 201)
    assert body["message"] == "Contract created successfully"
    data = body["data"]
    assert set(data) == CONTRACT_FIELDS
    assert data["user_id"] == member.id and data["project_id"] == project.id
    assert data["project_name"] == "Website" and data["user_name"] == "John Doe"
    assert data["weekly_hours_limit"] == 20 and data["rate"] == 150.5
    assert data["screenshots"] == "video_blurred" and data["notes"] == "Frontend"
    assert data["currency"] == "EUR" and data["status"] == "active"
    assert data["created_at"].endswith("+00:00")
    again = ok(await space.owner.api.get(f"/contracts/{data['id']}", params=space.ws))
    assert again["message"] == "Contract retrieved successfully"
    assert again["data"] == data
    counted = ok(await space.owner.api.get(f"/projects/{project.id}", params=space.ws))["data"]
    assert counted["contracts_count"] == 1


async def test_create_defaults_and_body_workspace_id(factory: Factory) -> None:
    space = await factory.space()
    executive = await factory.person(space, "executive_manager")
    member = await factory.person(space, "member")
    project = await factory.project(space)
    body = ok(
        await executive.api.post(
            "/contracts", json={"workspace_id": space.id, "project_id": project.id, "user_id": member.id}
        ),
        201,
    )
    data = body["data"]
    assert data["screenshots"] == "full" and data["status"] == "active"
    assert data["weekly_hours_limit"] is None and data["notes"] is None and data["rate"] is None


@pytest.mark.parametrize(
    ("sent", "saved"),
    [
        ({}, 20),
        ({"weekly_hours_limit": None}, 20),
        ({"weekly_hours_limit": ""}, 20),
        ({"weekly_hours_limit": 8}, 8),
        ({"weekly_hours_limit": 0}, 0),
    ],
)
async def test_weekly_limit_defaults_to_the_projects(
    factory: Factory, sent: dict[str, Any], saved: int
) -> None:
    """A contract created without a limit of its own takes its project's; later changes
    of the project's limit leave existing contracts alone."""
    space = await factory.space()
    member = await factory.person(space, "member")
    project = await factory.project(space, weekly_hours_limit=20)
    payload = {"project_id": project.id, "user_id": member.id, **sent}
    data = ok(await space.owner.api.post("/contracts", params=space.ws, json=payload), 201)["data"]
    assert data["weekly_hours_limit"] == saved
    ok(await space.owner.api.put(f"/projects/{project.id}", params=space.ws, json={"weekly_hours_limit": 30}))
    again = ok(await space.owner.api.get(f"/contracts/{data['id']}", params=space.ws))["data"]
    assert again["weekly_hours_limit"] == saved


async def test_second_contract_for_same_member_and_project_is_422(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, "member")
    project = await factory.project(space)
    other = await factory.project(space)
    await factory.contract(project, member)
    body = err(
        await space.owner.api.post(
            "/contracts", params=space.ws, json={"project_id": project.id, "user_id": member.id}
        ),
        422,
        "validation_error",
    )
    assert body["errors"] == DUPLICATE
    assert body["message"] == DUPLICATE["user_id"][0]
    ok(
        await space.owner.api.post(
            "/contracts", params=space.ws, json={"project_id": other.id, "user_id": member.id}
        ),
        201,
    )


async def test_unique_constraint_race_becomes_the_same_422(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A concurrent request may insert the same contract between our check and our
    insert: the unique constraint then refuses it and the client sees the same 422."""
    space = await factory.space()
    member = await factory.person(space, "member")
    project = await factory.project(space)
    await factory.contract(project, member)
    real = repository.has_contract
    calls = 0

    async def misses_once(*args: Any) -> bool:
        nonlocal calls
        calls += 1
        return False if calls == 1 else await real(*args)

    monkeypatch.setattr(repository, "has_contract", misses_once)
    body = err(
        await space.owner.api.post(
            "/contracts", params=space.ws, json={"project_id": project.id, "user_id": member.id}
        ),
        422,
    )
    assert body["errors"] == DUPLICATE
    assert calls == 2
    monkeypatch.undo()
    listed = ok(await space.owner.api.get("/contracts", params={**space.ws, "project_id": project.id}))
    assert len(listed["data"]) == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"user_id": "{member}"}, "project_id"),
        ({"project_id": "{project}"}, "user_id"),
        ({"project_id": "{project}", "user_id": "{member}", "screenshots": "sometimes"}, "screenshots"),
        ({"project_id": "{project}", "user_id": "{member}", "weekly_hours_limit": 169}, "weekly_hours_limit"),
        ({"project_id": "{project}", "user_id": "{member}", "weekly_hours_limit": -1}, "weekly_hours_limit"),
        ({"project_id": "{project}", "user_id": "{member}", "rate": -1}, "rate"),
        ({"project_id": "{project}", "user_id": "{member}", "rate": "much"}, "rate"),
        ({"project_id": "abc", "user_id": "{member}"}, "project_id"),
    ],
)
async def test_create_validation(factory: Factory, payload: dict[str, Any], field: str) -> None:
    space = await factory.space()
    member = await factory.person(space, "member")
    project = await factory.project(space)
    values = {"{member}": member.id, "{project}": project.id}
    resolved = {k: values.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    body = err(await space.owner.api.post("/contracts", params=space.ws, json=resolved), 422)
    assert field in body["errors"], body["errors"]


async def test_user_must_be_active_member_and_project_open(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    member = await factory.person(b, "member")
    archived_member = await factory.person(b, "member", status="inactive")
    invited = await factory.person(b, "member", status="invited")
    project = await factory.project(b)
    archived_project = await factory.project(b, status=0)
    foreign_member = await factory.person(a, "member")
    foreign_project = await factory.project(a)
    api = b.owner.api

    async def create(project_id: int, user_id: int) -> dict[str, Any]:
        return err(
            await api.post("/contracts", params=b.ws, json={"project_id": project_id, "user_id": user_id}),
            422,
        )

    for user in (archived_member, invited, foreign_member):
        assert (await create(project.id, user.id))["errors"] == {
            "user_id": ["The selected user_id is invalid."]
        }
    for bad_project in (archived_project.id, foreign_project.id, 999999):
        body = await create(bad_project, member.id)
        assert body["errors"] == {"project_id": ["The selected project_id is invalid."]}
    body = await create(foreign_project.id, foreign_member.id)
    assert set(body["errors"]) == {"project_id", "user_id"}


@pytest.mark.parametrize("role", ["member", "project_manager", "team_manager", "project_viewer"])
async def test_create_forbidden_for_non_admins(factory: Factory, role: str) -> None:
    space = await factory.space()
    person = await factory.person(space, role)
    project = await factory.project(space, managers=[person] if role == "project_manager" else [])
    payload = {"project_id": project.id, "user_id": person.id}
    err(await person.api.post("/contracts", params=space.ws, json=payload), 403, "forbidden")


async def test_create_needs_authentication_and_membership(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    member = await factory.person(a, "member")
    project = await factory.project(a)
    payload = {"project_id": project.id, "user_id": member.id}
    err(await factory.anonymous.post("/contracts", params=a.ws, json=payload), 401)
    err(await b.owner.api.post("/contracts", params=a.ws, json=payload), 404)


# ---------------------------------------------------------------- rate visibility


async def test_rate_shown_to_owner_only_on_billable_projects(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, "member")
    billable = await factory.project(space, is_billable=True)
    unbillable = await factory.project(space, is_billable=False)
    on_billable = await factory.contract(billable, member, rate=150.5)
    on_unbillable = await factory.contract(unbillable, member, rate=99)
    api = space.owner.api
    shown = ok(await api.get(f"/contracts/{on_billable.id}", params=space.ws))["data"]
    assert shown["rate"] == 150.5
    hidden = ok(await api.get(f"/contracts/{on_unbillable.id}", params=space.ws))["data"]
    assert "rate" not in hidden and set(hidden) == CONTRACT_FIELDS - {"rate"}
    listed = {item["id"]: item for item in ok(await api.get("/contracts", params=space.ws))["data"]}
    assert listed[on_billable.id]["rate"] == 150.5 and "rate" not in listed[on_unbillable.id]


async def test_member_sees_own_rate_only_with_rate_status(factory: Factory) -> None:
    space = await factory.space()
    allowed = await factory.person(space, "member", rate_status=1)
    denied = await factory.person(space, "member", rate_status=0)
    project = await factory.project(space)
    mine = await factory.contract(project, allowed, rate=40)
    theirs = await factory.contract(project, denied, rate=30)
    assert ok(await allowed.api.get(f"/contracts/{mine.id}", params=space.ws))["data"]["rate"] == 40
    assert "rate" not in ok(await denied.api.get(f"/contracts/{theirs.id}", params=space.ws))["data"]
    assert "rate" not in ok(await denied.api.get("/contracts", params=space.ws))["data"][0]


async def test_managers_do_not_see_members_rates(factory: Factory) -> None:
    space = await factory.space()
    pm = await factory.person(space, "project_manager", rate_status=1)
    member = await factory.person(space, "member")
    project = await factory.project(space, managers=[pm])
    contract = await factory.contract(project, member, rate=40)
    assert "rate" not in ok(await pm.api.get(f"/contracts/{contract.id}", params=space.ws))["data"]


# ---------------------------------------------------------------- list and get


async def test_list_contracts_with_filters(factory: Factory) -> None:
    space = await factory.space()
    ann = await factory.person(space, "member")
    bob = await factory.person(space, "member")
    alpha = await factory.project(space, name="Alpha")
    beta = await factory.project(space, name="Beta")
    c1 = await factory.contract(alpha, ann)
    c2 = await factory.contract(beta, ann, status="paused")
    c3 = await factory.contract(alpha, bob)
    api = space.owner.api
    body = ok(await api.get("/contracts", params=space.ws))
    assert body["message"] == "Contracts retrieved successfully"
    assert ids(body) == [c1.id, c2.id, c3.id]
    assert set(body["data"][0]) == CONTRACT_FIELDS
    assert body["data"][0]["project_name"] == "Alpha"
    assert body["data"][0]["user_name"] == f"{ann.user.firstname} {ann.user.lastname}"
    assert ids(ok(await api.get("/contracts", params={**space.ws, "project_id": alpha.id}))) == [c1.id, c3.id]
    assert ids(ok(await api.get("/contracts", params={**space.ws, "user_id": ann.id}))) == [c1.id, c2.id]
    assert ids(ok(await api.get("/contracts", params={**space.ws, "status": "paused"}))) == [c2.id]
    assert ids(ok(await api.get("/contracts", params={**space.ws, "status": "active"}))) == [c1.id, c3.id]
    both = {**space.ws, "user_id": ann.id, "project_id": alpha.id}
    assert ids(ok(await api.get("/contracts", params=both))) == [c1.id]
    body = err(await api.get("/contracts", params={**space.ws, "status": "ended"}), 422)
    assert body["errors"] == {"status": ["The selected status is invalid."]}
    err(await api.get("/contracts", params={**space.ws, "user_id": "abc"}), 422)


async def test_visibility_by_role(factory: Factory) -> None:
    space = await factory.space()
    executive = await factory.person(space, "executive_manager")
    pm = await factory.person(space, "project_manager")
    tm = await factory.person(space, "team_manager")
    member = await factory.person(space, "member")
    teammate = await factory.person(space, "member")
    outsider = await factory.person(space, "member")
    await factory.team(space, members=[teammate], managers=[tm])
    managed = await factory.project(space, managers=[pm])
    other = await factory.project(space)
    on_managed = await factory.contract(managed, outsider)
    pm_own = await factory.contract(other, pm)
    member_own = await factory.contract(other, member)
    teammate_elsewhere = await factory.contract(other, teammate)
    tm_own = await factory.contract(managed, tm)
    outsider_elsewhere = await factory.contract(other, outsider)
    everything = [
        on_managed.id,
        pm_own.id,
        member_own.id,
        teammate_elsewhere.id,
        tm_own.id,
        outsider_elsewhere.id,
    ]
    assert ids(ok(await space.owner.api.get("/contracts", params=space.ws))) == everything
    assert ids(ok(await executive.api.get("/contracts", params=space.ws))) == everything
    assert ids(ok(await pm.api.get("/contracts", params=space.ws))) == [on_managed.id, pm_own.id, tm_own.id]
    assert ids(ok(await tm.api.get("/contracts", params=space.ws))) == [teammate_elsewhere.id, tm_own.id]
    assert ids(ok(await member.api.get("/contracts", params=space.ws))) == [member_own.id]
    err(await member.api.get(f"/contracts/{outsider_elsewhere.id}", params=space.ws), 404)
    err(await pm.api.get(f"/contracts/{outsider_elsewhere.id}", params=space.ws), 404)
    ok(await pm.api.get(f"/contracts/{on_managed.id}", params=space.ws))
    ok(await tm.api.get(f"/contracts/{teammate_elsewhere.id}", params=space.ws))


async def test_list_pagination(factory: Factory) -> None:
    space = await factory.space()
    project = await factory.project(space)
    for _ in range(5):
        await factory.contract(project, await factory.person(space, "member"))
    api = space.owner.api
    body = ok(await api.get("/contracts", params={**space.ws, "per_page": 2, "page": 3}))
    assert_pagination(body, current_page=3, last_page=3, per_page=2, total=5, first=5, last=5)
    await assert_page_bounds(api, "/contracts", {**space.ws, "per_page": 2}, past_page=4, total=5)


async def test_list_query_count_does_not_grow_with_page_size(
    factory: Factory, query_counter: QueryCounter
) -> None:
    space = await factory.space()
    for _ in range(3):
        project = await factory.project(space)
        for _ in range(2):
            await factory.contract(project, await factory.person(space, "member"))
    for body in await assert_query_count_flat(space.owner.api, "/contracts", space.ws, query_counter):
        assert all(item["project_name"] and item["user_name"] for item in body["data"])


async def test_list_and_get_need_authentication(factory: Factory) -> None:
    space = await factory.space()
    contract = await factory.contract(await factory.project(space), await factory.person(space))
    err(await factory.anonymous.get("/contracts", params=space.ws), 401)
    err(await factory.anonymous.get(f"/contracts/{contract.id}", params=space.ws), 401)


async def test_other_workspace_contract_is_404_everywhere(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    contract = await factory.contract(await factory.project(a), await factory.person(a))
    mine = await factory.contract(await factory.project(b), await factory.person(b))
    api = b.owner.api
    for ws in (b.ws, a.ws):
        err(await api.get(f"/contracts/{contract.id}", params=ws), 404, "not_found")
        err(await api.put(f"/contracts/{contract.id}", params=ws, json={"notes": "x"}), 404)
    body = err(await api.get(f"/contracts/{contract.id}", params=b.ws), 404)
    assert body["message"] == "Contract not found."
    assert ids(ok(await api.get("/contracts", params=b.ws))) == [mine.id]
    err(await api.get("/contracts", params=a.ws), 404)
    assert ok(await a.owner.api.get(f"/contracts/{contract.id}", params=a.ws))["data"]["notes"] is None


# ---------------------------------------------------------------- update


async def test_form_blank_numbers_mean_null(factory: Factory) -> None:
    """A form sends "" for an empty number field; it reads as null, as in a JSON body."""
    space = await factory.space()
    member = await factory.person(space, "member")
    project = await factory.project(space)
    form = {"project_id": str(project.id), "user_id": str(member.id), "weekly_hours_limit": "", "rate": ""}
    data = ok(await space.owner.api.post("/contracts", params=space.ws, data=form), 201)["data"]
    assert data["weekly_hours_limit"] is None and data["rate"] is None
    url = f"/contracts/{data['id']}"
    ok(await space.owner.api.put(url, params=space.ws, json={"rate": 10, "weekly_hours_limit": 5}))
    cleared = ok(await space.owner.api.put(url, params=space.ws, data={"rate": "", "weekly_hours_limit": ""}))
    assert cleared["data"]["weekly_hours_limit"] is None and cleared["data"]["rate"] is None


async def test_update_contract(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, "member")
    contract = await factory.contract(
        await factory.project(space), member, notes="keep", screenshots="blurred", weekly_hours_limit=10
    )
    url = f"/contracts/{contract.id}"
    body = ok(
        await space.owner.api.put(
            url, params=space.ws, json={"rate": 150.5, "status": "paused", "weekly_hours_limit": 40}
        )
    )
    assert body["message"] == "Contract updated successfully"
    data = body["data"]
    assert data["rate"] == 150.5 and data["status"] == "paused" and data["weekly_hours_limit"] == 40
    assert data["notes"] == "keep" and data["screenshots"] == "blurred"
    cleared = ok(
        await space.owner.api.put(
            url,
            params=space.ws,
            json={"notes": None, "weekly_hours_limit": None, "screenshots": "no_screenshot"},
        )
    )["data"]
    assert cleared["notes"] is None and cleared["weekly_hours_limit"] is None
    assert cleared["screenshots"] == "no_screenshot" and cleared["status"] == "paused"
    assert ok(await space.owner.api.get(url, params=space.ws))["data"] == cleared


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "ended"}, "status"),
        ({"status": None}, "status"),
        ({"screenshots": "sometimes"}, "screenshots"),
        ({"screenshots": None}, "screenshots"),
        ({"weekly_hours_limit": 168.5}, "weekly_hours_limit"),
        ({"rate": -3}, "rate"),
    ],
)
async def test_update_validation(factory: Factory, payload: dict[str, Any], field: str) -> None:
    space = await factory.space()
    contract = await factory.contract(await factory.project(space), await factory.person(space))
    body = err(await space.owner.api.put(f"/contracts/{contract.id}", params=space.ws, json=payload), 422)
    assert field in body["errors"], body["errors"]


async def test_project_manager_updates_contracts_of_managed_projects_but_not_rate(factory: Factory) -> None:
    space = await factory.space()
    pm = await factory.person(space, "project_manager")
    member = await factory.person(space, "member")
    managed = await factory.contract(await factory.project(space, managers=[pm]), member, rate=20)
    own_elsewhere = await factory.contract(await factory.project(space), pm)
    hidden = await factory.contract(await factory.project(space), member)
    data = ok(
        await pm.api.put(
            f"/contracts/{managed.id}", params=space.ws, json={"status": "paused", "notes": "ok"}
        )
    )["data"]
    assert data["status"] == "paused" and data["notes"] == "ok" and "rate" not in data
    err(await pm.api.put(f"/contracts/{managed.id}", params=space.ws, json={"rate": 99}), 403, "forbidden")
    err(await pm.api.put(f"/contracts/{own_elsewhere.id}", params=space.ws, json={"notes": "x"}), 403)
    err(await pm.api.put(f"/contracts/{hidden.id}", params=space.ws, json={"notes": "x"}), 404)
    assert ok(await space.owner.api.get(f"/contracts/{managed.id}", params=space.ws))["data"]["rate"] == 20


async def test_members_may_not_update_their_contract(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space, "member", rate_status=1)
    tm = await factory.person(space, "team_manager")
    await factory.team(space, members=[member], managers=[tm])
    contract = await factory.contract(await factory.project(space), member)
    for person in (member, tm):
        err(await person.api.put(f"/contracts/{contract.id}", params=space.ws, json={"notes": "x"}), 403)
    err(await factory.anonymous.put(f"/contracts/{contract.id}", params=space.ws, json={"notes": "x"}), 401)
