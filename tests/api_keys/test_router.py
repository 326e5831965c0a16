from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import err, ok
from tests.factories import ApiClient, Factory
from webwork.auth.api_keys import digest
from webwork.models import ApiKey


async def test_create_list_revoke_key(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    created = ok(await space.owner.api.post("/api-keys", json={"name": "ci"}), 201)["data"]
    assert created["key"].startswith("wwk_") and len(created["key"]) >= 4 + 43
    assert created["prefix"] == created["key"][:12]
    stored = await session.scalar(select(ApiKey).where(ApiKey.id == created["id"]))
    assert (
        stored is not None and stored.digest == digest(created["key"]) and created["key"] not in stored.digest
    )

    new_client = ApiClient(factory.http, created["key"])
    ok(await new_client.get("/workspaces"))
    listed = ok(await space.owner.api.get("/api-keys"))["data"]
    assert {k["name"] for k in listed} == {"test", "ci"}
    assert all("key" not in k for k in listed)

    ok(await space.owner.api.delete(f"/api-keys/{created['id']}"))
    err(await new_client.get("/workspaces"), 401)


async def test_cannot_revoke_someone_elses_key(factory: Factory) -> None:
    a = await factory.space()
    b = await factory.space()
    their = ok(await b.owner.api.post("/api-keys", json={"name": "theirs"}), 201)["data"]
    err(await a.owner.api.delete(f"/api-keys/{their['id']}"), 404)


async def test_form_encoded_body_is_accepted(factory: Factory) -> None:
    space = await factory.space()
    body = ok(await space.owner.api.post("/api-keys", data={"name": "from-form"}), 201)
    assert body["data"]["name"] == "from-form"


async def test_name_validation(factory: Factory) -> None:
    space = await factory.space()
    body = err(await space.owner.api.post("/api-keys", json={"name": ""}), 422)
    assert "name" in body["errors"]
