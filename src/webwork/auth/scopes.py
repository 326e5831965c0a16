"""OAuth scopes: one per API tag and verb, derived here for every operation from its
tag and HTTP method, so that no router declares its own and a new operation is covered
the moment it has a tag.

- ``<resource>:read`` for GET and HEAD, ``<resource>:write`` for every other method;
  reports are read-only whatever the method (``reports:read``).
- The hosted API's umbrella scopes are accepted so that its clients work unchanged:
  ``read`` is every data ``*:read``, ``write`` is ``read`` plus every data ``*:write``,
  ``admin`` is everything.
- Credentials (API keys, OAuth clients) are outside ``read`` and ``write``: a token
  that could mint an API key could give itself every scope, so only ``admin`` (or the
  credential scope by name) reaches them.
- An operation whose tag is not in :data:`RESOURCES` needs ``admin`` (closed by default).

API keys carry every scope (their holder's role still decides); an OAuth token carries
the scopes its user consented to, and is checked in ``auth.deps`` with the role."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

READ, WRITE, ADMIN = "read", "write", "admin"
UMBRELLAS = (READ, WRITE, ADMIN)

# API tag -> the resource its scopes are named after.
RESOURCES = {
    "Workspaces": "workspaces",
    "Members": "members",
    "Teams": "teams",
    "Projects": "projects",
    "Contracts": "contracts",
    "Tasks": "tasks",
    "Project Viewers": "project_viewers",
    "Time Tracking": "time",
    "Time Entries": "time",
    "Time Requests": "time",
    "Timesheets": "time",
    "Leaves": "leaves",
    "Expenses": "expenses",
    "Reports": "reports",
    "Webhooks": "webhooks",
    "API Keys": "api_keys",
    "OAuth Clients": "oauth_clients",
}
READ_ONLY = frozenset({"reports"})
CREDENTIALS = frozenset({"api_keys", "oauth_clients"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_LABELS = {
    "workspaces": "workspaces",
    "members": "members and invitations",
    "teams": "teams",
    "projects": "projects",
    "contracts": "contracts",
    "tasks": "tasks",
    "project_viewers": "project viewers",
    "time": "tracked time, time requests and timesheets",
    "leaves": "leaves",
    "expenses": "expenses",
    "reports": "reports",
    "webhooks": "webhooks",
    "api_keys": "your API keys",
    "oauth_clients": "the workspace's OAuth apps",
}


def _resource_scopes() -> dict[str, str]:
    described: dict[str, str] = {}
    for resource in dict.fromkeys(RESOURCES.values()):
        label = _LABELS[resource]
        described[f"{resource}:read"] = f"Read {label}"
        if resource not in READ_ONLY:
            described[f"{resource}:write"] = f"Change {label}"
    return described


RESOURCE_SCOPES = _resource_scopes()
SCOPES: dict[str, str] = {
    READ: "Read everything but credentials (every *:read)",
    WRITE: "Read and change everything but credentials (every *:read and *:write)",
    ADMIN: "Everything, API keys and OAuth apps included",
    **RESOURCE_SCOPES,
}
"""Every scope a client may ask for, with the line the consent page shows for it."""

_DATA = [s for s in RESOURCE_SCOPES if s.split(":")[0] not in CREDENTIALS]
_EXPANSIONS = {
    READ: frozenset(s for s in _DATA if s.endswith(":read")),
    WRITE: frozenset(_DATA),
    ADMIN: frozenset(RESOURCE_SCOPES),
}


def required(tags: Iterable[str], method: str) -> str:
    """The scope an operation of ``tags`` needs for ``method``."""
    resources = {RESOURCES.get(tag) for tag in tags}
    if len(resources) != 1 or None in resources:
        return ADMIN
    resource = resources.pop()
    assert resource is not None
    verb = "read" if method.upper() in READ_METHODS or resource in READ_ONLY else "write"
    return f"{resource}:{verb}"


@lru_cache(maxsize=64)
def expand(granted: frozenset[str]) -> frozenset[str]:
    """Every resource scope that ``granted`` (names and umbrellas) covers."""
    covered: set[str] = set()
    for scope in granted:
        covered |= _EXPANSIONS.get(scope, {scope})
    return frozenset(covered)


def allows(granted: frozenset[str], needed: str) -> bool:
    return needed in expand(granted) or (needed == ADMIN and ADMIN in granted)


def parse(scope: str | None) -> list[str]:
    """A space-separated scope string as a list, in order, without repeats."""
    return list(dict.fromkeys((scope or "").split()))


def unknown(names: Iterable[str]) -> list[str]:
    return [name for name in names if name not in SCOPES]
