"""The alert outbox: one row per (alert, target), written in the transaction that made the
alert, claimed by the dispatcher, retried until sent. Every failed attempt is recorded.

A row names its target by where the config holds it (`target`: "alerts.on_duty[0]", see
watcher.config.targets), never by the URL, whose tokens and passwords stay out of the store."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from watcher.config.targets import AlertTargets
from watcher.store.db import Store
from watcher.store.schema import delivery_attempts, mentions, outbox, tickets

# A claim left by a crashed dispatcher expires after this; a live one renews the claims of the
# rows it has yet to send before half of it has passed (watcher.runtime.dispatch).
LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    alert_key: str
    target: str  # the target's reference, looked up in the config when sending
    ticket_id: int | None
    title: str
    body: str
    attempts: int
    level: int | None = None
    attachment: dict[str, str] | None = None  # {"name", "content"}: a file sent along


def target_key(reference: str) -> str:
    return hashlib.sha1(reference.encode()).hexdigest()


def enqueue(
    store: Store,
    conn: Connection,
    *,
    alert_key: str,
    targets: Sequence[str],
    book: AlertTargets,
    title: str,
    body: str,
    now: datetime,
    ticket_id: int | None = None,
    level: int | None = None,
    attachment: dict[str, str] | None = None,
    due: datetime | None = None,
) -> None:
    """One pending row per target URL, kept as its reference in `book` (a URL the config does
    not name is a ValueError), sent from `due` on (at once by default); an (alert, target) pair
    already queued is left alone."""
    enqueue_references(store, conn, alert_key=alert_key,
                       references=[book.reference(url) for url in targets], title=title,
                       body=body, now=now, ticket_id=ticket_id, level=level,
                       attachment=attachment, due=due)


def enqueue_references(
    store: Store,
    conn: Connection,
    *,
    alert_key: str,
    references: Sequence[str],
    title: str,
    body: str,
    now: datetime,
    ticket_id: int | None = None,
    level: int | None = None,
    attachment: dict[str, str] | None = None,
    due: datetime | None = None,
) -> None:
    """One pending row per target, sent from `due` on (at once by default); an (alert, target)
    pair already queued is left alone."""
    insert_rows(store, conn, rows(alert_key=alert_key, references=references, title=title,
                                  body=body, now=now, ticket_id=ticket_id, level=level,
                                  attachment=attachment, due=due))


def insert_rows(store: Store, conn: Connection, found: list[dict[str, Any]]) -> None:
    """Rows made by `rows`, of any number of alerts, in one statement."""
    if found:
        conn.execute(store.insert_ignoring_conflicts(outbox), found)


def rows(
    *,
    alert_key: str,
    references: Sequence[str],
    title: str,
    body: str,
    now: datetime,
    ticket_id: int | None = None,
    level: int | None = None,
    attachment: dict[str, str] | None = None,
    due: datetime | None = None,
) -> list[dict[str, Any]]:
    """The outbox rows of one alert, one per target reference (`AlertTargets.reference`)."""
    return [
        {
            "alert_key": alert_key,
            "target_key": target_key(target),
            "target": target,
            "ticket_id": ticket_id,
            "level": level,
            "title": title,
            "body": body,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": due or now,
            "created_at": now,
            "attachment": attachment,
        }
        for target in dict.fromkeys(references)
    ]


def claim(
    store: Store, now: datetime, *, limit: int, ignore_backoff: bool = False,
    exclude: Sequence[int] = (),
) -> list[OutboxRow]:
    """Claims up to `limit` pending rows that are due (all pending with ignore_backoff).

    On PostgreSQL the rows are locked with SKIP LOCKED, so replicas never claim the same row;
    the claim is a lease, so a dispatcher that dies mid-send leaves rows others take over.
    """
    with store.begin() as conn:
        query = (
            select(outbox)
            .where(
                outbox.c.status == "pending",
                or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
            )
            .order_by(outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if not ignore_backoff:
            query = query.where(outbox.c.next_attempt_at <= now)
        if exclude:
            query = query.where(outbox.c.id.not_in(list(exclude)))
        rows = conn.execute(query).mappings().all()
        if rows:
            conn.execute(
                update(outbox)
                .where(outbox.c.id.in_([r["id"] for r in rows]))
                .values(claimed_until=now + LEASE)
            )
    return [
        OutboxRow(r["id"], r["alert_key"], r["target"], r["ticket_id"], r["title"], r["body"],
                  r["attempts"], r["level"], r["attachment"])
        for r in rows
    ]


def mark_sent(store: Store, row_id: int, now: datetime) -> None:
    with store.begin() as conn:
        conn.execute(
            update(outbox)
            .where(outbox.c.id == row_id)
            .values(status="sent", sent_at=now, claimed_until=None, attempts=outbox.c.attempts + 1)
        )
        conn.execute(insert(delivery_attempts).values(outbox_id=row_id, at=now, ok=True))


def mark_failed(store: Store, row_id: int, now: datetime, error: str, retry_at: datetime) -> None:
    with store.begin() as conn:
        conn.execute(
            update(outbox)
            .where(outbox.c.id == row_id)
            .values(
                attempts=outbox.c.attempts + 1,
                last_error=error,
                next_attempt_at=retry_at,
                claimed_until=None,
            )
        )
        conn.execute(
            insert(delivery_attempts).values(outbox_id=row_id, at=now, ok=False, error=error)
        )


def pending_stats(conn: Connection) -> tuple[int, datetime | None]:
    """How many rows wait to be sent, and when the oldest of them was made."""
    query = select(func.count(), func.min(outbox.c.created_at)).where(
        outbox.c.status.in_(("pending", "held")))
    number, oldest = conn.execute(query).one()
    if isinstance(oldest, str):  # SQLite returns aggregates untyped
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return int(number), oldest


def release(store: Store, row_ids: Sequence[int]) -> None:
    """Gives back claims that were not attempted, so the next pass takes them at once."""
    if not row_ids:
        return
    with store.begin() as conn:
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(row_ids)), outbox.c.status == "pending")
            .values(claimed_until=None)
        )


def sent_since(store: Store, target: str, since: datetime) -> int:
    """How many alerts went to `target` since `since` (storm control's count)."""
    with store.engine.connect() as conn:
        query = select(func.count()).select_from(outbox).where(
            outbox.c.target_key == target_key(target), outbox.c.status == "sent",
            outbox.c.sent_at >= since)
        return int(conn.execute(query).scalar_one())


def hold(store: Store, row_id: int, now: datetime) -> None:
    with store.begin() as conn:
        conn.execute(update(outbox).where(outbox.c.id == row_id)
                     .values(status="held", held_at=now, claimed_until=None))


def held(store: Store, held_before: datetime) -> dict[str, list[dict[str, Any]]]:
    """Held rows by target, for targets whose oldest held row was held before `held_before`."""
    query = (
        select(outbox.c.id, outbox.c.target, outbox.c.title, outbox.c.ticket_id,
               outbox.c.held_at, mentions.c.url, mentions.c.text)
        .select_from(outbox.outerjoin(tickets, tickets.c.id == outbox.c.ticket_id)
                     .outerjoin(mentions, mentions.c.id == tickets.c.mention_id))
        .where(outbox.c.status == "held").order_by(outbox.c.id)
    )
    found: dict[str, list[dict[str, Any]]] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(query).mappings():
            found.setdefault(row["target"], []).append(dict(row))
    return {target: rows for target, rows in found.items()
            if min(r["held_at"] for r in rows) <= held_before}


def replace_with_digest(store: Store, target: str, row_ids: Sequence[int], *, title: str,
                        body: str, now: datetime) -> None:
    """One digest row takes the place of the held rows, in one transaction."""
    with store.begin() as conn:
        enqueue_references(store, conn, alert_key=f"digest:{now.isoformat()}:{min(row_ids)}",
                           references=[target], title=title, body=body, now=now, level=1)
        conn.execute(update(outbox).where(outbox.c.id.in_(list(row_ids)))
                     .values(status="digested", sent_at=now))


def extend(store: Store, row_ids: Sequence[int], until: datetime) -> None:
    """Renews this dispatcher's claims on rows it has not sent yet."""
    if not row_ids:
        return
    with store.begin() as conn:
        conn.execute(update(outbox)
                     .where(outbox.c.id.in_(list(row_ids)), outbox.c.status == "pending")
                     .values(claimed_until=until))


def foldable(conn: Connection, key_prefix: str, target: str, now: datetime
             ) -> tuple[int, str] | None:
    """The pending row of an alert whose key starts with `key_prefix`, to `target`, that no
    dispatcher has tried or holds: (id, alert key), for a later update to be folded into. Only
    the key is asked of the database (so it reads the key's index, not every pending row)."""
    query = select(outbox.c.id, outbox.c.alert_key, outbox.c.status, outbox.c.attempts,
                   outbox.c.claimed_until).where(outbox.c.target_key == target_key(target),
                                                 *_starting(key_prefix))
    free = [(row.id, row.alert_key) for row in conn.execute(query)
            if row.status == "pending" and row.attempts == 0
            and (row.claimed_until is None or row.claimed_until < now)]
    return max(free) if free else None


def fold(conn: Connection, row_id: int, *, title: str, body: str, now: datetime) -> bool:
    """Replaces the text of a pending row nobody has claimed; False when one has meanwhile."""
    done = conn.execute(
        update(outbox)
        .where(outbox.c.id == row_id, outbox.c.status == "pending", outbox.c.attempts == 0,
               or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now))
        .values(title=title, body=body))
    return bool(done.rowcount)


def last_told(conn: Connection, key_prefix: str, target: str) -> datetime | None:
    """When the latest alert whose key starts with `key_prefix` was sent to `target` (queued,
    for one not sent yet)."""
    query = select(func.max(func.coalesce(outbox.c.sent_at, outbox.c.created_at))).where(
        outbox.c.target_key == target_key(target), *_starting(key_prefix))
    latest = conn.execute(query).scalar()
    if isinstance(latest, str):  # SQLite returns aggregates untyped
        latest = datetime.fromisoformat(latest)
    if latest is not None and latest.tzinfo is None:
        latest = latest.replace(tzinfo=UTC)
    return latest


def _starting(prefix: str) -> tuple[Any, Any]:
    """alert_key starts with `prefix`, as a range the (alert_key, target_key) index serves
    (LIKE would read the whole outbox)."""
    return (outbox.c.alert_key >= prefix,
            outbox.c.alert_key < prefix[:-1] + chr(ord(prefix[-1]) + 1))
