"""Settings are checked when they load: each bad value is one clear line, named as the
operator sets it, and a password in a URL never shows."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from webwork.config import Settings, describe


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: none of the machine's own WEBWORK_ variables, no .env."""
    for name in os.environ:
        if name.startswith("WEBWORK_"):
            monkeypatch.delenv(name)


def problems(monkeypatch: pytest.MonkeyPatch, **env: str) -> list[str]:
    for name, value in env.items():
        monkeypatch.setenv(f"WEBWORK_{name.upper()}", value)
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)
    return describe(caught.value)


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("rate_limit", "lots", "WEBWORK_RATE_LIMIT: 'lots' is not a rate limit like 600/minute or off"),
        ("port", "0", "WEBWORK_PORT: '0' is not a port number from 1 to 65535"),
        ("port", "65536", "WEBWORK_PORT: '65536' is not a port number from 1 to 65535"),
        ("port", "http", "WEBWORK_PORT: 'http' is not a port number from 1 to 65535"),
        (
            "database_url",
            "postgres://app:s3cret@db/webwork",
            "WEBWORK_DATABASE_URL: 'postgres://app:***@db/webwork' needs an async driver: "
            "use postgresql+asyncpg://app:***@db/webwork",
        ),
        (
            "database_url",
            "postgresql://db/webwork",
            "WEBWORK_DATABASE_URL: 'postgresql://db/webwork' needs an async driver: "
            "use postgresql+asyncpg://db/webwork",
        ),
        (
            "database_url",
            "sqlite:///./webwork.db",
            "WEBWORK_DATABASE_URL: 'sqlite:///./webwork.db' needs an async driver: "
            "use sqlite+aiosqlite:///./webwork.db",
        ),
        (
            "database_url",
            "mysql://db/webwork",
            "WEBWORK_DATABASE_URL: 'mysql://db/webwork' is not a database URL starting with "
            "postgresql+asyncpg:// or sqlite+aiosqlite://",
        ),
        (
            "redis_url",
            "http://:pw@cache:6379",
            "WEBWORK_REDIS_URL: 'http://:***@cache:6379' is not a Redis URL like redis://127.0.0.1:6379/0",
        ),
        (
            "redis_url",
            "redis://",
            "WEBWORK_REDIS_URL: 'redis://' is not a Redis URL like redis://127.0.0.1:6379/0",
        ),
        (
            "public_url",
            "time.example.com",
            "WEBWORK_PUBLIC_URL: 'time.example.com' is not a base URL like https://time.example.com",
        ),
        ("host", " ", "WEBWORK_HOST: the bind address must not be empty"),
        (
            "trusted_proxies",
            "10.0.0.1, proxy.local",
            "WEBWORK_TRUSTED_PROXIES: 'proxy.local' is not an IP address or network "
            "(comma-separated IP addresses or networks like 10.0.0.1,192.168.0.0/16)",
        ),
        (
            "trusted_proxies",
            "10.0.0.1/8",
            "WEBWORK_TRUSTED_PROXIES: '10.0.0.1/8' has host bits set: did you mean 10.0.0.0/8?",
        ),
        ("id_salt", "", "WEBWORK_ID_SALT: the id salt must not be empty"),
        (
            "echo_sql",
            "maybe",
            "WEBWORK_ECHO_SQL: 'maybe': Input should be a valid boolean, unable to interpret input",
        ),
    ],
)
def test_a_bad_value_is_one_line(monkeypatch: pytest.MonkeyPatch, name: str, value: str, line: str) -> None:
    assert problems(monkeypatch, **{name: value}) == [line]


def test_every_bad_value_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = problems(monkeypatch, rate_limit="lots", port="99999", database_url="sqlite://")
    assert [line.split(":")[0] for line in lines] == [
        "WEBWORK_DATABASE_URL",
        "WEBWORK_PORT",
        "WEBWORK_RATE_LIMIT",
    ]


def test_good_values_load_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "RATE_LIMIT": " 20 / Second ",
        "PORT": "8080",
        "DATABASE_URL": "postgresql+asyncpg://app@db:5432/webwork",
        "REDIS_URL": "rediss://:pw@cache:6380/1",
        "PUBLIC_URL": "https://time.example.com/",
        "TRUSTED_PROXIES": " 10.0.0.1, 192.168.0.0/16,,::1 ",
    }.items():
        monkeypatch.setenv(f"WEBWORK_{name}", value)
    settings = Settings(_env_file=None)
    assert (settings.rate_limit, settings.port) == ("20/second", 8080)
    assert settings.redis_url == "rediss://:pw@cache:6380/1"
    assert [str(network) for network in settings.trusted_proxies] == [
        "10.0.0.1/32",
        "192.168.0.0/16",
        "::1/128",
    ]
    assert Settings(trusted_proxies=" ").trusted_proxies == ()


def test_no_proxy_is_trusted_by_default() -> None:
    assert Settings(_env_file=None).trusted_proxies == ()
    assert Settings(rate_limit="OFF", redis_url="", public_url="").rate_limit == "off"
    assert Settings(redis_url="", public_url="").redis_url is None
    assert Settings(database_url="sqlite+aiosqlite://").database_url == "sqlite+aiosqlite://"


@pytest.mark.parametrize("limit", ["1/second", "600/minute", "5000/hour", "100000/day", "off"])
def test_rate_limits(limit: str) -> None:
    assert Settings(rate_limit=limit).rate_limit == limit


@pytest.mark.parametrize("limit", ["0/minute", "10/week", "600 per minute", "-1/hour", "1/2 minute", "", "0"])
def test_not_rate_limits(monkeypatch: pytest.MonkeyPatch, limit: str) -> None:
    line = f"WEBWORK_RATE_LIMIT: {limit!r} is not a rate limit like 600/minute or off"
    assert problems(monkeypatch, rate_limit=limit) == [line]
