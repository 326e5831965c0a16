"""Leave: the workspace's policies (allowances per year), its public holidays and work
week, and members' leave requests."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from webwork.kit.db import Base, UTCDateTime
from webwork.models._columns import CreatedAt, IntPk, UpdatedAt, UserFk, WorkspaceFk
from webwork.models.statuses import LeaveStatus

# Monday..Friday as ISO weekdays (1 = Monday .. 7 = Sunday), comma-separated.
DEFAULT_WORK_DAYS = "1,2,3,4,5"
# The working hours of a day, and the minutes one may start late without being late.
DEFAULT_WORK_START = time(9, 0)
DEFAULT_WORK_END = time(17, 0)
DEFAULT_GRACE_MINUTES = 10


class LeavePolicy(Base):
    """An allowance of ``duration`` days or hours per calendar year. ``time_unit`` is
    fixed once created: the amounts of its leave are stored in that unit.
    ``accrual``: yearly (all of it on January 1) | monthly (a twelfth per started month).
    ``carry_over``: at most this much of last year's unused allowance moves into a year."""

    __tablename__ = "leave_policies"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[WorkspaceFk]
    name: Mapped[str] = mapped_column(String(255))
    time_unit: Mapped[str] = mapped_column(String(10))
    duration: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    is_paid: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_negative_balance: Mapped[bool] = mapped_column(Boolean, default=False)
    reason_required: Mapped[bool] = mapped_column(Boolean, default=False)
    accrual: Mapped[str] = mapped_column(String(10), default="yearly")
    carry_over: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(0))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class LeavePolicyMember(Base):
    """A member the policy applies to."""

    __tablename__ = "leave_policy_members"

    policy_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("leave_policies.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class LeaveHoliday(Base):
    """A public holiday of the workspace: not a working day for anyone's leave."""

    __tablename__ = "leave_holidays"
    __table_args__ = (UniqueConstraint("workspace_id", "date"),)

    id: Mapped[IntPk]
    workspace_id: Mapped[WorkspaceFk]
    date: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[CreatedAt]


class LeaveSettings(Base):
    """The workspace's work week and working day; no row means Monday..Friday, 8 hours,
    09:00 to 17:00 with 10 minutes' grace (members may have schedules of their own,
    ``Membership.work_*``)."""

    __tablename__ = "leave_settings"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    work_days: Mapped[str] = mapped_column(String(13), default=DEFAULT_WORK_DAYS)
    hours_per_day: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal(8))
    work_start: Mapped[time] = mapped_column(Time, default=DEFAULT_WORK_START)
    work_end: Mapped[time] = mapped_column(Time, default=DEFAULT_WORK_END)
    grace_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_GRACE_MINUTES)
    updated_at: Mapped[UpdatedAt]


class Leave(Base):
    """A member's leave from ``start_date`` to ``end_date``. ``days`` (working days, a
    half day 0.5) and ``amount`` (in the policy's unit) are counted when it is requested,
    with the work week and holidays of then, and are what balances add up."""

    __tablename__ = "leaves"
    __table_args__ = (
        Index("ix_leaves_member_start", "workspace_id", "user_id", "start_date"),
        Index("ix_leaves_policy_user", "policy_id", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[UserFk]
    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leave_policies.id", ondelete="RESTRICT"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # 0 full days, 1 first half, 2 second half (of a one-day leave)
    leave_period: Mapped[int] = mapped_column(Integer, default=0)
    start_time: Mapped[str | None] = mapped_column(String(5))
    end_time: Mapped[str | None] = mapped_column(String(5))
    hours_per_day: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    days: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    hours: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    # pending | approved | rejected | cancelled
    status: Mapped[str] = mapped_column(String(20), default=LeaveStatus.PENDING)
    reason: Mapped[str | None] = mapped_column(Text)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejected_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
