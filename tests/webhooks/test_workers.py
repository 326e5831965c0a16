"""Several workers share the queue on PostgreSQL (``FOR UPDATE SKIP LOCKED``): against
1,000 events none is delivered twice and all are delivered."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.assertions import ok
from tests.database import wanted_url
from tests.factories import Factory
from tests.webhooks.helpers import Receiver, permissive, receiving
from webwork.kit.db import Database
from webwork.models import Delivery, Workspace
from webwork.webhooks import service as webhooks
from webwork.webhooks.worker import Worker

WORKSPACES, EVENTS_EACH = 10, 100


@pytest.mark.skipif(
    not (wanted_url() or "sqlite").startswith("postgresql"), reason="SQLite is served by one worker"
)
async def test_two_workers_deliver_a_thousand_events_once_each(
    committed_factory: Factory, committed_database: Database, app: FastAPI
) -> None:
    # Each worker looks again soon after a pass that found every webhook's next event
    # taken by the other (a webhook's events go out one after another, in order).
    settings = permissive(app.state.settings).model_copy(update={"worker_poll_interval": 0.05})
    previous, app.state.settings = app.state.settings, settings
    try:
        with receiving(Receiver()) as receiver:
            tokens = {}
            for n in range(WORKSPACES):
                space = await committed_factory.space(name=f"W{n}")
                body = {**space.ws, "url": f"{receiver.url}/{space.id}", "events": ["project.updated"]}
                tokens[space.id] = ok(await space.owner.api.post("/webhooks", json=body), 201)["data"][
                    "token"
                ]
            async with committed_database.unit_of_work(write=True) as session:
                for workspace in await session.scalars(select(Workspace).where(Workspace.id.in_(tokens))):
                    for i in range(EVENTS_EACH):
                        webhooks.emit(session, workspace, "project.updated", {"name": f"{workspace.id}-{i}"})
            workers = [Worker(committed_database, settings, app.state.mailer) for _ in range(2)]
            stop = asyncio.Event()
            runs = [asyncio.create_task(worker.run(stop)) for worker in workers]
            total = WORKSPACES * EVENTS_EACH
            assert await asyncio.to_thread(receiver.wait_for, total, 120)
            stop.set()
            await asyncio.gather(*runs)
            for worker in workers:
                await worker.aclose()
            ids = receiver.ids()
            assert len(ids) == total and len(set(ids)) == total  # no delivery twice
            for workspace_id, token in tokens.items():
                events = receiver.accepted(token, f"/hooks/{workspace_id}")
                assert [e["data"]["name"] for e in events] == [
                    f"{workspace_id}-{i}" for i in range(EVENTS_EACH)
                ]
        async with committed_database.unit_of_work(write=False) as session:
            statuses = dict(
                (await session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))).all()
            )
        assert statuses == {"delivered": total}
    finally:
        app.state.settings = previous
