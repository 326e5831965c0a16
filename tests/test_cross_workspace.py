"""No endpoint returns or changes another workspace's rows.

Workspace A holds one row of every kind; B's owner then calls every operation of the
API with A's ids, first with B's workspace_id (404: not in this workspace) and then with
A's (404: not a member there). Afterwards A's rows read back unchanged. The sweep is
driven by the OpenAPI document, so an endpoint added later without an entry in
``PATH_IDS`` fails this test instead of going unchecked."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI

from tests.assertions import any_operation_body, ok
from tests.factories import Factory, Person, Space
from tests.webhooks.helpers import dispatch_outbox

SECRET = "zz-secret-acme"
# The reports' range: A's time lies in it.
REPORTED = {"start_date": "2024-01-15", "end_date": "2024-01-16"}
PUBLIC_PATHS = {"/api/v2/invitations/{token}", "/api/v2/invitations/{token}/accept"}


async def _workspace_a(factory: Factory, a: Space) -> tuple[Person, dict[str, Any]]:
    member = await factory.person(a, "member", email=f"{SECRET}@example.com", rate_status=1)
    project = await factory.project(a, name=f"{SECRET} project", is_billable=True)
    contract = await factory.contract(project, member, rate=100)
    task = await factory.task(project, title=f"{SECRET} task", assignees=[member])
    viewer = await factory.person(a, "project_viewer", email=f"{SECRET}.viewer@example.com")
    await factory.grant(project, viewer)
    api = a.owner.api
    team = ok(
        await api.post("/teams", params=a.ws, json={"name": f"{SECRET} team", "member_ids": [member.id]}), 201
    )
    entry = ok(
        await api.post(
            "/time-entries",
            json={
                **a.ws,
                "user_id": member.id,
                "contract_id": contract.id,
                "task_id": task.id,
                "notes": SECRET,
                "date": "2024-01-15",
                "start_time": "09:00",
                "end_time": "10:00",
            },
        ),
        201,
    )
    request = ok(
        await member.api.post(
            "/time-requests",
            json={
                **a.ws,
                "user_id": member.id,
                "contract_id": contract.id,
                "start": "2024-01-16T09:00:00+00:00",
                "end": "2024-01-16T10:00:00+00:00",
                "activity_description": SECRET,
            },
        ),
        201,
    )
    sheets = ok(
        await api.get(
            "/timesheets",
            params={**a.ws, "user_id": member.id, "date_from": "2024-01-15", "date_to": "2024-01-15"},
        )
    )["data"]
    category = ok(await api.post("/expenses/categories", json={**a.ws, "name": f"{SECRET} category"}), 201)
    expense = ok(
        await member.api.post(
            "/expenses",
            json={
                **a.ws,
                "expense_name": f"{SECRET} expense",
                "amount": 12.5,
                "date": "2024-01-15",
                "category_id": category["data"]["id"],
                "project_id": project.id,
                "note": SECRET,
            },
        ),
        201,
    )
    key = ok(await member.api.post("/api-keys", json={"name": SECRET}), 201)["data"]
    policy = ok(
        await api.post(
            "/leaves/policies",
            json={
                **a.ws,
                "name": f"{SECRET} policy",
                "time_unit": "days",
                "duration": 20,
                "member_ids": [member.id],
            },
        ),
        201,
    )["data"]
    holiday = ok(
        await api.post("/leaves/holidays", json={**a.ws, "date": "2024-01-17", "name": SECRET}), 201
    )["data"]
    leave = ok(
        await member.api.post(
            "/leaves",
            json={
                **a.ws,
                "policy_id": policy["id"],
                "user_id": member.id,
                "start": "2024-01-18",
                "end": "2024-01-19",
                "reason": SECRET,
            },
        ),
        201,
    )["data"]
    client = ok(
        await api.post(
            "/oauth/clients",
            json={**a.ws, "name": f"{SECRET} app", "redirect_uris": ["https://a.example/cb"]},
        ),
        201,
    )["data"]
    webhook = ok(
        await api.post(
            "/webhooks",
            json={
                **a.ws,
                "url": f"https://1.1.1.1/{SECRET}",
                "events": ["project.updated"],
                "description": SECRET,
            },
        ),
        201,
    )["data"]
    ok(await api.post(f"/webhooks/{webhook['id']}/test", json=a.ws))
    await dispatch_outbox(factory.session)
    [delivery] = ok(await api.get(f"/webhooks/{webhook['id']}/deliveries", params=a.ws))["data"]
    ids = {
        "client_id": client["client_id"],
        "workspace_id": a.id,
        "member_id": member.id,
        "user_id": member.id,
        "team_id": team["data"]["id"],
        "project_id": project.id,
        "contract_id": contract.id,
        "task_id": task.id,
        "time_entry_id": entry["time_entry_ids"][0] if "time_entry_ids" in entry else None,
        "request_id": request["data"]["id"],
        "timesheet_id": sheets[0]["id"],
        "key_id": key["id"],
        "category_id": category["data"]["id"],
        "expense_id": expense["data"]["id"],
        "viewer_id": viewer.id,
        "policy_id": policy["id"],
        "holiday_id": holiday["id"],
        "leave_id": leave["id"],
        "webhook_id": webhook["id"],
        "delivery_id": delivery["id"],
    }
    if ids["time_entry_id"] is None:
        listed = ok(
            await api.get("/time-entries", params={**a.ws, "user_id": member.id, "date": "2024-01-15"})
        )
        ids["time_entry_id"] = listed["data"][0]["id"]
    return member, ids


async def _snapshot(a: Space, member: Person, ids: dict[str, Any]) -> list[Any]:
    api = a.owner.api
    reads = [
        api.get(f"/members/{ids['member_id']}", params=a.ws),
        api.get(f"/teams/{ids['team_id']}", params=a.ws),
        api.get(f"/projects/{ids['project_id']}", params=a.ws),
        api.get(f"/contracts/{ids['contract_id']}", params=a.ws),
        api.get(f"/tasks/{ids['task_id']}", params=a.ws),
        api.get("/time-entries", params={**a.ws, "user_id": member.id, "date": "2024-01-15"}),
        api.get(f"/time-requests/{ids['request_id']}", params=a.ws),
        api.get(
            "/timesheets",
            params={**a.ws, "user_id": member.id, "date_from": "2024-01-15", "date_to": "2024-01-15"},
        ),
        member.api.get("/api-keys"),
        api.get("/expenses/categories", params=a.ws),
        api.get(f"/expenses/{ids['expense_id']}", params=a.ws),
        api.get(f"/project-viewers/{ids['viewer_id']}", params=a.ws),
        api.get(f"/leaves/policies/{ids['policy_id']}", params=a.ws),
        api.get(f"/leaves/{ids['leave_id']}", params=a.ws),
        api.get("/leaves/holidays", params=a.ws),
        api.get("/leaves/settings", params=a.ws),
        api.get("/leaves/balances", params={**a.ws, "date_from": "2024-01-01", "date_to": "2024-12-31"}),
        api.get("/reports/tracked-hours", params={**a.ws, **REPORTED}),
        api.get("/reports/task-report", params={**a.ws, **REPORTED}),
        api.get("/reports/activity-descriptions", params={**a.ws, **REPORTED}),
        api.get("/reports/daily-timeline", params={**a.ws, "date": REPORTED["start_date"]}),
        api.get("/reports/daily-attendance", params={**a.ws, "date": REPORTED["start_date"]}),
        api.get("/reports/activity-level", params={**a.ws, **REPORTED}),
        api.get(f"/oauth/clients/{ids['client_id']}", params=a.ws),
        api.get("/oauth/clients", params=a.ws),
        api.get(f"/webhooks/{ids['webhook_id']}", params=a.ws),
        api.get(f"/webhooks/{ids['webhook_id']}/deliveries", params=a.ws),
    ]
    return [ok(await r)["data"] for r in reads]


def _operations(app: FastAPI) -> list[tuple[str, str]]:
    spec = app.openapi()
    return sorted(
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
        if path.startswith("/api/v2/") and path not in PUBLIC_PATHS
    )


async def test_no_endpoint_reaches_another_workspace(
    factory: Factory, two_spaces: tuple[Space, Space], app: FastAPI, frozen_clock: Callable[[datetime], None]
) -> None:
    frozen_clock(datetime(2024, 1, 20, tzinfo=UTC))  # the one-day reports read dates within a year
    a, b = two_spaces
    member, ids = await _workspace_a(factory, a)
    before = await _snapshot(a, member, ids)
    rival = b.owner.api
    leaks: list[str] = []
    checked = 0
    for method, path in _operations(app):
        names = re.findall(r"{(\w+)}", path)
        missing = [n for n in names if n not in ids]
        assert not missing, f"{method} {path}: add its path parameters {missing} to the sweep"
        url = path.removeprefix("/api/v2")
        for name in names:
            url = url.replace("{" + name + "}", str(ids[name]))
        for workspace_id in (b.id, a.id):
            params = {
                "workspace_id": workspace_id,
                "project_id": ids["project_id"],
                "user_id": ids["user_id"],
                "date": "2024-01-15",
                "date_from": "2024-01-15",
                "date_to": "2024-01-16",
                **REPORTED,
            }
            body = any_operation_body(
                workspace_id=workspace_id,
                project_id=ids["project_id"],
                user_id=ids["user_id"],
                contract_id=ids["contract_id"],
            )
            kwargs: dict[str, Any] = {"params": params}
            if method != "GET":
                kwargs["json"] = body
            response = await rival.request(method, url, **kwargs)
            if response.status_code < 400 and SECRET in response.text:
                leaks.append(f"{method} {url} ws={workspace_id}: leaked {response.text[:200]}")
            scoped = not path.startswith(("/api/v2/api-keys", "/api/v2/workspaces"))
            must_miss = (scoped and (names or workspace_id == a.id)) or (names and response.status_code < 400)
            if must_miss and response.status_code != 404:
                leaks.append(f"{method} {url} ws={workspace_id}: expected 404, got {response.status_code}")
            checked += 1
    assert not leaks, "\n".join(leaks)
    assert checked == 2 * len(_operations(app)) and checked > 80
    assert await _snapshot(a, member, ids) == before
