from __future__ import annotations

from tests.assertions import err, ok
from tests.factories import Factory


async def test_lists_only_my_active_workspaces_with_role(factory: Factory) -> None:
    a = await factory.space(name="Acme")
    b = await factory.space(name="Rival")
    manager = await factory.person(a, "team_manager")
    await factory.person(b, "member", email="x@example.com")
    body = ok(await manager.api.get("/workspaces"))
    assert body["message"] == "Workspaces retrieved successfully"
    assert [w["id"] for w in body["data"]] == [a.id]
    item = body["data"][0]
    assert item["role"] == "team_manager" and item["current_role"] == "Team manager"
    assert set(item) >= {
        "id",
        "name",
        "owner_id",
        "timezone",
        "currency",
        "role",
        "current_role",
        "status",
        "created_at",
    }


async def test_get_workspace_and_other_workspace_is_404(factory: Factory) -> None:
    a = await factory.space()
    b = await factory.space()
    body = ok(await a.owner.api.get(f"/workspaces/{a.id}"))
    assert body["data"]["role"] == "owner" and body["data"]["current_role"] == "Owner"
    assert body["message"] == "Workspace retrieved successfully"
    err(await a.owner.api.get(f"/workspaces/{b.id}"), 404)


async def test_archived_membership_hides_workspace(factory: Factory) -> None:
    a = await factory.space()
    gone = await factory.person(a, "member", status="inactive")
    assert ok(await gone.api.get("/workspaces"))["data"] == []
    err(await gone.api.get(f"/workspaces/{a.id}"), 404)


async def test_pagination_bounds(factory: Factory) -> None:
    space = await factory.space()
    body = ok(await space.owner.api.get("/workspaces", params={"page": 5, "per_page": 1}))
    assert body["data"] == []
    assert body["meta"]["pagination"]["last_page"] == 1
    assert body["meta"]["pagination"]["from"] is None
