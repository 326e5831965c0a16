"""Every failure, FastAPI's own included, comes back as the error envelope."""

from __future__ import annotations

from tests.assertions import err, ok
from tests.factories import Factory


async def test_unknown_route_is_enveloped_404(factory: Factory) -> None:
    space = await factory.space()
    err(await space.owner.api.get("/no-such-thing"), 404, "not_found")


async def test_wrong_method_is_enveloped_405(factory: Factory) -> None:
    space = await factory.space()
    err(await space.owner.api.request("PATCH", "/workspaces"), 405, "method_not_allowed")


async def test_missing_token_is_401(factory: Factory) -> None:
    body = err(await factory.anonymous.get("/workspaces"), 401, "unauthenticated")
    assert body["message"] == "Unauthenticated."


async def test_unknown_token_is_401(factory: Factory) -> None:
    space = await factory.space()
    err(await space.owner.api.get("/workspaces", headers={"Authorization": "Bearer wwk_nope"}), 401)
    err(await space.owner.api.get("/workspaces", headers={"Authorization": "Bearer garbage"}), 401)


async def test_query_validation_is_enveloped_422(factory: Factory) -> None:
    space = await factory.space()
    body = err(await space.owner.api.get("/workspaces", params={"per_page": 101}), 422, "validation_error")
    assert "per_page" in body["errors"]
    body = err(await space.owner.api.get("/workspaces", params={"page": 0}), 422)
    assert "page" in body["errors"]


async def test_malformed_json_is_400(factory: Factory) -> None:
    space = await factory.space()
    response = await space.owner.api.post(
        "/api-keys", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    err(response, 400, "malformed_json")


async def test_success_envelope_shape(factory: Factory) -> None:
    space = await factory.space()
    body = ok(await space.owner.api.get("/workspaces"))
    assert set(body) == {"success", "data", "message", "meta"}
    assert body["meta"]["pagination"] == {
        "current_page": 1,
        "last_page": 1,
        "per_page": 20,
        "total": 1,
        "from": 1,
        "to": 1,
    }
