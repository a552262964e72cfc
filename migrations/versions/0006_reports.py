"""complaint reports: each period's report claimed once in sent_reports; an outbox row may carry
an attachment (the report's HTML)

Revision ID: reports
Revises: followup
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from watcher.store.schema import UtcDateTime

revision = "reports"
down_revision = "followup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_reports",
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_sent_reports")),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("attachment", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("attachment")
    op.drop_table("sent_reports")
