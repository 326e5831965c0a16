"""invitation codes: the confirmation code mailed to an invited address

Revision ID: 0003_invites
Revises: 0002_time
Create Date: 2026-12-01 20:13:37.310139
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import webwork.kit.db

revision: str = "0003_invites"
down_revision: str | None = "0002_time"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitation_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", webwork.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", webwork.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_invitation_codes_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_codes")),
        sa.UniqueConstraint("membership_id", name=op.f("uq_invitation_codes_membership_id")),
    )


def downgrade() -> None:
    op.drop_table("invitation_codes")
