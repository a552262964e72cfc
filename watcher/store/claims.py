"""Slot claims: which replica polls a source for one scheduled slot. The primary key makes the
first claim win; an unfinished claim whose lease ran out may be taken over."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from watcher.store.db import Store
from watcher.store.schema import slot_claims as claims


def claim(store: Store, source: str, slot: datetime, owner: str, now: datetime,
          lease: timedelta) -> bool:
    """True when this owner now holds the slot: a new claim, or one abandoned by a dead owner."""
    with store.begin() as conn:
        fresh = conn.execute(
            store.insert_ignoring_conflicts(claims)
            .values(source=source, slot=slot, owner=owner, lease_until=now + lease, takeovers=0)
            .returning(claims.c.source)
        ).first()
        if fresh is not None:
            return True
        taken = conn.execute(
            update(claims)
            .where(claims.c.source == source, claims.c.slot == slot, claims.c.done_at.is_(None),
                   claims.c.lease_until < now)
            .values(owner=owner, lease_until=now + lease, takeovers=claims.c.takeovers + 1)
            .returning(claims.c.source)
        ).first()
        return taken is not None


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
    with store.begin() as conn:
        conn.execute(update(claims)
                     .where(claims.c.source == source, claims.c.slot == slot,
                            claims.c.owner == owner)
                     .values(done_at=now))


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
