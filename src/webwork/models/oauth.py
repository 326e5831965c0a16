"""OAuth 2 clients that owners register per workspace, the authorization codes they
receive and the tokens issued to them. Codes and tokens are opaque random strings of
which only the SHA-256 digest is stored, so a leaked database leaks no usable one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webwork.kit.db import Base, UTCDateTime
from webwork.models._columns import CreatedAt, IntPk, UpdatedAt, UserFk, WorkspaceFk


class OAuthClient(Base):
    """An application allowed to ask the workspace's members for access. ``scope`` and
    ``grant_types`` are space-separated lists, as OAuth writes them; a public client
    (a browser or native app, which cannot keep a secret) has no ``secret_digest``."""

    __tablename__ = "oauth_clients"

    id: Mapped[IntPk]
    workspace_id: Mapped[WorkspaceFk]
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    secret_digest: Mapped[str | None] = mapped_column(String(64))
    redirect_uris: Mapped[list[Any]] = mapped_column(JSON, default=list)
    scope: Mapped[str] = mapped_column(String(2000))
    grant_types: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class OAuthAuthorizationCode(Base):
    """A code handed to a client's redirect URI; kept after its use (``used_at``) so that
    a second use is recognised and the tokens issued from it are revoked."""

    __tablename__ = "oauth_authorization_codes"

    id: Mapped[IntPk]
    client_id: Mapped[int] = mapped_column(ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[UserFk]
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    scope: Mapped[str] = mapped_column(String(2000))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[CreatedAt]


class OAuthToken(Base):
    """An access token and, for user grants, its refresh token. Every token issued by
    refreshing carries its parent's ``family_id`` (and authorization code): a refresh
    token used twice (``rotated_at`` already set) revokes the whole family."""

    __tablename__ = "oauth_tokens"

    id: Mapped[IntPk]
    client_id: Mapped[int] = mapped_column(ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[WorkspaceFk]
    user_id: Mapped[UserFk]
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    authorization_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("oauth_authorization_codes.id", ondelete="SET NULL"), index=True
    )
    access_digest: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(2000))
    access_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[CreatedAt]


class PasswordReset(Base):
    """A password reset link's token (digest only), one per user: a new request
    replaces it, setting the password uses it up."""

    __tablename__ = "password_resets"

    id: Mapped[IntPk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[CreatedAt]
