"""The authenticated caller, and the caller as a member of one workspace.

A request reads its caller's user, membership and workspace as plain values
(:class:`CallerUser`, :class:`CallerMembership`, :class:`CallerWorkspace`), not ORM
entities: every request needs them, loading three entities cost more than the statement
that reads them, and nothing changes them through the caller. Code that reads them, or
the same rows loaded as entities (another member's), takes the ``*View`` protocols; code
that changes a membership or user loads the entity itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple, Protocol

from webwork.auth.roles import ADMINS, Role


class UserView(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def firstname(self) -> str: ...
    @property
    def lastname(self) -> str: ...
    @property
    def fullname(self) -> str: ...


class MembershipView(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def user_id(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def weekly_hours_limit(self) -> Decimal | None: ...
    @property
    def rate_status(self) -> int: ...


class WorkspaceView(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def owner_id(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def timesheet_period(self) -> str: ...
    @property
    def active_webhooks(self) -> int: ...


class CallerUser(NamedTuple):
    """The columns of ``users`` a request may show or use (not the password hash)."""

    id: int
    email: str
    firstname: str
    lastname: str
    avatar: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def fullname(self) -> str:
        return f"{self.firstname} {self.lastname}".strip() or self.email


class CallerMembership(NamedTuple):
    """The columns of ``memberships`` but the invitation token."""

    id: int
    workspace_id: int
    user_id: int
    role: str
    status: str
    timezone: str
    weekly_hours_limit: Decimal | None
    rate_status: int
    rate: Decimal | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class CallerWorkspace(NamedTuple):
    id: int
    name: str
    owner_id: int
    timezone: str
    currency: str
    status: str
    timesheet_period: str
    active_webhooks: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user, through one of their API keys (every scope, every
    workspace of theirs) or an OAuth access token (the scopes its user consented to, in
    its client's workspace only)."""

    user: UserView
    scopes: frozenset[str] | None = None
    workspace_id: int | None = None

    @property
    def user_id(self) -> int:
        return self.user.id


@dataclass(frozen=True)
class Actor:
    """A principal acting inside one workspace with the role of its membership."""

    principal: Principal
    workspace: WorkspaceView
    membership: MembershipView

    @property
    def user(self) -> UserView:
        return self.principal.user

    @property
    def user_id(self) -> int:
        return self.principal.user.id

    @property
    def workspace_id(self) -> int:
        return self.workspace.id

    @property
    def role(self) -> Role:
        return Role(self.membership.role)

    @property
    def is_admin(self) -> bool:
        """Owner or executive manager: sees and manages everything in the workspace."""
        return self.role in ADMINS
