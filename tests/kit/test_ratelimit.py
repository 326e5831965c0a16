"""Limits count per resolved principal, per address when authentication fails, and
survive a Redis outage."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.assertions import err, ok
from tests.factories import Factory
from webwork.api_keys import service as api_keys
from webwork.app import create_app
from webwork.config import Settings


def _node(factory: Factory, peer: str = "127.0.0.1", **settings: str) -> httpx.AsyncClient:
    """A node with ``settings``, called from ``peer`` (the socket's address)."""
    database = factory.http._transport.app.state.database  # type: ignore[attr-defined]
    app = create_app(Settings(**settings), database)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app, client=(peer, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v2")


async def guesses(http: httpx.AsyncClient, forwarded: list[dict[str, str]]) -> list[int]:
    """Status codes of one invalid key per entry, sent with that entry's headers."""
    codes = []
    for n, headers in enumerate(forwarded):
        response = await http.get("/workspaces", headers={"Authorization": f"Bearer wwk_guess{n}", **headers})
        codes.append(response.status_code)
    return codes


async def test_one_key_has_one_bucket_however_the_header_is_spelled(factory: Factory) -> None:
    space = await factory.space()
    key = space.owner.key
    async with _node(factory, rate_limit="4/minute") as http:
        spellings = [f"Bearer {key}", f"bearer {key}", f"BEARER {key}", f"Bearer  {key}"]
        for spelling in spellings:
            ok(await http.get("/workspaces", headers={"Authorization": spelling}))
        err(await http.get("/workspaces", headers={"Authorization": f"Bearer {key}"}), 429, "rate_limited")


async def test_two_keys_of_one_person_share_a_bucket(factory: Factory) -> None:
    space = await factory.space()
    _, second = await api_keys.create(factory.session, space.owner.user, "second")
    await factory.session.commit()
    async with _node(factory, rate_limit="2/minute") as http:
        ok(await http.get("/workspaces", headers={"Authorization": f"Bearer {space.owner.key}"}))
        ok(await http.get("/workspaces", headers={"Authorization": f"Bearer {second}"}))
        err(await http.get("/workspaces", headers={"Authorization": f"Bearer {second}"}), 429, "rate_limited")


async def test_failed_authentications_are_limited_per_address(factory: Factory) -> None:
    """Random invalid keys all spend the address's bucket, which slows guessing."""
    space = await factory.space()
    async with _node(factory, rate_limit="3/minute") as http:
        for attempt in range(3):
            bad = {"Authorization": f"Bearer wwk_guess{attempt}"}
            err(await http.get("/workspaces", headers=bad), 401, "invalid_token")
        limited = await http.get("/workspaces", headers={"Authorization": "Bearer wwk_guess-again"})
        err(limited, 429, "rate_limited")
        assert int(limited.headers["Retry-After"]) >= 1
        err(await http.get("/workspaces"), 429, "rate_limited")
        # Someone who authenticates still has their own bucket.
        ok(await http.get("/workspaces", headers={"Authorization": f"Bearer {space.owner.key}"}))


async def test_public_routes_are_limited_per_address(factory: Factory) -> None:
    async with _node(factory, rate_limit="2/minute") as http:
        for _ in range(2):
            err(await http.get("/invitations/not-a-token"), 404, "not_found")
        err(await http.get("/invitations/not-a-token"), 429, "rate_limited")


async def test_redis_outage_falls_back_to_per_node_limits(
    factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    space = await factory.space()
    headers = {"Authorization": f"Bearer {space.owner.key}"}
    with caplog.at_level(logging.WARNING, logger="webwork.kit.ratelimit"):
        async with _node(factory, rate_limit="2/minute", redis_url="redis://127.0.0.1:1/0") as http:
            first = ok(await http.get("/workspaces", headers=headers))
            assert first is not None
            ok(await http.get("/workspaces", headers=headers))
            err(await http.get("/workspaces", headers=headers), 429, "rate_limited")
    assert "unreachable" in caplog.text


async def test_limits_off_sends_no_headers(factory: Factory) -> None:
    space = await factory.space()
    async with _node(factory, rate_limit="off") as http:
        response = await http.get("/workspaces", headers={"Authorization": f"Bearer {space.owner.key}"})
    ok(response)
    assert "RateLimit-Limit" not in response.headers


async def test_forwarded_headers_from_an_untrusted_peer_do_not_change_the_bucket(factory: Factory) -> None:
    """The finding: a direct client got a fresh bucket per spoofed X-Forwarded-For."""
    spoofed = [
        *({"X-Forwarded-For": f"198.51.100.{n}"} for n in range(10)),
        *({"Forwarded": f"for=198.51.100.{n}"} for n in range(10, 20)),
        *({"X-Real-IP": f"198.51.100.{n}"} for n in range(20, 25)),
    ]
    for peer, trusted in (("127.0.0.1", ""), ("10.1.2.3", "127.0.0.1,10.9.0.0/16")):
        async with _node(factory, peer=peer, rate_limit="20/minute", trusted_proxies=trusted) as http:
            codes = await guesses(http, spoofed)
        assert codes == [401] * 20 + [429] * 5, (peer, codes)


async def test_a_trusted_proxy_names_the_client(factory: Factory) -> None:
    """From a trusted peer each forwarded client has its own bucket: the right-most
    address that is not a trusted proxy, whatever the client prepended."""
    async with _node(factory, peer="10.0.0.2", rate_limit="2/minute", trusted_proxies="10.0.0.0/24") as http:
        assert await guesses(http, [{"X-Forwarded-For": f"203.0.113.{n}"} for n in range(5)]) == [401] * 5
        chained = [{"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.50, 10.0.0.7"} for n in range(3)]
        assert await guesses(http, chained) == [401, 401, 429]
        named = [{"Forwarded": 'for="[2001:db8::9]:4711";proto=https'}, {"X-Real-IP": "2001:db8::9"}]
        assert await guesses(http, named * 2) == [401, 401, 429, 429]
        # Without a forwarded address the proxy's own bucket is spent.
        assert await guesses(http, [{}, {}, {"X-Forwarded-For": "unknown"}]) == [401, 401, 429]
