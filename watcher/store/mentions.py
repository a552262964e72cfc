"""Mentions: stored once per (source, external id), with their score."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from watcher.store.db import Store
from watcher.store.schema import fingerprints as fingerprint_owners
from watcher.store.schema import mentions

CHUNK = 500  # keeps IN lists well inside every backend's parameter limit


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def existing(conn: Connection, source: str, external_ids: Sequence[str]) -> dict[str, Any]:
    """external id -> (id, content_hash) for those of `external_ids` already stored."""
    found: dict[str, Any] = {}
    for chunk in _chunks(external_ids):
        query = select(mentions.c.external_id, mentions.c.id, mentions.c.content_hash).where(
            mentions.c.source == source, mentions.c.external_id.in_(chunk)
        )
        for external_id, mention_id, content_hash in conn.execute(query):
            found[external_id] = (mention_id, content_hash)
    return found


def originals_by_fingerprint(
    conn: Connection, fingerprints: Sequence[str], other_than_source: str
) -> dict[str, int]:
    """fingerprint -> id of the first mention with it, where that came from another source (or,
    when that mention is itself a copy, of the first mention it copies)."""
    found: dict[str, int] = {}
    first = func.coalesce(mentions.c.duplicate_of, fingerprint_owners.c.mention_id)
    for chunk in _chunks(fingerprints):
        query = select(fingerprint_owners.c.fingerprint, first).join(
            mentions, mentions.c.id == fingerprint_owners.c.mention_id).where(
            fingerprint_owners.c.fingerprint.in_(chunk),
            fingerprint_owners.c.source != other_than_source,
        )
        found.update({fp: mention_id for fp, mention_id in conn.execute(query)})
    return found


def claim_fingerprints(
    store: Store, conn: Connection, source: str, claims: dict[str, int]
) -> dict[str, int]:
    """Claims fingerprint -> mention id for mentions just stored; returns, for each fingerprint
    another source owned first, the owner's mention id (those mentions are reposts)."""
    rows = [{"fingerprint": fp, "mention_id": mid, "source": source} for fp, mid in claims.items()]
    for chunk in _chunks(rows):
        conn.execute(store.insert_ignoring_conflicts(fingerprint_owners), list(chunk))
    return originals_by_fingerprint(conn, list(claims), other_than_source=source)


def mark_repost(conn: Connection, mention_id: int, original_id: int) -> None:
    conn.execute(update(mentions).where(mentions.c.id == mention_id)
                 .values(duplicate_of=original_id))


def insert_new(
    store: Store, conn: Connection, source: str, rows: list[dict[str, Any]], now: datetime
) -> dict[str, int]:
    """Inserts `rows` (a unique key decides between racing writers); returns external id -> id
    for the rows this call inserted."""
    if not rows:
        return {}
    for chunk in _chunks(rows):
        conn.execute(store.insert_ignoring_conflicts(mentions), list(chunk))
    inserted: dict[str, int] = {}
    ids = [row["external_id"] for row in rows]
    for chunk in _chunks(ids):
        query = select(mentions.c.external_id, mentions.c.id).where(
            mentions.c.source == source,
            mentions.c.external_id.in_(chunk),
            mentions.c.first_seen_at == now,
        )
        inserted.update({external: mention_id for external, mention_id in conn.execute(query)})
    return inserted


def engagement_of(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, int] | None]:
    """mention id -> its stored likes, reposts and replies (None where none were given)."""
    found: dict[int, dict[str, int] | None] = {}
    for chunk in _chunks(list(ids)):
        query = select(mentions.c.id, mentions.c.engagement).where(mentions.c.id.in_(chunk))
        found.update({mention_id: engagement for mention_id, engagement in conn.execute(query)})
    return found


def update_edited(conn: Connection, mention_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(mentions).where(mentions.c.id == mention_id).values(**values))


def count(conn: Connection, source: str | None = None) -> int:
    query = select(func.count()).select_from(mentions)
    if source:
        query = query.where(mentions.c.source == source)
    return int(conn.execute(query).scalar_one())


def by_ids(conn: Connection, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(list(ids)):
        for row in conn.execute(select(mentions).where(mentions.c.id.in_(chunk))).mappings():
            found[row["id"]] = dict(row)
    return found
