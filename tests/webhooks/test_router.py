"""`/webhooks`: the reference's shapes (JSON or form bodies), the secret shown once,
who may manage webhooks, and which URLs are refused (422 on `url`)."""

from __future__ import annotations

import base64
import logging
from ipaddress import IPv4Address

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook as Verifier

from tests.assertions import err, ok
from tests.factories import Factory, QueryCounter, Space
from tests.webhooks.helpers import dispatch_outbox
from webwork.auth.roles import Role
from webwork.config import Settings
from webwork.kit import db
from webwork.webhooks import service, urls

PUBLIC = "https://1.1.1.1/hooks"  # a literal public address: no DNS lookup, never sent to here


def _new(space: Space, **fields: object) -> dict[str, object]:
    return {**space.ws, "url": PUBLIC, "events": ["project.created", "member.invited"], **fields}


async def test_a_webhook_is_created_read_changed_and_deleted_with_the_reference_shapes(
    factory: Factory,
) -> None:
    space = await factory.space()
    api = space.owner.api
    created = ok(await api.post("/webhooks", json=_new(space, description="CRM")), 201)
    assert created["message"] == "Webhook created successfully"
    data = created["data"]
    assert {"id", "url", "events", "token"} <= set(data)
    assert isinstance(data["id"], str) and data["url"] == PUBLIC and data["is_active"] is True
    assert data["events"] == ["project.created", "member.invited"]
    token = data["token"]
    assert token.startswith("whsec_") and len(base64.b64decode(token.removeprefix("whsec_"))) == 32
    Verifier(token)  # the standardwebhooks package reads it

    listed = ok(await api.get("/webhooks", params=space.ws))
    assert listed["message"] == "Webhooks retrieved successfully"
    assert [w["id"] for w in listed["data"]] == [data["id"]]
    assert listed["meta"]["pagination"]["total"] == 1
    one = ok(await api.get(f"/webhooks/{data['id']}", params=space.ws))
    assert one["message"] == "Webhook retrieved successfully"
    for answer in (listed["data"][0], one["data"]):
        assert "token" not in answer and "secret" not in answer and token not in str(answer)
    assert one["data"]["description"] == "CRM" and one["data"]["disabled_reason"] is None

    changed = ok(
        await api.put(
            f"/webhooks/{data['id']}",
            params=space.ws,
            json={"url": "https://1.1.1.1/other", "events": ["tracker.started"], "is_active": False},
        )
    )
    assert changed["success"] is True and changed["message"] == "Webhook updated successfully"
    assert changed["data"]["url"] == "https://1.1.1.1/other" and changed["data"]["events"] == [
        "tracker.started"
    ]
    assert changed["data"]["is_active"] is False and changed["data"]["description"] == "CRM"
    refused = err(
        await api.put(f"/webhooks/{data['id']}", params=space.ws, json={"events": ["tracker.started"]}), 422
    )
    assert "url" in refused["errors"]

    gone = ok(await api.delete(f"/webhooks/{data['id']}", params=space.ws))
    assert gone["message"] == "Webhook deleted successfully"
    err(await api.get(f"/webhooks/{data['id']}", params=space.ws), 404)
    err(await api.get("/webhooks/nonsense", params=space.ws), 404)


async def test_a_form_encoded_body_is_accepted(factory: Factory) -> None:
    space = await factory.space()
    form = {"workspace_id": str(space.id), "url": PUBLIC, "events[]": ["project.created", "project.deleted"]}
    created = ok(await space.owner.api.post("/webhooks", data=form), 201)["data"]
    assert created["events"] == ["project.created", "project.deleted"]


async def test_events_must_be_known(factory: Factory) -> None:
    space = await factory.space()
    refused = err(await space.owner.api.post("/webhooks", json=_new(space, events=["project.exploded"])), 422)
    assert refused["errors"]["events"] == ["The selected events are invalid: project.exploded."]
    err(await space.owner.api.post("/webhooks", json=_new(space, events=[])), 422)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://1.1.1.1/x", "The url must be an http or https URL."),
        ("http://1.1.1.1/x", "The url must use https."),
        ("https://user:pw@1.1.1.1/x", "The url must not contain credentials."),
        ("https://127.0.0.1/x", "loopback"),
        ("https://localhost:8443/x", "loopback"),
        ("https://[::1]/x", "loopback"),
        ("https://10.1.2.3/x", "private"),
        ("https://192.168.0.10/x", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://[::ffff:169.254.169.254]/x", "link-local"),
        ("https://0.0.0.0/x", "private or reserved"),
        ("https://1.1.1.1:99999/x", "The url must be a valid URL."),
    ],
)
async def test_urls_that_could_reach_inside_are_refused_on_the_url_field(
    factory: Factory, url: str, message: str
) -> None:
    space = await factory.space()
    refused = err(await space.owner.api.post("/webhooks", json=_new(space, url=url)), 422)
    assert list(refused["errors"]) == ["url"] and message in refused["errors"]["url"][0]
    created = ok(await space.owner.api.post("/webhooks", json=_new(space)), 201)["data"]
    err(await space.owner.api.put(f"/webhooks/{created['id']}", params=space.ws, json={"url": url}), 422)


