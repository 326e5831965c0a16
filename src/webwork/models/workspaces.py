"""Workspaces, the people in them (memberships) and teams."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webwork.kit.db import Base
from webwork.models._columns import CreatedAt, DeletedAt, HoursColumn, IntPk, UpdatedAt, UserFk, WorkspaceFk
from webwork.models.statuses import MembershipStatus, WorkspaceStatus
from webwork.models.users import ConfirmationCode


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[IntPk]
    name: Mapped[str] = mapped_column(String(255))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(20), default=WorkspaceStatus.ACTIVE.value)
    # weekly | biweekly | monthly: the length of a member's timesheet.
    timesheet_period: Mapped[str] = mapped_column(String(20), default="weekly")
    # How many of its webhooks are active (kept by the webhooks service): read with every
    # request's workspace, it lets a change skip writing an event nobody subscribes to.
    active_webhooks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class Membership(Base):
    """A user's place in a workspace: role, status and the member's own settings.

    ``status``: active, invited (until the invitation is accepted), inactive (archived).
    ``invitation_token`` (a digest) is set exactly while the invitation is not accepted,
    so an archived membership that still has one goes back to ``invited`` on restore.
    ``invited_firstname``/``invited_lastname``: the names the inviting workspace gave,
    which it sees instead of the account's until the invitation is accepted (so that
    inviting an address never shows who may already hold it)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[IntPk]
    workspace_id: Mapped[WorkspaceFk]
    user_id: Mapped[UserFk]
    role: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20), default=MembershipStatus.ACTIVE.value)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    weekly_hours_limit: Mapped[HoursColumn]
    rate_status: Mapped[int] = mapped_column(Integer, default=0)
    rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    invitation_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_firstname: Mapped[str | None] = mapped_column(String(100))
    invited_lastname: Mapped[str | None] = mapped_column(String(100))
    # Who sent the invitation (a user id), shown on the page the invitation mail links
    # to. No foreign key: see migration 0011.
    invited_by: Mapped[int | None] = mapped_column(Integer)
    # The member's own work schedule; each null means the workspace's (``LeaveSettings``).
    work_start: Mapped[time | None] = mapped_column(Time)
    work_end: Mapped[time | None] = mapped_column(Time)
    work_days: Mapped[str | None] = mapped_column(String(13))
    grace_minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    deleted_at: Mapped[DeletedAt]


class InvitationCode(ConfirmationCode, Base):
    """The confirmation code mailed to an invited address without an account: its
    digest also covers the invitation's token, the user and the address, so the code
    opens only that invitation, for that person, while the address is unchanged."""

    __tablename__ = "invitation_codes"

    id: Mapped[IntPk]
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), unique=True)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[IntPk]
    workspace_id: Mapped[WorkspaceFk]
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class TeamMember(Base):
    """A user in a team; ``is_manager`` marks the team's managers."""

    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False)
