"""Upper bounds on SQL statements per request for the hot endpoints outside time
recording (those are in ``test_time_statements.py``), so that a later change cannot
quietly add queries back (BEGIN/COMMIT/SAVEPOINT are not counted). Raising a bound is
a design decision: do it in the same commit, with the reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

import httpx
import pytest

from tests.assertions import ok
from tests.factories import Factory, Person, QueryCounter, Space
from webwork.models import Contract, Project
from webwork.timesheets.periods import TimesheetKey


@dataclass
class Scene:
    space: Space
    john: Person
    project: Project
    contract: Contract


Call = Callable[[Scene], Awaitable[httpx.Response]]

CASES: dict[str, tuple[int, Call]] = {
    "GET /projects": (3, lambda s: s.space.owner.api.get("/projects", params=s.space.ws)),
    "GET /projects/{id}": (
        3,
        lambda s: s.space.owner.api.get(f"/projects/{s.project.id}", params=s.space.ws),
    ),
    "PUT /projects/{id}": (
        4,
        lambda s: s.space.owner.api.put(f"/projects/{s.project.id}", params=s.space.ws, json={"notes": "x"}),
    ),
    "GET /members": (3, lambda s: s.space.owner.api.get("/members", params=s.space.ws)),
    "GET /members/{id}": (3, lambda s: s.space.owner.api.get(f"/members/{s.john.id}", params=s.space.ws)),
    "GET /contracts": (2, lambda s: s.space.owner.api.get("/contracts", params=s.space.ws)),
    "GET /contracts/{id}": (
        2,
        lambda s: s.space.owner.api.get(f"/contracts/{s.contract.id}", params=s.space.ws),
    ),
    "GET /workspaces": (2, lambda s: s.space.owner.api.get("/workspaces")),
    # the key, the page, the approved periods beside its open ones (where they start or
    # end), the time of every member on it
    "GET /timesheets": (4, lambda s: s.space.owner.api.get("/timesheets", params=s.space.ws)),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_statements_per_request_stay_within_their_bound(
    name: str, factory: Factory, query_counter: QueryCounter
) -> None:
    bound, call = CASES[name]
    space, john, project, contract, _ = await factory.john_at_work()
    scene = Scene(space, john, project, contract)
    assert (await space.owner.api.get("/workspaces")).status_code == 200  # the key's last use noted
    query_counter.reset()
    response = await call(scene)
    assert response.status_code < 300, response.text
    assert query_counter.count <= bound, "\n".join(
        [f"{query_counter.count} > {bound}", *query_counter.statements]
    )


async def test_an_approval_stays_within_its_bound(factory: Factory, query_counter: QueryCounter) -> None:
    """The key, the member, the period's row, the member's lock (a statement on
    PostgreSQL only), the approved periods beside it (where its span starts or ends),
    its time and the update."""
    space, john, _, _, _ = await factory.john_at_work()
    timesheet = TimesheetKey(john.id, date(2024, 1, 15)).encode("webwork")
    ok(await john.api.put(f"/timesheets/{timesheet}/submit", json=space.ws))
    ok(await space.owner.api.get("/workspaces"))  # the key's last use noted
    query_counter.reset()
    ok(await space.owner.api.put(f"/timesheets/{timesheet}/approve", json=space.ws))
    assert query_counter.count <= 7, "\n".join(query_counter.statements)
