"""`/webhooks`: owners' and executive managers' subscriptions to the workspace's events,
and the log of their deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.auth.deps import AdminActor, SessionDep
from webwork.auth.principal import Actor
from webwork.config import Settings
from webwork.kit.envelope import respond, respond_page
from webwork.kit.pagination import PageDep
from webwork.kit.schemas import OptionalBody
from webwork.kit.types import LINE_PATTERN
from webwork.models import Delivery as DeliveryRow
from webwork.models import Webhook as WebhookRow
from webwork.webhooks import service
from webwork.webhooks.schemas import (
    PING,
    Delivery,
    DeliveryList,
    DeliveryResponse,
    NewWebhook,
    NewWebhookResponse,
    TestEvent,
    TestEventResponse,
    Webhook,
    WebhookChanges,
    WebhookList,
    WebhookResponse,
    WebhookSecret,
    WebhookSecretResponse,
    WebhookSubscription,
)

router = APIRouter(prefix="/webhooks", tags=["Webhooks"])

ShortId = Annotated[str, Field(max_length=32, pattern=LINE_PATTERN, description="An encoded id")]


async def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


@dataclass(frozen=True)
class Admin:
    """An owner or executive manager at work on the workspace's webhooks, with the
    request's session and the server's settings (URL rules, the ids' salt)."""

    actor: Actor
    session: AsyncSession
    settings: Settings

    @property
    def salt(self) -> str:
        return self.settings.id_salt


async def admin(actor: AdminActor, session: SessionDep, settings: SettingsDep) -> Admin:
    return Admin(actor, session, settings)


AdminDep = Annotated[Admin, Depends(admin)]


def _out(webhook: WebhookRow, salt: str) -> Webhook:
    return Webhook.of(webhook, service.public_id(webhook.id, salt))


def _answer(webhook: WebhookRow, salt: str, done: str) -> JSONResponse:
    """One webhook's envelope: "Webhook <done> successfully"."""
    return respond(_out(webhook, salt), f"Webhook {done} successfully")


def _delivery(row: Any, salt: str) -> Delivery:
    delivery: DeliveryRow = row[0]
    ids = (service.message_id(delivery.id, salt), service.event_id(delivery.outbox_id, salt))
    return Delivery.of(delivery, row[1], ids)


@router.get("", response_model=WebhookList, operation_id="getWebhooks", summary="List webhooks")
async def get_webhooks(who: AdminDep, page: PageDep) -> JSONResponse:
    """The workspace's webhooks, oldest first, paginated (owners and executive
    managers); a webhook the server deactivated says why in `disabled_reason`."""
    result = await service.list_page(who.session, who.actor, page)
    return respond_page(result, lambda webhook: _out(webhook, who.salt), "Webhooks retrieved successfully")


@router.post(
    "",
    status_code=201,
    response_model=NewWebhookResponse,
    operation_id="createWebhook",
    summary="Create a webhook",
)
async def create_webhook(body: WebhookSubscription, who: AdminDep) -> JSONResponse:
    """Subscribes `url` to `events`. The answer's `token` (`whsec_...`) signs every
    delivery (Standard Webhooks) and is shown only here. The URL must be https (unless
    the server allows http) and must not resolve to a loopback, private, link-local or
    metadata address (unless the server allows them): 422 on `url` otherwise."""
    webhook, secret = await service.create(who.session, who.actor, body, who.settings)
    out = NewWebhook(**_out(webhook, who.salt).model_dump(), token=secret)
    return respond(out, "Webhook created successfully", status_code=201)


@router.get(
    "/{webhook_id}", response_model=WebhookResponse, operation_id="getWebhook", summary="Get a webhook"
)
async def get_webhook(webhook_id: ShortId, who: AdminDep) -> JSONResponse:
    """One webhook of the workspace, without its secret (404 for any other id)."""
    return _answer(await service.get(who.session, who.actor, webhook_id, who.salt), who.salt, "retrieved")


@router.put(
    "/{webhook_id}",
    response_model=WebhookResponse,
    operation_id="updateWebhook",
    summary="Update a webhook",
)
async def update_webhook(webhook_id: ShortId, body: WebhookChanges, who: AdminDep) -> JSONResponse:
    """`url` is required, the other fields change only when sent; `is_active` true
    reactivates a webhook the server deactivated (its pending deliveries resume)."""
    webhook = await service.update(who.session, who.actor, webhook_id, body, who.settings)
    return _answer(webhook, who.salt, "updated")


@router.delete(
    "/{webhook_id}",
    response_model=WebhookResponse,
    operation_id="deleteWebhook",
    summary="Delete a webhook",
)
async def delete_webhook(webhook_id: ShortId, who: AdminDep, _body: OptionalBody = None) -> JSONResponse:
    """Deletes the webhook and its delivery log; events not yet delivered are dropped."""
    return _answer(await service.delete(who.session, who.actor, webhook_id, who.salt), who.salt, "deleted")


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=WebhookSecretResponse,
    operation_id="rotateWebhookSecret",
    summary="Rotate a webhook's secret",
)
async def rotate_webhook_secret(
    webhook_id: ShortId, who: AdminDep, _body: OptionalBody = None
) -> JSONResponse:
    """A new `token`, shown only here. For 24 hours deliveries carry signatures by the
    old and the new secret (`webhook-signature: v1,<new> v1,<old>`), then by the new
    one only."""
    rotated = await service.rotate_secret(who.session, who.actor, webhook_id, who.salt)
    out = WebhookSecret(
        id=service.public_id(rotated.webhook.id, who.salt),
        token=rotated.secret,
        previous_token_expires_at=rotated.previous_expires_at,
    )
    return respond(out, "Webhook secret rotated successfully")


@router.post(
    "/{webhook_id}/test",
    response_model=TestEventResponse,
    operation_id="testWebhook",
    summary="Send a test event",
)
async def test_webhook(webhook_id: ShortId, who: AdminDep, _body: OptionalBody = None) -> JSONResponse:
    """Queues a `ping` event to this webhook alone; its delivery shows in the log."""
    _, outbox_id = await service.test(who.session, who.actor, webhook_id, who.salt)
    out = TestEvent(event_id=service.event_id(outbox_id, who.salt), type=PING)
    return respond(out, "Test event queued successfully")


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveryList,
    operation_id="getWebhookDeliveries",
    summary="List a webhook's deliveries",
)
async def get_webhook_deliveries(webhook_id: ShortId, who: AdminDep, page: PageDep) -> JSONResponse:
    """The webhook's deliveries, newest first: event, status (pending, delivered,
    failed), attempts, last response code and latency, next retry."""
    result = await service.delivery_page(who.session, who.actor, webhook_id, who.salt, page)
    return respond_page(result, lambda row: _delivery(row, who.salt), "Deliveries retrieved successfully")


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/retry",
    response_model=DeliveryResponse,
    operation_id="retryWebhookDelivery",
    summary="Retry a delivery",
)
async def retry_webhook_delivery(
    webhook_id: ShortId, delivery_id: ShortId, who: AdminDep, _body: OptionalBody = None
) -> JSONResponse:
    """Makes the delivery due now (a failed one gets one more attempt; a delivered one
    is sent again with the same `webhook-id`)."""
    row = await service.retry(who.session, who.actor, webhook_id, delivery_id, who.salt)
    return respond(_delivery(row, who.salt), "Delivery queued successfully")
