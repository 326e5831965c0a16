"""Mail leaves after the commit, never inside the transaction: it is written to the
outbox with the change and sent by the worker, so a slow or silent mail server delays
no answer and holds no lock; a request that fails sends nothing; a mail that could not
be sent is logged, retried later, and can be sent again through the API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import err, ok
from tests.conftest import Outbox, run_worker
from tests.factories import Factory
from tests.webhooks.helpers import make_due
from webwork.config import Settings
from webwork.kit import mail
from webwork.kit.clock import utcnow
from webwork.kit.db import Database
from webwork.kit.errors import Conflict
from webwork.kit.mail import MailNotSent, Message, mailer_from
from webwork.members import service
from webwork.models import Delivery, InvitationCode, Membership

INVITE = {"email": "invitee@example.com", "firstname": "In", "lastname": "Vitee", "role": "member"}
LINK = "http://testserver/api/v2/invitations/"


@contextmanager
def _mailer(app: FastAPI, mailer: mail.Mailer) -> Iterator[None]:
    previous, app.state.mailer = app.state.mailer, mailer
    try:
        yield
    finally:
        app.state.mailer = previous


class _Silent:
    """An SMTP server that accepts connections and never says a word."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.clients: list[asyncio.StreamWriter] = []

    async def hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.clients.append(writer)
        self.reached.set()
        await reader.read()  # until the client gives up

    def hang_up(self) -> None:
        for writer in self.clients:
            writer.close()


class _Watched:
    """The real mailer, noting when an attempt is over."""

    def __init__(self, inner: mail.Mailer, events: list[str]) -> None:
        self.inner, self.events = inner, events

    async def send(self, message: Message) -> None:
        try:
            await self.inner.send(message)
        finally:
            self.events.append("mail attempt over")


