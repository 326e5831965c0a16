"""The transactional outbox: what must leave the server once a change has committed
(webhook events, mail) is written as a row in the transaction of that change.

A committed change therefore always has its row, and a rolled-back one never does; the
worker (``webwork.webhooks.worker``) sends the rows later, retrying while the receiver
or the mail server is down, so no request waits for, or fails with, either."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.kit import clock
from webwork.kit.db import AFTER_COMMIT, after_commit
from webwork.models import OutboxMessage

MAIL = "mail"

# The workers of this process waiting for work (``webhooks.worker``): told after a
# commit that wrote to the outbox, so that they send at once instead of at their next
# look. Workers of other processes find the rows when they next look.
_listeners: set[Callable[[], None]] = set()


@contextmanager
def listening(callback: Callable[[], None]) -> Iterator[None]:
    """Call ``callback`` after each commit in this process that wrote to the outbox."""
    _listeners.add(callback)
    try:
        yield
    finally:
        _listeners.discard(callback)


async def _tell_listeners() -> None:
    for callback in list(_listeners):
        callback()


def enqueue(
    session: AsyncSession, *, workspace_id: int | None, kind: str, payload: dict[str, Any]
) -> OutboxMessage:
    """Add the row to the session's unit of work: it is inserted with the rest of the
    transaction (one INSERT, no flush of its own) and only if that commits."""
    row = OutboxMessage(workspace_id=workspace_id, kind=kind, payload=payload, created_at=clock.utcnow())
    session.add(row)
    if _tell_listeners not in session.info.get(AFTER_COMMIT, ()):
        after_commit(session, _tell_listeners)
    return row
