"""The steps of the OAuth flows, as a client and a browser take them over HTTP."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import ok
from tests.factories import Person, Space
from webwork.auth import passwords

PASSWORD = "correct horse battery"
CALLBACK = "http://127.0.0.1:8765/callback"
_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@dataclass(frozen=True)
class App:
    client_id: str
    secret: str | None
    redirect_uri: str = CALLBACK

    def auth(self) -> httpx.BasicAuth | None:
        return httpx.BasicAuth(self.client_id, self.secret) if self.secret else None

    def credentials(self) -> dict[str, str]:
        """client_id in the form for a public client (it has no secret to send)."""
        return {} if self.secret else {"client_id": self.client_id}


async def register(space: Space, *, public: bool = True, **fields: Any) -> App:
    body = {
        "workspace_id": space.id,
        "name": "Time Buddy",
        "redirect_uris": [CALLBACK],
        "client_type": "public" if public else "confidential",
        **fields,
    }
    data = ok(await space.owner.api.post("/oauth/clients", json=body), 201)["data"]
    return App(data["client_id"], data["client_secret"], data["redirect_uris"][0])


async def with_password(session: AsyncSession, person: Person) -> Person:
    person.user.password_hash = passwords.hash_password(PASSWORD)
    await session.commit()
    return person


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def hidden_fields(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in _INPUT.findall(page)}


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def sign_in(web: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await web.get("/login")
    fields = hidden_fields(page.text)
    return await web.post("/login", data={**fields, "email": email, "password": password})


def authorize_params(
    app: App, challenge: str | None, scope: str = "read", state: str = "xyz"
) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "state": state,
    }
    if scope:
        params["scope"] = scope
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    return params


async def consent(web: httpx.AsyncClient, params: dict[str, str], decision: str = "allow") -> httpx.Response:
    """Open the authorization URL (signed in) and answer the consent page."""
    page = await web.get("/oauth/authorize", params=params)
    assert page.status_code == 200 and 'name="decision"' in page.text, page.text[:800]
    return await web.post("/oauth/authorize", data={**hidden_fields(page.text), "decision": decision})


async def code_for(
    web: httpx.AsyncClient, person: Person, app: App, challenge: str | None, scope: str = "read"
) -> str:
    await sign_in(web, person.user.email)
    answer = await consent(web, authorize_params(app, challenge, scope))
    assert answer.status_code == 302, answer.text[:800]
    query = query_of(answer.headers["location"])
    assert query["state"] == "xyz"
    return query["code"]


async def exchange(
    web: httpx.AsyncClient, app: App, code: str, verifier: str | None, **extra: str
) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": app.redirect_uri,
        **app.credentials(),
    }
    if verifier:
        data["code_verifier"] = verifier
    return await web.post("/oauth/token", data={**data, **extra}, auth=app.auth())


async def tokens(web: httpx.AsyncClient, person: Person, app: App, scope: str = "read") -> dict[str, Any]:
    verifier, challenge = pkce()
    code = await code_for(web, person, app, challenge, scope)
    answer = await exchange(web, app, code, verifier)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
