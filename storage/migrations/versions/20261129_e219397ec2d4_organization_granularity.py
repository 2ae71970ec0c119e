"""organization granularity: the shortest step splittable tasks are cut into, in hours

Revision ID: e219397ec2d4
Revises: 3deb0d8061d8
Create Date: 2026-11-29 10:59:51.547063
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e219397ec2d4"
down_revision: str | None = "3deb0d8061d8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing organizations get the solver's default, a quarter hour; the model sets it for new rows.
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("granularity", sa.Float(), nullable=False, server_default="0.25"))
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.alter_column("granularity", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("granularity")
