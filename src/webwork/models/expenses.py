"""Expenses members report (money spent for work) and the workspace's categories of them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from webwork.kit.db import Base, UTCDateTime
from webwork.models._columns import CreatedAt, UpdatedAt, UserFk
from webwork.models.statuses import ExpenseStatus


class ExpenseCategory(Base):
    """A workspace's name for a kind of expense; names are unique per workspace."""

    __tablename__ = "expense_categories"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Indexed by the unique constraint, which starts with it.
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class Expense(Base):
    """Money a member spent, waiting for (or given) an owner's or executive manager's
    decision. ``amount`` is exact (NUMERIC(12,2)); the currency is the workspace's."""

    __tablename__ = "expenses"
    __table_args__ = (Index("ix_expenses_workspace_spent_on", "workspace_id", "spent_on"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Indexed by ix_expenses_workspace_spent_on, which starts with it.
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[UserFk]
    # A category in use cannot be deleted (the service answers 409; RESTRICT backs it).
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("expense_categories.id", ondelete="RESTRICT"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    spent_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    note: Mapped[str | None] = mapped_column(Text)
    is_billable: Mapped[bool] = mapped_column(Boolean, default=False)
    # pending | approved | rejected
    status: Mapped[str] = mapped_column(String(20), default=ExpenseStatus.PENDING)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
