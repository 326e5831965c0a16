"""workspace_id may come from the query or the body; both must agree."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tests.assertions import err, ok
from tests.factories import Factory
from webwork.auth.deps import ActorDep, AdminActor
from webwork.kit.envelope import respond

probe = APIRouter(prefix="/api/v2/_probe")


@probe.api_route("", methods=["GET", "POST", "DELETE"])
async def whoami(actor: ActorDep) -> JSONResponse:
    return respond(
        {"workspace_id": actor.workspace_id, "role": actor.role.value}, "Probe retrieved successfully"
    )


@probe.post("/admin")
async def admin_only(actor: AdminActor) -> JSONResponse:
    return respond({"role": actor.role.value}, "Probe retrieved successfully")


async def _install(factory: Factory) -> None:
    app = factory.http._transport.app  # type: ignore[attr-defined]
    if not any(getattr(r, "path", "") == "/api/v2/_probe" for r in app.routes):
        app.include_router(probe)


async def test_workspace_id_from_query_or_body(factory: Factory) -> None:
    await _install(factory)
    space = await factory.space()
    api = space.owner.api
    assert ok(await api.get("/_probe", params=space.ws))["data"]["workspace_id"] == space.id
    assert ok(await api.post("/_probe", json=space.ws))["data"]["workspace_id"] == space.id
    assert ok(await api.delete("/_probe", json=space.ws))["data"]["workspace_id"] == space.id
    assert (
        ok(await api.post("/_probe", data={"workspace_id": str(space.id)}))["data"]["workspace_id"]
        == space.id
    )
    assert ok(await api.post("/_probe", params=space.ws, json=space.ws))["data"]["workspace_id"] == space.id


async def test_workspace_id_conflict_missing_and_invalid(factory: Factory) -> None:
    await _install(factory)
    space = await factory.space()
    api = space.owner.api
    body = err(await api.post("/_probe", params=space.ws, json={"workspace_id": space.id + 1}), 422)
    assert "workspace_id" in body["errors"]
    err(await api.get("/_probe"), 422)
    err(await api.get("/_probe", params={"workspace_id": "abc"}), 422)


async def test_other_workspace_is_404_and_inactive_member_403(factory: Factory) -> None:
    await _install(factory)
    a = await factory.space()
    b = await factory.space()
    err(await a.owner.api.get("/_probe", params=b.ws), 404)
    gone = await factory.person(a, "member", status="inactive")
    err(await gone.api.get("/_probe", params=a.ws), 403)


async def test_require_role(factory: Factory) -> None:
    await _install(factory)
    space = await factory.space()
    member = await factory.person(space, "member")
    executive = await factory.person(space, "executive_manager")
    err(await member.api.post("/_probe/admin", params=space.ws), 403, "forbidden")
    assert (
        ok(await executive.api.post("/_probe/admin", params=space.ws))["data"]["role"] == "executive_manager"
    )
