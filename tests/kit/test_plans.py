"""Statements run again on SQLite run from a plan of their own, straight on sqlite3:
the same rows, values and statement counts as through SQLAlchemy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import Factory, QueryCounter
from webwork.kit import sqlite_driver, sqlite_plans
from webwork.kit.db import column_rows, write_rows
from webwork.models import Membership, TimeEntry, Workspace

MEMBERS = select(Membership.user_id, Membership.role, Membership.status, Membership.created_at).where(
    Membership.workspace_id == bindparam("workspace_id")
)


def _sqlite_only(session: AsyncSession) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("plans are SQLite's")


async def test_a_planned_statement_gives_the_rows_sqlalchemy_gives(
    session: AsyncSession, factory: Factory
) -> None:
    _sqlite_only(session)
    space = await factory.space()
    await factory.person(space)
    values = {"workspace_id": space.id}
    expected = [tuple(row) for row in (await session.execute(MEMBERS, values)).all()]

    first = await column_rows(session, MEMBERS, values)  # seen once: SQLAlchemy's way
    assert sqlite_plans.plan(MEMBERS, session.get_bind().dialect) is not None
    planned = await column_rows(session, MEMBERS, values)

    assert [tuple(row) for row in first] == expected == planned
    created = planned[0][3]
    assert isinstance(created, datetime) and created.tzinfo == UTC  # the column type's processing
    assert type(planned[0][1]) is type(expected[0][1])  # enums come back as SQLAlchemy returns them


async def test_statements_rendered_per_call_are_never_planned(session: AsyncSession) -> None:
    _sqlite_only(session)
    dialect = session.get_bind().dialect
    expanding = select(TimeEntry.id).where(TimeEntry.user_id.in_(bindparam("ids", expanding=True)))
    for _ in range(3):
        assert await column_rows(session, expanding, {"ids": [1, 2]}) == []
    assert sqlite_plans.plan(expanding, dialect) is None
    written = select(Workspace.id).limit(1)
    assert sqlite_plans.plan(written, dialect) is None  # seen once: not planned yet


async def test_planned_statements_are_counted(
    session: AsyncSession, factory: Factory, query_counter: QueryCounter
) -> None:
    _sqlite_only(session)
    space = await factory.space()
    await column_rows(session, MEMBERS, {"workspace_id": space.id})
    query_counter.reset()
    await column_rows(session, MEMBERS, {"workspace_id": space.id})
    assert query_counter.count == 1


async def test_a_planned_insert_stores_what_sqlalchemy_would(session: AsyncSession, factory: Factory) -> None:
    _sqlite_only(session)
    space = await factory.space()
    dialect = session.get_bind().dialect
    now = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    given = {"role": "member", "status": "active", "timezone": "Europe/Berlin", "rate_status": 0}
    stamps = {"created_at": now, "updated_at": now}
    columns = ("workspace_id", "user_id", *given, *stamps)
    statement = insert(Membership).values({name: bindparam(name) for name in columns})
    people = [await factory.user() for _ in range(3)]
    for person in people:  # the first runs through SQLAlchemy, the others from the plan
        row = {"workspace_id": space.id, "user_id": person.id, **given, **stamps}
        await write_rows(session, statement, [row])
    assert sqlite_plans.plan(statement, dialect) is not None
    ids = [person.id for person in people]
    stored = (
        await session.execute(
            select(Membership.user_id, Membership.created_at).where(Membership.user_id.in_(ids))
        )
    ).all()
    assert sorted(stored) == sorted((user_id, now) for user_id in ids)


def test_writes_with_defaults_to_compute_are_not_planned() -> None:
    dialect = sqlite.dialect()
    dialect.statement_compiler = sqlite_driver.InlineCompiler
    defaults = insert(Membership).values(
        workspace_id=bindparam("w"), user_id=bindparam("u"), role=bindparam("r")
    )
    assert sqlite_plans.Plan.of(defaults, dialect) is None  # created_at, status... by SQLAlchemy
    returning = insert(Workspace).values(name=bindparam("n")).returning(Workspace.id)
    assert sqlite_plans.Plan.of(returning, dialect) is None


async def test_a_plan_binds_the_statements_own_literals(session: AsyncSession, factory: Factory) -> None:
    _sqlite_only(session)
    space = await factory.space()
    named = select(Workspace.id).where(Workspace.id == bindparam("id"), Workspace.status == "active")
    for _ in range(2):
        assert [tuple(row) for row in await column_rows(session, named, {"id": space.id})] == [(space.id,)]
    found = sqlite_plans.plan(named, session.get_bind().dialect)
    assert found is not None and found.given is not None and "active" in found.given
