"""What the webhook tests share: dispatching the outbox without sending anything, and a
real HTTP receiver on 127.0.0.1 that checks signatures as a subscriber would."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.kit import clock
from webwork.webhooks import repository


async def dispatch_outbox(session: AsyncSession) -> None:
    """Turn the outbox into deliveries (the worker's first step), sending nothing: for
    tests that need a delivery to exist but no receiver."""
    await repository.dispatch(session, clock.utcnow(), 1000)
    await session.commit()
