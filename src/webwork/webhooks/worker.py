"""The worker that empties the outbox: webhook deliveries and mail.

One pass (:meth:`Worker.run_once`) is three short transactions and the sending between
them, never inside one (no network I/O holds a lock):

1. dispatch: new outbox rows become deliveries (``repository.dispatch``);
2. claim: due deliveries are taken (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any
   number of workers share them; SQLite has one writer, so one worker) and leased;
3. send them all at once, then record each outcome in a new transaction: delivered, or
   due again after a backoff (about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, with
   jitter), then failed. A 410 answer, or failures for five days, deactivate the webhook
   with the reason shown to owners.

A worker that dies between claiming and recording loses nothing: the lease runs out
and the delivery is taken again, with the same ``webhook-id`` (at least once)."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlunsplit

import httpx
from standardwebhooks import Webhook as Signer

from webwork.config import Settings
from webwork.kit import clock, outbox
from webwork.kit.db import Database
from webwork.kit.mail import Mailer, send_queued
from webwork.kit.outbox import MAIL
from webwork.models.statuses import DeliveryStatus
from webwork.webhooks import repository, service, urls
from webwork.webhooks.repository import Claimed

log = logging.getLogger("webwork.webhooks")

TIMEOUT_SECONDS = 10.0
# Longer than any attempt (the timeout), so that a living worker's claim never lapses.
LEASE = timedelta(seconds=60)
BACKOFF = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
JITTER = 0.1
MAX_ATTEMPTS = len(BACKOFF) + 1
DISABLE_AFTER = timedelta(days=5)
BATCH = 50
# Deliveries of one webhook sent one after another in a pass (in order; the first failure
# ends the run, and the rest wait for its retry).
RUN = 20
DISPATCH_BATCH = 500
# What is done with is forgotten at most this often, this many outbox rows a statement.
PRUNE_EVERY = timedelta(hours=1)
PRUNE_BATCH = 1000
USER_AGENT = "webwork-webhooks"


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to. ``gone``: the receiver answered 410."""

    ok: bool
    response_code: int | None = None
    latency_ms: int | None = None
    error: str | None = None

    @property
    def gone(self) -> bool:
        return self.response_code == 410


def backoff(attempt: int) -> timedelta | None:
    """How long after failed attempt number ``attempt`` (1-based) to try again, with
    ±10% jitter so that receivers coming back are not hit by every retry at once; None
    once the attempts are spent."""
    if attempt >= MAX_ATTEMPTS:
        return None
    return BACKOFF[attempt - 1] * random.uniform(1 - JITTER, 1 + JITTER)


def body_of(claimed: Claimed, salt: str) -> bytes:
    """The JSON body of an event: the same bytes on every attempt."""
    outbox = claimed.outbox
    event = {
        "id": service.event_id(outbox.id, salt),
        "type": outbox.kind,
        "timestamp": outbox.created_at.isoformat().replace("+00:00", "Z"),
        "workspace_id": outbox.workspace_id,
        "data": outbox.payload.get("data", {}),
    }
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


