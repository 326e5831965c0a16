"""Property-based fuzzing of every operation from the OpenAPI document (schemathesis):
whatever the input, the server answers with an envelope and never a 500.

It runs as an owner of a real workspace (so requests get past authentication) against a
migrated SQLite file of its own, outside the per-test transactions."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.schemas import APIOperation, BaseSchema
from sqlalchemy.pool import NullPool

from tests.database import wanted_url
from webwork.app import create_app
from webwork.bootstrap import Bootstrapped, bootstrap
from webwork.config import Settings
from webwork.kit.db import Database
from webwork.migrations import upgrade

# Cases per operation: about 50 operations x 12 cases stay under half a minute.
EXAMPLES = 12
ALL_CHECKS = list(HealthCheck)


def _database(tmp: Path) -> tuple[Database, Bootstrapped]:
    url = f"sqlite+aiosqlite:///{tmp / 'fuzz.db'}"
    upgrade(url)
    # NullPool: the test client runs requests on event loops of its own.
    database = Database.from_url(url, poolclass=NullPool)

    async def seed() -> Bootstrapped:
        async with database.sessionmaker() as session, session.begin():
            return await bootstrap(session, email="fuzz@example.com", workspace_name="Fuzz")

    return database, asyncio.run(seed())


@pytest.fixture(scope="module")
def fuzz_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, Bootstrapped]:
    return _database(tmp_path_factory.mktemp("fuzz"))


def _operations(schema: BaseSchema) -> list[APIOperation]:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.skipif(
    (wanted_url() or "sqlite").startswith("postgresql"), reason="runs once, in the SQLite pass of make test"
)
def test_no_input_makes_a_server_error(fuzz_setup: tuple[Database, Bootstrapped]) -> None:
    database, seeded = fuzz_setup
    # No DNS for the URLs it makes up (allow_private_webhooks), and no worker sending to them.
    app = create_app(Settings(rate_limit="off", allow_private_webhooks=True, serve_worker=False), database)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {seeded.api_key}"}
    failures: list[str] = []

    for operation in _operations(schema):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def probe(case: schemathesis.Case) -> None:
            # Aim at the seeded workspace so that requests reach the handlers' rules.
            if isinstance(case.query, dict) and "workspace_id" in case.query:
                case.query["workspace_id"] = seeded.workspace_id
            if isinstance(case.body, dict) and "workspace_id" in case.body:
                case.body["workspace_id"] = seeded.workspace_id
            response = case.call(headers=headers)
            # Schemathesis gives each header as a list of its values.
            disposition = " ".join(response.headers.get("content-disposition") or [])
            if response.status_code < 500 and "attachment" in disposition:
                return  # a report exported as a file (CSV, XLSX), not an envelope
            body = response.json()
            if response.status_code >= 500 or not isinstance(body, dict) or "detail" in body:
                failures.append(f"{case.method} {case.formatted_path} {case.query} -> {response.text[:300]}")

        probe()

    assert not failures, "\n".join(failures[:10])
