"""incident words: each ticket keeps the keywords of its text, so the incident window of a
sweep is read without recomputing them, and tickets are found by when they were made; each
incident counts its members, so an update about it costs the same however large it is; the
slot claims in hand are found by an index (renewed together, taken over) (#15)

Revision ID: incident_words
Revises: reports
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "incident_words"
down_revision = "corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("keywords", sa.JSON(), nullable=True))
        batch.create_index(op.f("ix_tickets_created_at"), ["created_at"])
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("members", sa.Integer(), server_default="0",
                                   nullable=False))
    op.execute("UPDATE incidents SET members = (SELECT count(*) FROM tickets "
               "WHERE tickets.incident_id = incidents.id)")
    with op.batch_alter_table("slot_claims") as batch:
        batch.create_index(op.f("ix_slot_claims_done_at_lease_until"), ["done_at", "lease_until"])


def downgrade() -> None:
    with op.batch_alter_table("slot_claims") as batch:
        batch.drop_index(op.f("ix_slot_claims_done_at_lease_until"))
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("members")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index(op.f("ix_tickets_created_at"))
        batch.drop_column("keywords")
