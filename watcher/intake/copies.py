"""Copies across sources: which new mentions are near copies of a mention another source had
first, and the reach a copy adds to that first mention's ticket.

A batch costs the same whatever the store holds: one query for the owners of the batch's band
keys before scoring (copies are not scored), one insert of the bands the batch's own texts claim
and one more query for the owners after it, inside the write transaction: a writer racing this
one on another source or replica may have claimed shared band keys first, and its mention is
then the first one. Two texts are linked only when their stored signatures agree
(nearcopy.THRESHOLD), never on a shared band alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from watcher.intake import nearcopy
from watcher.intake.nearcopy import Signature
from watcher.model import Mention
from watcher.scoring.reach import engagement_total
from watcher.store import copies as copy_store
from watcher.store.db import Store


def sign(batch: Mapping[str, Mention]) -> dict[str, Signature]:
    """key -> signature of each mention with enough text to tell a copy."""
    found = {key: nearcopy.signature(m.text) for key, m in batch.items()}
    return {key: sig for key, sig in found.items() if sig is not None}


def originals(conn: Connection, source: str, signatures: Mapping[str, Signature],
              mine: AbstractSet[int] = frozenset()) -> dict[str, int]:
    """key -> id of the first mention, from another source, that the key's text is a copy of.
    `mine`: band keys owned by mentions of this source that are copies of nothing, not looked
    up (their owner is not another source's)."""
    if not signatures:
        return {}
    owners = copy_store.band_owners(conn, (b for s in signatures.values() for b in s.bands
                                           if b not in mine))
    found = {}
    for key, sig in signatures.items():
        first = _first_copied(sig, (owners[b] for b in sig.bands if b in owners), source)
        if first is not None:
            found[key] = first
    return found


def _first_copied(sig: Signature, owners: Iterable[copy_store.BandOwner],
                  source: str) -> int | None:
    """The earliest first mention among the owners whose signature is close enough to `sig`."""
    roots = {owner.root_id for owner in set(owners)
             if owner.root_source != source and owner.signature is not None
             and nearcopy.similarity(sig.digest, owner.signature) >= nearcopy.THRESHOLD}
    return min(roots, default=None)


def claim(store: Store, conn: Connection, source: str, signatures: Mapping[str, Signature],
          stored: Mapping[str, int], originals_now: set[str]) -> dict[str, int]:
    """Claims the band keys of the mentions just stored (`stored`: key -> mention id); returns
    key -> first mention for those of `originals_now` that turn out to be copies of a mention a
    racing writer stored first."""
    claims: dict[int, int] = {}
    for key, mention_id in stored.items():
        if key in signatures:
            for band in signatures[key].bands:
                claims.setdefault(band, mention_id)
    if not claims:
        return {}
    claimed = copy_store.claim_bands(store, conn, source, claims)
    # Only a text with a band key it could not claim can be a copy of a racing writer's: its
    # copies share a band key with it (as the lookup itself assumes), now owned by another.
    # The keys just claimed for this batch's originals are owned by them: not looked up.
    first = {stored[k] for k in originals_now if k in stored}
    return originals(conn, source, {k: signatures[k] for k in originals_now
                                    if k in signatures and k in stored
                                    and not claimed.issuperset(signatures[k].bands)},
                     mine={band for band in claimed if claims[band] in first})


def add_reach(store: Store, conn: Connection, copies: Iterable[dict[str, Any]],
              now: datetime) -> dict[int, int]:
    """Links each copy (a stored mention row with `id` and `duplicate_of`) to the ticket of the
    mention it copies, where there is one, and adds its reach to that ticket's totals; returns
    ticket id -> the likes + reposts + replies added."""
    copies = [row for row in copies if row.get("duplicate_of") is not None]
    if not copies:
        return {}
    ticket_of = copy_store.tickets_of(conn, {row["duplicate_of"] for row in copies})
    totals: dict[int, tuple[int, int, int]] = {}
    links: dict[int, int] = {}
    for row in copies:
        ticket = ticket_of.get(row["duplicate_of"])
        if ticket is None:
            continue
        links[row["id"]] = ticket
        n, followers, engagement = totals.get(ticket, (0, 0, 0))
        totals[ticket] = (n + 1, followers + (row.get("author_followers") or 0),
                          engagement + engagement_total(row.get("engagement")))
    copy_store.link_copies(store, conn, links, now)
    copy_store.add_reach(conn, totals)
    return {ticket: engagement for ticket, (_, _, engagement) in totals.items()}
