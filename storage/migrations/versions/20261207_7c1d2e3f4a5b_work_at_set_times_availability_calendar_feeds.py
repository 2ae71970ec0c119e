"""work at set times: task days and start, members' availability windows, shift times on
assignments, reminders before a shift, secret calendar feeds

Tasks get `day`/`start` (empty: flexible, as every task so far), members their weekly `windows`
(empty: any time) and an opt-out of the reminder before a shift, assignments the day and local
times of a timed piece, organizations how many hours before a shift its reminder goes out (12 by
default; empty: off). `calendar_feed` keeps hashes of the secret calendar links.

Revision ID: 7c1d2e3f4a5b
Revises: 0b103b5ba0bc
Create Date: 2026-12-07 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.models

revision: str = "7c1d2e3f4a5b"
down_revision: str | None = "0b103b5ba0bc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("day", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column("start", sa.Integer(), nullable=True))
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("windows", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column("shift_reminders", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("day", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("start", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("end", sa.Integer(), nullable=True))
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shift_reminder_hours", sa.Integer(), nullable=True, server_default="12"))
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret_hash"),
    )
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_feed_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_calendar_feed_organization_id"), ["organization_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_feed_organization_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_feed_member_id"))
    op.drop_table("calendar_feed")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("shift_reminder_hours")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_column("end")
        batch_op.drop_column("start")
        batch_op.drop_column("day")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("shift_reminders")
        batch_op.drop_column("windows")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("start")
        batch_op.drop_column("day")
