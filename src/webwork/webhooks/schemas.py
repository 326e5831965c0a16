"""Request and response models of ``/webhooks``, and the events a webhook may subscribe to."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from webwork.kit.envelope import Envelope
from webwork.kit.schemas import RequestBody, required_value
from webwork.kit.types import URL_TAIL, Line, Timestamp
from webwork.models import Delivery as DeliveryRow
from webwork.models import Webhook as WebhookRow

# The hosted API's events, then ours (documented as ours in docs/webhooks.md).
HOSTED_EVENTS = (
    "tracker.started",
    "tracker.stopped",
    "member.invited",
    "member.updated",
    "member.deleted",
    "member.activated",
    "member.archived",
    "project.created",
    "project.updated",
    "project.deleted",
)
OUR_EVENTS = (
    "time_entry.created",
    "time_entry.updated",
    "time_entry.deleted",
    "timesheet.submitted",
    "timesheet.approved",
    "timesheet.rejected",
    "time_request.created",
    "time_request.approved",
    "time_request.rejected",
    "leave.created",
    "leave.approved",
    "leave.rejected",
    "leave.cancelled",
    "expense.created",
    "expense.updated",
    "expense.deleted",
    "expense.approved",
    "expense.rejected",
)
EVENTS = HOSTED_EVENTS + OUR_EVENTS
# Sent by POST /webhooks/{id}/test to that webhook alone, whatever it subscribes to.
PING = "ping"

# The document's view of a receiver's URL (by default https only; the host must also
# resolve to a public address, which no pattern states).
URL_PATTERN = rf"^https://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{{1,5}})?([/?#]{URL_TAIL})?$"
WebhookUrl = Annotated[
    Line,
    Field(
        min_length=1,
        max_length=2048,
        description="https:// URL that receives the events",
        json_schema_extra={"pattern": URL_PATTERN},
    ),
]
# Documented as the enum the validator below holds them to (its message names the unknown).
EventName = Annotated[Line, Field(max_length=64, json_schema_extra={"enum": list(EVENTS)})]
Events = Annotated[
    list[EventName],
    Field(min_length=1, max_length=len(EVENTS), description="Events to receive: " + ", ".join(EVENTS)),
]


def _known_events(events: list[str]) -> list[str]:
    unknown = [event for event in events if event not in EVENTS]
    if unknown:
        raise ValueError(f"The selected events are invalid: {', '.join(unknown)}.")
    return list(dict.fromkeys(events))


class WebhookSubscription(RequestBody):
    """What ``POST /webhooks`` subscribes: a URL to the workspace's events."""

    url: WebhookUrl
    events: Events
    description: Annotated[Line | None, Field(description="What the receiver is, for the people here")] = None
    is_active: bool = True

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str]) -> list[str]:
        return _known_events(value)


class WebhookChanges(RequestBody):
    """``PUT /webhooks/{id}``: ``url`` is required (as the hosted API has it); the other
    fields change only when sent."""

    not_null = ("events", "is_active")

    url: WebhookUrl
    events: Events | None = None
    description: Annotated[Line | None, Field(description="What the receiver is")] = None
    is_active: bool | None = None

    _required = field_validator("events", "is_active", mode="before")(required_value)

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _known_events(value)


class Webhook(BaseModel):
    """A webhook as owners see it: never its secret. ``disabled_reason`` says why the
    server deactivated it (a 410 answer, or five days of failed deliveries)."""

    id: str
    url: str
    events: list[str]
    description: str | None
    is_active: bool
    disabled_reason: str | None
    disabled_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, webhook: WebhookRow, public_id: str) -> Webhook:
        return cls(
            id=public_id,
            url=webhook.url,
            events=list(webhook.events),
            description=webhook.description,
            is_active=webhook.is_active,
            disabled_reason=webhook.disabled_reason,
            disabled_at=webhook.disabled_at,
            created_at=webhook.created_at,
            updated_at=webhook.updated_at,
        )


class NewWebhook(Webhook):
    token: str = Field(description="The whsec_ signing secret; shown only in this response.")


class WebhookSecret(BaseModel):
    id: str
    token: str = Field(description="The new whsec_ signing secret; shown only in this response.")
    previous_token_expires_at: Timestamp = Field(
        description="Until then deliveries carry a signature by the old secret too."
    )


class TestEvent(BaseModel):
    """The ``ping`` event queued for one webhook."""

    event_id: str
    type: str


class Delivery(BaseModel):
    """One event on its way to the webhook: ``next_attempt_at`` is set while it is
    pending; ``latency_ms`` and ``response_code`` are those of the last attempt."""

    id: str
    event_id: str
    event: str
    status: str
    attempts: int
    response_code: int | None
    latency_ms: int | None
    error: str | None
    next_attempt_at: Timestamp | None
    last_attempt_at: Timestamp | None
    created_at: Timestamp

    @classmethod
    def of(cls, delivery: DeliveryRow, event: str, ids: tuple[str, str]) -> Delivery:
        pending = delivery.status == "pending"
        return cls(
            id=ids[0],
            event_id=ids[1],
            event=event,
            status=delivery.status,
            attempts=delivery.attempts,
            response_code=delivery.response_code,
            latency_ms=delivery.latency_ms,
            error=delivery.error,
            next_attempt_at=delivery.next_attempt_at if pending else None,
            last_attempt_at=delivery.last_attempt_at,
            created_at=delivery.created_at,
        )


# The answers' envelopes, named as a reader of the OpenAPI document would name them.
class WebhookResponse(Envelope[Webhook]):
    """One webhook."""


class WebhookList(Envelope[list[Webhook]]):
    """A page of webhooks."""


class NewWebhookResponse(Envelope[NewWebhook]):
    """A new webhook with its secret."""


class WebhookSecretResponse(Envelope[WebhookSecret]):
    """A rotated secret."""


class TestEventResponse(Envelope[TestEvent]):
    """The queued ping."""


class DeliveryResponse(Envelope[Delivery]):
    """One delivery."""


class DeliveryList(Envelope[list[Delivery]]):
    """A page of a webhook's deliveries."""
