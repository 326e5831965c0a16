"""Every failure, FastAPI's own included, comes back as the error envelope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from tests.assertions import assert_pagination, err, ok
from tests.factories import Factory
from webwork.kit.envelope import Meta, respond, respond_streamed


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
    assert_pagination(body, current_page=1, last_page=1, per_page=20, total=1, first=1, last=1)


async def test_out_of_range_integers_are_client_errors_not_500(factory: Factory) -> None:
    """Integers beyond what PostgreSQL's integer columns store are refused as bad input
    on their field, wherever they appear, before the database sees them (on SQLite too)."""
    space = await factory.space()
    api = space.owner.api
    huge = 10**30
    for url, params, field in (
        (f"/projects/{huge}", space.ws, "project_id"),
        (f"/projects/{2**31}", space.ws, "project_id"),
        ("/contracts", {**space.ws, "page": huge}, "page"),
        ("/contracts", {**space.ws, "user_id": 2**31}, "user_id"),
        ("/time-tracking/current-data", {**space.ws, "user_id": huge}, "user_id"),
    ):
        assert list(err(await api.get(url, params=params), 422)["errors"]) == [field], (url, params)
    response = await api.post("/contracts", params=space.ws, json={"project_id": huge, "user_id": 2**40})
    assert set(err(response, 422)["errors"]) == {"project_id", "user_id"}


async def test_nul_characters_are_refused_on_every_database(factory: Factory) -> None:
    space = await factory.space()
    response = await space.owner.api.post("/api-keys", json={"name": "bad\u0000name"})
    assert list(err(response, 422)["errors"]) == ["name"]
    response = await space.owner.api.get("/projects", params={**space.ws, "name": "x\x00y"})
    assert list(err(response, 422)["errors"]) == ["name"]


async def test_blank_required_text_reads_as_required(factory: Factory) -> None:
    space = await factory.space()
    body = err(await space.owner.api.post("/teams", params=space.ws, json={"name": ""}), 422)
    assert body["errors"]["name"] == ["The name field is required."]


async def test_a_streamed_envelope_is_the_same_bytes(frozen_clock: Callable[[datetime], None]) -> None:
    """``respond_streamed`` sends, an entry at a time, exactly what ``respond`` renders
    whole: keys that are dates, models and nested rows alike."""
    frozen_clock(datetime(2024, 1, 4, 12, tzinfo=UTC))
    data = {
        date(2024, 1, 1): [{"user_id": 1, "user_name": "Ann", "total_amount": {"USD": 12.5}, "projects": []}],
        date(2024, 1, 2): [],
        date(2024, 1, 3): [{"user_id": 2, "user_name": "Bo \u00e9", "total_minutes": 60}],
    }
    extra = {
        "start_date": "2024-01-01",
        "end_date": "2024-01-03",
        "totals": Meta(api_version="x", timestamp="y"),
    }
    whole = respond(data, "Done", extra_meta=extra).body
    streamed = respond_streamed(data, "Done", extra_meta=extra)
    sent = b"".join([chunk async for chunk in streamed.body_iterator])  # type: ignore[misc]
    assert sent == whole and streamed.media_type == "application/json"
    assert respond_streamed({}, "Done", extra_meta=extra).media_type == "application/json"