async def test_a_silent_mail_server_delays_neither_the_invitation_nor_other_writes(
    committed_factory: Factory,
    committed_database: Database,
    app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """POST /members answers without waiting for mail (the mail is an outbox row); the
    worker then waits for a silent server while a time entry is saved (another
    connection, the same database) without waiting for it, and the mail stays queued
    for a later attempt."""
    space, john, *_ = await committed_factory.john_at_work()
    silent = _Silent()
    server = await asyncio.start_server(silent.hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setattr(mail, "SMTP_TIMEOUT_SECONDS", 5.0)  # a bound for a broken fix, not for the test
    events: list[str] = []
    smtp = mailer_from(Settings(mail_backend="smtp", smtp_host="127.0.0.1", smtp_port=port))
    # committed_factory's client returns as soon as the app has answered.
    owner = space.owner.api
    entry = {**space.ws, "user_id": john.id, "date": "2024-01-15", "start_time": "09:00", "end_time": "10:00"}
    try:
        with _mailer(app, _Watched(smtp, events)), caplog.at_level(logging.WARNING, logger="webwork.mail"):
            invited = ok(await owner.post("/members", params=space.ws, json=INVITE), 201)
            assert invited["message"] == "Member invited successfully"
            events.append("invited")
            worker = asyncio.create_task(run_worker(app))
            await asyncio.wait_for(silent.reached.wait(), timeout=30)
            events.append("mail server reached")
            ok(await owner.post("/time-entries", json=entry), 201)
            events.append("time entry saved")
            silent.hang_up()
            await worker
    finally:
        silent.hang_up()
        server.close()
        await server.wait_closed()
    assert events == ["invited", "mail server reached", "time entry saved", "mail attempt over"]
    [record] = [r for r in caplog.records if r.name == "webwork.mail" and r.levelno == logging.WARNING]
    assert f"member {invited['data']['id']}" in record.getMessage()
    assert "invitee@example.com" in record.getMessage()
    async with committed_database.sessionmaker() as session:
        [queued] = (await session.scalars(select(Delivery).where(Delivery.webhook_id.is_(None)))).all()
    assert queued.status == "pending" and queued.attempts == 1 and queued.error
    assert queued.next_attempt_at > utcnow()


async def test_a_request_that_fails_sends_no_mail(
    factory: Factory, session: AsyncSession, outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    invite = service.invite

    async def invite_then_fail(*args: Any, **kwargs: Any) -> service.Invited:
        await invite(*args, **kwargs)  # the mail is queued, then the request fails
        raise Conflict("Something later went wrong.")

    monkeypatch.setattr(service, "invite", invite_then_fail)
    space = await factory.space()
    err(await space.owner.api.post("/members", params=space.ws, json=INVITE), 409)
    assert outbox.sent == []
    assert await session.scalar(select(Membership).where(Membership.status == "invited")) is None


class _Broken:
    async def send(self, message: Message) -> None:
        raise MailNotSent()


async def test_an_invitation_whose_mail_failed_is_saved_and_sent_again(
    factory: Factory,
    session: AsyncSession,
    app: FastAPI,
    outbox: Outbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    space = await factory.space()
    with _mailer(app, _Broken()), caplog.at_level(logging.WARNING, logger="webwork.mail"):
        body = ok(await space.owner.api.post("/members", params=space.ws, json=INVITE), 201)
        await run_worker(app)
    assert body["message"] == "Member invited successfully"
    data = body["data"]
    [record] = [r for r in caplog.records if r.name == "webwork.mail"]
    assert f"member {data['id']} in workspace {space.id}" in record.getMessage()
    old_token = data["invitation_link"][len(LINK) :]
    ok(await factory.anonymous.get(f"/invitations/{old_token}"))

    again = ok(await space.owner.api.post(f"/members/{data['id']}/resend-invitation", params=space.ws))
    assert again["message"] == "Invitation sent again successfully"
    link = again["data"]["invitation_link"]
    assert link.startswith(LINK) and link != data["invitation_link"]
    assert again["data"]["status"] == "invited" and again["data"]["firstname"] == "In"
    [mail_sent] = outbox.to("invitee@example.com")
    assert link in mail_sent.body
    err(await factory.anonymous.get(f"/invitations/{old_token}"), 404)
    ok(await factory.anonymous.get(f"/invitations/{link[len(LINK) :]}"))


async def test_only_a_pending_invitation_is_sent_again_and_only_by_admins(
    factory: Factory, outbox: Outbox
) -> None:
    space = await factory.space()
    executive = await factory.person(space, "executive_manager")
    manager = await factory.person(space, "team_manager")
    data = ok(await space.owner.api.post("/members", params=space.ws, json=INVITE), 201)["data"]
    path = f"/members/{data['id']}/resend-invitation"
    err(await manager.api.post(path, params=space.ws), 403)
    ok(await executive.api.post(path, params=space.ws))
    refused = err(
        await space.owner.api.post(f"/members/{manager.id}/resend-invitation", params=space.ws), 409
    )
    assert refused["message"] == "The member has no pending invitation."
    ok(await space.owner.api.delete(f"/members/{data['id']}", params=space.ws))
    err(await space.owner.api.post(path, params=space.ws), 409)
    err(await space.owner.api.post("/members/999999/resend-invitation", params=space.ws), 404)


async def test_a_code_whose_mail_failed_is_asked_for_again(
    factory: Factory, session: AsyncSession, app: FastAPI, outbox: Outbox
) -> None:
    space = await factory.space()
    data = ok(await space.owner.api.post("/members", params=space.ws, json=INVITE), 201)["data"]
    accept = data["invitation_link"].removeprefix("http://testserver/api/v2") + "/accept"
    outbox.sent.clear()
    with _mailer(app, _Broken()):
        sent = ok(await factory.anonymous.post(accept), 202)
    assert sent["message"] == "A confirmation code was sent to the invited address."
    assert outbox.sent == []
    await session.execute(update(InvitationCode).values(created_at=utcnow() - timedelta(minutes=2)))
    await session.commit()
    ok(await factory.anonymous.post(accept), 202)
    accepted = ok(await factory.anonymous.post(accept, json={"code": outbox.code_for("invitee@example.com")}))
    assert accepted["data"]["api_key"]


async def test_a_mail_the_server_refused_is_sent_by_a_later_attempt(
    factory: Factory, session: AsyncSession, app: FastAPI, outbox: Outbox
) -> None:
    """An SMTP outage only delays the mail: the worker keeps it and tries again after
    its backoff, and the invitation's mail arrives once the server is back."""
    outbox.deliver_automatically = False
    space = await factory.space()
    ok(await space.owner.api.post("/members", params=space.ws, json=INVITE), 201)
    with _mailer(app, _Broken()):
        await run_worker(app)
    assert outbox.sent == []
    [delivery] = (await session.scalars(select(Delivery).where(Delivery.webhook_id.is_(None)))).all()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.next_attempt_at > utcnow()
    await run_worker(app)
    assert outbox.sent == []  # not before its backoff has passed
    await make_due(session)
    await run_worker(app)
    [mail_sent] = outbox.to("invitee@example.com")
    assert LINK in mail_sent.body
    await session.refresh(delivery)
    assert delivery.status == "delivered" and delivery.attempts == 2
