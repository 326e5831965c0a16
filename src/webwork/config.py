"""Runtime settings, read from the environment with the ``WEBWORK_`` prefix."""

from __future__ import annotations

from email.utils import parseaddr
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEBWORK_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./webwork.db"
    host: str = "127.0.0.1"
    port: int = 8000
    # "<count>/<second|minute|hour>" per principal, or "off".
    rate_limit: str = "600/minute"
    redis_url: str | None = None
    # Base URL of invitation links (set it behind a proxy); unset: http://<host>:<port>.
    public_url: str | None = None
    # Keys the opaque encoding of short ids (timesheets, webhooks); not a security boundary.
    id_salt: str = "webwork"
    echo_sql: bool = False
    # Mail (invitations, confirmation codes): "log" writes each mail to the `webwork.mail`
    # log (development), "smtp" sends it through the SMTP server below.
    mail_backend: Literal["log", "smtp"] = "log"
    mail_from: str = "WebWork <webwork@localhost>"
    smtp_host: str = Field("localhost", min_length=1)
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False

    def public_address(self) -> str:
        """The base of links this server hands out: never a request's Host header, which
        any client can set."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @field_validator("mail_from")
    @classmethod
    def _one_address(cls, value: str) -> str:
        """One "Name <address>" or bare address, nothing that could add a header."""
        _, address = parseaddr(value)
        if "\r" in value or "\n" in value or "@" not in address:
            raise ValueError("must be one email address, e.g. 'WebWork <webwork@example.com>'")
        return value

    @model_validator(mode="after")
    def _smtp_login_pair(self) -> Settings:
        if (self.smtp_username is None) != (self.smtp_password is None):
            missing = "smtp_password" if self.smtp_password is None else "smtp_username"
            raise ValueError(f"{missing} is required when the other SMTP login setting is set")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
