"""time entries indexed by member and start

Every overlap, weekly-limit and day query reads one member's time in one workspace
between two instants; (user_id, start_at) made them walk the member's time in every
workspace from the beginning. The index on workspace_id alone goes: the indexes that
start with it serve its queries, and every insert paid for one b-tree more.

Revision ID: 0004_member_start
Revises: 0003_invites
Create Date: 2026-12-01 22:57:09.271193
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_member_start"
down_revision: str | None = "0003_invites"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_time_entries_user_start", table_name="time_entries")
    op.create_index("ix_time_entries_member_start", "time_entries", ["workspace_id", "user_id", "start_at"])
    op.drop_index("ix_time_entries_workspace_id", table_name="time_entries")


def downgrade() -> None:
    op.create_index("ix_time_entries_workspace_id", "time_entries", ["workspace_id"])
    op.drop_index("ix_time_entries_member_start", table_name="time_entries")
    op.create_index("ix_time_entries_user_start", "time_entries", ["user_id", "start_at"])
