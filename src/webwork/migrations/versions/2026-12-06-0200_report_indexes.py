"""report indexes: the workspace's time by start covers what a report reads

``ix_time_entries_workspace_start`` (workspace, start) is recreated on PostgreSQL with
``INCLUDE (end_at, user_id, project_id, contract_id, task_id)``: a report of every
member's month scans the index only, with no heap block per entry (bench/README.md,
"Reports at a million entries"). SQLite has no INCLUDE; its index stays as it was.

Revision ID: 0010_report_indexes
Revises: 0009_activity_and_schedules
Create Date: 2026-12-06 02:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_report_indexes"
down_revision: str | None = "0009_activity_and_schedules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_time_entries_workspace_start"
COVERED = ["end_at", "user_id", "project_id", "contract_id", "task_id"]


def upgrade() -> None:
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.create_index(INDEX, ["workspace_id", "start_at"], unique=False, postgresql_include=COVERED)


def downgrade() -> None:
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.create_index(INDEX, ["workspace_id", "start_at"], unique=False)
