"""Webhook subscriptions, the transactional outbox and the deliveries drained from it.

The outbox holds what must leave the server once the change that caused it commits:
webhook events and mail. A request writes one ``outbox`` row in its own transaction
(so a rolled-back change leaves nothing behind); the worker (``webwork.webhooks.worker``)
turns each row into ``deliveries`` (one per subscribed webhook, or one for a mail) and
sends them, retrying with backoff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from webwork.kit.db import Base, UTCDateTime
from webwork.models._columns import CreatedAt, IntPk, UpdatedAt, WorkspaceFk
from webwork.models.statuses import DeliveryStatus

_PENDING = text(f"status = '{DeliveryStatus.PENDING.value}'")
_UNDISPATCHED = text("dispatched_at IS NULL")


class Webhook(Base):
    """A workspace's subscription: where to POST which events.

    ``secret`` is the ``whsec_`` signing secret itself, not a digest: signing needs the
    key (HMAC), so it is stored as it is and never answered after creation.
    ``previous_secret`` is the secret replaced by a rotation; deliveries are signed with
    both until ``previous_secret_expires_at``. ``failing_since``: the first failed
    attempt of the current run of failures (reset by a success); five days of it, or a
    410, deactivate the webhook with ``disabled_reason``."""

    __tablename__ = "webhooks"

    id: Mapped[IntPk]
    workspace_id: Mapped[WorkspaceFk]
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(255))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class OutboxMessage(Base):
    """Something to send once its transaction has committed: a webhook event (``kind``
    is the event type, e.g. ``project.created``) or a mail (``kind`` ``mail``).
    ``dispatched_at`` is set when the worker has made its deliveries; the partial index
    keeps finding the rows still to dispatch cheap however long the table grows.
    ``workspace_id`` is null for mail that belongs to no workspace (an email change)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_undispatched",
            "id",
            postgresql_where=_UNDISPATCHED,
            sqlite_where=_UNDISPATCHED,
        ),
    )

    id: Mapped[IntPk]
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[CreatedAt]
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Delivery(Base):
    """One outbox row on its way to one webhook (``webhook_id``) or to the mailer
    (``webhook_id`` null). ``next_attempt_at`` is when the worker may take it next: a
    worker that claims it moves it a lease ahead first, so a worker that dies mid-send
    leaves it to be taken again, never lost. The partial index serves the claim query
    (due pending deliveries); ``(webhook_id, id)`` serves the delivery log and the check
    that keeps each webhook's deliveries in order."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("outbox_id", "webhook_id"),
        Index("ix_deliveries_due", "next_attempt_at", postgresql_where=_PENDING, sqlite_where=_PENDING),
        Index("ix_deliveries_webhook_id_id", "webhook_id", "id"),
    )

    id: Mapped[IntPk]
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[CreatedAt]
