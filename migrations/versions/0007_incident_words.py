"""incident words: each ticket keeps the keywords of its text, so the incident window of a
sweep is read without recomputing them (issue #15)

Revision ID: incident_words
Revises: reports
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "incident_words"
down_revision = "reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("keywords", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("keywords")
