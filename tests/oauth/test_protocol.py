"""The OAuth protocol through HTTP: the grants, PKCE, rotation and reuse detection, and
every error of RFC 6749 sections 4.1.2.1 and 5.2."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import Factory
from tests.oauth.flows import (
    authorize_params,
    bearer,
    code_for,
    consent,
    exchange,
    pkce,
    query_of,
    register,
    sign_in,
    tokens,
    with_password,
)

WORKSPACES = "/api/v2/workspaces"


async def test_code_flow_with_pkce_gives_a_token_that_calls_the_api(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    space = await factory.space(name="Acme")
    await with_password(session, space.owner)
    app = await register(space)
    body = await tokens(web, space.owner, app)
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "read"
    assert body["access_token"].startswith("wwo_") and body["refresh_token"].startswith("wwr_")
    answer = await web.get(WORKSPACES, headers=bearer(body["access_token"]))
    assert answer.status_code == 200, answer.text
    assert [w["name"] for w in answer.json()["data"]] == ["Acme"]


async def test_a_confidential_client_authenticates_with_its_secret_and_needs_no_pkce(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space, public=False)
    assert app.secret is not None and app.secret.startswith("wws_")
    code = await code_for(web, space.owner, app, None)
    answer = await exchange(web, app, code, None)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"


async def test_invalid_request(factory: Factory, session: AsyncSession, web: httpx.AsyncClient) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space)
    await sign_in(web, space.owner.user.email)
    # A public client without PKCE: refused back at its redirect URI, state kept.
    answer = await web.get("/oauth/authorize", params=authorize_params(app, None))
    assert answer.status_code == 302
    query = query_of(answer.headers["location"])
    assert query["error"] == "invalid_request" and query["state"] == "xyz"
    assert answer.headers["location"].startswith(app.redirect_uri)
    # code_challenge_method=plain is not accepted.
    params = {**authorize_params(app, "x" * 43), "code_challenge_method": "plain"}
    answer = await web.get("/oauth/authorize", params=params)
    assert query_of(answer.headers["location"])["error"] == "invalid_request"
    # The token endpoint without a code.
    answer = await web.post(
        "/oauth/token", data={"grant_type": "authorization_code", "client_id": app.client_id}
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"
    # PKCE'd code exchanged without its verifier.
    _, challenge = pkce()
    code = await code_for(web, space.owner, app, challenge)
    answer = await exchange(web, app, code, None)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


async def test_invalid_client(factory: Factory, session: AsyncSession, web: httpx.AsyncClient) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space, public=False)
    wrong = httpx.BasicAuth(app.client_id, "wws_wrong")
    answer = await web.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=wrong)
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    assert "www-authenticate" in answer.headers
    # An unknown client at the authorization endpoint: an error page, never a redirect.
    params = {**authorize_params(app, None), "client_id": "nobody"}
    answer = await web.get("/oauth/authorize", params=params)
    assert answer.status_code == 400 and "location" not in answer.headers
    assert "not registered" in answer.text


async def test_redirect_uri_mismatch_is_an_error_page_and_never_a_redirect(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space)
    _, challenge = pkce()
    for uri in ("https://evil.example/callback", app.redirect_uri + "/more", app.redirect_uri + "?x=1"):
        params = {**authorize_params(app, challenge), "redirect_uri": uri}
        answer = await web.get("/oauth/authorize", params=params)
        assert answer.status_code == 400 and "location" not in answer.headers, uri
        assert "Wrong redirect address" in answer.text
    # A loopback redirect URI may differ in its port (RFC 8252).
    await sign_in(web, space.owner.user.email)
    params = {**authorize_params(app, challenge), "redirect_uri": "http://127.0.0.1:40000/callback"}
    answer = await consent(web, params)
    assert answer.headers["location"].startswith("http://127.0.0.1:40000/callback?code=")


async def test_invalid_grant(factory: Factory, session: AsyncSession, web: httpx.AsyncClient) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space)
    answer = await exchange(web, app, "not-a-code", pkce()[0])
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    # PKCE mismatch.
    _, challenge = pkce()
    code = await code_for(web, space.owner, app, challenge)
    answer = await exchange(web, app, code, pkce()[0])
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    # Another redirect_uri than the authorization request's.
    verifier, challenge = pkce()
    code = await code_for(web, space.owner, app, challenge)
    answer = await exchange(web, app, code, verifier, redirect_uri="http://127.0.0.1:1/other")
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


async def test_a_code_lives_60_seconds(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient, frozen_clock: Callable[[datetime], None]
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    frozen_clock(now)
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space)
    verifier, challenge = pkce()
    code = await code_for(web, space.owner, app, challenge)
    frozen_clock(now + timedelta(seconds=61))
    answer = await exchange(web, app, code, verifier)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


async def test_a_code_used_twice_is_refused_and_revokes_the_tokens_issued_from_it(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space)
    verifier, challenge = pkce()
    code = await code_for(web, space.owner, app, challenge)
    first = await exchange(web, app, code, verifier)
    assert first.status_code == 200
    token = first.json()
    refreshed = await web.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": app.client_id,
        },
    )
    assert refreshed.status_code == 200, refreshed.text
    again = await exchange(web, app, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    for access in (token["access_token"], refreshed.json()["access_token"]):
        answer = await web.get(WORKSPACES, headers=bearer(access))
        assert answer.status_code == 401 and answer.json()["error"] == "invalid_token"


async def test_refresh_tokens_rotate_and_a_reused_one_revokes_its_family(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space)
    token = await tokens(web, space.owner, app)

    async def refresh(refresh_token: str) -> httpx.Response:
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": app.client_id}
        return await web.post("/oauth/token", data=data)

    second = await refresh(token["refresh_token"])
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != token["refresh_token"] and rotated["scope"] == "read"
    assert (await web.get(WORKSPACES, headers=bearer(rotated["access_token"]))).status_code == 200
    # The old pair is gone; replaying the old refresh token revokes the new pair too.
    assert (await web.get(WORKSPACES, headers=bearer(token["access_token"]))).status_code == 401
    replay = await refresh(token["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert (await web.get(WORKSPACES, headers=bearer(rotated["access_token"]))).status_code == 401
    assert (await refresh(rotated["refresh_token"])).json()["error"] == "invalid_grant"


async def test_unauthorized_client(factory: Factory, session: AsyncSession, web: httpx.AsyncClient) -> None:
    space = await factory.space()
    app = await register(space, public=False)
    answer = await web.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=app.auth())
    assert answer.status_code == 400 and answer.json()["error"] == "unauthorized_client"
    only_credentials = await register(space, public=False, grant_types=["client_credentials"])
    await with_password(session, space.owner)
    await sign_in(web, space.owner.user.email)
    answer = await web.get("/oauth/authorize", params=authorize_params(only_credentials, None))
    assert answer.status_code == 302
    assert query_of(answer.headers["location"])["error"] == "unauthorized_client"


async def test_unsupported_grant_and_response_types(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space, public=False)
    data = {"grant_type": "password", "username": space.owner.user.email, "password": "x"}
    answer = await web.post("/oauth/token", data=data, auth=app.auth())
    assert answer.status_code == 400 and answer.json()["error"] == "unsupported_grant_type"
    await sign_in(web, space.owner.user.email)
    answer = await web.get(
        "/oauth/authorize", params={**authorize_params(app, None), "response_type": "token"}
    )
    assert query_of(answer.headers["location"])["error"] == "unsupported_response_type"


async def test_invalid_scope(factory: Factory, session: AsyncSession, web: httpx.AsyncClient) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space, scopes=["time:read"])
    await sign_in(web, space.owner.user.email)
    _, challenge = pkce()
    for scope in ("nonsense", "time:write", "read"):
        answer = await web.get("/oauth/authorize", params=authorize_params(app, challenge, scope))
        assert answer.status_code == 302, scope
        query = query_of(answer.headers["location"])
        assert query["error"] == "invalid_scope" and query["state"] == "xyz", scope
    service = await register(space, public=False, scopes=["time:read"], grant_types=["client_credentials"])
    data = {"grant_type": "client_credentials", "scope": "members:write"}
    answer = await web.post("/oauth/token", data=data, auth=service.auth())
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_scope"


async def test_denied_consent_goes_back_with_access_denied(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space)
    await sign_in(web, space.owner.user.email)
    answer = await consent(web, authorize_params(app, pkce()[1]), decision="deny")
    assert answer.status_code == 302
    query = query_of(answer.headers["location"])
    assert answer.headers["location"].startswith(app.redirect_uri + "?")
    assert query["error"] == "access_denied" and query["state"] == "xyz" and "code" not in query


async def test_client_credentials_act_as_the_workspace_owner_within_the_client_scopes(
    factory: Factory, web: httpx.AsyncClient
) -> None:
    space = await factory.space(name="Service")
    app = await register(space, public=False, grant_types=["client_credentials"], scopes=["workspaces:read"])
    answer = await web.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=app.auth())
    assert answer.status_code == 200, answer.text
    token = answer.json()
    assert "refresh_token" not in token and token["scope"] == "workspaces:read"
    listed = await web.get(WORKSPACES, headers=bearer(token["access_token"]))
    assert [w["name"] for w in listed.json()["data"]] == ["Service"]
    members = await web.get("/api/v2/members", params=space.ws, headers=bearer(token["access_token"]))
    assert members.status_code == 403 and members.json()["error"] == "insufficient_scope"


async def test_revocation_and_introspection(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    app = await register(space)
    resource = await register(space, public=False)
    token = await tokens(web, space.owner, app)
    seen = await web.post("/oauth/introspect", data={"token": token["access_token"]}, auth=resource.auth())
    body = seen.json()
    assert body["active"] is True and body["client_id"] == app.client_id and body["scope"] == "read"
    assert body["sub"] == str(space.owner.id) and body["workspace_id"] == space.id
    # A public client may not introspect; another workspace's client learns nothing.
    refused = await web.post(
        "/oauth/introspect", data={"token": token["access_token"], "client_id": app.client_id}
    )
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    elsewhere = await register(await factory.space(), public=False)
    other = await web.post("/oauth/introspect", data={"token": token["access_token"]}, auth=elsewhere.auth())
    assert other.json() == {"active": False}
    # RFC 7009: the public client revokes its refresh token; the family goes with it.
    data = {"token": token["refresh_token"], "token_type_hint": "refresh_token", "client_id": app.client_id}
    revoked = await web.post("/oauth/revoke", data=data)
    assert revoked.status_code == 200
    assert (await web.get(WORKSPACES, headers=bearer(token["access_token"]))).status_code == 401
    seen = await web.post("/oauth/introspect", data={"token": token["access_token"]}, auth=resource.auth())
    assert seen.json() == {"active": False}
    # Revoking an unknown token answers 200 too.
    unknown = await web.post("/oauth/revoke", data={"token": "wwo_unknown", "client_id": app.client_id})
    assert unknown.status_code == 200


async def test_server_metadata(web: httpx.AsyncClient) -> None:
    answer = await web.get("/.well-known/oauth-authorization-server")
    body = answer.json()
    assert body["issuer"] == "http://localhost"
    assert body["authorization_endpoint"] == "http://localhost/oauth/authorize"
    assert body["token_endpoint"] == "http://localhost/oauth/token"
    assert body["revocation_endpoint"] == "http://localhost/oauth/revoke"
    assert body["introspection_endpoint"] == "http://localhost/oauth/introspect"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert {"read", "write", "admin", "time:read", "members:write"} <= set(body["scopes_supported"])


async def test_oauth_refuses_plain_http_off_loopback(app: object, web: httpx.AsyncClient) -> None:
    from fastapi import FastAPI

    assert isinstance(app, FastAPI)
    app.state.settings = app.state.settings.model_copy(update={"public_url": "http://time.example.com"})
    answer = await web.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert answer.status_code == 400 and "HTTPS" in answer.json()["error_description"]
    assert (await web.get("/.well-known/oauth-authorization-server")).status_code == 400
