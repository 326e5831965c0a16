"""The six workspace roles of the hosted API: a code we store and a label we show."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    EXECUTIVE_MANAGER = "executive_manager"
    TEAM_MANAGER = "team_manager"
    PROJECT_MANAGER = "project_manager"
    MEMBER = "member"
    PROJECT_VIEWER = "project_viewer"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Role.OWNER: "Owner",
    Role.EXECUTIVE_MANAGER: "Executive manager",
    Role.TEAM_MANAGER: "Team manager",
    Role.PROJECT_MANAGER: "Project manager",
    Role.MEMBER: "Regular User",
    Role.PROJECT_VIEWER: "Project viewer",
}

# Roles that see and manage everything in the workspace.
ADMINS = frozenset({Role.OWNER, Role.EXECUTIVE_MANAGER})

# The codes a role is named by in the document (its label, in any case, is accepted too).
ROLE_NAMES = tuple(r.value for r in Role)

_LOOKUP = {
    **{r.value: r for r in Role},
    **{label.lower(): r for r, label in LABELS.items()},
    "regular user": Role.MEMBER,
    "regular_user": Role.MEMBER,
    "user": Role.MEMBER,
    "executive": Role.EXECUTIVE_MANAGER,
    "viewer": Role.PROJECT_VIEWER,
}


def parse_role(value: object) -> Role | None:
    """Accept a role by code ("team_manager") or label ("Team manager"), any case."""
    if isinstance(value, Role):
        return value
    if not isinstance(value, str):
        return None
    key = value.strip().lower()
    return _LOOKUP.get(key) or _LOOKUP.get(key.replace("-", "_")) or _LOOKUP.get(key.replace("_", " "))


_LISTED = ", ".join(f"{r.value} ({r.label})" for r in Role)
ROLE_HELP = f"one of: {_LISTED}"
# The one message for a value that names no role, wherever a role is parsed (API and CLI).
ROLE_INVALID = f"The selected role is invalid. Valid roles: {_LISTED}."
