"""initial schema: sources, mentions, fingerprints, tickets, ticket events, outbox, attempts

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from watcher.store.schema import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("cursor", sa.JSON, nullable=False),
        sa.Column("first_swept_at", UtcDateTime),
        sa.Column("last_run_at", UtcDateTime),
        sa.Column("last_success_at", UtcDateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("last_error_kind", sa.String(32)),
        sa.Column("errors_in_row", sa.Integer, nullable=False),
        sa.Column("last_fetched", sa.Integer, nullable=False),
        sa.Column("last_new", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_sources"),
    )
    op.create_table(
        "mentions",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("platform", sa.String(100), nullable=False),
        sa.Column("external_id", sa.String(500), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("author", sa.String(300)),
        sa.Column("title", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("first_seen_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime),
        sa.Column("language", sa.String(8)),
        sa.Column("rating", sa.Float),
        sa.Column("engagement", sa.JSON),
        sa.Column("raw", sa.JSON),
        sa.Column("content_hash", sa.String(40), nullable=False),
        sa.Column("fingerprint", sa.String(40)),
        sa.Column("duplicate_of", Id),
        sa.Column("complaint", sa.Boolean),
        sa.Column("sentiment", sa.Float),
        sa.Column("probability", sa.Float),
        sa.Column("level", sa.Integer),
        sa.Column("category", sa.String(32)),
        sa.Column("reasons", sa.JSON),
        sa.Column("risks", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_mentions"),
        sa.ForeignKeyConstraint(
            ["duplicate_of"], ["mentions.id"], name="fk_mentions_duplicate_of_mentions"
        ),
        sa.UniqueConstraint("source", "external_id", name="uq_mentions_source_external_id"),
    )
    op.create_index("ix_mentions_platform_author", "mentions", ["platform", "author"])
    op.create_table(
        "fingerprints",
        sa.Column("fingerprint", sa.String(40), nullable=False),
        sa.Column("mention_id", Id, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name="pk_fingerprints"),
        sa.ForeignKeyConstraint(
            ["mention_id"], ["mentions.id"], name="fk_fingerprints_mention_id_mentions"
        ),
    )
    op.create_table(
        "tickets",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("mention_id", Id, nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(200)),
        sa.Column("deadline", UtcDateTime, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("risks", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.ForeignKeyConstraint(["mention_id"], ["mentions.id"], name="fk_tickets_mention_id_mentions"),
        sa.UniqueConstraint("mention_id", name="uq_tickets_mention_id"),
    )
    op.create_index("ix_tickets_status_deadline", "tickets", ["status", "deadline"])
    op.create_table(
        "ticket_events",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("ticket_id", Id, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("data", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_events"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_ticket_events_ticket_id_tickets"),
    )
    op.create_index("ix_ticket_events_ticket_id", "ticket_events", ["ticket_id"])
    op.create_table(
        "outbox",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("alert_key", sa.String(200), nullable=False),
        sa.Column("target_key", sa.String(40), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("ticket_id", Id),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UtcDateTime, nullable=False),
        sa.Column("claimed_until", UtcDateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("sent_at", UtcDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_outbox_ticket_id_tickets"),
        sa.UniqueConstraint("alert_key", "target_key", name="uq_outbox_alert_key_target_key"),
    )
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])
    op.create_table(
        "delivery_attempts",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("outbox_id", Id, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_attempts"),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name="fk_delivery_attempts_outbox_id_outbox"
        ),
    )
    op.create_index("ix_delivery_attempts_outbox_id", "delivery_attempts", ["outbox_id"])


def downgrade() -> None:
    tables = ("delivery_attempts", "outbox", "ticket_events", "tickets", "fingerprints",
              "mentions", "sources")
    for table in tables:
        op.drop_table(table)
