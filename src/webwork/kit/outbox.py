"""The transactional outbox: what must leave the server once a change has committed
(webhook events, mail) is written as a row in the transaction of that change.

A committed change therefore always has its row, and a rolled-back one never does; the
worker (``webwork.webhooks.worker``) sends the rows later, retrying while the receiver
or the mail server is down, so no request waits for, or fails with, either."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.kit import clock
from webwork.models import OutboxMessage

MAIL = "mail"


def enqueue(
    session: AsyncSession, *, workspace_id: int | None, kind: str, payload: dict[str, Any]
) -> OutboxMessage:
    """Add the row to the session's unit of work: it is inserted with the rest of the
    transaction (one INSERT, no flush of its own) and only if that commits."""
    row = OutboxMessage(workspace_id=workspace_id, kind=kind, payload=payload, created_at=clock.utcnow())
    session.add(row)
    return row
