"""What an operator and a careful client rely on, on every answer: request ids, security
headers, 401 challenges, true ``Allow`` lists, ``HEAD``, CORS only when configured, the
Prometheus metrics, the JSON access log, and strict JSON bodies."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Response
from fastapi.routing import APIRoute

from tests.assertions import err, ok
from tests.factories import ApiClient, Factory
from tests.test_database_outage import serving
from webwork.app import create_app
from webwork.config import Settings
from webwork.kit.db import Database


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield http


def app_with(factory: Factory, **settings: Any) -> FastAPI:
    """An app with ``settings`` on the test's database (its transaction)."""
    database: Database = factory.http._transport.app.state.database  # type: ignore[attr-defined]
    return create_app(Settings(rate_limit="off", **settings), database)


# ---------------------------------------------------------------- request ids


async def test_every_answer_carries_a_request_id_also_in_the_error_envelope(factory: Factory) -> None:
    http = factory.http
    health = await http.get("http://testserver/health")
    assert re.fullmatch(r"[0-9a-f]{32}", health.headers["X-Request-ID"])
    refused = await http.get("/workspaces")
    body = err(refused, 401)
    assert body["meta"]["request_id"] == refused.headers["X-Request-ID"] != health.headers["X-Request-ID"]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("abc-123_X.y", True), ("a" * 128, True), ("a" * 129, False), ("has space", False), ("ünï", False)],
)
async def test_a_sane_caller_request_id_is_kept_else_replaced(
    factory: Factory, sent: str, kept: bool
) -> None:
    response = await factory.http.get("/workspaces", headers={"X-Request-ID": sent.encode()})
    answered = response.headers["X-Request-ID"]
    assert (answered == sent) is kept
    assert err(response, 401)["meta"]["request_id"] == answered
    if not kept:
        assert re.fullmatch(r"[0-9a-f]{32}", answered)


async def test_a_crash_is_a_500_envelope_with_the_request_id(factory: Factory) -> None:
    app = app_with(factory)

    async def crash() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/crash", crash)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://testserver"
    ) as http:
        response = await http.get("/crash", headers={"X-Request-ID": "trace-me"})
    body = err(response, 500, "server_error")
    assert body["meta"]["request_id"] == response.headers["X-Request-ID"] == "trace-me"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# ---------------------------------------------------------------- security headers


async def test_security_headers_on_every_answer(factory: Factory) -> None:
    space = await factory.space()
    answers = [
        await factory.http.get("http://testserver/health"),
        await factory.http.get("http://testserver/docs"),
        await space.owner.api.get("/workspaces"),
        await factory.http.get("/workspaces"),
        await factory.http.get("http://testserver/no/such/page"),
    ]
    for response in answers:
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.url
        assert response.headers["Referrer-Policy"] == "no-referrer", response.url
    assert answers[2].headers["Cache-Control"] == "no-store"
    assert answers[3].headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in answers[0].headers


async def test_headers_an_answer_sets_itself_are_kept_and_never_doubled(factory: Factory) -> None:
    app = app_with(factory)

    async def page() -> Response:
        return Response(
            "x", headers={"Referrer-Policy": "same-origin", "Cache-Control": "public, max-age=60"}
        )

    app.add_api_route("/page", page)
    async with client_of(app) as http:
        response = await http.get("/page", headers={"Authorization": "Bearer x"})
    assert response.headers.get_list("Referrer-Policy") == ["same-origin"]
    assert response.headers.get_list("Cache-Control") == ["public, max-age=60"]
    assert response.headers.get_list("X-Content-Type-Options") == ["nosniff"]


