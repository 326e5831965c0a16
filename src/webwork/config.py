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

    database_url: str = Field(
        "sqlite+aiosqlite:///./webwork.db",
        description="The database, as an async URL: `postgresql+asyncpg://...` or `sqlite+aiosqlite://...` "
        "(a `postgres://` or `sqlite://` URL is refused with the async one to use instead).",
    )
    host: str = Field("127.0.0.1", description="Bind address of `webwork serve`.")
    port: int = Field(8000, description="Port of `webwork serve` (1..65535).")
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Processes of `webwork serve` (1..64). More than one needs PostgreSQL, and "
        "`WEBWORK_REDIS_URL` while a rate limit is set, so that the limit is shared.",
    )
    shutdown_grace: int = Field(
        30,
        ge=0,
        le=3600,
        description="On SIGTERM `serve` stops accepting at once; the requests in flight get this many "
        "seconds (0..3600) to finish before they are cut off, then it exits 0.",
    )
    rate_limit: str = Field(
        "600/minute",
        description="`<count>/<second|minute|hour|day>` per authenticated user (all their keys), per "
        "client address for anonymous calls, failed authentications and the public invitation "
        "routes; `off` disables it.",
    )
    redis_url: str | None = Field(
        None,
        description="Redis shared by every node for the rate-limit counters (`redis://` or `rediss://`, "
        "e.g. `redis://127.0.0.1:6379/0`). If Redis stops answering, each node counts on its own "
        "(with a warning) and retries Redis after 30 s.",
    )
    trusted_proxies: Annotated[tuple[Network, ...], NoDecode] = Field(
        (),
        description="Comma-separated IPs and CIDR networks of your reverse proxies (`127.0.0.1,10.0.0.0/8`). "
        "Only a request whose socket peer is one of them is believed about its client (`X-Forwarded-For`, "
        "else `Forwarded`, else `X-Real-IP`); anyone else's forwarded headers count for nothing.",
    )
    public_url: str | None = Field(
        None,
        description="Base URL of invitation links (`http://` or `https://`); set it behind a proxy. "
        "Unset: `http://<host>:<port>` that `serve` was started on; never a request's `Host` header.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Signs the session cookie of the sign-in, consent, invitation and password reset "
        "pages. Unset: a random key per process, so signing in lasts until a restart and works with "
        "one process only; set it (the same on every process and node, 32+ random characters) to serve "
        "the pages from several.",
    )
    login_rate_limit: str = Field(
        "10/minute",
        description="Sign-in attempts (and password reset requests) per account and per client address, "
        "like `WEBWORK_RATE_LIMIT`; `off` disables it.",
    )
    id_salt: str = Field(
        "webwork",
        description="Keys the opaque encoding of short ids (timesheet ids); not a security boundary, "
        "but changing it changes those ids.",
    )
    echo_sql: bool = Field(
        False,
        description="Log every SQL statement (SQLAlchemy's echo), for debugging; the values bound to them "
        "are never logged (they hold webhook secrets and people's data).",
    )
    access_log: bool = Field(
        False,
        description="One JSON log line per request on the `webwork.access` logger (method, route template, "
        "status, duration, principal id, request id; never a header, token or body); off by default, "
        "since it costs more than some requests.",
    )
    max_body_bytes: int = Field(
        1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="Largest request body accepted, in bytes (default 1 MiB); a larger one, declared or "
        "sent in chunks, is refused with 413 before it is parsed.",
    )
    metrics: bool = Field(
        True, description="Serve Prometheus metrics at `/metrics` (each server process counts its own)."
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="When set, `/metrics` answers only requests with `Authorization: Bearer <this token>`.",
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Comma-separated origins allowed to call the API from a browser "
        "(`https://app.example.com,https://admin.example.com`, or `*`); none by default: CORS off.",
    )
    max_concurrency: int = Field(
        4,
        ge=0,
        le=10_000,
        description="API requests one process runs at once; later ones wait in arrival order. `0`: no limit.",
    )
    report_processes: int = Field(
        1,
        ge=0,
        le=64,
        description="Processes (0..64) beside each serving process that render the largest reports "
        "(tracked hours of 100,000 member-days or more, on PostgreSQL; SQLite's are rendered in a thread), "
        "at a lower CPU priority, so that a report does not slow the other requests; spawned on first use "
        '(a script of your own that serves the app needs `if __name__ == "__main__":`). `0`: in a thread '
        "of the serving process.",
    )

    mail_backend: Literal["log", "smtp"] = Field(
        "log",
        description="`log` writes every mail (invitations, confirmation codes) to the `webwork.mail` log, "
        "for development; `smtp` sends it through the SMTP server below, after the request's commit.",
    )
    mail_from: str = Field(
        "WebWork <webwork@localhost>", description="Sender of invitations and confirmation codes."
    )
    smtp_host: str = Field(
        "localhost", min_length=1, description="SMTP server (with `WEBWORK_MAIL_BACKEND=smtp`)."
    )
    smtp_port: int = Field(25, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_username: str | None = Field(
        None, description="SMTP login name (set both login settings or neither)."
    )
    smtp_password: SecretStr | None = Field(
        None, description="SMTP password (set both login settings or neither)."
    )
    smtp_starttls: bool = Field(
        False, description="Upgrade the SMTP connection with STARTTLS (usually port 587)."
    )

    allow_http_webhooks: bool = Field(
        False,
        description="Accept webhook URLs with `http://` (development); otherwise only `https://` ones.",
    )
    allow_private_webhooks: bool = Field(
        False,
        description="Accept webhook URLs on loopback, private, link-local and cloud metadata addresses "
        "(a receiver on your own network). Otherwise such URLs are refused when a webhook is saved (after "
        "a DNS lookup) and again at every delivery, against the address connected to; set, no DNS lookup "
        "happens when a webhook is saved.",
    )
    serve_worker: bool = Field(
        True,
        description="`webwork serve` also runs the webhook and mail worker, in each of its processes. Set "
        "false (or run `serve --no-worker`) when `webwork worker` runs on its own (compose.yaml does).",
    )
    webhook_retention_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="Days (1..3650) that sent events and mail, and the webhooks' delivery logs, are kept; "
        "the worker then deletes them (undelivered ones stay until they are delivered or fail).",
    )
    worker_poll_interval: float = Field(
        1.0,
        ge=0.05,
        le=60,
        description="Seconds (0.05..60) the webhook and mail worker waits between looks for work when it "
        "found none; the most a new event or mail waits before it is sent.",
    )

    @property
    def public_https(self) -> bool:
        """Whether the server is reached over HTTPS (its cookies are then Secure)."""
        return (self.public_url or "").startswith("https://")

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

    @field_validator("rate_limit", "login_rate_limit")
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

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _cors_origins(cls, value: object) -> object:
        """The environment's comma-separated form; each origin is `*` or scheme://host[:port]."""
        if not isinstance(value, str):
            return value
        origins = tuple(item.strip().rstrip("/") for item in value.split(",") if item.strip())
        for origin in origins:
            parts = urlsplit(origin)
            if origin != "*" and (parts.scheme not in ("http", "https") or not parts.hostname or parts.path):
                raise ValueError(f"{origin!r} is not an origin like https://app.example.com (or *)")
        return origins

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
