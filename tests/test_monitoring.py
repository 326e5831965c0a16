"""Monitoring works unchanged: with sentry-sdk (its default SQLAlchemy integration,
every trace sampled) and OpenTelemetry's SQLAlchemy instrumentation on the engines as
``webwork serve`` builds them, the hot endpoints answer as without them, and every
statement is one database span."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sentry_sdk
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Factory
from webwork.kit.db import Database

ROUNDS = 20


class Captured(Transport):
    """Sentry's transport, documented for custom delivery: keeps envelopes in memory."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)


@pytest.fixture()
def sentry() -> Iterator[Captured]:
    transport = Captured()
    sentry_sdk.init(dsn="https://key@sentry.invalid/1", transport=transport, traces_sample_rate=1.0)
    try:
        yield transport
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: disabled for the tests that follow


def _engines(database: Database) -> list[AsyncEngine]:
    engines = [database.engine]
    if database.reader is not None:
        reader = database.reader.kw.get("bind")
        assert isinstance(reader, AsyncEngine)
        engines.append(reader)
    return engines


async def test_hot_endpoints_answer_and_each_statement_is_one_span(
    committed_factory: Factory, committed_database: Database, sentry: Captured
) -> None:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    engines = _engines(committed_database)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    instrumentor = SQLAlchemyInstrumentor()
    # The instrumentation declares support up to SQLAlchemy 2.0 and works on 2.1: its
    # documented skip_dep_check lets it instrument what it would otherwise refuse.
    instrumentor.instrument(
        engines=[e.sync_engine for e in engines], tracer_provider=provider, skip_dep_check=True
    )
    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        space, john, project, contract, _ = await committed_factory.john_at_work()
        owner, ws = space.owner.api, space.ws
        day = datetime(2026, 3, 2, tzinfo=UTC)
        statuses: list[int] = []
        for i in range(ROUNDS):
            start = day + timedelta(minutes=30 * i)
            entry = {
                "user_id": john.id,
                "contract_id": contract.id,
                "date": "2026-03-02",
                "start_time": start.strftime("%H:%M"),
                "end_time": (start + timedelta(minutes=25)).strftime("%H:%M"),
            }
            calls = [
                owner.get("/workspaces"),
                owner.get("/projects", params=ws),
                owner.put(f"/projects/{project.id}", params=ws, json={"notes": f"round {i}"}),
                owner.get("/members", params=ws),
                owner.get(f"/contracts/{contract.id}", params=ws),
                owner.post("/time-entries", params=ws, json=entry),
                owner.get("/time-entries", params={**ws, "user_id": john.id, "date": "2026-03-02"}),
                john.api.post("/time-tracking/start", params=ws, json={"contract_id": contract.id}),
                john.api.get("/time-tracking/current-data", params=ws),
                john.api.post("/time-tracking/stop", json=ws),
                owner.get("/timesheets", params=ws),
            ]
            for call in calls:
                statuses.append((await call).status_code)
    finally:
        instrumentor.uninstrument()
        for engine in engines:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert [s for s in statuses if s >= 300] == [], statuses
    database_spans = [span for span in spans.get_finished_spans() if span.attributes.get("db.statement")]
    assert len(database_spans) == len(statements) > 0
    sentry_sdk.flush()
    assert sentry.envelopes, "sentry received the transactions"
