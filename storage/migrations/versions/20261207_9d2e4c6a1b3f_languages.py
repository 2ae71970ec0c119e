"""languages: the organization's (posts, votes, DMs) and a member's own for their DMs

Revision ID: 9d2e4c6a1b3f
Revises: 8a8b00169c5d
Create Date: 2026-12-07 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d2e4c6a1b3f"
down_revision: str | None = "8a8b00169c5d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing organizations keep speaking English; the model sets it for new rows.
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=False, server_default="en"))
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.alter_column("language", server_default=None)
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("language")
