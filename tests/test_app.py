"""Docs work offline, OpenAPI documents both security schemes, limits answer 429, and
no body (too deep, not UTF-8, too large) ends as a 500."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import AsyncIterator

import coredis
import httpx
import pytest

from tests.assertions import err, ok
from tests.factories import ApiClient, Factory
from webwork.app import TAG_ORDER, create_app
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


async def test_doc_pages_fetch_nothing_from_elsewhere(factory: Factory) -> None:
    """Every script, style and icon of /docs and /redoc is served here, and what they
    load does not reach out either (ReDoc's bundle drew its logo from a CDN)."""
    http = factory.http
    for page in ("/docs", "/redoc"):
        html = (await http.get(f"http://testserver{page}")).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets and all(asset.startswith("/") for asset in assets), (page, assets)
        for asset in assets:
            response = await http.get(f"http://testserver{asset}")
            assert response.status_code == 200, asset
            assert "cdn." not in response.text, asset
    assert '"validatorUrl": null' in (await http.get("http://testserver/docs")).text


async def test_root_redirects_to_the_docs(factory: Factory) -> None:
    response = await factory.http.get("http://testserver/")
    assert response.status_code == 307 and response.headers["Location"] == "/docs"


async def test_openapi_documents_the_api_key_scheme_and_error_envelope(factory: Factory) -> None:
    """The two kinds of token: API keys and OAuth 2 access tokens (tests/oauth)."""
    spec = (await factory.http.get("http://testserver/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["apiKey"]["scheme"] == "bearer"
    assert set(schemes) == {"apiKey", "oauth2"}
    assert "Error" in spec["components"]["schemas"]
    operation = spec["paths"]["/api/v2/workspaces"]["get"]
    assert {"apiKey", "oauth2"} <= {name for requirement in operation["security"] for name in requirement}
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


DEEP_BODIES = {
    "1000 [": b"[" * 1000,
    "100000 [": b"[" * 100_000,
    "5000 nested objects": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "not UTF-8": b'{"name": "\xff\xfe"}',
    "not JSON": b"{workspace_id: 1",
}


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/projects"), ("DELETE", "/projects/1"), ("POST", "/projects"), ("PUT", "/members/1")],
)
async def test_unparsable_json_bodies_are_400(factory: Factory, body: bytes, method: str, path: str) -> None:
    """Routes without a body model read workspace_id from the body themselves; routes
    with one have FastAPI parse it: both answer the same 400, never a RecursionError."""
    space = await factory.space()
    response = await space.owner.api.request(
        method, path, params=space.ws, content=body, headers={"Content-Type": "application/json"}
    )
    err(response, 400, "malformed_json")


async def test_a_valid_but_too_deep_body_says_so(factory: Factory) -> None:
    space = await factory.space()
    body = b"[" * 5000 + b"]" * 5000
    response = await space.owner.api.post(
        "/projects", params=space.ws, content=body, headers={"Content-Type": "application/json"}
    )
    assert err(response, 400, "malformed_json")["message"] == "The request body is nested too deeply."


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 64 * 1024):
        yield body[start : start + 64 * 1024]


async def test_bodies_over_one_mebibyte_are_413(factory: Factory) -> None:
    space = await factory.space()
    api = space.owner.api
    big = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    err(await api.post("/projects", params=space.ws, content=big), 413, "payload_too_large")
    # Streamed without a Content-Length, and form-encoded: refused before anything parses it.
    err(await api.post("/projects", params=space.ws, content=_chunks(big)), 413, "payload_too_large")
    form = {"name": "x" * (1024 * 1024)}
    err(await api.post("/projects", params=space.ws, data=form), 413, "payload_too_large")
    just_under = b'{"name": "Big", "description": "' + b"x" * (1024 * 1000) + b'"}'
    assert (await api.post("/projects", params=space.ws, content=just_under)).status_code != 413


def test_the_documentation_lists_tags_in_their_own_order_whatever_the_routes_order() -> None:
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    assert [tag["name"] for tag in app.openapi()["tags"]] == list(TAG_ORDER)
    assert app.openapi()["paths"]  # routes are matched hottest first; the document is unchanged
