"""email changes wait for a code; invitations keep the names they were sent with

``email_changes`` holds a user's new address and the digest of the code mailed to it
until the user confirms it (``users.email`` changes only then). ``memberships`` keeps
the names an invitation was sent with, shown by the inviting workspace instead of the
account's until the invitation is accepted.

Revision ID: 0005_email_changes
Revises: 0004_member_start
Create Date: 2026-12-05 22:02:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import webwork.kit.db

revision: str = "0005_email_changes"
down_revision: str | None = "0004_member_start"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", webwork.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", webwork.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_email_changes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_changes")),
        sa.UniqueConstraint("user_id", name=op.f("uq_email_changes_user_id")),
    )
    op.add_column("memberships", sa.Column("invited_firstname", sa.String(length=100), nullable=True))
    op.add_column("memberships", sa.Column("invited_lastname", sa.String(length=100), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode: recreating
    # memberships would cascade-delete the invitation codes that refer to it.
    op.drop_column("memberships", "invited_lastname")
    op.drop_column("memberships", "invited_firstname")
    op.drop_table("email_changes")
