"""Fields a client cannot set (``id``, ``owner_id``, ``created_at``, ``updated_at``,
``deleted_at``, and ``workspace_id`` of a workspace other than the one addressed) are
never applied by a write, and unknown fields are ignored rather than stored.

Every write operation is checked from the app's routes, so a new one is covered when
it is added: its body model ignores unknown fields and declares none of the read-only
ones (so Pydantic drops them before any service sees them). Then the rows a few writes
produce are read back."""

from __future__ import annotations

from types import NoneType
from typing import Any, get_args

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from tests.assertions import err, ok
from tests.factories import Factory
from webwork.app import create_app
from webwork.config import Settings

READ_ONLY = {"id", "owner_id", "created_at", "updated_at", "deleted_at"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
SMUGGLED = {
    "id": 987654,
    "owner_id": 987654,
    "created_at": "2001-01-01T00:00:00Z",
    "updated_at": "2001-01-01T00:00:00Z",
    "deleted_at": "2001-01-01T00:00:00Z",
    "is_admin": True,
}


def _write_routes() -> list[Any]:
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    return [
        pytest.param(route, id=f"{method} {route.path}")
        for route in app.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods & WRITES)
    ]


@pytest.mark.parametrize("route", _write_routes())
def test_each_write_drops_unknown_and_read_only_fields(route: APIRoute) -> None:
    if route.body_field is None:
        # No body model: at most the workspace selector is read from the body
        # (auth/deps.py), and a second, different workspace_id is refused.
        return
    models = [a for a in get_args(route.body_field.field_info.annotation) if a is not NoneType] or [
        route.body_field.field_info.annotation
    ]
    (model,) = models
    assert isinstance(model, type) and issubclass(model, BaseModel), model
    assert model.model_config.get("extra", "ignore") == "ignore", model
    assert READ_ONLY.isdisjoint(model.model_fields), (model, READ_ONLY & set(model.model_fields))


async def test_a_created_row_takes_none_of_the_smuggled_fields(factory: Factory) -> None:
    space = await factory.space()
    created = ok(
        await space.owner.api.post("/projects", params=space.ws, json={"name": "Honest", **SMUGGLED}), 201
    )["data"]
    assert created["id"] != SMUGGLED["id"]
    assert not created.get("created_at", "").startswith("2001")
    shown = ok(await space.owner.api.get(f"/projects/{created['id']}", params=space.ws))["data"]
    assert shown["id"] == created["id"] and shown["name"] == "Honest"
    assert not str(shown.get("created_at", "")).startswith("2001")


async def test_an_update_changes_none_of_the_smuggled_fields(factory: Factory) -> None:
    space = await factory.space()
    project = await factory.project(space, name="Before")
    before = ok(await space.owner.api.get(f"/projects/{project.id}", params=space.ws))["data"]
    ok(
        await space.owner.api.put(
            f"/projects/{project.id}", params=space.ws, json={"name": "After", **SMUGGLED}
        )
    )
    after = ok(await space.owner.api.get(f"/projects/{project.id}", params=space.ws))["data"]
    assert after["name"] == "After" and after["id"] == before["id"] == project.id
    assert after.get("created_at") == before.get("created_at")


async def test_another_workspace_in_the_body_is_never_applied(factory: Factory) -> None:
    mine, other = await factory.space(), await factory.space()
    project = await factory.project(mine, name="Stays home")
    moved = await mine.owner.api.put(
        f"/projects/{project.id}", params=mine.ws, json={"name": "Moved", "workspace_id": other.id}
    )
    err(moved, 422)
    created = await mine.owner.api.post(
        "/projects", params=mine.ws, json={"name": "Elsewhere", "workspace_id": other.id}
    )
    err(created, 422)
    shown = ok(await mine.owner.api.get(f"/projects/{project.id}", params=mine.ws))["data"]
    assert shown["name"] == "Stays home"
    listed = ok(await other.owner.api.get("/projects", params=other.ws))["data"]
    assert all(p["name"] != "Elsewhere" for p in listed)
