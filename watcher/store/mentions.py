"""Mentions: stored once per (source, external id), with their score."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from watcher.store.db import Store
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
    """fingerprint -> id of the first mention with it from another source."""
    found: dict[str, int] = {}
    for chunk in _chunks(fingerprints):
        query = (
            select(mentions.c.fingerprint, func.min(mentions.c.id))
            .where(
                mentions.c.fingerprint.in_(chunk),
                mentions.c.source != other_than_source,
                mentions.c.duplicate_of.is_(None),
            )
            .group_by(mentions.c.fingerprint)
        )
        found.update({fp: mention_id for fp, mention_id in conn.execute(query)})
    return found


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
