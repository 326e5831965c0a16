"""workspace_id may come from the query or the body; both must agree."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from tests.assertions import err, ok
from tests.factories import ApiClient, Factory
from webwork.app import create_app
from webwork.auth.deps import ActorDep, AdminActor
from webwork.config import Settings
from webwork.kit.db import Database
from webwork.kit.envelope import respond
from webwork.kit.routes import mount

probe = APIRouter(prefix="/api/v2/_probe")


@probe.api_route("", methods=["GET", "POST", "DELETE"])
async def whoami(actor: ActorDep) -> JSONResponse:
    return respond(
        {"workspace_id": actor.workspace_id, "role": actor.role.value}, "Probe retrieved successfully"
    )


@probe.post("/admin")
async def admin_only(actor: AdminActor) -> JSONResponse:
    return respond({"role": actor.role.value}, "Probe retrieved successfully")


@pytest.fixture(scope="module")
def probe_app(settings: Settings) -> FastAPI:
    """A separate app with probe routes, so the shared app's routes stay as shipped."""
    app = create_app(settings, Database.from_url("sqlite+aiosqlite://"))
    mount(app, probe, prefix="", responses={})
    return app


Via = Callable[[str], ApiClient]


@pytest_asyncio.fixture(loop_scope="session")
async def via(probe_app: FastAPI, factory: Factory) -> AsyncIterator[Via]:
    """``via(key)``: a client of the probe app speaking as that API key."""
    probe_app.state.database = factory.http._transport.app.state.database  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=probe_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v2") as client:
        yield lambda key: ApiClient(client, key)


async def test_workspace_id_from_query_or_body(factory: Factory, via: Via) -> None:
    space = await factory.space()
    api = via(space.owner.key)
    assert ok(await api.get("/_probe", params=space.ws))["data"]["workspace_id"] == space.id
    assert ok(await api.post("/_probe", json=space.ws))["data"]["workspace_id"] == space.id
    assert ok(await api.delete("/_probe", json=space.ws))["data"]["workspace_id"] == space.id
    assert (
        ok(await api.post("/_probe", data={"workspace_id": str(space.id)}))["data"]["workspace_id"]
        == space.id
    )
    assert ok(await api.post("/_probe", params=space.ws, json=space.ws))["data"]["workspace_id"] == space.id


async def test_workspace_id_conflict_missing_and_invalid(factory: Factory, via: Via) -> None:
    space = await factory.space()
    api = via(space.owner.key)
    body = err(await api.post("/_probe", params=space.ws, json={"workspace_id": space.id + 1}), 422)
    assert "workspace_id" in body["errors"]
    err(await api.get("/_probe"), 422)
    err(await api.get("/_probe", params={"workspace_id": "abc"}), 422)


async def test_other_workspace_is_404_and_inactive_member_403(factory: Factory, via: Via) -> None:
    a = await factory.space()
    b = await factory.space()
    err(await via(a.owner.key).get("/_probe", params=b.ws), 404)
    gone = await factory.person(a, "member", status="inactive")
    err(await via(gone.key).get("/_probe", params=a.ws), 403)


async def test_require_role(factory: Factory, via: Via) -> None:
    space = await factory.space()
    member = await factory.person(space, "member")
    executive = await factory.person(space, "executive_manager")
    err(await via(member.key).post("/_probe/admin", params=space.ws), 403, "forbidden")
    assert (
        ok(await via(executive.key).post("/_probe/admin", params=space.ws))["data"]["role"]
        == "executive_manager"
    )


async def test_workspace_id_in_a_get_body_is_accepted(factory: Factory, via: Via) -> None:
    space = await factory.space()
    response = await via(space.owner.key).request("GET", "/_probe", json=space.ws)
    assert ok(response)["data"]["workspace_id"] == space.id
