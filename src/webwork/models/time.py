"""Recorded time: entries (and running timers), requests for manual time, timesheets."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from webwork.kit.db import Base, UTCDateTime
from webwork.models._columns import CreatedAt, IntPk, UpdatedAt, UserFk, WorkspaceFk
from webwork.models.statuses import TimeRequestStatus, TimesheetStatus

RUNNING = text("end_at IS NULL")


class TimeEntry(Base):
    """One interval of work. A live timer is an entry whose ``end_at`` is null.

    ``project_id`` is copied from the contract so that filters and reports need no join.
    ``method``: manual | tracked | time_request."""

    __tablename__ = "time_entries"
    __table_args__ = (
        # One running timer per person per workspace, enforced by the database.
        Index(
            "uq_time_entries_running_member",
            "workspace_id",
            "user_id",
            unique=True,
            sqlite_where=RUNNING,
            postgresql_where=RUNNING,
        ),
        # A member's time in a workspace by start: every overlap, limit and day query.
        Index("ix_time_entries_member_start", "workspace_id", "user_id", "start_at"),
        # A workspace's time by start: the reports (every member's month or year). On
        # PostgreSQL it carries what a report reads of an entry, so a report's scan reads
        # the index only (no heap block per entry); SQLite has no INCLUDE.
        Index(
            "ix_time_entries_workspace_start",
            "workspace_id",
            "start_at",
            postgresql_include=["end_at", "user_id", "project_id", "contract_id", "task_id"],
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Indexed by the (workspace_id, ...) indexes above: an index of its own would only
    # cost every insert a b-tree more.
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contract_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="SET NULL"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    activity_description: Mapped[str | None] = mapped_column(Text)
    # 0..100: how active the member was, as a desktop client measured it (null: unknown).
    activity_level: Mapped[int | None] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20), default="manual")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class TimeRequest(Base):
    """A member's request for manual time; approval records it as time entries."""

    __tablename__ = "time_requests"
    __table_args__ = (Index("ix_time_requests_workspace_start", "workspace_id", "start_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[WorkspaceFk]
    user_id: Mapped[UserFk]
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    activity_description: Mapped[str | None] = mapped_column(Text)
    # pending | approved | rejected
    status: Mapped[str] = mapped_column(String(20), default=TimeRequestStatus.PENDING)
    comment: Mapped[str | None] = mapped_column(Text)
    saved_minutes: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class Timesheet(Base):
    """The decision state of one member's period. Totals are computed from entries;
    a row exists only once someone acts on the period (open periods need no row).

    Approval fixes what was approved, whatever the member's timezone becomes later:
    ``locked_from``/``locked_until`` are the period's UTC span (the lock every write of
    time is checked against: its dates in the member's timezone of then, joined to the
    spans of approved periods beside it), ``approved_timezone`` the zone its days were
    read in, and ``approved_minutes`` the total shown from then on. Reopening clears them."""

    __tablename__ = "timesheets"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id", "date_from"),
        CheckConstraint(
            "status != 'approved' OR (locked_from IS NOT NULL AND locked_until IS NOT NULL"
            " AND approved_timezone IS NOT NULL)",
            name="approved_span",
        ),
    )

    id: Mapped[IntPk]
    workspace_id: Mapped[WorkspaceFk]
    user_id: Mapped[UserFk]
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    # open | submitted | approved | rejected
    status: Mapped[str] = mapped_column(String(20), default=TimesheetStatus.OPEN)
    submitted_on: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_timezone: Mapped[str | None] = mapped_column(String(64))
    approved_minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
