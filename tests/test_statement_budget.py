"""Upper bounds on SQL statements per request for the hot endpoints, so that a later
change cannot quietly add queries back (the transaction's BEGIN/COMMIT/SAVEPOINT are
not counted). A bound that a change must raise is a design decision: raise it in the
same commit, with the reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.factories import Factory, Person, QueryCounter, Space
from webwork.models import Contract, Project


@dataclass
class Scene:
    space: Space
    john: Person
    project: Project
    contract: Contract
    entry_id: str


async def _scene(factory: Factory) -> Scene:
    space, john, project, contract, _ = await factory.john_at_work()
    created = await space.owner.api.post(
        "/time-entries",
        json={
            "workspace_id": space.id,
            "user_id": john.id,
            "contract_id": contract.id,
            "date": "2026-01-05",
            "start_time": "09:00",
            "end_time": "10:00",
        },
    )
    assert created.status_code == 201, created.text
    return Scene(space, john, project, contract, created.json()["data"]["time_entry_ids"][0])


Call = Callable[[Scene], Awaitable[httpx.Response]]


def _entry_body(scene: Scene, start: str, end: str) -> dict[str, Any]:
    return {
        "workspace_id": scene.space.id,
        "user_id": scene.john.id,
        "contract_id": scene.contract.id,
        "date": "2026-01-06",
        "start_time": start,
        "end_time": end,
    }


CASES: dict[str, tuple[int, Call]] = {
    "GET /time-entries": (
        3,
        lambda s: s.space.owner.api.get(
            "/time-entries", params={**s.space.ws, "user_id": s.john.id, "date": "2026-01-05"}
        ),
    ),
    "POST /time-entries": (
        8,
        lambda s: s.space.owner.api.post("/time-entries", json=_entry_body(s, "11:00", "12:00")),
    ),
    "PUT /time-entries/{id}": (
        8,
        lambda s: s.space.owner.api.put(
            f"/time-entries/{s.entry_id}", json={"workspace_id": s.space.id, "notes": "Reviewed"}
        ),
    ),
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
    "GET /contracts/{id}": (
        2,
        lambda s: s.space.owner.api.get(f"/contracts/{s.contract.id}", params=s.space.ws),
    ),
    "POST /time-tracking/start": (
        7,
        lambda s: s.john.api.post(
            "/time-tracking/start", json={"workspace_id": s.space.id, "contract_id": s.contract.id}
        ),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_statements_per_request_stay_within_their_bound(
    name: str, factory: Factory, query_counter: QueryCounter
) -> None:
    bound, call = CASES[name]
    scene = await _scene(factory)
    query_counter.reset()
    response = await call(scene)
    assert response.status_code < 300, response.text
    assert query_counter.count <= bound, "\n".join(
        [f"{query_counter.count} > {bound}", *query_counter.statements]
    )


async def test_stopping_a_timer_stays_within_its_bound(factory: Factory, query_counter: QueryCounter) -> None:
    scene = await _scene(factory)
    body = {"workspace_id": scene.space.id, "contract_id": scene.contract.id}
    started = await scene.john.api.post("/time-tracking/start", json=body)
    assert started.status_code == 200, started.text
    query_counter.reset()
    stopped = await scene.john.api.post("/time-tracking/stop", json={"workspace_id": scene.space.id})
    assert stopped.status_code == 200, stopped.text
    assert query_counter.count <= 5, "\n".join([str(query_counter.count), *query_counter.statements])
