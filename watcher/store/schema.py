"""The tables, as SQLAlchemy Core metadata. Alembic migrations in `migrations/` are the only way
the real schema changes; a test checks that migrating yields exactly this metadata."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from watcher.reasons import Reason


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite keeps no offset)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        # (a string: a value written by raw SQL on SQLite)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Reasons(TypeDecorator[tuple[Reason, ...]]):
    """A list of `watcher.reasons.Reason` kept as JSON. Reads the English strings stored before
    reasons had codes too (as TEXT reasons), should a row escape the 'reasons' migration."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Iterable[Reason] | None, dialect: Dialect
                           ) -> list[dict[str, Any]] | None:
        return None if value is None else [r.to_json() for r in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Reason, ...] | None:
        return None if value is None else tuple(Reason.from_json(r) for r in value)


Id = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER keys only

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sources = Table(
    "sources",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("cursor", JSON, nullable=False, default=dict),
    Column("first_swept_at", UtcDateTime),
    Column("last_run_at", UtcDateTime),
    Column("last_success_at", UtcDateTime),
    Column("last_error", Text),
    Column("last_error_kind", String(32)),
    Column("errors_in_row", Integer, nullable=False, default=0),
    Column("last_fetched", Integer, nullable=False, default=0),
    Column("last_new", Integer, nullable=False, default=0),
    Column("down_alerted_at", UtcDateTime),  # when the operators were last told it is broken
)

# Each (source, scheduled slot) is polled by exactly one replica: the primary key decides who
# claims it; the lease lets another replica take over the slot of one that died mid-poll.
slot_claims = Table(
    "slot_claims",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("slot", UtcDateTime, primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("lease_until", UtcDateTime, nullable=False),
    Column("done_at", UtcDateTime),
    Column("takeovers", Integer, nullable=False, default=0),
    Index(None, "done_at", "lease_until"),  # claims in hand: renewed together, taken over
)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("platform", String(100), nullable=False),
    Column("external_id", String(500), nullable=False),
    Column("url", Text),
    Column("author", String(300)),
    Column("author_followers", BigInteger),
    Column("author_verified", Boolean),
    Column("parent_id", String(500)),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime),
    Column("language", String(8)),
    Column("rating", Float),
    Column("engagement", JSON),
    Column("raw", JSON),
    Column("content_hash", String(40), nullable=False),
    Column("fingerprint", String(40)),
    Column("signature", LargeBinary),  # MinHash of its shingles, for near copies (nearcopy.py)
    Column("duplicate_of", Id, ForeignKey("mentions.id")),
    Column("complaint", Boolean),
    Column("sentiment", Float),
    Column("probability", Float),
    Column("level", Integer),
    Column("category", String(32)),
    Column("reasons", Reasons),
    Column("risks", JSON),
    UniqueConstraint("source", "external_id"),
    Index(None, "platform", "author"),
)

# The first mention of each text owns its fingerprint. The primary key is what makes "first"
# exact across concurrent writers and replicas: a second writer waits for the first to commit,
# then finds the row taken and links its mention to the owner as a repost.
fingerprints = Table(
    "fingerprints",
    metadata,
    Column("fingerprint", String(40), primary_key=True),
    Column("mention_id", Id, ForeignKey("mentions.id"), nullable=False),
    Column("source", String(200), nullable=False),
)

