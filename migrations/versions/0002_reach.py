"""mentions keep the author's audience and a reply's parent: author_followers, author_verified,
parent_id (for the scorer's reach rule and for comment threads)

Revision ID: reach
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "reach"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(sa.Column("author_followers", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("author_verified", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("parent_id", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("parent_id")
        batch.drop_column("author_verified")
        batch.drop_column("author_followers")
