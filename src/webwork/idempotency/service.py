"""The rules of a key: who holds it, for which request, and until when."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.idempotency import repository
from webwork.kit import clock
from webwork.kit.errors import Conflict, ValidationFailed
from webwork.models.idempotency import IdempotencyKey

KEEP = timedelta(hours=24)
# A claim whose request has not answered by then is given up (its process stopped).
LEASE = timedelta(minutes=5)
MAX_KEY_LENGTH = 255
FIELD = "Idempotency-Key"


@dataclass(frozen=True)
class Answer:
    status_code: int
    content_type: str | None
    body: bytes


def checked_key(key: str) -> str:
    """1 to 255 printable ASCII characters, as Stripe takes them."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ValidationFailed(
            {FIELD: [f"The {FIELD} header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters."]}
        )
    return key


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256(f"{method} {path}?".encode())
    digest.update(query)
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


async def claim(session: AsyncSession, user_id: int, key: str, request_fingerprint: str) -> Answer | None:
    """Take ``key`` for this request (None), or the answer to replay. 422 when the key
    came with another request, 409 while that request still runs.

    The key is looked up before anything is written: on SQLite, where the running first
    request holds the one write lock until it commits, a retry is told 409 at once
    instead of queueing behind it."""
    now = clock.utcnow()
    held = await repository.find(session, user_id, key)
    if held is not None and held.expires_at > now:
        return _answer_for(held, request_fingerprint)
    await repository.purge_expired(session, now)
    if await repository.take(session, user_id, key, request_fingerprint, now + LEASE):
        return None
    held = await repository.find(session, user_id, key)
    if held is None:
        # Released by its failed request between our insert and this read.
        raise Conflict(
            "A request with this Idempotency-Key has just ended; retry it.", code="idempotency_conflict"
        )
    return _answer_for(held, request_fingerprint)


def _answer_for(held: IdempotencyKey, request_fingerprint: str) -> Answer:
    if held.fingerprint != request_fingerprint:
        raise ValidationFailed(
            {FIELD: [f"This {FIELD} was used with a different request (method, path or body)."]}
        )
    if held.status_code is None or held.body is None:
        raise Conflict("A request with this Idempotency-Key is still running.", code="idempotency_conflict")
    return Answer(held.status_code, held.content_type, held.body)


async def record(session: AsyncSession, user_id: int, key: str, answer: Answer) -> None:
    await repository.answer(
        session,
        user_id,
        key,
        status_code=answer.status_code,
        content_type=answer.content_type,
        body=answer.body,
        until=clock.utcnow() + KEEP,
    )


async def release(session: AsyncSession, user_id: int, key: str) -> None:
    await repository.release(session, user_id, key)
