"""The rules of a client's registration that the API and the CLI share: redirect URIs
(RFC 8252 and OAuth 2.1: https, loopback http, or a private-use scheme; never a
fragment) and the exact match a redirect must make, loopback ports aside."""

from __future__ import annotations

import re
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
# What a redirect URI may be, for the server and the document alike: https on a host
# name or IPv4 address, http on a loopback address, or a private-use scheme (one with a
# dot, as a reversed domain name) with a path; a port, path and query, never a fragment.
_TAIL = r"[^#\x00-\x20\x7F]*"
URI_PATTERN = (
    r"^((https://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|http://(127\.0\.0\.1|\[::1\]|localhost))"
    rf"(:[0-9]{{1,5}})?([/?]{_TAIL})?"
    rf"|[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:/{_TAIL})$"
)
_URI = re.compile(URI_PATTERN)
SCOPE_INVALID = "Unknown scope {scope!r}; the scopes are: " + ", ".join(scopes.SCOPES) + "."


def check_uri(uri: str) -> str:
    if _URI.fullmatch(uri) is None:
        raise ValueError(URI_INVALID)
    return uri


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
