"""Runtime settings, read from the environment with the ``WEBWORK_`` prefix.

Every value is checked when the settings load, so a bad one stops ``webwork`` at start
with one line naming the variable, instead of a server that starts and then fails
every request."""

from __future__ import annotations

import re
from email.utils import parseaddr
from functools import lru_cache
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from webwork.kit.proxies import Network, parse_networks

ENV_PREFIX = "WEBWORK_"
_RATE_LIMIT = re.compile(r"[1-9]\d*/(second|minute|hour|day)")
_DATABASE_DRIVERS = ("postgresql+asyncpg://", "sqlite+aiosqlite://")
# The URLs people copy from elsewhere, and the async driver URL to use instead.
_SYNC_DATABASE_URLS = {
    "postgres://": "postgresql+asyncpg://",
    "postgresql://": "postgresql+asyncpg://",
    "postgresql+psycopg2://": "postgresql+asyncpg://",
    "sqlite://": "sqlite+aiosqlite://",
}
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./webwork.db"
    host: str = "127.0.0.1"
    port: int = 8000
    # Processes of `webwork serve`; more than one needs PostgreSQL (and Redis with a rate limit).
    workers: int = Field(1, ge=1, le=64)
    # On SIGTERM: seconds the requests in flight get to finish before they are cut off.
    shutdown_grace: int = Field(30, ge=0, le=3600)
    # "<count>/<second|minute|hour|day>" per principal, or "off".
    rate_limit: str = "600/minute"
    redis_url: str | None = None
    # Peers whose X-Forwarded-For / Forwarded / X-Real-IP name the client (kit/proxies.py):
    # "10.0.0.1,192.168.0.0/16"; none by default, so a client's own headers count for nothing.
    trusted_proxies: Annotated[tuple[Network, ...], NoDecode] = ()
    # Base URL of invitation links (set it behind a proxy); unset: http://<host>:<port>.
    public_url: str | None = None
    # Keys the opaque encoding of short ids (timesheets, webhooks); not a security boundary.
    id_salt: str = "webwork"
    echo_sql: bool = False
    # One log line per request costs more than some requests; on for debugging.
    access_log: bool = False
    # API requests one process runs at once; the rest queue in order (kit/admission.py).
    max_concurrency: int = Field(4, ge=0, le=10_000)

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

    @field_validator("database_url")
    @classmethod
    def _async_database_url(cls, value: str) -> str:
        url = value.strip()
        if url.startswith(_DATABASE_DRIVERS):
            return url
        shown = masked(url)
        for prefix, driver in _SYNC_DATABASE_URLS.items():
            if url.startswith(prefix):
                raise ValueError(f"{shown!r} needs an async driver: use {driver}{shown[len(prefix) :]}")
        raise ValueError(f"{shown!r} is not a database URL starting with {' or '.join(_DATABASE_DRIVERS)}")

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the bind address must not be empty")
        return value.strip()

    @field_validator("port", mode="before")
    @classmethod
    def _port(cls, value: object) -> int:
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= 65535:
            raise ValueError(f"{value!r} is not a port number from 1 to 65535")
        return int(text)

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        limit = re.sub(r"\s+", "", value).lower()
        if limit != "off" and not _RATE_LIMIT.fullmatch(limit):
            raise ValueError(f"{value!r} is not a rate limit like 600/minute or off")
        return limit

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        return _server_url(value, ("redis", "rediss"), "a Redis URL like redis://127.0.0.1:6379/0")

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _trusted_proxies(cls, value: object) -> object:
        """The environment's comma-separated form; a list passed in code is checked by its type."""
        return parse_networks(value) if isinstance(value, str) else value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        return _server_url(value, ("http", "https"), "a base URL like https://time.example.com")

    @field_validator("id_salt")
    @classmethod
    def _id_salt(cls, value: str) -> str:
        if not value:
            raise ValueError("the id salt must not be empty")
        return value


def _server_url(value: str | None, schemes: tuple[str, ...], expected: str) -> str | None:
    """Blank means unset; otherwise one of ``schemes`` and a host."""
    url = (value or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        valid = parts.scheme in schemes and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid:
        raise ValueError(f"{masked(url)!r} is not {expected}")
    return url


def masked(url: str) -> str:
    """A URL fit for an error message: its password replaced by ``***``."""
    return _PASSWORD.sub(r"\1***@", url)


def describe(error: ValidationError) -> list[str]:
    """One line per bad setting, named as the operator sets it: ``WEBWORK_PORT: ...``."""
    lines = []
    for item in error.errors(include_url=False):
        name = ENV_PREFIX + "_".join(str(part) for part in item["loc"]).upper()
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] != "value_error":
            message = f"{item.get('input')!r}: {message}"
        lines.append(f"{name}: {message}")
    return lines


@lru_cache
def get_settings() -> Settings:
    return Settings()
