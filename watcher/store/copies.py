"""Near copies in the store: who owns each band key, the tickets copies add their reach to.

Every function here takes a whole batch and costs one statement (a few for a batch of more than
BAND_CHUNK band keys), whatever the number of mentions stored: a lookup reads the rows of the
batch's own band keys by primary key and never scans.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, union_all, update

from watcher.store.db import Store
from watcher.store.schema import copy_bands, mentions, ticket_links, tickets

# Band keys per statement: a batch of 100 new texts of 32 bands each in one query, well inside
# SQLite's (32,766) and PostgreSQL's (65,535) limits on bound parameters.
BAND_CHUNK = 3_200
ROOT_CHUNK = 500


@dataclass(frozen=True)
class BandOwner:
    """The first mention that had a band key: its signature, and the first mention of what it
    is a copy of (itself when it is no copy) with that mention's source."""

    mention_id: int
    signature: bytes | None
    root_id: int
    root_source: str


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_OWNER, _ROOT = mentions.alias("owner"), mentions.alias("root")
# Built once: an alias's columns cost more to set up than the lookup itself (bench/, #15).
_OWNERS = (
    select(copy_bands.c.band, _OWNER.c.id, _OWNER.c.signature,
           func.coalesce(_ROOT.c.id, _OWNER.c.id), func.coalesce(_ROOT.c.source, _OWNER.c.source))
    .join(_OWNER, _OWNER.c.id == copy_bands.c.mention_id)
    .outerjoin(_ROOT, _ROOT.c.id == _OWNER.c.duplicate_of)
)


def band_owners(conn: Connection, bands: Iterable[int]) -> dict[int, BandOwner]:
    """band key -> its owner, for those of `bands` that are owned."""
    query = _OWNERS
    found: dict[int, BandOwner] = {}
    for chunk in _chunks(sorted(set(bands)), BAND_CHUNK):
        for band, mention_id, signature, root_id, root_source in conn.execute(
                query.where(copy_bands.c.band.in_(chunk))):
            found[band] = BandOwner(mention_id, signature, root_id, root_source)
    return found


def claim_bands(store: Store, conn: Connection, source: str, claims: Mapping[int, int]
                ) -> set[int]:
    """Claims band key -> mention id where no mention owns the key yet; returns the keys it
    claimed. In key order, so two writers claiming overlapping keys wait for each other
    instead of deadlocking."""
    rows = [{"band": band, "mention_id": claims[band], "source": source}
            for band in sorted(claims)]
    claimed: set[int] = set()
    statement = store.insert_ignoring_conflicts(copy_bands).returning(copy_bands.c.band)
    for chunk in _chunks(rows, BAND_CHUNK):
        claimed.update(band for (band,) in conn.execute(statement, list(chunk)))
    return claimed


def tickets_of(conn: Connection, mention_ids: Iterable[int]) -> dict[int, int]:
    """mention id -> the ticket it belongs to: its own, or the one it is linked to (a repeat)."""
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(set(mention_ids)), ROOT_CHUNK):
        own = select(tickets.c.mention_id, tickets.c.id).where(tickets.c.mention_id.in_(chunk))
        linked = select(ticket_links.c.mention_id, ticket_links.c.ticket_id).where(
            ticket_links.c.mention_id.in_(chunk))
        for mention_id, ticket_id in conn.execute(union_all(own, linked)):
            found.setdefault(mention_id, ticket_id)
    return found


def add_reach(conn: Connection, totals: Mapping[int, tuple[int, int, int]]) -> None:
    """ticket id -> (copies, followers, engagement) added to the ticket's totals, each in one
    UPDATE that adds to the stored value: two writers adding at once both count."""
    if not totals:
        return
    statement = (update(tickets).where(tickets.c.id == bindparam("ticket"))
                 .values(copies=tickets.c.copies + bindparam("n"),
                         copies_followers=tickets.c.copies_followers + bindparam("followers"),
                         copies_engagement=tickets.c.copies_engagement + bindparam("engagement")))
    conn.execute(statement, [{"ticket": ticket, "n": n, "followers": followers,
                              "engagement": engagement}
                             for ticket, (n, followers, engagement) in sorted(totals.items())])


def link_copies(store: Store, conn: Connection, links: Mapping[int, int],
                now: datetime) -> None:
    """copy's mention id -> ticket id, recorded as the ticket's linked mentions of kind `copy`."""
    rows = [{"mention_id": mention_id, "ticket_id": ticket_id, "kind": "copy", "at": now}
            for mention_id, ticket_id in sorted(links.items())]
    for chunk in _chunks(rows, ROOT_CHUNK):
        conn.execute(store.insert_ignoring_conflicts(ticket_links), list(chunk))