async def test_the_operator_may_allow_http_and_private_addresses_and_then_no_dns_is_needed(
    factory: Factory, local: Settings
) -> None:
    space = await factory.space()
    for url in ("http://127.0.0.1:9/x", "https://10.1.2.3/x", "https://receiver.invalid/x"):
        ok(await space.owner.api.post("/webhooks", json=_new(space, url=url)), 201)
    err(await space.owner.api.post("/webhooks", json=_new(space, url="ftp://10.1.2.3/x")), 422)


async def test_only_owners_and_executive_managers_manage_webhooks(factory: Factory) -> None:
    space = await factory.space()
    webhook = ok(await space.owner.api.post("/webhooks", json=_new(space)), 201)["data"]
    executive = await factory.person(space, Role.EXECUTIVE_MANAGER)
    ok(await executive.api.get("/webhooks", params=space.ws))
    ok(await executive.api.post(f"/webhooks/{webhook['id']}/test", json=space.ws))
    for role in (Role.TEAM_MANAGER, Role.PROJECT_MANAGER, Role.MEMBER, Role.PROJECT_VIEWER):
        person = await factory.person(space, role)
        err(await person.api.get("/webhooks", params=space.ws), 403)
        err(await person.api.get(f"/webhooks/{webhook['id']}", params=space.ws), 403)
        err(await person.api.post("/webhooks", json=_new(space)), 403)
        err(await person.api.post(f"/webhooks/{webhook['id']}/rotate-secret", json=space.ws), 403)


async def test_another_workspaces_webhook_is_not_found(
    factory: Factory, two_spaces: tuple[Space, Space]
) -> None:
    a, b = two_spaces
    webhook = ok(await a.owner.api.post("/webhooks", json=_new(a)), 201)["data"]
    rival = b.owner.api
    err(await rival.get(f"/webhooks/{webhook['id']}", params=b.ws), 404)
    err(await rival.put(f"/webhooks/{webhook['id']}", params=b.ws, json={"url": PUBLIC}), 404)
    err(await rival.post(f"/webhooks/{webhook['id']}/rotate-secret", json=b.ws), 404)
    err(await rival.delete(f"/webhooks/{webhook['id']}", params=b.ws), 404)
    assert ok(await rival.get("/webhooks", params=b.ws))["data"] == []
    ok(await a.owner.api.get(f"/webhooks/{webhook['id']}", params=a.ws))


