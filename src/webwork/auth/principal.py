"""The authenticated caller, and the caller as a member of one workspace."""

from __future__ import annotations

from dataclasses import dataclass

from webwork.auth.roles import ADMINS, MANAGERS, Role
from webwork.models import Membership, User, Workspace


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user, through one of their API keys."""

    user: User
    credential_id: int

    @property
    def user_id(self) -> int:
        return self.user.id


@dataclass(frozen=True)
class Actor:
    """A principal acting inside one workspace with the role of its membership."""

    principal: Principal
    workspace: Workspace
    membership: Membership

    @property
    def user(self) -> User:
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

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGERS
