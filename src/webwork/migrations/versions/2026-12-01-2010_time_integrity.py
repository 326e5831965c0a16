"""time integrity: one running timer per person per workspace

Revision ID: 0002_time
Revises: 0001
Create Date: 2026-12-01 20:10:00

The running-timer guard becomes a partial unique index on (workspace_id, user_id):
workspaces never block each other's timers. Downgrading restores the installation-wide
index, which fails while a person has timers running in two workspaces.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_time"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNING = sa.text("end_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_index("uq_time_entries_running_user", sqlite_where=RUNNING, postgresql_where=RUNNING)
        batch_op.create_index(
            "uq_time_entries_running_member",
            ["workspace_id", "user_id"],
            unique=True,
            sqlite_where=RUNNING,
            postgresql_where=RUNNING,
        )


def downgrade() -> None:
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_index("uq_time_entries_running_member", sqlite_where=RUNNING, postgresql_where=RUNNING)
        batch_op.create_index(
            "uq_time_entries_running_user",
            ["user_id"],
            unique=True,
            sqlite_where=RUNNING,
            postgresql_where=RUNNING,
        )