async def test_the_docs_pages_have_a_strict_policy_their_own_scripts_pass(factory: Factory) -> None:
    for page in ("/docs", "/docs/oauth2-redirect", "/redoc"):
        response = await factory.http.get(f"http://testserver{page}")
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "'unsafe-eval'" not in policy
        script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src
        for script in re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in script_src, page
    assert "Content-Security-Policy" not in (await factory.http.get("http://testserver/health")).headers
    head = await factory.http.head("http://testserver/docs")
    assert (
        head.headers["Content-Security-Policy"]
        == (await factory.http.get("http://testserver/docs")).headers["Content-Security-Policy"]
    )


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium to render the docs with")
async def test_the_docs_render_under_their_policy_in_a_browser(database_url: str) -> None:
    """Headless Chromium loads /docs and /redoc from a real server: Swagger UI draws
    its operations and ReDoc its menu, and the browser reports no refused resource."""
    async with serving(database_url) as base:
        for page, drawn in (("/docs", "opblock-tag"), ("/redoc", "menu-content")):
            browser = await asyncio.create_subprocess_exec(
                "chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-logging=stderr",
                "--virtual-time-budget=15000",
                "--dump-dom",
                base + page,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            dom, log = await asyncio.wait_for(browser.communicate(), 120)
            assert drawn.encode() in dom, page
            assert b"Refused to" not in log and b"Content Security Policy" not in log, log[-2000:]


# ---------------------------------------------------------------- 401 challenges


async def test_401s_name_the_bearer_scheme(factory: Factory) -> None:
    missing = await factory.http.get("/workspaces")
    assert err(missing, 401)["error"] == "unauthenticated"
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    bad = await factory.http.get("/workspaces", headers={"Authorization": "Bearer wwk_nope"})
    assert err(bad, 401)["error"] == "invalid_token"
    assert bad.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


# ---------------------------------------------------------------- methods

_PARAMETER = re.compile(r"\{[^}]+\}")


def _concrete(parameter: re.Match[str]) -> str:
    """1, or a UUID where the path takes only a UUID (``{expense_id:uuid}``)."""
    return "00000000-0000-4000-8000-000000000001" if parameter.group(0).endswith(":uuid}") else "1"


def _paths(app: FastAPI) -> dict[str, set[str]]:
    """Each API path with a concrete id in place of its parameters, and its methods."""
    paths: dict[str, set[str]] = {}
    for route in app.routes:
        if isinstance(route, APIRoute):
            paths.setdefault(_PARAMETER.sub(_concrete, route.path), set()).update(route.methods)
    return paths


def _allow(methods: set[str]) -> set[str]:
    return methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())


async def test_405_and_options_list_every_method_of_the_path(factory: Factory, app: FastAPI) -> None:
    unused = ("PATCH", "PUT", "DELETE", "POST", "GET")
    mismatches = []
    for path, methods in _paths(app).items():
        expected = _allow(methods)
        options = await factory.http.options(f"http://testserver{path}")
        if options.status_code != 204 or set(options.headers["Allow"].split(", ")) != expected:
            mismatches.append(("OPTIONS", path, options.status_code, options.headers.get("Allow")))
        method = next(m for m in unused if m not in methods)
        refused = await factory.http.request(method, f"http://testserver{path}")
        if refused.status_code != 405 or set(refused.headers["Allow"].split(", ")) != expected:
            mismatches.append((method, path, refused.status_code, refused.headers.get("Allow")))
        else:
            err(refused, 405, "method_not_allowed")
    assert mismatches == []


async def test_head_answers_wherever_get_does(factory: Factory, app: FastAPI) -> None:
    space = await factory.space()
    api = space.owner.api
    gets = [path for path, methods in _paths(app).items() if "GET" in methods]
    gets += ["http://testserver/health", "http://testserver/ready", "http://testserver/docs"]
    differences = []
    for path in gets:
        got = await api.get(path, params=space.ws)
        head = await api.request("HEAD", path, params=space.ws)
        if head.status_code != got.status_code or head.content != b"":
            differences.append((path, got.status_code, head.status_code))
        elif head.headers["Content-Type"] != got.headers["Content-Type"]:
            differences.append((path, got.headers["Content-Type"], head.headers["Content-Type"]))
    assert differences == []


# ---------------------------------------------------------------- CORS


async def test_cors_is_off_by_default_and_on_for_the_configured_origins(factory: Factory) -> None:
    origin = {"Origin": "https://app.example.com"}
    preflight = {**origin, "Access-Control-Request-Method": "POST"}
    default = await factory.http.get("http://testserver/health", headers=origin)
    assert "Access-Control-Allow-Origin" not in default.headers
    async with client_of(app_with(factory, cors_origins="https://app.example.com")) as http:
        allowed = await http.get("/health", headers=origin)
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        assert "X-Request-ID" in allowed.headers["Access-Control-Expose-Headers"]
        checked = await http.options("/api/v2/projects", headers=preflight)
        assert checked.status_code == 200 and "POST" in checked.headers["Access-Control-Allow-Methods"]
        stranger = await http.get("/health", headers={"Origin": "https://evil.example.com"})
        assert "Access-Control-Allow-Origin" not in stranger.headers


