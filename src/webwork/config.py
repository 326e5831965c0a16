"""Runtime settings, read from the environment with the ``WEBWORK_`` prefix."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEBWORK_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./webwork.db"
    host: str = "127.0.0.1"
    port: int = 8000
    # "<count>/<second|minute|hour>" per principal, or "off".
    rate_limit: str = "600/minute"
    redis_url: str | None = None
    # Base URL of invitation links (set it behind a proxy); unset: the address a request reached.
    public_url: str | None = None
    # Keys the opaque encoding of short ids (timesheets, webhooks); not a security boundary.
    id_salt: str = "webwork"
    echo_sql: bool = False
    # One log line per request costs more than some requests; on for debugging.
    access_log: bool = False


@lru_cache
def get_settings() -> Settings:
    return Settings()
