"""activity and schedules: a time entry's activity level, work schedules

``time_entries.activity_level`` (0..100, null when unknown) is what a desktop client
measured. The workspace's working hours and grace period join its work week in
``leave_settings`` (existing rows get 09:00-17:00 and 10 minutes); a membership may
override each part of the schedule (null: the workspace's).

Revision ID: 0009_activity_and_schedules
Revises: 0008_leaves
Create Date: 2026-12-06 01:01:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_activity_and_schedules"
down_revision: str | None = "0008_leaves"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEMBER_SCHEDULE = ("work_start", "work_end", "work_days", "grace_minutes")


def upgrade() -> None:
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("activity_level", sa.Integer(), nullable=True))
    with op.batch_alter_table("leave_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("work_start", sa.Time(), nullable=False, server_default="09:00:00"))
        batch_op.add_column(sa.Column("work_end", sa.Time(), nullable=False, server_default="17:00:00"))
        batch_op.add_column(sa.Column("grace_minutes", sa.Integer(), nullable=False, server_default="10"))
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("work_start", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("work_end", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("work_days", sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column("grace_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        for column in reversed(MEMBER_SCHEDULE):
            batch_op.drop_column(column)
    with op.batch_alter_table("leave_settings", schema=None) as batch_op:
        batch_op.drop_column("grace_minutes")
        batch_op.drop_column("work_end")
        batch_op.drop_column("work_start")
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_column("activity_level")
