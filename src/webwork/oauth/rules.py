"""The rules of a client's registration that the API and the CLI share: redirect URIs
(RFC 8252 and OAuth 2.1: https, loopback http, or a private-use scheme; never a
fragment) and the exact match a redirect must make, loopback ports aside."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlsplit

from webwork.auth import scopes

T = TypeVar("T")
MAX_URIS = 10
MAX_URI_LENGTH = 2000
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
URI_INVALID = (
    "The redirect URI must be absolute, without a fragment: https://..., http:// on a loopback "
    "address (127.0.0.1, [::1], localhost), or a private-use scheme such as com.example.app:/callback."
)
SCOPE_INVALID = "Unknown scope {scope!r}; the scopes are: " + ", ".join(scopes.SCOPES) + "."


def check_uri(uri: str) -> str:
    try:
        parts = urlsplit(uri)
        host = parts.hostname
    except ValueError:
        raise ValueError(URI_INVALID) from None
    if parts.fragment or "#" in uri or any(c.isspace() for c in uri):
        raise ValueError(URI_INVALID)
    if parts.scheme == "https" and host:
        return uri
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return uri
    if "." in parts.scheme and parts.path and parts.scheme not in ("http", "https"):
        return uri
    raise ValueError(URI_INVALID)


def check_scope(scope: str) -> str:
    if scope not in scopes.SCOPES:
        raise ValueError(SCOPE_INVALID.format(scope=scope))
    return scope


def unique(values: Sequence[T]) -> list[T]:
    """The values in order, repeats dropped."""
    return list(dict.fromkeys(values))


def _loopback_parts(uri: str) -> tuple[str, str, str, str] | None:
    parts = urlsplit(uri)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        return None
    return parts.scheme, parts.hostname or "", parts.path, parts.query


def redirect_matches(registered: Sequence[str], asked: str) -> bool:
    """Exact match; a loopback http URI may differ in its port only (RFC 8252 7.3: a
    native app listens on whatever port is free)."""
    if asked in registered:
        return True
    try:
        wanted = _loopback_parts(asked)
        return wanted is not None and any(_loopback_parts(uri) == wanted for uri in registered)
    except ValueError:
        return False
