"""Where idempotency meets HTTP: the auth dependency hands over the caller
(:func:`claim`), the unit of work settles or abandons the claim
(``kit.db.UnitOfWorkRoute``), and a replay is answered by its exception handler."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from webwork.idempotency import service
from webwork.kit.db import CLAIM, Database
from webwork.kit.errors import ApiError, error_response

log = logging.getLogger(__name__)

HEADER = "idempotency-key"
REPLAYED = "Idempotent-Replayed"


class Replay(Exception):
    """The stored answer, to be sent instead of running the request again."""

    def __init__(self, answer: service.Answer) -> None:
        super().__init__("replayed")
        self.answer = answer


async def claim(request: Request, user_id: int) -> None:
    """For a POST with an ``Idempotency-Key``: claim the key for ``user_id`` (committed at
    once, in a transaction of its own) or raise :class:`Replay`, 409 or 422."""
    if request.method != "POST":
        return
    key = request.headers.get(HEADER)
    if key is None:
        return
    key = service.checked_key(key)
    fingerprint = service.fingerprint(
        request.method, request.url.path, request.scope["query_string"], await request.body()
    )
    database: Database = request.app.state.database
    async with database.unit_of_work(write=True) as session:
        stored = await service.claim(session, user_id, key, fingerprint)
    if stored is not None:
        raise Replay(stored)
    request.scope["state"][CLAIM] = KeyClaim(database, user_id, key)


@dataclass
class KeyClaim:
    database: Database
    user_id: int
    key: str

    async def settle(self, session: AsyncSession, response: Response) -> None:
        """Store the answer with the request's writes. An answer without a body to keep
        (a stream) is not replayable: the key is released with the same commit."""
        body = getattr(response, "body", None)
        if not isinstance(body, bytes):
            await service.release(session, self.user_id, self.key)
            return
        answer = service.Answer(response.status_code, response.headers.get("content-type"), body)
        await service.record(session, self.user_id, self.key, answer)

    async def abandon(self, error: BaseException) -> None:
        """The request failed and its writes were rolled back. A refusal by the API's own
        rules (an ``ApiError``: not found, conflict, forbidden...) is the answer, stored
        as Stripe stores it; anything else (the body did not validate, the database went
        away, the client left) releases the key so that a retry runs afresh. If even
        that fails, the claim lapses after its lease."""
        try:
            async with self.database.unit_of_work(write=True) as session:
                if isinstance(error, ApiError):
                    response = error_response(error)
                    answer = service.Answer(response.status_code, response.media_type, bytes(response.body))
                    await service.record(session, self.user_id, self.key, answer)
                else:
                    await service.release(session, self.user_id, self.key)
        except Exception:
            log.warning("could not settle Idempotency-Key after a failed request", exc_info=True)


async def _replay(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replay)
    answer = exc.answer
    return Response(
        answer.body, answer.status_code, media_type=answer.content_type, headers={REPLAYED: "true"}
    )


def install_replays(app: FastAPI) -> None:
    app.add_exception_handler(Replay, _replay)
