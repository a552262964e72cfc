"""corrections: staff corrections of the scorer, kept with the mention's text; adjustments: each
fit of the deployment's own adjustment on top of the shipped model, kept or rejected

Revision ID: corrections
Revises: reports
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from watcher.store.schema import UtcDateTime

revision = "corrections"
down_revision = "probe_targets"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ticket_id", ID, nullable=False),
        sa.Column("mention_id", ID, nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("complaint", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("scored_category", sa.String(length=32), nullable=False),
        sa.Column("scored_level", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_corrections_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["mention_id"], ["mentions.id"], name=op.f("fk_corrections_mention_id_mentions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
    )
    with op.batch_alter_table("corrections") as batch:
        batch.create_index(batch.f("ix_corrections_ticket_id"), ["ticket_id"], unique=False)
        batch.create_index(batch.f("ix_corrections_at"), ["at"], unique=False)
    op.create_table(
        "adjustments",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("night", sa.String(length=10), nullable=True),
        sa.Column("upto", sa.BigInteger(), nullable=False),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("kept", sa.Boolean(), nullable=False),
        sa.Column("model", sa.JSON(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjustments")),
        sa.UniqueConstraint("night", name=op.f("uq_adjustments_night")),
    )


def downgrade() -> None:
    op.drop_table("adjustments")
    with op.batch_alter_table("corrections") as batch:
        batch.drop_index(batch.f("ix_corrections_at"))
        batch.drop_index(batch.f("ix_corrections_ticket_id"))
    op.drop_table("corrections")
