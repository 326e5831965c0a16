"""project viewers: the projects granted to each

``project_viewer_projects`` holds the projects a project viewer of a workspace may read
(with their tasks); a viewer sees no other project.

Revision ID: 0007_project_viewers
Revises: 0006_expenses
Create Date: 2026-12-06 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_project_viewers"
down_revision: str | None = "0006_expenses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_viewer_projects",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_viewer_projects_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_project_viewer_projects_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_project_viewer_projects_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "user_id", "project_id", name=op.f("pk_project_viewer_projects")
        ),
    )
    op.create_index(
        op.f("ix_project_viewer_projects_project_id"), "project_viewer_projects", ["project_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_project_viewer_projects_project_id"), table_name="project_viewer_projects")
    op.drop_table("project_viewer_projects")
