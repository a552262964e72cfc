"""hostile clients (issue 17): outbox rows name their target by its place in the config, not
by the URL (whose tokens and passwords then stayed in the store); the /healthz write probe's
table

Rows queued before keep no URL either: their target becomes "sha1:" and the SHA-1 of the URL
(the target_key they had), which the dispatcher still matches against the URLs configured.

Revision ID: probe_targets
Revises: reports
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from watcher.store.schema import UtcDateTime

revision = "probe_targets"
down_revision = "reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "health_probe",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_health_probe")),
    )
    outbox = sa.table("outbox", sa.column("target", sa.Text),
                      sa.column("target_key", sa.String))
    op.execute(sa.update(outbox).where(~outbox.c.target.like("sha1:%"))
               .values(target=sa.literal("sha1:") + outbox.c.target_key))


def downgrade() -> None:
    # the URLs are not in the store any more: the references stay
    op.drop_table("health_probe")