async def test_the_secret_is_never_answered_again_or_logged(
    factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    space = await factory.space()
    api = space.owner.api
    with caplog.at_level(logging.DEBUG):
        webhook = ok(await api.post("/webhooks", json=_new(space)), 201)["data"]
        rotated = ok(await api.post(f"/webhooks/{webhook['id']}/rotate-secret", json=space.ws))["data"]
        answers = [
            (await api.get("/webhooks", params=space.ws)).text,
            (await api.get(f"/webhooks/{webhook['id']}", params=space.ws)).text,
            (await api.put(f"/webhooks/{webhook['id']}", params=space.ws, json={"url": PUBLIC})).text,
            (await api.post(f"/webhooks/{webhook['id']}/test", json=space.ws)).text,
            (await api.get(f"/webhooks/{webhook['id']}/deliveries", params=space.ws)).text,
        ]
    secrets = [webhook["token"], rotated["token"]]
    assert rotated["token"] != webhook["token"] and rotated["token"].startswith("whsec_")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in secrets:
        assert all(secret not in answer for answer in answers)
        assert secret not in logged
        assert secret.removeprefix("whsec_") not in logged


async def test_webhook_operations_stay_within_their_statement_bounds(
    factory: Factory, query_counter: QueryCounter
) -> None:
    """After the key (one statement, which also reads how many webhooks are active): a
    read is the webhook or the page; a create inserts it and recounts the workspace's
    active webhooks; a change reads it and writes it; a test event adds its outbox row."""
    space = await factory.space()
    api, ws = space.owner.api, space.ws
    webhook = ok(await api.post("/webhooks", json=_new(space)), 201)["data"]
    ok(await api.post(f"/webhooks/{webhook['id']}/test", json=ws))
    await dispatch_outbox(factory.session)
    [delivery] = ok(await api.get(f"/webhooks/{webhook['id']}/deliveries", params=ws))["data"]
    spare = ok(await api.post("/webhooks", json=_new(space)), 201)["data"]
    url = f"/webhooks/{webhook['id']}"
    calls = [
        ("GET /webhooks", 2, lambda: api.get("/webhooks", params=ws)),
        ("GET /webhooks/{id}", 2, lambda: api.get(url, params=ws)),
        ("POST /webhooks", 3, lambda: api.post("/webhooks", json=_new(space))),
        ("PUT /webhooks/{id}", 3, lambda: api.put(url, params=ws, json={"url": PUBLIC, "description": "x"})),
        (
            "PUT /webhooks/{id} deactivating",
            4,
            lambda: api.put(url, params=ws, json={"url": PUBLIC, "is_active": False}),
        ),
        ("POST /webhooks/{id}/rotate-secret", 3, lambda: api.post(f"{url}/rotate-secret", json=ws)),
        ("POST /webhooks/{id}/test", 3, lambda: api.post(f"{url}/test", json=ws)),
        ("GET /webhooks/{id}/deliveries", 3, lambda: api.get(f"{url}/deliveries", params=ws)),
        (
            "POST /webhooks/{id}/deliveries/{id}/retry",
            4,
            lambda: api.post(f"{url}/deliveries/{delivery['id']}/retry", json=ws),
        ),
        ("DELETE /webhooks/{id}", 4, lambda: api.delete(f"/webhooks/{spare['id']}", params=ws)),
    ]
    for name, bound, call in calls:
        query_counter.reset()
        response = await call()
        assert response.status_code < 300, (name, response.text)
        assert query_counter.count <= bound, "\n".join(
            [name, f"{query_counter.count} > {bound}", *query_counter.statements]
        )


async def test_an_event_costs_its_change_one_statement_and_nothing_without_a_webhook(
    factory: Factory, query_counter: QueryCounter
) -> None:
    """A change in a workspace without an active webhook runs exactly the statements it
    ran before webhooks existed (the count of active webhooks comes with the caller's
    key); with one, one INSERT more: its outbox row."""
    space, john, project, contract, _ = await factory.john_at_work()
    api, ws = space.owner.api, space.ws
    entry = {**ws, "user_id": john.id, "contract_id": contract.id, "date": "2024-01-15"}

    async def counted(hour: int) -> list[int]:
        counts = []
        for call in (
            lambda: api.put(f"/projects/{project.id}", params=ws, json={"notes": f"n{hour}"}),
            lambda: api.post(
                "/time-entries", json={**entry, "start_time": f"{hour:02d}:00", "end_time": f"{hour:02d}:30"}
            ),
        ):
            query_counter.reset()
            response = await call()
            assert response.status_code < 300, response.text
            counts.append(query_counter.count)
        return counts

    ok(await api.get("/workspaces"))  # the key's last use noted
    without = await counted(9)
    webhook = ok(await api.post("/webhooks", json=_new(space, events=["project.updated"])), 201)["data"]
    subscribed = await counted(10)
    assert subscribed == [n + 1 for n in without]
    assert any("INSERT INTO outbox" in statement for statement in query_counter.statements)
    ok(await api.put(f"/webhooks/{webhook['id']}", params=ws, json={"url": PUBLIC, "is_active": False}))
    assert await counted(11) == without


async def test_the_dns_lookup_waits_outside_any_transaction(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saving a webhook resolves its host: the request's reads so far are committed
    first (``kit.db.end_reads``), so no transaction is open while DNS takes its time."""
    sessions: list[AsyncSession] = []
    seen: list[bool] = []

    async def ending(session: AsyncSession) -> None:
        sessions.append(session)
        await db.end_reads(session)

    async def resolve(host: str, port: int) -> list[IPv4Address]:
        seen.append(sessions[-1].in_transaction())
        return [IPv4Address("93.184.215.14")]

    monkeypatch.setattr(service, "end_reads", ending)
    monkeypatch.setattr(urls, "resolve", resolve)
    space = await factory.space()
    created = ok(
        await space.owner.api.post("/webhooks", json=_new(space, url="https://hooks.example/a")), 201
    )
    changed = await space.owner.api.put(
        f"/webhooks/{created['data']['id']}", params=space.ws, json={"url": "https://hooks.example/b"}
    )
    assert ok(changed)["data"]["url"] == "https://hooks.example/b"
    assert seen == [False, False]