# The same for near copies: each band key of a text's MinHash signature is owned by the first
# mention that had it. A new text looks up only its own band keys (a lookup costs the same however
# many mentions are stored) and is compared with the owners' signatures before it is linked.
copy_bands = Table(
    "copy_bands",
    metadata,
    Column("band", Id, primary_key=True, autoincrement=False),
    Column("mention_id", Id, ForeignKey("mentions.id"), nullable=False),
    Column("source", String(200), nullable=False),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("category", String(32), nullable=False),
    Column("level", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # open | closed
    Column("keywords", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("members", Integer, nullable=False, server_default="0"),  # tickets in it
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("mention_id", Id, ForeignKey("mentions.id"), nullable=False, unique=True),
    Column("incident_id", Id, ForeignKey("incidents.id"), index=True),
    Column("level", Integer, nullable=False),
    Column("category", String(32), nullable=False),
    Column("department", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("assignee", String(200)),
    Column("deadline", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("acknowledged_at", UtcDateTime),  # first response: meets the SLA when <= deadline
    Column("resolved_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
    Column("last_progress_at", UtcDateTime),  # the last note, for the progress reminder
    Column("reasons", Reasons, nullable=False),
    Column("risks", JSON, nullable=False),
    # The reach of the copies linked to the ticket's mention (reposts and near copies from other
    # sources), added by each copy's writer in one UPDATE: how many, their authors' followers,
    # their likes + reposts + replies. The scorer's reach rule reads them with the mention's own.
    Column("copies", Integer, nullable=False, server_default="0"),
    Column("copies_followers", BigInteger, nullable=False, server_default="0"),
    Column("copies_engagement", BigInteger, nullable=False, server_default="0"),
    # The incident keywords of the mention's text (tickets.incidents.keywords), kept so that
    # the incident window is read, not recomputed; NULL for tickets made before they were kept.
    Column("keywords", JSON(none_as_null=True)),
    Index(None, "status", "deadline"),
    Index(None, "created_at"),  # the incident window: tickets made within it
)

# Later mentions attached to a ticket: repeat complaints by the same author.
ticket_links = Table(
    "ticket_links",
    metadata,
    Column("mention_id", Id, ForeignKey("mentions.id"), primary_key=True),
    Column("ticket_id", Id, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("at", UtcDateTime, nullable=False),
)

# One row per thing that must happen once per ticket (a reminder for one breach, an
# escalation, a re-alert): the primary key lets exactly one SLA pass, on any replica, do it.
ticket_marks = Table(
    "ticket_marks",
    metadata,
    Column("ticket_id", Id, ForeignKey("tickets.id"), primary_key=True),
    Column("mark", String(100), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
)

# The call back (回访) after each resolution of a ticket: due when it was resolved, done with a
# satisfaction score. A ticket resolved again after reopening gets a new row; the latest is its
# current follow-up.
followups = Table(
    "followups",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("ticket_id", Id, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("resolved_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("done_at", UtcDateTime),
    Column("score", Integer),  # 1 (very dissatisfied) to 5 (very satisfied)
    Column("actor", String(200)),
    Column("note", Text),
    Index(None, "done_at", "due_at"),  # the SLA pass: not done, past due
)

ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("ticket_id", Id, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("note", Text),
    Column("data", JSON),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("alert_key", String(200), nullable=False),
    Column("target_key", String(40), nullable=False),  # sha1 of target: short, indexable
    Column("target", Text, nullable=False),
    Column("ticket_id", Id, ForeignKey("tickets.id")),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("level", Integer),  # of the ticket it is about; level 1 is never held back
    Column("status", String(12), nullable=False),  # pending | held | sent | digested
    Column("held_at", UtcDateTime),  # storm control held it back for the next digest
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("claimed_until", UtcDateTime),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("attachment", JSON),  # {"name", "content"}: a file sent along (the report's HTML)
    UniqueConstraint("alert_key", "target_key"),
    Index(None, "status", "next_attempt_at"),
)

# Each period's complaint report goes out once, whichever replica (or `watcher report --send`)
# comes first: the primary key decides.
sent_reports = Table(
    "sent_reports",
    metadata,
    Column("period", String(16), primary_key=True),  # 2026-10 or 2026-W41
    Column("at", UtcDateTime, nullable=False),
    Column("by", String(200), nullable=False),  # the replica or the person
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("outbox_id", Id, ForeignKey("outbox.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("error", Text),
)

# Staff console sessions, in the store so that every replica knows every login. The cookie
# holds a random id; the store keeps only its SHA-256, so a copy of the table logs nobody in.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_name", String(200), nullable=False),
    Column("csrf", String(64), nullable=False),  # the token every form of this session carries
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)

# Failed console logins, counted per user name and per client address by every replica alike.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("user_name", String(200), nullable=False),
    Column("address", String(64), nullable=False),
    Index(None, "user_name", "at"),
    Index(None, "address", "at"),
)

# Written by /healthz (at most every few seconds): proof that the store still takes writes.
health_probe = Table(
    "health_probe",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
)

# Staff corrections of what the scorer said (`watcher tickets correct`, the ticket page), kept
# with the mention's text so the deployment's own adjustment can be fitted from them.
corrections = Table(
    "corrections",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("ticket_id", Id, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("mention_id", Id, ForeignKey("mentions.id"), nullable=False),
    Column("source", String(200), nullable=False),
    Column("platform", String(100), nullable=False),
    Column("text", Text, nullable=False),  # title and text, as the scorer read them
    Column("complaint", Boolean, nullable=False),  # what staff say: False = not a complaint
    Column("category", String(32)),  # the category staff gave, if they gave one
    Column("level", Integer),  # the level staff gave, if they gave one
    Column("scored_category", String(32), nullable=False),  # what the ticket said before
    Column("scored_level", Integer, nullable=False),
    Column("probability", Float),  # the complaint probability the mention was scored with
    Column("by", String(200), nullable=False),
    Column("at", UtcDateTime, nullable=False, index=True),
)

# Each fit of the deployment's adjustment (`watcher retrain`, the daemon at night), kept or
# rejected, with the figures that decided. A nightly fit claims its night first (unique), so
# one replica fits it; fits asked for by a person have no night.
adjustments = Table(
    "adjustments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("by", String(200), nullable=False),
    Column("night", String(10), unique=True),  # 2026-11-24: the nightly fit's claim
    Column("upto", BigInteger, nullable=False),  # the newest correction it saw
    Column("corrections", Integer, nullable=False),
    Column("kept", Boolean, nullable=False),
    Column("model", JSON),  # the adjustment (watcher.scoring.adjust), when kept
    Column("figures", JSON, nullable=False),
    Column("note", Text, nullable=False),
)
