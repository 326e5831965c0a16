"""Webhooks: owners' and executive managers' subscriptions (the router admits only
them), their signing secrets, and ``emit``, through which every domain's service
announces a change.

- A webhook's URL is checked when saved (``urls.check``: https unless
  ``WEBWORK_ALLOW_HTTP_WEBHOOKS``, no private address unless
  ``WEBWORK_ALLOW_PRIVATE_WEBHOOKS``); the worker checks the address again at delivery.
- The secret (``whsec_`` + base64 of 32 random bytes, as the ``standardwebhooks``
  package reads it) is answered once, at creation or rotation. A rotation keeps the old
  secret valid for a day: deliveries carry both signatures meanwhile.
- ``emit`` writes the event to the outbox in the caller's transaction; nothing is
  written for a workspace without an active webhook (``Workspace.active_webhooks``,
  read with the caller's key at no cost). A webhook saved while a change is under way
  in another request receives events of changes that began after it was committed."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.principal import Actor, WorkspaceView
from webwork.config import Settings
from webwork.kit import clock
from webwork.kit.db import end_reads
from webwork.kit.errors import found
from webwork.kit.ids import decode_id, encode_id
from webwork.kit.outbox import enqueue
from webwork.kit.pagination import Page, PageParams
from webwork.models import Delivery, Webhook
from webwork.models.statuses import DeliveryStatus
from webwork.webhooks import repository, urls
from webwork.webhooks.schemas import PING, WebhookChanges, WebhookSubscription

NOT_FOUND = "Webhook not found."
DELIVERY_NOT_FOUND = "Delivery not found."
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
ROTATION_OVERLAP = timedelta(hours=24)
EVENT_PREFIX, MESSAGE_PREFIX = "evt_", "msg_"


def emit(session: AsyncSession, workspace: WorkspaceView, event: str, data: dict[str, Any]) -> None:
    """Announce ``event`` (one of ``schemas.EVENTS``) with ``data`` to the workspace's
    webhooks once the caller's transaction commits, and never if it rolls back: one
    outbox row, written with that transaction, if the workspace has an active webhook."""
    if workspace.active_webhooks:
        enqueue(session, workspace_id=workspace.id, kind=event, payload={"data": to_jsonable_python(data)})


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def public_id(webhook_id: int, salt: str) -> str:
    return encode_id(webhook_id, kind="webhook", salt=salt)


def event_id(outbox_id: int, salt: str) -> str:
    return EVENT_PREFIX + encode_id(outbox_id, kind="event", salt=salt)


def message_id(delivery_id: int, salt: str) -> str:
    """The ``webhook-id`` of a delivery: the same on every attempt, so receivers
    deduplicate by it, and the id of the delivery in the log."""
    return MESSAGE_PREFIX + encode_id(delivery_id, kind="delivery", salt=salt)


async def list_page(session: AsyncSession, actor: Actor, params: PageParams) -> Page[Webhook]:
    return await repository.list_page(session, actor, params)


async def get(session: AsyncSession, actor: Actor, webhook_id: str, salt: str) -> Webhook:
    key = decode_id(webhook_id, kind="webhook", salt=salt)
    return found(await repository.get(session, actor, key) if key else None, NOT_FOUND)


async def _check_url(session: AsyncSession, url: str, settings: Settings) -> None:
    """The URL's rules; the DNS lookup they need (unless private addresses are allowed)
    waits outside any transaction (``end_reads``), before anything is written."""
    if not settings.allow_private_webhooks:
        await end_reads(session)
    await urls.check(
        url, allow_http=settings.allow_http_webhooks, allow_private=settings.allow_private_webhooks
    )


async def create(
    session: AsyncSession, actor: Actor, body: WebhookSubscription, settings: Settings
) -> tuple[Webhook, str]:
    """The webhook and its secret, which is answered now and never again."""
    await _check_url(session, body.url, settings)
    secret = new_secret()
    webhook = Webhook(
        workspace_id=actor.workspace_id,
        url=body.url,
        events=body.events,
        description=body.description,
        is_active=body.is_active,
        secret=secret,
        created_at=clock.utcnow(),
    )
    await repository.add(session, webhook)
    if webhook.is_active:
        await repository.count_active(session, actor.workspace_id)
    return webhook, secret


async def update(
    session: AsyncSession, actor: Actor, webhook_id: str, body: WebhookChanges, settings: Settings
) -> Webhook:
    """Only the fields sent change (``url`` is always sent). Activating a webhook the
    server deactivated clears why, and its pending deliveries resume in order."""
    webhook = await get(session, actor, webhook_id, settings.id_salt)
    if body.url != webhook.url:
        await _check_url(session, body.url, settings)
        webhook.url = body.url
    changes = body.provided("url")
    if "events" in changes:
        webhook.events = changes["events"]
    if "description" in changes:
        webhook.description = changes["description"]
    was_active = webhook.is_active
    if "is_active" in changes:
        webhook.is_active = changes["is_active"]
        if webhook.is_active and not was_active:
            webhook.disabled_reason = webhook.disabled_at = webhook.failing_since = None
    await session.flush()
    if webhook.is_active != was_active:
        await repository.count_active(session, actor.workspace_id)
    return webhook


async def delete(session: AsyncSession, actor: Actor, webhook_id: str, salt: str) -> Webhook:
    """The webhook and its delivery log go; events not yet delivered are dropped."""
    webhook = await get(session, actor, webhook_id, salt)
    await repository.remove(session, webhook)
    if webhook.is_active:
        await repository.count_active(session, actor.workspace_id)
    return webhook


@dataclass(frozen=True)
class Rotated:
    webhook: Webhook
    secret: str
    previous_expires_at: datetime


async def rotate_secret(session: AsyncSession, actor: Actor, webhook_id: str, salt: str) -> Rotated:
    """A new secret, answered once; the current one signs too for ``ROTATION_OVERLAP``,
    while receivers move to the new one. A second rotation within the overlap ends the
    first one's: only the latest two secrets ever sign."""
    webhook = await get(session, actor, webhook_id, salt)
    expires_at = clock.utcnow() + ROTATION_OVERLAP
    webhook.previous_secret, webhook.previous_secret_expires_at = webhook.secret, expires_at
    webhook.secret = new_secret()
    await session.flush()
    return Rotated(webhook, webhook.secret, expires_at)


