"""public report, hours ledger, leaving a federation

- organization: `publish_report` (off), `hourly_rate` and `currency` (none), `left_from_id`;
- member: `show_in_report` (off: an anonymous rank in the public report);
- `origin_org_id` on org_server, task, goal and member: the side (the organization a server set up
  before any merge) each came from, so that a side can leave a federation with what it brought;
- merge_proposal.kind: "merge" or "leave"; the ledger_correction table.

Federations formed before this revision did not record sides; they are filled in here as far as the
stored facts tell: a server's side is the original organization of the federation created nearest in
time to when the server joined (both are written in the same transaction by `/mod org setup`); a task's
or goal's side is the original organization named by its `origin`; a member's side is the organization
they voted for in a merge vote, or the original organization in which they still have a (folded)
membership. What cannot be told stays empty and stays with the federation when a side leaves.

Revision ID: 24c56fbd0e57
Revises: 32f99eca9c15
Create Date: 2026-11-29 13:19:55.406765
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.models

revision: str = "24c56fbd0e57"
down_revision: str | None = "32f99eca9c15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORIGIN_TABLES = ("org_server", "task", "goal", "member")


def upgrade() -> None:
    op.create_table(
        "ledger_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("week", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ledger_correction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_correction_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_correction_organization_id"), ["organization_id"], unique=False)

    for table in ORIGIN_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("origin_org_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(f"fk_{table}_origin_org", "organization", ["origin_org_id"], ["id"])
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("show_in_report", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("merge_proposal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default="merge")
        )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publish_report", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("hourly_rate", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        batch_op.add_column(sa.Column("left_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_organization_left_from", "organization", ["left_from_id"], ["id"])
    for table, column in (("member", "show_in_report"), ("merge_proposal", "kind"), ("organization", "publish_report")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, server_default=None)
    _fill_in_sides(op.get_bind())


def _fill_in_sides(bind: sa.engine.Connection) -> None:
    """The sides of the federations formed before sides were recorded (see the module's docstring)."""
    orgs = bind.execute(sa.text("SELECT id, name, created_at, merged_into_id FROM organization")).all()
    parent = {o.id: o.merged_into_id for o in orgs}
    children = {o.merged_into_id for o in orgs if o.merged_into_id is not None}

    def leaves_of(org_id):  # the original organizations a federation is made of
        found, frontier = [], [org_id]
        while frontier:
            current = frontier.pop()
            below = [o for o, p in parent.items() if p == current]
            if not below and current != org_id:
                found.append(current)
            frontier += below
        return found

    def root_of(org_id):
        while parent.get(org_id) is not None:
            org_id = parent[org_id]
        return org_id

    by_id = {o.id: o for o in orgs}
    for federation in (o for o in orgs if o.id in children and o.merged_into_id is None):
        leaves = leaves_of(federation.id)
        if not leaves:
            continue

        for server in bind.execute(
            sa.text("SELECT guild_id, joined_at FROM org_server WHERE organization_id = :org"), {"org": federation.id}
        ).all():
            nearest = min(leaves, key=lambda leaf: abs(_seconds(by_id[leaf].created_at) - _seconds(server.joined_at)))
            bind.execute(
                sa.text("UPDATE org_server SET origin_org_id = :leaf WHERE guild_id = :guild"),
                {"leaf": nearest, "guild": server.guild_id},
            )
        names: dict[str, int] = {}
        for leaf in leaves:
            names.setdefault(by_id[leaf].name, leaf)
        for table in ("task", "goal"):
            for row in bind.execute(
                sa.text(f"SELECT id, origin FROM {table} WHERE organization_id = :org"), {"org": federation.id}
            ).all():
                if row.origin in names:
                    bind.execute(
                        sa.text(f"UPDATE {table} SET origin_org_id = :leaf WHERE id = :id"),
                        {"leaf": names[row.origin], "id": row.id},
                    )
        leaf_set = set(leaves)
        for member in bind.execute(
            sa.text("SELECT id, user_id FROM member WHERE organization_id = :org"), {"org": federation.id}
        ).all():
            voted = bind.execute(
                sa.text("SELECT organization_id FROM merge_vote WHERE member_id = :m ORDER BY updated_at"),
                {"m": member.id},
            ).scalars()
            side = next((o for o in voted if o in leaf_set), None)
            if side is None:
                folded = bind.execute(
                    sa.text("SELECT organization_id FROM member WHERE user_id = :u AND id != :m"),
                    {"u": member.user_id, "m": member.id},
                ).scalars()
                others = [o for o in folded if o in leaf_set]
                # folded rows are the other side's: the kept row is the remaining side when there are two
                remaining = leaf_set - set(others)
                side = next(iter(remaining)) if others and len(remaining) == 1 else None
            if side is not None and root_of(side) == federation.id:
                bind.execute(
                    sa.text("UPDATE member SET origin_org_id = :leaf WHERE id = :id"), {"leaf": side, "id": member.id}
                )


def _seconds(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, str):
        from datetime import datetime

        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def downgrade() -> None:
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_constraint("fk_organization_left_from", type_="foreignkey")
        batch_op.drop_column("left_from_id")
        batch_op.drop_column("currency")
        batch_op.drop_column("hourly_rate")
        batch_op.drop_column("publish_report")
    with op.batch_alter_table("merge_proposal", schema=None) as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("show_in_report")
    for table in ORIGIN_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_origin_org", type_="foreignkey")
            batch_op.drop_column("origin_org_id")
    with op.batch_alter_table("ledger_correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_correction_organization_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_correction_member_id"))
    op.drop_table("ledger_correction")
