"""task estimation: a task's estimated hours (ours), which the task report sets the
tracked time against; NUMERIC(10, 2) as a project's ``estimation``.

Revision ID: 0012_task_estimation
Revises: 0011_oauth
Create Date: 2026-12-06 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_task_estimation"
down_revision: str | None = "0011_oauth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("estimation", sa.Numeric(precision=10, scale=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("estimation")
