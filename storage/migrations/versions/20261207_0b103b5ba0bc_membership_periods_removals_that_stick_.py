"""membership periods, removals that stick, the audit's server

A member a moderator removed keeps `removed_at` until a moderator readmits them (`/join` refuses
until then); the audit log records the server each action came from, so in a federation every
server's moderators see where a change was made. Existing rows: nobody removed, server unknown.

Revision ID: 0b103b5ba0bc
Revises: 24c56fbd0e57
Create Date: 2026-12-07 05:47:30.795139
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0b103b5ba0bc"
down_revision: str | None = "24c56fbd0e57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guild_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", storage.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_column("guild_id")
