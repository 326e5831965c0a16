"""All SQL of the webhooks domain: subscriptions read through ``readable(actor)`` (the
caller's workspace), and the worker's statements on the outbox and the deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from webwork.auth.principal import Actor
from webwork.kit.db import save, write_rows
from webwork.kit.outbox import MAIL
from webwork.kit.pagination import Page, Paged, PageParams, fetch_page
from webwork.models import Delivery, OutboxMessage, Webhook, Workspace
from webwork.models.statuses import DeliveryStatus
from webwork.webhooks.schemas import PING

PENDING = DeliveryStatus.PENDING.value
# A claimed delivery given back untried: its attempt is not counted.
UNCOUNTED = Delivery.attempts - 1
# Serialises dispatching on PostgreSQL, so that deliveries are numbered in the order of
# the outbox whatever the number of workers (any constant the application owns).
DISPATCH_LOCK = 0x77656268


def readable(actor: Actor) -> Select[Any]:
    return select(Webhook).where(Webhook.workspace_id == actor.workspace_id)


async def list_page(session: AsyncSession, actor: Actor, params: PageParams) -> Page[Webhook]:
    return await fetch_page(session, Paged.of(readable(actor).order_by(Webhook.id)), params)


async def get(session: AsyncSession, actor: Actor, webhook_id: int) -> Webhook | None:
    webhook: Webhook | None = await session.scalar(readable(actor).where(Webhook.id == webhook_id))
    return webhook


async def add(session: AsyncSession, webhook: Webhook) -> None:
    await save(session, webhook)


async def remove(session: AsyncSession, webhook: Webhook) -> None:
    await session.delete(webhook)
    await session.flush()


async def count_active(session: AsyncSession, workspace_id: int) -> None:
    """Store on the workspace how many of its webhooks are active (one statement): a
    change in a workspace with none writes no event (``service.emit``)."""
    active = (
        select(func.count(Webhook.id))
        .where(Webhook.workspace_id == workspace_id, Webhook.is_active.is_(True))
        .scalar_subquery()
    )
    await session.execute(
        update(Workspace).where(Workspace.id == workspace_id).values(active_webhooks=active)
    )


def _deliveries_of(webhook: Webhook) -> Select[Delivery, str]:
    return (
        select(Delivery, OutboxMessage.kind)
        .join(OutboxMessage, OutboxMessage.id == Delivery.outbox_id)
        .where(Delivery.webhook_id == webhook.id)
    )


async def delivery_page(session: AsyncSession, webhook: Webhook, params: PageParams) -> Page[Any]:
    """The webhook's deliveries, newest first, each with its event's type."""
    return await fetch_page(session, Paged.of(_deliveries_of(webhook).order_by(Delivery.id.desc())), params)


async def delivery(session: AsyncSession, webhook: Webhook, delivery_id: int) -> tuple[Delivery, str] | None:
    row = (await session.execute(_deliveries_of(webhook).where(Delivery.id == delivery_id))).first()
    return None if row is None else (row[0], row[1])


# --- the worker ---------------------------------------------------------------------


async def dispatch(session: AsyncSession, now: datetime, limit: int) -> int:
    """Turn up to ``limit`` outbox rows, oldest first, into deliveries: one per active
    webhook of the workspace subscribed to the event (and created before it), the
    webhook a ``ping`` names, one for a mail. Answers how many rows it dispatched.

    Done by the worker rather than in the request: the request then writes one row per
    event whatever the number of webhooks, and never reads them. Dispatching is
    serialised (an advisory lock on PostgreSQL; SQLite has one writer), so deliveries
    are numbered in outbox order, the order each webhook receives its events in."""
    postgresql = session.bind is not None and session.bind.dialect.name == "postgresql"
    if postgresql and not await session.scalar(select(func.pg_try_advisory_xact_lock(DISPATCH_LOCK))):
        return 0
    rows = (
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dispatched_at.is_(None))
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update()
        )
    ).all()
    if not rows:
        return 0
    workspaces = {row.workspace_id for row in rows if row.kind != MAIL}
    webhooks = (
        (
            await session.scalars(
                select(Webhook).where(Webhook.workspace_id.in_(workspaces)).order_by(Webhook.id)
            )
        ).all()
        if workspaces
        else []
    )
    deliveries = [
        {
            "outbox_id": row.id,
            "webhook_id": target,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for row in rows
        for target in _targets(row, webhooks)
    ]
    if deliveries:
        await write_rows(session, insert(Delivery), deliveries)
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_([row.id for row in rows])).values(dispatched_at=now)
    )
    return len(rows)


def _targets(row: OutboxMessage, webhooks: Sequence[Webhook]) -> list[int | None]:
    if row.kind == MAIL:
        return [None]
    if row.kind == PING:
        return [w.id for w in webhooks if w.id == row.payload.get("webhook_id")]
    return [
        w.id
        for w in webhooks
        if w.workspace_id == row.workspace_id
        and w.is_active
        and row.kind in w.events
        and w.created_at <= row.created_at
    ]


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker took, with what it needs to send it (read, not locked)."""

    delivery_id: int
    attempt: int
    outbox: OutboxMessage
    webhook: Webhook | None