def test_cors_origins_are_checked_when_settings_load() -> None:
    assert Settings(cors_origins="https://a.example.com, http://b.example.com:8080/").cors_origins == (
        "https://a.example.com",
        "http://b.example.com:8080",
    )
    with pytest.raises(ValueError, match="not an origin"):
        Settings(cors_origins="a.example.com")


# ---------------------------------------------------------------- metrics


def _sample(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


async def test_metrics_count_requests_by_route_template(factory: Factory) -> None:
    space = await factory.space()
    async with client_of(app_with(factory)) as http:
        api = ApiClient(http, space.owner.key)
        ok(await api.get("/api/v2/projects", params=space.ws))
        err(await api.get("/api/v2/projects/987654", params=space.ws), 404)
        err(await http.get("/no/such/987654"), 404)
        text = (await http.get("/metrics")).text
    labels = {"method": "GET", "route": "/api/v2/projects", "status": "200"}
    assert _sample(text, "http_requests_total", **labels) == 1
    assert _sample(text, "http_request_duration_seconds_count", **labels) == 1
    one = {"method": "GET", "route": "/api/v2/projects/{project_id}", "status": "404"}
    assert _sample(text, "http_requests_total", **one) == 1
    assert _sample(text, "http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert "987654" not in text, "a raw path never becomes a label"
    assert _sample(text, "db_pool_connections_in_use", pool="write") is not None


async def test_metrics_need_the_token_when_one_is_set_and_can_be_off(factory: Factory) -> None:
    async with client_of(app_with(factory, metrics_token="s3cret-token")) as http:
        missing = await http.get("/metrics")
        err(missing, 401)
        assert missing.headers["WWW-Authenticate"] == "Bearer"
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer guess"})
        assert err(wrong, 401, "invalid_token") and "invalid_token" in wrong.headers["WWW-Authenticate"]
        right = await http.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert right.status_code == 200 and "http_requests_total" in right.text
    async with client_of(app_with(factory, metrics=False)) as http:
        assert (await http.get("/metrics")).status_code == 404


# ---------------------------------------------------------------- access log


async def test_one_json_log_line_per_request_without_secrets(
    factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    space = await factory.space()
    caplog.set_level(logging.INFO, logger="webwork.access")
    async with client_of(app_with(factory, access_log=True)) as http:
        api = ApiClient(http, space.owner.key)
        response = await api.post("/api/v2/projects", params=space.ws, json={"name": "Logged secret name"})
        ok(response, 201)
    lines = [r.getMessage() for r in caplog.records if r.name == "webwork.access"]
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["method"] == "POST" and entry["route"] == "/api/v2/projects" and entry["status"] == 201
    assert entry["principal_id"] == space.owner.id
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert space.owner.key not in lines[0] and "Logged secret name" not in lines[0]
    assert "workspace_id" not in lines[0], "no query string either"


# ---------------------------------------------------------------- strict JSON

STRICT = {
    "duplicate key": (b'{"name": "a", "name": "b"}', 'gives the key "name" more than once'),
    "NaN": (b'{"name": "a", "budget": NaN}', "NaN"),
    "Infinity": (b'{"name": "a", "budget": Infinity}', "Infinity"),
    "-Infinity": (b'{"name": "a", "budget": -Infinity}', "-Infinity"),
    "nested duplicate": (b'{"name": "a", "x": {"k": 1, "k": 2}}', 'the key "k"'),
}


@pytest.mark.parametrize("body", STRICT.values(), ids=STRICT.keys())
@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/projects"), ("PUT", "/projects/1"), ("GET", "/projects")]
)
async def test_json_that_means_two_things_is_refused(
    factory: Factory, body: tuple[bytes, str], method: str, path: str
) -> None:
    space = await factory.space()
    raw, says = body
    response = await space.owner.api.request(
        method, path, params=space.ws, content=raw, headers={"Content-Type": "application/json"}
    )
    assert says in err(response, 400, "malformed_json")["message"]
