"""`/expenses` and `/expenses/categories`: members add expenses with exact amounts,
owners and executive managers sort them into categories and decide on them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.assertions import assert_page_bounds, assert_pagination, assert_query_rejected, err, ok
from tests.factories import Factory, Person, Space
from webwork.auth.permissions import VIEWING_ONLY
from webwork.auth.roles import Role

NOW = datetime(2024, 3, 4, 23, 30, tzinfo=UTC)
ROLES_BELOW_ADMIN = (Role.TEAM_MANAGER, Role.PROJECT_MANAGER, Role.MEMBER, Role.PROJECT_VIEWER)


@pytest.fixture(autouse=True)
def _now(frozen_clock: Callable[[datetime], None]) -> None:
    frozen_clock(NOW)


async def add(actor: Person, **fields: Any) -> httpx.Response:
    body = {
        "workspace_id": actor.workspace_id,
        "expense_name": "Taxi",
        "amount": 150.5,
        "date": "2024-01-15",
        **fields,
    }
    return await actor.api.post("/expenses", json=body)


async def added(actor: Person, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = ok(await add(actor, **fields), 201)["data"]
    return data


async def category(actor: Person, name: str = "Travel") -> dict[str, Any]:
    response = await actor.api.post(
        "/expenses/categories", json={"workspace_id": actor.workspace_id, "name": name}
    )
    data: dict[str, Any] = ok(response, 201)["data"]
    return data


async def listing(actor: Person, **params: Any) -> dict[str, Any]:
    return ok(await actor.api.get("/expenses", params={"workspace_id": actor.workspace_id, **params}))


def ids(body: dict[str, Any]) -> set[str]:
    return {item["id"] for item in body["data"]}


async def decide(actor: Person, expense_id: str, verb: str, **body: Any) -> httpx.Response:
    return await actor.api.put(
        f"/expenses/{expense_id}/{verb}", json={"workspace_id": actor.workspace_id, **body}
    )


# --- categories ------------------------------------------------------------------------


async def test_owners_and_executive_managers_manage_categories_everyone_reads_them(factory: Factory) -> None:
    space = await factory.space()
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    created = ok(await space.owner.api.post("/expenses/categories", json={**space.ws, "name": "Travel"}), 201)
    assert created["message"] == "Expense category created successfully"
    travel = created["data"]
    assert str(uuid.UUID(travel["id"])) == travel["id"]
    assert travel == {
        "id": travel["id"],
        "name": "Travel",
        "created_at": "2024-03-04T23:30:00+00:00",
        "updated_at": "2024-03-04T23:30:00+00:00",
    }
    meals = await category(executive, "Meals")
    for role in ROLES_BELOW_ADMIN:
        reader = await factory.person(space, role)
        if role is Role.PROJECT_VIEWER:  # viewers read their projects and nothing else
            err(await reader.api.get("/expenses/categories", params=space.ws), 403, "forbidden")
            continue
        body = ok(await reader.api.get("/expenses/categories", params=space.ws))
        assert body["message"] == "Expense categories retrieved successfully"
        assert [c["name"] for c in body["data"]] == ["Meals", "Travel"]
    renamed = ok(
        await executive.api.put(
            f"/expenses/categories/{travel['id']}", params=space.ws, json={"name": "Trips"}
        )
    )
    assert renamed["message"] == "Expense category updated successfully"
    assert renamed["data"]["name"] == "Trips"
    deleted = ok(await space.owner.api.delete(f"/expenses/categories/{meals['id']}", params=space.ws))
    assert deleted["message"] == "Expense category deleted successfully"
    left = ok(await space.owner.api.get("/expenses/categories", params=space.ws))
    assert [c["name"] for c in left["data"]] == ["Trips"]


async def test_categories_page(factory: Factory) -> None:
    space = await factory.space()
    for name in ("A", "B", "C"):
        await category(space.owner, name)
    body = ok(
        await space.owner.api.get("/expenses/categories", params={**space.ws, "per_page": 2, "page": 2})
    )
    assert_pagination(body, current_page=2, last_page=2, per_page=2, total=3, first=3, last=3)
    assert [c["name"] for c in body["data"]] == ["C"]
    await assert_page_bounds(space.owner.api, "/expenses/categories", space.ws, past_page=3, total=3)


@pytest.mark.parametrize("role", ROLES_BELOW_ADMIN)
async def test_only_owners_and_executive_managers_write_categories(factory: Factory, role: Role) -> None:
    space = await factory.space()
    travel = await category(space.owner)
    someone = await factory.person(space, role)
    url = f"/expenses/categories/{travel['id']}"
    err(await someone.api.post("/expenses/categories", json={**space.ws, "name": "Mine"}), 403, "forbidden")
    err(await someone.api.put(url, params=space.ws, json={"name": "Mine"}), 403, "forbidden")
    err(await someone.api.delete(url, params=space.ws), 403, "forbidden")
    body = ok(await space.owner.api.get("/expenses/categories", params=space.ws))
    assert [c["name"] for c in body["data"]] == ["Travel"]


async def test_category_names_are_unique_per_workspace(factory: Factory) -> None:
    a, b = await factory.space(), await factory.space()
    travel = await category(a.owner, "Travel")
    meals = await category(a.owner, "Meals")
    await category(b.owner, "Travel")  # another workspace's name is no clash
    body = err(await a.owner.api.post("/expenses/categories", json={**a.ws, "name": " Travel "}), 422)
    assert body["errors"] == {"name": ["The workspace already has an expense category of this name."]}
    body = err(
        await a.owner.api.put(f"/expenses/categories/{meals['id']}", params=a.ws, json={"name": "Travel"}),
        422,
    )
    assert "name" in body["errors"]
    same = ok(
        await a.owner.api.put(f"/expenses/categories/{travel['id']}", params=a.ws, json={"name": "Travel"})
    )
    assert same["data"]["name"] == "Travel"


async def test_category_validation(factory: Factory) -> None:
    space = await factory.space()
    travel = await category(space.owner)
    for name in ("", "   ", "x" * 256, "a\x00b", None):
        body = err(await space.owner.api.post("/expenses/categories", json={**space.ws, "name": name}), 422)
        assert "name" in body["errors"], name
    body = err(
        await space.owner.api.put(f"/expenses/categories/{travel['id']}", params=space.ws, json={}), 422
    )
    assert "name" in body["errors"]


async def test_a_category_in_use_is_not_deleted(factory: Factory) -> None:
    space = await factory.space()
    travel = await category(space.owner)
    expense = await added(space.owner, category_id=travel["id"])
    url = f"/expenses/categories/{travel['id']}"
    body = err(await space.owner.api.delete(url, params=space.ws), 409, "category_in_use")
    assert "used by expenses" in body["message"]
    ok(await space.owner.api.delete(f"/expenses/{expense['id']}", params=space.ws))
    ok(await space.owner.api.delete(url, params=space.ws))


async def test_categories_of_another_workspace_are_not_found(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    travel = await category(a.owner)
    for url in (
        f"/expenses/categories/{travel['id']}",
        "/expenses/categories/not-a-uuid",
        f"/expenses/categories/{uuid.uuid4()}",
    ):
        err(await b.owner.api.put(url, params=b.ws, json={"name": "Stolen"}), 404, "not_found")
        err(await b.owner.api.delete(url, params=b.ws), 404, "not_found")
    assert ok(await b.owner.api.get("/expenses/categories", params=b.ws))["data"] == []
    err(await b.owner.api.get("/expenses/categories", params=a.ws), 404)
    names = ok(await a.owner.api.get("/expenses/categories", params=a.ws))["data"]
    assert [c["name"] for c in names] == ["Travel"]


# --- create ----------------------------------------------------------------------------


async def test_member_adds_an_expense(factory: Factory) -> None:
    space, member, project, _, _ = await factory.john_at_work()
    travel = await category(space.owner)
    body = ok(
        await add(
            member,
            expense_name="Train to client",
            amount=150.5,
            category_id=travel["id"],
            project_id=project.id,
            description="Return ticket",
            is_billable=True,
        ),
        201,
    )
    assert body["message"] == "Expense created successfully"
    data = body["data"]
    assert str(uuid.UUID(data["id"])) == data["id"]
    assert data == {
        "id": data["id"],
        "member": "John Doe",
        "expense_date": "Jan 15, 2024",
        "expense_name": "Train to client",
        "project": "Website Redesign",
        "category": "Travel",
        "amount": 150.5,
        "note": "Return ticket",
        "type": "billable",
        "added_dte": "Mar 4, 2024",
        "status": "pending",
        "reject_reason": None,
        "user_id": member.id,
        "project_id": project.id,
        "category_id": travel["id"],
        "date": "2024-01-15",
        "created_at": "2024-03-04T23:30:00+00:00",
        "updated_at": "2024-03-04T23:30:00+00:00",
    }
    got = ok(await member.api.get(f"/expenses/{data['id']}", params=space.ws))
    assert got["message"] == "Expense retrieved successfully"
    assert got["data"] == data


async def test_defaults_date_today_in_the_members_timezone_and_not_billable(factory: Factory) -> None:
    space = await factory.space()
    tokyo = await factory.person(space, timezone="Asia/Tokyo")
    data = await added(tokyo, date=None, note="Lunch", amount=5000)
    assert data["date"] == "2024-03-05" and data["expense_date"] == "Mar 5, 2024"
    assert data["type"] == "non-billable" and data["amount"] == 5000 and isinstance(data["amount"], int)
    assert data["project"] is None and data["category"] is None and data["note"] == "Lunch"


async def test_form_encoded_create(factory: Factory) -> None:
    space, member, project, _, _ = await factory.john_at_work()
    travel = await category(space.owner)
    response = await member.api.post(
        "/expenses",
        data={
            "workspace_id": str(space.id),
            "expense_name": "Parking",
            "amount": "12.30",
            "date": "2024-02-01",
            "category_id": travel["id"],
            "project_id": str(project.id),
            "is_billable": "1",
            "note": "",
        },
    )
    data = ok(response, 201)["data"]
    assert data["amount"] == 12.3 and data["type"] == "billable" and data["note"] is None
    assert data["category"] == "Travel" and data["project_id"] == project.id


async def test_amounts_round_trip_exactly(factory: Factory) -> None:
    space = await factory.space()
    sent = [0.1, 0.2, 99999999.99, 5000, 150.5, 0.01, 1234567.89, 19.99]
    made = [await added(space.owner, amount=amount) for amount in sent]
    for amount, data in zip(sent, made, strict=True):
        got = ok(await space.owner.api.get(f"/expenses/{data['id']}", params=space.ws))["data"]
        assert got["amount"] == amount == data["amount"], (amount, got["amount"])
    one = await listing(space.owner, id=made[0]["id"])
    assert one["meta"]["total_amount"] == 0.1
    body = await listing(space.owner, per_page=1)
    assert body["meta"]["total_amount"] == 101239738.68  # 0.1 + 0.2 + ... + 19.99, exactly
    # 0.1 + 0.2 in floating point is 0.30000000000000004; the server adds exact decimals.
    small = await factory.space()
    for amount in (0.1, 0.2):
        await added(small.owner, amount=amount)
    assert (await listing(small.owner))["meta"]["total_amount"] == 0.3


async def test_amount_validation(factory: Factory) -> None:
    space = await factory.space()
    # A JSON string is no number, not even "12.50" (a form's field is: kit.forms).
    for amount in (
        0,
        -1,
        1.234,
        0.30000000000000004,
        100000000,
        "abc",
        None,
        "",
        True,
        "1e400",
        "NaN",
        "12.50",
    ):
        body = err(await add(space.owner, amount=amount), 422, "validation_error")
        assert "amount" in body["errors"], (amount, body)
    body = err(await space.owner.api.post("/expenses", json={**space.ws, "expense_name": "x"}), 422)
    assert "amount" in body["errors"]
    assert (await listing(space.owner))["data"] == []


async def test_create_validation(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"expense_name": ""}, "expense_name"),
        ({"expense_name": "x" * 256}, "expense_name"),
        ({"date": "2024-13-01"}, "date"),
        ({"date": "1999-12-31"}, "date"),
        ({"date": "2100-01-01"}, "date"),
        ({"category_id": "not-a-uuid"}, "category_id"),
        ({"category_id": str(uuid.uuid4())}, "category_id"),
        ({"category_id": "x" * 37}, "category_id"),
        ({"note": "x" * 5001}, "note"),
        ({"user_id": 0}, "user_id"),
        ({"user_id": 2**31}, "user_id"),
        ({"user_id": 999_999}, "user_id"),
        ({"is_billable": "maybe"}, "is_billable"),
        ({"project_id": 2**31}, "project_id"),
    ]
    for fields, field in cases:
        body = err(await add(space.owner, **fields), 422, "validation_error")
        assert field in body["errors"], (fields, body)
    project = await factory.project(space)
    body = err(await add(member, project_id=project.id), 422)
    assert body["errors"] == {"project_id": ["The member holds no contract on the selected project."]}
    assert (await listing(space.owner))["data"] == []


async def test_ids_of_another_workspace_are_never_accepted(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    member = await factory.person(a)
    theirs = await factory.project(a)
    await factory.contract(theirs, member)
    their_category = await category(a.owner)
    only_a = await factory.person(a)
    # Someone who is a member of both workspaces, with a contract on A's project.
    both = await factory.join(b, member)
    for fields, field in (
        ({"project_id": theirs.id}, "project_id"),
        ({"category_id": their_category["id"]}, "category_id"),
        ({"user_id": only_a.id}, "user_id"),
    ):
        who = b.owner if field == "user_id" else both
        body = err(await add(who, **fields), 422)
        assert field in body["errors"]
    assert (await listing(b.owner))["data"] == []
    err(await add(b.owner, workspace_id=a.id), 404)


async def test_who_adds_expenses_for_whom(factory: Factory) -> None:
    space = await factory.space()
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    member = await factory.person(space)
    teammate = await factory.person(space)
    pm, tm = await factory.managers(space, contracted=member, teammate=teammate)
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    ok(await add(space.owner, user_id=executive.id), 201)
    ok(await add(executive, user_id=member.id), 201)
    ok(await add(executive, user_id=executive.id), 201)
    body = err(await add(executive, user_id=space.owner.id), 403, "forbidden")
    assert body["message"] == "Only the workspace owner can change the owner's expenses."
    body = err(await add(member, user_id=teammate.id), 403, "forbidden")
    assert body["message"] == "You may only add expenses for yourself."
    data = await added(tm, user_id=teammate.id)
    assert (
        data["user_id"] == teammate.id
        and data["member"] == f"{teammate.user.firstname} {teammate.user.lastname}"
    )
    err(await add(tm, user_id=member.id), 403, "forbidden")  # not in their team
    err(await add(pm, user_id=member.id), 403, "forbidden")  # not on a project they manage
    body = err(await add(viewer), 403, "forbidden")
    assert body["message"] == VIEWING_ONLY
    ok(await add(tm), 201)
    ok(await add(pm), 201)


async def test_team_managers_add_only_for_those_ranked_below_them(factory: Factory) -> None:
    space = await factory.space()
    tm, executive, peer, member = await factory.ranked_team(space)
    ok(await add(tm, user_id=member.id), 201)
    for above in (executive, peer):
        body = err(await add(tm, user_id=above.id), 403, "forbidden")
        assert body["message"] == "You may only change the expenses of members ranked below you."


async def test_project_managers_add_expenses_on_the_projects_they_manage(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    pm = await factory.person(space, Role.PROJECT_MANAGER)
    project = await factory.project(space, managers=[pm])
    other = await factory.project(space)
    await factory.contract(project, member)
    await factory.contract(other, member)
    data = await added(pm, user_id=member.id, project_id=project.id)
    assert data["user_id"] == member.id and data["project_id"] == project.id
    err(await add(pm, user_id=member.id, project_id=other.id), 403, "forbidden")
    err(await add(pm, user_id=member.id), 403, "forbidden")


# --- list and visibility ---------------------------------------------------------------


async def test_who_sees_which_expenses(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    teammate = await factory.person(space)
    loner = await factory.person(space)
    pm, tm = await factory.managers(space, contracted=member, teammate=teammate)
    viewer = await factory.person(space, Role.PROJECT_VIEWER)
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    made = {p.id: (await added(p))["id"] for p in (member, teammate, loner, pm, tm)}
    everyone = set(made.values())
    assert ids(await listing(space.owner)) == everyone
    assert ids(await listing(executive)) == everyone
    assert ids(await listing(member)) == {made[member.id]}
    assert ids(await listing(tm)) == {made[tm.id], made[teammate.id]}
    assert ids(await listing(pm)) == {made[pm.id], made[member.id]}
    err(await member.api.get(f"/expenses/{made[loner.id]}", params=space.ws), 404, "not_found")
    # Viewers read their projects only: every expense operation is refused before any lookup.
    err(await viewer.api.get("/expenses", params=space.ws), 403, "forbidden")
    err(await viewer.api.get(f"/expenses/{made[member.id]}", params=space.ws), 403, "forbidden")
    err(
        await viewer.api.put(f"/expenses/{made[member.id]}", json={**space.ws, "amount": 1}), 403, "forbidden"
    )
    err(await viewer.api.delete(f"/expenses/{made[member.id]}", params=space.ws), 403, "forbidden")
    ok(await tm.api.get(f"/expenses/{made[teammate.id]}", params=space.ws))


async def test_filters_and_total_over_every_page(factory: Factory) -> None:
    space, member, project, _, _ = await factory.john_at_work()
    other = await factory.person(space)
    travel = await category(space.owner, "Travel")
    meals = await category(space.owner, "Meals")
    a = await added(member, amount=10.1, date="2024-01-10", category_id=travel["id"], project_id=project.id)
    b = await added(member, amount=20.2, date="2024-01-20", category_id=meals["id"])
    c = await added(member, amount=30.3, date="2024-02-01", category_id=travel["id"])
    d = await added(other, amount=0.4, date="2024-01-15")
    e = await added(other, amount=99999999.99, date="2024-01-16")
    ok(await decide(space.owner, c["id"], "approve"))
    body = await listing(space.owner, per_page=2)
    assert body["message"] == "Expenses retrieved successfully"
    assert_pagination(body, current_page=1, last_page=3, per_page=2, total=5, first=1, last=2)
    assert [x["id"] for x in body["data"]] == [c["id"], b["id"]]  # newest date first
    assert body["meta"]["total_amount"] == 100000060.99
    page3 = await listing(space.owner, per_page=2, page=3)
    assert [x["id"] for x in page3["data"]] == [a["id"]]
    assert page3["meta"]["total_amount"] == 100000060.99
    cases: list[tuple[dict[str, Any], set[str], float]] = [
        ({"user_id": member.id}, {a["id"], b["id"], c["id"]}, 60.6),
        ({"category_id": travel["id"]}, {a["id"], c["id"]}, 40.4),
        ({"project_id": project.id}, {a["id"]}, 10.1),
        ({"date_from": "2024-01-15", "date_to": "2024-01-20"}, {b["id"], d["id"], e["id"]}, 100000020.59),
        ({"date_from": "2024-01-20"}, {b["id"], c["id"]}, 50.5),
        ({"date_to": "2024-01-10"}, {a["id"]}, 10.1),
        ({"status": "approved"}, {c["id"]}, 30.3),
        ({"status": "pending", "user_id": other.id}, {d["id"], e["id"]}, 100000000.39),
        ({"id": b["id"]}, {b["id"]}, 20.2),
        ({"id": str(uuid.uuid4())}, set(), 0),
    ]
    for params, expected, total in cases:
        body = await listing(space.owner, **params)
        assert ids(body) == expected, params
        assert body["meta"]["total_amount"] == total, (params, body["meta"])
    only_mine = await listing(member, user_id=other.id)
    assert only_mine["data"] == [] and only_mine["meta"]["total_amount"] == 0
    await assert_page_bounds(space.owner.api, "/expenses", space.ws, past_page=9, total=5)
    await assert_query_rejected(
        space.owner.api,
        "/expenses",
        space.ws,
        [
            ({"status": "done"}, "status"),
            ({"id": "nope"}, "id"),
            ({"category_id": "nope"}, "category_id"),
            ({"date_from": "2024-02-01", "date_to": "2024-01-01"}, "date_to"),
            ({"date_from": "1999-01-01"}, "date_from"),
            ({"date_to": "2024-99-01"}, "date_to"),
            ({"user_id": 0}, "user_id"),
            ({"project_id": "x"}, "project_id"),
        ],
    )


# --- update and delete -----------------------------------------------------------------


async def test_the_member_updates_a_pending_expense(factory: Factory) -> None:
    space, member, project, _, _ = await factory.john_at_work()
    travel = await category(space.owner)
    data = await added(member, category_id=travel["id"], note="first")
    url = f"/expenses/{data['id']}"
    body = ok(
        await member.api.put(
            url,
            json={
                **space.ws,
                "expense_name": "Flight",
                "amount": 99999999.99,
                "date": "2024-01-20",
                "project_id": project.id,
                "category_id": None,
                "description": "changed",
                "is_billable": True,
            },
        )
    )
    assert body["message"] == "Expense updated successfully"
    updated = body["data"]
    assert updated["expense_name"] == "Flight" and updated["amount"] == 99999999.99
    assert updated["date"] == "2024-01-20" and updated["expense_date"] == "Jan 20, 2024"
    assert updated["project"] == "Website Redesign" and updated["category"] is None
    assert updated["category_id"] is None and updated["note"] == "changed" and updated["type"] == "billable"
    kept = ok(await member.api.put(url, json={**space.ws, "note": None}))["data"]
    assert kept["note"] is None and kept["expense_name"] == "Flight" and kept["project_id"] == project.id
    cleared = ok(await member.api.put(url, json={**space.ws, "project_id": None}))["data"]
    assert cleared["project"] is None


async def test_update_validation(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    data = await added(member)
    url = f"/expenses/{data['id']}"
    project = await factory.project(space)
    for fields, field in (
        ({"amount": 0}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount": 1.005}, "amount"),
        ({"expense_name": ""}, "expense_name"),
        ({"date": None}, "date"),
        ({"is_billable": None}, "is_billable"),
        ({"category_id": "bad"}, "category_id"),
        ({"project_id": project.id}, "project_id"),
    ):
        body = err(await member.api.put(url, json={**space.ws, **fields}), 422)
        assert field in body["errors"], (fields, body)
    assert ok(await member.api.get(url, params=space.ws))["data"] == data


async def test_who_changes_and_deletes_pending_expenses(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    teammate = await factory.person(space)
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    _, tm = await factory.managers(space, contracted=member, teammate=teammate)
    theirs = await added(teammate)
    url = f"/expenses/{theirs['id']}"
    change = {**space.ws, "expense_name": "Changed"}
    err(await tm.api.put(url, json=change), 403, "forbidden")  # sees it, may not change it
    err(await tm.api.delete(url, params=space.ws), 403, "forbidden")
    err(await member.api.put(url, json=change), 404, "not_found")  # does not see it
    err(await member.api.delete(url, params=space.ws), 404, "not_found")
    ok(await executive.api.put(url, json=change))
    by_tm = await added(tm, user_id=teammate.id)
    ok(await tm.api.put(f"/expenses/{by_tm['id']}", json=change))  # whoever added it
    deleted = ok(await teammate.api.delete(f"/expenses/{by_tm['id']}", params=space.ws))
    assert deleted["message"] == "Expense deleted successfully" and deleted["data"]["id"] == by_tm["id"]
    err(await teammate.api.get(f"/expenses/{by_tm['id']}", params=space.ws), 404)
    owners = await added(space.owner)
    err(await executive.api.put(f"/expenses/{owners['id']}", json=change), 403)
    err(await executive.api.delete(f"/expenses/{owners['id']}", params=space.ws), 403)
    ok(await space.owner.api.delete(url, params=space.ws))


async def test_decided_expenses_are_not_changed(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    approved = await added(member)
    rejected = await added(member)
    ok(await decide(space.owner, approved["id"], "approve"))
    ok(await decide(space.owner, rejected["id"], "reject", reason="No receipt"))
    for data in (approved, rejected):
        url = f"/expenses/{data['id']}"
        for actor in (member, space.owner):
            body = err(await actor.api.put(url, json={**space.ws, "amount": 1}), 409, "invalid_transition")
            assert "Only pending expenses can be updated" in body["message"]
            err(await actor.api.delete(url, params=space.ws), 409, "invalid_transition")


# --- approve and reject ----------------------------------------------------------------


async def test_owners_and_executive_managers_decide(factory: Factory) -> None:
    space = await factory.space()
    member = await factory.person(space)
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    first, second = await added(member), await added(member)
    body = ok(await decide(executive, first["id"], "approve"))
    assert body["message"] == "Expense approved successfully"
    assert body["data"]["status"] == "approved" and body["data"]["reject_reason"] is None
    body = ok(await decide(space.owner, second["id"], "reject", comment="Personal"))
    assert body["message"] == "Expense rejected successfully"
    assert body["data"]["status"] == "rejected" and body["data"]["reject_reason"] == "Personal"
    for data in (first, second):
        for verb in ("approve", "reject"):
            body = err(await decide(space.owner, data["id"], verb, reason="x"), 409, "invalid_transition")
            assert "Only pending expenses" in body["message"]
    assert ids(await listing(member, status="rejected")) == {second["id"]}


async def test_reject_needs_a_reason(factory: Factory) -> None:
    space = await factory.space()
    data = await added(await factory.person(space))
    for body in ({}, {"reason": ""}, {"reason": "  ", "comment": ""}):
        response = err(await decide(space.owner, data["id"], "reject", **body), 422)
        assert "reason" in response["errors"]
    err(await decide(space.owner, data["id"], "reject", reason="x" * 5001), 422)
    assert (
        ok(await space.owner.api.get(f"/expenses/{data['id']}", params=space.ws))["data"]["status"]
        == "pending"
    )


@pytest.mark.parametrize("role", ROLES_BELOW_ADMIN)
async def test_only_owners_and_executive_managers_decide(factory: Factory, role: Role) -> None:
    space = await factory.space()
    member = await factory.person(space)
    someone = await factory.person(space, role)
    await factory.team(space, members=[member], managers=[someone] if role is Role.TEAM_MANAGER else [])
    data = await added(member)
    for verb in ("approve", "reject"):
        err(await decide(someone, data["id"], verb, reason="x"), 403, "forbidden")
    err(await decide(someone, data["id"], "approve"), 403)


async def test_only_the_owner_decides_on_the_owners_expenses(factory: Factory) -> None:
    space = await factory.space()
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    data = await added(space.owner)
    body = err(await decide(executive, data["id"], "approve"), 403, "forbidden")
    assert body["message"] == "Only the workspace owner can change the owner's expenses."
    ok(await decide(space.owner, data["id"], "approve"))


# --- across workspaces and unauthenticated ---------------------------------------------


async def test_expenses_of_another_workspace_are_not_found(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    data = await added(a.owner)
    rival = b.owner.api
    for expense_id in (data["id"], "not-a-uuid", str(uuid.uuid4())):
        url = f"/expenses/{expense_id}"
        err(await rival.get(url, params=b.ws), 404, "not_found")
        err(await rival.put(url, json={**b.ws, "amount": 1}), 404, "not_found")
        err(await rival.delete(url, params=b.ws), 404, "not_found")
        err(await rival.put(f"{url}/approve", json=b.ws), 404, "not_found")
        err(await rival.put(f"{url}/reject", json={**b.ws, "reason": "x"}), 404, "not_found")
    err(await rival.get(f"/expenses/{data['id']}", params=a.ws), 404)
    assert (await listing(b.owner))["data"] == []
    assert ok(await a.owner.api.get(f"/expenses/{data['id']}", params=a.ws))["data"] == data


async def test_every_operation_needs_authentication(factory: Factory) -> None:
    space = await factory.space()
    data = await added(space.owner)
    travel = await category(space.owner)
    anonymous = factory.anonymous
    calls = [
        ("GET", "/expenses/categories"),
        ("POST", "/expenses/categories"),
        ("PUT", f"/expenses/categories/{travel['id']}"),
        ("DELETE", f"/expenses/categories/{travel['id']}"),
        ("GET", "/expenses"),
        ("POST", "/expenses"),
        ("GET", f"/expenses/{data['id']}"),
        ("PUT", f"/expenses/{data['id']}"),
        ("DELETE", f"/expenses/{data['id']}"),
        ("PUT", f"/expenses/{data['id']}/approve"),
        ("PUT", f"/expenses/{data['id']}/reject"),
    ]
    for method, url in calls:
        err(await anonymous.request(method, url, params=space.ws), 401, "unauthenticated")
