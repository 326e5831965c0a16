"""Projects, the project managers assigned to them and the project viewers they are granted to."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webwork.kit.db import Base
from webwork.models._columns import (
    CreatedAt,
    DeletedAt,
    HoursColumn,
    IntPk,
    MoneyColumn,
    UpdatedAt,
    WorkspaceFk,
)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[IntPk]
    workspace_id: Mapped[WorkspaceFk]
    name: Mapped[str] = mapped_column(String(255))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start_date: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)
    estimation: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    budget: Mapped[MoneyColumn]
    notes: Mapped[str | None] = mapped_column(Text)
    icon: Mapped[str | None] = mapped_column(String(255))
    is_billable: Mapped[bool] = mapped_column(Boolean, default=True)
    rate: Mapped[MoneyColumn]
    weekly_hours_limit: Mapped[HoursColumn]
    screenshots: Mapped[str] = mapped_column(String(32), default="full")
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # 1 active, 0 archived (the hosted API's integer status).
    status: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    deleted_at: Mapped[DeletedAt]


class ProjectManager(Base):
    __tablename__ = "project_managers"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ProjectViewerProject(Base):
    """A project granted to a project viewer: the viewer reads it, its tasks and, through
    ``visibility.viewer_project_ids``, whatever else is limited to it. The key leads
    with the workspace and the viewer, which is how every read asks."""

    __tablename__ = "project_viewer_projects"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True
    )
