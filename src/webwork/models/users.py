"""People and their credentials. A user exists once per installation; what they may do
in a workspace is on their Membership."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webwork.kit.db import Base, UTCDateTime
from webwork.models._columns import CreatedAt, IntPk, UpdatedAt


class User(Base):
    __tablename__ = "users"

    id: Mapped[IntPk]
    email: Mapped[str] = mapped_column(String(255), unique=True)
    firstname: Mapped[str] = mapped_column(String(100), default="")
    lastname: Mapped[str] = mapped_column(String(100), default="")
    avatar: Mapped[str | None] = mapped_column(String(500))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    @property
    def fullname(self) -> str:
        return f"{self.firstname} {self.lastname}".strip() or self.email


class ConfirmationCode:
    """The columns of a mailed confirmation code (``members/confirmation.py``): only its
    digest, the attempts spent on it, when it expires and when it was sent."""

    digest: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[CreatedAt]


class EmailChange(ConfirmationCode, Base):
    """A user's new email, waiting for the code mailed to it: ``users.email`` changes only
    when the user, signed in, confirms that code. Nothing reserves the new address
    meanwhile (no unique constraint here): an account that takes it first wins, and the
    confirmation is then refused."""

    __tablename__ = "email_changes"

    id: Mapped[IntPk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str] = mapped_column(String(255))


class ApiKey(Base):
    """Personal API key. Only the SHA-256 digest is stored; the key is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[IntPk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[CreatedAt]
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
