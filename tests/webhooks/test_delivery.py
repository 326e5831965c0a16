"""Delivery: a real receiver on 127.0.0.1 gets every event, signed (checked with the
``standardwebhooks`` package), exactly once after deduplication by ``webhook-id`` and in
order, however often it fails first; a killed worker loses nothing; a rolled-back change
sends nothing; rotation, 410 and the address check at delivery."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from tests.assertions import err, ok
from tests.conftest import run_worker
from tests.factories import Factory, Space
from tests.webhooks.helpers import Receiver, make_due, receiving, types
from webwork.config import Settings
from webwork.kit import clock
from webwork.kit.errors import Conflict
from webwork.models import Delivery, OutboxMessage, Webhook
from webwork.projects import service as projects
from webwork.webhooks import worker as worker_module
from webwork.webhooks.worker import MAX_ATTEMPTS, Worker, backoff


async def _subscribe(space: Space, url: str, *events: str) -> dict[str, Any]:
    body = {**space.ws, "url": url, "events": list(events or ["project.created", "project.updated"])}
    created: dict[str, Any] = ok(await space.owner.api.post("/webhooks", json=body), 201)["data"]
    return created


async def _projects(space: Space, *names: str) -> None:
    for name in names:
        ok(await space.owner.api.post("/projects", params=space.ws, json={"name": name}), 201)


async def _until_delivered(app: FastAPI, session: AsyncSession, rounds: int = 12) -> None:
    """Worker passes, each after the backoff has passed (no real waiting)."""
    for _ in range(rounds):
        await run_worker(app)
        pending = await session.scalar(select(func.count(Delivery.id)).where(Delivery.status == "pending"))
        if not pending:
            return
        await make_due(session)
    raise AssertionError("deliveries still pending")


async def test_every_event_arrives_signed_once_and_in_order_though_the_receiver_fails_first(
    factory: Factory, session: AsyncSession, app: FastAPI, local: Settings
) -> None:
    space = await factory.space()
    with receiving(Receiver(fail_first=3)) as receiver:
        webhook = await _subscribe(space, receiver.url)
        names = [f"P{i}" for i in range(6)]
        await _projects(space, *names)
        ok(
            await space.owner.api.put(
                f"/projects/{(await factory.project(space)).id}", params=space.ws, json={"notes": "n"}
            )
        )
        await _until_delivered(app, session)
        events = receiver.accepted(webhook["token"])
    assert types(events)[:6] == [("project.created", name) for name in names]
    assert [e["type"] for e in events] == ["project.created"] * 6 + ["project.updated"]
    assert len(receiver.requests) == 7 + 3  # three refused attempts of the first event
    first = events[0]
    assert first["workspace_id"] == space.id and first["id"].startswith("evt_")
    assert set(first) == {"id", "type", "timestamp", "workspace_id", "data"}
    headers = receiver.requests[-1].headers
    assert headers["webhook-signature"].startswith("v1,") and headers["webhook-id"].startswith("msg_")
    retried = [r.headers["webhook-id"] for r in receiver.requests[:4]]
    assert len(set(retried)) == 1  # the same id on every attempt of one event
    log = ok(await space.owner.api.get(f"/webhooks/{webhook['id']}/deliveries", params=space.ws))["data"]
    assert [d["status"] for d in log] == ["delivered"] * 7
    oldest = log[-1]
    assert oldest["attempts"] == 4 and oldest["response_code"] == 200 and oldest["event"] == "project.created"
    assert oldest["next_attempt_at"] is None and oldest["latency_ms"] is not None


async def test_events_only_reach_webhooks_subscribed_to_them_in_their_workspace(
    factory: Factory, session: AsyncSession, app: FastAPI, local: Settings, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    with receiving(Receiver()) as receiver:
        mine = await _subscribe(a, receiver.url, "project.updated")
        await _subscribe(b, receiver.url, "project.created")
        await _projects(a, "Not subscribed")
        await _until_delivered(app, session)
        assert receiver.requests == []
        project = await factory.project(a)
        ok(await a.owner.api.put(f"/projects/{project.id}", params=a.ws, json={"name": "Renamed"}))
        await _until_delivered(app, session)
        events = receiver.accepted(mine["token"])
    assert types(events) == [("project.updated", "Renamed")]


async def test_a_rolled_back_change_emits_nothing(
    factory: Factory, session: AsyncSession, app: FastAPI, local: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    space = await factory.space()
    await _subscribe(space, "http://127.0.0.1:9/never")
    create = projects.create

    async def create_then_fail(*args: Any, **kwargs: Any) -> Any:
        await create(*args, **kwargs)  # the event is queued, then the request fails
        raise Conflict("Something later went wrong.")

    monkeypatch.setattr(projects, "create", create_then_fail)
    err(await space.owner.api.post("/projects", params=space.ws, json={"name": "Doomed"}), 409)
    assert await session.scalar(select(func.count(OutboxMessage.id))) == 0
    monkeypatch.setattr(projects, "create", create)
    await _projects(space, "Kept")
    assert await session.scalar(select(func.count(OutboxMessage.id))) == 1


async def test_a_workspace_without_webhooks_writes_no_event(factory: Factory, session: AsyncSession) -> None:
    space = await factory.space()
    await _projects(space, "Quiet")
    assert await session.scalar(select(func.count(OutboxMessage.id))) == 0


async def test_a_worker_killed_mid_batch_loses_nothing(
    factory: Factory, session: AsyncSession, app: FastAPI, local: Settings
) -> None:
    space = await factory.space()
    with receiving(Receiver()) as receiver:
        first = await _subscribe(space, receiver.url + "/first")
        second = await _subscribe(space, receiver.url + "/second")
        await _projects(space, "A", "B")
        receiver.hold.clear()  # the receiver takes the requests and does not answer yet
        worker = Worker(app.state.database, local, app.state.mailer)
        killed = asyncio.create_task(worker.run_once())
        assert await asyncio.to_thread(receiver.arrived.wait, 10)
        killed.cancel()
        with pytest.raises(asyncio.CancelledError):
            await killed
        await worker.aclose()
        receiver.hold.set()
        claimed = (await session.scalars(select(Delivery).order_by(Delivery.id))).all()
        assert {d.status for d in claimed} == {"pending"} and any(d.attempts == 1 for d in claimed)
        await _until_delivered(app, session)  # the lease ran out: the next worker takes them
        for webhook, path in ((first, "/hooks/first"), (second, "/hooks/second")):
            events = receiver.accepted(webhook["token"], path)
            assert types(events) == [("project.created", "A"), ("project.created", "B")]


async def test_a_rotation_signs_with_both_secrets_for_a_day(
    factory: Factory, session: AsyncSession, app: FastAPI, local: Settings
) -> None:
    space = await factory.space()
    with receiving(Receiver()) as receiver:
        webhook = await _subscribe(space, receiver.url)
        rotated = ok(await space.owner.api.post(f"/webhooks/{webhook['id']}/rotate-secret", json=space.ws))[
            "data"
        ]
        await _projects(space, "During")
        await _until_delivered(app, session)
        during = receiver.requests[-1]
        assert len(during.headers["webhook-signature"].split(" ")) == 2
        for token in (webhook["token"], rotated["token"]):
            assert Verifier(token).verify(during.body, during.headers)["type"] == "project.created"
        await session.execute(
            update(Webhook).values(previous_secret_expires_at=clock.utcnow() - timedelta(seconds=1))
        )
        await session.commit()
        await _projects(space, "After")
        await _until_delivered(app, session)
        after = receiver.requests[-1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    Verifier(rotated["token"]).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Verifier(webhook["token"]).verify(after.body, after.headers)


async def test_a_410_deactivates_the_webhook_with_its_reason(
    factory: Factory, session: AsyncSession, app: FastAPI, local: Settings
) -> None:
    space = await factory.space()
    with receiving(Receiver(status=410)) as receiver:
        webhook = await _subscribe(space, receiver.url)
        await _projects(space, "One", "Two")
        await run_worker(app)
        await make_due(session)
        await run_worker(app)
        assert len(receiver.requests) == 1
    shown = ok(await space.owner.api.get(f"/webhooks/{webhook['id']}", params=space.ws))["data"]
    assert shown["is_active"] is False and shown["disabled_reason"] == "The receiver answered 410 Gone."
    assert shown["disabled_at"] is not None
    statuses = [
        d["status"]
        for d in ok(await space.owner.api.get(f"/webhooks/{webhook['id']}/deliveries", params=space.ws))[
            "data"
        ]
    ]
    assert statuses == ["pending", "failed"]  # the second waits for the webhook to be active again
    await _projects(space, "Three")  # no active webhook: no event is written
    assert await session.scalar(select(func.count(OutboxMessage.id))) == 2


async def test_failures_for_five_days_deactivate_the_webhook(
    factory: Factory, session: AsyncSession, app: FastAPI, local: Settings
) -> None:
    space = await factory.space()
    with receiving(Receiver(fail_first=1000)):
        webhook = await _subscribe(space, f"http://127.0.0.1:{1}/closed")
        await _projects(space, "One")
        await run_worker(app)
        await session.execute(update(Webhook).values(failing_since=clock.utcnow() - timedelta(days=5)))
        await session.commit()
        await make_due(session)
        await run_worker(app)
    shown = ok(await space.owner.api.get(f"/webhooks/{webhook['id']}", params=space.ws))["data"]
    assert shown["is_active"] is False and shown["disabled_reason"] == "Deliveries failed for 5 days."
    [delivery] = ok(await space.owner.api.get(f"/webhooks/{webhook['id']}/deliveries", params=space.ws))[
        "data"
    ]
    assert delivery["attempts"] == 2 and delivery["error"] and delivery["status"] == "pending"


async def test_a_delivery_gives_up_after_its_retries_and_can_be_retried(
    factory: Factory, session: AsyncSession, app: FastAPI, local: Settings
) -> None:
    space = await factory.space()
    with receiving(Receiver(fail_first=MAX_ATTEMPTS)) as receiver:
        webhook = await _subscribe(space, receiver.url)
        await _projects(space, "Stubborn")
        await _until_delivered(app, session)
        url = f"/webhooks/{webhook['id']}/deliveries"
        [failed] = ok(await space.owner.api.get(url, params=space.ws))["data"]
        assert failed["status"] == "failed" and failed["attempts"] == MAX_ATTEMPTS
        assert failed["response_code"] == 500 and failed["next_attempt_at"] is None
        again = ok(await space.owner.api.post(f"{url}/{failed['id']}/retry", json=space.ws))
        assert again["message"] == "Delivery queued successfully" and again["data"]["status"] == "pending"
        await _until_delivered(app, session)
        events = receiver.accepted(webhook["token"])
    assert types(events) == [("project.created", "Stubborn")]
    err(await space.owner.api.post(f"{url}/msg_nonsense/retry", json=space.ws), 404)


async def test_the_test_endpoint_pings_that_webhook_alone(
    factory: Factory, session: AsyncSession, app: FastAPI, local: Settings
) -> None:
    space = await factory.space()
    with receiving(Receiver()) as receiver:
        webhook = await _subscribe(space, receiver.url, "tracker.started")
        await _subscribe(space, receiver.url + "/other", "tracker.started")
        queued = ok(await space.owner.api.post(f"/webhooks/{webhook['id']}/test", json=space.ws))
        assert queued["message"] == "Test event queued successfully"
        await _until_delivered(app, session)
        [event] = receiver.accepted(webhook["token"])
    assert event["type"] == "ping" and event["id"] == queued["data"]["event_id"]
    assert event["data"] == {"webhook_id": webhook["id"]}


async def test_the_address_is_checked_again_when_delivering(
    factory: Factory, session: AsyncSession, app: FastAPI, local: Settings
) -> None:
    """Saved while private addresses were allowed; delivered by a worker that does not
    allow them: nothing reaches the receiver, and the log says why."""
    space = await factory.space()
    with receiving(Receiver()) as receiver:
        webhook = await _subscribe(space, receiver.url)
        await _projects(space, "Inside")
        strict = Worker(
            app.state.database, local.model_copy(update={"allow_private_webhooks": False}), app.state.mailer
        )
        try:
            await strict.drain()
        finally:
            await strict.aclose()
        assert receiver.requests == []
    [delivery] = ok(await space.owner.api.get(f"/webhooks/{webhook['id']}/deliveries", params=space.ws))[
        "data"
    ]
    assert delivery["status"] == "pending" and "loopback" in delivery["error"]


def test_the_backoff_follows_the_schedule_with_jitter() -> None:
    expected = [5, 300, 1800, 7200, 18000, 36000, 36000]
    for attempt, seconds in enumerate(expected, start=1):
        delay = backoff(attempt)
        assert delay is not None and seconds * 0.9 <= delay.total_seconds() <= seconds * 1.1
    assert backoff(len(expected) + 1) is None
    assert worker_module.TIMEOUT_SECONDS == 10.0


async def test_what_is_done_with_is_forgotten_after_the_retention_period(
    factory: Factory, session: AsyncSession, app: FastAPI, frozen_clock: Any
) -> None:
    """Dispatched rows whose deliveries all ended go, with their delivery logs, once
    older than ``webhook_retention_days``; what is still owed stays whatever its age."""
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    old, recent, tomorrow = now - timedelta(days=31), now - timedelta(days=29), now + timedelta(days=1)
    space = await factory.space()

    async def row(created: datetime, dispatched: bool, *statuses: str) -> int:
        message = OutboxMessage(
            workspace_id=space.id,
            kind="project.created",
            payload={"data": {}},
            created_at=created,
            dispatched_at=created if dispatched else None,
        )
        session.add(message)
        await session.flush()
        # A pending delivery is due tomorrow: the pass under test only prunes.
        session.add_all(Delivery(outbox_id=message.id, status=s, next_attempt_at=tomorrow) for s in statuses)
        await session.flush()
        return message.id

    gone = [await row(old, True, "delivered"), await row(old, True, "failed"), await row(old, True)]
    kept = [
        await row(old, True, "delivered", "pending"),
        await row(old, False),
        await row(recent, True, "delivered"),
    ]
    frozen_clock(now)
    await run_worker(app)
    left = set(await session.scalars(select(OutboxMessage.id).where(OutboxMessage.workspace_id == space.id)))
    assert left == set(kept)
    orphans = await session.scalar(select(func.count(Delivery.id)).where(Delivery.outbox_id.in_(gone)))
    assert orphans == 0
