"""time integrity: timers per workspace, approved timesheets fixed in UTC

Revision ID: 0002_time
Revises: 0001
Create Date: 2026-12-01 20:10:00

- The running-timer guard becomes a partial unique index on (workspace_id, user_id):
  workspaces never block each other's timers. Downgrading restores the
  installation-wide index, which fails while a person has timers running in two
  workspaces.
- Approved timesheets keep their locked UTC span, the timezone their days were read in
  and their total (check ``ck_timesheets_approved_span``). Rows approved before this
  revision get the span of their dates in the member's timezone at upgrade time; their
  total stays computed (from the now fixed span) rather than guessed here.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import webwork.kit.db

revision: str = "0002_time"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNING = sa.text("end_at IS NULL")
APPROVED_SPAN = (
    "status != 'approved' OR (locked_from IS NOT NULL AND locked_until IS NOT NULL"
    " AND approved_timezone IS NOT NULL)"
)

timesheets = sa.table(
    "timesheets",
    sa.column("id", sa.Integer()),
    sa.column("workspace_id", sa.Integer()),
    sa.column("user_id", sa.Integer()),
    sa.column("date_from", sa.Date()),
    sa.column("date_to", sa.Date()),
    sa.column("status", sa.String()),
    sa.column("locked_from", webwork.kit.db.UTCDateTime()),
    sa.column("locked_until", webwork.kit.db.UTCDateTime()),
    sa.column("approved_timezone", sa.String()),
)
memberships = sa.table(
    "memberships",
    sa.column("workspace_id", sa.Integer()),
    sa.column("user_id", sa.Integer()),
    sa.column("timezone", sa.String()),
)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _fix_approved_spans() -> None:
    """The span of every approved timesheet: its dates in the member's timezone."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(timesheets.c.id, timesheets.c.date_from, timesheets.c.date_to, memberships.c.timezone)
        .select_from(timesheets)
        .outerjoin(
            memberships,
            sa.and_(
                memberships.c.workspace_id == timesheets.c.workspace_id,
                memberships.c.user_id == timesheets.c.user_id,
            ),
        )
        .where(timesheets.c.status == "approved")
    ).all()
    for timesheet_id, date_from, date_to, timezone in rows:
        zone_name = timezone or "UTC"
        zone = ZoneInfo(zone_name)
        connection.execute(
            timesheets.update()
            .where(timesheets.c.id == timesheet_id)
            .values(
                locked_from=_midnight(date_from, zone),
                locked_until=_midnight(date_to + timedelta(days=1), zone),
                approved_timezone=zone_name,
            )
        )


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
    with op.batch_alter_table("timesheets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locked_from", webwork.kit.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("locked_until", webwork.kit.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("approved_timezone", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("approved_minutes", sa.Integer(), nullable=True))
    _fix_approved_spans()
    with op.batch_alter_table("timesheets", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_timesheets_approved_span"), APPROVED_SPAN)


def downgrade() -> None:
    with op.batch_alter_table("timesheets", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_timesheets_approved_span"), type_="check")
        batch_op.drop_column("approved_minutes")
        batch_op.drop_column("approved_timezone")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("locked_from")
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_index("uq_time_entries_running_member", sqlite_where=RUNNING, postgresql_where=RUNNING)
        batch_op.create_index(
            "uq_time_entries_running_user",
            ["user_id"],
            unique=True,
            sqlite_where=RUNNING,
            postgresql_where=RUNNING,
        )