class Worker:
    """Sends what the outbox holds; ``mailer`` sends the mail (the app's, in tests)."""

    def __init__(self, database: Database, settings: Settings, mailer: Mailer) -> None:
        self.database = database
        self.settings = settings
        self.mailer = mailer
        self.pruned_at: datetime | None = None
        # No connection is reused: each delivery connects to the address it checked,
        # under its own host name (TLS server name), never to another host's connection.
        self.client = httpx.AsyncClient(
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={"user-agent": USER_AGENT},
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def run(self, stop: asyncio.Event) -> None:
        """Pass after pass until ``stop`` is set. After a pass that found nothing it
        waits ``worker_poll_interval``, or less when a commit of this process wrote to
        the outbox (``kit.outbox.listening``). A failing pass (the database is away) is
        logged and retried."""
        wake = asyncio.Event()
        with outbox.listening(wake.set):
            while not stop.is_set():
                try:
                    busy = await self.run_once()
                except Exception:
                    log.exception("webhook worker pass failed; retrying")
                    busy = 0
                if not busy:
                    await _first(stop, wake, self.settings.worker_poll_interval)
                    wake.clear()

    async def run_once(self) -> int:
        """One pass; answers how many outbox rows and deliveries it handled."""
        now = clock.utcnow()
        await self.prune(now)
        async with self.database.unit_of_work(write=True) as session:
            dispatched = await repository.dispatch(session, now, DISPATCH_BATCH)
        async with self.database.unit_of_work(write=True) as session:
            runs = await repository.claim(session, now, now + LEASE, BATCH, RUN)
        if not runs:
            return dispatched
        outcomes = await asyncio.gather(*(self._send_run(run) for run in runs))
        async with self.database.unit_of_work(write=True) as session:
            for run, results in zip(runs, outcomes, strict=True):
                for item, outcome in zip(run, results, strict=True):
                    await self._record(session, item, outcome)
        return dispatched + sum(len(run) for run in runs)

    async def prune(self, now: datetime) -> None:
        """Events and mail done with for ``webhook_retention_days`` are deleted with their
        delivery logs, at most once an hour, in batches: the outbox never grows without
        bound. Several workers may prune at once; a row goes once."""
        if self.pruned_at is not None and now - self.pruned_at < PRUNE_EVERY:
            return
        self.pruned_at = now
        before = now - timedelta(days=self.settings.webhook_retention_days)
        while True:
            async with self.database.unit_of_work(write=True) as session:
                if await repository.prune(session, before, PRUNE_BATCH) < PRUNE_BATCH:
                    return

    async def _send_run(self, run: list[Claimed]) -> list[Outcome | None]:
        """A webhook's deliveries one after another (each webhook's runs go at once);
        after a failure the rest are not tried (None), so none overtakes it."""
        results: list[Outcome | None] = []
        for claimed in run:
            if results and not (results[-1] and results[-1].ok):
                results.append(None)
                continue
            results.append(await self.attempt(claimed))
        return results

    async def drain(self) -> None:
        """Passes until nothing is due (what is scheduled later stays): for tests and
        for one-off runs."""
        while await self.run_once():
            pass

    async def attempt(self, claimed: Claimed) -> Outcome:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                if claimed.outbox.kind == MAIL:
                    await send_queued(self.mailer, claimed.outbox.payload)
                    return Outcome(ok=True)
                code = await self._post(claimed)
        # A refused address, a network failure, a timeout, a mailer's own error: all
        # are retried alike, and the delivery log says which it was.
        except Exception as exc:
            return Outcome(ok=False, latency_ms=_since(started), error=_described(exc))
        return Outcome(ok=200 <= code < 300, response_code=code, latency_ms=_since(started))

    async def _post(self, claimed: Claimed) -> int:
        webhook = claimed.webhook
        assert webhook is not None
        salt = self.settings.id_salt
        body = body_of(claimed, salt)
        msg_id = service.message_id(claimed.delivery_id, salt)
        now = clock.utcnow()
        signature = " ".join(
            Signer(secret).sign(msg_id, now, body) for secret in service.signing_secrets(webhook, now)
        )
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        }
        url, extensions = await self._destination(webhook.url, headers)
        async with self.client.stream(
            "POST", url, content=body, headers=headers, extensions=extensions
        ) as response:
            return response.status_code

    async def _destination(self, url: str, headers: dict[str, str]) -> tuple[str, dict[str, Any]]:
        """Where to connect: unless private addresses are allowed, the host is resolved
        here, every address checked (SSRF), and the request sent to the first one, with
        the host's name in ``Host`` and as the TLS server name (httpx's documented
        ``sni_hostname`` extension), so the certificate is still checked for it."""
        if self.settings.allow_private_webhooks:
            return url, {}
        parts = urls.parse(url, allow_http=True)
        host = parts.hostname or ""
        addresses = await urls.resolve(host, urls.default_port(parts))
        urls.ensure_public(host, addresses)
        address = addresses[0]
        literal = f"[{address}]" if address.version == 6 else str(address)
        headers["host"] = parts.netloc
        netloc = f"{literal}:{urls.default_port(parts)}"
        pinned = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        return pinned, {"sni_hostname": host}

    async def _record(self, session: Any, claimed: Claimed, outcome: Outcome | None) -> None:
        now = clock.utcnow()
        if outcome is None:  # behind a failure in its run: due again, behind it
            released = {"attempts": repository.UNCOUNTED, "next_attempt_at": now}
            await repository.record(session, claimed.delivery_id, claimed.attempt, released)
            return
        values: dict[str, Any] = {
            "last_attempt_at": now,
            "response_code": outcome.response_code,
            "latency_ms": outcome.latency_ms,
            "error": outcome.error,
        }
        delay = None if outcome.ok or outcome.gone else backoff(claimed.attempt)
        if outcome.ok:
            values["status"] = DeliveryStatus.DELIVERED.value
        elif delay is None:
            values["status"] = DeliveryStatus.FAILED.value
        else:
            values["next_attempt_at"] = now + delay
        if not await repository.record(session, claimed.delivery_id, claimed.attempt, values):
            return
        if claimed.outbox.kind == MAIL:
            if outcome.ok or delay is None:
                await repository.forget_mail_body(session, claimed.outbox.id, claimed.outbox.payload)
            return
        await self._follow_webhook(session, claimed, outcome, now)

    async def _follow_webhook(self, session: Any, claimed: Claimed, outcome: Outcome, now: datetime) -> None:
        """A success ends the webhook's run of failures; a 410, or failures for
        ``DISABLE_AFTER``, deactivate it with the reason owners read."""
        assert claimed.webhook is not None
        if outcome.ok and claimed.webhook.failing_since is None:
            return  # nothing to change: the common case reads nothing
        webhook = (await repository.webhooks_by_id(session, {claimed.webhook.id})).get(claimed.webhook.id)
        if webhook is None:
            return
        if outcome.ok:
            webhook.failing_since = None
        else:
            webhook.failing_since = webhook.failing_since or now
            reason = None
            if outcome.gone:
                reason = "The receiver answered 410 Gone."
            elif now - webhook.failing_since >= DISABLE_AFTER:
                reason = "Deliveries failed for 5 days."
            if reason is not None and webhook.is_active:
                webhook.is_active = False
                webhook.disabled_reason, webhook.disabled_at = reason, now
                await session.flush()
                await repository.count_active(session, webhook.workspace_id)
                log.warning("webhook %s deactivated: %s", webhook.id, reason)
        await session.flush()


async def _first(stop: asyncio.Event, wake: asyncio.Event, at_most: float) -> None:
    """Wait until either event is set, or ``at_most`` seconds."""
    waiting = [asyncio.create_task(stop.wait()), asyncio.create_task(wake.wait())]
    try:
        await asyncio.wait(waiting, timeout=at_most, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waiting:
            task.cancel()


def _since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _described(exc: BaseException) -> str:
    """An error fit for the delivery log: never a URL's secret parts or a signature."""
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:500]