def signing_secrets(webhook: Webhook, now: datetime) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and the previous one
    during a rotation's overlap."""
    previous = webhook.previous_secret
    expires_at = webhook.previous_secret_expires_at
    if previous is not None and expires_at is not None and now < expires_at:
        return [webhook.secret, previous]
    return [webhook.secret]


async def test(session: AsyncSession, actor: Actor, webhook_id: str, salt: str) -> tuple[Webhook, int]:
    """Queue a ``ping`` to this webhook alone (whatever it subscribes to); answers the
    webhook and the outbox row's id."""
    webhook = await get(session, actor, webhook_id, salt)
    row = enqueue(
        session,
        workspace_id=actor.workspace_id,
        kind=PING,
        payload={"webhook_id": webhook.id, "data": {"webhook_id": public_id(webhook.id, salt)}},
    )
    await session.flush()
    return webhook, row.id


async def delivery_page(
    session: AsyncSession, actor: Actor, webhook_id: str, salt: str, params: PageParams
) -> Page[Any]:
    webhook = await get(session, actor, webhook_id, salt)
    return await repository.delivery_page(session, webhook, params)


async def retry(
    session: AsyncSession, actor: Actor, webhook_id: str, delivery_id: str, salt: str
) -> tuple[Delivery, str]:
    """Make the delivery due now, whatever became of it: a failed one gets one more
    attempt (its count goes on), a delivered one is sent again with the same
    ``webhook-id``, so receivers that deduplicate keep it once."""
    webhook = await get(session, actor, webhook_id, salt)
    key = (
        decode_id(delivery_id.removeprefix(MESSAGE_PREFIX), kind="delivery", salt=salt)
        if delivery_id.startswith(MESSAGE_PREFIX)
        else None
    )
    delivery, event = found(
        await repository.delivery(session, webhook, key) if key else None, DELIVERY_NOT_FOUND
    )
    delivery.status = DeliveryStatus.PENDING.value
    delivery.next_attempt_at = clock.utcnow()
    await session.flush()
    return delivery, event
