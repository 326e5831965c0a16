"""Answers kept for ``Idempotency-Key`` retries (``webwork/idempotency``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from webwork.kit.db import Base, UTCDateTime
from webwork.models._columns import CreatedAt


class IdempotencyKey(Base):
    """One caller's key: the request it was first sent with (a SHA-256 of method, path,
    query and body) and, once that request has answered, the answer. ``status_code`` is
    null while the first request runs. The row is dropped once ``expires_at`` has passed:
    24 hours after the answer, or a few minutes after the claim if no answer ever came
    (the process stopped mid-request)."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
