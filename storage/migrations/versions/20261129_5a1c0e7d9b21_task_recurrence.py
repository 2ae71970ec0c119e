"""task recurrence: a task may happen every N weeks from a first week, or once in one week

Revision ID: 5a1c0e7d9b21
Revises: 1f73a75c7cc9
Create Date: 2026-11-29 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "5a1c0e7d9b21"
down_revision: str | None = "1f73a75c7cc9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing tasks are weekly; the model sets the default for new rows.
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("every_weeks", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("first_week", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.alter_column("every_weeks", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("first_week")
        batch_op.drop_column("every_weeks")
