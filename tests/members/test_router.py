from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import assert_page_bounds, assert_pagination, assert_query_count_flat, err, ok
from tests.conftest import Outbox
from tests.factories import ApiClient, Factory, QueryCounter, Space
from webwork.auth.api_keys import digest
from webwork.auth.roles import ROLE_INVALID
from webwork.config import Settings
from webwork.models import Membership, User

MEMBER_FIELDS = {
    "id",
    "user_id",
    "email",
    "firstname",
    "lastname",
    "fullname",
    "avatar",
    "role",
    "current_role",
    "status",
    "timezone",
    "weekly_hours_limit",
    "work_schedule",
    "rate_status",
    "currency",
    "team_ids",
    "created_at",
    "updated_at",
    "deleted_at",
}


def _invite(**fields: Any) -> dict[str, Any]:
    return {
        "email": "new.person@example.com",
        "firstname": "New",
        "lastname": "Person",
        "role": "member",
    } | fields


async def _membership(session: AsyncSession, space: Space, user_id: int) -> Membership:
    found = await session.scalar(
        select(Membership)
        .where(Membership.workspace_id == space.id, Membership.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    assert found is not None
    return found


# --- GET /members -------------------------------------------------------------------


async def test_list_members_fields_and_rate_for_admin(factory: Factory) -> None:
    space = await factory.space()
    worker = await factory.person(
        space, "member", rate=Decimal("25.50"), weekly_hours_limit=Decimal("20.5"), timezone="Europe/Berlin"
    )
    team = await factory.team(space, members=[worker])
    body = ok(await space.owner.api.get("/members", params=space.ws))
    assert body["message"] == "Members retrieved successfully"
    by_id = {m["id"]: m for m in body["data"]}
    assert set(by_id) == {space.owner.id, worker.id}
    item = by_id[worker.id]
    assert set(item) == MEMBER_FIELDS | {"rate"}
    assert item["user_id"] == worker.id
    assert item["role"] == "member" and item["current_role"] == "Regular User"
    assert item["rate"] == 25.5 and item["weekly_hours_limit"] == 20.5
    assert item["timezone"] == "Europe/Berlin" and item["currency"] == "USD"
    assert item["team_ids"] == [team.id] and item["status"] == "active" and item["deleted_at"] is None
    assert item["fullname"] == f"{worker.user.firstname} {worker.user.lastname}"
    assert item["created_at"].endswith("+00:00")
    assert by_id[space.owner.id]["role"] == "owner" and by_id[space.owner.id]["team_ids"] == []


async def test_rate_omitted_without_rate_permission(factory: Factory) -> None:
    space = await factory.space()
    plain = await factory.person(space, "member", rate=Decimal("10"))
    trusted = await factory.person(space, "member", rate=Decimal("30"), rate_status=1)
    mine = ok(await plain.api.get(f"/members/{plain.id}", params=space.ws))["data"]
    assert "rate" not in mine and set(mine) == MEMBER_FIELDS
    assert ok(await trusted.api.get(f"/members/{trusted.id}", params=space.ws))["data"]["rate"] == 30


async def test_member_sees_only_self(factory: Factory) -> None:
    space = await factory.space()
    me = await factory.person(space, "member")
    await factory.person(space, "member")
    body = ok(await me.api.get("/members", params=space.ws))
    assert [m["id"] for m in body["data"]] == [me.id]
    viewer = await factory.person(space, "project_viewer")
    err(await viewer.api.get("/members", params=space.ws), 403, "forbidden")
    assert ok(await viewer.api.get(f"/members/{viewer.id}", params=space.ws))["data"]["id"] == viewer.id
    err(await viewer.api.get(f"/members/{me.id}", params=space.ws), 404)


async def test_team_manager_sees_self_and_team_members(factory: Factory) -> None:
    space = await factory.space()
    manager = await factory.person(space, "team_manager")
    in_team = await factory.person(space, "member")
    other_team = await factory.person(space, "member")
    await factory.person(space, "member")
    await factory.team(space, members=[in_team], managers=[manager])
    await factory.team(space, members=[other_team])
    body = ok(await manager.api.get("/members", params=space.ws))
    assert sorted(m["id"] for m in body["data"]) == sorted([manager.id, in_team.id])
    ok(await manager.api.get(f"/members/{in_team.id}", params=space.ws))
    err(await manager.api.get(f"/members/{other_team.id}", params=space.ws), 404)


async def test_project_manager_sees_self_and_contracted_members(factory: Factory) -> None:
    space = await factory.space()
    pm = await factory.person(space, "project_manager")
    on_project = await factory.person(space, "member")
    elsewhere = await factory.person(space, "member")
    mine = await factory.project(space, managers=[pm])
    theirs = await factory.project(space)
    await factory.contract(mine, on_project)
    await factory.contract(theirs, elsewhere)
    body = ok(await pm.api.get("/members", params=space.ws))
    assert sorted(m["id"] for m in body["data"]) == sorted([pm.id, on_project.id])
    err(await pm.api.get(f"/members/{elsewhere.id}", params=space.ws), 404)


async def test_list_filters(factory: Factory) -> None:
    space = await factory.space()
    manager = await factory.person(space, "team_manager", email="Boss@Example.com")
    archived = await factory.person(space, "member", status="inactive")
    invited = await factory.person(space, "member", status="invited")
    api = space.owner.api

    async def ids(**params: Any) -> list[int]:
        return [m["id"] for m in ok(await api.get("/members", params=space.ws | params))["data"]]

    assert await ids(email="boss@example.COM") == [manager.id]
    assert await ids(role="Team manager") == [manager.id]
    assert await ids(role="team_manager") == [manager.id]
    assert await ids(status="inactive") == [archived.id]
    assert await ids(status="invited") == [invited.id]
    assert await ids(status="left") == []
    assert sorted(await ids(status="active")) == sorted([space.owner.id, manager.id])
    assert err(await api.get("/members", params=space.ws | {"status": "gone"}), 422)["errors"] == {
        "status": ["The selected status is invalid."]
    }
    assert err(await api.get("/members", params=space.ws | {"role": "boss"}), 422)["errors"] == {
        "role": [
            "The selected role is invalid. Valid roles: owner (Owner), "
            "executive_manager (Executive manager), team_manager (Team manager), "
            "project_manager (Project manager), member (Regular User), project_viewer (Project viewer)."
        ]
    }


async def test_list_pagination(factory: Factory) -> None:
    space = await factory.space()
    for _ in range(4):
        await factory.person(space, "member")
    api = space.owner.api
    body = ok(await api.get("/members", params=space.ws | {"per_page": 2, "page": 2}))
    assert_pagination(body, current_page=2, last_page=3, per_page=2, total=5, first=3, last=4)
    await assert_page_bounds(api, "/members", space.ws | {"per_page": 2}, past_page=9, total=5)
    assert (
        ok(await api.get("/members", params=space.ws | {"per_page": 100}))["meta"]["pagination"]["per_page"]
        == 100
    )


async def test_list_query_count_does_not_grow(factory: Factory, query_counter: QueryCounter) -> None:
    space = await factory.space()
    for n in range(6):
        person = await factory.person(space, "member")
        await factory.team(space, members=[person], name=f"T{n}")
    await assert_query_count_flat(space.owner.api, "/members", space.ws, query_counter)


async def test_list_auth(factory: Factory, two_spaces: tuple[Space, Space]) -> None:
    a, b = two_spaces
    err(await factory.anonymous.get("/members", params=a.ws), 401)
    err(await b.owner.api.get("/members", params=a.ws), 404)
    assert a.owner.id not in [m["id"] for m in ok(await b.owner.api.get("/members", params=b.ws))["data"]]


# --- GET /members/{id} --------------------------------------------------------------


async def test_get_member(factory: Factory) -> None:
    space = await factory.space()
    worker = await factory.person(space, "project_manager")
    body = ok(await space.owner.api.get(f"/members/{worker.id}", params=space.ws))
    assert body["message"] == "Member retrieved successfully"
    assert body["data"]["id"] == worker.id and body["data"]["current_role"] == "Project manager"
    err(await factory.anonymous.get(f"/members/{worker.id}", params=space.ws), 401)
    missing = err(await space.owner.api.get("/members/999999", params=space.ws), 404, "not_found")
    assert missing["message"] == "Member not found."


async def test_every_member_endpoint_is_404_across_workspaces(two_spaces: tuple[Space, Space]) -> None:
    a, b = two_spaces
    target = a.owner.id
    for ws in (b.ws, a.ws):
        api = b.owner.api
        err(await api.get(f"/members/{target}", params=ws), 404)
        err(await api.put(f"/members/{target}", params=ws, json={"firstname": "X"}), 404)
        err(await api.delete(f"/members/{target}", json=ws), 404)
        err(await api.post(f"/members/{target}/restore", params=ws), 404)


# --- POST /members (invite) + invitations ---------------------------------------------


async def test_invitation_links_never_follow_the_host_header(
    factory: Factory, app: FastAPI, settings: Settings, outbox: Outbox
) -> None:
    """Links come from WEBWORK_PUBLIC_URL, else from the address `serve` was started on."""
    space = await factory.space()
    evil = {"Host": "evil.example"}
    body = ok(await space.owner.api.post("/members", params=space.ws, json=_invite(), headers=evil), 201)
    assert body["data"]["invitation_link"].startswith("http://testserver/api/v2/invitations/")
    app.state.settings = settings.model_copy(update={"public_url": None, "host": "127.0.0.1", "port": 8781})
    try:
        second = _invite(email="b@example.com")
        body = ok(await space.owner.api.post("/members", params=space.ws, json=second, headers=evil), 201)
    finally:
        app.state.settings = settings
    assert body["data"]["invitation_link"].startswith("http://127.0.0.1:8781/api/v2/invitations/")
    assert outbox.sent and not any("evil.example" in mail.body for mail in outbox.sent)


async def test_invite_new_person_and_accept(factory: Factory, session: AsyncSession, outbox: Outbox) -> None:
    space = await factory.space()
    body = ok(await space.owner.api.post("/members", params=space.ws, json=_invite(role="Team manager")), 201)
    assert body["message"] == "Member invited successfully"
    data = body["data"]
    assert set(data) == MEMBER_FIELDS | {"rate", "invitation_link"}
    assert data["status"] == "invited" and data["user_id"] == data["id"]
    assert data["role"] == "team_manager" and data["current_role"] == "Team manager"
    assert data["email"] == "new.person@example.com" and data["fullname"] == "New Person"
    prefix = "http://testserver/api/v2/invitations/"
    assert data["invitation_link"].startswith(prefix)
    token = data["invitation_link"][len(prefix) :]
    assert len(token) >= 43
    stored = await _membership(session, space, data["id"])
    assert stored.invitation_token == digest(token)

    shown = ok(await factory.anonymous.get(f"/invitations/{token}"))
    assert shown["message"] == "Invitation retrieved successfully"
    assert shown["data"] == {
        "workspace_id": space.id,
        "workspace_name": space.workspace.name,
        "email": "new.person@example.com",
        "role": "team_manager",
        "current_role": "Team manager",
        "status": "invited",
    }
    ok(await factory.anonymous.post(f"/invitations/{token}/accept"), 202)
    code = outbox.code_for("new.person@example.com")
    accepted = ok(await factory.anonymous.post(f"/invitations/{token}/accept", json={"code": code}))
    newcomer = ApiClient(factory.http, accepted["data"]["api_key"])
    me = ok(await newcomer.get(f"/members/{data['id']}", params=space.ws))["data"]
    assert me["status"] == "active"

    err(await factory.anonymous.get(f"/invitations/{token}"), 404)
    err(await factory.anonymous.post(f"/invitations/{token}/accept"), 404)
    err(await factory.anonymous.get("/invitations/not-a-token"), 404)
    err(await factory.anonymous.post("/invitations/not-a-token/accept"), 404)


async def test_invited_member_cannot_act_before_accepting(factory: Factory) -> None:
    space = await factory.space()
    invited = await factory.person(space, "member", status="invited")
    err(await invited.api.get("/members", params=space.ws), 403, "membership_inactive")


async def test_invite_form_encoded(factory: Factory) -> None:
    space = await factory.space()
    body = ok(
        await space.owner.api.post(
            "/members",
            data={
                "workspace_id": str(space.id),
                "email": "form@example.com",
                "firstname": "Form",
                "lastname": "User",
                "role": "Project manager",
            },
        ),
        201,
    )
    assert body["data"]["role"] == "project_manager" and body["data"]["email"] == "form@example.com"


async def test_invite_reuses_existing_user(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    user = await factory.user(email="known@example.com")
    body = ok(
        await space.owner.api.post("/members", params=space.ws, json=_invite(email="KNOWN@example.com")), 201
    )
    assert body["data"]["user_id"] == user.id
    assert len((await session.scalars(select(User).where(User.email == "known@example.com"))).all()) == 1


async def test_invite_permissions(factory: Factory) -> None:
    space = await factory.space()
    executive = await factory.person(space, "executive_manager")
    ok(await executive.api.post("/members", params=space.ws, json=_invite()), 201)
    for role in ("team_manager", "project_manager", "member", "project_viewer"):
        person = await factory.person(space, role)
        err(
            await person.api.post("/members", params=space.ws, json=_invite(email=f"{role}@example.com")), 403
        )
    err(await factory.anonymous.post("/members", params=space.ws, json=_invite()), 401)


async def test_invite_validation(factory: Factory) -> None:
    space = await factory.space()
    archived = await factory.person(space, "member", status="inactive")
    api = space.owner.api

    async def errors(body: dict[str, Any]) -> dict[str, list[str]]:
        return dict(err(await api.post("/members", params=space.ws, json=body), 422)["errors"])

    assert (await errors({"email": "x@example.com"})) == {
        "firstname": ["The firstname field is required."],
        "lastname": ["The lastname field is required."],
        "role": ["The role field is required."],
    }
    assert (await errors(_invite(email="not-an-email"))) == {
        "email": ["The email field must be a valid email address."]
    }
    assert (await errors(_invite(role="boss"))) == {"role": [ROLE_INVALID]}
    assert (await errors(_invite(role="owner"))) == {"role": ["The owner role cannot be assigned."]}
    taken = {"email": ["The email has already been taken."]}
    assert (await errors(_invite(email=space.owner.user.email.upper()))) == taken
    assert (await errors(_invite(email=archived.user.email))) == taken


# --- PUT /members/{id} --------------------------------------------------------------


async def test_admin_updates_member(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    worker = await factory.person(space, "member")
    worker.user.avatar = "https://cdn.example.com/a.png"
    await session.commit()
    payload = {
        "email": "Renamed@Example.com",
        "firstname": "Re",
        "lastname": "Named",
        "timezone": "America/New_York",
        "role": "Project manager",
        "rate_status": 1,
        "weekly_hours_limit": 37.5,
        "rate": 42.25,
        "remove_avatar": 1,
    }
    body = ok(await space.owner.api.put(f"/members/{worker.id}", params=space.ws, json=payload))
    assert body["message"] == (
        "Member updated successfully. The email changes once the code mailed to the new address is confirmed."
    )
    data = body["data"]
    assert set(data) == MEMBER_FIELDS | {"rate", "pending_email"}
    assert data["email"] == worker.user.email and data["pending_email"] == "renamed@example.com"
    assert data["fullname"] == "Re Named"
    assert data["timezone"] == "America/New_York"
    assert data["role"] == "project_manager" and data["current_role"] == "Project manager"
    assert data["rate_status"] == 1 and data["weekly_hours_limit"] == 37.5 and data["rate"] == 42.25
    assert data["avatar"] is None

    cleared = ok(
        await space.owner.api.put(f"/members/{worker.id}", params=space.ws, json={"weekly_hours_limit": None})
    )
    assert cleared["message"] == "Member updated successfully"
    assert cleared["data"]["weekly_hours_limit"] is None and cleared["data"]["rate"] == 42.25
    assert cleared["data"]["pending_email"] is None


async def test_member_updates_own_profile_only(factory: Factory) -> None:
    space = await factory.space()
    me = await factory.person(space, "member")
    other = await factory.person(space, "member")
    body = ok(
        await me.api.put(
            f"/members/{me.id}",
            params=space.ws,
            json={"firstname": "Me", "timezone": "Asia/Tokyo", "role": "member", "remove_avatar": 0},
        )
    )
    assert body["data"]["firstname"] == "Me" and body["data"]["timezone"] == "Asia/Tokyo"
    for change in (
        {"role": "Executive manager"},
        {"rate_status": 1},
        {"weekly_hours_limit": 10},
        {"rate": 5},
    ):
        err(await me.api.put(f"/members/{me.id}", params=space.ws, json=change), 403)
    err(await factory.anonymous.put(f"/members/{me.id}", params=space.ws, json={"firstname": "X"}), 401)
    err(await me.api.put(f"/members/{other.id}", params=space.ws, json={"firstname": "X"}), 404)


async def test_team_manager_cannot_change_team_members(factory: Factory) -> None:
    space = await factory.space()
    manager = await factory.person(space, "team_manager")
    worker = await factory.person(space, "member")
    await factory.team(space, members=[worker], managers=[manager])
    err(await manager.api.put(f"/members/{worker.id}", params=space.ws, json={"role": "Team manager"}), 403)
    err(await manager.api.put(f"/members/{worker.id}", params=space.ws, json={"firstname": "X"}), 403)


async def test_owner_record_rules(factory: Factory) -> None:
    space = await factory.space()
    executive = await factory.person(space, "executive_manager")
    worker = await factory.person(space, "member")
    owner = space.owner
    err(await executive.api.put(f"/members/{owner.id}", params=space.ws, json={"firstname": "X"}), 403)
    fixed = err(await owner.api.put(f"/members/{owner.id}", params=space.ws, json={"role": "member"}), 422)
    assert fixed["errors"] == {"role": ["The workspace owner's role cannot be changed."]}
    ok(
        await owner.api.put(
            f"/members/{owner.id}", params=space.ws, json={"role": "owner", "firstname": "Boss"}
        )
    )
    for actor in (owner, executive):
        refused = err(
            await actor.api.put(f"/members/{worker.id}", params=space.ws, json={"role": "Owner"}), 422
        )
        assert refused["errors"] == {"role": ["The owner role cannot be assigned."]}
    promoted = ok(
        await executive.api.put(f"/members/{worker.id}", params=space.ws, json={"role": "executive_manager"})
    )
    assert promoted["data"]["current_role"] == "Executive manager"


async def test_update_validation(factory: Factory) -> None:
    space = await factory.space()
    worker = await factory.person(space, "member")
    other = await factory.person(space, "member")
    api = space.owner.api

    async def errors(body: dict[str, Any]) -> dict[str, list[str]]:
        return dict(err(await api.put(f"/members/{worker.id}", params=space.ws, json=body), 422)["errors"])

    for zone in ("Mars/Olympus", "localtime", "Factory", "posixrules", "US/Eastern", "right/UTC", 5):
        assert (await errors({"timezone": zone})) == {
            "timezone": ["The timezone field must be a valid timezone."]
        }
    assert (await errors({"email": "nope"})) == {"email": ["The email field must be a valid email address."]}
    assert (await errors({"email": other.user.email})) == {"email": ["The email has already been taken."]}
    assert (await errors({"role": "chief"})) == {"role": [ROLE_INVALID]}
    assert (await errors({"rate_status": 2})) == {"rate_status": ["The rate status field must be 0 or 1."]}
    assert (await errors({"remove_avatar": "yes"})) == {
        "remove_avatar": ["The remove avatar field must be 0 or 1."]
    }
    assert (await errors({"weekly_hours_limit": 169})) == {
        "weekly_hours_limit": ["The weekly hours limit field must not be greater than 168."]
    }
    assert "weekly_hours_limit" in await errors({"weekly_hours_limit": -1})
    assert "rate" in await errors({"rate": -5})
    assert "firstname" in await errors({"firstname": ""})


async def test_email_of_user_shared_with_other_workspaces(
    factory: Factory, session: AsyncSession, outbox: Outbox
) -> None:
    a, b = await factory.space(), await factory.space()
    shared = await factory.person(a, "member")
    session.add(Membership(workspace_id=b.id, user_id=shared.id, role="member"))
    await session.commit()
    err(await a.owner.api.put(f"/members/{shared.id}", params=a.ws, json={"email": "moved@example.com"}), 403)
    ok(await a.owner.api.put(f"/members/{shared.id}", params=a.ws, json={"email": shared.user.email}))
    mine = ok(await shared.api.put(f"/members/{shared.id}", params=a.ws, json={"email": "moved@example.com"}))
    assert mine["data"]["email"] == shared.user.email and mine["data"]["pending_email"] == "moved@example.com"
    code = outbox.code_for("moved@example.com")
    confirm = f"/members/{shared.id}/email/confirm"
    moved = ok(await shared.api.post(confirm, params=b.ws, json={"code": code}))
    assert moved["data"]["email"] == "moved@example.com"
    assert (
        ok(await a.owner.api.get(f"/members/{shared.id}", params=a.ws))["data"]["email"]
        == "moved@example.com"
    )


async def test_profile_of_user_shared_with_other_workspaces(factory: Factory, session: AsyncSession) -> None:
    """B's admin cannot rename (or strip the avatar of) someone A also holds; they can."""
    a, b = await factory.space(), await factory.space()
    shared = await factory.person(a, "member", firstname="Real", lastname="Name")
    shared.user.avatar = "https://cdn.example.com/a.png"
    session.add(Membership(workspace_id=b.id, user_id=shared.id, role="member"))
    await session.commit()
    for change in ({"firstname": "Renamed"}, {"lastname": "Renamed"}, {"remove_avatar": 1}):
        refused = err(await b.owner.api.put(f"/members/{shared.id}", params=b.ws, json=change), 403)
        assert refused["message"] == (
            "This member also belongs to other workspaces; only they can change their name, email and avatar."
        )
    seen_by_a = ok(await a.owner.api.get(f"/members/{shared.id}", params=a.ws))["data"]
    assert (seen_by_a["firstname"], seen_by_a["lastname"]) == ("Real", "Name") and seen_by_a["avatar"]

    own_fields = {"firstname": "Real", "timezone": "Asia/Tokyo", "remove_avatar": 0, "role": "team_manager"}
    ok(await b.owner.api.put(f"/members/{shared.id}", params=b.ws, json=own_fields))
    assert ok(await a.owner.api.get(f"/members/{shared.id}", params=a.ws))["data"]["timezone"] == "UTC"

    ok(
        await shared.api.put(
            f"/members/{shared.id}", params=a.ws, json={"firstname": "Self", "remove_avatar": 1}
        )
    )
    seen_by_b = ok(await b.owner.api.get(f"/members/{shared.id}", params=b.ws))["data"]
    assert seen_by_b["firstname"] == "Self" and seen_by_b["avatar"] is None


# --- DELETE /members/{id} and restore -------------------------------------------------


async def test_archive_and_restore(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    executive = await factory.person(space, "executive_manager")
    worker = await factory.person(space, "member")
    body = ok(await executive.api.delete(f"/members/{worker.id}", json=space.ws))
    assert body["message"] == "Member deleted successfully"
    assert body["data"]["status"] == "inactive" and body["data"]["deleted_at"] is not None
    stored = await _membership(session, space, worker.id)
    assert stored.status == "inactive" and stored.deleted_at is not None
    err(await worker.api.get("/members", params=space.ws), 403, "membership_inactive")
    err(await worker.api.put(f"/members/{worker.id}", params=space.ws, json={"firstname": "X"}), 403)
    err(await executive.api.delete(f"/members/{worker.id}", params=space.ws), 409, "conflict")

    restored = ok(await executive.api.post(f"/members/{worker.id}/restore", params=space.ws))
    assert restored["message"] == "Member restored successfully"
    assert restored["data"]["status"] == "active" and restored["data"]["deleted_at"] is None
    ok(await worker.api.get("/members", params=space.ws))
    err(await executive.api.post(f"/members/{worker.id}/restore", params=space.ws), 409, "conflict")


async def test_archive_rules(factory: Factory) -> None:
    space = await factory.space()
    executive = await factory.person(space, "executive_manager")
    worker = await factory.person(space, "member")
    owner_case = err(await executive.api.delete(f"/members/{space.owner.id}", params=space.ws), 403)
    assert owner_case["message"] == "The workspace owner cannot be archived."
    err(await space.owner.api.delete(f"/members/{space.owner.id}", params=space.ws), 403)
    for role in ("team_manager", "project_manager", "member"):
        person = await factory.person(space, role)
        err(await person.api.delete(f"/members/{worker.id}", params=space.ws), 403)
        err(await person.api.post(f"/members/{worker.id}/restore", params=space.ws), 403)
    err(await factory.anonymous.delete(f"/members/{worker.id}", params=space.ws), 401)
    err(await factory.anonymous.post(f"/members/{worker.id}/restore", params=space.ws), 401)
    err(await space.owner.api.delete("/members/999999", params=space.ws), 404)


async def test_archived_members_are_listed_for_admins(factory: Factory) -> None:
    space = await factory.space()
    gone = await factory.person(space, "project_manager")
    ok(await space.owner.api.delete(f"/members/{gone.id}", params=space.ws))
    listed = ok(await space.owner.api.get("/members", params=space.ws | {"status": "inactive"}))["data"]
    assert [m["id"] for m in listed] == [gone.id]


@pytest.mark.parametrize(
    ("fields", "base"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"host": "0.0.0.0", "port": 9000}, "http://0.0.0.0:9000"),
        ({"host": "::1", "port": 9000}, "http://[::1]:9000"),
        ({"public_url": "https://time.example.com/", "port": 9000}, "https://time.example.com"),
    ],
)
def test_public_address_of_links(fields: dict[str, Any], base: str) -> None:
    assert Settings(**fields).public_address() == base
