"""Under real concurrency (separate connections, real commits): a code, or a refresh
token, sent several times at once is honoured once, and the replays are detected."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from tests.factories import Factory
from tests.oauth.conftest import LOCAL
from tests.oauth.flows import bearer, code_for, exchange, pkce, register, with_password


async def test_a_code_exchanged_several_times_at_once_is_honoured_once(
    app: FastAPI, committed_factory: Factory
) -> None:
    factory = committed_factory
    space = await factory.space()
    await with_password(factory.session, space.owner)
    oauth_app = await register(space)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=LOCAL) as web:
        verifier, challenge = pkce()
        code = await code_for(web, space.owner, oauth_app, challenge)
        answers = await asyncio.gather(*(exchange(web, oauth_app, code, verifier) for _ in range(5)))
        assert sorted(a.status_code for a in answers) == [200, 400, 400, 400, 400]
        assert {a.json().get("error") for a in answers if a.status_code == 400} == {"invalid_grant"}
        token = next(a.json() for a in answers if a.status_code == 200)
        # The replays revoked what the code gave.
        assert (await web.get("/api/v2/workspaces", headers=bearer(token["access_token"]))).status_code == 401
        data = {
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": oauth_app.client_id,
        }
        assert (await web.post("/oauth/token", data=data)).json()["error"] == "invalid_grant"


async def test_a_refresh_token_used_several_times_at_once_rotates_once(
    app: FastAPI, committed_factory: Factory
) -> None:
    factory = committed_factory
    space = await factory.space()
    await with_password(factory.session, space.owner)
    oauth_app = await register(space)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=LOCAL) as web:
        verifier, challenge = pkce()
        code = await code_for(web, space.owner, oauth_app, challenge)
        token = (await exchange(web, oauth_app, code, verifier)).json()
        data = {
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": oauth_app.client_id,
        }
        answers = await asyncio.gather(*(web.post("/oauth/token", data=data) for _ in range(4)))
        assert sorted(a.status_code for a in answers) == [200, 400, 400, 400]
        rotated = next(a.json() for a in answers if a.status_code == 200)
        # A replay of a rotated refresh token revokes the family, the new pair included.
        assert (
            await web.get("/api/v2/workspaces", headers=bearer(rotated["access_token"]))
        ).status_code == 401
