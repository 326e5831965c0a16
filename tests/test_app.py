"""Docs work offline, OpenAPI documents both security schemes, limits answer 429."""

from __future__ import annotations

import os
import socket

import coredis
import httpx
import pytest

from tests.assertions import err, ok
from tests.factories import ApiClient, Factory
from webwork.app import create_app
from webwork.config import Settings


async def test_docs_are_served_without_a_cdn(factory: Factory) -> None:
    http = factory.http
    docs = await http.get("http://testserver/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower() and "/static-offline-docs/swagger-ui-bundle.js" in docs.text
    asset = await http.get("http://testserver/static-offline-docs/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000
    redoc = await http.get("http://testserver/redoc")
    assert redoc.status_code == 200 and "cdn" not in redoc.text.lower()


async def test_openapi_has_both_security_schemes_and_error_envelope(factory: Factory) -> None:
    spec = (await factory.http.get("http://testserver/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["apiKey"]["scheme"] == "bearer"
    assert schemes["oauth2"]["type"] == "oauth2"
    assert "ErrorEnvelope" in spec["components"]["schemas"]
    operation = spec["paths"]["/api/v2/workspaces"]["get"]
    assert {"apiKey"} <= {name for requirement in operation["security"] for name in requirement}
    assert "401" in operation["responses"]


async def test_rate_limit_answers_429_with_headers(factory: Factory) -> None:
    space = await factory.space()
    app = create_app(Settings(rate_limit="3/minute"), factory.http._transport.app.state.database)  # type: ignore[attr-defined]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver/api/v2"
    ) as http:
        api = ApiClient(http, space.owner.key)
        ok(await api.get("/workspaces"))
        responses = [await api.get("/workspaces") for _ in range(3)]
        assert responses[0].headers["RateLimit-Limit"] == "3"
        limited = err(responses[-1], 429, "rate_limited")
        assert limited["message"]
        assert int(responses[-1].headers["Retry-After"]) >= 1


async def test_rate_limit_counters_are_shared_through_redis(factory: Factory) -> None:
    """Two app nodes configured with the same Redis count one principal's calls together."""
    redis_url = os.environ.get("WEBWORK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            pass
    except OSError:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip("Redis is not running here")
    # Buckets are keyed by user id, which earlier (rolled-back) runs reused.
    await coredis.Redis.from_url(redis_url).flushdb()
    space = await factory.space()
    database = factory.http._transport.app.state.database  # type: ignore[attr-defined]
    nodes = [create_app(Settings(rate_limit="3/minute", redis_url=redis_url), database) for _ in range(2)]
    statuses = []
    for i in range(4):
        transport = httpx.ASGITransport(app=nodes[i % 2])
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v2") as http:
            statuses.append((await ApiClient(http, space.owner.key).get("/workspaces")).status_code)
    assert statuses == [200, 200, 200, 429]
