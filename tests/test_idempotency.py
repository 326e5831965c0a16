"""``Idempotency-Key`` on POSTs: the first answer is replayed for the same request, a
different request with the key is 422, a retry while the first runs is 409, keys are
per caller, and a request without the header is untouched."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.assertions import err, ok
from tests.factories import Factory, Space
from webwork.idempotency import service
from webwork.kit import clock
from webwork.kit.db import Database
from webwork.models import IdempotencyKey, Project

KEY = {"Idempotency-Key": "create-project-7f3a"}


async def _projects_named(factory: Factory, name: str) -> int:
    count = await factory.session.scalar(
        select(func.count()).select_from(Project).where(Project.name == name)
    )
    return int(count or 0)


async def _create(space: Space, name: str, headers: dict[str, Any] = KEY, **params: Any) -> Any:
    return await space.owner.api.post(
        "/projects", params={**space.ws, **params}, json={"name": name}, headers=headers
    )


async def test_a_retry_with_the_same_key_replays_the_first_answer(factory: Factory) -> None:
    space = await factory.space()
    first = await _create(space, "Replayed")
    created = ok(first, 201)
    again = await _create(space, "Replayed")
    assert again.status_code == 201 and again.json() == created
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert "Idempotent-Replayed" not in first.headers
    assert await _projects_named(factory, "Replayed") == 1


async def test_the_same_key_with_another_body_or_path_is_422(factory: Factory) -> None:
    space = await factory.space()
    ok(await _create(space, "First"), 201)
    other_body = err(await _create(space, "Second"), 422, "validation_error")
    assert "Idempotency-Key" in other_body["errors"]
    other_path = await space.owner.api.post(
        "/teams", params=space.ws, json={"name": "First", "member_ids": []}, headers=KEY
    )
    err(other_path, 422, "validation_error")
    assert await _projects_named(factory, "Second") == 0


async def test_keys_belong_to_their_caller(factory: Factory) -> None:
    """Another user sending the same key gets their own request run, never the first
    caller's answer."""
    mine, theirs = await factory.space(), await factory.space()
    ok(await _create(mine, "Mine"), 201)
    answer = ok(await _create(theirs, "Theirs"), 201)
    assert answer["data"]["name"] == "Theirs"


async def test_a_refusal_is_replayed_and_other_failures_release_the_key(committed_factory: Factory) -> None:
    """A refusal by the API's rules (here: a workspace the caller is not in, 404) is the
    answer and is kept; a body that does not validate never ran and leaves the key free.
    On committed data: the claim is committed on a connection of its own, as in service."""
    space = await committed_factory.space()
    invalid = {"Idempotency-Key": "invalid-body"}
    err(await space.owner.api.post("/projects", params=space.ws, json={}, headers=invalid), 422)
    ok(await space.owner.api.post("/projects", params=space.ws, json={"name": "Valid"}, headers=invalid), 201)

    other = await committed_factory.space()
    refused = {"Idempotency-Key": "refused"}
    first = await _create(space, "Elsewhere", headers=refused, workspace_id=other.id)
    err(first, 404)
    again = await _create(space, "Elsewhere", headers=refused, workspace_id=other.id)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("key", [b"", b"x" * 256, b"tab\there", "naïve".encode()])
async def test_a_malformed_key_is_422(factory: Factory, key: bytes) -> None:
    space = await factory.space()
    response = await _create(space, "Malformed", headers={"Idempotency-Key": key})
    err(response, 422, "validation_error")
    assert await _projects_named(factory, "Malformed") == 0


async def test_expired_answers_are_forgotten_and_purged(factory: Factory, frozen_clock: Any) -> None:
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    frozen_clock(now)
    space = await factory.space()
    ok(await _create(space, "Day one"), 201)
    frozen_clock(now + service.KEEP + timedelta(seconds=1))
    ok(await _create(space, "Day two"), 201)
    rows = (await factory.session.execute(select(IdempotencyKey.expires_at))).scalars().all()
    assert rows == [clock.utcnow() + service.KEEP], "the expired row was purged and the key taken anew"


async def test_requests_without_the_header_store_nothing(factory: Factory) -> None:
    space = await factory.space()
    ok(await space.owner.api.post("/projects", params=space.ws, json={"name": "Plain"}), 201)
    count = await factory.session.scalar(select(func.count()).select_from(IdempotencyKey))
    assert count == 0


async def test_two_concurrent_requests_with_one_key(
    committed_factory: Factory, committed_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second arrives while the first is still running: 409, and only one project.
    The first is held inside its unit of work (after its claim) until the second has
    answered."""
    space = await committed_factory.space()
    first_inside = asyncio.Event()
    release_first = asyncio.Event()
    original = service.record

    async def held_record(*args: Any, **kwargs: Any) -> None:
        first_inside.set()
        await release_first.wait()
        await original(*args, **kwargs)

    monkeypatch.setattr(service, "record", held_record)
    first = asyncio.create_task(_create(space, "Raced"))
    await asyncio.wait_for(first_inside.wait(), 10)
    second = await _create(space, "Raced")
    release_first.set()
    first_response = await asyncio.wait_for(first, 10)
    monkeypatch.setattr(service, "record", original)
    ok(first_response, 201)
    err(second, 409, "idempotency_conflict")
    third = await _create(space, "Raced")
    assert third.headers["Idempotent-Replayed"] == "true" and third.json() == first_response.json()
    async with committed_database.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(Project).where(Project.name == "Raced"))
    assert count == 1


async def test_two_requests_sent_at_once_with_one_key_write_once(
    committed_factory: Factory, committed_database: Database
) -> None:
    """Whichever claims the key first runs; the other is told the first still runs
    (409) or, if it came too late for that, gets the first's answer."""
    space = await committed_factory.space()
    responses = await asyncio.gather(*(_create(space, "Together") for _ in range(2)))
    assert sorted(r.status_code for r in responses) in ([201, 201], [201, 409]), [r.text for r in responses]
    created = [r for r in responses if r.status_code == 201]
    assert len({r.json()["data"]["id"] for r in created}) == 1
    async with committed_database.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(Project).where(Project.name == "Together")
        )
    assert count == 1
