"""Slot claims: which replica polls a source for one scheduled slot. The primary key makes the
first claim win; an unfinished claim whose lease ran out may be taken over."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, tuple_, update

from watcher.store.db import Store
from watcher.store.schema import slot_claims as claims


def claim(store: Store, source: str, slot: datetime, owner: str, now: datetime,
          lease: timedelta) -> bool:
    """True when this owner now holds the slot: a new claim, or one abandoned by a dead owner."""
    return (source, slot) in claim_many(store, [(source, slot)], owner, now, lease)


# Slots per statement: five parameters a row stays far below SQLite's 32,766 variables.
CHUNK = 500

SlotKey = tuple[str, datetime]  # (source, slot)


def claim_many(store: Store, keys: list[SlotKey], owner: str, now: datetime,
               lease: timedelta) -> set[SlotKey]:
    """`claim` for many slots in one transaction and two statements a chunk; returns the slots
    this owner now holds."""
    won: set[SlotKey] = set()
    with store.begin() as conn:
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start:start + CHUNK]
            fresh = conn.execute(
                store.insert_ignoring_conflicts(claims)
                .values([{"source": source, "slot": slot, "owner": owner,
                          "lease_until": now + lease, "takeovers": 0} for source, slot in chunk])
                .returning(claims.c.source, claims.c.slot))
            won.update((source, slot) for source, slot in fresh)
            rest = [key for key in chunk if key not in won]
            if not rest:
                continue
            taken = conn.execute(
                update(claims)
                .where(tuple_(claims.c.source, claims.c.slot).in_(rest),
                       claims.c.done_at.is_(None), claims.c.lease_until < now)
                .values(owner=owner, lease_until=now + lease, takeovers=claims.c.takeovers + 1)
                .returning(claims.c.source, claims.c.slot))
            won.update((source, slot) for source, slot in taken)
    return won


def finish_many(store: Store, keys: list[SlotKey], owner: str, now: datetime) -> set[SlotKey]:
    """`finish` for many slots in one transaction; returns the slots marked done."""
    done: set[SlotKey] = set()
    with store.begin() as conn:
        for start in range(0, len(keys), CHUNK):
            finished = conn.execute(
                update(claims)
                .where(tuple_(claims.c.source, claims.c.slot).in_(keys[start:start + CHUNK]),
                       claims.c.owner == owner)
                .values(done_at=now)
                .returning(claims.c.source, claims.c.slot))
            done.update((source, slot) for source, slot in finished)
    return done


def renew_all(store: Store, owner: str, until: datetime) -> set[tuple[str, datetime]]:
    """Extends the lease of every unfinished claim `owner` holds, in one statement; returns the
    (source, slot) of those (a claim another replica took over meanwhile is not among them)."""
    with store.begin() as conn:
        renewed = conn.execute(
            update(claims)
            .where(claims.c.done_at.is_(None), claims.c.owner == owner)
            .values(lease_until=until)
            .returning(claims.c.source, claims.c.slot)
        )
        return {(source, slot) for source, slot in renewed}


def finish(store: Store, source: str, slot: datetime, owner: str, now: datetime) -> None:
    finish_many(store, [(source, slot)], owner, now)


def abandoned(store: Store, now: datetime) -> list[tuple[str, datetime]]:
    """(source, slot) of unfinished claims whose lease has run out."""
    query = select(claims.c.source, claims.c.slot).where(claims.c.done_at.is_(None),
                                                         claims.c.lease_until < now)
    with store.engine.connect() as conn:
        return [(source, slot) for source, slot in conn.execute(query)]


def forget_before(store: Store, before: datetime) -> None:
    """Drops finished claims older than `before`; they only matter around their slot."""
    with store.begin() as conn:
        conn.execute(delete(claims).where(claims.c.done_at.is_not(None), claims.c.slot < before))
