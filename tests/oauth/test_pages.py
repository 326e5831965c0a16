"""The pages: sign-in (CSRF, rate limit, cookie flags), joining from an invitation
mail, resetting a password; and passwords set by the API and the operator."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.assertions import ok
from tests.conftest import Outbox
from tests.factories import Factory
from tests.oauth.conftest import LOCAL
from tests.oauth.flows import PASSWORD, hidden_fields, sign_in, with_password
from webwork.accounts import service as accounts
from webwork.app import create_app
from webwork.bootstrap import bootstrap
from webwork.config import Settings
from webwork.kit.db import Database
from webwork.kit.ratelimit import RateLimiter


async def test_sign_in_page_checks_csrf_and_answers_alike_for_a_wrong_email_or_password(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    page = await web.get("/login")
    assert page.status_code == 200 and 'name="email"' in page.text and 'name="password"' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"
    assert not re.search(r'(src|href)="(https?:)?//', page.text), "the page loads nothing from elsewhere"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    forged = await web.post("/login", data={"email": space.owner.user.email, "password": PASSWORD})
    assert forged.status_code == 403
    wrong_password = await sign_in(web, space.owner.user.email, "not the password")
    unknown = await sign_in(web, "nobody@example.com")
    assert wrong_password.status_code == unknown.status_code == 400
    assert (
        "The email or password is wrong." in wrong_password.text
        and "The email or password is wrong." in unknown.text
    )
    signed_in = await sign_in(web, space.owner.user.email)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"


async def test_sign_in_never_redirects_off_site(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        page = await web.get("/login")
        data = {**hidden_fields(page.text), "email": space.owner.user.email, "password": PASSWORD}
        answer = await web.post("/login", data={**data, "next": target})
        assert answer.headers["location"] == "/", target


async def test_sign_in_attempts_are_limited_per_account_and_address(
    app: FastAPI, factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    previous, app.state.login_limiter = app.state.login_limiter, RateLimiter("3/minute")
    try:
        answers = [await sign_in(web, space.owner.user.email, "wrong password") for _ in range(3)]
        assert [a.status_code for a in answers] == [400, 400, 400]
        limited = await sign_in(web, space.owner.user.email)
        assert limited.status_code == 429 and "Too many sign-in attempts" in limited.text
    finally:
        app.state.login_limiter = previous


async def test_the_session_cookie_is_secure_over_https(settings: Settings, engine: AsyncEngine) -> None:
    https = settings.model_copy(update={"public_url": "https://time.example.com"})
    app = create_app(https, Database(engine, async_sessionmaker(engine)))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://time.example.com"
    ) as c:
        cookie = (await c.get("/login")).headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


async def test_joining_from_the_invitation_mail_in_a_browser(
    factory: Factory, web: httpx.AsyncClient, outbox: Outbox
) -> None:
    space = await factory.space(name="Acme")
    body = {"email": "newbie@example.com", "firstname": "New", "lastname": "Bie", "role": "member"}
    ok(await space.owner.api.post("/members", params=space.ws, json=body), 201)
    link = re.search(r"Join in your browser: (\S+)", outbox.to("newbie@example.com")[-1].body)
    assert link is not None
    path = link.group(1).removeprefix("http://testserver")
    page = await web.get(path)
    assert page.status_code == 200 and "Acme" in page.text and space.owner.user.fullname in page.text
    sent = await web.post(path, data={**hidden_fields(page.text), "step": "send"})
    assert sent.status_code == 200 and 'name="code"' in sent.text
    code = outbox.code_for("newbie@example.com")
    form = {
        **hidden_fields(sent.text),
        "step": "confirm",
        "code": code,
        "firstname": "Nora",
        "lastname": "Bie",
    }
    short = await web.post(path, data={**form, "password": "short"})
    assert short.status_code == 422 and "at least 8" in short.text
    joined = await web.post(path, data={**form, "password": PASSWORD})
    assert joined.status_code == 200 and "You joined Acme" in joined.text, joined.text[:2000]
    key = re.search(r"<code>(wwk_[^<]+)</code>", joined.text)
    assert key is not None
    me = ok(await web.get("/api/v2/workspaces", headers={"Authorization": f"Bearer {key.group(1)}"}))
    assert [w["name"] for w in me["data"]] == ["Acme"]
    members = ok(await space.owner.api.get("/members", params=space.ws))["data"]
    assert {(m["firstname"], m["status"]) for m in members if m["email"] == "newbie@example.com"} == {
        ("Nora", "active")
    }
    web.cookies.clear()
    assert (await sign_in(web, "newbie@example.com")).status_code == 303
    gone = await web.get(path)
    assert gone.status_code == 404


async def test_an_existing_account_joins_signed_in(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient
) -> None:
    home, other = await factory.space(), await factory.space(name="Other")
    person = await with_password(session, await factory.person(home, "member"))
    invited = ok(
        await other.owner.api.post(
            "/members",
            params=other.ws,
            json={"email": person.user.email, "role": "member", "firstname": "A", "lastname": "B"},
        ),
        201,
    )["data"]
    path = "/invite/" + invited["invitation_link"].rsplit("/", 1)[1]
    await sign_in(web, person.user.email)
    page = await web.get(path)
    assert f"Join as {person.user.email}" in page.text
    joined = await web.post(path, data={**hidden_fields(page.text), "step": "accept"})
    assert "You joined Other" in joined.text


async def test_accepting_through_the_api_sets_a_new_account_password(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient, outbox: Outbox
) -> None:
    space = await factory.space()
    invited = ok(
        await space.owner.api.post(
            "/members",
            params=space.ws,
            json={"email": "api@example.com", "role": "member", "firstname": "A", "lastname": "B"},
        ),
        201,
    )["data"]
    token = invited["invitation_link"].rsplit("/", 1)[1]
    accept = f"/api/v2/invitations/{token}/accept"
    assert (await web.post(accept)).status_code == 202
    code = outbox.code_for("api@example.com")
    too_short = await web.post(accept, json={"code": code, "password": "short"})
    assert too_short.status_code == 422 and "password" in too_short.json()["errors"]
    accepted = await web.post(accept, json={"code": code, "password": PASSWORD})
    assert accepted.status_code == 200 and accepted.json()["data"]["api_key"]
    assert await accounts.sign_in(session, "api@example.com", PASSWORD) is not None


async def test_resetting_a_forgotten_password(
    factory: Factory, session: AsyncSession, web: httpx.AsyncClient, outbox: Outbox
) -> None:
    space = await factory.space()
    await with_password(session, space.owner)
    email = space.owner.user.email
    await sign_in(web, email)
    page = await web.get("/reset")
    fields = hidden_fields(page.text)
    known = await web.post("/reset", data={**fields, "email": email})
    unknown = await web.post("/reset", data={**fields, "email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200 and known.text == unknown.text
    assert outbox.to("nobody@example.com") == []
    link = re.search(r"(http://\S+/reset/\S+)", outbox.to(email)[-1].body)
    assert link is not None
    path = link.group(1).removeprefix(LOCAL).removeprefix("http://testserver")
    form = await web.get(path)
    assert form.status_code == 200 and 'name="password"' in form.text
    done = await web.post(path, data={**hidden_fields(form.text), "password": "a brand new password"})
    assert done.status_code == 200 and "Your password is set" in done.text
    session.expire_all()  # the app changed the user through a session of its own
    assert await accounts.sign_in(session, email, "a brand new password") is not None
    assert await accounts.sign_in(session, email, PASSWORD) is None
    fresh = hidden_fields((await web.get("/reset")).text)  # setting a password signs the browser out
    again = await web.post(path, data={**fresh, "password": "yet another password"})
    assert again.status_code == 404
    assert (await web.get(path)).status_code == 404


async def test_bootstrap_sets_a_password(session: AsyncSession) -> None:
    done = await bootstrap(session, email="boss@example.com", workspace_name="Boss", password=PASSWORD)
    assert "set the user's password" in done.changes
    assert await accounts.sign_in(session, "BOSS@example.com", PASSWORD) is not None
