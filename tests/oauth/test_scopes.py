"""Scopes: derived for every operation from its tag and method, checked with the role
in the auth dependency; umbrella scopes; OpenAPI's oauth2 scheme."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import Factory
from tests.oauth.flows import authorize_params, bearer, pkce, register, sign_in, tokens, with_password
from webwork.auth import scopes


def test_scopes_follow_tag_and_method() -> None:
    assert scopes.required(["Time Entries"], "GET") == "time:read"
    assert scopes.required(["Time Entries"], "POST") == "time:write"
    assert scopes.required(["Members"], "DELETE") == "members:write"
    assert scopes.required(["Reports"], "POST") == "reports:read"
    assert scopes.required(["Something New"], "GET") == "admin"
    read, write = scopes.expand(frozenset({"read"})), scopes.expand(frozenset({"write"}))
    assert "time:read" in read and "time:write" not in read
    assert read < write and "members:write" in write
    assert "api_keys:read" not in write and "oauth_clients:write" not in write
    assert "api_keys:write" in scopes.expand(frozenset({"admin"}))
    assert scopes.allows(frozenset({"admin"}), "admin")
    assert not scopes.allows(frozenset({"write"}), "admin")


def test_every_operation_declares_a_scope_in_openapi(app: FastAPI) -> None:
    spec = app.openapi()
    scheme = spec["components"]["securitySchemes"]["oauth2"]
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "/oauth/authorize" and flow["tokenUrl"] == "/oauth/token"
    assert set(flow["scopes"]) == set(scopes.SCOPES)
    assert "apiKey" in spec["components"]["securitySchemes"]
    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not path.startswith("/api/v2/") or "/invitations/" in path:
                continue
            needed = [s["oauth2"] for s in operation["security"] if "oauth2" in s]
            assert len(needed) == 1 and needed[0][0] in scopes.SCOPES, (method, path)
            assert all(tag in scopes.RESOURCES for tag in operation["tags"]), (method, path)
            checked += 1
    assert checked > 80


async def test_a_token_reaches_what_its_scopes_cover_and_nothing_else(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space)
    narrow = (await tokens(web, space.owner, app, scope="time:read workspaces:read"))["access_token"]
    params = {**space.ws, "user_id": space.owner.id, "date": "2024-01-15"}
    assert (await web.get("/api/v2/time-entries", params=params, headers=bearer(narrow))).status_code == 200
    refused = await web.post("/api/v2/time-entries", json={**space.ws}, headers=bearer(narrow))
    assert refused.status_code == 403, refused.text
    body = refused.json()
    assert (
        body["success"] is False and body["error"] == "insufficient_scope" and "time:write" in body["message"]
    )
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
    members = await web.get("/api/v2/members", params=space.ws, headers=bearer(narrow))
    assert members.status_code == 403 and members.json()["error"] == "insufficient_scope"

    write = (await tokens(web, space.owner, app, scope="write"))["access_token"]
    assert (await web.get("/api/v2/members", params=space.ws, headers=bearer(write))).status_code == 200
    keys = await web.get("/api/v2/api-keys", headers=bearer(write))
    assert keys.status_code == 403 and keys.json()["error"] == "insufficient_scope"
    admin = (await tokens(web, space.owner, app, scope="admin"))["access_token"]
    assert (await web.get("/api/v2/api-keys", headers=bearer(admin))).status_code == 200
    clients = await web.get("/api/v2/oauth/clients", params=space.ws, headers=bearer(admin))
    assert clients.status_code == 200


async def test_a_token_acts_in_its_client_workspace_only_and_with_the_user_role(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    home, other = await factory.space(), await factory.space()
    member = await with_password(session, await factory.person(home, "member"))
    await factory.join(other, member, "owner")
    app = await register(home)
    token = (await tokens(web, member, app, scope="admin"))["access_token"]
    elsewhere = await web.get("/api/v2/members", params=other.ws, headers=bearer(token))
    assert elsewhere.status_code == 404
    listed = await web.get("/api/v2/workspaces", headers=bearer(token))
    assert [w["id"] for w in listed.json()["data"]] == [home.id]
    assert (await web.get(f"/api/v2/workspaces/{other.id}", headers=bearer(token))).status_code == 404
    assert (await web.get(f"/api/v2/workspaces/{home.id}", headers=bearer(token))).status_code == 200
    # In its own workspace the member's role still decides: only owners manage OAuth apps.
    refused = await web.get("/api/v2/oauth/clients", params=home.ws, headers=bearer(token))
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"


async def test_a_member_of_another_workspace_cannot_authorize_the_client(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    home, other = await factory.space(), await factory.space()
    stranger = await with_password(session, other.owner)
    app = await register(home)
    await sign_in(web, stranger.user.email)
    answer = await web.get("/oauth/authorize", params=authorize_params(app, pkce()[1]))
    assert answer.status_code == 403 and "not an active member" in answer.text


async def test_swagger_ui_runs_the_oauth_flow_with_pkce(web: httpx.AsyncClient) -> None:
    page = await web.get("/docs")
    assert page.status_code == 200 and "usePkceWithAuthorizationCodeGrant" in page.text
    assert "/static-offline-docs/swagger-ui-bundle.js" in page.text and "//cdn" not in page.text
    redirect = await web.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200 and "oauth2" in redirect.text.lower()


async def test_a_token_holds_idempotency_keys_as_an_api_key_does(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    """The auth dependency claims an ``Idempotency-Key`` for OAuth callers too: a retry
    replays the first answer rather than creating the project twice."""
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space)
    token = (await tokens(web, space.owner, app, scope="write"))["access_token"]
    headers = {**bearer(token), "Idempotency-Key": "oauth-retry-1"}
    first = await web.post("/api/v2/projects", params=space.ws, json={"name": "Once"}, headers=headers)
    again = await web.post("/api/v2/projects", params=space.ws, json={"name": "Once"}, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    listed = await web.get("/api/v2/projects", params=space.ws, headers=bearer(token))
    assert [p["name"] for p in listed.json()["data"]].count("Once") == 1
