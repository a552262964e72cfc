"""follow-ups: the call back after each resolution of a ticket, with its satisfaction score

Revision ID: followup
Revises: copies
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from watcher.store.schema import UtcDateTime

revision = "followup"
down_revision = "copies"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "followups",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ticket_id", ID, nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("done_at", UtcDateTime(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_followups_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followups")),
    )
    with op.batch_alter_table("followups") as batch:
        batch.create_index(batch.f("ix_followups_ticket_id"), ["ticket_id"], unique=False)
        batch.create_index(batch.f("ix_followups_done_at_due_at"), ["done_at", "due_at"],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table("followups") as batch:
        batch.drop_index(batch.f("ix_followups_done_at_due_at"))
        batch.drop_index(batch.f("ix_followups_ticket_id"))
    op.drop_table("followups")