async def claim(
    session: AsyncSession, now: datetime, lease_until: datetime, limit: int, run: int
) -> list[list[Claimed]]:
    """Take due pending deliveries as runs: up to ``limit`` heads, each the oldest
    pending delivery of its webhook (a webhook's later events wait for the earlier ones:
    they arrive in order) of an active webhook, or a mail; behind each webhook's head,
    up to ``run`` - 1 of its next due deliveries, to send one after another in this
    pass. Heads are locked with SKIP LOCKED (PostgreSQL: other workers take other
    webhooks; the deliveries behind a head wait for it, so they are this worker's too).
    All are moved ``lease_until`` ahead and counted as attempted, so a worker that dies
    before recording the outcome leaves them to be taken again."""
    earlier = aliased(Delivery)
    waiting = exists().where(
        earlier.webhook_id == Delivery.webhook_id, earlier.status == PENDING, earlier.id < Delivery.id
    )
    active = or_(
        Delivery.webhook_id.is_(None),
        exists().where(Webhook.id == Delivery.webhook_id, Webhook.is_active.is_(True)),
    )
    heads = (
        await session.scalars(
            select(Delivery)
            .where(Delivery.status == PENDING, Delivery.next_attempt_at <= now, active, ~waiting)
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not heads:
        return []
    runs = {head.id: [head] for head in heads}
    followers = await _followers(session, [h for h in heads if h.webhook_id is not None], now, run)
    for head_id, behind in followers.items():
        runs[head_id].extend(behind)
    taken = [d for deliveries in runs.values() for d in deliveries]
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_([d.id for d in taken]))
        .values(attempts=Delivery.attempts + 1, next_attempt_at=lease_until),
        execution_options={"synchronize_session": False},
    )
    outbox = {
        m.id: m
        for m in await session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_({d.outbox_id for d in taken}))
        )
    }
    webhooks = await webhooks_by_id(session, {d.webhook_id for d in heads if d.webhook_id is not None})
    return [
        [
            Claimed(d.id, d.attempts + 1, outbox[d.outbox_id], webhooks.get(d.webhook_id or 0))
            for d in deliveries
        ]
        for deliveries in runs.values()
    ]


async def _followers(
    session: AsyncSession, heads: Sequence[Delivery], now: datetime, run: int
) -> dict[int, list[Delivery]]:
    """Per head, the next ``run`` - 1 pending deliveries of its webhook, in order, up to
    the first one not yet due (one statement for every head)."""
    if run < 2 or not heads:
        return {}
    rank = func.row_number().over(partition_by=Delivery.webhook_id, order_by=Delivery.id).label("rank")
    ranked = (
        select(Delivery.id, rank)
        .where(
            Delivery.webhook_id.in_([h.webhook_id for h in heads]),
            Delivery.status == PENDING,
            Delivery.id.not_in([h.id for h in heads]),
        )
        .subquery()
    )
    rows = (
        await session.scalars(
            select(Delivery)
            .join(ranked, ranked.c.id == Delivery.id)
            .where(ranked.c.rank < run)
            .order_by(Delivery.webhook_id, Delivery.id)
        )
    ).all()
    head_of = {h.webhook_id: h.id for h in heads}
    result: dict[int, list[Delivery]] = {}
    stopped: set[int | None] = set()
    for delivery in rows:
        if delivery.webhook_id in stopped:
            continue
        if delivery.next_attempt_at > now:
            stopped.add(delivery.webhook_id)
            continue
        result.setdefault(head_of[delivery.webhook_id], []).append(delivery)
    return result


async def record(session: AsyncSession, delivery_id: int, attempt: int, values: dict[str, Any]) -> bool:
    """The outcome of an attempt, unless the delivery moved on meanwhile (its lease ran
    out and another attempt took it): False then. ``values`` may use
    :data:`UNCOUNTED` for ``attempts`` (a delivery of a run that was not tried)."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.attempts == attempt, Delivery.status == PENDING)
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    return cast(CursorResult[Any], result).rowcount == 1


async def webhooks_by_id(session: AsyncSession, ids: set[int]) -> dict[int, Webhook]:
    if not ids:
        return {}
    return {w.id: w for w in await session.scalars(select(Webhook).where(Webhook.id.in_(ids)))}


async def forget_mail_body(session: AsyncSession, outbox_id: int, payload: dict[str, Any]) -> None:
    """A mail sent or given up keeps who and what it was, not its body (codes, links)."""
    kept = {key: value for key, value in payload.items() if key != "body"}
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(payload=kept))


async def prune(session: AsyncSession, before: datetime, limit: int) -> int:
    """Forget up to ``limit`` outbox rows created before ``before`` that are done with:
    dispatched, and with no delivery still pending (their deliveries go with them, so a
    delivery log keeps the retention period). Answers how many went."""
    pending = exists().where(
        Delivery.outbox_id == OutboxMessage.id, Delivery.status == DeliveryStatus.PENDING.value
    )
    ids = list(
        await session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.dispatched_at.is_not(None), OutboxMessage.created_at < before, ~pending)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    if ids:
        await session.execute(delete(Delivery).where(Delivery.outbox_id.in_(ids)))
        await session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    return len(ids)
