"""leaves: policies, their members, public holidays, the work week, leave requests

``leaves`` stores each request's working days and amount (in its policy's unit) as
counted when it was requested; balances add those up.

Revision ID: 0008_leaves
Revises: 0007_project_viewers
Create Date: 2026-12-06 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import webwork.kit.db

revision: str = "0008_leaves"
down_revision: str | None = "0007_project_viewers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leave_holidays",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("created_at", webwork.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_leave_holidays_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leave_holidays")),
        sa.UniqueConstraint("workspace_id", "date", name=op.f("uq_leave_holidays_workspace_id_date")),
    )
    with op.batch_alter_table("leave_holidays", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leave_holidays_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "leave_policies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("time_unit", sa.String(length=10), nullable=False),
        sa.Column("duration", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("is_paid", sa.Boolean(), nullable=False),
        sa.Column("allow_negative_balance", sa.Boolean(), nullable=False),
        sa.Column("reason_required", sa.Boolean(), nullable=False),
        sa.Column("accrual", sa.String(length=10), nullable=False),
        sa.Column("carry_over", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("created_at", webwork.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", webwork.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_leave_policies_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leave_policies")),
    )
    with op.batch_alter_table("leave_policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leave_policies_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "leave_settings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("work_days", sa.String(length=13), nullable=False),
        sa.Column("hours_per_day", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("updated_at", webwork.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_leave_settings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_leave_settings")),
    )
    op.create_table(
        "leave_policy_members",
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["leave_policies.id"],
            name=op.f("fk_leave_policy_members_policy_id_leave_policies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_leave_policy_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("policy_id", "user_id", name=op.f("pk_leave_policy_members")),
    )
    with op.batch_alter_table("leave_policy_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leave_policy_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "leaves",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Uuid(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("leave_period", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=True),
        sa.Column("end_time", sa.String(length=5), nullable=True),
        sa.Column("hours_per_day", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("days", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("hours", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("rejected_by", sa.Integer(), nullable=True),
        sa.Column("cancelled_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", webwork.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", webwork.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", webwork.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["users.id"], name=op.f("fk_leaves_approved_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by"], ["users.id"], name=op.f("fk_leaves_cancelled_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_leaves_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["leave_policies.id"],
            name=op.f("fk_leaves_policy_id_leave_policies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["rejected_by"], ["users.id"], name=op.f("fk_leaves_rejected_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_leaves_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_leaves_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leaves")),
    )
    with op.batch_alter_table("leaves", schema=None) as batch_op:
        batch_op.create_index(
            "ix_leaves_member_start", ["workspace_id", "user_id", "start_date"], unique=False
        )
        batch_op.create_index("ix_leaves_policy_user", ["policy_id", "user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leaves_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leaves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leaves_user_id"))
        batch_op.drop_index("ix_leaves_policy_user")
        batch_op.drop_index("ix_leaves_member_start")

    op.drop_table("leaves")
    with op.batch_alter_table("leave_policy_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leave_policy_members_user_id"))

    op.drop_table("leave_policy_members")
    op.drop_table("leave_settings")
    with op.batch_alter_table("leave_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leave_policies_workspace_id"))

    op.drop_table("leave_policies")
    with op.batch_alter_table("leave_holidays", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leave_holidays_workspace_id"))

    op.drop_table("leave_holidays")
