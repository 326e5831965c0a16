"""Every event of the catalogue is emitted by the service that makes the change, and
reaches a webhook subscribed to all of them, with its data."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import ok
from tests.conftest import run_worker
from tests.factories import Factory
from tests.webhooks.helpers import Receiver, receiving
from webwork.config import Settings
from webwork.timesheets.periods import TimesheetKey
from webwork.webhooks.schemas import EVENTS


async def test_each_change_emits_its_event(
    factory: Factory, session: AsyncSession, app: FastAPI, local: Settings
) -> None:
    space, john, _, contract, _ = await factory.john_at_work()
    owner, ws = space.owner.api, space.ws
    with receiving(Receiver()) as receiver:
        body = {**ws, "url": receiver.url, "events": list(EVENTS)}
        token = ok(await owner.post("/webhooks", json=body), 201)["data"]["token"]

        ok(await john.api.post("/time-tracking/start", json={**ws, "contract_id": contract.id}))
        ok(await john.api.post("/time-tracking/stop", json=ws))

        slot = {**ws, "user_id": john.id, "contract_id": contract.id, "date": "2024-01-15"}
        ok(
            await owner.post("/time-entries", json={**slot, "start_time": "09:00", "end_time": "10:00"}),
            201,
        )
        [entry] = ok(
            await owner.get("/time-entries", params={**ws, "user_id": john.id, "date": "2024-01-15"})
        )["data"]
        ok(await owner.put(f"/time-entries/{entry['id']}", json={**ws, "notes": "fixed"}))
        ok(await owner.delete(f"/time-entries/{entry['id']}", params=ws))

        sheet = TimesheetKey(john.id, date(2024, 3, 4)).encode("webwork")
        ok(await john.api.put(f"/timesheets/{sheet}/submit", json=ws))
        ok(await owner.put(f"/timesheets/{sheet}/reject", json={**ws, "reason": "Missing day"}))
        ok(await john.api.put(f"/timesheets/{sheet}/submit", json=ws))
        ok(await owner.put(f"/timesheets/{sheet}/approve", json=ws))

        requested = []
        for hour in (9, 11):
            asked = {
                **ws,
                "user_id": john.id,
                "contract_id": contract.id,
                "start": f"2024-01-16T{hour:02d}:00:00+00:00",
                "end": f"2024-01-16T{hour + 1:02d}:00:00+00:00",
            }
            requested.append(ok(await john.api.post("/time-requests", json=asked), 201)["data"]["id"])
        ok(await owner.post(f"/time-requests/{requested[0]}/approve", json=ws))
        ok(await owner.post(f"/time-requests/{requested[1]}/reject", json={**ws, "comment": "No"}))

        policy = {**ws, "name": "Vacation", "time_unit": "days", "duration": 20, "member_ids": [john.id]}
        policy_id = ok(await owner.post("/leaves/policies", json=policy), 201)["data"]["id"]
        leaves = []
        for day in ("2024-04-01", "2024-04-02", "2024-04-03"):
            leave = {**ws, "policy_id": policy_id, "user_id": john.id, "start": day, "end": day}
            leaves.append(ok(await john.api.post("/leaves", json=leave), 201)["data"]["id"])
        ok(await owner.put(f"/leaves/{leaves[0]}/approve", json=ws))
        ok(await owner.put(f"/leaves/{leaves[1]}/reject", json={**ws, "reason": "Busy"}))
        ok(await john.api.put(f"/leaves/{leaves[2]}/cancel", json=ws))

        spent = {**ws, "expense_name": "Taxi", "amount": 12.5, "date": "2024-01-15"}
        expenses = [ok(await john.api.post("/expenses", json=spent), 201)["data"]["id"] for _ in range(3)]
        ok(await john.api.put(f"/expenses/{expenses[0]}", json={**ws, "amount": 13}))
        ok(await owner.put(f"/expenses/{expenses[0]}/approve", json=ws))
        ok(await owner.put(f"/expenses/{expenses[1]}/reject", json={**ws, "reason": "No receipt"}))
        ok(await john.api.delete(f"/expenses/{expenses[2]}", params=ws))

        created = ok(await owner.post("/projects", params=ws, json={"name": "Launch"}), 201)["data"]
        ok(await owner.put(f"/projects/{created['id']}", params=ws, json={"notes": "soon"}))
        ok(await owner.delete(f"/projects/{created['id']}", params=ws))

        invite = {"email": "new@example.com", "firstname": "N", "lastname": "Ew", "role": "member"}
        ok(await owner.post("/members", params=ws, json=invite), 201)
        ok(await owner.put(f"/members/{john.id}", params=ws, json={"timezone": "Asia/Tokyo"}))
        ok(await owner.delete(f"/members/{john.id}", params=ws))
        ok(await owner.post(f"/members/{john.id}/restore", params=ws))

        await run_worker(app)
        events = receiver.accepted(token)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_type.setdefault(event["type"], []).append(event["data"])
    assert set(by_type) == set(EVENTS)
    assert by_type["project.created"] == [{"id": created["id"], "name": "Launch", "status": 1}]
    assert by_type["tracker.started"][0]["user_id"] == john.id
    assert by_type["member.invited"][0]["email"] == "new@example.com"
    assert by_type["member.activated"][0]["status"] == "active"
    assert by_type["expense.updated"][0]["amount"] == 13
    assert by_type["timesheet.approved"][0]["status"] == "approved"
    assert [e["data"]["id"] for e in events if e["type"] == "time_entry.deleted"] == [entry["id"]]
    # The manual entry, then the time the approved request added (2024-01-16, 09:00-10:00).
    added = [e["time_entries"] for e in by_type["time_entry.created"]]
    assert [(e[0]["method"], e[0]["start_at"]) for e in added] == [
        ("manual", "2024-01-15T09:00:00Z"),
        ("time_request", "2024-01-16T09:00:00Z"),
    ]
