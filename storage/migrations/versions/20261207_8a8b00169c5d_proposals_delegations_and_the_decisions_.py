"""proposals, delegations and the decisions log

Proposals any member opens (`/propose`), with their choices, their electorate and weights (fixed at
opening), the ballots, members' delegations, and the log of decisions; per organization, how many
proposals one member may have open and the bounds of a proposal's own quorum and threshold.
Existing organizations get the defaults.

Revision ID: 8a8b00169c5d
Revises: 7c1d2e3f4a5b
Create Date: 2026-12-07 13:03:00.667758
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.models

revision: str = "8a8b00169c5d"
down_revision: str | None = "7c1d2e3f4a5b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("proposed_by", sa.BigInteger(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("task_ids", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("qualification", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("role_id", sa.BigInteger(), nullable=True),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("quorum_pct", sa.Integer(), nullable=False),
        sa.Column("threshold_pct", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("withdrawn_by", sa.BigInteger(), nullable=True),
        sa.Column("withdrawn_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_status"), ["status"], unique=False)

    op.create_table(
        "decision_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("decided_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id"),
    )
    with op.batch_alter_table("decision_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_log_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "delegation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("delegator_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=14), nullable=False),
        sa.Column("scope_value", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("until", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["delegator_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("delegation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegation_delegate_id"), ["delegate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delegation_delegator_id"), ["delegator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delegation_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "proposal_ballot",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("choice", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
        ),
        sa.PrimaryKeyConstraint("proposal_id", "member_id"),
    )
    op.create_table(
        "proposal_choice",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
        ),
        sa.PrimaryKeyConstraint("proposal_id", "position"),
    )
    op.create_table(
        "proposal_elector",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
        ),
        sa.PrimaryKeyConstraint("proposal_id", "member_id"),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposals_per_member", sa.Integer(), nullable=False, server_default="3"))
        batch_op.add_column(sa.Column("proposal_quorum_min", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("proposal_quorum_max", sa.Integer(), nullable=False, server_default="100"))
        batch_op.add_column(sa.Column("proposal_threshold_min", sa.Integer(), nullable=False, server_default="50"))
        batch_op.add_column(sa.Column("proposal_threshold_max", sa.Integer(), nullable=False, server_default="100"))


def downgrade() -> None:
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("proposal_threshold_max")
        batch_op.drop_column("proposal_threshold_min")
        batch_op.drop_column("proposal_quorum_max")
        batch_op.drop_column("proposal_quorum_min")
        batch_op.drop_column("proposals_per_member")

    op.drop_table("proposal_elector")
    op.drop_table("proposal_choice")
    op.drop_table("proposal_ballot")
    with op.batch_alter_table("delegation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_organization_id"))
        batch_op.drop_index(batch_op.f("ix_delegation_delegator_id"))
        batch_op.drop_index(batch_op.f("ix_delegation_delegate_id"))

    op.drop_table("delegation")
    with op.batch_alter_table("decision_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_log_organization_id"))

    op.drop_table("decision_log")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_status"))
        batch_op.drop_index(batch_op.f("ix_proposal_organization_id"))

    op.drop_table("proposal")
