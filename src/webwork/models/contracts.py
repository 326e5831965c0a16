"""A contract assigns one member to one project, with limits, rate and screenshot mode."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webwork.kit.db import Base
from webwork.models._columns import CreatedAt, HoursColumn, IntPk, MoneyColumn, UpdatedAt, UserFk, WorkspaceFk
from webwork.models.statuses import ContractStatus


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[IntPk]
    workspace_id: Mapped[WorkspaceFk]
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[UserFk]
    notes: Mapped[str | None] = mapped_column(Text)
    weekly_hours_limit: Mapped[HoursColumn]
    screenshots: Mapped[str] = mapped_column(String(32), default="full")
    rate: Mapped[MoneyColumn]
    # active | paused
    status: Mapped[str] = mapped_column(String(20), default=ContractStatus.ACTIVE.value)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
