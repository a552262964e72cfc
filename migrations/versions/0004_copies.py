"""near copies: mentions keep a MinHash signature, copy_bands owns each band key (the first
mention that had it), tickets add up the reach of their mention's copies

Revision ID: copies
Revises: reasons
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "copies"
down_revision = "reasons"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(sa.Column("signature", sa.LargeBinary(), nullable=True))
    op.create_table(
        "copy_bands",
        sa.Column("band", Id, autoincrement=False, nullable=False),
        sa.Column("mention_id", Id, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("band", name="pk_copy_bands"),
        sa.ForeignKeyConstraint(
            ["mention_id"], ["mentions.id"], name="fk_copy_bands_mention_id_mentions"
        ),
    )
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("copies", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("copies_followers", sa.BigInteger(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("copies_engagement", sa.BigInteger(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("copies_engagement")
        batch.drop_column("copies_followers")
        batch.drop_column("copies")
    op.drop_table("copy_bands")
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("signature")
